#include "proto/iec104/number_expr.h"

#include <charconv>

namespace tocsin::proto::iec104 {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool consume(std::string_view& s, std::string_view prefix) {
    if (!s.starts_with(prefix)) return false;
    s.remove_prefix(prefix.size());
    return true;
}

// A decimal or 0x-prefixed hexadecimal number filling all of `s`.
std::optional<std::uint64_t> number(std::string_view s) {
    s = trim(s);
    int base = 10;
    if (s.starts_with("0x") || s.starts_with("0X")) {
        s.remove_prefix(2);
        base = 16;
    }
    if (s.empty()) return std::nullopt;
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return v;
}

// "'TEXT' is not WHAT 0 to MAX" (built by appending: GCC 12 misreads chained operator+).
std::string not_a(std::string_view text, std::string_view what, std::uint64_t max) {
    std::string out = "'";
    out.append(text);
    out.append("' is not ");
    out.append(what);
    out.append(" 0 to ");
    out.append(std::to_string(max));
    return out;
}

}  // namespace

std::optional<NumberExpr> NumberExpr::parse(std::string_view text, std::uint64_t max,
                                            std::string& error) {
    std::string_view s = trim(text);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = trim(s.substr(1, s.size() - 2));
    NumberExpr e;
    auto single = [&](Op op, std::string_view rest) -> std::optional<NumberExpr> {
        const auto v = number(rest);
        if (!v || *v > max) {
            error = not_a(text, "a number from", max);
            return std::nullopt;
        }
        e.op = op;
        e.a = *v;
        return e;
    };
    if (consume(s, ">=")) return single(Op::ge, s);
    if (consume(s, "<=")) return single(Op::le, s);
    if (consume(s, ">")) return single(Op::gt, s);
    if (consume(s, "<")) return single(Op::lt, s);
    if (consume(s, "!")) return single(Op::ne, s);
    if (consume(s, "=")) return single(Op::eq, s);
    for (const auto& [sep, op] : {std::pair{std::string_view("<>"), Op::between},
                                  std::pair{std::string_view("-"), Op::inside}}) {
        const auto at = s.find(sep);
        if (at == std::string_view::npos) continue;
        const auto lo = number(s.substr(0, at));
        const auto hi = number(s.substr(at + sep.size()));
        if (!lo || !hi || *hi > max || *lo > *hi || (op == Op::between && *hi - *lo < 2)) {
            error = not_a(text, "a range within", max);
            return std::nullopt;
        }
        e.op = op;
        e.a = *lo;
        e.b = *hi;
        return e;
    }
    return single(Op::eq, s);
}

bool NumberExpr::matches(std::uint64_t value) const {
    switch (op) {
        case Op::eq:
            return value == a;
        case Op::ne:
            return value != a;
        case Op::lt:
            return value < a;
        case Op::le:
            return value <= a;
        case Op::gt:
            return value > a;
        case Op::ge:
            return value >= a;
        case Op::between:
            return value > a && value < b;
        case Op::inside:
            return value >= a && value <= b;
    }
    return false;
}

}  // namespace tocsin::proto::iec104
