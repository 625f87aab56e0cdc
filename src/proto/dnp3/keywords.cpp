// Suricata's DNP3 rule keywords: dnp3_func (dnp3.func), dnp3_ind, dnp3.ind, dnp3_obj
// (dnp3.obj). Each tests the side of the transaction the inspected packet travels on: the
// request on packets to the server, the response on packets to the client.
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <string>

#include "core/number_expr.h"
#include "proto/dnp3/dnp3.h"
#include "proto/dnp3/transaction.h"

namespace tocsin::proto::dnp3 {

using applayer::Direction;
using applayer::ProtocolKeyword;
using applayer::Transaction;
using applayer::TxTest;

namespace {

struct Name {
    std::string_view name;
    std::uint16_t value;
};

// Function code names as Suricata (and Snort) spell them (IEEE 1815-2012 Table 4-1).
constexpr Name kFunctions[] = {
    {"confirm", 0},
    {"read", 1},
    {"write", 2},
    {"select", 3},
    {"operate", 4},
    {"direct_operate", 5},
    {"direct_operate_nr", 6},
    {"immed_freeze", 7},
    {"immed_freeze_nr", 8},
    {"freeze_clear", 9},
    {"freeze_clear_nr", 10},
    {"freeze_at_time", 11},
    {"freeze_at_time_nr", 12},
    {"cold_restart", 13},
    {"warm_restart", 14},
    {"initialize_data", 15},
    {"initialize_appl", 16},
    {"start_appl", 17},
    {"stop_appl", 18},
    {"save_config", 19},
    {"enable_unsolicited", 20},
    {"disable_unsolicited", 21},
    {"assign_class", 22},
    {"delay_measure", 23},
    {"record_current_time", 24},
    {"open_file", 25},
    {"close_file", 26},
    {"delete_file", 27},
    {"get_file_info", 28},
    {"authenticate_file", 29},
    {"abort_file", 30},
    {"activate_config", 31},
    {"authenticate_req", 32},
    {"authenticate_err", 33},
    {"response", 129},
    {"unsolicited_response", 130},
    {"authenticate_resp", 131},
};

std::string_view trim(std::string_view v) {
    while (!v.empty() && (std::isspace(static_cast<unsigned char>(v.front())) || v.front() == '"'))
        v.remove_prefix(1);
    while (!v.empty() && (std::isspace(static_cast<unsigned char>(v.back())) || v.back() == '"'))
        v.remove_suffix(1);
    return v;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// An unsigned number, decimal or 0x-hexadecimal, no larger than `max`.
std::optional<std::uint32_t> parse_number(std::string_view v, std::uint32_t max) {
    const auto n = NumberExpr::number(v, max);
    return n ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(*n)) : std::nullopt;
}

const Message* inspected(const Transaction& tx, Direction dir) {
    const auto* t = dynamic_cast<const Dnp3Transaction*>(&tx);
    return t == nullptr ? nullptr : t->side(dir);
}

class FuncTest final : public TxTest {
  public:
    explicit FuncTest(std::uint8_t fc) : fc_(fc) {}
    bool matches(const Transaction& tx, Direction dir) const override {
        const Message* m = inspected(tx, dir);
        return m != nullptr && m->app.function == fc_;
    }

  private:
    std::uint8_t fc_;
};

std::unique_ptr<const TxTest> compile_func(std::string_view value, std::string& error) {
    const std::string_view v = trim(value);
    if (auto n = parse_number(v, 255))
        return std::make_unique<FuncTest>(static_cast<std::uint8_t>(*n));
    for (const Name& f : kFunctions)
        if (iequals(v, f.name))
            return std::make_unique<FuncTest>(static_cast<std::uint8_t>(f.value));
    error = "dnp3_func: unknown function '" + std::string(v) + "'";
    return nullptr;
}

// Internal indications, IIN1 in the high octet (4.2.2.6): Suricata's names.
constexpr Name kIndicators[] = {
    {"device_restart", 0x8000},
    {"device_trouble", 0x4000},
    {"local_control", 0x2000},
    {"need_time", 0x1000},
    {"class_3_events", 0x0800},
    {"class_2_events", 0x0400},
    {"class_1_events", 0x0200},
    {"all_stations", 0x0100},
    {"reserved_1", 0x0080},
    {"reserved_2", 0x0040},
    {"config_corrupt", 0x0020},
    {"already_executing", 0x0010},
    {"event_buffer_overflow", 0x0008},
    {"parameter_error", 0x0004},
    {"object_unknown", 0x0002},
    {"no_func_code_support", 0x0001},
};

std::optional<std::uint16_t> indicator(std::string_view name) {
    for (const Name& i : kIndicators)
        if (iequals(trim(name), i.name)) return i.value;
    return std::nullopt;
}

std::optional<std::uint16_t> response_iin(const Transaction& tx, Direction dir) {
    const Message* m = inspected(tx, dir);
    if (m == nullptr || !m->app.iin) return std::nullopt;
    return *m->app.iin;
}

// dnp3_ind (Suricata up to 8): a list of names, or a number; matches when the response
// carries any of the flags.
class IndAnyTest final : public TxTest {
  public:
    explicit IndAnyTest(std::uint16_t flags) : flags_(flags) {}
    bool matches(const Transaction& tx, Direction dir) const override {
        const auto iin = response_iin(tx, dir);
        return iin && (*iin & flags_) != 0;
    }

  private:
    std::uint16_t flags_;
};

std::unique_ptr<const TxTest> compile_ind_any(std::string_view value, std::string& error) {
    if (auto n = parse_number(value, 0xffff))
        return std::make_unique<IndAnyTest>(static_cast<std::uint16_t>(*n));
    std::uint16_t flags = 0;
    std::string_view rest = trim(value);
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        const std::string_view name = rest.substr(0, comma);
        const auto flag = indicator(name);
        if (!flag) {
            error = "dnp3_ind: unknown indicator '" + std::string(trim(name)) + "'";
            return nullptr;
        }
        flags |= *flag;
        rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
    }
    if (flags == 0) {
        error = "dnp3_ind needs a value";
        return nullptr;
    }
    return std::make_unique<IndAnyTest>(flags);
}

// dnp3.ind (Suricata 9): a 16-bit integer test (N, !N, >N, <N, >=N, <=N, N-M), or a list of
// names each required set or, with '!', clear.
class IndTest final : public TxTest {
  public:
    enum class Op : std::uint8_t { eq, ne, gt, lt, ge, le, range, flags };
    IndTest(Op op, std::uint16_t a, std::uint16_t b) : op_(op), a_(a), b_(b) {}
    bool matches(const Transaction& tx, Direction dir) const override {
        const auto iin = response_iin(tx, dir);
        if (!iin) return false;
        const std::uint16_t v = *iin;
        switch (op_) {
            case Op::eq:
                return v == a_;
            case Op::ne:
                return v != a_;
            case Op::gt:
                return v > a_;
            case Op::lt:
                return v < a_;
            case Op::ge:
                return v >= a_;
            case Op::le:
                return v <= a_;
            case Op::range:
                return v > a_ && v < b_;
            case Op::flags:
                return (v & a_) == a_ && (v & b_) == 0;  // a: set, b: clear
        }
        return false;
    }

  private:
    Op op_;
    std::uint16_t a_;
    std::uint16_t b_;
};

std::unique_ptr<const TxTest> compile_ind(std::string_view value, std::string& error) {
    std::string_view v = trim(value);
    using Op = IndTest::Op;
    struct Prefix {
        std::string_view text;
        Op op;
    };
    constexpr Prefix kPrefixes[] = {{">=", Op::ge}, {"<=", Op::le}, {"!", Op::ne},
                                    {">", Op::gt},  {"<", Op::lt},  {"=", Op::eq}};
    for (const Prefix& p : kPrefixes)
        if (v.starts_with(p.text))
            if (auto n = parse_number(v.substr(p.text.size()), 0xffff))
                return std::make_unique<IndTest>(p.op, static_cast<std::uint16_t>(*n), 0);
    if (auto n = parse_number(v, 0xffff))
        return std::make_unique<IndTest>(Op::eq, static_cast<std::uint16_t>(*n), 0);
    if (const auto dash = v.find('-'); dash != std::string_view::npos) {
        const auto lo = parse_number(v.substr(0, dash), 0xffff);
        const auto hi = parse_number(v.substr(dash + 1), 0xffff);
        if (lo && hi)
            return std::make_unique<IndTest>(Op::range, static_cast<std::uint16_t>(*lo),
                                             static_cast<std::uint16_t>(*hi));
    }
    std::uint16_t set = 0;
    std::uint16_t clear = 0;
    while (!v.empty()) {
        const auto comma = v.find(',');
        std::string_view name = trim(v.substr(0, comma));
        const bool negated = name.starts_with('!');
        if (negated) name.remove_prefix(1);
        const auto flag = indicator(name);
        if (!flag) {
            error = "dnp3.ind: unknown indicator '" + std::string(name) + "'";
            return nullptr;
        }
        (negated ? clear : set) |= *flag;
        v = comma == std::string_view::npos ? "" : v.substr(comma + 1);
    }
    if ((set | clear) == 0) {
        error = "dnp3.ind needs a value";
        return nullptr;
    }
    return std::make_unique<IndTest>(Op::flags, set, clear);
}

class ObjTest final : public TxTest {
  public:
    ObjTest(std::uint8_t group, std::uint8_t variation) : group_(group), variation_(variation) {}
    bool matches(const Transaction& tx, Direction dir) const override {
        const Message* m = inspected(tx, dir);
        if (m == nullptr) return false;
        return std::any_of(m->objects.begin(), m->objects.end(), [&](const Object& o) {
            return o.group == group_ && o.variation == variation_;
        });
    }

  private:
    std::uint8_t group_;
    std::uint8_t variation_;
};

std::unique_ptr<const TxTest> compile_obj(std::string_view value, std::string& error) {
    const std::string_view v = trim(value);
    const auto comma = v.find(',');
    if (comma != std::string_view::npos) {
        const auto group = parse_number(v.substr(0, comma), 255);
        const auto variation = parse_number(v.substr(comma + 1), 255);
        if (group && variation)
            return std::make_unique<ObjTest>(static_cast<std::uint8_t>(*group),
                                             static_cast<std::uint8_t>(*variation));
    }
    error = "dnp3_obj takes group,variation";
    return nullptr;
}

constexpr ProtocolKeyword kKeywords[] = {
    {"dnp3_func", ProtocolKeyword::Value::required, compile_func},
    {"dnp3.func", ProtocolKeyword::Value::required, compile_func},
    {"dnp3_ind", ProtocolKeyword::Value::required, compile_ind_any},
    {"dnp3.ind", ProtocolKeyword::Value::required, compile_ind},
    {"dnp3_obj", ProtocolKeyword::Value::required, compile_obj},
    {"dnp3.obj", ProtocolKeyword::Value::required, compile_obj},
};

}  // namespace

std::span<const ProtocolKeyword> keywords() {
    return kKeywords;
}

}  // namespace tocsin::proto::dnp3
