// Malformed input must never crash the decoder or make it read outside the frame: every prefix
// of valid frames of each encapsulation, and deterministic random corruption. Each frame is
// copied into a buffer of exactly its size so AddressSanitizer builds catch any over-read.
#include <random>

#include <gtest/gtest.h>

#include "decode_test_util.h"

namespace tocsin::decode::testing {
namespace {

struct Sample {
    std::string name;
    std::uint32_t linktype;
    Bytes frame;
};

const std::string kA4 = "10.1.0.1";
const std::string kB4 = "10.1.0.2";
const std::string kA6 = "2001:db8:1::1";
const std::string kB6 = "2001:db8:1::2";

Bytes tcp4_opts() {
    tb::Ipv4Spec ip;
    ip.src = kA4;
    ip.dst = kB4;
    ip.options = {1, 7, 7, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    tb::TcpSpec t;
    t.sport = 1111;
    t.dport = 80;
    t.flags = tb::kSyn;
    t.options = {2, 4, 5, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0};
    return tb::ipv4(ip, tb::tcp(t, bytes_of("GET / HTTP/1.1\r\n\r\n"), kA4, kB4));
}

Bytes udp6() {
    return udp_packet(kA6, kB6, 5353, 53, bytes_of("dns?"));
}
Bytes tcp4() {
    return tcp_packet(kA4, kB4, 1111, 80, bytes_of("data"));
}

Bytes ipv6_chain() {
    const Bytes hbh = ext_header(60, {5, 2, 0, 0, 0, 0});
    Bytes dst_body{1, 2, 0, 0, 0xc9, 16};  // PadN, then a Home Address option
    dst_body.resize(22, 0x20);
    const Bytes dst = ext_header(43, dst_body);
    Bytes rt_body{2, 0, 0, 0, 0, 0};  // type 2, no segments left
    rt_body.resize(22, 0x20);
    const Bytes rt = ext_header(51, rt_body);
    Bytes ah{6, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1};
    ah.resize(24, 0xcc);
    tb::TcpSpec t;
    t.sport = 2222;
    t.dport = 443;
    return ipv6_raw(kA6, kB6, 0, concat({hbh, dst, rt, ah, tb::tcp(t, bytes_of("x"), kA6, kB6)}));
}

Bytes gre_ipv4(const Bytes& gre_payload) {
    return ipv4_raw("192.0.2.1", "192.0.2.2", tb::kProtoGre, gre_payload);
}

Bytes null_be(std::uint32_t family, const Bytes& payload) {
    const Bytes header{static_cast<std::uint8_t>(family >> 24),
                       static_cast<std::uint8_t>(family >> 16),
                       static_cast<std::uint8_t>(family >> 8), static_cast<std::uint8_t>(family)};
    return concat({header, payload});
}

std::vector<Sample> corpus() {
    std::vector<Sample> s;
    auto add = [&s](std::string name, std::uint32_t linktype, Bytes frame) {
        s.push_back({std::move(name), linktype, std::move(frame)});
    };
    add("eth/ipv4/tcp+options", kLinkEthernet, eth4(tcp4_opts()));
    add("eth/ipv6/udp", kLinkEthernet, eth6(udp6()));
    add("eth/ipv6/ext-chain/tcp", kLinkEthernet, eth6(ipv6_chain()));
    add("sll/ipv4", kLinkSll, tb::linux_sll(tb::kEthertypeIpv4, tcp4()));
    add("sll2/ipv6", kLinkSll2, tb::linux_sll2(tb::kEthertypeIpv6, udp6()));
    add("raw/ipv4", kLinkRaw, tcp4());
    add("raw/ipv6", kLinkRaw, udp6());
    add("ipv4", kLinkIpv4, tcp4());
    add("ipv6", kLinkIpv6, udp6());
    add("null-le/ipv4", kLinkNull, tb::bsd_null(2, tcp4()));
    add("null-be/ipv6", kLinkNull, null_be(30, udp6()));
    add("loop/ipv6", kLinkLoop, null_be(24, udp6()));
    add("vlan", kLinkEthernet, eth4(tcp4(), {10}));
    add("qinq", kLinkEthernet, eth6(udp6(), {10, 20}));
    add("mpls/ipv4", kLinkEthernet, tb::ethernet(tb::kEthertypeMpls, tb::mpls(16, tcp4())));
    add("mpls-stack/ipv6", kLinkEthernet,
        tb::ethernet(tb::kEthertypeMpls, tb::mpls(16, tb::mpls(17, udp6()), false)));
    add("mpls/pseudowire", kLinkEthernet,
        tb::ethernet(tb::kEthertypeMpls, tb::mpls(16, concat({Bytes(4, 0), eth4(tcp4())}))));
    add("pppoe/ipv4", kLinkEthernet,
        tb::ethernet(tb::kEthertypePppoeSession, tb::pppoe_session(0x0021, tcp4())));
    add("pppoe/ipv6", kLinkEthernet,
        tb::ethernet(tb::kEthertypePppoeSession, tb::pppoe_session(0x0057, udp6())));
    add("gre/ipv4", kLinkEthernet, eth4(gre_ipv4(tb::gre(tb::kEthertypeIpv4, tcp4()))));
    add("gre-cks/ipv4", kLinkEthernet,
        eth4(gre_ipv4(concat({Bytes{0xb0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2}, tcp4()}))));
    add("gre-route/ipv4", kLinkEthernet,
        eth4(gre_ipv4(concat({Bytes{0x40, 0, 8, 0, 0, 0, 0, 0},     // routing present
                              Bytes{0x08, 0x00, 0, 4, 1, 2, 3, 4},  // one source route entry
                              Bytes{0, 0, 0, 0},                    // terminating entry
                              tcp4()}))));
    add("gre/teb", kLinkEthernet, eth4(gre_ipv4(tb::gre(0x6558, eth6(udp6())))));
    add("gre/erspan2", kLinkEthernet,
        eth4(gre_ipv4(concat(
            {Bytes{0x10, 0, 0x88, 0xbe, 0, 0, 0, 1, 0x10, 0, 0, 1, 0, 0, 0, 0}, eth4(tcp4())}))));
    add("gre/erspan3", kLinkEthernet,
        eth4(gre_ipv4(
            concat({Bytes{0x10, 0, 0x22, 0xeb, 0, 0, 0, 1},
                    Bytes{0x20, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}, Bytes(8, 0), eth4(tcp4())}))));
    add("gre-v1/ppp", kLinkEthernet,
        eth4(gre_ipv4(
            concat({Bytes{0x30, 1, 0x88, 0x0b, 0, 0, 0, 1, 0, 0, 0, 1, 0x00, 0x21}, tcp4()}))));
    add("vxlan", kLinkEthernet,
        eth4(udp_packet("192.0.2.1", "192.0.2.2", 40000, 4789, tb::vxlan(9, eth4(tcp4())))));
    add("geneve", kLinkEthernet,
        eth4(udp_packet("192.0.2.1", "192.0.2.2", 40000, 6081,
                        concat({Bytes{0x02, 0, 0x65, 0x58, 0, 0, 9, 0, 0x01, 0x02, 0x03, 0x01, 0xaa,
                                      0xbb, 0xcc, 0xdd},
                                eth4(tcp4())}))));
    add("6in4", kLinkEthernet, eth4(ipv4_raw("192.0.2.1", "192.0.2.2", 41, udp6())));
    add("4in6", kLinkEthernet, eth6(ipv6_raw(kA6, kB6, 4, tcp4())));
    add("icmpv4/unreachable", kLinkEthernet,
        eth4(ipv4_raw(kA4, kB4, tb::kProtoIcmp, tb::icmpv4(3, 1, 0, tcp4()))));
    add("icmpv6/too-big", kLinkEthernet,
        eth6(ipv6_raw(kA6, kB6, tb::kProtoIcmpv6, tb::icmpv6(2, 0, 1280, udp6(), kA6, kB6))));
    add("icmpv6/mld", kLinkEthernet,
        eth6(ipv6_raw(kA6, kB6, tb::kProtoIcmpv6, tb::icmpv6(130, 0, 0, Bytes(16, 0), kA6, kB6),
                      1)));
    // Fragments: the decoder under test sees them in this order, so the last one completes.
    tb::Ipv4Spec ip;
    ip.src = kA4;
    ip.dst = kB4;
    ip.proto = tb::kProtoUdp;
    ip.id = 321;
    const auto f4 = tb::fragment_ipv4(tb::ipv4(ip, tb::udp(1, 2, Bytes(40, 'f'), kA4, kB4)), 24);
    for (std::size_t i = 0; i < f4.size(); ++i)
        add("ipv4-fragment-" + std::to_string(i), kLinkEthernet, eth4(f4[i]));
    const auto f6 = tb::fragment_ipv6(udp_packet(kA6, kB6, 1, 2, Bytes(40, 'f')), 24, 654);
    for (std::size_t i = 0; i < f6.size(); ++i)
        add("ipv6-fragment-" + std::to_string(i), kLinkEthernet, eth6(f6[i]));
    return s;
}

bool within(ByteSpan inner, ByteSpan outer) {
    if (inner.empty()) return true;
    return inner.data() >= outer.data() &&
           inner.data() + inner.size() <= outer.data() + outer.size();
}

// Properties every decoded packet has, however broken its frame.
void check_invariants(const Packet& p, const Bytes& frame, const Bytes& reassembled) {
    const ByteSpan f(frame);
    const ByteSpan r(reassembled);
    EXPECT_TRUE(within(p.ip_header, f) || within(p.ip_header, r));
    EXPECT_TRUE(within(p.ip_payload, f) || within(p.ip_payload, r));
    EXPECT_TRUE(within(p.payload, f) || within(p.payload, r));
    EXPECT_TRUE(!p.has_l4 || p.ip_version != 0);
    EXPECT_TRUE(!p.has_flow_key || !p.is_fragment);
    EXPECT_LE(p.vlan_count, 2);
}

TEST(Robustness, EveryPrefixOfValidFramesDecodes) {
    for (const Sample& sample : corpus()) {
        SCOPED_TRACE(sample.name);
        // The complete frame itself is clean.
        {
            Decoder d{DecodeOptions{}};
            Packet pkt;
            pkt.data = ByteSpan(sample.frame);
            Bytes reassembled;
            d.decode(sample.linktype, pkt, reassembled);
            EXPECT_TRUE(pkt.anomalies.empty()) << anomaly_name(pkt.anomalies.items()[0]);
            EXPECT_NE(pkt.ip_version, 0);
        }
        Decoder d{DecodeOptions{}};
        for (std::size_t len = 0; len < sample.frame.size(); ++len) {
            const Bytes prefix(sample.frame.begin(), sample.frame.begin() + len);
            Packet pkt;
            pkt.data = ByteSpan(prefix);
            Bytes reassembled;
            Packet outer;
            d.decode(sample.linktype, pkt, reassembled, &outer);
            check_invariants(pkt, prefix, reassembled);
            // Nothing was padded, so any cut loses bytes some header accounts for.
            EXPECT_FALSE(pkt.anomalies.empty()) << "prefix of " << len << " bytes";
            EXPECT_FALSE(pkt.is_reassembled);
        }
    }
}

// Draws straight from mt19937, whose output the standard fixes (its distributions it does not),
// so every platform runs the same cases.
class Rng {
  public:
    explicit Rng(std::uint32_t seed) : engine_(seed) {}
    std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(engine_() % n); }
    std::uint8_t byte() { return static_cast<std::uint8_t>(engine_()); }

  private:
    std::mt19937 engine_;
};

DefragStats fuzz_corpus(const DecodeOptions& options, std::uint32_t seed, int iterations) {
    const std::vector<Sample> samples = corpus();
    Decoder d(options);
    Rng rng(seed);
    for (int i = 0; i < iterations; ++i) {
        const Sample& sample = samples[rng.below(static_cast<std::uint32_t>(samples.size()))];
        Bytes frame = sample.frame;
        const std::uint32_t flips = 1 + rng.below(4);
        for (std::uint32_t k = 0; k < flips; ++k) {
            const std::uint32_t at = rng.below(static_cast<std::uint32_t>(frame.size()));
            // Mostly single-bit flips (plausible corruption), sometimes arbitrary bytes.
            if (rng.below(3) == 0) {
                frame[at] = rng.byte();
            } else {
                frame[at] ^= static_cast<std::uint8_t>(1u << rng.below(8));
            }
        }
        if (rng.below(5) == 0) frame.resize(rng.below(static_cast<std::uint32_t>(frame.size())));
        frame.shrink_to_fit();

        Packet pkt;
        pkt.ts = Timestamp{1700000000 + i / 50, 0};
        pkt.data = ByteSpan(frame);
        Bytes reassembled;
        Packet outer;
        const bool has_outer = d.decode(sample.linktype, pkt, reassembled, &outer);
        check_invariants(pkt, frame, reassembled);
        if (has_outer) check_invariants(outer, frame, reassembled);
        if (::testing::Test::HasFailure()) {
            ADD_FAILURE() << "iteration " << i << " sample " << sample.name;
            break;
        }
        if (i % 200 == 0) d.expire(pkt.ts);
    }
    EXPECT_EQ(d.stats().packets, static_cast<std::uint64_t>(iterations));
    return d.defrag_stats();
}

TEST(Robustness, RandomCorruptionWithChecksums) {
    fuzz_corpus(DecodeOptions{}, 1, 5000);
}

TEST(Robustness, RandomCorruptionWithoutChecksums) {
    // Without checksum validation corrupted fragments reach the defragmenter too.
    const DefragStats s = fuzz_corpus(options_without_checksums(), 2, 5000);
    EXPECT_GT(s.ipv4_reassembled + s.ipv6_reassembled, 0u);  // rebuilding was exercised
    EXPECT_GT(s.overlaps, 0u);
}

TEST(Robustness, RandomCorruptionWithTightLimits) {
    DecodeOptions o = options_without_checksums();
    o.max_layers = 3;
    o.defrag.memcap = 2048;
    o.defrag.max_trackers = 4;
    o.defrag.policy = OverlapPolicy::last;
    const DefragStats s = fuzz_corpus(o, 3, 3000);
    EXPECT_GT(s.memcap_drops, 0u);
}

TEST(Robustness, RandomBytesForEveryLinktype) {
    Rng rng(4);
    Decoder d(options_without_checksums());
    for (std::uint32_t lt : {kLinkNull, kLinkEthernet, kLinkRaw, kLinkRawAlt, kLinkLoop, kLinkSll,
                             kLinkIpv4, kLinkIpv6, kLinkSll2}) {
        for (int i = 0; i < 300; ++i) {
            Bytes frame(rng.below(128));
            for (auto& b : frame) b = rng.byte();
            // Make the IP version plausible half of the time so IP parsing gets exercised.
            if (!frame.empty() && rng.below(2) == 0) frame[0] = rng.below(2) ? 0x45 : 0x60;
            Packet pkt;
            pkt.data = ByteSpan(frame);
            Bytes reassembled;
            d.decode(lt, pkt, reassembled);
            check_invariants(pkt, frame, reassembled);
        }
    }
}

}  // namespace
}  // namespace tocsin::decode::testing
