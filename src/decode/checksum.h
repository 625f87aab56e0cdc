// RFC 1071 Internet checksum, with IPv4/IPv6 pseudo-headers for TCP, UDP and ICMPv6.
#pragma once

#include <cstdint>

#include "core/address.h"
#include "core/cursor.h"

namespace tocsin::decode {

// One's-complement sum of data folded to 32 bits (not yet complemented).
std::uint32_t checksum_add(ByteSpan data, std::uint32_t sum = 0);
std::uint16_t checksum_fold(std::uint32_t sum);

// True when the transport segment (header + data, checksum field included) sums correctly.
bool transport_checksum_ok(const IpAddress& src, const IpAddress& dst, std::uint8_t proto,
                           ByteSpan segment);
// True when an IPv4 header (checksum field included) sums to zero.
inline bool ipv4_header_checksum_ok(ByteSpan header) {
    return checksum_fold(checksum_add(header)) == 0xffff;
}

}  // namespace tocsin::decode
