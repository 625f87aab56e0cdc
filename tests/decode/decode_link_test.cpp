// Link-layer decoding: every supported linktype delivers the same IP/transport fields.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "decode_test_util.h"

namespace tocsin::decode::testing {
namespace {

using ::testing::IsEmpty;

// A clean decode of tcp_packet("10.0.0.1", "10.0.0.2", 1234, 80, "hello").
void expect_tcp4_tuple(const Packet& p) {
    EXPECT_THAT(anomaly_names(p), IsEmpty());
    expect_tcp4_fields(p);
    EXPECT_TRUE(p.has_flow_key);
}

// A clean decode of udp_packet("2001:db8::1", "2001:db8::2", 5353, 53, "query").
void expect_udp6_tuple(const Packet& p) {
    EXPECT_THAT(anomaly_names(p), IsEmpty());
    expect_udp6_fields(p);
    EXPECT_TRUE(p.has_flow_key);
}

Bytes tcp4() {
    return tcp_packet("10.0.0.1", "10.0.0.2", 1234, 80);
}
Bytes udp6() {
    return udp_packet("2001:db8::1", "2001:db8::2", 5353, 53);
}

// The 4-byte DLT_NULL/DLT_LOOP header in network (big-endian) byte order.
Bytes family_be(std::uint32_t family, const Bytes& payload) {
    Bytes out(4 + payload.size());
    for (std::size_t i = 0; i < 4; ++i) out[i] = static_cast<std::uint8_t>(family >> (24 - 8 * i));
    std::copy(payload.begin(), payload.end(), out.begin() + 4);
    return out;
}

TEST(LinkLayer, SupportedLinktypes) {
    for (std::uint32_t lt : {0u, 1u, 9u, 12u, 50u, 101u, 108u, 113u, 228u, 229u, 276u})
        EXPECT_TRUE(link_type_supported(lt)) << lt;
    for (std::uint32_t lt : {2u, 105u, 127u, 192u}) EXPECT_FALSE(link_type_supported(lt)) << lt;
}

TEST(LinkLayer, PppWithAndWithoutHdlcFraming) {
    for (bool framed : {true, false}) {
        Harness h;
        Bytes frame = framed ? Bytes{0xff, 0x03, 0x00, 0x21} : Bytes{0x00, 0x21};
        const Bytes ip = tcp4();
        frame.insert(frame.end(), ip.begin(), ip.end());
        const Packet& p = h.decode(frame, kLinkPpp);
        expect_tcp4_tuple(p);
        EXPECT_TRUE(p.anomalies.empty());
    }
}

TEST(LinkLayer, EthernetIpv4Tcp) {
    Harness h;
    const Packet& p = h.decode(eth4(tcp4()), kLinkEthernet);
    expect_tcp4_tuple(p);
    EXPECT_EQ(p.ttl, 64);
    EXPECT_EQ(p.ip_id, 1);
    EXPECT_EQ(p.vlan_count, 0);
    EXPECT_EQ(p.tunnel_depth, 0);
    EXPECT_EQ(p.ip_header.size(), kIpv4Len);
    EXPECT_EQ(h.stats().packets, 1u);
    EXPECT_EQ(h.stats().ethernet, 1u);
    EXPECT_EQ(h.stats().ipv4, 1u);
    EXPECT_EQ(h.stats().tcp, 1u);
    EXPECT_EQ(h.stats().invalid, 0u);
    EXPECT_EQ(h.stats().bytes, kEthLen + tcp4().size());
}

TEST(LinkLayer, EthernetIpv6Udp) {
    Harness h;
    const Packet& p = h.decode(eth6(udp6()), kLinkEthernet);
    expect_udp6_tuple(p);
    EXPECT_EQ(p.ttl, 64);  // hop limit
    EXPECT_EQ(h.stats().ipv6, 1u);
    EXPECT_EQ(h.stats().udp, 1u);
}

TEST(LinkLayer, LinuxSllIpv4) {
    Harness h;
    expect_tcp4_tuple(h.decode(tb::linux_sll(tb::kEthertypeIpv4, tcp4()), kLinkSll));
    EXPECT_EQ(h.stats().sll, 1u);
}

TEST(LinkLayer, LinuxSllIpv6) {
    Harness h;
    expect_udp6_tuple(h.decode(tb::linux_sll(tb::kEthertypeIpv6, udp6()), kLinkSll));
}

TEST(LinkLayer, LinuxSll2Ipv4) {
    Harness h;
    expect_tcp4_tuple(h.decode(tb::linux_sll2(tb::kEthertypeIpv4, tcp4()), kLinkSll2));
    EXPECT_EQ(h.stats().sll, 1u);
}

TEST(LinkLayer, LinuxSll2Ipv6) {
    Harness h;
    expect_udp6_tuple(h.decode(tb::linux_sll2(tb::kEthertypeIpv6, udp6()), kLinkSll2));
}

TEST(LinkLayer, RawIpBothVersions) {
    for (std::uint32_t lt : {kLinkRaw, kLinkRawAlt}) {
        SCOPED_TRACE(lt);
        Harness h;
        expect_tcp4_tuple(h.decode(tcp4(), lt));
        expect_udp6_tuple(h.decode(udp6(), lt));
        EXPECT_EQ(h.stats().raw, 2u);
    }
}

TEST(LinkLayer, LinktypeIpv4AndIpv6) {
    Harness h;
    expect_tcp4_tuple(h.decode(tcp4(), kLinkIpv4));
    expect_udp6_tuple(h.decode(udp6(), kLinkIpv6));
}

TEST(LinkLayer, RawWithInvalidVersion) {
    Harness h;
    Bytes pkt = tcp4();
    pkt[0] = 0x55;  // version 5
    const Packet& p = h.decode(pkt, kLinkRaw);
    EXPECT_THAT(anomaly_names(p), ::testing::ElementsAre("ipraw.invalid_ip_version"));
    EXPECT_EQ(p.ip_version, 0);
    EXPECT_EQ(h.decode(Bytes{}, kLinkRaw).ip_version, 0);
}

struct NullCase {
    std::uint32_t linktype;
    std::uint32_t family;
    bool big_endian;  // how the family is stored
    bool ipv6;
};

void PrintTo(const NullCase& c, std::ostream* os) {
    *os << "linktype " << c.linktype << " family " << c.family
        << (c.big_endian ? " big-endian" : " little-endian");
}

class NullLoopback : public ::testing::TestWithParam<NullCase> {};

TEST_P(NullLoopback, DecodesAddressFamily) {
    const NullCase& c = GetParam();
    const Bytes ip = c.ipv6 ? udp6() : tcp4();
    const Bytes frame = c.big_endian ? family_be(c.family, ip) : tb::bsd_null(c.family, ip);
    Harness h;
    const Packet& p = h.decode(frame, c.linktype);
    if (c.ipv6) {
        expect_udp6_tuple(p);
    } else {
        expect_tcp4_tuple(p);
    }
    EXPECT_EQ(h.stats().null, 1u);
}

// DLT_NULL stores AF_* in the capturing host's byte order (so both orders occur), DLT_LOOP
// always in network order. AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD)
// or 30 (macOS).
INSTANTIATE_TEST_SUITE_P(
    LinkLayer, NullLoopback,
    ::testing::Values(NullCase{kLinkNull, 2, false, false}, NullCase{kLinkNull, 2, true, false},
                      NullCase{kLinkNull, 24, false, true}, NullCase{kLinkNull, 24, true, true},
                      NullCase{kLinkNull, 28, false, true}, NullCase{kLinkNull, 28, true, true},
                      NullCase{kLinkNull, 30, false, true}, NullCase{kLinkNull, 30, true, true},
                      NullCase{kLinkLoop, 2, true, false}, NullCase{kLinkLoop, 24, true, true},
                      NullCase{kLinkLoop, 28, true, true}, NullCase{kLinkLoop, 30, true, true}));

TEST(LinkLayer, NullUnsupportedFamily) {
    Harness h;
    const Packet& p = h.decode(tb::bsd_null(7, tcp4()), kLinkNull);  // AF_7: not IP
    EXPECT_THAT(anomaly_names(p), ::testing::ElementsAre("null.unsupported_type"));
    EXPECT_EQ(p.ip_version, 0);
}

TEST(LinkLayer, NullTooShort) {
    Harness h;
    const Packet& p = h.decode(Bytes{2, 0, 0}, kLinkNull);
    EXPECT_THAT(anomaly_names(p), ::testing::ElementsAre("null.pkt_too_small"));
}

TEST(LinkLayer, EthernetTooShort) {
    Harness h;
    Bytes frame = eth4(tcp4());
    frame.resize(13);
    const Packet& p = h.decode(frame);
    EXPECT_THAT(anomaly_names(p), ::testing::ElementsAre("ethernet.pkt_too_small"));
    EXPECT_EQ(h.stats().invalid, 1u);
    EXPECT_EQ(h.stats().anomalies[static_cast<std::size_t>(Anomaly::EthernetPktTooSmall)], 1u);
}

TEST(LinkLayer, SllTooShort) {
    Harness h;
    EXPECT_TRUE(has_anomaly(h.decode(Bytes(15, 0), kLinkSll), Anomaly::SllPktTooSmall));
    EXPECT_TRUE(has_anomaly(h.decode(Bytes(19, 0), kLinkSll2), Anomaly::SllPktTooSmall));
}

TEST(LinkLayer, ArpIsNotIp) {
    Harness h;
    const Packet& p = h.decode(tb::ethernet(0x0806, Bytes(28, 0)));
    EXPECT_THAT(anomaly_names(p), IsEmpty());
    EXPECT_EQ(p.ip_version, 0);
    EXPECT_FALSE(p.has_flow_key);
    EXPECT_EQ(h.stats().not_ip, 1u);
}

TEST(LinkLayer, UnsupportedLinktypeDecodesNothing) {
    Harness h;
    const Packet& p = h.decode(eth4(tcp4()), 105);  // 802.11
    EXPECT_EQ(p.ip_version, 0);
    EXPECT_FALSE(p.has_flow_key);
    EXPECT_EQ(h.stats().packets, 1u);
    EXPECT_EQ(h.stats().not_ip, 1u);
}

TEST(Stats, MergeAddsCountersAndKeepsLargestPacket) {
    Harness a;
    Harness b;
    a.decode(eth4(tcp4()));
    b.decode(eth6(udp6()));
    b.decode(Bytes(3, 0));
    DecodeStats total = a.stats();
    total.merge(b.stats());
    EXPECT_EQ(total.packets, 3u);
    EXPECT_EQ(total.ethernet, 2u);
    EXPECT_EQ(total.ipv4, 1u);
    EXPECT_EQ(total.ipv6, 1u);
    EXPECT_EQ(total.tcp, 1u);
    EXPECT_EQ(total.udp, 1u);
    EXPECT_EQ(total.invalid, 1u);
    EXPECT_EQ(total.anomalies[static_cast<std::size_t>(Anomaly::EthernetPktTooSmall)], 1u);
    EXPECT_EQ(total.max_packet_size, std::max(kEthLen + tcp4().size(), kEthLen + udp6().size()));
}

}  // namespace
}  // namespace tocsin::decode::testing
