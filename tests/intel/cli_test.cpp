// `tocsin intel import` and `tocsin intel match` as an operator runs them (skipped when the
// tocsin binary has not been built).
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>

#include <gtest/gtest.h>

#include "intel_test_util.h"

namespace tocsin::intel {
namespace {

struct CommandResult {
    int status = -1;
    std::string out;
};

CommandResult run(const std::string& arguments) {
    CommandResult r;
    const std::string command = std::string(TOCSIN_BINARY) + " " + arguments + " 2>/dev/null";
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return r;
    std::array<char, 4096> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) r.out += buffer.data();
    const int status = pclose(pipe);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

class IntelCli : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!std::filesystem::exists(TOCSIN_BINARY)) GTEST_SKIP() << "tocsin not built";
    }
};

TEST_F(IntelCli, ImportReportsStoresAndExits) {
    test::TempDir dir;
    dir.write("feeds/list.csv",
              "type,value,name\nip,192.0.2.200,Scanner\ndomain,phish.test,Phish\nbtc,1B,x\n");
    dir.write(
        "feeds/sub/b.json",
        R"([{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-000000000002","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","pattern":"[file:name = 'x.exe']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"}])");
    const std::string feeds = (dir.path() / "feeds").string();
    const std::string store = (dir.path() / "store").string();
    const CommandResult r = run("intel import " + feeds + " --store " + store);
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("list.csv: csv, 2 indicators (ipv4 1, domain 1); types Tocsin does not "
                         "match: btc 1"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("total: 2 indicators (ipv4 1, domain 1) from 2 files"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("unsupported: " + feeds +
                         "/sub/b.json: indicator--00000000-0000-4000-8000-000000000002: "
                         "[file:name = 'x.exe']: file:name is not observed by Tocsin"),
              std::string::npos)
        << r.out;
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "store" / "list.csv"));
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "store" / "sub" / "b.json"));

    const CommandResult hit = run("intel match " + store + " --value www.phish.test");
    EXPECT_EQ(hit.status, 0);
    EXPECT_NE(hit.out.find("[domain-name:value = 'phish.test']"), std::string::npos) << hit.out;
    EXPECT_EQ(run("intel match " + store + " --value 192.0.2.200").status, 0);
    EXPECT_EQ(run("intel match " + store + " --value 192.0.2.201").status, 1);
    EXPECT_EQ(run("intel match " + store + " --value x --kind nonsense").status, 2);

    // A file that fails makes the import exit 1; so does loading nothing.
    dir.write("bad/broken.json", "{");
    EXPECT_EQ(run("intel import " + (dir.path() / "bad").string()).status, 1);
    EXPECT_EQ(run("intel import " + (dir.path() / "nope").string()).status, 1);
    EXPECT_EQ(run("intel import").status, 2);
}

}  // namespace
}  // namespace tocsin::intel
