// The asset inventory as a user meets it: `tocsin run` writes assets.json and EVE asset records,
// `tocsin assets LOGDIR` prints the table. Traffic, addresses and MACs are made here, so the
// expected devices are known independently of the code under test.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "pipeline/harness.h"
#include "support/packet_builder.h"
#include "support/pcap_writer.h"

namespace tocsin::testing {
namespace {

namespace ts = tocsin::testsupport;
using Bytes = std::vector<std::uint8_t>;

constexpr ts::Mac kRockwellMac = {0x00, 0x1d, 0x9c, 0x11, 0x22, 0x33};  // MA-L 00-1D-9C
constexpr ts::Mac kSiemensMac = {0x00, 0x0e, 0x8c, 0x44, 0x55, 0x66};   // MA-L 00-0E-8C
constexpr ts::Mac kRouterMac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};    // locally administered

Bytes udp_frame(const ts::Mac& dst, const ts::Mac& src, const char* from, const char* to) {
    const Bytes payload = {1, 2, 3, 4};
    return ts::ethernet(dst, src, 0x0800,
                        ts::ip_packet(from, to, 17, ts::udp(40000, 9999, payload, from, to)));
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(Assets, RunWritesInventoryRecordsAndTable) {
    TempDir dir;
    const std::string pcap = dir.file("assets.pcap");
    {
        ts::PcapWriter w(pcap);
        // Two devices of the home network talk; one of them talks to a public address, whose
        // reply comes through a router (its MAC is the router's).
        w.write(1700000000, 0,
                udp_frame(kSiemensMac, kRockwellMac, "192.168.1.10", "192.168.1.20"));
        w.write(1700000001, 0,
                udp_frame(kRockwellMac, kSiemensMac, "192.168.1.20", "192.168.1.10"));
        w.write(1700000002, 0, udp_frame(kRouterMac, kRockwellMac, "192.168.1.10", "198.51.100.7"));
        w.write(1700000003, 0, udp_frame(kRockwellMac, kRouterMac, "198.51.100.7", "192.168.1.10"));
        w.flush();
    }
    const CommandResult run = run_tocsin({"run", "-r", pcap, "-l", dir.path().string()});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_NE(run.output.find("assets 2"), std::string::npos) << run.output;

    const auto doc = nlohmann::json::parse(read_file(dir.file("assets.json")));
    ASSERT_EQ(doc["count"], 2);
    const auto& devices = doc["devices"];
    EXPECT_EQ(devices[0]["ip"], "192.168.1.10");
    EXPECT_EQ(devices[0]["mac"], "00:1d:9c:11:22:33");
    EXPECT_EQ(devices[1]["ip"], "192.168.1.20");
    EXPECT_EQ(devices[1]["mac"], "00:0e:8c:44:55:66");
    EXPECT_EQ(devices[0]["first_seen"], "2023-11-14T22:13:20.000000+0000");
    if (std::ifstream("/usr/share/ieee-data/oui.csv")) {
        EXPECT_EQ(devices[0]["vendor"], "Rockwell Automation");
        EXPECT_EQ(devices[1]["vendor"], "Siemens AG");
    }

    const auto events = of_type(read_eve(dir.file("eve.json")), "asset");
    ASSERT_EQ(events.size(), 2u);  // each device appears once; nothing changed afterwards
    EXPECT_EQ(events[0]["change"], "new");
    EXPECT_EQ(events[0]["src_ip"], "192.168.1.10");
    EXPECT_TRUE(events[0].contains("flow_id"));

    const CommandResult table = run_tocsin({"assets", dir.path().string()});
    EXPECT_EQ(table.exit_code, 0) << table.output;
    EXPECT_NE(table.output.find("192.168.1.20  00:0e:8c:44:55:66"), std::string::npos)
        << table.output;
    EXPECT_NE(table.output.find("2 devices"), std::string::npos);
}

TEST(Assets, SwitchedOffWritesNothing) {
    TempDir dir;
    const std::string pcap = dir.file("assets.pcap");
    {
        ts::PcapWriter w(pcap);
        w.write(1700000000, 0,
                udp_frame(kSiemensMac, kRockwellMac, "192.168.1.10", "192.168.1.20"));
        w.flush();
    }
    const CommandResult run =
        run_tocsin({"run", "-r", pcap, "-l", dir.path().string(), "--set", "assets.enabled=no"});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_FALSE(std::ifstream(dir.file("assets.json")).good());
    EXPECT_TRUE(of_type(read_eve(dir.file("eve.json")), "asset").empty());
    EXPECT_NE(run_tocsin({"assets", dir.path().string()}).exit_code, 0);
}

}  // namespace
}  // namespace tocsin::testing
