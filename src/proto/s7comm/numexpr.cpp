#include "proto/s7comm/numexpr.h"

#include <charconv>

namespace tocsin::proto::s7comm {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// A decimal or 0x-prefixed hexadecimal number, the whole of `s`.
std::optional<std::int64_t> number(std::string_view s) {
    s = trim(s);
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s.remove_prefix(2);
    }
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

}  // namespace

std::optional<NumberExpr> NumberExpr::parse(std::string_view text) {
    text = trim(text);
    NumberExpr e;
    const auto with = [&](Op op, std::string_view rest) -> std::optional<NumberExpr> {
        auto v = number(rest);
        if (!v) return std::nullopt;
        e.op_ = op;
        e.a_ = *v;
        return e;
    };
    if (text.starts_with("<=")) return with(Op::le, text.substr(2));
    if (text.starts_with(">=")) return with(Op::ge, text.substr(2));
    if (text.starts_with("!=")) return with(Op::ne, text.substr(2));
    if (text.starts_with('<')) return with(Op::lt, text.substr(1));
    if (text.starts_with('>')) return with(Op::gt, text.substr(1));
    if (text.starts_with('=')) return with(Op::eq, text.substr(1));
    const bool negated = text.starts_with('!');
    if (negated) text.remove_prefix(1);
    // A range: "a<>b" or "a-b" (a '-' past the first character: no negative numbers here).
    std::size_t at = text.find("<>");
    std::size_t width = 2;
    if (at == std::string_view::npos && text.size() > 1) {
        at = text.find('-', 1);
        width = 1;
    }
    if (at != std::string_view::npos) {
        auto a = number(text.substr(0, at));
        auto b = number(text.substr(at + width));
        if (!a || !b || *a >= *b) return std::nullopt;
        e.op_ = negated ? Op::outside : Op::between;
        e.a_ = *a;
        e.b_ = *b;
        return e;
    }
    if (negated) return with(Op::ne, text);
    return with(Op::eq, text);
}

bool NumberExpr::matches(std::int64_t v) const {
    switch (op_) {
        case Op::eq:
            return v == a_;
        case Op::ne:
            return v != a_;
        case Op::lt:
            return v < a_;
        case Op::le:
            return v <= a_;
        case Op::gt:
            return v > a_;
        case Op::ge:
            return v >= a_;
        case Op::between:
            return v > a_ && v < b_;
        case Op::outside:
            return v <= a_ || v >= b_;
    }
    return false;
}

}  // namespace tocsin::proto::s7comm
