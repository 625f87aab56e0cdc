// Packet-header keywords: parsing (with the errors) and matching against decoded, hand-built
// frames. Expected results follow Suricata's rule documentation.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <string_view>

#include "decode/decode_test_util.h"
#include "detect/packet_keywords.h"

namespace tocsin::detect {
namespace {

namespace tb = tocsin::testsupport;
using decode::testing::Bytes;
using decode::testing::bytes_of;
using decode::testing::eth4;
using decode::testing::eth6;
using decode::testing::Harness;
using decode::testing::kEthLen;

const std::string kSrc4 = "10.0.0.1";
const std::string kDst4 = "10.0.0.2";
const std::string kSrc6 = "2001:db8::1";
const std::string kDst6 = "2001:db8::2";

// ---- Helpers ---------------------------------------------------------------------------------

PacketCondition parse_ok(std::string_view keyword, std::string_view value) {
    PacketCondition c;
    EXPECT_EQ(parse_packet_condition(keyword, value, c), "") << keyword << ":" << value;
    return c;
}

std::string parse_error(std::string_view keyword, std::string_view value) {
    PacketCondition c;
    return parse_packet_condition(keyword, value, c);
}

bool match(std::string_view keyword, std::string_view value, const Packet& pkt) {
    return matches(parse_ok(keyword, value), pkt);
}

NumberTest number(std::string_view text, std::uint64_t max = 255) {
    NumberTest t;
    EXPECT_EQ(t.parse(text, max), "") << text;
    return t;
}

std::string number_error(std::string_view text, std::uint64_t max = 255) {
    NumberTest t;
    return t.parse(text, max);
}

// IPv4/TCP with caller-chosen IP and TCP header fields.
Bytes tcp4(tb::Ipv4Spec ip, tb::TcpSpec tcp = {}, const Bytes& payload = bytes_of("hello")) {
    ip.src = ip.src.empty() ? kSrc4 : ip.src;
    ip.dst = ip.dst.empty() ? kDst4 : ip.dst;
    ip.proto = tb::kProtoTcp;
    if (tcp.sport == 0) tcp.sport = 1234;
    if (tcp.dport == 0) tcp.dport = 80;
    return eth4(tb::ipv4(ip, tb::tcp(tcp, payload, ip.src, ip.dst)));
}

Bytes tcp4_flags(std::uint8_t flags, const Bytes& payload = {}) {
    tb::TcpSpec tcp;
    tcp.flags = flags;
    return tcp4({}, tcp, payload);
}

Bytes tcp6(tb::TcpSpec tcp = {}, std::uint8_t hop_limit = 64) {
    tcp.sport = 1234;
    tcp.dport = 80;
    tb::Ipv6Spec ip{kSrc6, kDst6, tb::kProtoTcp, hop_limit};
    return eth6(tb::ipv6(ip, tb::tcp(tcp, bytes_of("hello"), kSrc6, kDst6)));
}

Bytes udp4() {
    return eth4(tb::ip_packet(kSrc4, kDst4, tb::kProtoUdp,
                              tb::udp(5353, 53, bytes_of("query"), kSrc4, kDst4)));
}

Bytes icmp4(std::uint8_t type, std::uint8_t code, std::uint32_t rest = 0x00010002) {
    tb::Ipv4Spec ip{kSrc4, kDst4, tb::kProtoIcmp};
    return eth4(tb::ipv4(ip, tb::icmpv4(type, code, rest, bytes_of("ping"))));
}

Bytes icmp6(std::uint8_t type, std::uint8_t code, std::uint32_t rest = 0x00070009) {
    tb::Ipv6Spec ip{kSrc6, kDst6, tb::kProtoIcmpv6, 64};
    return eth6(tb::ipv6(ip, tb::icmpv6(type, code, rest, bytes_of("ping"), kSrc6, kDst6)));
}

Bytes ipv4_with_options(const Bytes& options) {
    tb::Ipv4Spec ip;
    ip.options = options;
    return tcp4(ip);
}

// An IPv6/UDP packet behind a Fragment header at `offset_bytes`.
Bytes ipv6_fragment(std::uint16_t offset_bytes, bool more) {
    const Bytes udp = tb::udp(5353, 53, Bytes(16, 'x'), kSrc6, kDst6);
    const Bytes payload = decode::testing::concat(
        {decode::testing::fragment_header(tb::kProtoUdp, offset_bytes, more, 77), udp});
    return eth6(decode::testing::ipv6_raw(kSrc6, kDst6, 44, payload));
}

// ---- NumberTest ------------------------------------------------------------------------------

TEST(NumberTest, EqualityAndInequality) {
    EXPECT_TRUE(number("19").matches(19));
    EXPECT_FALSE(number("19").matches(20));
    EXPECT_TRUE(number("=19").matches(19));
    EXPECT_TRUE(number("0x13").matches(19));
    EXPECT_TRUE(number("!20").matches(19));
    EXPECT_FALSE(number("!20").matches(20));
    EXPECT_TRUE(number("!=20").matches(21));
    EXPECT_FALSE(number("!=20").matches(20));
}

TEST(NumberTest, Comparisons) {
    EXPECT_TRUE(number(">21").matches(22));
    EXPECT_FALSE(number(">21").matches(21));
    EXPECT_TRUE(number(">=21").matches(21));
    EXPECT_FALSE(number(">=21").matches(20));
    EXPECT_TRUE(number("<22").matches(21));
    EXPECT_FALSE(number("<22").matches(22));
    EXPECT_TRUE(number("<=22").matches(22));
    EXPECT_FALSE(number("<=22").matches(23));
}

TEST(NumberTest, RangesExcludeTheirEnds) {
    for (std::string_view text : {"1-4", "1<>4", " 1 - 4 ", "1 <> 4"}) {
        const NumberTest t = number(text);
        EXPECT_FALSE(t.matches(1)) << text;
        EXPECT_TRUE(t.matches(2)) << text;
        EXPECT_TRUE(t.matches(3)) << text;
        EXPECT_FALSE(t.matches(4)) << text;
    }
    const NumberTest outside = number("!1-4");
    EXPECT_TRUE(outside.matches(0));
    EXPECT_TRUE(outside.matches(1));
    EXPECT_FALSE(outside.matches(2));
    EXPECT_FALSE(outside.matches(3));
    EXPECT_TRUE(outside.matches(4));
    EXPECT_TRUE(outside.matches(200));
}

TEST(NumberTest, Bitmasks) {
    const NumberTest eq = number("&0xc0=0x80");
    EXPECT_TRUE(eq.matches(0x80));
    EXPECT_TRUE(eq.matches(0x8f));
    EXPECT_FALSE(eq.matches(0xc0));
    const NumberTest ne = number("&0xc0!=0");
    EXPECT_TRUE(ne.matches(0x40));
    EXPECT_FALSE(ne.matches(0x3f));
}

TEST(NumberTest, UnitsAndWhitespace) {
    EXPECT_TRUE(number("1kb", 0xffffffff).matches(1024));
    EXPECT_TRUE(number("2MiB", 0xffffffff).matches(2u << 20));
    EXPECT_TRUE(number("  > 5  ").matches(6));
    EXPECT_TRUE(number("4294967295", 0xffffffff).matches(0xffffffff));
}

TEST(NumberTest, Errors) {
    for (std::string_view bad :
         {"",      "   ",    "abc", "5x",         "-5",    "256", "0x100",
          "<0",    ">255",   ">=0", "<=255",      "3-4",   "4-3", "5-5",
          "=5-10", "!=5-10", "1-",  "&0x0f=0x10", "&0x0f", "&=1", "99999999999999999999999",
          "0x",    "1 2",    "<>4", "1kb"}) {
        EXPECT_NE(number_error(bad), "") << "'" << bad << "'";
    }
    NumberTest kept = number("7");
    EXPECT_NE(kept.parse("bogus", 255), "");
    EXPECT_TRUE(kept.matches(7)) << "a failed parse leaves the test unchanged";
}

// ---- Keyword table ---------------------------------------------------------------------------

TEST(PacketKeywords, NamesListed) {
    const auto names = packet_condition_keywords();
    for (std::string_view kw :
         {"ttl",   "ip_proto", "id",        "tos",    "ipopts",  "fragbits",  "fragoffset",
          "dsize", "flags",    "tcp.flags", "seq",    "ack",     "window",    "itype",
          "icode", "icmp_id",  "icmp_seq",  "sameip", "tcp.mss", "tcp.wscale"}) {
        EXPECT_NE(std::find(names.begin(), names.end(), kw), names.end()) << kw;
        if (kw != "sameip") {
            EXPECT_NE(parse_error(kw, ""), "") << kw << " without a value";
        }
    }
    EXPECT_NE(parse_error("content", "abc"), "");
    EXPECT_NE(parse_error("ttl", "\"5"), "") << "unbalanced quote";
}

TEST(PacketKeywords, ErrorsNameTheKeyword) {
    const std::string error = parse_error("ttl", "300");
    EXPECT_TRUE(error.starts_with("ttl: ")) << error;
    EXPECT_NE(error.find("300"), std::string::npos) << error;
}

// ---- IP keywords -----------------------------------------------------------------------------

TEST(Ttl, Ipv4AndIpv6HopLimit) {
    Harness h;
    tb::Ipv4Spec ip;
    ip.ttl = 64;
    const Packet& v4 = h.decode(tcp4(ip));
    EXPECT_TRUE(match("ttl", "64", v4));
    EXPECT_FALSE(match("ttl", "63", v4));
    EXPECT_TRUE(match("ttl", ">10", v4));
    EXPECT_FALSE(match("ttl", "<64", v4));
    EXPECT_TRUE(match("ttl", "60<>70", v4));
    const Packet& v6 = h.decode(tcp6({}, 1));
    EXPECT_TRUE(match("ttl", "1", v6));
    EXPECT_TRUE(match("ttl", "<2", v6));
    EXPECT_NE(parse_error("ttl", "256"), "");
}

TEST(Ttl, NoIpNoMatch) {
    const Packet none;
    EXPECT_FALSE(match("ttl", "0", none));
    EXPECT_FALSE(match("ttl", "<255", none));
}

TEST(IpProto, NumbersNamesAndOperators) {
    Harness h;
    const Packet& tcp = h.decode(tcp4({}));
    EXPECT_TRUE(match("ip_proto", "6", tcp));
    EXPECT_TRUE(match("ip_proto", "tcp", tcp));
    EXPECT_TRUE(match("ip_proto", "TCP", tcp));
    EXPECT_FALSE(match("ip_proto", "udp", tcp));
    EXPECT_FALSE(match("ip_proto", "!tcp", tcp));
    EXPECT_TRUE(match("ip_proto", "!17", tcp));
    EXPECT_TRUE(match("ip_proto", "<17", tcp));
    EXPECT_FALSE(match("ip_proto", ">6", tcp));
    EXPECT_TRUE(match("ip_proto", ">1", tcp));
    const Packet& icmpv6 = h.decode(icmp6(128, 0));
    EXPECT_TRUE(match("ip_proto", "ipv6-icmp", icmpv6));
    EXPECT_TRUE(match("ip_proto", "IPv6-ICMP", icmpv6));
    EXPECT_TRUE(match("ip_proto", "58", icmpv6));
    EXPECT_EQ(parse_ok("ip_proto", "PIM").number.a, 103u);
    EXPECT_EQ(parse_ok("ip_proto", "gre").number.a, 47u);
}

TEST(IpProto, Errors) {
    EXPECT_NE(parse_error("ip_proto", "nosuchproto"), "");
    EXPECT_NE(parse_error("ip_proto", "256"), "");
    EXPECT_NE(parse_error("ip_proto", "!"), "");
    EXPECT_NE(parse_error("ip_proto", "<0"), "");
    EXPECT_NE(parse_error("ip_proto", "6 17"), "");
}

TEST(Id, Ipv4IdentificationOnly) {
    Harness h;
    tb::Ipv4Spec ip;
    ip.id = 1234;
    const Packet& v4 = h.decode(tcp4(ip));
    EXPECT_TRUE(match("id", "1234", v4));
    EXPECT_TRUE(match("id", " 1234 ", v4));
    EXPECT_TRUE(match("id", "\"1234\"", v4));
    EXPECT_FALSE(match("id", "1235", v4));
    const Packet& v6 = h.decode(tcp6());
    EXPECT_FALSE(match("id", "0", v6));
    EXPECT_NE(parse_error("id", "65536"), "");
    EXPECT_NE(parse_error("id", "one"), "");
}

TEST(Tos, DecimalHexAndNegation) {
    Harness h;
    tb::Ipv4Spec ip;
    ip.tos = 0x88;  // DSCP AF41
    const Packet& p = h.decode(tcp4(ip));
    EXPECT_EQ(p.ip_tos, 0x88);
    EXPECT_TRUE(match("tos", "136", p));
    EXPECT_TRUE(match("tos", "x88", p));
    EXPECT_TRUE(match("tos", "X88", p));
    EXPECT_TRUE(match("tos", "0x88", p));
    EXPECT_FALSE(match("tos", "8", p));
    EXPECT_FALSE(match("tos", "!136", p));
    EXPECT_TRUE(match("tos", "!8", p));
    EXPECT_TRUE(match("tos", "! 8", p));
    const Packet& v6 = h.decode(tcp6());
    EXPECT_FALSE(match("tos", "0", v6)) << "tos is an IPv4 keyword";
}

TEST(Tos, Errors) {
    for (std::string_view bad : {"256", "x123", "boom", "1000", "!", "8 9", "-1"})
        EXPECT_NE(parse_error("tos", bad), "") << bad;
}

TEST(Ipopts, OptionsPresent) {
    Harness h;
    // Record route (type 7, length 7, pointer 4, one empty slot), then end of list.
    const Packet& rr = h.decode(ipv4_with_options({7, 7, 4, 0, 0, 0, 0, 0}));
    EXPECT_TRUE(match("ipopts", "rr", rr));
    EXPECT_TRUE(match("ipopts", "eol", rr));
    EXPECT_TRUE(match("ipopts", "any", rr));
    EXPECT_FALSE(match("ipopts", "lsrr", rr));
    EXPECT_FALSE(match("ipopts", "ts", rr));
    // Loose source route, type 131; Snort's "lsrre" names it too.
    const Packet& lsrr = h.decode(ipv4_with_options({131, 7, 4, 0, 0, 0, 0, 0}));
    EXPECT_TRUE(match("ipopts", "lsrr", lsrr));
    EXPECT_TRUE(match("ipopts", "LSRR", lsrr));
    EXPECT_TRUE(match("ipopts", "lsrre", lsrr));
    EXPECT_FALSE(match("ipopts", "ssrr", lsrr));
    const Packet& nops = h.decode(ipv4_with_options({1, 1, 1, 0}));
    EXPECT_TRUE(match("ipopts", "nop", nops));
    EXPECT_FALSE(match("ipopts", "rr", nops));
    const Packet& alert = h.decode(ipv4_with_options({148, 4, 0, 0}));
    EXPECT_TRUE(match("ipopts", "rtralt", alert));
    const Packet& ts = h.decode(ipv4_with_options({68, 8, 5, 0, 0, 0, 0, 0}));
    EXPECT_TRUE(match("ipopts", "ts", ts));
    const Packet& satid = h.decode(ipv4_with_options({136, 4, 0, 1}));
    EXPECT_TRUE(match("ipopts", "satid", satid));
}

TEST(Ipopts, NoOptionsNoMatch) {
    Harness h;
    const Packet& plain = h.decode(tcp4({}));
    EXPECT_FALSE(match("ipopts", "any", plain));
    const Packet& v6 = h.decode(tcp6());
    EXPECT_FALSE(match("ipopts", "any", v6));
}

TEST(Ipopts, Errors) {
    EXPECT_NE(parse_error("ipopts", "bogus"), "");
    EXPECT_NE(parse_error("ipopts", "rr,ts"), "") << "one option per keyword";
}

TEST(Fragbits, ExactPlusAnyNot) {
    Harness h;
    tb::Ipv4Spec df;
    df.dont_fragment = true;
    const Packet& p = h.decode(tcp4(df));
    EXPECT_EQ(p.frag_flags, kIpFragDf);
    EXPECT_TRUE(match("fragbits", "D", p));
    EXPECT_FALSE(match("fragbits", "M", p));
    EXPECT_FALSE(match("fragbits", "DM", p));
    EXPECT_TRUE(match("fragbits", "*MD", p));
    EXPECT_FALSE(match("fragbits", "*MR", p));
    EXPECT_TRUE(match("fragbits", "!M", p));
    EXPECT_FALSE(match("fragbits", "!D", p));
    // '+' wants the named bits and at least one more.
    EXPECT_FALSE(match("fragbits", "+D", p));

    tb::Ipv4Spec df_mf;
    df_mf.dont_fragment = true;
    df_mf.more_fragments = true;
    const Packet& both = h.decode(tcp4(df_mf));
    EXPECT_TRUE(match("fragbits", "MD", both));
    EXPECT_TRUE(match("fragbits", "+D", both));
    EXPECT_TRUE(match("fragbits", "+M", both));
    EXPECT_TRUE(match("fragbits", "!MR", both));
}

TEST(Fragbits, ReservedBit) {
    Harness h(decode::testing::options_without_checksums());
    tb::Ipv4Spec df;
    df.dont_fragment = true;
    Bytes frame = tcp4(df);
    frame[kEthLen + 6] |= 0x80;  // the reserved flag
    const Packet& p = h.decode(frame);
    EXPECT_EQ(p.frag_flags, kIpFragRb | kIpFragDf);
    EXPECT_FALSE(match("fragbits", "R", p));
    EXPECT_TRUE(match("fragbits", "DR", p));
    EXPECT_TRUE(match("fragbits", "+R", p)) << "DF is set too";
    EXPECT_TRUE(match("fragbits", "*R", p));
    EXPECT_FALSE(match("fragbits", "!R", p));
}

TEST(Fragbits, TrailingTextIgnoredAsInSuricata) {
    Harness h;
    tb::Ipv4Spec mf;
    mf.more_fragments = true;
    const Packet& first_fragment = h.decode(tcp4(mf));
    EXPECT_TRUE(match("fragbits", "M+D", first_fragment));
    tb::Ipv4Spec df_mf;
    df_mf.dont_fragment = true;
    df_mf.more_fragments = true;
    EXPECT_FALSE(match("fragbits", "M+D", h.decode(tcp4(df_mf))));
}

TEST(Fragbits, Ipv4Only) {
    Harness h;
    EXPECT_FALSE(match("fragbits", "!M", h.decode(tcp6())));
}

TEST(Fragbits, Errors) {
    for (std::string_view bad : {"X", "+", "m", "*", "+ "})
        EXPECT_NE(parse_error("fragbits", bad), "") << bad;
}

TEST(Fragoffset, Ipv4FieldValue) {
    Harness h;
    tb::Ipv4Spec frag;
    frag.more_fragments = true;
    frag.fragment_offset_bytes = 16;  // field value 2
    tb::TcpSpec tcp;
    const Packet& p = h.decode(tcp4(frag, tcp, Bytes(16, 'x')));
    EXPECT_EQ(p.frag_offset, 2);
    EXPECT_TRUE(match("fragoffset", "2", p));
    EXPECT_TRUE(match("fragoffset", ">0", p));
    EXPECT_TRUE(match("fragoffset", "!0", p));
    EXPECT_FALSE(match("fragoffset", "<2", p));
    EXPECT_FALSE(match("fragoffset", "16", p));
    const Packet& whole = h.decode(tcp4({}));
    EXPECT_TRUE(match("fragoffset", "0", whole));
    EXPECT_FALSE(match("fragoffset", ">0", whole));
}

TEST(Fragoffset, Ipv6FragmentHeaderInBytes) {
    Harness h;
    const Packet& p = h.decode(ipv6_fragment(16, true));
    EXPECT_TRUE(p.ipv6_frag_header);
    EXPECT_EQ(p.frag_offset, 2);
    EXPECT_EQ(p.frag_flags, kIpFragMf);
    EXPECT_TRUE(match("fragoffset", "16", p));
    EXPECT_FALSE(match("fragoffset", "2", p));
    EXPECT_TRUE(match("fragoffset", ">0", p));
    const Packet& no_header = h.decode(tcp6());
    EXPECT_FALSE(match("fragoffset", "0", no_header)) << "no Fragment header, nothing to test";
}

TEST(Fragoffset, Errors) {
    EXPECT_NE(parse_error("fragoffset", "abc"), "");
    EXPECT_NE(parse_error("fragoffset", "65536"), "");
}

TEST(Sameip, SourceEqualsDestination) {
    Harness h;
    tb::Ipv4Spec same;
    same.src = kSrc4;
    same.dst = kSrc4;
    EXPECT_TRUE(match("sameip", "", h.decode(tcp4(same))));
    EXPECT_FALSE(match("sameip", "", h.decode(tcp4({}))));
    EXPECT_FALSE(match("sameip", "", Packet{}));
    EXPECT_NE(parse_error("sameip", "yes"), "");
}

// ---- dsize -----------------------------------------------------------------------------------

TEST(Dsize, PayloadLength) {
    Harness h;
    const Packet& p = h.decode(tcp4({}));  // "hello"
    EXPECT_TRUE(match("dsize", "5", p));
    EXPECT_FALSE(match("dsize", "!5", p));
    EXPECT_TRUE(match("dsize", ">4", p));
    EXPECT_FALSE(match("dsize", "<5", p));
    EXPECT_TRUE(match("dsize", "4<>6", p));
    EXPECT_FALSE(match("dsize", "5<>7", p));
    EXPECT_TRUE(match("dsize", "0", h.decode(tcp4_flags(tb::kSyn))));
    EXPECT_TRUE(match("dsize", "4", h.decode(icmp4(8, 0)))) << "ICMP data after its header";
    EXPECT_NE(parse_error("dsize", "70000"), "");
    EXPECT_NE(parse_error("dsize", "300<>"), "");
}

// ---- TCP keywords ----------------------------------------------------------------------------

TEST(Flags, Modifiers) {
    Harness h;
    const Packet& syn = h.decode(tcp4_flags(tb::kSyn));
    EXPECT_TRUE(match("flags", "S", syn));
    EXPECT_FALSE(match("flags", "SA", syn));
    EXPECT_FALSE(match("flags", "A", syn));
    EXPECT_TRUE(match("flags", "+S", syn));
    EXPECT_FALSE(match("flags", "+SA", syn));
    EXPECT_TRUE(match("flags", "*SA", syn));
    EXPECT_FALSE(match("flags", "*AF", syn));
    EXPECT_TRUE(match("flags", "!A", syn));
    EXPECT_FALSE(match("flags", "!S", syn));
    const Packet& syn_ack = h.decode(tcp4_flags(tb::kSyn | tb::kAck));
    EXPECT_TRUE(match("tcp.flags", "SA", syn_ack));
    EXPECT_TRUE(match("tcp.flags", "AS", syn_ack));
    EXPECT_TRUE(match("flags", "+S", syn_ack));
    EXPECT_FALSE(match("flags", "S", syn_ack));
}

TEST(Flags, ModifierAfterFlags) {
    Harness h;
    const Packet& psh_ack = h.decode(tcp4_flags(tb::kPsh | tb::kAck, bytes_of("x")));
    EXPECT_TRUE(match("flags", "A+", psh_ack));
    EXPECT_FALSE(match("flags", "A", psh_ack));
    EXPECT_TRUE(match("flags", "PA", psh_ack));
}

TEST(Flags, IgnoreMaskAndLegacyReservedBits) {
    Harness h;
    const Packet& ecn_syn = h.decode(tcp4_flags(tb::kSyn | tb::kEce | tb::kCwr));
    EXPECT_FALSE(match("flags", "S", ecn_syn));
    EXPECT_TRUE(match("flags", "S,CE", ecn_syn));
    EXPECT_TRUE(match("flags", "S,12", ecn_syn));
    EXPECT_FALSE(match("flags", "S,C", ecn_syn)) << "ECE still counts";
    EXPECT_TRUE(match("flags", "SEC", ecn_syn));
    EXPECT_TRUE(match("flags", "S12", ecn_syn));
    EXPECT_TRUE(match("flags", "S, CE", ecn_syn));
}

TEST(Flags, ChristmasTree) {
    Harness h;
    const Packet& xmas = h.decode(tcp4_flags(tb::kFin | tb::kPsh | tb::kUrg));
    EXPECT_TRUE(match("flags", "FPU", xmas));
    EXPECT_TRUE(match("flags", "FPU,CE", xmas));
    EXPECT_FALSE(match("flags", "FP", xmas));
}

TEST(Flags, NoFlags) {
    Harness h;
    const Packet& null_scan = h.decode(tcp4_flags(0));
    EXPECT_TRUE(match("flags", "0", null_scan));
    EXPECT_FALSE(match("flags", "S", null_scan));
    EXPECT_TRUE(match("flags", "!S", null_scan));
    const Packet& syn = h.decode(tcp4_flags(tb::kSyn));
    EXPECT_FALSE(match("flags", "0", syn));
}

TEST(Flags, OnlyTcp) {
    Harness h;
    EXPECT_FALSE(match("flags", "!S", h.decode(udp4())));
    EXPECT_FALSE(match("flags", "0", h.decode(icmp4(8, 0))));
    EXPECT_TRUE(match("flags", "A", h.decode(tcp6())));
}

TEST(Flags, Errors) {
    for (std::string_view bad : {"X", "S,", "+*S", "+S!", "0S", "s", "S,0", "S,X", "+", ","})
        EXPECT_NE(parse_error("flags", bad), "") << bad;
}

TEST(SeqAck, Numbers) {
    Harness h;
    tb::TcpSpec tcp;
    tcp.seq = 0xdeadbeef;
    tcp.ack = 0;
    tcp.flags = tb::kPsh;
    const Packet& p = h.decode(tcp4({}, tcp));
    EXPECT_TRUE(match("seq", "3735928559", p));
    EXPECT_FALSE(match("seq", "0", p));
    EXPECT_TRUE(match("ack", "0", p));
    EXPECT_FALSE(match("ack", "1", p));
    EXPECT_FALSE(match("seq", "0", h.decode(udp4())));
    EXPECT_FALSE(match("ack", "0", h.decode(udp4())));
    EXPECT_NE(parse_error("seq", "4294967296"), "");
    EXPECT_NE(parse_error("ack", "x"), "");
}

TEST(Window, ValueAndNegation) {
    Harness h;
    tb::TcpSpec tcp;
    tcp.window = 55808;
    const Packet& p = h.decode(tcp4({}, tcp));
    EXPECT_TRUE(match("window", "55808", p));
    EXPECT_FALSE(match("window", "!55808", p));
    EXPECT_TRUE(match("window", "!1024", p));
    EXPECT_FALSE(match("window", "1024", p));
    EXPECT_FALSE(match("window", "!1024", h.decode(udp4())));
    EXPECT_NE(parse_error("window", "65536"), "");
}

TEST(TcpOptions, MssAndWindowScale) {
    Harness h;
    tb::TcpSpec syn;
    syn.flags = tb::kSyn;
    syn.options = {2, 4, 0x05, 0xb4, 1, 3, 3, 15};  // MSS 1460, NOP, window scale 15
    const Packet& p = h.decode(tcp4({}, syn, {}));
    EXPECT_TRUE(match("tcp.mss", "1460", p));
    EXPECT_FALSE(match("tcp.mss", "<536", p));
    EXPECT_TRUE(match("tcp.mss", "1000-1500", p));
    EXPECT_TRUE(match("tcp.wscale", "15", p)) << "as sent, though receivers cap it at 14";
    EXPECT_TRUE(match("tcp.wscale", ">14", p));
    const Packet& plain = h.decode(tcp4_flags(tb::kSyn));
    EXPECT_FALSE(match("tcp.mss", ">0", plain)) << "absent option";
    EXPECT_FALSE(match("tcp.wscale", "!0", plain));
}

// ---- ICMP keywords ---------------------------------------------------------------------------

TEST(Itype, TypeComparisons) {
    Harness h;
    const Packet& echo = h.decode(icmp4(8, 0));
    EXPECT_TRUE(match("itype", "8", echo));
    EXPECT_FALSE(match("itype", ">10", echo));
    EXPECT_TRUE(match("itype", "<10", echo));
    EXPECT_TRUE(match("itype", "7<>9", echo));
    EXPECT_FALSE(match("itype", "8<>10", echo));
    EXPECT_TRUE(match("itype", "128", h.decode(icmp6(128, 0))));
    EXPECT_FALSE(match("itype", "0", h.decode(tcp4({})))) << "not ICMP";
    EXPECT_NE(parse_error("itype", "256"), "");
}

TEST(Icode, CodeComparisons) {
    Harness h;
    const Packet& frag_needed = h.decode(icmp4(3, 4));
    EXPECT_TRUE(match("icode", "4", frag_needed));
    EXPECT_TRUE(match("icode", ">3", frag_needed));
    EXPECT_FALSE(match("icode", "<4", frag_needed));
    EXPECT_TRUE(match("icode", "3<>5", frag_needed));
    EXPECT_FALSE(match("icode", ">5", frag_needed));
    EXPECT_TRUE(match("icode", "0", h.decode(icmp6(1, 0))));
    EXPECT_FALSE(match("icode", "0", h.decode(udp4())));
    EXPECT_NE(parse_error("icode", "x"), "");
}

TEST(IcmpIdSeq, EchoAndQueryMessagesOnly) {
    Harness h;
    const Packet& echo = h.decode(icmp4(8, 0, 0x00010002));
    EXPECT_TRUE(match("icmp_id", "1", echo));
    EXPECT_FALSE(match("icmp_id", "2", echo));
    EXPECT_TRUE(match("icmp_seq", "2", echo));
    EXPECT_FALSE(match("icmp_seq", "1", echo));
    EXPECT_TRUE(match("icmp_id", "\"1\"", echo));
    EXPECT_TRUE(match("icmp_id", "1", h.decode(icmp4(0, 0, 0x00010002))));
    EXPECT_TRUE(match("icmp_seq", "2", h.decode(icmp4(13, 0, 0x00010002)))) << "timestamp";
    // Destination unreachable carries no identifier: its "unused" field is not one.
    EXPECT_FALSE(match("icmp_id", "1", h.decode(icmp4(3, 1, 0x00010002))));
    EXPECT_FALSE(match("icmp_seq", "2", h.decode(icmp4(3, 1, 0x00010002))));
    const Packet& echo6 = h.decode(icmp6(128, 0, 0x00070009));
    EXPECT_TRUE(match("icmp_id", "7", echo6));
    EXPECT_TRUE(match("icmp_seq", "9", echo6));
    EXPECT_TRUE(match("icmp_id", "7", h.decode(icmp6(129, 0, 0x00070009))));
    EXPECT_FALSE(match("icmp_id", "0", h.decode(icmp6(1, 0, 0))));
    EXPECT_FALSE(match("icmp_id", "0", h.decode(tcp4({}))));
    EXPECT_NE(parse_error("icmp_id", "65536"), "");
    EXPECT_NE(parse_error("icmp_seq", "\"3"), "");
}

// ---- Decoder fields the keywords rely on -----------------------------------------------------

TEST(DecodedFields, Ipv6TrafficClassAndHeaders) {
    Harness h(decode::testing::options_without_checksums());
    Bytes frame = tcp6();
    frame[kEthLen] = 0x6b;  // version 6, traffic class 0xb8 (EF) across the first two bytes
    frame[kEthLen + 1] = 0x80;
    const Packet& p = h.decode(frame);
    EXPECT_EQ(p.ip_tos, 0xb8);
    EXPECT_EQ(p.l4_header.size(), 20u);
    EXPECT_FALSE(p.ipv6_frag_header);
}

TEST(DecodedFields, TransportHeaders) {
    Harness h;
    tb::TcpSpec tcp;
    tcp.flags = tb::kAck | tb::kUrg;
    tcp.urgent_pointer = 3;
    tcp.options = {1, 1, 1, 1};
    const Packet& t = h.decode(tcp4({}, tcp));
    EXPECT_EQ(t.tcp.urgent_pointer, 3);
    EXPECT_EQ(t.l4_header.size(), 24u);
    EXPECT_EQ(h.decode(udp4()).l4_header.size(), 8u);
    EXPECT_EQ(h.decode(icmp4(8, 0)).l4_header.size(), 8u);
    EXPECT_EQ(h.decode(icmp6(128, 0)).l4_header.size(), 8u);
}

// ---- Robustness ------------------------------------------------------------------------------

TEST(Robustness, ArbitraryValuesNeverCrash) {
    static constexpr std::string_view kAlphabet = "0123456789xX!<>=-&+*, \"SAFRPUCEMDRkbrlsopa";
    std::mt19937 rng(12345);
    std::uniform_int_distribution<std::size_t> length(0, 10);
    std::uniform_int_distribution<std::size_t> pick(0, kAlphabet.size() - 1);
    Harness h;
    const Packet& pkt = h.decode(tcp4_flags(tb::kSyn | tb::kAck, bytes_of("data")));
    const Packet empty;
    for (std::string_view kw : packet_condition_keywords()) {
        for (int i = 0; i < 500; ++i) {
            std::string value;
            for (std::size_t n = length(rng); n > 0; --n) value += kAlphabet[pick(rng)];
            PacketCondition c;
            if (parse_packet_condition(kw, value, c).empty()) {
                (void)matches(c, pkt);
                (void)matches(c, empty);
            }
        }
    }
}

}  // namespace
}  // namespace tocsin::detect
