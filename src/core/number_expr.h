// A rule keyword's number expression, as Suricata's integer keywords write them: "5" or "=5"
// (equal), "!5" or "!=5" (not equal), ">5", ">=5", "<5", "<=5", "1<>10" or "1-10" (strictly
// between: Suricata's ranges exclude their ends), "!1-10" (outside: <=1 or >=10); numbers in
// decimal or 0x-hexadecimal. Protocol folders cannot include detection code (they sit below
// it), so their own keywords (iec104.*, s7comm.*, goose.*, bacnet.*, opcua.status) parse their
// values with this one.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace tocsin {

class NumberExpr {
  public:
    enum class Op : std::uint8_t { eq, ne, lt, le, gt, ge, between, outside };

    static NumberExpr equal(std::uint64_t v) { return NumberExpr(Op::eq, v); }
    static NumberExpr not_equal(std::uint64_t v) { return NumberExpr(Op::ne, v); }

    // nullopt when `text` is not an expression of numbers no greater than `max`.
    static std::optional<NumberExpr> parse(std::string_view text, std::uint64_t max = ~0ULL) {
        text = trim(text);
        if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
            text = trim(text.substr(1, text.size() - 2));
        const bool negated = text.starts_with('!') && !text.starts_with("!=");
        if (negated) text = trim(text.substr(1));
        for (std::string_view sep : {std::string_view("<>"), std::string_view("-")}) {
            const std::size_t at = text.find(sep);
            if (at == std::string_view::npos || at == 0) continue;
            const auto lo = number(text.substr(0, at));
            const auto hi = number(text.substr(at + sep.size()));
            if (!lo || !hi || *lo >= *hi || *hi > max) return std::nullopt;
            NumberExpr e(negated ? Op::outside : Op::between, *lo);
            e.b_ = *hi;
            return e;
        }
        constexpr std::pair<std::string_view, Op> kPrefixes[] = {
            {">=", Op::ge}, {"<=", Op::le}, {">", Op::gt},
            {"<", Op::lt},  {"!=", Op::ne}, {"=", Op::eq},
        };
        Op op = negated ? Op::ne : Op::eq;
        for (const auto& [prefix, prefix_op] : kPrefixes) {
            if (negated || !text.starts_with(prefix)) continue;
            op = prefix_op;
            text.remove_prefix(prefix.size());
            break;
        }
        const auto value = number(text);
        if (!value || *value > max) return std::nullopt;
        return NumberExpr(op, *value);
    }

    // One unsigned number, decimal or 0x-hexadecimal, no larger than `max`.
    static std::optional<std::uint64_t> number(std::string_view s, std::uint64_t max = ~0ULL) {
        s = trim(s);
        int base = 10;
        if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
            base = 16;
            s.remove_prefix(2);
        }
        std::uint64_t v = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
        if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || v > max)
            return std::nullopt;
        return v;
    }

    // The same, with `error` saying why when it is not.
    static std::optional<NumberExpr> parse(std::string_view text, std::uint64_t max,
                                           std::string& error) {
        auto expr = parse(text, max);
        if (!expr)
            error = "expected a number expression up to " + std::to_string(max) +
                    " (5, !5, >5, >=5, <5, <=5, 1<>10, 1-10, !1-10), not '" + std::string(text) +
                    "'";
        return expr;
    }

    bool matches(std::uint64_t v) const {
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

  private:
    NumberExpr(Op op, std::uint64_t a) : op_(op), a_(a) {}

    static std::string_view trim(std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
        return s;
    }

    Op op_ = Op::eq;
    std::uint64_t a_ = 0;
    std::uint64_t b_ = 0;
};

}  // namespace tocsin
