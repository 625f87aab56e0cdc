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

// cip_service's value: "service[,class[,[!]attribute]]" (a negated attribute is ignored, as
// in Suricata).
struct CipServiceTest {
    std::uint8_t service = 0;
    std::optional<std::uint32_t> cls;
    std::optional<std::uint32_t> attribute;
};
std::optional<CipServiceTest> parse_cip_service(std::string_view text);

}  // namespace tocsin::proto::enip
