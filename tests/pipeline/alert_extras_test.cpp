// Alerts with Suricata's eve-log alert options: payload, payload_printable, packet and
// packet_info. Every expected value is what the test itself put into the capture; base64 is
// decoded here, independently of the OpenSSL encoder Tocsin uses.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pipeline/harness.h"
#include "pipeline/traffic.h"
#include "support/packet_builder.h"
#include "support/pcap_writer.h"

namespace tocsin::testing {
namespace {

// RFC 4648 base64 with padding; nullopt-like empty result plus `ok` on bad input.
Bytes from_base64(const std::string& text, bool& ok) {
    static const std::string kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    Bytes out;
    ok = text.size() % 4 == 0;
    std::uint32_t bits = 0;
    int count = 0;
    for (char c : text) {
        if (c == '=') break;
        const std::size_t v = kAlphabet.find(c);
        if (v == std::string::npos) {
            ok = false;
            return {};
        }
        bits = (bits << 6) | static_cast<std::uint32_t>(v);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out.push_back(static_cast<std::uint8_t>((bits >> count) & 0xff));
        }
    }
    return out;
}

Bytes decoded(const nlohmann::json& value) {
    bool ok = false;
    Bytes bytes = from_base64(value.get<std::string>(), ok);
    EXPECT_TRUE(ok) << value;
    return bytes;
}

constexpr const char* kRule =
    "alert udp any any -> any 53 (msg:\"evil lookup\"; content:\"evil\"; sid:1; rev:1;)\n";

class AlertExtras : public ::testing::Test {
  protected:
    void SetUp() override { std::ofstream(dir_.file("test.rules")) << kRule; }

    // Runs tocsin on `frames` (one per second) with `settings`; returns the alerts.
    std::vector<nlohmann::json> alerts(const std::vector<Bytes>& frames,
                                       const std::vector<std::string>& settings) {
        {
            ts::PcapWriter writer(dir_.file("in.pcap"));
            for (std::size_t i = 0; i < frames.size(); ++i)
                writer.write(1700000000 + static_cast<std::int64_t>(i), 0, frames[i]);
            writer.flush();
        }
        const std::string logs = dir_.file("logs-" + std::to_string(++runs_));
        std::vector<std::string> args{
            "run", "-r", dir_.file("in.pcap"), "-S", dir_.file("test.rules"), "-l", logs, "-q"};
        for (const std::string& s : settings) {
            args.push_back("--set");
            args.push_back(s);
        }
        const CommandResult r = run_tocsin(args);
        EXPECT_EQ(r.exit_code, 0) << r.output;
        return of_type(read_eve(logs + "/eve.json"), "alert");
    }

    TempDir dir_;
    int runs_ = 0;
};

TEST_F(AlertExtras, OffByDefaultAsInSuricata) {
    const auto found = alerts({dns_query_frame("cdn.evil.example", "10.0.0.1", "10.0.0.53")}, {});
    ASSERT_EQ(found.size(), 1u);
    for (const char* key : {"payload", "payload_printable", "stream", "packet", "packet_info"})
        EXPECT_FALSE(found[0].contains(key)) << key;
}

TEST_F(AlertExtras, PayloadPrintableAndPacketAreTheCapturedBytes) {
    const Bytes frame = dns_query_frame("cdn.evil.example", "10.0.0.1", "10.0.0.53");
    const Bytes query = dns_query("cdn.evil.example");
    const auto found =
        alerts({frame}, {"outputs.eve.alert.payload=yes", "outputs.eve.alert.payload-printable=yes",
                         "outputs.eve.alert.packet=yes"});
    ASSERT_EQ(found.size(), 1u);
    const nlohmann::json& a = found[0];
    EXPECT_EQ(decoded(a.at("payload")), query);
    // Printable characters stay, every other byte of the query becomes a dot.
    std::string printable;
    for (std::uint8_t b : query) printable.push_back(b >= 0x20 && b < 0x7f ? char(b) : '.');
    EXPECT_EQ(a.at("payload_printable"), printable);
    EXPECT_EQ(a.at("stream"), 0);
    EXPECT_EQ(decoded(a.at("packet")), frame);
    EXPECT_EQ(a.at("packet_info").at("linktype"), 1);
    EXPECT_EQ(a.at("packet_info").at("linktype_name"), "EN10MB");
}

TEST_F(AlertExtras, PayloadBufferSizeCutsThePayload) {
    const auto found =
        alerts({dns_query_frame("cdn.evil.example", "10.0.0.1", "10.0.0.53")},
               {"outputs.eve.alert.payload=yes", "outputs.eve.alert.payload-buffer-size=5"});
    ASSERT_EQ(found.size(), 1u);
    const Bytes query = dns_query("cdn.evil.example");
    EXPECT_EQ(decoded(found[0].at("payload")), Bytes(query.begin(), query.begin() + 5));
}

// suricata --set addresses the alert options by list index; suricata.yaml by name.
TEST_F(AlertExtras, SuricataStyleSettingsAreUnderstood) {
    const Bytes frame = dns_query_frame("cdn.evil.example", "10.0.0.1", "10.0.0.53");
    const auto by_index = alerts({frame}, {"outputs.1.eve-log.types.0.alert.packet=yes"});
    ASSERT_EQ(by_index.size(), 1u);
    EXPECT_EQ(decoded(by_index[0].at("packet")), frame);

    std::ofstream(dir_.file("suricata.yaml"))
        << "outputs:\n  - eve-log:\n      types:\n        - alert:\n            payload: yes\n";
    const std::string logs = dir_.file("logs-yaml");
    const CommandResult r =
        run_tocsin({"run", "-r", dir_.file("in.pcap"), "-S", dir_.file("test.rules"), "-l", logs,
                    "-c", dir_.file("suricata.yaml"), "-q"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto by_yaml = of_type(read_eve(logs + "/eve.json"), "alert");
    ASSERT_EQ(by_yaml.size(), 1u);
    EXPECT_EQ(decoded(by_yaml[0].at("payload")), dns_query("cdn.evil.example"));
}

// A datagram rebuilt from fragments is logged as the last fragment's Ethernet header followed
// by the whole datagram (as Suricata does), so the alert's packet decodes as one packet.
TEST_F(AlertExtras, ReassembledDatagramKeepsItsLinkHeader) {
    Bytes query = dns_query("cdn.evil.example");
    query.resize(query.size() + 64, 'A');  // long enough for three 32-byte fragments
    const Bytes udp = ts::udp(5353, 53, query, "10.0.0.1", "10.0.0.53");
    const Bytes datagram = ts::ip_packet("10.0.0.1", "10.0.0.53", 17, udp);
    std::vector<Bytes> frames;
    for (const Bytes& piece : ts::fragment_ipv4(datagram, 32))
        frames.push_back(ts::ethernet(0x0800, piece));
    ASSERT_GE(frames.size(), 3u);
    const auto found = alerts(frames, {"outputs.eve.alert.packet=yes"});
    ASSERT_EQ(found.size(), 1u);
    const Bytes packet = decoded(found[0].at("packet"));
    const Bytes& last = frames.back();
    constexpr std::size_t kEthernet = 14, kIpv4 = 20;
    ASSERT_EQ(packet.size(), kEthernet + datagram.size());
    EXPECT_TRUE(std::equal(last.begin(), last.begin() + kEthernet, packet.begin()));
    // The transport header and data are the original datagram's, byte for byte.
    EXPECT_TRUE(
        std::equal(datagram.begin() + kIpv4, datagram.end(), packet.begin() + kEthernet + kIpv4));
    EXPECT_EQ(found[0].at("packet_info").at("linktype"), 1);
}

}  // namespace
}  // namespace tocsin::testing
