// Packet-header rule keywords: the IP, TCP and ICMP header tests of Suricata rules (ttl,
// ip_proto, id, tos, ipopts, fragbits, fragoffset, dsize, flags, seq, ack, window, itype,
// icode, icmp_id, icmp_seq, sameip, tcp.mss, tcp.wscale). Each is parsed once, when the rule is
// loaded, into a small PacketCondition; matching reads only fields the decoder already filled.
// A keyword about one protocol never matches a packet of another (flags never matches UDP, not
// even negated), as in Suricata.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/packet.h"

namespace tocsin::detect {

// The comparison of Suricata's integer keywords, reusable by any keyword that tests a number:
//   N  =N            equal            !N  !=N       not equal
//   <N  <=N  >N  >=N                  N-M  N<>M     strictly between (exclusive)
//   !N-M             outside N-M      &M=V  &M!=V   value & M equals (or not) V
// Numbers are decimal or 0x-prefixed hex, optionally with a kb/kib/mb/mib/gb/gib multiplier.
struct NumberTest {
    enum class Op : std::uint8_t { eq, ne, lt, le, gt, ge, range, not_range, mask_eq, mask_ne };

    Op op = Op::eq;
    std::uint64_t a = 0;  // the number; a range's low end; the mask
    std::uint64_t b = 0;  // a range's high end; the masked value

    // Parses `text` for a field that holds at most `max_value`; empty string on success.
    // Tests that never match (<0, >max, an empty range, a value outside its mask) or always do
    // (>=0, <=max) are errors, as Suricata rejects them.
    std::string parse(std::string_view text, std::uint64_t max_value);
    bool matches(std::uint64_t value) const;
};

enum class PacketKeyword : std::uint8_t {
    ttl,
    ip_proto,
    id,
    tos,
    ipopts,
    fragbits,
    fragoffset,
    dsize,
    flags,
    seq,
    ack,
    window,
    itype,
    icode,
    icmp_id,
    icmp_seq,
    sameip,
    tcp_mss,
    tcp_wscale,
};

// How a set of bits (fragbits, flags) is compared with the packet's.
enum class BitsModifier : std::uint8_t {
    exact,    // no modifier: exactly these bits
    plus,     // '+': these bits and possibly others (fragbits: and at least one other)
    any,      // '*': at least one of these bits
    not_all,  // '!': not all of these bits
};

struct PacketCondition {
    PacketKeyword keyword = PacketKeyword::ttl;
    NumberTest number;  // the numeric keywords, ip_proto and tos
    BitsModifier modifier = BitsModifier::exact;
    std::uint16_t bits = 0;          // ipopts: Ipv4OptionBit set; fragbits: IpFragFlag; flags
    std::uint8_t flags_ignored = 0;  // flags: bits masked out before comparing
};

// The keyword names handled here ("flags" and "tcp.flags" are one keyword).
std::span<const std::string_view> packet_condition_keywords();

// Parses one keyword's value (as written after the colon; surrounding quotes allowed).
// Returns an empty string on success, otherwise why the value is not valid.
std::string parse_packet_condition(std::string_view keyword, std::string_view value,
                                   PacketCondition& out);

bool matches(const PacketCondition& c, const Packet& pkt);

}  // namespace tocsin::detect
