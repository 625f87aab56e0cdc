// The detection engine end to end below the pipeline: rules written to a file, loaded with
// load_rules, compiled by Engine::build, and hand-built frames decoded and inspected (with a
// flow from a FlowTable where flow state matters). Each test states which sids must alert; the
// expectations follow Suricata's documented rule semantics, worked out by hand from the
// packets the test builds.
#include "detect/engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "applayer/applayer.h"
#include "applayer/fake_protocol.h"
#include "decode/decode_test_util.h"
#include "flow/flow.h"
#include "stream/tcp.h"

namespace tocsin::detect {
namespace {

namespace tb = tocsin::testsupport;
using decode::testing::Bytes;
using decode::testing::bytes_of;
using decode::testing::eth4;
using decode::testing::Harness;
using decode::testing::tcp_packet;
using decode::testing::udp_packet;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using ::testing::UnorderedElementsAreArray;

const std::string kClient = "10.0.0.1";
const std::string kServer = "192.168.1.5";

class NoFlowEnd : public flow::FlowEndHandler {
  public:
    void on_flow_end(flow::Flow&, flow::EndReason, Timestamp) override {}
};

class EngineTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::random_device rd;
        dir_ = std::filesystem::temp_directory_path() /
               ("tocsin-engine-" + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    // Writes the rules to a file, loads and compiles them; every rule must load.
    void build(const std::string& rules, DetectOptions options = {}) {
        std::string name = std::to_string(files_++);
        name += ".rules";
        const std::string path = (dir_ / name).string();
        std::ofstream(path, std::ios::binary) << rules;
        RuleLoadOptions load;
        load.variables = NetVariables::from_config(Config{});
        RuleSet set = load_rules({path}, load);
        for (const RuleError& e : set.errors) ADD_FAILURE() << format_rule_error(e);
        std::string error;
        engine_ = Engine::build(std::move(set), options, error);
        ASSERT_NE(engine_, nullptr) << error;
        scratch_ = engine_->make_scratch();
    }

    const Packet& decode(const Bytes& ip_packet, Timestamp ts = Timestamp{1700000000, 0}) {
        return harness_.decode(eth4(ip_packet), decode::kLinkEthernet, ts);
    }

    Verdict inspect(const Packet& pkt, flow::Flow* flow = nullptr,
                    flow::Direction dir = flow::Direction::to_server) {
        Verdict v;
        engine_->inspect(pkt, flow, dir, *scratch_, v);
        return v;
    }

    static std::vector<std::uint32_t> sids(const Verdict& v) {
        std::vector<std::uint32_t> out;
        for (const Alert& a : v.alerts) out.push_back(a.sig->sid);
        std::sort(out.begin(), out.end());
        return out;
    }

    // The sids alerting on one packet without a flow.
    std::vector<std::uint32_t> alerts(const Bytes& ip_packet) {
        return sids(inspect(decode(ip_packet)));
    }

    // A TCP packet client -> server (1234 -> 80) carrying `payload`.
    static Bytes tcp_to_server(const std::string& payload, tb::TcpSpec spec = {},
                               std::uint16_t sport = 1234) {
        if (spec.flags == tb::kAck) spec.flags = tb::kAck | tb::kPsh;
        return tcp_packet(kClient, kServer, sport, 80, bytes_of(payload), spec);
    }
    static Bytes tcp_to_client(const std::string& payload, std::uint16_t cport = 1234) {
        tb::TcpSpec spec;
        spec.flags = tb::kAck | tb::kPsh;
        return tcp_packet(kServer, kClient, 80, cport, bytes_of(payload), spec);
    }

    // The packet's flow in `table` (created on first sight), and its direction.
    struct Tracked {
        const Packet& pkt;
        flow::Flow* flow;
        flow::Direction dir;
    };
    Tracked track(flow::FlowTable& table, const Bytes& ip_packet,
                  Timestamp ts = Timestamp{1700000000, 0}) {
        const Packet& pkt = decode(ip_packet, ts);
        EXPECT_TRUE(pkt.has_flow_key);
        const flow::FlowTable::Lookup found = table.track(pkt);
        EXPECT_NE(found.flow, nullptr);
        return {pkt, found.flow, found.direction};
    }
    std::vector<std::uint32_t> alerts_in_flow(flow::FlowTable& table, const Bytes& ip_packet,
                                              Timestamp ts = Timestamp{1700000000, 0}) {
        const Tracked t = track(table, ip_packet, ts);
        return sids(inspect(t.pkt, t.flow, t.dir));
    }

    NoFlowEnd no_flow_end_;
    std::shared_ptr<Engine> engine_;
    Engine::ScratchPtr scratch_;
    Harness harness_;

  private:
    std::filesystem::path dir_;
    int files_ = 0;
};

// ---- Content and its modifiers ------------------------------------------------------------

// Each file-hash keyword switches on its own digest only: hashing every file byte three
// times when one digest is read would cost for nothing.
TEST_F(EngineTest, FileHashKeywordsAskForTheirOwnDigest) {
    build("alert http any any -> any any (msg:\"x\"; content:\"a\"; sid:1;)\n");
    EXPECT_EQ(engine_->needs_file_digests(), applayer::FileDigests{});
    build("alert http any any -> any any (msg:\"s\"; filesha256:bad.sha256; sid:2;)\n");
    EXPECT_EQ(engine_->needs_file_digests(), applayer::FileDigests{.sha256 = true});
    build(
        "alert http any any -> any any (msg:\"m\"; filemd5:bad.md5; sid:3;)\n"
        "alert http any any -> any any (msg:\"h\"; filesha1:bad.sha1; sid:4;)\n");
    EXPECT_EQ(engine_->needs_file_digests(), (applayer::FileDigests{.md5 = true, .sha1 = true}));
}

TEST_F(EngineTest, ContentModifiers) {
    // Payload offsets: H0 e1 l2 l3 o4 _5 W6 o7 r8 l9 d10 _11 a12 b13 c14 d15 e16 f17.
    build(R"(alert tcp any any -> any any (content:"hello"; nocase; sid:1;)
alert tcp any any -> any any (content:"hello"; sid:2;)
alert tcp any any -> any any (content:"World"; offset:6; depth:5; sid:3;)
alert tcp any any -> any any (content:"World"; offset:7; sid:4;)
alert tcp any any -> any any (content:"World"; depth:10; sid:5;)
alert tcp any any -> any any (content:"Hello"; content:"abc"; distance:7; within:3; sid:6;)
alert tcp any any -> any any (content:"Hello"; content:"abc"; distance:8; sid:7;)
alert tcp any any -> any any (content:"Hello"; content:"abc"; distance:6; within:3; sid:8;)
alert tcp any any -> any any (content:"abc"; content:"Hello"; distance:0; sid:9;)
alert tcp any any -> any any (content:"def"; endswith; sid:10;)
alert tcp any any -> any any (content:"Hello"; startswith; sid:11;)
alert tcp any any -> any any (content:"World"; startswith; sid:12;)
alert tcp any any -> any any (content:"WORLD"; nocase; offset:6; depth:5; sid:13;)
alert tcp any any -> any any (content:"|48 65|llo"; depth:5; sid:14;)
)");
    EXPECT_THAT(alerts(tcp_to_server("Hello World abcdef")), ElementsAre(1, 3, 6, 10, 11, 13, 14));
}

TEST_F(EngineTest, RelativeMatchBacktracksToALaterOccurrence) {
    build(R"(alert tcp any any -> any any (content:"a"; content:"b"; within:1; sid:20;)
alert tcp any any -> any any (content:"GET"; content:"/x"; distance:1; within:2; sid:21;)
)");
    // The first "a" is not followed by "b"; the second is.
    EXPECT_THAT(alerts(tcp_to_server("axxab")), ElementsAre(20));
    EXPECT_THAT(alerts(tcp_to_server("axxb")), IsEmpty());
    // The first GET is followed by junk, the second by " /x".
    EXPECT_THAT(alerts(tcp_to_server("GET aaaaaa GET /x")), ElementsAre(21));
    EXPECT_THAT(alerts(tcp_to_server("GET aaaaaa GET  /x")), IsEmpty());
}

TEST_F(EngineTest, NegatedContent) {
    build(R"(alert tcp any any -> any any (content:!"evil"; sid:30;)
alert tcp any any -> any any (content:"Hello"; content:!"World"; distance:0; sid:31;)
alert tcp any any -> any any (content:"Hello"; content:!"World"; within:6; sid:32;)
)");
    EXPECT_THAT(alerts(tcp_to_server("a good thing")), ElementsAre(30));
    EXPECT_THAT(alerts(tcp_to_server("an evil thing")), IsEmpty());
    EXPECT_THAT(alerts(tcp_to_server("Hello World")), ElementsAre(30));
    EXPECT_THAT(alerts(tcp_to_server("Hello there")), ElementsAre(30, 31, 32));
    // "World" before "Hello" is not after it.
    EXPECT_THAT(alerts(tcp_to_server("World Hello")), ElementsAre(30, 31, 32));
    // distance:0 alone looks to the end; within:6 stops before this "World".
    EXPECT_THAT(alerts(tcp_to_server("Hello there, World")), ElementsAre(30, 32));
}

TEST_F(EngineTest, PcreAbsoluteAndRelative) {
    build(R"(alert tcp any any -> any any (content:"user="; pcre:"/^[a-z]+\;/R"; sid:40;)
alert tcp any any -> any any (pcre:"/b[aeiou]b/i"; sid:41;)
alert tcp any any -> any any (content:"user="; pcre:"/[a-z]+\;/R"; sid:42;)
alert tcp any any -> any any (content:"id="; pcre:!"/^[0-9]+/R"; sid:43;)
)");
    // R: the expression is applied from the end of the previous match, where ^ anchors.
    EXPECT_THAT(alerts(tcp_to_server("user=bob;")), ElementsAre(40, 41, 42));
    // Case matters without /i; 41 has it.
    EXPECT_THAT(alerts(tcp_to_server("user=BOB;")), ElementsAre(41));
    // Not at the anchor: only the unanchored relative expression finds "bob;" further on.
    EXPECT_THAT(alerts(tcp_to_server("user=1x; bob;")), ElementsAre(41, 42));
    // Relative: text before the content is out of reach.
    EXPECT_THAT(alerts(tcp_to_server("abc; user=")), IsEmpty());
    EXPECT_THAT(alerts(tcp_to_server("id=abc")), ElementsAre(43));
    EXPECT_THAT(alerts(tcp_to_server("id=123")), IsEmpty());
}

TEST_F(EngineTest, IsDataAt) {
    // "abcdef": after "abc" three bytes remain.
    build(R"(alert tcp any any -> any any (content:"abc"; isdataat:2,relative; sid:50;)
alert tcp any any -> any any (content:"abc"; isdataat:4,relative; sid:51;)
alert tcp any any -> any any (content:"def"; isdataat:!1,relative; sid:52;)
alert tcp any any -> any any (content:"abc"; isdataat:!1,relative; sid:53;)
alert tcp any any -> any any (content:"a"; isdataat:5; sid:54;)
alert tcp any any -> any any (content:"a"; isdataat:10; sid:55;)
)");
    EXPECT_THAT(alerts(tcp_to_server("abcdef")), ElementsAre(50, 52, 54));
}

TEST_F(EngineTest, ByteTest) {
    build(R"(alert tcp any any -> any any (byte_test:2,=,16,0; sid:60;)
alert tcp any any -> any any (byte_test:2,>,16,0; sid:61;)
alert tcp any any -> any any (byte_test:1,&,0x10,1; sid:62;)
alert tcp any any -> any any (byte_test:2,<,0x20,0; sid:63;)
alert tcp any any -> any any (byte_test:2,=,16,0,little; sid:64;)
alert tcp any any -> any any (content:"len="; byte_test:3,>,100,0,relative,string,dec; sid:65;)
alert tcp any any -> any any (content:"len="; byte_test:3,>,200,0,relative,string,dec; sid:66;)
)");
    // 0x00 0x10 is 16 big-endian, 4096 little-endian.
    EXPECT_THAT(alerts(tcp_packet(kClient, kServer, 1234, 80, Bytes{0x00, 0x10, 'r', 'e'})),
                ElementsAre(60, 62, 63));
    // "le" read as a 2-byte number is 0x6c65, which is > 16 (61) and has no 0x10 bit in 'e'.
    EXPECT_THAT(alerts(tcp_to_server("len=123;")), ElementsAre(61, 65));
}

TEST_F(EngineTest, Dsize) {
    build(R"(alert tcp any any -> any any (dsize:5; sid:70;)
alert tcp any any -> any any (dsize:>5; sid:71;)
alert tcp any any -> any any (dsize:3<>10; sid:72;)
alert udp any any -> any any (dsize:<6; sid:73;)
)");
    EXPECT_THAT(alerts(tcp_to_server("hello")), ElementsAre(70, 72));
    EXPECT_THAT(alerts(tcp_to_server("hello!")), ElementsAre(71, 72));
    EXPECT_THAT(alerts(udp_packet(kClient, kServer, 5000, 53, bytes_of("query"))), ElementsAre(73));
}

TEST_F(EngineTest, TcpFlags) {
    build(R"(alert tcp any any -> any any (flags:SA; sid:80;)
alert tcp any any -> any any (flags:S; sid:81;)
alert tcp any any -> any any (flags:+S; sid:82;)
alert tcp any any -> any any (flags:*FR; sid:83;)
alert tcp any any -> any any (flags:!S; sid:84;)
alert tcp any any -> any any (flags:!R; sid:85;)
alert ip any any -> any any (flags:!R; sid:86;)
alert tcp any any -> any any (flags:S,A; sid:87;)
)");
    tb::TcpSpec syn_ack;
    syn_ack.flags = tb::kSyn | tb::kAck;
    EXPECT_THAT(alerts(tcp_packet(kServer, kClient, 80, 1234, {}, syn_ack)),
                ElementsAre(80, 82, 85, 86, 87));
    // A flags test never matches a packet without TCP, even negated.
    EXPECT_THAT(alerts(udp_packet(kClient, kServer, 5000, 53)), IsEmpty());
}

TEST_F(EngineTest, IcmpTypeAndCode) {
    build(R"(alert icmp any any -> any any (itype:8; sid:90;)
alert icmp any any -> any any (itype:0; sid:91;)
alert icmp any any -> any any (itype:>5; sid:92;)
alert icmp any any -> any any (icode:0; sid:93;)
alert icmp any any -> any any (itype:8; icode:1; sid:94;)
alert tcp any any -> any any (itype:8; sid:95;)
alert ip any any -> any any (itype:8; sid:96;)
)");
    const Bytes echo = tb::ip_packet(kClient, kServer, tb::kProtoIcmp,
                                     tb::icmpv4(8, 0, 0x00010001, bytes_of("ping")));
    EXPECT_THAT(alerts(echo), ElementsAre(90, 92, 93, 96));
}

TEST_F(EngineTest, Ttl) {
    build(R"(alert ip any any -> any any (ttl:64; sid:100;)
alert ip any any -> any any (ttl:<64; sid:101;)
alert ip any any -> any any (ttl:<65; sid:102;)
alert ip any any -> any any (ttl:10; sid:103;)
alert ip any any -> any any (ttl:!64; sid:104;)
)");
    // ip_packet sends TTL 64.
    EXPECT_THAT(alerts(udp_packet(kClient, kServer, 5000, 53)), ElementsAre(100, 102));
    tb::Ipv4Spec low;
    low.src = kClient;
    low.dst = kServer;
    low.proto = tb::kProtoUdp;
    low.ttl = 10;
    EXPECT_THAT(alerts(tb::ipv4(low, tb::udp(5000, 53, bytes_of("q"), kClient, kServer))),
                ElementsAre(101, 102, 103, 104));
}

TEST_F(EngineTest, HeaderBuffers) {
    // Offsets from the header layouts: IPv4 protocol at byte 9, TCP and UDP destination port
    // at bytes 2-3, the Ethernet type at bytes 12-13.
    build(R"(alert ip any any -> any any (ipv4.hdr; content:"|06|"; offset:9; depth:1; sid:500;)
alert ip any any -> any any (ipv4.hdr; content:"|11|"; offset:9; depth:1; sid:501;)
alert tcp any any -> any any (tcp.hdr; content:"|00 50|"; offset:2; depth:2; sid:502;)
alert ip any any -> any any (udp.hdr; content:"|00 35|"; offset:2; depth:2; sid:503;)
alert ip any any -> any any (ether.hdr; content:"|08 00|"; offset:12; depth:2; sid:504;)
alert ip any any -> any any (ipv6.hdr; content:"|06|"; offset:6; depth:1; sid:505;)
)");
    EXPECT_THAT(alerts(tcp_to_server("x")), ElementsAre(500, 502, 504));
    EXPECT_THAT(alerts(udp_packet(kClient, kServer, 5000, 53)), ElementsAre(501, 503, 504));
}

// ---- Rule headers -------------------------------------------------------------------------

TEST_F(EngineTest, HeaderAddressesPortsNegationAndDirection) {
    build(R"(alert tcp 10.0.0.0/8 any -> 192.168.1.0/24 80 (sid:110;)
alert tcp 192.168.1.0/24 any -> 10.0.0.0/8 any (sid:111;)
alert tcp 192.168.1.0/24 80 <> 10.0.0.0/8 any (sid:112;)
alert tcp !10.0.0.1 any -> any any (sid:113;)
alert tcp any !1234 -> any any (sid:114;)
alert tcp any any -> any [80,443] (sid:115;)
alert tcp any any -> any 1:79 (sid:116;)
alert udp any any -> any any (sid:117;)
alert ip any any -> any any (sid:118;)
alert tcp any any -> any !80 (sid:119;)
alert tcp any any -> ![192.168.0.0/16] any (sid:120;)
alert tcp [10.0.0.0/8,!10.0.0.1] any -> any any (sid:121;)
alert tcp any 1000: -> any :100 (sid:122;)
alert tcp any any <> 10.0.0.1 1234 (sid:123;)
)");
    // 10.0.0.1:1234 -> 192.168.1.5:80
    EXPECT_THAT(alerts(tcp_to_server("x")), ElementsAre(110, 112, 115, 118, 122, 123));
    // The reply, 192.168.1.5:80 -> 10.0.0.1:1234
    EXPECT_THAT(alerts(tcp_to_client("y")), ElementsAre(111, 112, 113, 114, 118, 119, 120, 123));
}

TEST_F(EngineTest, ProtocolOfTheRule) {
    build(R"(alert tcp any any -> any any (content:"same"; sid:130;)
alert udp any any -> any any (content:"same"; sid:131;)
alert ip any any -> any any (content:"same"; sid:132;)
alert icmp any any -> any any (content:"same"; sid:133;)
)");
    EXPECT_THAT(alerts(tcp_to_server("same")), ElementsAre(130, 132));
    EXPECT_THAT(alerts(udp_packet(kClient, kServer, 5000, 53, bytes_of("same"))),
                ElementsAre(131, 132));
    EXPECT_THAT(alerts(tb::ip_packet(kClient, kServer, tb::kProtoIcmp,
                                     tb::icmpv4(8, 0, 0x00010001, bytes_of("same")))),
                ElementsAre(132, 133));
}

TEST_F(EngineTest, Ipv4AndIpv6Protocols) {
    // ipv4 and ipv6 in the header restrict the rule to that IP version.
    build(R"(alert ipv4 any any -> any any (content:"v"; sid:140;)
alert ipv6 any any -> any any (content:"v"; sid:141;)
alert ip any any -> any any (content:"v"; sid:142;)
)");
    EXPECT_THAT(alerts(udp_packet(kClient, kServer, 5000, 53, bytes_of("v"))),
                ElementsAre(140, 142));
    const Packet& six = harness_.decode(
        decode::testing::eth6(udp_packet("2001:db8::1", "2001:db8::2", 5000, 53, bytes_of("v"))));
    EXPECT_THAT(sids(inspect(six)), ElementsAre(141, 142));
}

TEST_F(EngineTest, AppProtocolInTheHeaderNeedsThatProtocol) {
    // A rule for http matches only traffic recognised as HTTP; these bytes are no HTTP.
    build(R"(alert http any any -> any any (content:"GET"; sid:145;)
alert tcp any any -> any any (content:"GET"; sid:146;)
)");
    flow::FlowTable table({}, no_flow_end_);
    const Bytes binary =
        tcp_packet(kClient, kServer, 1234, 9999, Bytes{0x00, 0x01, 'G', 'E', 'T', 0x02, 0xff});
    EXPECT_THAT(alerts_in_flow(table, binary), ElementsAre(146));
}

// ---- Flow state ---------------------------------------------------------------------------

TEST_F(EngineTest, FlowbitsAcrossPacketsOfOneFlow) {
    build(
        R"(alert tcp any any -> any any (content:"LOGIN"; flowbits:set,logged_in; flowbits:noalert; sid:140;)
alert tcp any any -> any any (content:"DATA"; flowbits:isset,logged_in; sid:141;)
alert tcp any any -> any any (content:"DATA"; flowbits:isnotset,logged_in; sid:142;)
alert tcp any any -> any any (content:"LOGOUT"; flowbits:unset,logged_in; sid:143;)
)");
    flow::FlowTable table({}, no_flow_end_);
    EXPECT_THAT(alerts_in_flow(table, tcp_to_server("DATA first")), ElementsAre(142));
    EXPECT_THAT(alerts_in_flow(table, tcp_to_server("LOGIN")), IsEmpty());  // noalert
    EXPECT_THAT(alerts_in_flow(table, tcp_to_server("DATA second")), ElementsAre(141));
    // The reply belongs to the same flow.
    EXPECT_THAT(alerts_in_flow(table, tcp_to_client("DATA reply")), ElementsAre(141));
    // Another flow has its own bits.
    EXPECT_THAT(alerts_in_flow(table, tcp_to_server("DATA other", {}, 2222)), ElementsAre(142));
    EXPECT_THAT(alerts_in_flow(table, tcp_to_server("LOGOUT")), ElementsAre(143));
    EXPECT_THAT(alerts_in_flow(table, tcp_to_server("DATA third")), ElementsAre(142));
    // Without a flow there are no bits: isset fails, isnotset holds.
    EXPECT_THAT(alerts(tcp_to_server("DATA")), ElementsAre(142));
}

TEST_F(EngineTest, FlowbitSetEarlierInThePacketIsSeenByLaterRules) {
    // The reader comes first in the file; Suricata orders setters before readers.
    build(R"(alert tcp any any -> any any (content:"DATA"; flowbits:isset,seen; sid:151;)
alert tcp any any -> any any (content:"LOGIN"; flowbits:set,seen; sid:150;)
)");
    flow::FlowTable table({}, no_flow_end_);
    EXPECT_THAT(alerts_in_flow(table, tcp_to_server("LOGIN DATA")), ElementsAre(150, 151));
}

TEST_F(EngineTest, FlowintSetAndCompare) {
    build(R"(alert tcp any any -> any any (content:"A"; flowint:cnt,=,5; noalert; sid:160;)
alert tcp any any -> any any (content:"B"; flowint:cnt,==,5; sid:161;)
alert tcp any any -> any any (content:"B"; flowint:cnt,>,5; sid:162;)
alert tcp any any -> any any (content:"C"; flowint:cnt,+,1; noalert; sid:163;)
alert tcp any any -> any any (content:"B"; flowint:cnt,notset; sid:164;)
)");
    flow::FlowTable table({}, no_flow_end_);
    EXPECT_THAT(alerts_in_flow(table, tcp_to_server("B")), ElementsAre(164));
    EXPECT_THAT(alerts_in_flow(table, tcp_to_server("A")), IsEmpty());
    EXPECT_THAT(alerts_in_flow(table, tcp_to_server("B")), ElementsAre(161));
    EXPECT_THAT(alerts_in_flow(table, tcp_to_server("C")), IsEmpty());
    EXPECT_THAT(alerts_in_flow(table, tcp_to_server("B")), ElementsAre(162));
}

TEST_F(EngineTest, FlowintIncrementThenCompareInOneRule) {
    // Suricata's flowint documentation counts in one rule: the operations run in rule order,
    // so the comparison sees the count this packet just made (and `+` on an unset variable
    // starts it from 0).
    build(R"(alert tcp any any -> any any (content:"U"; flowint:cnt,+,1; flowint:cnt,>,2; sid:170;)
)");
    flow::FlowTable table({}, no_flow_end_);
    EXPECT_THAT(alerts_in_flow(table, tcp_to_server("U1")), IsEmpty());         // cnt 1
    EXPECT_THAT(alerts_in_flow(table, tcp_to_server("U2")), IsEmpty());         // cnt 2
    EXPECT_THAT(alerts_in_flow(table, tcp_to_server("U3")), ElementsAre(170));  // cnt 3
    EXPECT_THAT(alerts_in_flow(table, tcp_to_server("U4")), ElementsAre(170));  // cnt 4
}

TEST_F(EngineTest, HostbitsAreSharedByTheFlowsOfAHost) {
    build(
        R"(alert tcp any any -> any any (content:"MARK"; hostbits:set,marked,src; noalert; sid:260;)
alert tcp any any -> any any (content:"HIT"; hostbits:isset,marked,src; sid:261;)
alert tcp any any -> any any (content:"HIT"; hostbits:isnotset,marked,src; sid:262;)
)");
    flow::FlowTable table({}, no_flow_end_);
    const Timestamp t0{1700000000, 0};
    EXPECT_THAT(alerts_in_flow(table, tcp_to_server("HIT", {}, 1111), t0), ElementsAre(262));
    EXPECT_THAT(alerts_in_flow(table, tcp_to_server("MARK", {}, 1111), t0), IsEmpty());
    // Another flow from the same source sees the bit; another source does not.
    EXPECT_THAT(alerts_in_flow(table, tcp_to_server("HIT", {}, 2222), t0), ElementsAre(261));
    EXPECT_THAT(
        alerts_in_flow(table, tcp_packet("10.0.0.9", kServer, 1111, 80, bytes_of("HIT")), t0),
        ElementsAre(262));
    // The bit expires (30 s unless the rule says otherwise).
    EXPECT_THAT(alerts_in_flow(table, tcp_to_server("HIT", {}, 3333), Timestamp{1700000031, 0}),
                ElementsAre(262));
}

TEST_F(EngineTest, XbitsTrackAnAddressPairInBothDirections) {
    build(
        R"(alert tcp any any -> any any (content:"SET"; xbits:set,pair,track ip_pair,expire 10; noalert; sid:270;)
alert tcp any any -> any any (content:"ASK"; xbits:isset,pair,track ip_pair; sid:271;)
)");
    flow::FlowTable table({}, no_flow_end_);
    const Timestamp t0{1700000000, 0};
    EXPECT_THAT(alerts_in_flow(table, tcp_to_server("SET", {}, 1111), t0), IsEmpty());
    // The pair in the other direction, in another flow.
    EXPECT_THAT(alerts_in_flow(table, tcp_to_client("ASK", 2222), Timestamp{1700000005, 0}),
                ElementsAre(271));
    // A different pair.
    EXPECT_THAT(alerts_in_flow(table, tcp_packet("10.0.0.9", kServer, 1111, 80, bytes_of("ASK")),
                               Timestamp{1700000005, 0}),
                IsEmpty());
    // Past the 10 s expiry.
    EXPECT_THAT(alerts_in_flow(table, tcp_to_server("ASK", {}, 3333), Timestamp{1700000011, 0}),
                IsEmpty());
}

TEST_F(EngineTest, ThresholdLimitOne) {
    build(
        R"(alert tcp any any -> any any (content:"T"; threshold:type limit, track by_src, count 1, seconds 60; sid:180;)
alert tcp any any -> any any (content:"T"; sid:181;)
)");
    EXPECT_THAT(alerts(tcp_to_server("T")), ElementsAre(180, 181));
    EXPECT_THAT(alerts(tcp_to_server("T")), ElementsAre(181));
    EXPECT_THAT(alerts(tcp_to_server("T")), ElementsAre(181));
    // Another source has its own count.
    EXPECT_THAT(alerts(tcp_packet("10.0.0.9", kServer, 1234, 80, bytes_of("T"))),
                ElementsAre(180, 181));
}

TEST_F(EngineTest, PassRuleSuppressesAlertsOnThePacket) {
    build(R"(alert tcp any any -> any any (content:"X"; sid:190;)
alert tcp any any -> any any (content:"Y"; sid:191;)
pass tcp any any -> any any (content:"X"; sid:192;)
)");
    EXPECT_THAT(alerts(tcp_to_server("X")), IsEmpty());
    EXPECT_THAT(alerts(tcp_to_server("XY")), IsEmpty());
    EXPECT_THAT(alerts(tcp_to_server("Y")), ElementsAre(191));
    flow::FlowTable table({}, no_flow_end_);
    EXPECT_THAT(alerts_in_flow(table, tcp_to_server("X")), IsEmpty());
}

TEST_F(EngineTest, DropInSimulatedIpsBlocksTheFlow) {
    DetectOptions ips;
    ips.simulate_ips = true;
    build(R"(drop tcp any any -> any any (content:"bad"; sid:200;)
alert tcp any any -> any any (content:"note"; sid:201;)
)",
          ips);
    flow::FlowTable table({}, no_flow_end_);

    const Tracked first = track(table, tcp_to_server("fine"));
    const Verdict v1 = inspect(first.pkt, first.flow, first.dir);
    EXPECT_FALSE(v1.drop);
    EXPECT_THAT(v1.alerts, IsEmpty());

    const Tracked bad = track(table, tcp_to_server("bad note"));
    const Verdict v2 = inspect(bad.pkt, bad.flow, bad.dir);
    EXPECT_TRUE(v2.drop);
    ASSERT_NE(v2.drop_sig, nullptr);
    EXPECT_EQ(v2.drop_sig->sid, 200u);
    EXPECT_THAT(sids(v2), ElementsAre(200, 201));
    for (const Alert& a : v2.alerts)
        EXPECT_EQ(a.action, a.sig->sid == 200 ? AlertAction::blocked : AlertAction::allowed);

    // Everything after it in the flow is dropped, either way.
    const Tracked later = track(table, tcp_to_server("fine again"));
    EXPECT_TRUE(inspect(later.pkt, later.flow, later.dir).drop);
    const Tracked reply = track(table, tcp_to_client("reply"));
    EXPECT_TRUE(inspect(reply.pkt, reply.flow, reply.dir).drop);
    // Another flow is not.
    const Tracked other = track(table, tcp_to_server("fine", {}, 4444));
    EXPECT_FALSE(inspect(other.pkt, other.flow, other.dir).drop);
}

TEST_F(EngineTest, DropWithoutIpsOnlyAlerts) {
    build(R"(drop tcp any any -> any any (content:"bad"; sid:210;)
)");
    flow::FlowTable table({}, no_flow_end_);
    const Tracked bad = track(table, tcp_to_server("bad"));
    const Verdict v = inspect(bad.pkt, bad.flow, bad.dir);
    EXPECT_FALSE(v.drop);
    ASSERT_EQ(v.alerts.size(), 1u);
    EXPECT_EQ(v.alerts[0].action, AlertAction::allowed);
    const Tracked later = track(table, tcp_to_server("fine"));
    EXPECT_FALSE(inspect(later.pkt, later.flow, later.dir).drop);
}

TEST_F(EngineTest, AtMostFifteenAlertsPerPacket) {
    // Sixteen matching rules; the last in the file has the highest priority, so it is kept.
    std::string rules;
    for (int sid = 300; sid < 315; ++sid)
        rules += "alert tcp any any -> any any (content:\"Z\"; sid:" + std::to_string(sid) + ";)\n";
    rules += "alert tcp any any -> any any (content:\"Z\"; priority:1; sid:315;)\n";
    build(rules);
    const std::vector<std::uint32_t> got = alerts(tcp_to_server("Z"));
    EXPECT_EQ(got.size(), 15u);
    EXPECT_TRUE(std::find(got.begin(), got.end(), 315u) != got.end());
    EXPECT_TRUE(std::adjacent_find(got.begin(), got.end()) == got.end());  // no repeats
    for (std::uint32_t sid : got) {
        EXPECT_GE(sid, 300u);
        EXPECT_LE(sid, 315u);
    }
}

TEST_F(EngineTest, FlowDirection) {
    build(R"(alert tcp any any -> any any (content:"Q"; flow:to_server; sid:220;)
alert tcp any any -> any any (content:"Q"; flow:to_client; sid:221;)
alert tcp any any -> any any (content:"Q"; sid:222;)
)");
    flow::FlowTable table({}, no_flow_end_);
    EXPECT_THAT(alerts_in_flow(table, tcp_to_server("Q")), ElementsAre(220, 222));
    EXPECT_THAT(alerts_in_flow(table, tcp_to_client("Q")), ElementsAre(221, 222));
    // Without a flow there is no direction to match.
    EXPECT_THAT(alerts(tcp_to_server("Q")), ElementsAre(222));
}

// ---- Stream ---------------------------------------------------------------------------------

TEST_F(EngineTest, ContentSplitAcrossTwoSegmentsMatchesInTheStream) {
    build(R"(alert tcp any any -> any any (content:"/evil"; sid:230;)
alert tcp any any -> any any (content:"GET"; content:"HTTP"; distance:0; sid:231;)
)");
    ASSERT_TRUE(engine_->wants_stream());
    flow::FlowTable table({}, no_flow_end_);

    const std::string one = "GET /ev";
    const std::string two = "il HTTP/1.1";
    const Tracked p1 = track(table, tcp_to_server(one));
    engine_->add_stream_data(*p1.flow, p1.dir, 0, p1.pkt.payload);
    EXPECT_THAT(sids(inspect(p1.pkt, p1.flow, p1.dir)), IsEmpty());

    // Neither segment holds "/evil"; the stream does, once the second arrives.
    const Tracked p2 = track(table, tcp_to_server(two));
    engine_->add_stream_data(*p2.flow, p2.dir, one.size(), p2.pkt.payload);
    EXPECT_THAT(sids(inspect(p2.pkt, p2.flow, p2.dir)), ElementsAre(230, 231));

    // Already reported: new data that adds nothing does not alert again.
    const Tracked p3 = track(table, tcp_to_server("\r\n"));
    engine_->add_stream_data(*p3.flow, p3.dir, one.size() + two.size(), p3.pkt.payload);
    EXPECT_THAT(sids(inspect(p3.pkt, p3.flow, p3.dir)), IsEmpty());
}

TEST_F(EngineTest, StreamOfTheOtherDirectionIsSeparate) {
    build(R"(alert tcp any any -> any any (content:"abcd"; sid:240;)
)");
    flow::FlowTable table({}, no_flow_end_);
    const Tracked p1 = track(table, tcp_to_server("ab"));
    engine_->add_stream_data(*p1.flow, p1.dir, 0, p1.pkt.payload);
    EXPECT_THAT(sids(inspect(p1.pkt, p1.flow, p1.dir)), IsEmpty());
    const Tracked p2 = track(table, tcp_to_client("cd"));
    engine_->add_stream_data(*p2.flow, p2.dir, 0, p2.pkt.payload);
    EXPECT_THAT(sids(inspect(p2.pkt, p2.flow, p2.dir)), IsEmpty());
}

TEST_F(EngineTest, PacketOnlyRulesDoNotSeeTheStream) {
    build(R"(alert tcp-pkt any any -> any any (content:"/evil"; sid:250;)
alert tcp any any -> any any (content:"/evil"; flow:no_stream; sid:251;)
alert tcp any any -> any any (content:"/evil"; flow:only_stream; sid:252;)
)");
    flow::FlowTable table({}, no_flow_end_);
    const Tracked p1 = track(table, tcp_to_server("GET /ev"));
    engine_->add_stream_data(*p1.flow, p1.dir, 0, p1.pkt.payload);
    EXPECT_THAT(sids(inspect(p1.pkt, p1.flow, p1.dir)), IsEmpty());
    const Tracked p2 = track(table, tcp_to_server("il"));
    engine_->add_stream_data(*p2.flow, p2.dir, 7, p2.pkt.payload);
    EXPECT_THAT(sids(inspect(p2.pkt, p2.flow, p2.dir)), ElementsAre(252));
}

}  // namespace
}  // namespace tocsin::detect

namespace tocsin::detect {
namespace {

// ---- entropy (Suricata 8) ----------------------------------------------------------------

TEST_F(EngineTest, EntropyOfThePayload) {
    // Shannon entropy in bits per byte: "aaaaaaaa" 0; "abcdabcd" four symbols at 1/4 each = 2;
    // "aabbccdd" likewise 2; "ab" = 1 over its first two bytes.
    build(R"(alert tcp any any -> any any (entropy: value 2; sid:60;)
alert tcp any any -> any any (entropy: <0.5; sid:61;)
alert tcp any any -> any any (entropy: bytes 2, offset 0, value =1; sid:62;)
alert tcp any any -> any any (entropy: offset 4, value >= 1.9; sid:63;)
alert tcp any any -> any any (content:"ab"; entropy: value >1.5; sid:64;)
)");
    EXPECT_THAT(alerts(tcp_to_server("aaaaaaaa")), ElementsAre(61));
    // bytes 2 of "abcdabcd" are "ab": 1 bit; offset 4 leaves "abcd": 2 bits.
    EXPECT_THAT(alerts(tcp_to_server("abcdabcd")), ElementsAre(60, 62, 63, 64));
    // Offset 4 of "aabbccdd" is "ccdd": 1 bit, so 63 stays quiet; "ab" occurs at offset 1.
    EXPECT_THAT(alerts(tcp_to_server("aabbccdd")), ElementsAre(60, 64));
}

TEST_F(EngineTest, EntropyRangesAndTheValueKeptForTheFlowsRecords) {
    // "abcdabcd": 2 bits per byte; Suricata's range "low-high" excludes its bounds.
    build(R"(alert tcp any any -> any any (entropy: value 1-3; sid:70;)
alert tcp any any -> any any (entropy: value !1-3; sid:71;)
alert tcp any any -> any any (entropy: value 2-3; sid:72;)
alert tcp any any -> any any (entropy: value !2-3; sid:73;)
alert tcp any any -> any any (entropy: bytes 2, value <1.5; sid:74;)
)");
    flow::FlowTable table({}, no_flow_end_);
    const Tracked p = track(table, tcp_to_server("abcdabcd"));
    EXPECT_THAT(sids(inspect(p.pkt, p.flow, p.dir)), ElementsAre(70, 73, 74));
    // The flow keeps the last value computed on each buffer (EVE metadata.entropy): sid 74's
    // 1 bit of "ab", evaluated last.
    const auto* state = static_cast<const FlowDetectState*>(p.flow->detect_state.get());
    ASSERT_NE(state, nullptr);
    ASSERT_EQ(state->entropy.size(), 1u);
    EXPECT_EQ(buffer_spec(state->entropy[0].first).name, "pkt_data");
    EXPECT_DOUBLE_EQ(state->entropy[0].second, 1.0);
}

TEST(EntropyKeyword, RefusesBadValues) {
    LoadContext context;
    std::string error;
    EXPECT_FALSE(compile_rule("alert tcp any any -> any any (entropy: 9; sid:1;)", context, error));
    EXPECT_FALSE(
        compile_rule("alert tcp any any -> any any (entropy: bytes 4; sid:1;)", context, error));
    EXPECT_EQ(error, "entropy: needs a value");
    EXPECT_FALSE(
        compile_rule("alert tcp any any -> any any (entropy: value x; sid:1;)", context, error));
    EXPECT_TRUE(compile_rule("alert tcp any any -> any any (entropy: value >= 7.5; sid:1;)",
                             context, error))
        << error;
    EXPECT_FALSE(
        compile_rule("alert tcp any any -> any any (entropy: value 5-4; sid:1;)", context, error));
    EXPECT_FALSE(
        compile_rule("alert tcp any any -> any any (entropy: value !4; sid:1;)", context, error));
    EXPECT_FALSE(
        compile_rule("alert tcp any any -> any any (entropy: value 4-9; sid:1;)", context, error));
}

class NoStreamData : public stream::StreamConsumer {
  public:
    void on_data(flow::Flow&, flow::Direction, std::uint64_t, ByteSpan) override {}
    void on_gap(flow::Flow&, flow::Direction, std::uint64_t, std::uint64_t) override {}
    void on_close(flow::Flow&, flow::Direction) override {}
};

// flow:established on a TCP session that the stream stage tracks: from the handshake's last
// ACK on, through the close, including the ACK that completes a graceful close (the last
// packet of flowbit-oring/input.pcap, on which Suricata's datasets-09-load alerts).
TEST_F(EngineTest, EstablishedLastsUntilTheLastAckOfAGracefulClose) {
    build("alert tcp any any -> any any (flow:established; sid:1;)\n");
    flow::FlowTable table({}, no_flow_end_);
    stream::TcpTracker tracker({});
    NoStreamData consumer;
    decode::Decoder decoder{decode::DecodeOptions{}};
    std::vector<std::uint8_t> reassembled;
    flow::Flow* flow = nullptr;
    // Sequence numbers: client ISN 100, server ISN 500; no payload.
    auto step = [&](bool to_server, std::uint8_t flags, std::uint32_t seq, std::uint32_t ack) {
        tb::TcpSpec spec;
        spec.flags = flags;
        spec.seq = seq;
        spec.ack = ack;
        const Bytes frame = eth4(to_server ? tcp_packet(kClient, kServer, 1234, 80, {}, spec)
                                           : tcp_packet(kServer, kClient, 80, 1234, {}, spec));
        Packet pkt;
        pkt.ts = Timestamp{1700000000, 0};
        pkt.data = ByteSpan(frame);
        pkt.wire_len = static_cast<std::uint32_t>(frame.size());
        decoder.decode(decode::kLinkEthernet, pkt, reassembled);
        const flow::FlowTable::Lookup found = table.track(pkt);
        EXPECT_NE(found.flow, nullptr);
        flow = found.flow;
        tracker.process(*found.flow, found.direction, pkt, consumer);
        return sids(inspect(pkt, found.flow, found.direction));
    };
    EXPECT_THAT(step(true, tb::kSyn, 100, 0), IsEmpty());
    EXPECT_THAT(step(false, tb::kSyn | tb::kAck, 500, 101), IsEmpty());
    EXPECT_THAT(step(true, tb::kAck, 101, 501), ElementsAre(1u));
    EXPECT_THAT(step(true, tb::kFin | tb::kAck, 101, 501), ElementsAre(1u));
    EXPECT_THAT(step(false, tb::kFin | tb::kAck, 501, 102), ElementsAre(1u));
    EXPECT_THAT(step(true, tb::kAck, 102, 502), ElementsAre(1u));
    // That ACK closed the session: the alert is not owed to a state still open.
    ASSERT_NE(flow, nullptr);
    EXPECT_EQ(stream::TcpTracker::session(*flow)->state, stream::TcpState::closed);
}

// ---- Rules on application-layer transactions -------------------------------------------------

TEST_F(EngineTest, TransactionRulesMatchOncePerTransactionInTheirDirection) {
    static const applayer::ProtocolSpec* const protocols[] = {&testsupport::line_protocol()};
    DetectOptions options;
    options.protocols = protocols;
    build(
        "alert http any any -> any any (msg:\"uri\"; http.uri; content:\"LINE evil\"; sid:1;)\n"
        "alert tcp any any -> any any (msg:\"both\"; http.uri; content:\"evil\"; "
        "http.stat_msg; content:\"ok\"; sid:2;)\n"
        "alert http any any -> any any (msg:\"pcre only\"; http.uri; pcre:\"/^LINE e/\"; sid:3;)\n"
        "alert http any any -> any any (msg:\"other\"; http.uri; content:\"benign\"; sid:4;)\n",
        options);
    flow::FlowTable table({}, no_flow_end_);
    applayer::AppLimits limits;
    limits.unacked_bytes = 0;  // parse as data arrives: the timing here is the engine's
    applayer::AppLayer app(protocols, limits);
    std::uint64_t number = 0;
    auto packet = [&](const Bytes& ip_packet) {
        const Tracked t = track(table, ip_packet);
        app.begin_packet(++number, t.pkt.ts);
        app.on_stream_data(*t.flow, t.dir, t.pkt.payload);
        Verdict v;
        engine_->inspect(t.pkt, t.flow, t.dir, *scratch_, v, app.current_packet());
        return v;
    };
    // The request: rules on request buffers; the one that also needs the response waits.
    const Verdict request = packet(tcp_to_server("LINE evil\n"));
    EXPECT_THAT(sids(request), ElementsAre(1u, 3u));
    ASSERT_FALSE(request.alerts.empty());
    ASSERT_NE(request.alerts[0].tx, nullptr);
    EXPECT_EQ(request.alerts[0].tx->id, 0u);
    EXPECT_EQ(request.alerts[0].protocol, &testsupport::line_protocol());
    // The response: the two-sided rule now; the request rules matched this tx already.
    EXPECT_THAT(sids(packet(tcp_to_client("ok\n"))), ElementsAre(2u));
    // A packet that changes no transaction inspects none.
    EXPECT_THAT(sids(packet(tcp_to_server("LINE ev"))), IsEmpty());
    // The next transaction is inspected afresh.
    const Verdict second = packet(tcp_to_server("il\n"));
    EXPECT_THAT(sids(second), ElementsAre(1u, 3u));
    EXPECT_EQ(second.alerts[0].tx->id, 1u);
}

// The line protocol, raising "http.test_event" on a request whose text contains "event".
class EventLineParser : public testsupport::LineParser {
  public:
    void parse(applayer::Direction dir, ByteSpan data, applayer::ParseContext& ctx) override {
        LineParser::parse(dir, data, ctx);
        for (auto& t : ctx.transactions()) {
            auto& tx = static_cast<testsupport::LineTransaction&>(*t);
            if (tx.id < checked_ || !tx.done[0]) continue;
            checked_ = tx.id + 1;
            if (tx.request.find("event") != std::string::npos) ctx.event("http.test_event", &tx);
        }
    }

  private:
    std::uint64_t checked_ = 0;
};

const applayer::ProtocolSpec& event_line_protocol() {
    static const applayer::ProtocolSpec spec = [] {
        applayer::ProtocolSpec s = testsupport::line_protocol();
        s.make_parser = [](const applayer::AppLimits&) -> std::unique_ptr<applayer::Parser> {
            return std::make_unique<EventLineParser>();
        };
        return s;
    }();
    return spec;
}

// ET's TLS event rules name no direction and "fire at most once per connection": a rule on
// the transaction's state alone matches a transaction once, though both sides change it
// (bug-1450-0x in suricata-verify). With flow:to_client it waits for that side.
TEST_F(EngineTest, EventRuleOfNoDirectionMatchesATransactionOnce) {
    static const applayer::ProtocolSpec* const protocols[] = {&event_line_protocol()};
    DetectOptions options;
    options.protocols = protocols;
    build(
        "alert http any any -> any any (app-layer-event:http.test_event; sid:1;)\n"
        "alert http any any -> any any (flow:to_client; app-layer-event:http.test_event; "
        "sid:2;)\n",
        options);
    flow::FlowTable table({}, no_flow_end_);
    applayer::AppLimits limits;
    limits.unacked_bytes = 0;
    applayer::AppLayer app(protocols, limits);
    std::uint64_t number = 0;
    auto packet = [&](const Bytes& ip_packet) {
        const Tracked t = track(table, ip_packet);
        app.begin_packet(++number, t.pkt.ts);
        app.on_stream_data(*t.flow, t.dir, t.pkt.payload);
        Verdict v;
        engine_->inspect(t.pkt, t.flow, t.dir, *scratch_, v, app.current_packet());
        return v;
    };
    EXPECT_THAT(sids(packet(tcp_to_server("LINE event\n"))), ElementsAre(1u));
    // The response changes the transaction on the other side: only the to_client rule.
    EXPECT_THAT(sids(packet(tcp_to_client("ok\n"))), ElementsAre(2u));
    // A second transaction with the event is a new match.
    EXPECT_THAT(sids(packet(tcp_to_server("LINE event again\n"))), ElementsAre(1u));
}

// app-layer-protocol (Suricata 8 "Generic App Layer Keywords"): a rule testing nothing else
// matches on the packet that finishes protocol detection of a side, not on every packet
// (app-layer-protocol-prefilter, bug-4394-pdonly-drop); a negated protocol does not match
// while the protocol is unknown; "http1" names the HTTP/1 parser's flows.
TEST_F(EngineTest, AppLayerProtocolRules) {
    static const applayer::ProtocolSpec* const protocols[] = {&testsupport::line_protocol()};
    DetectOptions options;
    options.protocols = protocols;
    build(
        "alert tcp any any -> any any (app-layer-protocol:http; sid:1;)\n"
        "alert tcp any any -> any any (app-layer-protocol:!tls; sid:2;)\n"
        "alert tcp any any -> any any (app-layer-protocol:http1,final; sid:3;)\n"
        "alert tcp any any -> any any (app-layer-protocol:!http; sid:4;)\n"
        "alert tcp any any -> any any (app-layer-protocol:dns|http,either; sid:5;)\n"
        "alert tcp any any -> any any (app-layer-protocol:http,original; sid:6;)\n"
        "alert tcp any any -> any any (app-layer-protocol:!tls; content:\"LI\"; sid:7;)\n"
        "alert tcp any any -> any any (app-layer-protocol:unknown; content:\"LI\"; sid:8;)\n",
        options);
    flow::FlowTable table({}, no_flow_end_);
    applayer::AppLimits limits;
    limits.unacked_bytes = 0;
    applayer::AppLayer app(protocols, limits);
    std::uint64_t number = 0;
    auto packet = [&](const Bytes& ip_packet) {
        const Tracked t = track(table, ip_packet);
        app.begin_packet(++number, t.pkt.ts);
        app.on_stream_data(*t.flow, t.dir, t.pkt.payload);
        Verdict v;
        engine_->inspect(t.pkt, t.flow, t.dir, *scratch_, v, app.current_packet());
        return v;
    };
    // "LI" is not enough to tell the protocol: unknown, so only sid 8.
    EXPECT_THAT(sids(packet(tcp_to_server("LI"))), ElementsAre(8u));
    // Detected on the client's side now.
    EXPECT_THAT(sids(packet(tcp_to_server("NE a\n"))), ElementsAre(1u, 2u, 3u, 5u));
    // Nothing new about detection on the next client packet; sid 7 sees the protocol known.
    EXPECT_THAT(sids(packet(tcp_to_server("LINE b\n"))), ElementsAre(7u));
    // The server's first data finishes its side.
    EXPECT_THAT(sids(packet(tcp_to_client("ok\n"))), ElementsAre(1u, 2u, 3u, 5u));
    EXPECT_THAT(sids(packet(tcp_to_client("ok\n"))), IsEmpty());
}

// filestore and tls.store are actions, no conditions: a rule with them matches as it would
// without them (bug-2558-01/02: filestore; filename:!"tar.gz" alerts on 2008.mp4).
TEST_F(EngineTest, StoreKeywordsDoNotRestrictTheMatch) {
    static const applayer::ProtocolSpec* const protocols[] = {&testsupport::line_protocol()};
    DetectOptions options;
    options.protocols = protocols;
    build(
        "alert http any any -> any any (filestore; filename:!\"tar.gz\"; sid:1;)\n"
        "alert http any any -> any any (filestore; fileext:!\"pdf\"; sid:2;)\n"
        "alert http any any -> any any (tls.store; file.name; content:\"r.PDF\"; sid:3;)\n",
        options);
    flow::FlowTable table({}, no_flow_end_);
    applayer::AppLimits limits;
    limits.unacked_bytes = 0;
    applayer::AppLayer app(protocols, limits);
    const Tracked t = track(table, tcp_to_server("LINE file r.PDF\n"));
    app.begin_packet(1, t.pkt.ts);
    app.on_stream_data(*t.flow, t.dir, t.pkt.payload);
    Verdict v;
    engine_->inspect(t.pkt, t.flow, t.dir, *scratch_, v, app.current_packet());
    EXPECT_THAT(sids(v), ElementsAre(1u, 3u));
}

// Rules of no application protocol on transactions: a negated file name (no prefilter
// pattern) and filesize on an "alert tcp" rule are evaluated on every protocol's transactions,
// and only those that carry a file match (Suricata's filename-01, fileext-01, filesize).
TEST_F(EngineTest, FileRulesOfNoProtocolInspectTransactions) {
    static const applayer::ProtocolSpec* const protocols[] = {&testsupport::line_protocol()};
    DetectOptions options;
    options.protocols = protocols;
    build(
        "alert tcp any any -> any any (filename:!\"S.PDF\"; sid:1;)\n"
        "alert tcp any any -> any any (fileext:\"pdf\"; sid:2;)\n"
        "alert tcp any any -> any any (filesize:>4; sid:3;)\n"
        "alert tcp any any -> any any (filesize:<4; sid:4;)\n",
        options);
    flow::FlowTable table({}, no_flow_end_);
    applayer::AppLimits limits;
    limits.unacked_bytes = 0;
    applayer::AppLayer app(protocols, limits);
    std::uint64_t number = 0;
    auto packet = [&](const Bytes& ip_packet) {
        const Tracked t = track(table, ip_packet);
        app.begin_packet(++number, t.pkt.ts);
        app.on_stream_data(*t.flow, t.dir, t.pkt.payload);
        Verdict v;
        engine_->inspect(t.pkt, t.flow, t.dir, *scratch_, v, app.current_packet());
        return v;
    };
    // No file: none of them.
    EXPECT_THAT(sids(packet(tcp_to_server("LINE hello\n"))), IsEmpty());
    // "r.PDF" (5 bytes): not S.PDF, ends in .pdf in any case, larger than 4.
    EXPECT_THAT(sids(packet(tcp_to_server("LINE file r.PDF\n"))), ElementsAre(1u, 2u, 3u));
}

// Suricata 8's absent (detect-absent-* in suricata-verify): `absent` matches a transaction
// whose finished side has no such buffer; `absent: or_else` also lets the buffer's matches
// decide when it is there.
TEST_F(EngineTest, AbsentBuffers) {
    static const applayer::ProtocolSpec* const protocols[] = {&testsupport::line_protocol()};
    DetectOptions options;
    options.protocols = protocols;
    build(
        "alert tcp any any -> any any (file.name; absent; sid:1;)\n"
        "alert tcp any any -> any any (file.name; absent: or_else; content:\"a.pdf\"; sid:2;)\n"
        "alert tcp any any -> any any (file.name; content:!\"a.pdf\"; sid:3;)\n",
        options);
    flow::FlowTable table({}, no_flow_end_);
    applayer::AppLimits limits;
    limits.unacked_bytes = 0;
    applayer::AppLayer app(protocols, limits);
    std::uint64_t number = 0;
    auto packet = [&](const Bytes& ip_packet) {
        const Tracked t = track(table, ip_packet);
        app.begin_packet(++number, t.pkt.ts);
        app.on_stream_data(*t.flow, t.dir, t.pkt.payload);
        Verdict v;
        engine_->inspect(t.pkt, t.flow, t.dir, *scratch_, v, app.current_packet());
        return v;
    };
    // No file: absent, and or_else; a negated content needs the buffer.
    EXPECT_THAT(sids(packet(tcp_to_server("LINE hello\n"))), ElementsAre(1u, 2u));
    EXPECT_THAT(sids(packet(tcp_to_server("LINE file a.pdf\n"))), ElementsAre(2u));
    EXPECT_THAT(sids(packet(tcp_to_server("LINE file b.doc\n"))), ElementsAre(3u));
}

}  // namespace
}  // namespace tocsin::detect
