// DNP3 data link layer (IEEE 1815-2012 clause 9) and transport function (clause 8): frame
// header, CRC-16/DNP, user data blocks with their CRCs removed, transport header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/cursor.h"

namespace tocsin::proto::dnp3 {

// Start octets of every frame (9.2.4.1.1).
constexpr std::uint8_t kStart0 = 0x05;
constexpr std::uint8_t kStart1 = 0x64;
// Header: start (2), length, control, destination (2), source (2), CRC (2).
constexpr std::size_t kHeaderSize = 10;
// The LENGTH octet counts control, destination and source (5 octets) plus user data.
constexpr std::size_t kLengthOverhead = 5;
// User data travels in blocks of 16 octets, each followed by its CRC (9.2.4.2).
constexpr std::size_t kBlockSize = 16;
constexpr std::size_t kCrcSize = 2;
// The largest frame: LENGTH 255 gives 250 user data octets in 16 blocks.
constexpr std::size_t kMaxFrameSize = 292;

// Link function codes carrying user data (9.2.4.1.3, PRM=1): CONFIRMED/UNCONFIRMED_USER_DATA.
constexpr std::uint8_t kLinkConfirmedUserData = 3;
constexpr std::uint8_t kLinkUnconfirmedUserData = 4;

// CRC-16/DNP (polynomial 0x3D65, reflected, final complement) of `data`.
std::uint16_t crc16(ByteSpan data);

struct LinkHeader {
    std::uint8_t length = 0;
    std::uint8_t control = 0;
    std::uint16_t destination = 0;
    std::uint16_t source = 0;

    // Control octet (9.2.4.1.3): DIR, PRM, FCB, FCV (or DFC), function code.
    bool dir() const { return (control & 0x80) != 0; }
    bool pri() const { return (control & 0x40) != 0; }
    bool fcb() const { return (control & 0x20) != 0; }
    bool fcv() const { return (control & 0x10) != 0; }
    std::uint8_t function() const { return control & 0x0f; }
    // Frames of a primary station with user data; secondary frames and link services have none.
    bool user_data() const {
        return pri() &&
               (function() == kLinkConfirmedUserData || function() == kLinkUnconfirmedUserData);
    }
};

enum class HeaderCheck : std::uint8_t { ok, need_more, not_dnp3, bad_crc, too_short };

// Reads the 10-octet header at the start of `data`, checking start octets, CRC and that
// LENGTH is at least 5.
HeaderCheck read_header(ByteSpan data, LinkHeader& out);

// Octets on the wire of a frame whose header says `length` (header, blocks and their CRCs).
std::size_t frame_size(std::uint8_t length);

// The user data of a whole frame (header included in `frame`), CRCs checked and removed;
// nullopt when a block CRC is wrong.
std::optional<std::vector<std::uint8_t>> user_data(ByteSpan frame, const LinkHeader& header);

// Transport header (8.2.1): FIN, FIR, 6-bit sequence.
struct TransportHeader {
    std::uint8_t octet = 0;
    bool fin() const { return (octet & 0x80) != 0; }
    bool fir() const { return (octet & 0x40) != 0; }
    std::uint8_t sequence() const { return octet & 0x3f; }
};

}  // namespace tocsin::proto::dnp3
