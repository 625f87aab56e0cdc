// Rule keywords over the APDUs of a transaction sent in the inspected packet's direction: a
// command transaction holds the request (to the station) and its confirmations (back), so
// `iec104.cot:actcon` matches when the confirmation is inspected.
#include "proto/iec104/keywords.h"

#include <memory>
#include <string>

#include "core/number_expr.h"
#include "proto/iec104/apdu.h"
#include "proto/iec104/transaction.h"

namespace tocsin::proto::iec104 {

namespace {

using applayer::Direction;
using applayer::TxTest;

enum class What : std::uint8_t { type_id, cot, ioa, apci, u_function, common_address };

class ApduTest final : public TxTest {
  public:
    ApduTest(What what, NumberExpr expr) : what_(what), expr_(expr) {}

    bool matches(const applayer::Transaction& base, Direction dir) const override {
        const auto* tx = dynamic_cast<const Iec104Transaction*>(&base);
        if (tx == nullptr) return false;
        for (const Message& m : tx->messages)
            if (m.dir == dir && matches(m.apdu)) return true;
        return false;
    }

  private:
    bool matches(const Apdu& a) const {
        switch (what_) {
            case What::apci:
                return expr_.matches(static_cast<std::uint64_t>(a.type));
            case What::u_function:
                return a.type == ApciType::u && expr_.matches(a.u_bits);
            case What::type_id:
                return a.asdu && expr_.matches(a.asdu->type_id);
            case What::cot:
                return a.asdu && a.asdu->header_octets >= 3 && expr_.matches(a.asdu->cot);
            case What::common_address:
                return a.asdu && a.asdu->header_octets >= kAsduHeaderLength &&
                       expr_.matches(a.asdu->common_address);
            case What::ioa:
                if (!a.asdu) return false;
                for (const InfoObject& o : a.asdu->objects)
                    if (expr_.matches(o.ioa)) return true;
                return false;
        }
        return false;
    }

    What what_;
    NumberExpr expr_;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '"')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '"')) s.remove_suffix(1);
    return s;
}

// A name (optionally negated with '!') or a number expression.
std::unique_ptr<const TxTest> compile_named(
    What what, std::string_view value, std::uint64_t max,
    std::optional<std::uint8_t> (*by_name)(std::string_view), std::string& error) {
    std::string_view s = trim(value);
    const bool negated = s.starts_with('!');
    const std::string_view name = trim(negated ? s.substr(1) : s);
    if (const auto code = by_name(name)) {
        return std::make_unique<ApduTest>(
            what, negated ? NumberExpr::not_equal(*code) : NumberExpr::equal(*code));
    }
    auto expr = NumberExpr::parse(s, max, error);
    if (!expr) return nullptr;
    return std::make_unique<ApduTest>(what, *expr);
}

std::unique_ptr<const TxTest> compile_number(What what, std::string_view value, std::uint64_t max,
                                             std::string& error) {
    auto expr = NumberExpr::parse(trim(value), max, error);
    if (!expr) return nullptr;
    return std::make_unique<ApduTest>(what, *expr);
}

std::unique_ptr<const TxTest> compile_type_id(std::string_view value, std::string& error) {
    return compile_named(What::type_id, value, 255, type_by_name, error);
}

std::unique_ptr<const TxTest> compile_cot(std::string_view value, std::string& error) {
    return compile_named(What::cot, value, 63, cot_by_name, error);
}

std::unique_ptr<const TxTest> compile_ioa(std::string_view value, std::string& error) {
    return compile_number(What::ioa, value, 0xffffff, error);
}

std::unique_ptr<const TxTest> compile_common_address(std::string_view value, std::string& error) {
    return compile_number(What::common_address, value, 0xffff, error);
}

std::unique_ptr<const TxTest> compile_apci(std::string_view value, std::string& error) {
    const std::string_view s = trim(value);
    for (const auto& [name, type] :
         {std::pair{'i', ApciType::i}, std::pair{'s', ApciType::s}, std::pair{'u', ApciType::u}}) {
        if (s.size() == 1 && (s[0] == name || s[0] == name - 32))
            return std::make_unique<ApduTest>(What::apci,
                                              NumberExpr::equal(static_cast<std::uint64_t>(type)));
    }
    error = "iec104.apci takes i, s or u, not '" + std::string(value) + "'";
    return nullptr;
}

std::unique_ptr<const TxTest> compile_u_function(std::string_view value, std::string& error) {
    const std::string_view s = trim(value);
    if (const auto bits = u_function_by_name(s))
        return std::make_unique<ApduTest>(What::u_function, NumberExpr::equal(*bits));
    error =
        "iec104.u_function takes startdt_act, startdt_con, stopdt_act, stopdt_con, "
        "testfr_act or testfr_con, not '" +
        std::string(value) + "'";
    return nullptr;
}

constexpr applayer::ProtocolKeyword kKeywords[] = {
    {"iec104.typeid", applayer::ProtocolKeyword::Value::required, compile_type_id},
    {"iec104.cot", applayer::ProtocolKeyword::Value::required, compile_cot},
    {"iec104.ioa", applayer::ProtocolKeyword::Value::required, compile_ioa},
    {"iec104.apci", applayer::ProtocolKeyword::Value::required, compile_apci},
    {"iec104.u_function", applayer::ProtocolKeyword::Value::required, compile_u_function},
    {"iec104.common_address", applayer::ProtocolKeyword::Value::required, compile_common_address},
};

}  // namespace

std::span<const applayer::ProtocolKeyword> keywords() {
    return kKeywords;
}

}  // namespace tocsin::proto::iec104
