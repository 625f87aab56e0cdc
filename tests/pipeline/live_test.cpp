// Live capture on the loopback interface. Needs root (or CAP_NET_RAW); skipped otherwise.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "pipeline/harness.h"

namespace tocsin::testing {
namespace {

// Sends `count` datagrams from one socket (one flow) to 127.0.0.1:port; `text(i)` is the i-th.
template <typename Text>
void send_udp_from_one_socket(std::uint16_t port, int count, Text text) {
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < count; ++i) {
        const std::string msg = text(i);
        sendto(fd, msg.data(), msg.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    close(fd);
}

void send_udp(std::uint16_t port, int count) {
    send_udp_from_one_socket(port, count,
                             [](int i) { return "tocsin live test " + std::to_string(i); });
}

void send_udp_text(std::uint16_t port, const std::string& text, int count) {
    send_udp_from_one_socket(port, count, [&](int) { return text; });
}

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

std::string file_text(const std::string& path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Waits until tocsin has opened the interface (or gave up); false when it is not running.
bool wait_until_capturing(pid_t pid, const std::string& stderr_file) {
    for (int i = 0; i < 100; ++i) {
        if (file_text(stderr_file).find("capturing on lo") != std::string::npos) break;
        if (kill(pid, 0) != 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return kill(pid, 0) == 0;
}

// SIGINT, then waits up to 5 s for the process to end; true when it did.
bool stop(pid_t pid) {
    if (kill(pid, SIGINT) != 0) return false;
    for (int i = 0; i < 250 && kill(pid, 0) == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return kill(pid, 0) != 0;
}

TEST(Live, CapturesFromLoopbackDropsRootAndStopsOnSigint) {
    if (geteuid() != 0) GTEST_SKIP() << "live capture needs root";
    TempDir dir;
    const std::uint16_t port = static_cast<std::uint16_t>(40000 + getpid() % 20000);
    const std::string cmd = shell_quote(TOCSIN_BINARY) + " run --set stats.interval=1 -i lo -l " +
                            shell_quote(dir.path().string()) + " 'udp port " +
                            std::to_string(port) + "' > " + shell_quote(dir.file("stderr.txt")) +
                            " 2>&1 & echo $!";
    const pid_t pid = static_cast<pid_t>(std::stol(run_command(cmd).output));
    if (!wait_until_capturing(pid, dir.file("stderr.txt")))
        GTEST_SKIP() << "cannot capture on lo here: " << file_text(dir.file("stderr.txt"));

    send_udp(port, 5);
    // Privileges are dropped once the interface is open.
    const std::string status = file_text("/proc/" + std::to_string(pid) + "/status");
    EXPECT_NE(status.find("Uid:\t65534"), std::string::npos) << status;

    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // one periodic stats record
    ASSERT_TRUE(stop(pid)) << "tocsin did not stop on SIGINT";

    const auto events = read_eve(dir.file("eve.json"));
    const auto flows = of_type(events, "flow");
    ASSERT_EQ(flows.size(), 1u) << file_text(dir.file("stderr.txt"));
    EXPECT_EQ(flows[0]["dest_port"], port);
    EXPECT_EQ(flows[0]["flow"]["pkts_toserver"], 5);
    // Periodic stats while running, and the final one last.
    const auto stats = of_type(events, "stats");
    ASSERT_GE(stats.size(), 2u);
    EXPECT_EQ(events.back()["event_type"], "stats");
    EXPECT_EQ(stats.back()["stats"]["decoder"]["pkts"], 5);
    EXPECT_EQ(stats.back()["stats"]["flow"]["udp"], 1);
    // Loopback checksums are left to offloading: the flow is still counted.
    EXPECT_NE(file_text(dir.file("stderr.txt")).find("captured"), std::string::npos);
}

// SIGUSR2 swaps the rule set while capturing: packets before the reload meet the old rules,
// packets after it the new ones, and none is lost in between.
TEST(Live, Sigusr2ReloadsRulesWithoutLosingPackets) {
    if (geteuid() != 0) GTEST_SKIP() << "live capture needs root";
    TempDir dir;
    // The rules must stay readable once tocsin runs as nobody.
    std::filesystem::permissions(
        dir.path(), std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                        std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                        std::filesystem::perms::others_exec);
    const std::uint16_t port = static_cast<std::uint16_t>(40000 + (getpid() + 7) % 20000);
    const std::string rules = dir.file("live.rules");
    auto write_rules = [&](const std::string& text) {
        std::ofstream(rules) << text;
        std::filesystem::permissions(
            rules, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                       std::filesystem::perms::group_read | std::filesystem::perms::others_read);
    };
    const std::string port_text = std::to_string(port);
    write_rules("alert udp any any -> any " + port_text +
                " (msg:\"before reload\"; content:\"alpha\"; sid:1;)\n");
    const std::string cmd = shell_quote(TOCSIN_BINARY) + " run -i lo -S " + shell_quote(rules) +
                            " -l " + shell_quote(dir.path().string()) + " 'udp port " + port_text +
                            "' > " + shell_quote(dir.file("stderr.txt")) + " 2>&1 & echo $!";
    const pid_t pid = static_cast<pid_t>(std::stol(run_command(cmd).output));
    if (!wait_until_capturing(pid, dir.file("stderr.txt")))
        GTEST_SKIP() << "cannot capture on lo here: " << file_text(dir.file("stderr.txt"));

    send_udp_text(port, "alpha 1", 2);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    write_rules("alert udp any any -> any " + port_text +
                " (msg:\"after reload\"; content:\"beta\"; sid:2;)\n");
    ASSERT_EQ(kill(pid, SIGUSR2), 0);
    for (int i = 0; i < 250; ++i) {
        if (count_of(file_text(dir.file("stderr.txt")), "rules loaded") >= 2) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_EQ(count_of(file_text(dir.file("stderr.txt")), "rules loaded"), 2u)
        << file_text(dir.file("stderr.txt"));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // workers switch per batch
    send_udp_text(port, "beta 2", 2);
    send_udp_text(port, "alpha 3", 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_TRUE(stop(pid)) << "tocsin did not stop on SIGINT";

    const auto events = read_eve(dir.file("eve.json"));
    std::size_t old_rule = 0, new_rule = 0;
    for (const auto& alert : of_type(events, "alert")) {
        if (alert["alert"]["signature_id"] == 1) ++old_rule;
        if (alert["alert"]["signature_id"] == 2) ++new_rule;
    }
    EXPECT_EQ(old_rule, 2u) << "the old rule fires before the reload only";
    EXPECT_EQ(new_rule, 2u) << "the new rule fires after it";
    // Each burst comes from its own socket (its own flow); together they carry every packet.
    std::uint64_t packets = 0;
    for (const auto& flow : of_type(events, "flow"))
        packets += flow["flow"]["pkts_toserver"].get<std::uint64_t>();
    EXPECT_EQ(packets, 5u) << "no packet lost across the reload";
}

TEST(Live, UnknownInterfaceIsAClearError) {
    TempDir dir;
    const auto r = run_tocsin({"run", "-q", "-i", "no-such-if0", "-l", dir.path().string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("no-such-if0: cannot capture"), std::string::npos) << r.output;
}

TEST(Live, FilesAndInterfaceTogetherIsAUsageError) {
    EXPECT_EQ(run_tocsin({"run", "-r", "x.pcap", "-i", "lo"}).exit_code, 2);
}

}  // namespace
}  // namespace tocsin::testing
