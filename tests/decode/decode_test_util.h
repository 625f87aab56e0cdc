// Shared helpers for the decode stage tests: a harness that owns the frames it decodes (Packet
// only holds views), short builders for common IP packets, and anomaly inspection.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/anomaly.h"
#include "core/packet.h"
#include "decode/decoder.h"
#include "support/packet_builder.h"

namespace tocsin::decode::testing {

namespace tb = tocsin::testsupport;
using tb::Bytes;

inline Bytes bytes_of(const std::string& text) {
    return Bytes(text.begin(), text.end());
}

inline IpAddress addr(const std::string& text) {
    auto parsed = IpAddress::parse(text);
    EXPECT_TRUE(parsed.has_value()) << text;
    return parsed.value_or(IpAddress{});
}

// Anomaly names ("ipv4.trunc_pkt"), for readable gmock expectations.
inline std::vector<std::string> anomaly_names(const Packet& pkt) {
    std::vector<std::string> names;
    for (Anomaly a : pkt.anomalies.items()) names.emplace_back(anomaly_name(a));
    return names;
}

inline std::string name_of(Anomaly a) {
    return std::string(anomaly_name(a));
}

inline bool has_anomaly(const Packet& pkt, Anomaly a) {
    for (Anomaly seen : pkt.anomalies.items())
        if (seen == a) return true;
    return false;
}

inline Bytes payload_of(const Packet& pkt) {
    return Bytes(pkt.payload.begin(), pkt.payload.end());
}

// Decodes frames with one Decoder and keeps every frame, rebuilt datagram and Packet alive for
// the harness's lifetime, so the views inside returned packets stay valid.
class Harness {
  public:
    explicit Harness(const DecodeOptions& options = DecodeOptions{}) : decoder_(options) {}

    const Packet& decode(Bytes frame, std::uint32_t linktype = kLinkEthernet,
                         Timestamp ts = Timestamp{1700000000, 0}) {
        frames_.push_back(std::move(frame));
        reassembled_.emplace_back();
        Packet& pkt = packets_.emplace_back();
        pkt.ts = ts;
        pkt.data = ByteSpan(frames_.back());
        pkt.wire_len = static_cast<std::uint32_t>(frames_.back().size());
        decoder_.decode(linktype, pkt, reassembled_.back());
        return pkt;
    }

    // As decode(), also asking for the tunnel carrier; `outer` is null when none was filled.
    struct WithOuter {
        const Packet& pkt;
        const Packet* outer;
    };
    WithOuter decode_with_outer(Bytes frame, std::uint32_t linktype = kLinkEthernet) {
        frames_.push_back(std::move(frame));
        reassembled_.emplace_back();
        Packet& pkt = packets_.emplace_back();
        Packet& outer = packets_.emplace_back();
        pkt.data = ByteSpan(frames_.back());
        const bool filled = decoder_.decode(linktype, pkt, reassembled_.back(), &outer);
        return {pkt, filled ? &outer : nullptr};
    }

    Decoder& decoder() { return decoder_; }
    const DecodeStats& stats() const { return decoder_.stats(); }
    const DefragStats& defrag_stats() const { return decoder_.defrag_stats(); }

  private:
    Decoder decoder_;
    std::deque<Bytes> frames_;
    std::deque<Bytes> reassembled_;
    std::deque<Packet> packets_;
};

// The fields of tcp_packet("10.0.0.1", "10.0.0.2", 1234, 80) carrying "hello", wherever it
// was found (plain, tunnelled, behind any link layer).
inline void expect_tcp4_fields(const Packet& p) {
    EXPECT_EQ(p.ip_version, 4);
    EXPECT_EQ(p.src, addr("10.0.0.1"));
    EXPECT_EQ(p.dst, addr("10.0.0.2"));
    EXPECT_EQ(p.ip_proto, kProtoTcp);
    EXPECT_TRUE(p.has_l4);
    EXPECT_EQ(p.sport, 1234);
    EXPECT_EQ(p.dport, 80);
    EXPECT_EQ(payload_of(p), bytes_of("hello"));
    EXPECT_FALSE(p.checksum_bad);
}

// The fields of udp_packet("2001:db8::1", "2001:db8::2", 5353, 53) carrying "query".
inline void expect_udp6_fields(const Packet& p) {
    EXPECT_EQ(p.ip_version, 6);
    EXPECT_EQ(p.src, addr("2001:db8::1"));
    EXPECT_EQ(p.dst, addr("2001:db8::2"));
    EXPECT_EQ(p.ip_proto, kProtoUdp);
    EXPECT_TRUE(p.has_l4);
    EXPECT_EQ(p.sport, 5353);
    EXPECT_EQ(p.dport, 53);
    EXPECT_EQ(payload_of(p), bytes_of("query"));
    EXPECT_FALSE(p.checksum_bad);
}

inline DecodeOptions options_without_checksums() {
    DecodeOptions o;
    o.validate_checksums = false;
    return o;
}

// ---- Packet shorthands (addresses decide the IP version) ------------------------------------

inline Bytes tcp_packet(const std::string& src, const std::string& dst, std::uint16_t sport,
                        std::uint16_t dport, const Bytes& payload = bytes_of("hello"),
                        tb::TcpSpec spec = {}) {
    spec.sport = sport;
    spec.dport = dport;
    return tb::ip_packet(src, dst, tb::kProtoTcp, tb::tcp(spec, payload, src, dst));
}

inline Bytes udp_packet(const std::string& src, const std::string& dst, std::uint16_t sport,
                        std::uint16_t dport, const Bytes& payload = bytes_of("query")) {
    return tb::ip_packet(src, dst, tb::kProtoUdp, tb::udp(sport, dport, payload, src, dst));
}

inline Bytes eth4(const Bytes& ip_packet, const std::vector<std::uint16_t>& vlans = {}) {
    return tb::ethernet(tb::kEthertypeIpv4, ip_packet, vlans);
}

inline Bytes eth6(const Bytes& ip_packet, const std::vector<std::uint16_t>& vlans = {}) {
    return tb::ethernet(tb::kEthertypeIpv6, ip_packet, vlans);
}

// An Ethernet frame with IPv4/TCP 10.0.0.1:1234 -> 10.0.0.2:80.
inline Bytes simple_tcp4_frame(const Bytes& payload = bytes_of("hello")) {
    return eth4(tcp_packet("10.0.0.1", "10.0.0.2", 1234, 80, payload));
}

// An IPv4 packet with a caller-chosen protocol and raw payload (no transport checksum).
inline Bytes ipv4_raw(const std::string& src, const std::string& dst, std::uint8_t proto,
                      const Bytes& payload) {
    tb::Ipv4Spec spec;
    spec.src = src;
    spec.dst = dst;
    spec.proto = proto;
    return tb::ipv4(spec, payload);
}

// An IPv6 packet whose payload is `payload` (extension headers included) with the first
// header named by `next_header`.
inline Bytes ipv6_raw(const std::string& src, const std::string& dst, std::uint8_t next_header,
                      const Bytes& payload, std::uint8_t hop_limit = 64) {
    tb::Ipv6Spec spec;
    spec.src = src;
    spec.dst = dst;
    spec.next_header = next_header;
    spec.hop_limit = hop_limit;
    return tb::ipv6(spec, payload);
}

inline Bytes concat(std::initializer_list<Bytes> parts) {
    std::size_t size = 0;
    for (const Bytes& p : parts) size += p.size();
    Bytes out(size);
    auto at = out.begin();
    for (const Bytes& p : parts) at = std::copy(p.begin(), p.end(), at);
    return out;
}

// An extension header in the common next-header / length-in-8-octet-units-minus-one format.
inline Bytes ext_header(std::uint8_t next, const Bytes& body) {
    EXPECT_EQ((body.size() + 2) % 8, 0u) << "extension headers are multiples of 8 bytes";
    Bytes out{next, static_cast<std::uint8_t>((body.size() + 2) / 8 - 1)};
    out.resize(2 + body.size());
    std::copy(body.begin(), body.end(), out.begin() + 2);
    return out;
}

// An IPv6 Fragment header (RFC 8200 section 4.5); offset in bytes, a multiple of 8.
inline Bytes fragment_header(std::uint8_t next, std::uint16_t offset_bytes, bool more,
                             std::uint32_t id) {
    const auto field = static_cast<std::uint16_t>(offset_bytes | (more ? 1 : 0));
    return {next,
            0,
            static_cast<std::uint8_t>(field >> 8),
            static_cast<std::uint8_t>(field),
            static_cast<std::uint8_t>(id >> 24),
            static_cast<std::uint8_t>(id >> 16),
            static_cast<std::uint8_t>(id >> 8),
            static_cast<std::uint8_t>(id)};
}

// Byte offsets of well-known fields in frames built above (Ethernet without VLAN tags).
inline constexpr std::size_t kEthLen = 14;
inline constexpr std::size_t kIpv4Len = 20;
inline constexpr std::size_t kIpv6Len = 40;

inline void put16(Bytes& b, std::size_t at, std::uint16_t v) {
    b.at(at) = static_cast<std::uint8_t>(v >> 8);
    b.at(at + 1) = static_cast<std::uint8_t>(v);
}

inline std::uint16_t get16(const Bytes& b, std::size_t at) {
    return static_cast<std::uint16_t>(b.at(at) << 8 | b.at(at + 1));
}

}  // namespace tocsin::decode::testing
