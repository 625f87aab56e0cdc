// s7comm rule keywords. Message keywords (rosctr, function, userdata group/subfunction,
// szl_id) look at the message of the packet's direction, so `s7comm.rosctr:job` matches the
// request and `s7comm.rosctr:ack_data` the response; item keywords (area, db) look at the
// request's items wherever the packet goes.
#include "proto/s7comm/keywords.h"

#include <array>
#include <charconv>
#include <functional>
#include <vector>

#include "core/number_expr.h"
#include "proto/s7comm/names.h"
#include "proto/s7comm/transaction.h"

namespace tocsin::proto::s7comm {

namespace {

using applayer::Direction;
using applayer::Transaction;
using applayer::TxTest;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '"')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '"')) s.remove_suffix(1);
    return s;
}

// A code given as a number (decimal or 0x hex) or by name through `by_name`.
std::optional<std::uint8_t> code(std::string_view value,
                                 std::optional<std::uint8_t> (*by_name)(std::string_view)) {
    value = trim(value);
    if (auto e = NumberExpr::parse(value)) {
        unsigned v = 0;
        int base = 10;
        std::string_view digits = value;
        if (digits.starts_with("0x") || digits.starts_with("0X")) {
            base = 16;
            digits.remove_prefix(2);
        }
        const auto [end, ec] =
            std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
        if (ec == std::errc{} && end == digits.data() + digits.size() && v <= 0xFF)
            return static_cast<std::uint8_t>(v);
    }
    return by_name(value);
}

// A test over the message of the inspected direction.
class MessageTest final : public TxTest {
  public:
    using Predicate = std::function<bool(const Pdu&)>;
    explicit MessageTest(Predicate p) : predicate_(std::move(p)) {}
    bool matches(const Transaction& base, Direction dir) const override {
        const auto* tx = dynamic_cast<const S7Transaction*>(&base);
        if (tx == nullptr) return false;
        const Pdu* p = tx->pdu(dir);
        return p != nullptr && predicate_(*p);
    }

  private:
    Predicate predicate_;
};

// A test over the request's items (in whichever message carries specifications).
class ItemTest final : public TxTest {
  public:
    using Predicate = std::function<bool(const VarSpec&)>;
    explicit ItemTest(Predicate p) : predicate_(std::move(p)) {}
    bool matches(const Transaction& base, Direction dir) const override {
        (void)dir;
        const auto* tx = dynamic_cast<const S7Transaction*>(&base);
        if (tx == nullptr) return false;
        for (const auto& p : tx->pdus)
            if (p)
                for (const VarSpec& v : p->specs)
                    if (v.any() && predicate_(v)) return true;
        return false;
    }

  private:
    Predicate predicate_;
};

std::unique_ptr<const TxTest> compile_rosctr(std::string_view value, std::string& error) {
    auto c = code(value, rosctr_code);
    if (!c) {
        error = "s7comm.rosctr: expected a number or job, ack, ack_data, userdata";
        return nullptr;
    }
    return std::make_unique<MessageTest>([v = *c](const Pdu& p) { return p.rosctr == v; });
}

std::unique_ptr<const TxTest> compile_function(std::string_view value, std::string& error) {
    auto c = code(value, function_code);
    if (!c) {
        error = "s7comm.function: expected a number or a function name (read_var, write_var...)";
        return nullptr;
    }
    return std::make_unique<MessageTest>([v = *c](const Pdu& p) { return p.function == v; });
}

std::unique_ptr<const TxTest> compile_group(std::string_view value, std::string& error) {
    auto c = code(value, group_code);
    if (!c) {
        error = "s7comm.userdata_group: expected a number or a group name (cpu_functions...)";
        return nullptr;
    }
    return std::make_unique<MessageTest>(
        [v = *c](const Pdu& p) { return p.userdata && p.userdata->group == v; });
}

// A subfunction number, or a name: matched in whichever group defines it ("read_szl").
std::unique_ptr<const TxTest> compile_subfunction(std::string_view value, std::string& error) {
    value = trim(value);
    std::vector<std::pair<int, std::uint8_t>> accepted;  // (group or -1 for any, subfunction)
    if (auto c = code(value,
                      [](std::string_view) -> std::optional<std::uint8_t> { return std::nullopt; }))
        accepted.emplace_back(-1, *c);
    for (int g = 0; g < 16 && accepted.empty(); ++g)
        for (int s = 0; s < 256; ++s)
            if (same_name(value, subfunction_name(static_cast<std::uint8_t>(g),
                                                  static_cast<std::uint8_t>(s))))
                accepted.emplace_back(g, static_cast<std::uint8_t>(s));
    if (accepted.empty()) {
        error = "s7comm.userdata_subfunction: expected a number or a subfunction name";
        return nullptr;
    }
    return std::make_unique<MessageTest>([accepted](const Pdu& p) {
        if (!p.userdata) return false;
        for (const auto& [g, s] : accepted)
            if ((g < 0 || g == p.userdata->group) && s == p.userdata->subfunction) return true;
        return false;
    });
}

std::unique_ptr<const TxTest> compile_szl_id(std::string_view value, std::string& error) {
    auto e = NumberExpr::parse(trim(value));
    if (!e) {
        error = "s7comm.szl_id: expected a number expression (0x11, >5, 1-10, 1<>10, !3)";
        return nullptr;
    }
    return std::make_unique<MessageTest>([e = *e](const Pdu& p) {
        return p.userdata && p.userdata->szl_id && e.matches(*p.userdata->szl_id);
    });
}

std::unique_ptr<const TxTest> compile_area(std::string_view value, std::string& error) {
    auto c = code(value, area_code);
    if (!c) {
        error = "s7comm.area: expected a number or an area (P, I, Q, M, DB, DI, L, V, C, T...)";
        return nullptr;
    }
    return std::make_unique<ItemTest>([v = *c](const VarSpec& s) { return s.area == v; });
}

std::unique_ptr<const TxTest> compile_db(std::string_view value, std::string& error) {
    auto e = NumberExpr::parse(trim(value));
    if (!e) {
        error = "s7comm.db: expected a number expression";
        return nullptr;
    }
    return std::make_unique<ItemTest>([e = *e](const VarSpec& s) {
        return (s.area == 0x84 || s.area == 0x85) && e.matches(s.db);
    });
}

using V = applayer::ProtocolKeyword::Value;
const std::array kKeywords{
    applayer::ProtocolKeyword{"s7comm.rosctr", V::required, compile_rosctr},
    applayer::ProtocolKeyword{"s7comm.function", V::required, compile_function},
    applayer::ProtocolKeyword{"s7comm.userdata_group", V::required, compile_group},
    applayer::ProtocolKeyword{"s7comm.userdata_subfunction", V::required, compile_subfunction},
    applayer::ProtocolKeyword{"s7comm.szl_id", V::required, compile_szl_id},
    applayer::ProtocolKeyword{"s7comm.area", V::required, compile_area},
    applayer::ProtocolKeyword{"s7comm.db", V::required, compile_db},
};

}  // namespace

std::span<const applayer::ProtocolKeyword> keywords() {
    return kKeywords;
}

}  // namespace tocsin::proto::s7comm
