// IPv4 and IPv6 fragment reassembly, through the decoder and on the Defragmenter itself.
#include <algorithm>
#include <numeric>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "decode_test_util.h"

namespace tocsin::decode::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;

const std::string kSrc4 = "192.0.2.10";
const std::string kDst4 = "192.0.2.20";
const std::string kSrc6 = "2001:db8::10";
const std::string kDst6 = "2001:db8::20";
constexpr std::uint8_t kProtoExperimental = 253;  // RFC 3692: no transport header to decode
constexpr std::uint8_t kNextFragment = 44;
constexpr std::uint8_t kNextHopByHop = 0;

Bytes pattern(std::size_t n) {
    Bytes out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(i * 7 + 3);
    return out;
}

// A UDP datagram carrying `payload`, without DF, ready to be fragmented.
Bytes udp4_datagram(const Bytes& payload, std::uint16_t id = 0x4242) {
    tb::Ipv4Spec spec;
    spec.src = kSrc4;
    spec.dst = kDst4;
    spec.proto = tb::kProtoUdp;
    spec.id = id;
    return tb::ipv4(spec, tb::udp(5000, 53, payload, kSrc4, kDst4));
}

// An IPv6 UDP datagram with a Hop-by-Hop header (part of the unfragmentable part).
Bytes udp6_datagram(const Bytes& payload) {
    const Bytes hbh = ext_header(tb::kProtoUdp, {5, 2, 0, 0, 0, 0});
    return ipv6_raw(kSrc6, kDst6, kNextHopByHop,
                    concat({hbh, tb::udp(5000, 53, payload, kSrc6, kDst6)}));
}

// One hand-made IPv4 fragment: `data` at byte `offset` of the datagram's payload.
Bytes frag4(std::uint16_t offset, bool more, const Bytes& data, std::uint16_t id = 7,
            std::uint8_t proto = kProtoExperimental, const Bytes& options = {}) {
    tb::Ipv4Spec spec;
    spec.src = kSrc4;
    spec.dst = kDst4;
    spec.proto = proto;
    spec.id = id;
    spec.fragment_offset_bytes = offset;
    spec.more_fragments = more;
    spec.options = options;
    return tb::ipv4(spec, data);
}

// One hand-made IPv6 fragment (no other extension headers).
Bytes frag6(std::uint16_t offset, bool more, const Bytes& data, std::uint32_t id = 7,
            std::uint8_t next = kProtoExperimental) {
    return ipv6_raw(kSrc6, kDst6, kNextFragment,
                    concat({fragment_header(next, offset, more, id), data}));
}

Bytes eth_ip(const Bytes& ip, const std::vector<std::uint16_t>& vlans = {}) {
    return (ip[0] >> 4) == 4 ? eth4(ip, vlans) : eth6(ip, vlans);
}

void expect_pending_fragment(const Packet& p) {
    EXPECT_TRUE(p.is_fragment);
    EXPECT_FALSE(p.is_reassembled);
    EXPECT_FALSE(p.has_l4);
    EXPECT_FALSE(p.has_flow_key);
}

// Checks a packet that completed udp4_datagram(payload) / udp6_datagram(payload).
void expect_reassembled_udp(const Packet& p, const Bytes& payload) {
    EXPECT_THAT(anomaly_names(p), IsEmpty());
    EXPECT_TRUE(p.is_reassembled);
    EXPECT_FALSE(p.is_fragment);
    EXPECT_TRUE(p.has_l4);
    EXPECT_EQ(p.ip_proto, kProtoUdp);
    EXPECT_EQ(p.sport, 5000);
    EXPECT_EQ(p.dport, 53);
    EXPECT_EQ(payload_of(p), payload);
    EXPECT_FALSE(p.checksum_bad);  // rebuilt IPv4 header and the UDP checksum both verify
    EXPECT_TRUE(p.has_flow_key);
}

// Decodes fragments in the given order; returns the last packet.
const Packet& decode_in_order(Harness& h, const std::vector<Bytes>& frags,
                              const std::vector<std::size_t>& order) {
    for (std::size_t i = 0; i + 1 < order.size(); ++i) {
        SCOPED_TRACE(i);
        expect_pending_fragment(h.decode(eth_ip(frags.at(order[i]))));
    }
    return h.decode(eth_ip(frags.at(order.back())));
}

std::vector<std::size_t> identity(std::size_t n) {
    std::vector<std::size_t> v(n);
    std::iota(v.begin(), v.end(), 0);
    return v;
}

// ---- Reassembly ---------------------------------------------------------------------------

TEST(Defrag, Ipv4InOrder) {
    const Bytes payload = pattern(100);
    const auto frags = tb::fragment_ipv4(udp4_datagram(payload), 32);  // 108 bytes: 4 pieces
    ASSERT_EQ(frags.size(), 4u);
    Harness h;
    const Packet& p = decode_in_order(h, frags, identity(frags.size()));
    expect_reassembled_udp(p, payload);
    EXPECT_EQ(p.src, addr(kSrc4));
    EXPECT_EQ(p.dst, addr(kDst4));
    EXPECT_EQ(p.ip_id, 0x4242);
    ASSERT_EQ(p.ip_header.size(), kIpv4Len);
    EXPECT_EQ(p.ip_header[2] << 8 | p.ip_header[3], 128);  // total length of the datagram
    EXPECT_EQ(p.ip_header[6] & 0x3f, 0);                   // no MF, offset 0
    EXPECT_EQ(p.ip_header[7], 0);
    EXPECT_EQ(p.ip_payload.size(), 108u);
    EXPECT_EQ(h.defrag_stats().ipv4_fragments, 4u);
    EXPECT_EQ(h.defrag_stats().ipv4_reassembled, 1u);
    EXPECT_EQ(h.decoder().defragmenter().trackers(), 0u);
    EXPECT_EQ(h.decoder().defragmenter().memory_in_use(), 0u);
}

TEST(Defrag, Ipv4EarlierFragmentsDescribeTheirHeader) {
    const auto frags = tb::fragment_ipv4(udp4_datagram(pattern(100)), 32);
    Harness h;
    const Packet& p = h.decode(eth4(frags[0]));
    expect_pending_fragment(p);
    EXPECT_EQ(p.ip_version, 4);
    EXPECT_EQ(p.src, addr(kSrc4));
    EXPECT_EQ(p.ip_proto, kProtoUdp);
    EXPECT_EQ(p.ip_payload.size(), 32u);
    EXPECT_THAT(anomaly_names(p), IsEmpty());
}

TEST(Defrag, Ipv4ReverseOrder) {
    const Bytes payload = pattern(100);
    const auto frags = tb::fragment_ipv4(udp4_datagram(payload), 32);
    Harness h;
    expect_reassembled_udp(decode_in_order(h, frags, {3, 2, 1, 0}), payload);
}

TEST(Defrag, Ipv4Shuffled) {
    const Bytes payload = pattern(300);
    const auto frags = tb::fragment_ipv4(udp4_datagram(payload), 64);  // 308 bytes: 5 pieces
    ASSERT_EQ(frags.size(), 5u);
    Harness h;
    expect_reassembled_udp(decode_in_order(h, frags, {4, 1, 3, 0, 2}), payload);
}

TEST(Defrag, Ipv4WithOptionsKeepsFirstFragmentHeader) {
    tb::Ipv4Spec spec;
    spec.src = kSrc4;
    spec.dst = kDst4;
    spec.proto = tb::kProtoUdp;
    spec.options = {7, 7, 4, 0, 0, 0, 0, 0};  // record route: not copied into later fragments
    const Bytes payload = pattern(60);
    const auto frags =
        tb::fragment_ipv4(tb::ipv4(spec, tb::udp(5000, 53, payload, kSrc4, kDst4)), 24);
    Harness h;
    const Packet& p = decode_in_order(h, frags, {1, 2, 0});
    expect_reassembled_udp(p, payload);
    EXPECT_EQ(p.ip_header.size(), kIpv4Len + 8);
}

TEST(Defrag, InterleavedDatagramsStaySeparate) {
    const Bytes a = pattern(80);
    const Bytes b(80, 0x5a);
    const auto fa = tb::fragment_ipv4(udp4_datagram(a, 1), 32);
    const auto fb = tb::fragment_ipv4(udp4_datagram(b, 2), 32);
    ASSERT_EQ(fa.size(), 3u);
    Harness h;
    expect_pending_fragment(h.decode(eth4(fa[0])));
    expect_pending_fragment(h.decode(eth4(fb[2])));
    expect_pending_fragment(h.decode(eth4(fb[0])));
    expect_pending_fragment(h.decode(eth4(fa[2])));
    expect_reassembled_udp(h.decode(eth4(fb[1])), b);
    expect_reassembled_udp(h.decode(eth4(fa[1])), a);
    EXPECT_EQ(h.defrag_stats().ipv4_reassembled, 2u);
}

TEST(Defrag, Ipv6InOrderWithUnfragmentableHeader) {
    const Bytes payload = pattern(100);
    const auto frags = tb::fragment_ipv6(udp6_datagram(payload), 32, 0xabcdef);
    ASSERT_EQ(frags.size(), 4u);
    Harness h;
    const Packet& p = decode_in_order(h, frags, identity(frags.size()));
    expect_reassembled_udp(p, payload);
    EXPECT_EQ(p.src, addr(kSrc6));
    EXPECT_EQ(p.dst, addr(kDst6));
    EXPECT_EQ(p.ip_payload.size(), 8u + 108u);  // Hop-by-Hop + UDP; the fragment header is gone
    EXPECT_EQ(h.defrag_stats().ipv6_fragments, 4u);
    EXPECT_EQ(h.defrag_stats().ipv6_reassembled, 1u);
    EXPECT_EQ(h.decoder().defragmenter().trackers(), 0u);
}

TEST(Defrag, Ipv6OutOfOrder) {
    const Bytes payload = pattern(200);
    const auto frags = tb::fragment_ipv6(
        ipv6_raw(kSrc6, kDst6, tb::kProtoUdp, tb::udp(5000, 53, payload, kSrc6, kDst6)), 48, 9);
    ASSERT_EQ(frags.size(), 5u);
    Harness h;
    expect_reassembled_udp(decode_in_order(h, frags, {4, 2, 0, 3, 1}), payload);
}

TEST(Defrag, Ipv6EarlierFragmentsHaveNoFlowKey) {
    const auto frags = tb::fragment_ipv6(udp6_datagram(pattern(100)), 32, 5);
    Harness h;
    const Packet& p = h.decode(eth6(frags[1]));
    expect_pending_fragment(p);
    EXPECT_EQ(p.ip_version, 6);
    EXPECT_EQ(p.ip_proto, kProtoUdp);  // the fragment header's next header
    EXPECT_THAT(anomaly_names(p), IsEmpty());
}

TEST(Defrag, FragmentedInsideTunnel) {
    const Bytes payload = pattern(100);
    const auto frags = tb::fragment_ipv4(udp4_datagram(payload), 56);
    ASSERT_EQ(frags.size(), 2u);
    auto gre_frame = [](const Bytes& inner) {
        return eth4(ipv4_raw("198.51.100.1", "198.51.100.2", tb::kProtoGre,
                             tb::gre(tb::kEthertypeIpv4, inner)));
    };
    Harness h;
    expect_pending_fragment(h.decode(gre_frame(frags[1])));
    const Packet& p = h.decode(gre_frame(frags[0]));
    expect_reassembled_udp(p, payload);
    EXPECT_EQ(p.src, addr(kSrc4));
    EXPECT_EQ(p.tunnel_depth, 1);
}

TEST(Defrag, OneRebuildPerFrame) {
    // The rebuilt datagram tunnels another fragment: that one is not reassembled in turn.
    const Bytes inner = frag4(0, true, Bytes(16, 'i'), 55);
    tb::Ipv4Spec spec;
    spec.src = "198.51.100.1";
    spec.dst = "198.51.100.2";
    spec.proto = 4;
    const auto outer = tb::fragment_ipv4(tb::ipv4(spec, inner), 24);
    ASSERT_EQ(outer.size(), 2u);
    Harness h;
    expect_pending_fragment(h.decode(eth4(outer[0])));
    const Packet& p = h.decode(eth4(outer[1]));
    EXPECT_THAT(anomaly_names(p), ElementsAre(name_of(Anomaly::Ipv4FragIgnored)));
    EXPECT_TRUE(p.is_reassembled);
    EXPECT_TRUE(p.is_fragment);
    EXPECT_FALSE(p.has_flow_key);
    EXPECT_EQ(p.src, addr(kSrc4));
    EXPECT_EQ(h.defrag_stats().ipv4_reassembled, 1u);
    EXPECT_EQ(h.decoder().defragmenter().trackers(), 0u);
}

TEST(Defrag, VlansSeparateTrains) {
    const auto frags = tb::fragment_ipv4(udp4_datagram(pattern(40)), 24);
    ASSERT_EQ(frags.size(), 2u);
    Harness h;
    expect_pending_fragment(h.decode(eth4(frags[0], {10})));
    expect_pending_fragment(h.decode(eth4(frags[1], {20})));
    EXPECT_EQ(h.decoder().defragmenter().trackers(), 2u);
    expect_reassembled_udp(h.decode(eth4(frags[1], {10})), pattern(40));
}

TEST(Defrag, BadHeaderChecksumFragmentIsNotQueued) {
    tb::Ipv4Spec spec;
    spec.src = kSrc4;
    spec.dst = kDst4;
    spec.proto = kProtoExperimental;
    spec.more_fragments = true;
    spec.bad_checksum = true;
    Harness h;
    const Packet& p = h.decode(eth4(tb::ipv4(spec, Bytes(16, 1))));
    EXPECT_TRUE(p.checksum_bad);
    EXPECT_TRUE(p.is_fragment);
    EXPECT_EQ(h.decoder().defragmenter().trackers(), 0u);
    expect_pending_fragment(h.decode(eth4(frag4(16, false, Bytes(8, 2), 1))));
}

// ---- Overlaps -----------------------------------------------------------------------------

Bytes block(char c, std::size_t blocks) {
    return Bytes(blocks * 8, static_cast<std::uint8_t>(c));
}

// Seven fragments, offsets in 8-byte blocks, arriving in this order:
//   1: [2,3) '1'   2: [1,3) '2'   3: [3,4) '3'   4: [3,5) '4'   5: [6,8) '5' last
//   6: [4,7) '6'   7: [0,1) '7' (completes the datagram, overlaps nothing)
// Fragment 2 starts before and covers 1; 4 starts with 3 and ends after it; 6 starts after 4
// and before 5 but ends inside 5. Each policy keeps a different mix.
struct Piece {
    std::uint16_t block;
    char fill;
    std::size_t blocks;
    bool more;
};
const std::vector<Piece> kOverlapTrain = {{2, '1', 1, true}, {1, '2', 2, true},  {3, '3', 1, true},
                                          {3, '4', 2, true}, {6, '5', 2, false}, {4, '6', 3, true},
                                          {0, '7', 1, true}};

struct PolicyCase {
    OverlapPolicy policy;
    const char* blocks;  // the winner of each 8-byte block of the rebuilt payload
};

void PrintTo(const PolicyCase& c, std::ostream* os) {
    *os << overlap_policy_name(c.policy);
}

Bytes expected_from(const char* blocks) {
    Bytes out;
    for (const char* c = blocks; *c; ++c) {
        const Bytes b = block(*c, 1);
        out.insert(out.end(), b.begin(), b.end());
    }
    return out;
}

class DefragPolicy : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(DefragPolicy, Ipv4OverlapFollowsPolicy) {
    DecodeOptions o;
    o.defrag.policy = GetParam().policy;
    Harness h(o);
    for (std::size_t i = 0; i + 1 < kOverlapTrain.size(); ++i) {
        const Piece& pc = kOverlapTrain[i];
        const Packet& p = h.decode(eth4(frag4(pc.block * 8, pc.more, block(pc.fill, pc.blocks))));
        expect_pending_fragment(p);
        // Fragments 2, 4 and 6 claim bytes already held.
        const bool overlapping = pc.fill == '2' || pc.fill == '4' || pc.fill == '6';
        EXPECT_EQ(has_anomaly(p, Anomaly::Ipv4FragOverlap), overlapping) << pc.fill;
    }
    const Piece& last = kOverlapTrain.back();
    const Packet& p =
        h.decode(eth4(frag4(last.block * 8, last.more, block(last.fill, last.blocks))));
    // The rebuilt datagram carries protocol 253, which Suricata reports after IPv4.
    EXPECT_THAT(anomaly_names(p), ElementsAre(name_of(Anomaly::Ipv4UnknownProtocol)));
    ASSERT_TRUE(p.is_reassembled);
    EXPECT_EQ(p.ip_proto, kProtoExperimental);
    EXPECT_EQ(payload_of(p), expected_from(GetParam().blocks));
    EXPECT_EQ(h.defrag_stats().overlaps, 3u);
    EXPECT_EQ(h.stats().anomalies[static_cast<std::size_t>(Anomaly::Ipv4FragOverlap)], 3u);
}

TEST_P(DefragPolicy, Ipv6OverlapFollowsPolicy) {
    DecodeOptions o;
    o.defrag.policy = GetParam().policy;
    Harness h(o);
    const Packet* p = nullptr;
    for (const Piece& pc : kOverlapTrain) {
        p = &h.decode(eth6(frag6(pc.block * 8, pc.more, block(pc.fill, pc.blocks))));
        const bool overlapping = pc.fill == '2' || pc.fill == '4' || pc.fill == '6';
        EXPECT_EQ(has_anomaly(*p, Anomaly::Ipv6FragOverlap), overlapping) << pc.fill;
    }
    ASSERT_TRUE(p->is_reassembled);
    EXPECT_EQ(p->ip_proto, kProtoExperimental);
    EXPECT_EQ(payload_of(*p), expected_from(GetParam().blocks));
    EXPECT_EQ(h.defrag_stats().overlaps, 3u);
}

// Block by block: 0 only '7'; 1 only '2'; 2 '1' vs newer '2'; 3 '3' vs newer '4';
// 4 '4' vs newer '6'; 5 only '6'; 6 '5' vs newer '6'; 7 only '5'.
INSTANTIATE_TEST_SUITE_P(Defrag, DefragPolicy,
                         ::testing::Values(PolicyCase{OverlapPolicy::first, "72134655"},
                                           PolicyCase{OverlapPolicy::last, "72246665"},
                                           PolicyCase{OverlapPolicy::bsd, "72234665"},
                                           PolicyCase{OverlapPolicy::linux, "72244665"},
                                           PolicyCase{OverlapPolicy::solaris, "72234655"}));

// Suricata reports every fragment that claims bytes already held, whatever their content
// (suricata-verify ipv6-malformed-fragments-6 and -29 overlap with identical bytes).
TEST(Defrag, IdenticalOverlapIsStillAnOverlap) {
    const Bytes payload = pattern(100);
    const Bytes datagram = udp4_datagram(payload);
    const auto small = tb::fragment_ipv4(datagram, 16);  // 7 pieces
    const auto large = tb::fragment_ipv4(datagram, 48);  // 3 pieces over the same bytes
    Harness h;
    for (std::size_t i = 0; i + 1 < small.size(); ++i) {
        EXPECT_THAT(anomaly_names(h.decode(eth4(small[i]))), IsEmpty());
    }
    EXPECT_THAT(anomaly_names(h.decode(eth4(large[1]))),  // overlaps, same bytes
                ElementsAre(name_of(Anomaly::Ipv4FragOverlap)));
    expect_reassembled_udp(h.decode(eth4(small.back())), payload);  // the content is intact
    EXPECT_EQ(h.defrag_stats().overlaps, 1u);
}

TEST(Defrag, DuplicateFragmentIsAnOverlap) {
    const Bytes payload = pattern(64);
    const auto frags = tb::fragment_ipv6(
        ipv6_raw(kSrc6, kDst6, tb::kProtoUdp, tb::udp(5000, 53, payload, kSrc6, kDst6)), 40, 3);
    ASSERT_EQ(frags.size(), 2u);
    Harness h;
    const Packet& first = h.decode(eth6(frags[0]));
    expect_pending_fragment(first);
    EXPECT_THAT(anomaly_names(first), IsEmpty());
    const Packet& again = h.decode(eth6(frags[0]));
    expect_pending_fragment(again);
    EXPECT_THAT(anomaly_names(again), ElementsAre(name_of(Anomaly::Ipv6FragOverlap)));
    expect_reassembled_udp(h.decode(eth6(frags[1])), payload);
}

// Adjacent fragments touch without sharing a byte: no overlap.
TEST(Defrag, AdjacentFragmentsDoNotOverlap) {
    Harness h;
    EXPECT_THAT(anomaly_names(h.decode(eth6(frag6(8, true, block('b', 1))))), IsEmpty());
    EXPECT_THAT(anomaly_names(h.decode(eth6(frag6(16, false, block('c', 1))))), IsEmpty());
    const Packet& p = h.decode(eth6(frag6(0, true, block('a', 1))));
    EXPECT_THAT(anomaly_names(p), IsEmpty());
    ASSERT_TRUE(p.is_reassembled);
    EXPECT_EQ(h.defrag_stats().overlaps, 0u);
}

// ---- Resource limits ----------------------------------------------------------------------

TEST(Defrag, TimeoutDropsIncompleteTrain) {
    const auto frags = tb::fragment_ipv4(udp4_datagram(pattern(100)), 32);
    Harness h;  // timeout 60 s
    expect_pending_fragment(h.decode(eth4(frags[0]), kLinkEthernet, {1000, 0}));
    expect_pending_fragment(h.decode(eth4(frags[1]), kLinkEthernet, {1010, 0}));
    h.decoder().expire({1061, 0});
    EXPECT_EQ(h.defrag_stats().timeouts, 1u);
    EXPECT_EQ(h.decoder().defragmenter().trackers(), 0u);
    EXPECT_EQ(h.decoder().defragmenter().memory_in_use(), 0u);
    // The rest of the train cannot complete any more: its first pieces are gone.
    expect_pending_fragment(h.decode(eth4(frags[2]), kLinkEthernet, {1062, 0}));
    expect_pending_fragment(h.decode(eth4(frags[3]), kLinkEthernet, {1062, 0}));
    EXPECT_EQ(h.defrag_stats().ipv4_reassembled, 0u);
}

TEST(Defrag, TrainWithinTimeoutSurvivesExpire) {
    const Bytes payload = pattern(100);
    const auto frags = tb::fragment_ipv4(udp4_datagram(payload), 32);
    Harness h;
    expect_pending_fragment(h.decode(eth4(frags[0]), kLinkEthernet, {1000, 0}));
    h.decoder().expire({1059, 0});
    EXPECT_EQ(h.defrag_stats().timeouts, 0u);
    EXPECT_EQ(h.decoder().defragmenter().trackers(), 1u);
    expect_pending_fragment(h.decode(eth4(frags[1]), kLinkEthernet, {1059, 0}));
    expect_pending_fragment(h.decode(eth4(frags[2]), kLinkEthernet, {1059, 0}));
    expect_reassembled_udp(h.decode(eth4(frags[3]), kLinkEthernet, {1059, 0}), payload);
}

TEST(Defrag, ShortConfiguredTimeout) {
    DecodeOptions o;
    o.defrag.timeout_sec = 2;
    const auto frags = tb::fragment_ipv6(udp6_datagram(pattern(100)), 32, 77);
    Harness h(o);
    h.decode(eth6(frags[0]), kLinkEthernet, {500, 0});
    h.decoder().expire({503, 0});
    EXPECT_EQ(h.defrag_stats().timeouts, 1u);
    EXPECT_EQ(h.decoder().defragmenter().trackers(), 0u);
}

TEST(Defrag, MemcapDropsFragments) {
    DecodeOptions o;
    o.defrag.memcap = 1;
    const auto frags = tb::fragment_ipv4(udp4_datagram(pattern(100)), 32);
    Harness h(o);
    for (const Bytes& f : frags) expect_pending_fragment(h.decode(eth4(f)));
    EXPECT_EQ(h.defrag_stats().memcap_drops, frags.size());
    EXPECT_EQ(h.defrag_stats().ipv4_reassembled, 0u);
    EXPECT_EQ(h.decoder().defragmenter().memory_in_use(), 0u);
}

TEST(Defrag, MemcapDropLeavesNoEmptyTrain) {
    DecodeOptions o;
    o.defrag.memcap = 1;
    Harness h(o);
    for (std::uint16_t id = 0; id < 10; ++id) h.decode(eth4(frag4(0, true, Bytes(8, 1), id)));
    EXPECT_EQ(h.defrag_stats().memcap_drops, 10u);
    EXPECT_EQ(h.decoder().defragmenter().trackers(), 0u);
    h.decoder().expire({1700000000 + 3600, 0});
    EXPECT_EQ(h.defrag_stats().timeouts, 0u);  // nothing was held, so nothing timed out
}

TEST(Defrag, MemcapLeavesRoomAfterReassembly) {
    const auto frags = tb::fragment_ipv4(udp4_datagram(pattern(100)), 32);
    // Room for exactly one train of these fragments at a time.
    std::uint64_t one_train = 0;
    {
        Harness probe;
        for (std::size_t i = 0; i + 1 < frags.size(); ++i) probe.decode(eth4(frags[i]));
        one_train = probe.decoder().defragmenter().memory_in_use();
    }
    DecodeOptions o;
    o.defrag.memcap = one_train + 64;
    Harness h(o);
    for (int round = 0; round < 3; ++round) {
        SCOPED_TRACE(round);
        expect_reassembled_udp(decode_in_order(h, frags, identity(frags.size())), pattern(100));
    }
    EXPECT_EQ(h.defrag_stats().memcap_drops, 0u);
}

TEST(Defrag, TrackerLimit) {
    DecodeOptions o;
    o.defrag.max_trackers = 1;
    Harness h(o);
    h.decode(eth4(frag4(0, true, Bytes(8, 1), 1)));
    h.decode(eth4(frag4(0, true, Bytes(8, 1), 2)));
    EXPECT_EQ(h.decoder().defragmenter().trackers(), 1u);
    EXPECT_EQ(h.defrag_stats().memcap_drops, 1u);
    EXPECT_TRUE(h.decode(eth4(frag4(8, false, Bytes(8, 1), 1))).is_reassembled);
}

TEST(Defrag, FragmentsPerDatagramLimit) {
    DecodeOptions o;
    o.defrag.max_fragments_per_datagram = 2;
    Harness h(o);
    h.decode(eth4(frag4(0, true, Bytes(8, 1))));
    h.decode(eth4(frag4(8, true, Bytes(8, 1))));
    expect_pending_fragment(h.decode(eth4(frag4(16, false, Bytes(8, 1)))));
    EXPECT_EQ(h.defrag_stats().memcap_drops, 1u);
}

TEST(Defrag, Ipv4FragmentEndingBeyond65535) {
    Harness h;
    // Offset 65528 is the largest the 13-bit field can express; 16 more bytes overflow.
    const Packet& p = h.decode(eth4(frag4(65528, false, Bytes(16, 1))));
    EXPECT_THAT(anomaly_names(p), Contains(name_of(Anomaly::Ipv4FragPktTooLarge)));
    EXPECT_EQ(h.defrag_stats().too_large, 1u);
    EXPECT_EQ(h.decoder().defragmenter().trackers(), 0u);
}

TEST(Defrag, Ipv6FragmentEndingBeyond65535) {
    Harness h;
    const Packet& p = h.decode(eth6(frag6(65528, false, Bytes(16, 1))));
    EXPECT_THAT(anomaly_names(p), Contains(name_of(Anomaly::Ipv6FragPktTooLarge)));
    EXPECT_EQ(h.defrag_stats().too_large, 1u);
    EXPECT_EQ(h.decoder().defragmenter().trackers(), 0u);
}

TEST(Defrag, Ipv4DatagramTooLargeWithFirstFragmentOptions) {
    // Each fragment fits, but the first one's 40 bytes of options push the rebuilt datagram to
    // 60 + 65512 bytes, more than the 16-bit total length can describe.
    const Bytes options(40, 1);  // NOPs
    Harness h;
    expect_pending_fragment(
        h.decode(eth4(frag4(0, true, Bytes(8, 0), 9, kProtoExperimental, options))));
    expect_pending_fragment(h.decode(eth4(frag4(8, true, Bytes(65496, 0), 9))));
    const Packet& p = h.decode(eth4(frag4(65504, false, Bytes(8, 0), 9)));
    EXPECT_THAT(anomaly_names(p), ElementsAre(name_of(Anomaly::Ipv4FragPktTooLarge)));
    EXPECT_FALSE(p.is_reassembled);
    EXPECT_EQ(h.decoder().defragmenter().trackers(), 0u);
}

TEST(Defrag, Ipv6DatagramTooLargeWithUnfragmentableHeader) {
    // The Hop-by-Hop header counts towards the rebuilt payload length: 8 + 65528 > 65535.
    const Bytes hbh = ext_header(kNextFragment, {5, 2, 0, 0, 0, 0});
    auto frag = [&](std::uint16_t offset, bool more, std::size_t n) {
        return eth6(ipv6_raw(
            kSrc6, kDst6, kNextHopByHop,
            concat({hbh, fragment_header(kProtoExperimental, offset, more, 4), Bytes(n, 0)})));
    };
    Harness h;
    expect_pending_fragment(h.decode(frag(0, true, 8)));
    expect_pending_fragment(h.decode(frag(8, true, 65496)));
    expect_pending_fragment(h.decode(frag(65504, true, 16)));
    const Packet& p = h.decode(frag(65520, false, 8));
    EXPECT_THAT(anomaly_names(p), Contains(name_of(Anomaly::Ipv6FragPktTooLarge)));
    EXPECT_FALSE(p.is_reassembled);
    EXPECT_EQ(h.decoder().defragmenter().trackers(), 0u);
}

TEST(Defrag, LargestIpv4DatagramReassembles) {
    // 20 + 65515 = 65535 bytes: the largest datagram IPv4 can describe.
    Harness h(options_without_checksums());
    expect_pending_fragment(h.decode(eth4(frag4(0, true, Bytes(65512, 'a')))));
    const Packet& p = h.decode(eth4(frag4(65512, false, Bytes(3, 'b'))));
    EXPECT_THAT(anomaly_names(p), ElementsAre(name_of(Anomaly::Ipv4UnknownProtocol)));  // 253
    ASSERT_TRUE(p.is_reassembled);
    EXPECT_EQ(p.payload.size(), 65515u);
}

TEST(Defrag, Ipv6MoreFragmentsWithUnalignedLength) {
    Harness h;
    const Packet& p = h.decode(eth6(frag6(0, true, Bytes(12, 1))));
    EXPECT_THAT(anomaly_names(p), ElementsAre(name_of(Anomaly::Ipv6FragInvalidLength)));
    EXPECT_EQ(h.defrag_stats().ipv6_fragments, 0u);
}

// ---- The Defragmenter on its own ----------------------------------------------------------

Fragment v4_fragment(const Bytes& header, std::uint32_t offset, bool more, const Bytes& data) {
    Fragment f;
    f.ip_version = 4;
    f.src = addr(kSrc4);
    f.dst = addr(kDst4);
    f.id = 99;
    f.proto = kProtoExperimental;
    f.offset = offset;
    f.more_fragments = more;
    f.data = ByteSpan(data);
    f.unfragmentable = ByteSpan(header);
    return f;
}

TEST(Defragmenter, RebuildsIpv4Header) {
    const Bytes first = frag4(0, true, Bytes(16, 'x'));
    const Bytes header(first.begin(), first.begin() + kIpv4Len);
    const Bytes a(16, 'x');
    const Bytes b(5, 'y');
    Defragmenter d(DefragOptions{});
    AnomalyList anomalies;
    Bytes datagram;
    EXPECT_EQ(d.add({1, 0}, v4_fragment(header, 16, false, b), anomalies, datagram),
              Defragmenter::Result::pending);
    EXPECT_EQ(d.add({1, 0}, v4_fragment(header, 0, true, a), anomalies, datagram),
              Defragmenter::Result::complete);
    EXPECT_TRUE(anomalies.empty());
    ASSERT_EQ(datagram.size(), kIpv4Len + 21);
    EXPECT_EQ(get16(datagram, 2), kIpv4Len + 21);  // total length
    EXPECT_EQ(get16(datagram, 6), 0);              // flags and offset cleared
    EXPECT_EQ(tb::internet_checksum(std::span(datagram).first(kIpv4Len)), 0);
    EXPECT_EQ(Bytes(datagram.begin() + kIpv4Len, datagram.end()), concat({a, b}));
    EXPECT_EQ(d.trackers(), 0u);
    EXPECT_EQ(d.memory_in_use(), 0u);
}

TEST(Defragmenter, RebuildsIpv6NextHeaderAndPayloadLength) {
    // Unfragmentable part: the IPv6 header plus a Hop-by-Hop header whose next header (at
    // offset 40) named the Fragment header.
    const Bytes unfrag = concat(
        {ipv6_raw(kSrc6, kDst6, kNextHopByHop, {}), ext_header(kNextFragment, {5, 2, 0, 0, 0, 0})});
    const Bytes a(8, 'a');
    const Bytes b(3, 'b');
    auto fragment = [&](std::uint32_t offset, bool more, const Bytes& data) {
        Fragment f;
        f.ip_version = 6;
        f.src = addr(kSrc6);
        f.dst = addr(kDst6);
        f.id = 5;
        f.proto = tb::kProtoUdp;
        f.offset = offset;
        f.more_fragments = more;
        f.data = ByteSpan(data);
        f.unfragmentable = ByteSpan(unfrag);
        f.next_header_at = 40;
        return f;
    };
    Defragmenter d(DefragOptions{});
    AnomalyList anomalies;
    Bytes datagram;
    ASSERT_EQ(d.add({1, 0}, fragment(0, true, a), anomalies, datagram),
              Defragmenter::Result::pending);
    ASSERT_EQ(d.add({1, 0}, fragment(8, false, b), anomalies, datagram),
              Defragmenter::Result::complete);
    ASSERT_EQ(datagram.size(), unfrag.size() + 11);
    EXPECT_EQ(get16(datagram, 4), 8 + 11);  // payload length: Hop-by-Hop + data
    EXPECT_EQ(datagram[6], kNextHopByHop);
    EXPECT_EQ(datagram[40], tb::kProtoUdp);
    EXPECT_EQ(Bytes(datagram.begin() + 48, datagram.end()), concat({a, b}));
}

TEST(Defragmenter, DifferentSourcesDoNotMix) {
    const Bytes first = frag4(0, true, Bytes(8, 'x'));
    const Bytes header(first.begin(), first.begin() + kIpv4Len);
    const Bytes data(8, 'x');
    Defragmenter d(DefragOptions{});
    AnomalyList anomalies;
    Bytes datagram;
    Fragment f0 = v4_fragment(header, 0, true, data);
    Fragment f1 = v4_fragment(header, 8, false, data);
    f1.src = addr("192.0.2.99");
    EXPECT_EQ(d.add({1, 0}, f0, anomalies, datagram), Defragmenter::Result::pending);
    EXPECT_EQ(d.add({1, 0}, f1, anomalies, datagram), Defragmenter::Result::pending);
    EXPECT_EQ(d.trackers(), 2u);
    f1.id = 100;
    f1.src = f0.src;
    EXPECT_EQ(d.add({1, 0}, f1, anomalies, datagram), Defragmenter::Result::pending);
    EXPECT_EQ(d.trackers(), 3u);
}

}  // namespace
}  // namespace tocsin::decode::testing
