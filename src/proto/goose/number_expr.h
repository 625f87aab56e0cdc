// A rule keyword's number expression, as Suricata's integer keywords write them: "5" or "=5"
// (equal), "!5" or "!=5" (not equal), ">5", ">=5", "<5", "<=5", "1<>10" or "1-10" (strictly
// between, as Suricata's ranges are exclusive), "!1-10" (outside: <=1 or >=10). Protocols
// cannot include detection code, so the ICS keywords (goose.*, opcua.status) parse their
// values with this header-only copy.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace tocsin::proto {

class NumberExpr {
  public:
    enum class Op : std::uint8_t { eq, ne, lt, le, gt, ge, between, outside };

    // nullopt when `text` is not an expression of an unsigned 64-bit number.
    static std::optional<NumberExpr> parse(std::string_view text) {
        text = trim(text);
        if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
            text = trim(text.substr(1, text.size() - 2));
        NumberExpr e;
        const bool negated = text.starts_with('!') && !text.starts_with("!=");
        if (negated) text = trim(text.substr(1));
        for (std::string_view sep : {std::string_view("<>"), std::string_view("-")}) {
            const std::size_t at = text.find(sep);
            if (at == std::string_view::npos || at == 0) continue;
            const auto lo = number(text.substr(0, at));
            const auto hi = number(text.substr(at + sep.size()));
            if (!lo || !hi || *lo >= *hi) return std::nullopt;
            e.op_ = negated ? Op::outside : Op::between;
            e.a_ = *lo;
            e.b_ = *hi;
            return e;
        }
        constexpr std::pair<std::string_view, Op> kPrefixes[] = {
            {">=", Op::ge}, {"<=", Op::le}, {">", Op::gt},
            {"<", Op::lt},  {"!=", Op::ne}, {"=", Op::eq},
        };
        e.op_ = negated ? Op::ne : Op::eq;
        for (const auto& [prefix, op] : kPrefixes) {
            if (negated || !text.starts_with(prefix)) continue;
            e.op_ = op;
            text.remove_prefix(prefix.size());
            break;
        }
        const auto value = number(text);
        if (!value) return std::nullopt;
        e.a_ = *value;
        return e;
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
    static std::string_view trim(std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
        return s;
    }
    // Decimal, or hexadecimal with 0x.
    static std::optional<std::uint64_t> number(std::string_view s) {
        s = trim(s);
        int base = 10;
        if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
            base = 16;
            s.remove_prefix(2);
        }
        std::uint64_t v = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
        if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
        return v;
    }

    Op op_ = Op::eq;
    std::uint64_t a_ = 0;
    std::uint64_t b_ = 0;
};

}  // namespace tocsin::proto
