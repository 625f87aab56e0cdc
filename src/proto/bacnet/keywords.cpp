// Rule keywords over the datagrams of a transaction sent in the inspected packet's direction:
// a confirmed request's transaction holds the request and its answer, so a keyword on the
// answer's contents matches when the answer is inspected.
#include "proto/bacnet/keywords.h"

#include <memory>
#include <string>

#include "core/number_expr.h"
#include "proto/bacnet/names.h"
#include "proto/bacnet/transaction.h"

namespace tocsin::proto::bacnet {

namespace {

using applayer::Direction;
using applayer::TxTest;

enum class What : std::uint8_t { service, object_type, property, instance };

// Which service tables a bacnet.service value selects.
enum class Table : std::uint8_t { both, confirmed, unconfirmed };

class MessageTest final : public TxTest {
  public:
    MessageTest(What what, NumberExpr expr, Table table = Table::both)
        : what_(what), expr_(expr), table_(table) {}

    bool matches(const applayer::Transaction& base, Direction dir) const override {
        const auto* tx = dynamic_cast<const BacnetTransaction*>(&base);
        if (tx == nullptr) return false;
        for (const Entry& e : tx->messages)
            if (e.dir == dir && e.message.apdu && matches(*e.message.apdu)) return true;
        return false;
    }

  private:
    bool matches(const Apdu& a) const {
        switch (what_) {
            case What::service: {
                if (!a.service) return false;
                const bool unconfirmed = a.type == PduType::unconfirmed_request;
                if (table_ == Table::confirmed && unconfirmed) return false;
                if (table_ == Table::unconfirmed && !unconfirmed) return false;
                return expr_.matches(*a.service);
            }
            case What::object_type:
                return std::ranges::any_of(
                    a.objects, [&](const ObjectRef& o) { return expr_.matches(o.id.type); });
            case What::instance:
                return std::ranges::any_of(
                    a.objects, [&](const ObjectRef& o) { return expr_.matches(o.id.instance); });
            case What::property:
                for (const ObjectRef& o : a.objects)
                    for (const Property& p : o.properties)
                        if (expr_.matches(p.id)) return true;
                return false;
        }
        return false;
    }

    What what_;
    NumberExpr expr_;
    Table table_;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '"')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '"')) s.remove_suffix(1);
    return s;
}

// A name (optionally negated with '!') or a number expression over 0..max.
template <typename Lookup>
std::unique_ptr<const TxTest> compile_named(What what, std::string_view value, std::uint64_t max,
                                            Lookup by_name, std::string& error) {
    const std::string_view s = trim(value);
    const bool negated = s.starts_with('!');
    if (const auto code = by_name(trim(negated ? s.substr(1) : s)))
        return std::make_unique<MessageTest>(
            what, negated ? NumberExpr::not_equal(*code) : NumberExpr::equal(*code));
    auto expr = NumberExpr::parse(s, max, error);
    if (!expr) return nullptr;
    return std::make_unique<MessageTest>(what, *expr);
}

std::unique_ptr<const TxTest> compile_service(std::string_view value, std::string& error) {
    const std::string_view s = trim(value);
    const bool negated = s.starts_with('!');
    if (const auto id = service_by_name(trim(negated ? s.substr(1) : s))) {
        return std::make_unique<MessageTest>(
            What::service, negated ? NumberExpr::not_equal(id->code) : NumberExpr::equal(id->code),
            id->confirmed ? Table::confirmed : Table::unconfirmed);
    }
    auto expr = NumberExpr::parse(s, 255, error);
    if (!expr) return nullptr;
    return std::make_unique<MessageTest>(What::service, *expr);
}

std::unique_ptr<const TxTest> compile_object_type(std::string_view value, std::string& error) {
    return compile_named(What::object_type, value, 1023, object_type_by_name, error);
}

std::unique_ptr<const TxTest> compile_property(std::string_view value, std::string& error) {
    return compile_named(What::property, value, 4194303, property_by_name, error);
}

std::unique_ptr<const TxTest> compile_instance(std::string_view value, std::string& error) {
    auto expr = NumberExpr::parse(trim(value), 4194303, error);
    if (!expr) return nullptr;
    return std::make_unique<MessageTest>(What::instance, *expr);
}

constexpr applayer::ProtocolKeyword kKeywords[] = {
    {"bacnet.service", applayer::ProtocolKeyword::Value::required, compile_service},
    {"bacnet.object_type", applayer::ProtocolKeyword::Value::required, compile_object_type},
    {"bacnet.property", applayer::ProtocolKeyword::Value::required, compile_property},
    {"bacnet.instance", applayer::ProtocolKeyword::Value::required, compile_instance},
};

}  // namespace

std::span<const applayer::ProtocolKeyword> keywords() {
    return kKeywords;
}

}  // namespace tocsin::proto::bacnet
