// Rule keywords of EtherNet/IP and CIP (Suricata 8's enip_command, cip_service and enip.*),
// compiled into applayer::TxTest by the protocol itself.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "applayer/protocol.h"

namespace tocsin::proto::enip {

std::span<const applayer::ProtocolKeyword> keywords();

// Suricata's unsigned-integer test: "N", "<N", "<=N", ">N", ">=N", "!N", "=N", "A-B" and
// "A<>B" (both ends excluded), "!A-B"; numbers decimal or 0x hex. Exposed for tests.
struct UintTest {
    enum class Op : std::uint8_t { eq, ne, lt, le, gt, ge, range, not_range } op = Op::eq;
    std::uint64_t a = 0, b = 0;
    bool matches(std::uint64_t v) const;
};
std::optional<UintTest> parse_uint_test(std::string_view text, std::uint64_t max);

// cip_service's value: "service[,class[,[!]attribute]]" (a negated attribute is ignored, as
// in Suricata).
struct CipServiceTest {
    std::uint8_t service = 0;
    std::optional<std::uint32_t> cls;
    std::optional<std::uint32_t> attribute;
};
std::optional<CipServiceTest> parse_cip_service(std::string_view text);

}  // namespace tocsin::proto::enip
