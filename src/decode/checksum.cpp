#include "decode/checksum.h"

#include <cstring>

namespace tocsin::decode {

std::uint32_t checksum_add(ByteSpan data, std::uint32_t sum) {
    // Sum 32-bit big-endian words into a 64-bit accumulator; folding once at the end is
    // several times faster than a 16-bit loop and gives the same one's-complement result.
    std::uint64_t acc = sum;
    std::size_t i = 0;
    const std::size_t n = data.size();
    for (; i + 4 <= n; i += 4) {
        acc += std::uint64_t{data[i]} << 24 | std::uint64_t{data[i + 1]} << 16 |
               std::uint64_t{data[i + 2]} << 8 | data[i + 3];
    }
    if (i + 2 <= n) {
        acc += std::uint64_t{data[i]} << 8 | data[i + 1];
        i += 2;
    }
    if (i < n) acc += std::uint64_t{data[i]} << 8;
    while (acc >> 32) acc = (acc & 0xffffffffULL) + (acc >> 32);
    return static_cast<std::uint32_t>(acc);
}

std::uint16_t checksum_fold(std::uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(sum);
}

bool transport_checksum_ok(const IpAddress& src, const IpAddress& dst, std::uint8_t proto,
                           ByteSpan segment) {
    std::uint32_t sum = checksum_add(ByteSpan(src.bytes.data(), src.width()));
    sum = checksum_add(ByteSpan(dst.bytes.data(), dst.width()), sum);
    const std::uint64_t len = segment.size();
    sum += proto;
    sum += static_cast<std::uint32_t>(len >> 16) + static_cast<std::uint32_t>(len & 0xffff);
    sum = checksum_add(segment, sum);
    return checksum_fold(sum) == 0xffff;
}

}  // namespace tocsin::decode
