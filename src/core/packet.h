// A decoded packet: views into the captured bytes plus the fields later stages need.
// Decoders fill it; nothing after decode re-parses headers.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "core/address.h"
#include "core/anomaly.h"
#include "core/cursor.h"
#include "core/flow_key.h"
#include "core/timestamp.h"

namespace tocsin {

enum IpProto : std::uint8_t {
    kProtoIcmp = 1,
    kProtoTcp = 6,
    kProtoUdp = 17,
    kProtoGre = 47,
    kProtoIcmpv6 = 58,
};

enum TcpFlags : std::uint8_t {
    kTcpFin = 0x01,
    kTcpSyn = 0x02,
    kTcpRst = 0x04,
    kTcpPsh = 0x08,
    kTcpAck = 0x10,
    kTcpUrg = 0x20,
    kTcpEce = 0x40,
    kTcpCwr = 0x80,
};

// The IPv4 flag bits in their wire order below the fragment offset; IPv6 sets only MF, from its
// Fragment header.
enum IpFragFlag : std::uint8_t {
    kIpFragMf = 0x01,  // more fragments
    kIpFragDf = 0x02,  // don't fragment
    kIpFragRb = 0x04,  // reserved bit
};

// IPv4 options present in a header, one bit per option type (what the ipopts keyword tests).
enum Ipv4OptionBit : std::uint16_t {
    kIpOptEol = 1u << 0,
    kIpOptNop = 1u << 1,
    kIpOptRr = 1u << 2,       // record route
    kIpOptTs = 1u << 3,       // timestamp
    kIpOptSec = 1u << 4,      // security
    kIpOptEsec = 1u << 5,     // extended security
    kIpOptLsrr = 1u << 6,     // loose source route
    kIpOptSsrr = 1u << 7,     // strict source route
    kIpOptSatid = 1u << 8,    // stream identifier
    kIpOptQs = 1u << 9,       // quick-start
    kIpOptRtrAlt = 1u << 10,  // router alert
    kIpOptCipso = 1u << 11,   // commercial security
    kIpOptOther = 1u << 12,   // any type not listed above
};

struct TcpInfo {
    std::uint32_t seq = 0;
    std::uint32_t ack = 0;
    std::uint16_t window = 0;
    std::uint8_t flags = 0;
    std::uint8_t header_len = 0;
    std::uint16_t urgent_pointer = 0;
    // Options the stream tracker uses.
    bool has_mss = false;
    bool has_wscale = false;
    bool sack_permitted = false;
    bool has_timestamp = false;
    std::uint8_t wscale = 0;      // capped at 14, as RFC 7323 has receivers do
    std::uint8_t wscale_raw = 0;  // as sent
    std::uint16_t mss = 0;
    std::uint32_t ts_value = 0;
    std::uint32_t ts_echo = 0;
};

// Fixed-size list: a packet carries a few anomalies without allocating.
// Like Suricata, the same anomaly may be listed twice when it occurs twice in one packet
// (two malformed options); the list is capped, so a packet cannot flood the output.
class AnomalyList {
  public:
    void add(Anomaly a) {
        if (count_ < items_.size()) items_[count_++] = a;
    }
    std::span<const Anomaly> items() const { return {items_.data(), count_}; }
    bool empty() const { return count_ == 0; }
    void clear() { count_ = 0; }

  private:
    std::array<Anomaly, 8> items_{};
    std::uint8_t count_ = 0;
};

struct Packet {
    // Capture facts.
    Timestamp ts;
    std::uint64_t pcap_cnt = 0;    // 1-based position across all inputs
    std::uint32_t wire_len = 0;    // original length on the wire
    std::uint32_t file_index = 0;  // which input file
    ByteSpan data;                 // captured bytes (or reassembled datagram)
    std::uint32_t linktype = 0;    // the capture's link type (libpcap DLT value)
    // Bytes of `data` before the outermost IP header (link layer, VLAN tags...), and for a
    // datagram rebuilt from fragments the datagram itself: an alert's `packet` is then the
    // last fragment's link header followed by the whole datagram, as Suricata logs it.
    std::uint32_t link_header_len = 0;
    ByteSpan datagram;

    // Layer 2.
    ByteSpan ether_header;  // the outermost Ethernet header, when the link is Ethernet
    VlanIds vlan{};
    std::uint8_t vlan_count = 0;
    // A frame that carries no IP: the innermost Ethertype (after VLAN tags) and what follows
    // it, for protocols carried directly in Ethernet (IEC 61850 GOOSE). 0: IP or none.
    std::uint16_t ether_type = 0;
    ByteSpan l2_payload;

    // Layer 3 (innermost IP header when tunnelled).
    std::uint8_t ip_version = 0;  // 0: no IP layer
    IpAddress src;
    IpAddress dst;
    std::uint8_t ip_proto = 0;  // transport protocol after extension headers
    std::uint8_t ttl = 0;
    std::uint16_t ip_id = 0;
    std::uint8_t ip_tos = 0;         // IPv4 type of service, IPv6 traffic class
    std::uint8_t frag_flags = 0;     // IpFragFlag bits
    std::uint16_t frag_offset = 0;   // in 8-byte units (IPv4 header or IPv6 Fragment header)
    bool ipv6_frag_header = false;   // an IPv6 Fragment header was present (atomic ones too)
    std::uint16_t ipv4_options = 0;  // Ipv4OptionBit set
    ByteSpan ip_header;
    ByteSpan ip_payload;
    bool is_fragment = false;     // an IP fragment (not yet reassembled)
    bool is_reassembled = false;  // a datagram rebuilt from fragments
    std::uint32_t reassembled_len = 0;
    std::uint8_t tunnel_depth = 0;
    std::uint32_t inner_len = 0;  // tunnelled: length of the innermost carried frame

    // Layer 4.
    bool has_l4 = false;  // transport header decoded
    std::uint16_t sport = 0;
    std::uint16_t dport = 0;
    TcpInfo tcp;
    std::uint8_t icmp_type = 0;
    std::uint8_t icmp_code = 0;
    std::uint16_t icmp_id = 0;  // echo/timestamp/info identifier
    std::uint16_t icmp_seq = 0;
    ByteSpan l4_header;  // TCP header with options, UDP header, ICMP's first 8 bytes
    ByteSpan payload;

    bool checksum_bad = false;  // IP or transport checksum failed validation
    // Not captured: made when a flow ends so detection sees what that flow's end completed
    // (Suricata's "stream (flow timeout)" pseudo packets). No bytes, no pcap_cnt.
    bool flow_end_pseudo = false;
    AnomalyList anomalies;

    // Set when the packet belongs to a flow (has_l4, or ICMP/other IP protocols).
    FlowKey flow_key;
    std::uint64_t flow_hash = 0;
    bool key_swapped = false;  // src is the key's hi endpoint
    bool has_flow_key = false;

    // Bytes this packet adds to its flow: a tunnelled packet's flow sees only what the
    // tunnel carried, the carrier's flow the whole frame.
    // A rebuilt datagram counts its own length, as Suricata counts its reassembled packet.
    std::uint32_t flow_bytes() const {
        if (tunnel_depth > 0) return inner_len;
        if (is_reassembled) return reassembled_len;
        return static_cast<std::uint32_t>(data.size());
    }
};

}  // namespace tocsin
