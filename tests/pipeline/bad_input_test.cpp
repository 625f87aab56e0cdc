// Bad input never crashes tocsin and never loses data: each case ends with a clear one-line
// message, the documented exit status, and everything processed so far written.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "pipeline/harness.h"
#include "support/packet_builder.h"
#include "support/pcap_writer.h"

namespace tocsin::testing {
namespace {

namespace ts = tocsin::testsupport;
using ts::Bytes;

Bytes udp_frame(std::uint16_t sport) {
    const std::string payload = "payload";
    return ts::ethernet(
        0x0800, ts::ip_packet("10.0.0.1", "10.0.0.2", 17,
                              ts::udp(sport, 53, Bytes(payload.begin(), payload.end()), "10.0.0.1",
                                      "10.0.0.2")));
}

std::vector<Bytes> three_flows() {
    return {udp_frame(1001), udp_frame(1002), udp_frame(1003)};
}

int count_lines(const std::string& s) {
    return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

TEST(BadInput, EmptyFileIsAClearErrorWithExitOne) {
    TempDir dir;
    write_bytes(dir.file("empty.pcap"), {});
    const auto r =
        run_tocsin({"run", "-q", "-r", dir.file("empty.pcap"), "-l", dir.path().string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("empty.pcap"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("empty"), std::string::npos) << r.output;
    EXPECT_EQ(count_lines(r.output), 1) << r.output;
    // The run still ends cleanly: an eve.json with its stats record.
    EXPECT_EQ(of_type(read_eve(dir.file("eve.json")), "stats").size(), 1u);
}

TEST(BadInput, NotACaptureIsAClearErrorWithExitOne) {
    TempDir dir;
    const std::string text = "this is not a capture file, just some text\n";
    write_bytes(dir.file("notes.txt"), Bytes(text.begin(), text.end()));
    const auto r =
        run_tocsin({"run", "-q", "-r", dir.file("notes.txt"), "-l", dir.path().string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("notes.txt: cannot read capture"), std::string::npos) << r.output;
    EXPECT_EQ(count_lines(r.output), 1) << r.output;
}

TEST(BadInput, MissingFileIsAClearErrorWithExitOne) {
    TempDir dir;
    const auto r =
        run_tocsin({"run", "-q", "-r", dir.file("nope.pcap"), "-l", dir.path().string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("nope.pcap"), std::string::npos) << r.output;
}

TEST(BadInput, TruncatedCaptureKeepsEverythingBeforeTheCut) {
    TempDir dir;
    Bytes file = ts::pcap_file_bytes(three_flows());
    file.resize(file.size() - 20);  // the last record loses its tail
    write_bytes(dir.file("cut.pcap"), file);
    const auto r = run_tocsin({"run", "-q", "-r", dir.file("cut.pcap"), "-l", dir.path().string()});
    EXPECT_EQ(r.exit_code, 0);  // as Suricata: the readable part is the run
    EXPECT_NE(r.output.find("warning"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("breaks off after 2 packets"), std::string::npos) << r.output;
    EXPECT_EQ(count_lines(r.output), 1) << r.output;
    const auto flows = of_type(read_eve(dir.file("eve.json")), "flow");
    ASSERT_EQ(flows.size(), 2u);
    EXPECT_EQ(flows[0]["src_port"], 1001);
    EXPECT_EQ(flows[1]["src_port"], 1002);
}

TEST(BadInput, AbsurdRecordLengthStopsTheFileButKeepsWhatCameBefore) {
    TempDir dir;
    Bytes file = ts::pcap_file_bytes({udp_frame(1001)});
    const Bytes bogus = ts::pcap_record_header(1700000001, 0, 0xfffffff0u, 0xfffffff0u);
    file.insert(file.end(), bogus.begin(), bogus.end());
    file.insert(file.end(), 64, 0xee);
    write_bytes(dir.file("absurd.pcap"), file);
    const auto r =
        run_tocsin({"run", "-q", "-r", dir.file("absurd.pcap"), "-l", dir.path().string()});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.output.find("breaks off after 1 packets"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("invalid packet capture length"), std::string::npos) << r.output;
    EXPECT_EQ(count_lines(r.output), 1) << r.output;
    EXPECT_EQ(of_type(read_eve(dir.file("eve.json")), "flow").size(), 1u);
}

TEST(BadInput, SnaplenCutPacketsBecomeAnomaliesNotErrors) {
    TempDir dir;
    {
        ts::PcapWriter w(dir.file("snap.pcap"), ts::kLinktypeEthernet, 60);
        const Bytes big = ts::ethernet(
            0x0800, ts::ip_packet("10.0.0.1", "10.0.0.2", 17,
                                  ts::udp(1, 2, Bytes(500, 1), "10.0.0.1", "10.0.0.2")));
        w.write(1700000000, 0, big);  // the writer keeps 60 of its bytes
        w.write(1700000000, 10, udp_frame(7));
    }
    const auto r =
        run_tocsin({"run", "-q", "-r", dir.file("snap.pcap"), "-l", dir.path().string()});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    const auto events = read_eve(dir.file("eve.json"));
    const auto anomalies = of_type(events, "anomaly");
    ASSERT_EQ(anomalies.size(), 1u);
    EXPECT_EQ(anomalies[0]["anomaly"]["event"], "decoder.ipv4.trunc_pkt");
    EXPECT_EQ(anomalies[0]["pcap_cnt"], 1);
    EXPECT_EQ(of_type(events, "flow").size(), 1u);
}

TEST(BadInput, UnsupportedLinkTypeIsReported) {
    TempDir dir;
    write_bytes(dir.file("wifi.pcap"), ts::pcap_file_bytes({Bytes(40, 0)}, 105));  // 802.11
    const auto r =
        run_tocsin({"run", "-q", "-r", dir.file("wifi.pcap"), "-l", dir.path().string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("link type 105 is not supported"), std::string::npos) << r.output;
}

TEST(BadInput, OneBadFileDoesNotStopTheOthers) {
    TempDir dir;
    write_bytes(dir.file("good.pcap"), ts::pcap_file_bytes(three_flows()));
    write_bytes(dir.file("bad.pcap"), Bytes(100, 0x17));
    const auto r = run_tocsin({"run", "-q", "-r", dir.file("bad.pcap"), "-r", dir.file("good.pcap"),
                               "-l", dir.path().string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(of_type(read_eve(dir.file("eve.json")), "flow").size(), 3u);
}

TEST(BadInput, GarbageFramesNeverCrash) {
    // Random frames of every supported link type: the run must finish and account for all.
    TempDir dir;
    std::uint64_t state = 0x9e3779b97f4a7c15ULL;
    auto next = [&state] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    for (std::uint32_t linktype : {0u, 1u, 101u, 108u, 113u, 276u}) {
        std::vector<Bytes> frames;
        for (int i = 0; i < 3000; ++i) {
            Bytes f(next() % 200);
            for (auto& b : f) b = static_cast<std::uint8_t>(next());
            // Bias towards plausible headers so decoding goes deep.
            if (f.size() > 14 && linktype == 1) {
                f[12] = 0x08;
                f[13] = 0x00;
                f[14] = 0x45;
            }
            frames.push_back(std::move(f));
        }
        const std::string name = dir.file("garbage" + std::to_string(linktype) + ".pcap");
        write_bytes(name, ts::pcap_file_bytes(frames, linktype));
        const auto r =
            run_tocsin({"run", "-q", "-r", name, "-l", dir.path().string(), "--workers", "2"});
        EXPECT_EQ(r.exit_code, 0) << "linktype " << linktype << ": " << r.output;
        const auto stats = of_type(read_eve(dir.file("eve.json")), "stats");
        ASSERT_EQ(stats.size(), 1u);
        EXPECT_EQ(stats[0]["stats"]["decoder"]["pkts"], 3000);
    }
}

TEST(Signals, SigintWritesEverythingProcessed) {
    // Feed a capture through a FIFO and keep it open, so tocsin waits for more; then SIGINT.
    TempDir dir;
    const std::string fifo = dir.file("live.pcap");
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    const std::string cmd = shell_quote(TOCSIN_BINARY) + " run -q -r " + shell_quote(fifo) +
                            " -l " + shell_quote(dir.path().string()) + " > " +
                            shell_quote(dir.file("stderr.txt")) + " 2>&1 & echo $!";
    const auto started = run_command(cmd);
    const pid_t pid = static_cast<pid_t>(std::stol(started.output));
    {
        std::ofstream feed(fifo, std::ios::binary);
        const Bytes file = ts::pcap_file_bytes(three_flows());
        feed.write(reinterpret_cast<const char*>(file.data()),
                   static_cast<std::streamsize>(file.size()));
        feed.flush();
        // Give tocsin time to read the packets, then interrupt it while the writer stays open.
        for (int i = 0; i < 50 && !std::filesystem::exists(dir.file("eve.json")); ++i)
            usleep(20000);
        usleep(200000);
        ASSERT_EQ(kill(pid, SIGINT), 0);
        for (int i = 0; i < 250 && kill(pid, 0) == 0; ++i) usleep(20000);
    }
    EXPECT_NE(kill(pid, 0), 0) << "tocsin did not stop on SIGINT";
    const auto events = read_eve(dir.file("eve.json"));
    EXPECT_EQ(of_type(events, "flow").size(), 3u);
    EXPECT_EQ(of_type(events, "stats").size(), 1u);
    std::ifstream err(dir.file("stderr.txt"));
    const std::string text((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("interrupted"), std::string::npos) << text;
}

TEST(BadInput, HugeRecordsDoNotPinMemory) {
    // 600 records of 200 KB (120 MB): batches are capped in bytes and oversized buffers are
    // released, so peak memory stays far below the capture's size.
#ifdef TOCSIN_SANITIZED
    GTEST_SKIP() << "peak memory is meaningless under sanitizers";
#endif
    if (run_command("test -x /usr/bin/time").exit_code != 0) GTEST_SKIP() << "no /usr/bin/time";
    TempDir dir;
    {
        ts::PcapWriter w(dir.file("huge.pcap"), ts::kLinktypeRaw, 262144);
        Bytes record(200000, 0);
        record[0] = 0x45;
        for (int i = 0; i < 600; ++i) w.write(1700000000 + i, 0, record);
    }
    const auto r =
        run_command("/usr/bin/time -f 'peak %M' " + shell_quote(TOCSIN_BINARY) + " run -q -r " +
                    shell_quote(dir.file("huge.pcap")) + " -l " + shell_quote(dir.path().string()));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto at = r.output.rfind("peak ");
    ASSERT_NE(at, std::string::npos) << r.output;
    const long peak_kb = std::stol(r.output.substr(at + 5));
    EXPECT_LT(peak_kb, 100 * 1024) << r.output;
}

TEST(Inputs, StandardInputIsACapture) {
    TempDir dir;
    write_bytes(dir.file("three.pcap"), ts::pcap_file_bytes(three_flows()));
    const auto r = run_command("cat " + shell_quote(dir.file("three.pcap")) + " | " +
                               shell_quote(TOCSIN_BINARY) + " run -q -r - -l " +
                               shell_quote(dir.path().string()));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(of_type(read_eve(dir.file("eve.json")), "flow").size(), 3u);
}

TEST(BadOutput, AFullDiskIsAClearErrorNotACrash) {
    if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
    TempDir dir;
    std::vector<Bytes> frames;
    for (std::uint16_t port = 1; port <= 200; ++port) frames.push_back(udp_frame(port));
    write_bytes(dir.file("many.pcap"), ts::pcap_file_bytes(frames));
    const auto r =
        run_tocsin({"run", "-q", "-r", dir.file("many.pcap"), "-l", dir.path().string(), "--set",
                    "outputs.eve.filename=/dev/full", "--set", "outputs.eve.buffer-size=4kb"});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("No space left on device"), std::string::npos) << r.output;
}

TEST(BadOutput, EveJsonIsNeverWrittenThroughASymlink) {
    TempDir dir;
    write_bytes(dir.file("one.pcap"), ts::pcap_file_bytes({udp_frame(9)}));
    write_bytes(dir.file("victim"), Bytes{'k', 'e', 'e', 'p'});
    std::filesystem::create_symlink(dir.file("victim"), dir.file("eve.json"));
    const auto r = run_tocsin({"run", "-q", "-r", dir.file("one.pcap"), "-l", dir.path().string()});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    std::ifstream victim(dir.file("victim"));
    std::string content;
    victim >> content;
    EXPECT_EQ(content, "keep");
}

TEST(Usage, ErrorsExitWithTwo) {
    TempDir dir;
    write_bytes(dir.file("ok.pcap"), ts::pcap_file_bytes(three_flows()));
    const std::string pcap = dir.file("ok.pcap");
    EXPECT_EQ(run_tocsin({}).exit_code, 2);
    EXPECT_EQ(run_tocsin({"run"}).exit_code, 2);
    EXPECT_EQ(run_tocsin({"frobnicate"}).exit_code, 2);
    EXPECT_EQ(run_tocsin({"run", "-r", pcap, "--workers", "0"}).exit_code, 2);
    EXPECT_EQ(run_tocsin({"run", "-r", pcap, "-k", "sometimes"}).exit_code, 2);
    EXPECT_EQ(
        run_tocsin({"run", "-r", pcap, "-l", dir.path().string(), "--set", "nonsense"}).exit_code,
        2);
    const auto bad_value = run_tocsin(
        {"run", "-r", pcap, "-l", dir.path().string(), "--set", "stream.midstream=perhaps"});
    EXPECT_EQ(bad_value.exit_code, 2);
    EXPECT_NE(bad_value.output.find("stream.midstream"), std::string::npos) << bad_value.output;
    EXPECT_EQ(run_tocsin({"run", "-r", pcap, "-c", dir.file("missing.yaml")}).exit_code, 2);
    // Checked before any output is touched, not found out at the end of the run.
    { std::ofstream(dir.file("eve.json")) << "kept\n"; }
    const auto late_key = run_tocsin({"run", "-r", pcap, "-l", dir.path().string(), "--set",
                                      "outputs.eve.types.stats=sometimes"});
    EXPECT_EQ(late_key.exit_code, 2) << late_key.output;
    EXPECT_NE(late_key.output.find("outputs.eve.types.stats"), std::string::npos);
    std::ifstream kept(dir.file("eve.json"));
    std::string first_line;
    std::getline(kept, first_line);
    EXPECT_EQ(first_line, "kept");
    EXPECT_EQ(run_tocsin({"run", "-r", pcap, "--set", "flow.memcap=lots"}).exit_code, 2);
    EXPECT_EQ(run_tocsin({"run", "-r", pcap, "--set", "checksum-validation=maybe"}).exit_code, 2);
    EXPECT_EQ(run_tocsin({"run", "-r", "-", "-r", "-"}).exit_code, 2);
    { std::ofstream(dir.file("f.bpf")) << "udp\n"; }
    EXPECT_EQ(run_tocsin({"run", "-r", pcap, "-F", dir.file("f.bpf"), "tcp"}).exit_code, 2);
    EXPECT_EQ(run_tocsin({"run", "-r", pcap, "-S", dir.file("missing.rules")}).exit_code, 1);
    // As a Suricata user types it: no command means "run".
    const auto implicit = run_tocsin({"-q", "-r", pcap, "-l", dir.file("implicit")});
    EXPECT_EQ(implicit.exit_code, 0) << implicit.output;
    EXPECT_EQ(of_type(read_eve(dir.file("implicit/eve.json")), "flow").size(), 3u);
    EXPECT_EQ(run_tocsin({"--version"}).exit_code, 0);
}

}  // namespace
}  // namespace tocsin::testing
