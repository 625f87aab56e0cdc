// End-to-end: crafted captures through the tocsin binary, checked against what was crafted.
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "pipeline/harness.h"
#include "support/packet_builder.h"
#include "support/pcap_writer.h"

namespace tocsin::testing {
namespace {

namespace ts = tocsin::testsupport;
using ts::Bytes;

Bytes text(const std::string& s) {
    return Bytes(s.begin(), s.end());
}

// Per-flow totals as the capture's author knows them: the independent oracle.
struct Expected {
    std::uint64_t pkts_toserver = 0, pkts_toclient = 0, bytes_toserver = 0, bytes_toclient = 0;
};

class CaptureBuilder {
  public:
    explicit CaptureBuilder(const std::string& path) : writer_(path) {}
    // `counted`: bytes the flow should count for this frame when not the frame's own size.
    void add(std::int64_t usec, const Bytes& frame, const std::string& flow = "",
             bool to_server = true, std::size_t counted = 0) {
        writer_.write(start_ + usec / 1000000, static_cast<std::uint32_t>(usec % 1000000), frame);
        if (flow.empty()) return;
        Expected& e = expected[flow];
        (to_server ? e.pkts_toserver : e.pkts_toclient)++;
        (to_server ? e.bytes_toserver : e.bytes_toclient) += counted ? counted : frame.size();
    }
    void flush() { writer_.flush(); }
    std::map<std::string, Expected> expected;

  private:
    ts::PcapWriter writer_;
    std::int64_t start_ = 1700000000;
};

std::string flow_name(const nlohmann::json& e) {
    return e["src_ip"].get<std::string>() + ":" + std::to_string(e.value("src_port", 0)) + "-" +
           e["dest_ip"].get<std::string>() + ":" + std::to_string(e.value("dest_port", 0)) + "/" +
           e["proto"].get<std::string>();
}

// A mix of TCP sessions, UDP exchanges, ICMP echoes and a fragmented datagram, interleaved.
void write_mixed(CaptureBuilder& cap, int sessions, std::int64_t spread_usec) {
    for (int i = 0; i < sessions; ++i) {
        const std::string client =
            "10.0." + std::to_string(i / 200) + "." + std::to_string(i % 200 + 1);
        const auto cport = static_cast<std::uint16_t>(40000 + i);
        ts::TcpSession s(client, cport, "192.0.2.80", 80,
                         1000u + static_cast<std::uint32_t>(i) * 7919u,
                         0xfffffff0u - static_cast<std::uint32_t>(i));
        const std::string name = client + ":" + std::to_string(cport) + "-192.0.2.80:80/TCP";
        std::int64_t t = (spread_usec * i) / sessions;
        auto to_server = [&](const Bytes& f) { cap.add(t += 100, f, name, true); };
        auto to_client = [&](const Bytes& f) { cap.add(t += 100, f, name, false); };
        const auto hs = s.handshake();
        to_server(hs[0]);
        to_client(hs[1]);
        to_server(hs[2]);
        to_server(
            s.client_data(text("GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n")));
        to_client(s.server_data(Bytes(1400, static_cast<std::uint8_t>('a' + i % 26))));
        to_client(s.server_data(Bytes(600, 'z')));
        to_server(s.client_ack());
        const auto bye = s.close();
        to_server(bye[0]);
        to_client(bye[1]);
        to_client(bye[2]);
        to_server(bye[3]);
    }
    for (int i = 0; i < sessions / 2; ++i) {
        const std::string client = "10.1.0." + std::to_string(i % 250 + 1);
        const auto cport = static_cast<std::uint16_t>(50000 + i);
        const std::string name = client + ":" + std::to_string(cport) + "-192.0.2.53:53/UDP";
        std::int64_t t = (spread_usec * i) / (sessions / 2) + 50;
        Bytes q = ts::ethernet(
            0x0800, ts::ip_packet(client, "192.0.2.53", 17,
                                  ts::udp(cport, 53, text("query"), client, "192.0.2.53")));
        Bytes a = ts::ethernet(
            0x0800, ts::ip_packet("192.0.2.53", client, 17,
                                  ts::udp(53, cport, text("answer!"), "192.0.2.53", client)));
        cap.add(t, q, name, true);
        cap.add(t + 20, a, name, false);
    }
}

TEST(Run, FlowRecordsMatchTheCraftedTraffic) {
    TempDir dir;
    const std::string pcap = dir.file("mixed.pcap");
    std::map<std::string, Expected> expected;
    {
        CaptureBuilder cap(pcap);
        write_mixed(cap, 40, 5'000'000);
        // An echo request and reply.
        Bytes req = ts::ethernet(0x0800, ts::ip_packet("10.9.9.9", "10.9.9.1", 1,
                                                       ts::icmpv4(8, 0, 0x00070001, text("ping"))));
        Bytes rep = ts::ethernet(0x0800, ts::ip_packet("10.9.9.1", "10.9.9.9", 1,
                                                       ts::icmpv4(0, 0, 0x00070001, text("ping"))));
        cap.add(6'000'000, req, "10.9.9.9:0-10.9.9.1:0/ICMP", true);
        cap.add(6'000'100, rep, "10.9.9.9:0-10.9.9.1:0/ICMP", false);
        // A UDP datagram in three IPv4 fragments: one flow packet, carried by the last fragment.
        ts::Ipv4Spec spec{"10.7.0.1", "10.7.0.2", 17};
        spec.id = 77;
        const Bytes datagram =
            ts::ipv4(spec, ts::udp(7000, 7001, Bytes(3000, 0x42), "10.7.0.1", "10.7.0.2"));
        const auto frags = ts::fragment_ipv4(datagram, 1480);
        ASSERT_EQ(frags.size(), 3u);
        cap.add(6'500'000, ts::ethernet(0x0800, frags[0]));
        cap.add(6'500'010, ts::ethernet(0x0800, frags[1]));
        const Bytes last = ts::ethernet(0x0800, frags[2]);
        // The flow sees one packet: the rebuilt datagram, counted at its own length (Suricata).
        cap.add(6'500'020, last, "10.7.0.1:7000-10.7.0.2:7001/UDP", true, datagram.size());
        cap.flush();
        expected = cap.expected;
    }
    const auto r = run_tocsin({"run", "-r", pcap, "-l", dir.path().string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto events = read_eve(dir.file("eve.json"));
    const auto flows = of_type(events, "flow");
    ASSERT_EQ(flows.size(), expected.size());
    for (const auto& f : flows) {
        const std::string name = flow_name(f);
        ASSERT_TRUE(expected.count(name)) << "unexpected flow " << name;
        const Expected& e = expected[name];
        EXPECT_EQ(f["flow"]["pkts_toserver"], e.pkts_toserver) << name;
        EXPECT_EQ(f["flow"]["pkts_toclient"], e.pkts_toclient) << name;
        EXPECT_EQ(f["flow"]["bytes_toserver"], e.bytes_toserver) << name;
        EXPECT_EQ(f["flow"]["bytes_toclient"], e.bytes_toclient) << name;
        EXPECT_EQ(f["flow"]["reason"], "shutdown");
        EXPECT_EQ(f["flow"]["alerted"], false);
        EXPECT_TRUE(f["flow_id"].is_number_unsigned());
        EXPECT_EQ(f["ip_v"], 4);
        if (f["proto"] == "TCP") {
            EXPECT_EQ(f["flow"]["state"], "closed") << name;
            EXPECT_EQ(f["tcp"]["state"], "closed") << name;
            EXPECT_EQ(f["tcp"]["tcp_flags"], "1b") << name;  // SYN FIN PSH ACK
            EXPECT_EQ(f["tcp"]["syn"], true);
            // Each crafted session carries an HTTP request: the HTTP parser claims it.
            EXPECT_EQ(f["app_proto"], "http");
        }
        if (f["proto"] == "ICMP") {
            EXPECT_EQ(f["icmp_type"], 8);
            EXPECT_EQ(f["response_icmp_type"], 0);
            EXPECT_EQ(f["flow"]["state"], "established");
        }
    }
    const auto stats = of_type(events, "stats");
    ASSERT_EQ(stats.size(), 1u);
    EXPECT_EQ(stats[0]["stats"]["defrag"]["ipv4"]["reassembled"], 1);
    EXPECT_EQ(stats[0]["stats"]["tcp"]["reassembly_gap"], 0);
    // Each session delivered its request and 2000 response bytes, in order, once.
    EXPECT_GT(stats[0]["stats"]["tcp"]["reassembled_bytes"].get<std::uint64_t>(), 40u * 2000u);
    EXPECT_EQ(stats[0]["stats"]["tcp"]["retransmissions"], 0);
    EXPECT_NE(r.output.find("flows 62"), std::string::npos) << r.output;
    // Inspection's CPU time: some was spent, and no more than every core for the whole run.
    const auto& run = stats[0]["stats"]["tocsin"];
    const double cpu = run["cpu_sec"].get<double>();
    EXPECT_GT(cpu, 0.0);
    EXPECT_LE(cpu, run["elapsed_sec"].get<double>() * std::thread::hardware_concurrency() + 0.05);
    EXPECT_NE(r.output.find(" s (CPU "), std::string::npos) << r.output;
}

TEST(Run, IdleFlowsEndByTimeoutAtPacketTime) {
    TempDir dir;
    const std::string pcap = dir.file("idle.pcap");
    {
        CaptureBuilder cap(pcap);
        // One lone UDP packet, then other traffic for two minutes: the first flow times out
        // after flow-timeouts.udp.new (30 s) of packet time.
        cap.add(0, ts::ethernet(0x0800, ts::ip_packet("10.0.0.1", "10.0.0.2", 17,
                                                      ts::udp(1111, 2222, text("x"), "10.0.0.1",
                                                              "10.0.0.2"))));
        for (int s = 1; s <= 120; ++s) {
            cap.add(s * 1'000'000LL,
                    ts::ethernet(0x0800, ts::ip_packet("10.0.0.3", "10.0.0.4", 17,
                                                       ts::udp(3333, 4444, text("y"), "10.0.0.3",
                                                               "10.0.0.4"))));
        }
        cap.flush();
    }
    const auto r = run_tocsin({"run", "-r", pcap, "-l", dir.path().string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto flows = of_type(read_eve(dir.file("eve.json")), "flow");
    ASSERT_EQ(flows.size(), 2u);
    EXPECT_EQ(flows[0]["src_port"], 1111);
    EXPECT_EQ(flows[0]["flow"]["reason"], "timeout");
    EXPECT_EQ(flows[0]["flow"]["state"], "new");
    // Ended at the first tick after 30 s idle: packet time 31 s.
    EXPECT_EQ(flows[0]["timestamp"], "2023-11-14T22:13:51.000000+0000");
    EXPECT_EQ(flows[1]["src_port"], 3333);
    EXPECT_EQ(flows[1]["flow"]["reason"], "shutdown");
    EXPECT_EQ(flows[1]["flow"]["pkts_toserver"], 120);
    EXPECT_EQ(flows[1]["flow"]["age"], 119);
}

std::string without_stats(const std::string& path) {
    std::ifstream in(path);
    std::string out;
    for (std::string line; std::getline(in, line);)
        if (line.find("\"event_type\":\"stats\"") == std::string::npos) out += line + "\n";
    return out;
}

TEST(Run, OutputIsIdenticalForAnyNumberOfWorkers) {
    TempDir dir;
    const std::string pcap = dir.file("many.pcap");
    {
        CaptureBuilder cap(pcap);
        write_mixed(cap, 600, 200'000'000);  // 200 s: flows time out while others run
        // Tunnelled packets: the carrier's flow and the inner flow begin on the same packet.
        for (int i = 0; i < 40; ++i) {
            const std::string a = "172.16.0." + std::to_string(i % 4 + 1);
            const Bytes inner = ts::ethernet(
                0x0800, ts::ip_packet(a, "172.16.1.1", 17,
                                      ts::udp(7000, 7001, text("in"), a, "172.16.1.1")));
            const auto sport = static_cast<std::uint16_t>(49152 + i % 8);
            cap.add(i * 3'000'000LL + 11,
                    ts::ethernet(0x0800, ts::ip_packet("192.0.2.100", "192.0.2.200", 17,
                                                       ts::udp(sport, 4789, ts::vxlan(42, inner),
                                                               "192.0.2.100", "192.0.2.200"))));
        }
        // Broken packets too, so anomaly events interleave with flow events.
        for (int i = 0; i < 20; ++i) {
            Bytes bad = ts::ethernet(0x0800, ts::ip_packet("10.5.0.1", "10.5.0.2", 6,
                                                           Bytes(8, static_cast<std::uint8_t>(i))));
            cap.add(i * 9'000'000LL + 7, bad);
        }
        cap.flush();
    }
    std::string reference;
    for (const std::string workers : {"1", "2", "3", "4"}) {
        const std::string out = dir.file("w" + workers);
        const auto r = run_tocsin({"run", "-r", pcap, "-l", out, "--workers", workers});
        ASSERT_EQ(r.exit_code, 0) << r.output;
        const std::string eve = without_stats(out + "/eve.json");
        if (reference.empty()) {
            reference = eve;
            const auto events = read_eve(out + "/eve.json");
            EXPECT_EQ(of_type(events, "flow").size(), 900u + 8u + 4u);  // + carriers + inner
            EXPECT_EQ(of_type(events, "anomaly").size(), 20u);
        } else {
            EXPECT_TRUE(eve == reference) << "workers=" << workers << " differs from workers=1";
        }
    }
}

TEST(Run, AnomalyEventsCarrySuricataNamesAndPosition) {
    TempDir dir;
    const std::string pcap = dir.file("anomaly.pcap");
    {
        CaptureBuilder cap(pcap);
        cap.add(0, ts::ethernet(0x0800,
                                ts::ip_packet("10.0.0.1", "10.0.0.2", 17,
                                              ts::udp(1, 2, text("ok"), "10.0.0.1", "10.0.0.2"))));
        // A TCP header claiming 4 words (16 bytes): tcp.hlen_too_small.
        ts::TcpSpec spec;
        spec.sport = 1234;
        spec.dport = 80;
        Bytes seg = ts::tcp(spec, {}, "10.0.0.1", "10.0.0.2");
        seg[12] = 0x40;
        cap.add(10, ts::ethernet(0x0800, ts::ip_packet("10.0.0.1", "10.0.0.2", 6, seg)));
        cap.flush();
    }
    const auto r = run_tocsin({"run", "-r", pcap, "-l", dir.path().string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto anomalies = of_type(read_eve(dir.file("eve.json")), "anomaly");
    ASSERT_EQ(anomalies.size(), 1u);
    EXPECT_EQ(anomalies[0]["anomaly"]["type"], "decode");
    EXPECT_EQ(anomalies[0]["anomaly"]["event"], "decoder.tcp.hlen_too_small");
    EXPECT_EQ(anomalies[0]["pcap_cnt"], 2);
    EXPECT_EQ(anomalies[0]["src_ip"], "10.0.0.1");
    EXPECT_EQ(anomalies[0]["proto"], "TCP");
    EXPECT_EQ(anomalies[0]["timestamp"], "2023-11-14T22:13:20.000010+0000");
}

TEST(Run, BadChecksumsDoNotFeedStreamsUnlessValidationIsOff) {
    TempDir dir;
    const std::string pcap = dir.file("csum.pcap");
    {
        CaptureBuilder cap(pcap);
        ts::TcpSession s("10.0.0.1", 1000, "10.0.0.2", 80);
        std::int64_t t = 0;
        for (const auto& f : s.handshake()) cap.add(t += 10, f);
        Bytes data = s.client_data(Bytes(100, 'q'));
        data[data.size() - 1] ^= 0xff;  // payload corrupted after the checksum was computed
        cap.add(t += 10, data);
        cap.flush();
    }
    auto reassembled = [&](const std::vector<std::string>& extra) {
        std::vector<std::string> args = {"run", "-r", pcap, "-l", dir.path().string()};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto r = run_tocsin(args);
        EXPECT_EQ(r.exit_code, 0) << r.output;
        const auto stats = of_type(read_eve(dir.file("eve.json")), "stats").at(0)["stats"];
        return std::make_pair(stats["decoder"]["checksum_errors"].get<int>(),
                              stats["tcp"]["reassembled_bytes"].get<int>());
    };
    EXPECT_EQ(reassembled({}), std::make_pair(1, 0));
    EXPECT_EQ(reassembled({"-k", "none"}), std::make_pair(0, 100));
}

TEST(Run, OffloadedChecksumsAreDetectedAndValidationTurnedOff) {
    TempDir dir;
    const std::string pcap = dir.file("offload.pcap");
    {
        CaptureBuilder cap(pcap);
        for (int i = 0; i < 1500; ++i) {
            Bytes f = ts::ethernet(
                0x0800, ts::ip_packet("10.0.0.1", "10.0.0.2", 17,
                                      ts::udp(1000, 53, text("query"), "10.0.0.1", "10.0.0.2")));
            f.back() ^= 0x55;  // as captured before the NIC filled in the checksum
            cap.add(i * 10, f);
        }
        cap.flush();
    }
    auto errors = [&](const std::vector<std::string>& extra, std::string* output) {
        std::vector<std::string> args = {"run", "-r", pcap, "-l", dir.path().string()};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto r = run_tocsin(args);
        EXPECT_EQ(r.exit_code, 0) << r.output;
        *output = r.output;
        return of_type(read_eve(dir.file("eve.json")), "stats")
            .at(0)["stats"]["decoder"]["checksum_errors"]
            .get<int>();
    };
    std::string out;
    EXPECT_EQ(errors({}, &out), 1000);  // validated until the sample said "offloaded"
    EXPECT_NE(out.find("offloading"), std::string::npos) << out;
    EXPECT_EQ(errors({"-k", "all"}, &out), 1500);
    EXPECT_EQ(out.find("offloading"), std::string::npos) << out;
}

TEST(Run, CaptureFilterSelectsPackets) {
    TempDir dir;
    const std::string pcap = dir.file("bpf.pcap");
    {
        CaptureBuilder cap(pcap);
        for (std::uint16_t port : {53, 123, 53}) {
            cap.add(port, ts::ethernet(0x0800, ts::ip_packet("10.0.0.1", "10.0.0.2", 17,
                                                             ts::udp(5000, port, text("x"),
                                                                     "10.0.0.1", "10.0.0.2"))));
        }
        cap.flush();
    }
    const auto r = run_tocsin({"run", "-r", pcap, "-l", dir.path().string(), "udp", "port", "53"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto flows = of_type(read_eve(dir.file("eve.json")), "flow");
    ASSERT_EQ(flows.size(), 1u);
    EXPECT_EQ(flows[0]["dest_port"], 53);
    EXPECT_EQ(flows[0]["flow"]["pkts_toserver"], 2);
    EXPECT_EQ(
        run_tocsin({"run", "-r", pcap, "-l", dir.path().string(), "not a filter ((("}).exit_code,
        2);
}

TEST(Run, APortPairReusedAfterAResetIsANewFlow) {
    TempDir dir;
    const std::string pcap = dir.file("reuse.pcap");
    {
        CaptureBuilder cap(pcap);
        for (int attempt = 0; attempt < 3; ++attempt) {
            // A refused connection attempt, retried on the same ports.
            ts::TcpSession s("10.0.0.1", 1341, "10.0.0.2", 111, 77, 0);
            const auto hs = s.handshake();
            cap.add(attempt * 500'000LL, hs[0]);
            cap.add(attempt * 500'000LL + 100, s.server_rst());
        }
        cap.flush();
    }
    const auto r = run_tocsin({"run", "-r", pcap, "-l", dir.path().string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto events = read_eve(dir.file("eve.json"));
    const auto flows = of_type(events, "flow");
    ASSERT_EQ(flows.size(), 3u);
    for (const auto& f : flows) {
        EXPECT_EQ(f["flow"]["pkts_toserver"], 1);
        EXPECT_EQ(f["flow"]["pkts_toclient"], 1);
        EXPECT_EQ(f["tcp"]["state"], "closed");
    }
    EXPECT_EQ(flows[0]["flow"]["reason"], "forced");
    EXPECT_EQ(flows[2]["flow"]["reason"], "shutdown");
    EXPECT_EQ(of_type(events, "stats").at(0)["stats"]["tcp"]["port_reuse"], 2);
}

TEST(Run, FolderInputsAreReadInTimeOrder) {
    TempDir dir;
    std::filesystem::create_directories(dir.path() / "in");
    // "a.pcap" is later in time than "b.pcap": the folder must be read b, then a.
    auto write_one = [&](const std::string& name, std::int64_t start) {
        const Bytes bad = ts::ethernet(0x0800, Bytes(10, 0x45));  // ipv4.pkt_too_small
        write_bytes(dir.file("in/" + name), ts::pcap_file_bytes({bad}, 1, start));
    };
    write_one("a.pcap", 1700000100);
    write_one("b.pcap", 1700000000);
    write_bytes(dir.file("in/README.md"), text("# captures of the incident\n"));  // skipped
    const auto r = run_tocsin({"run", "-r", dir.file("in"), "-l", dir.path().string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto anomalies = of_type(read_eve(dir.file("eve.json")), "anomaly");
    ASSERT_EQ(anomalies.size(), 2u);
    EXPECT_EQ(anomalies[0]["pcap_cnt"], 1);
    EXPECT_TRUE(anomalies[0]["pcap_filename"].get<std::string>().ends_with("b.pcap"));
    EXPECT_EQ(anomalies[1]["pcap_cnt"], 2);
    EXPECT_TRUE(anomalies[1]["pcap_filename"].get<std::string>().ends_with("a.pcap"));
}

TEST(Run, ReadsPcapngAndLinuxCookedCaptures) {
    TempDir dir;
    const Bytes ip = ts::ip_packet("10.0.0.1", "10.0.0.2", 17,
                                   ts::udp(5, 6, text("hi"), "10.0.0.1", "10.0.0.2"));
    ts::write_pcapng(dir.file("a.pcapng"), {ts::ethernet(0x0800, ip)});
    write_bytes(dir.file("b.pcap"),
                ts::pcap_file_bytes({ts::linux_sll2(0x0800, ip)}, ts::kLinktypeLinuxSll2));
    for (const std::string name : {"a.pcapng", "b.pcap"}) {
        const std::string out = dir.file("out-" + name);
        const auto r = run_tocsin({"run", "-r", dir.file(name), "-l", out});
        ASSERT_EQ(r.exit_code, 0) << r.output;
        const auto flows = of_type(read_eve(out + "/eve.json"), "flow");
        ASSERT_EQ(flows.size(), 1u) << name;
        EXPECT_EQ(flows[0]["src_ip"], "10.0.0.1");
        EXPECT_EQ(flows[0]["dest_port"], 6);
    }
}

TEST(Run, ConfigFileAndSetOverridesApply) {
    TempDir dir;
    const std::string pcap = dir.file("mid.pcap");
    {
        CaptureBuilder cap(pcap);
        ts::TcpSession s("10.0.0.1", 1000, "10.0.0.2", 80);
        s.handshake();  // not written: the capture starts mid-session
        cap.add(0, s.client_data(Bytes(50, 'm')));
        cap.add(10, s.server_data(Bytes(70, 'n')));
        cap.flush();
    }
    auto reassembled = [&](const std::vector<std::string>& extra) {
        std::vector<std::string> args = {"run", "-r", pcap, "-l", dir.path().string()};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto r = run_tocsin(args);
        EXPECT_EQ(r.exit_code, 0) << r.output;
        return of_type(read_eve(dir.file("eve.json")), "stats")
            .at(0)["stats"]["tcp"]["reassembled_bytes"]
            .get<int>();
    };
    EXPECT_EQ(reassembled({}), 0);  // no handshake, no midstream: tracked, not reassembled
    EXPECT_EQ(reassembled({"--set", "stream.midstream=true"}), 120);
    {
        std::ofstream yaml(dir.file("tocsin.yaml"));
        yaml << "stream:\n  midstream: yes\n";
    }
    EXPECT_EQ(reassembled({"-c", dir.file("tocsin.yaml")}), 120);
    EXPECT_EQ(reassembled({"-c", dir.file("tocsin.yaml"), "--set", "stream.midstream=no"}), 0);
    const auto r = run_tocsin({"run", "-r", pcap, "-l", dir.path().string(), "--set",
                               "app-layer.protocols.sip.enabled=yes"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.output.find("app-layer.protocols.sip.enabled"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace tocsin::testing
