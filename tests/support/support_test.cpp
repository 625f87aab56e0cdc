// Self-checks of the packet builders and capture writers the other tests rely on.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "support/packet_builder.h"
#include "support/pcap_writer.h"

namespace tocsin::testsupport {
namespace {

std::uint16_t be16(std::span<const std::uint8_t> data, std::size_t at) {
    return static_cast<std::uint16_t>((data[at] << 8) | data[at + 1]);
}

std::uint32_t le32(std::span<const std::uint8_t> data, std::size_t at) {
    return data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) |
           (static_cast<std::uint32_t>(data[at + 3]) << 24);
}

Bytes sequence(std::size_t size) {
    Bytes data(size);
    for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<std::uint8_t>(i * 7 + 3);
    return data;
}

// A transport segment with a correct checksum sums to zero together with its pseudo-header.
bool transport_checksum_ok(std::span<const std::uint8_t> segment, const std::string& src,
                           const std::string& dst, std::uint8_t proto) {
    const auto pseudo = pseudo_header_sum(IpAddress::parse(src), IpAddress::parse(dst), proto,
                                          static_cast<std::uint32_t>(segment.size()));
    return internet_checksum(segment, pseudo) == 0;
}

TEST(InternetChecksum, MatchesRfc1071Example) {
    const Bytes data{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    EXPECT_EQ(internet_checksum(data), 0x220d);
    EXPECT_EQ(internet_checksum(Bytes{0x01}), 0xfeff);  // odd byte is padded with zero
}

TEST(IpAddress, ParsesBothFamiliesAndRejectsGarbage) {
    EXPECT_FALSE(IpAddress::parse("10.0.0.1").is_v6);
    EXPECT_EQ(IpAddress::parse("10.0.0.1").view().size(), 4u);
    EXPECT_TRUE(IpAddress::parse("2001:db8::1").is_v6);
    EXPECT_THROW(IpAddress::parse("10.0.0.256"), std::invalid_argument);
    EXPECT_THROW(IpAddress::parse("example.com"), std::invalid_argument);
    EXPECT_THROW(ipv4({.src = "2001:db8::1", .dst = "10.0.0.1"}, {}), std::invalid_argument);
}

TEST(Ipv4, FillsLengthsAndChecksum) {
    const Bytes payload = sequence(30);
    Ipv4Spec spec{.src = "192.0.2.1", .dst = "198.51.100.2", .proto = kProtoUdp, .id = 0x1234};
    spec.options = {0x94, 0x04, 0x00, 0x00};  // router alert
    const Bytes packet = ipv4(spec, payload);
    ASSERT_EQ(packet.size(), 24u + 30u);
    EXPECT_EQ(packet[0], 0x46);
    EXPECT_EQ(be16(packet, 2), 54);
    EXPECT_EQ(be16(packet, 4), 0x1234);
    EXPECT_EQ(packet[9], kProtoUdp);
    EXPECT_EQ(internet_checksum(std::span(packet).first(24)), 0);

    spec.bad_checksum = true;
    const Bytes bad = ipv4(spec, payload);
    EXPECT_NE(internet_checksum(std::span(bad).first(24)), 0);
    spec.options = {1, 1, 1};
    EXPECT_THROW(ipv4(spec, payload), std::invalid_argument);
}

TEST(Ipv6, FillsPayloadLength) {
    const Bytes packet =
        ipv6({.src = "2001:db8::1", .dst = "2001:db8::2", .next_header = 17}, sequence(12));
    ASSERT_EQ(packet.size(), 52u);
    EXPECT_EQ(packet[0] >> 4, 6);
    EXPECT_EQ(be16(packet, 4), 12);
    EXPECT_EQ(packet[6], 17);
    EXPECT_EQ(packet[7], 64);
}

TEST(Transport, ChecksumsCoverThePseudoHeader) {
    const Bytes payload = sequence(101);
    for (const auto& [src, dst] : {std::pair<std::string, std::string>{"10.0.0.1", "10.0.0.2"},
                                   {"2001:db8::1", "2001:db8::2"}}) {
        const Bytes segment = tcp({.sport = 1234, .dport = 80, .seq = 7}, payload, src, dst);
        EXPECT_EQ(segment[12] >> 4, 5);
        EXPECT_TRUE(transport_checksum_ok(segment, src, dst, kProtoTcp));
        const Bytes datagram = udp(5353, 53, payload, src, dst);
        EXPECT_EQ(be16(datagram, 4), 109);
        EXPECT_TRUE(transport_checksum_ok(datagram, src, dst, kProtoUdp));
    }
    TcpSpec bad{.sport = 1, .dport = 2};
    bad.bad_checksum = true;
    EXPECT_FALSE(transport_checksum_ok(tcp(bad, payload, "10.0.0.1", "10.0.0.2"), "10.0.0.1",
                                       "10.0.0.2", kProtoTcp));
    TcpSpec with_options{.sport = 1, .dport = 2};
    with_options.options = {2, 4, 5, 0xb4, 1};  // padded to 8 bytes
    EXPECT_EQ(tcp(with_options, {}, "10.0.0.1", "10.0.0.2")[12] >> 4, 7);
    EXPECT_THROW(tcp({}, payload, "10.0.0.1", "2001:db8::2"), std::invalid_argument);
}

TEST(Icmp, Checksums) {
    const Bytes echo = icmpv4(8, 0, 0x00010002, sequence(16));
    EXPECT_EQ(internet_checksum(echo), 0);
    const Bytes echo6 = icmpv6(128, 0, 0x00010002, sequence(16), "fe80::1", "fe80::2");
    EXPECT_TRUE(transport_checksum_ok(echo6, "fe80::1", "fe80::2", kProtoIcmpv6));
}

TEST(FragmentIpv4, PiecesReassembleToTheOriginal) {
    const Bytes payload = sequence(1000);
    Ipv4Spec spec{.src = "10.1.1.1", .dst = "10.2.2.2", .proto = kProtoUdp, .id = 77};
    // Record route (not copied) then a copied option (security, type 130), then padding.
    spec.options = {0x07, 0x03, 0x04, 0x82, 0x03, 0x00, 0x00, 0x00};
    const Bytes packet = ipv4(spec, payload);
    const auto fragments = fragment_ipv4(packet, 400);
    ASSERT_EQ(fragments.size(), 3u);

    Bytes reassembled;
    for (std::size_t i = 0; i < fragments.size(); ++i) {
        const Bytes& fragment = fragments[i];
        const std::size_t header = (fragment[0] & 0x0f) * 4u;
        EXPECT_EQ(header, i == 0 ? 28u : 24u);
        EXPECT_EQ(internet_checksum(std::span(fragment).first(header)), 0);
        EXPECT_EQ(be16(fragment, 2), fragment.size());
        EXPECT_EQ(be16(fragment, 4), 77);
        const std::uint16_t flags = be16(fragment, 6);
        EXPECT_EQ((flags & 0x1fff) * 8u, reassembled.size());
        EXPECT_EQ((flags & 0x2000) != 0, i + 1 < fragments.size());
        reassembled.insert(reassembled.end(), fragment.begin() + header, fragment.end());
    }
    EXPECT_EQ(reassembled, payload);
    EXPECT_THROW(fragment_ipv4(packet, 100), std::invalid_argument);
}

TEST(FragmentIpv6, KeepsUnfragmentablePartAndReassembles) {
    const Bytes upper = sequence(700);
    Bytes payload{17, 0, 1, 4, 0, 0, 0, 0};  // Hop-by-Hop header (PadN), then UDP-ish data
    payload.insert(payload.end(), upper.begin(), upper.end());
    const Bytes packet =
        ipv6({.src = "2001:db8::1", .dst = "2001:db8::2", .next_header = 0}, payload);
    const auto fragments = fragment_ipv6(packet, 256, 0xabcdef01);
    ASSERT_EQ(fragments.size(), 3u);

    Bytes reassembled;
    for (std::size_t i = 0; i < fragments.size(); ++i) {
        const Bytes& fragment = fragments[i];
        EXPECT_EQ(fragment[6], 0);    // Hop-by-Hop still first
        EXPECT_EQ(fragment[40], 44);  // ...and now followed by the Fragment header
        EXPECT_EQ(be16(fragment, 4) + 40u, fragment.size());
        EXPECT_EQ(fragment[48], 17);
        const std::uint16_t offset_flags = be16(fragment, 50);
        EXPECT_EQ(offset_flags & 0xfff8u, reassembled.size());
        EXPECT_EQ((offset_flags & 1) != 0, i + 1 < fragments.size());
        EXPECT_EQ(fragment[52], 0xab);
        reassembled.insert(reassembled.end(), fragment.begin() + 56, fragment.end());
    }
    EXPECT_EQ(reassembled, upper);
}

TEST(Link, EthernetVlanTags) {
    const Bytes payload{1, 2, 3};
    const Bytes plain = ethernet(kEthertypeIpv4, payload);
    EXPECT_EQ(plain.size(), 17u);
    EXPECT_EQ(be16(plain, 12), kEthertypeIpv4);
    const Bytes qinq = ethernet(kEthertypeIpv6, payload, {100, 200});
    EXPECT_EQ(be16(qinq, 12), kEthertypeQinQ);
    EXPECT_EQ(be16(qinq, 14), 100);
    EXPECT_EQ(be16(qinq, 16), kEthertypeVlan);
    EXPECT_EQ(be16(qinq, 18), 200);
    EXPECT_EQ(be16(qinq, 20), kEthertypeIpv6);
    EXPECT_EQ(be16(ethernet(kEthertypeIpv4, payload, {5}), 12), kEthertypeVlan);
}

TEST(Link, Encapsulations) {
    const Bytes payload{0xaa};
    EXPECT_EQ(mpls(16, payload), (Bytes{0x00, 0x01, 0x01, 0x40, 0xaa}));
    EXPECT_EQ(pppoe_session(0x0021, payload), (Bytes{0x11, 0, 0, 1, 0, 3, 0, 0x21, 0xaa}));
    EXPECT_EQ(gre(0x0800, payload), (Bytes{0, 0, 0x08, 0, 0xaa}));
    EXPECT_EQ(vxlan(0x123456, payload), (Bytes{8, 0, 0, 0, 0x12, 0x34, 0x56, 0, 0xaa}));
    EXPECT_EQ(bsd_null(24, payload), (Bytes{24, 0, 0, 0, 0xaa}));
    EXPECT_EQ(linux_sll(0x0800, payload).size(), 17u);
    EXPECT_EQ(be16(linux_sll(0x0800, payload), 14), 0x0800);
    EXPECT_EQ(linux_sll2(0x86dd, payload).size(), 21u);
    EXPECT_EQ(be16(linux_sll2(0x86dd, payload), 0), 0x86dd);
}

// Offsets of the TCP header in an untagged Ethernet frame of the given family.
std::size_t tcp_at(bool v6) {
    return 14 + (v6 ? 40 : 20);
}
std::uint32_t seq_of(const Bytes& frame, bool v6) {
    const std::size_t at = tcp_at(v6) + 4;
    return (static_cast<std::uint32_t>(be16(frame, at)) << 16) | be16(frame, at + 2);
}
std::uint32_t ack_of(const Bytes& frame, bool v6) {
    const std::size_t at = tcp_at(v6) + 8;
    return (static_cast<std::uint32_t>(be16(frame, at)) << 16) | be16(frame, at + 2);
}

TEST(TcpSession, TracksSequenceNumbers) {
    for (const bool v6 : {false, true}) {
        TcpSession session(v6 ? "2001:db8::10" : "10.0.0.10", 40000,
                           v6 ? "2001:db8::20" : "10.0.0.20", 80, 100, 900);
        const auto hello = session.handshake();
        ASSERT_EQ(hello.size(), 3u);
        EXPECT_EQ(hello[0][tcp_at(v6) + 13], kSyn);
        EXPECT_EQ(seq_of(hello[0], v6), 100u);
        EXPECT_EQ(hello[1][tcp_at(v6) + 13], kSyn | kAck);
        EXPECT_EQ(ack_of(hello[1], v6), 101u);
        EXPECT_EQ(ack_of(hello[2], v6), 901u);

        const Bytes request(10, 'a');
        const Bytes request_frame = session.client_data(request);
        EXPECT_EQ(seq_of(request_frame, v6), 101u);
        EXPECT_EQ(session.client_next_seq(), 111u);
        const Bytes response = session.server_data(Bytes(5, 'b'));
        EXPECT_EQ(seq_of(response, v6), 901u);
        EXPECT_EQ(ack_of(response, v6), 111u);
        EXPECT_EQ(seq_of(session.client_data_at(3, request), v6), 104u);
        EXPECT_EQ(session.client_next_seq(), 111u);

        const auto bye = session.close();
        ASSERT_EQ(bye.size(), 4u);
        EXPECT_EQ(bye[0][tcp_at(v6) + 13], kFin | kAck);
        EXPECT_EQ(ack_of(bye[3], v6), 907u);
        EXPECT_EQ(seq_of(session.client_rst(), v6), 112u);
    }
}

TEST(Pcap, InMemoryAndFileWritersAgree) {
    const std::vector<Bytes> frames{sequence(60), sequence(1514)};
    const Bytes memory = pcap_file_bytes(frames, kLinktypeEthernet, 1700000000);
    ASSERT_EQ(memory.size(), 24u + 16 + 60 + 16 + 1514);
    EXPECT_EQ(le32(memory, 0), 0xa1b2c3d4);
    EXPECT_EQ(le32(memory, 20), kLinktypeEthernet);
    EXPECT_EQ(le32(memory, 24), 1700000000u);
    EXPECT_EQ(le32(memory, 24 + 16 + 60 + 4), 1000u);  // second frame one millisecond later

    const auto path = std::filesystem::temp_directory_path() / "tocsin_support_test.pcap";
    {
        PcapWriter writer(path.string());
        writer.write(1700000000, 0, frames[0]);
        writer.write(1700000000, 1000, frames[1]);
        EXPECT_EQ(writer.packets(), 2u);
        EXPECT_EQ(writer.bytes(), 1574u);
    }
    std::ifstream in(path, std::ios::binary);
    const Bytes file{std::istreambuf_iterator<char>(in), {}};
    EXPECT_EQ(file, memory);
    std::filesystem::remove(path);
}

TEST(Pcap, SnaplenTruncatesAndNanosecondMagic) {
    const auto path = std::filesystem::temp_directory_path() / "tocsin_support_test_ns.pcap";
    {
        PcapWriter writer(path.string(), kLinktypeRaw, 64, true);
        writer.write(1, 999999999, sequence(100));
    }
    std::ifstream in(path, std::ios::binary);
    const Bytes file{std::istreambuf_iterator<char>(in), {}};
    ASSERT_EQ(file.size(), 24u + 16 + 64);
    EXPECT_EQ(le32(file, 0), 0xa1b23c4d);
    EXPECT_EQ(le32(file, 16), 64u);
    EXPECT_EQ(le32(file, 24 + 8), 64u);
    EXPECT_EQ(le32(file, 24 + 12), 100u);
    std::filesystem::remove(path);
}

TEST(Pcapng, BlocksAreWellFormed) {
    const Bytes file = pcapng_file_bytes({sequence(61)});
    ASSERT_EQ(file.size(), 28u + 20 + (32 + 64));
    EXPECT_EQ(le32(file, 0), 0x0a0d0d0au);
    EXPECT_EQ(le32(file, 8), 0x1a2b3c4du);
    EXPECT_EQ(le32(file, 28), 1u);
    EXPECT_EQ(le32(file, 48), 6u);
    EXPECT_EQ(le32(file, 52), 96u);
    EXPECT_EQ(le32(file, file.size() - 4), 96u);
}

}  // namespace
}  // namespace tocsin::testsupport
