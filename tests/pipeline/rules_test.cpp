// Rules end to end: a crafted capture and rule file through the tocsin binary (`run -S`,
// `--simulate-ips`, `rules check`), checked against what the capture and the rules say. The
// expected alert fields follow Suricata's EVE alert format and classification.config.
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipeline/harness.h"
#include "support/packet_builder.h"
#include "support/pcap_writer.h"

namespace tocsin::testing {
namespace {

namespace ts = tocsin::testsupport;
using ::testing::HasSubstr;
using ts::Bytes;

Bytes text(const std::string& s) {
    return Bytes(s.begin(), s.end());
}

void write_text(const std::string& path, const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
}

constexpr std::uint64_t kRequestPacket = 4;  // pcap_cnt of the client's request

// One HTTP-like exchange 10.0.0.1:40000 -> 192.0.2.80:80, frames 1 ms apart:
// 1-3 handshake, 4 request, 5 response, 6 client ACK, 7-10 close.
void write_capture(const std::string& path) {
    ts::TcpSession s("10.0.0.1", 40000, "192.0.2.80", 80);
    std::vector<Bytes> frames = s.handshake();
    frames.push_back(s.client_data(text("GET /evil HTTP/1.1\r\nHost: example\r\n\r\n")));
    frames.push_back(s.server_data(text("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")));
    frames.push_back(s.client_ack());
    for (Bytes& f : s.close()) frames.push_back(std::move(f));
    ts::PcapWriter writer(path);
    for (std::size_t i = 0; i < frames.size(); ++i)
        writer.write(1700000000, static_cast<std::uint32_t>(i * 1000), frames[i]);
    writer.flush();
}

// The flow record of the crafted connection (null when missing).
const nlohmann::json* the_flow(const std::vector<nlohmann::json>& events) {
    const nlohmann::json* found = nullptr;
    for (const auto& e : events)
        if (e.value("event_type", "") == "flow" && e.value("src_port", 0) == 40000) found = &e;
    return found;
}

// A good rule (line 2) and a bad one (line 4: depth beyond 65535).
std::string rules_text() {
    return "# test rules\n"
           "alert tcp any any -> any 80 (msg:\"Evil URI request\"; flow:established,to_server; "
           "content:\"GET /evil\"; depth:9; classtype:trojan-activity; "
           "metadata:created_at 2024_01_01, tag one, tag two; sid:1000001; rev:3;)\n"
           "\n"
           "alert tcp any any -> any any (msg:\"broken\"; content:\"x\"; depth:70000; "
           "sid:1000002; rev:1;)\n";
}

TEST(Rules, AlertRecordCarriesTheRuleAndThePacket) {
    TempDir dir;
    const std::string pcap = dir.file("http.pcap");
    const std::string rules = dir.file("test.rules");
    write_capture(pcap);
    write_text(rules, rules_text());

    const auto r = run_tocsin({"run", "-r", pcap, "-S", rules, "-l", dir.path().string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    // The bad rule is named by file, line and sid; the good one still loads.
    EXPECT_THAT(r.output, HasSubstr(rules + ":4: sid 1000002: ")) << r.output;
    EXPECT_THAT(r.output, HasSubstr("1 of 2 rules loaded")) << r.output;

    const auto events = read_eve(dir.file("eve.json"));
    const auto alerts = of_type(events, "alert");
    ASSERT_EQ(alerts.size(), 1u) << r.output;
    const nlohmann::json& a = alerts[0];
    EXPECT_EQ(a["pcap_cnt"], kRequestPacket);
    EXPECT_EQ(a["src_ip"], "10.0.0.1");
    EXPECT_EQ(a["src_port"], 40000);
    EXPECT_EQ(a["dest_ip"], "192.0.2.80");
    EXPECT_EQ(a["dest_port"], 80);
    EXPECT_EQ(a["proto"], "TCP");
    EXPECT_EQ(a["direction"], "to_server");
    const nlohmann::json& alert = a["alert"];
    EXPECT_EQ(alert["action"], "allowed");
    EXPECT_EQ(alert["gid"], 1);
    EXPECT_EQ(alert["signature_id"], 1000001);
    EXPECT_EQ(alert["rev"], 3);
    EXPECT_EQ(alert["signature"], "Evil URI request");
    EXPECT_EQ(alert["category"], "A Network Trojan was detected");
    EXPECT_EQ(alert["severity"], 1);
    EXPECT_EQ(alert["metadata"],
              nlohmann::json::parse(R"({"created_at":["2024_01_01"],"tag":["one","two"]})"));

    const nlohmann::json* flow = the_flow(events);
    ASSERT_NE(flow, nullptr);
    ASSERT_TRUE(a.contains("flow_id"));
    EXPECT_EQ(a["flow_id"], (*flow)["flow_id"]);
    EXPECT_EQ((*flow)["flow"]["alerted"], true);
    // The alert's flow summary counts what the flow had seen by the request.
    EXPECT_EQ(a["flow"]["pkts_toserver"], 3);
    EXPECT_EQ(a["flow"]["pkts_toclient"], 1);
}

TEST(Rules, NoAlertLeavesTheFlowUnalerted) {
    TempDir dir;
    const std::string pcap = dir.file("http.pcap");
    const std::string rules = dir.file("quiet.rules");
    write_capture(pcap);
    write_text(rules,
               "alert tcp any any -> any 80 (msg:\"never\"; content:\"GET /good\"; sid:5;)\n");
    const auto r = run_tocsin({"run", "-r", pcap, "-S", rules, "-l", dir.path().string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto events = read_eve(dir.file("eve.json"));
    EXPECT_TRUE(of_type(events, "alert").empty());
    const nlohmann::json* flow = the_flow(events);
    ASSERT_NE(flow, nullptr);
    EXPECT_EQ((*flow)["flow"]["alerted"], false);
}

TEST(Rules, SimulatedIpsBlocksAndLogsTheDrop) {
    TempDir dir;
    const std::string pcap = dir.file("http.pcap");
    const std::string rules = dir.file("drop.rules");
    write_capture(pcap);
    write_text(rules,
               "drop tcp any any -> any 80 (msg:\"Drop evil\"; content:\"/evil\"; "
               "classtype:web-application-attack; sid:2000001; rev:1;)\n");

    const auto r =
        run_tocsin({"run", "-r", pcap, "-S", rules, "-l", dir.path().string(), "--simulate-ips"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto events = read_eve(dir.file("eve.json"));
    const auto alerts = of_type(events, "alert");
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0]["pcap_cnt"], kRequestPacket);
    EXPECT_EQ(alerts[0]["alert"]["action"], "blocked");
    EXPECT_EQ(alerts[0]["alert"]["signature_id"], 2000001);
    EXPECT_EQ(alerts[0]["alert"]["category"], "Web Application Attack");
    EXPECT_EQ(alerts[0]["alert"]["severity"], 1);
    const auto drops = of_type(events, "drop");
    ASSERT_GE(drops.size(), 1u);
    EXPECT_EQ(drops[0]["pcap_cnt"], kRequestPacket);
    EXPECT_EQ(drops[0]["src_ip"], "10.0.0.1");
    EXPECT_EQ(drops[0]["flow_id"], alerts[0]["flow_id"]);
    EXPECT_TRUE(drops[0].contains("drop"));

    // Without --simulate-ips the same rule only alerts.
    TempDir ids;
    const auto r2 = run_tocsin({"run", "-r", pcap, "-S", rules, "-l", ids.path().string()});
    ASSERT_EQ(r2.exit_code, 0) << r2.output;
    const auto ids_events = read_eve(ids.file("eve.json"));
    const auto ids_alerts = of_type(ids_events, "alert");
    ASSERT_EQ(ids_alerts.size(), 1u);
    EXPECT_EQ(ids_alerts[0]["alert"]["action"], "allowed");
    EXPECT_TRUE(of_type(ids_events, "drop").empty());
}

TEST(Rules, CheckExitsZeroWhenEveryRuleLoads) {
    TempDir dir;
    const std::string good = dir.file("good.rules");
    write_text(good,
               "alert tcp any any -> any any (msg:\"a\"; content:\"abc\"; sid:1;)\n"
               "# alert tcp any any -> any any (msg:\"commented out\"; frob; sid:2;)\n"
               "alert udp any any -> any 53 (msg:\"b\"; content:\"|00 01|\"; sid:3;)\n");
    const auto r = run_tocsin({"rules", "check", good});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_THAT(r.output, HasSubstr("2 of 2 rules loaded, 0 failed")) << r.output;
}

TEST(Rules, CheckNamesEveryBadRuleAndCountsTheCauses) {
    TempDir dir;
    const std::string a = dir.file("a.rules");
    const std::string b = dir.file("b.rules");
    write_text(a,
               "alert tcp any any -> any any (msg:\"ok\"; content:\"abc\"; sid:1;)\n"
               "alert tcp any any -> any any (msg:\"x\"; frobnicate; sid:2;)\n"
               "alert tcp any any -> any any (msg:\"y\"; \\\n"
               "    ttl:300; sid:3;)\n");
    write_text(b,
               "alert tcp any any -> any any (msg:\"z\"; wibble:1; sid:4;)\n"
               "alert tcp any any -> any any (msg:\"dup\"; content:\"q\"; sid:1;)\n");
    const auto r = run_tocsin({"rules", "check", a, b});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_THAT(r.output, HasSubstr(a + ":2: sid 2: ")) << r.output;
    EXPECT_THAT(r.output, HasSubstr(a + ":3: sid 3: ")) << r.output;
    EXPECT_THAT(r.output, HasSubstr(b + ":1: sid 4: ")) << r.output;
    EXPECT_THAT(r.output, HasSubstr(b + ":2: sid 1: ")) << r.output;
    EXPECT_THAT(r.output, HasSubstr("1 of 5 rules loaded, 4 failed")) << r.output;
    // The two unknown keywords are one cause, counted twice.
    EXPECT_THAT(r.output, ::testing::ContainsRegex("\n +2 +unknown keyword\n")) << r.output;
    // No line is printed for the good rule.
    EXPECT_THAT(r.output, ::testing::Not(HasSubstr(a + ":1:"))) << r.output;

    // -q: the summary only.
    const auto q = run_tocsin({"rules", "check", "-q", a, b});
    EXPECT_EQ(q.exit_code, 1);
    EXPECT_THAT(q.output, ::testing::Not(HasSubstr(a + ":2:"))) << q.output;
    EXPECT_THAT(q.output, HasSubstr("1 of 5 rules loaded, 4 failed")) << q.output;
}

TEST(Rules, CheckOfAMissingFileFails) {
    TempDir dir;
    const auto r = run_tocsin({"rules", "check", dir.file("none.rules")});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_THAT(r.output, HasSubstr(dir.file("none.rules"))) << r.output;
}

}  // namespace
}  // namespace tocsin::testing
