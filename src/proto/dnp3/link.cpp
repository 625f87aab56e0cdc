#include "proto/dnp3/link.h"

#include <array>

namespace tocsin::proto::dnp3 {

namespace {

// Table for the reflected polynomial 0xA6BC (0x3D65 bit-reversed), built at compile time.
constexpr std::array<std::uint16_t, 256> make_crc_table() {
    std::array<std::uint16_t, 256> table{};
    for (unsigned i = 0; i < 256; ++i) {
        unsigned crc = i;
        for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xA6BC : crc >> 1;
        table[i] = static_cast<std::uint16_t>(crc);
    }
    return table;
}

constexpr std::array<std::uint16_t, 256> kCrcTable = make_crc_table();

// The CRC is sent low octet first (9.2.4.2).
bool crc_matches(ByteSpan block, std::uint8_t low, std::uint8_t high) {
    const std::uint16_t crc = crc16(block);
    return (crc & 0xff) == low && (crc >> 8) == high;
}

}  // namespace

std::uint16_t crc16(ByteSpan data) {
    std::uint16_t crc = 0;
    for (const std::uint8_t b : data)
        crc = static_cast<std::uint16_t>(kCrcTable[(crc ^ b) & 0xff] ^ (crc >> 8));
    return static_cast<std::uint16_t>(~crc);
}

HeaderCheck read_header(ByteSpan data, LinkHeader& out) {
    ByteCursor in(data);
    if (in.remaining() >= 1 && in.peek_u8(0) != kStart0) return HeaderCheck::not_dnp3;
    if (in.remaining() >= 2 && in.peek_u8(1) != kStart1) return HeaderCheck::not_dnp3;
    if (!in.has(kHeaderSize)) return HeaderCheck::need_more;
    const ByteSpan covered = in.bytes(kHeaderSize - kCrcSize);
    const std::uint8_t low = in.u8();
    const std::uint8_t high = in.u8();
    if (!crc_matches(covered, low, high)) return HeaderCheck::bad_crc;
    ByteCursor fields(covered);
    fields.skip(2);
    out.length = fields.u8();
    out.control = fields.u8();
    out.destination = fields.u16le();
    out.source = fields.u16le();
    if (out.length < kLengthOverhead) return HeaderCheck::too_short;
    return HeaderCheck::ok;
}

std::size_t frame_size(std::uint8_t length) {
    const std::size_t data = length < kLengthOverhead ? 0 : length - kLengthOverhead;
    const std::size_t blocks = (data + kBlockSize - 1) / kBlockSize;
    return kHeaderSize + data + blocks * kCrcSize;
}

std::optional<std::vector<std::uint8_t>> user_data(ByteSpan frame, const LinkHeader& header) {
    ByteCursor in(frame);
    in.skip(kHeaderSize);
    std::size_t left = header.length - kLengthOverhead;
    std::vector<std::uint8_t> out;
    out.reserve(left);
    while (left > 0) {
        const std::size_t n = std::min(left, kBlockSize);
        const ByteSpan block = in.bytes(n);
        const std::uint8_t low = in.u8();
        const std::uint8_t high = in.u8();
        if (!in.ok() || !crc_matches(block, low, high)) return std::nullopt;
        out.insert(out.end(), block.begin(), block.end());
        left -= n;
    }
    return out;
}

}  // namespace tocsin::proto::dnp3
