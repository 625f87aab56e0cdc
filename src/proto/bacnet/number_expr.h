// The integer comparisons of the BACnet rule keywords: Suricata's integer keyword syntax
// (`5`, `!5`, `>5`, `>=5`, `<5`, `<=5`, `1<>10` exclusive) plus `a-b`, an inclusive range, the
// way an operator writes an address range. Detection's NumberTest (detect/packet_keywords.h)
// cannot be used here: protocols sit below detection. The same as proto/iec104/number_expr.h
// (a protocol folder does not depend on another's); both belong in core once shared.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tocsin::proto::bacnet {

struct NumberExpr {
    enum class Op : std::uint8_t { eq, ne, lt, le, gt, ge, between, inside };

    Op op = Op::eq;
    std::uint64_t a = 0;
    std::uint64_t b = 0;

    // nullopt with `error` set when `text` is not an expression over 0..max.
    static std::optional<NumberExpr> parse(std::string_view text, std::uint64_t max,
                                           std::string& error);
    bool matches(std::uint64_t value) const;
};

}  // namespace tocsin::proto::bacnet
