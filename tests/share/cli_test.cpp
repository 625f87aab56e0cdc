// `tocsin share pull|push` as a user runs it (skipped when the tocsin binary is not built).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <thread>

#include "share/mock_taxii.h"
#include "share/share_test_util.h"

namespace tocsin::share {
namespace {

using testing::files_in;
using testing::kCollection;
using testing::MockTaxii;
using testing::TempFolder;

struct CommandRun {
    int exit_code = -1;
    std::string output;  // stdout and stderr
};

CommandRun run_tocsin(const std::string& environment, const std::string& arguments) {
    const std::string command =
        environment + " " + std::string(TOCSIN_BINARY) + " " + arguments + " 2>&1";
    CommandRun run;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return run;
    char buffer[4096];
    while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe))
        run.output.append(buffer, n);
    const int status = pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

// Starts tocsin with `arguments`, its output discarded; the process id.
pid_t spawn_tocsin(const std::vector<std::string>& arguments) {
    std::vector<std::string> words{TOCSIN_BINARY};
    words.insert(words.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    if (posix_spawn(&pid, TOCSIN_BINARY, &actions, nullptr, argv.data(), environ) != 0) pid = -1;
    posix_spawn_file_actions_destroy(&actions);
    return pid;
}

// Waits `after` and kills the process with SIGKILL if it is still running. True when it had
// already finished with exit status 0.
bool finished_or_killed(pid_t pid, std::chrono::milliseconds after) {
    std::this_thread::sleep_for(after);
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) && WEXITSTATUS(status) == 0;
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return false;
}

class ShareCli : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!std::filesystem::exists(TOCSIN_BINARY))
            GTEST_SKIP() << "build the tocsin target first: " << TOCSIN_BINARY;
    }
    std::string common() const {
        return "--collection " + std::string(kCollection) + " --key-file " +
               (folder.path() / "key").string();
    }
    void write_key(const std::string& key) const {
        std::ofstream(folder.path() / "key") << key << "\n";
        std::filesystem::permissions(
            folder.path() / "key",
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    }

    MockTaxii mock;
    TempFolder folder;
};

TEST_F(ShareCli, PullWritesPagesIntoTheStore) {
    mock.add_indicators(7);
    mock.set_required_authorization("Bearer cli-key-1");
    write_key("cli-key-1");
    const auto store = folder.path() / "intel";
    const CommandRun run = run_tocsin("", "share pull --from " + mock.api_root_url() + " --store " +
                                              store.string() + " --limit 3 " + common());
    EXPECT_EQ(run.exit_code, 0) << run.output;
    const auto pages = files_in(
        store / ("127.0.0.1-" + std::to_string(mock.port()) + "-api1-" + std::string(kCollection)));
    EXPECT_EQ(pages.size(), 3u);  // 7 objects, 3 per page
    EXPECT_NE(run.output.find("pulled 3 pages (7 objects)"), std::string::npos) << run.output;
}

// Without --store, pull writes where the sensor's configuration loads intelligence from, so
// a run with the same configuration uses what was pulled.
TEST_F(ShareCli, PullWithoutStoreWritesIntoTheConfiguredIntelStore) {
    mock.add_indicators(4);
    write_key("cli-key-2");
    const auto store = folder.path() / "configured-intel";
    const auto config = folder.path() / "tocsin.yaml";
    std::ofstream(config) << "intel:\n  store: " << store.string() << "\n";
    const auto pulled_into =
        store / ("127.0.0.1-" + std::to_string(mock.port()) + "-api1-" + std::string(kCollection));

    const CommandRun from_file = run_tocsin(
        "", "share pull --from " + mock.api_root_url() + " -c " + config.string() + " " + common());
    EXPECT_EQ(from_file.exit_code, 0) << from_file.output;
    EXPECT_EQ(files_in(pulled_into).size(), 1u);  // 4 objects, one page of 500

    // --store wins over the configuration; --set works like the file.
    const auto other = folder.path() / "other-intel";
    const CommandRun explicit_store =
        run_tocsin("", "share pull --from " + mock.api_root_url() + " -c " + config.string() +
                           " --store " + other.string() + " " + common());
    EXPECT_EQ(explicit_store.exit_code, 0) << explicit_store.output;
    EXPECT_TRUE(std::filesystem::exists(other)) << explicit_store.output;
    const auto set_store = folder.path() / "set-intel";
    const CommandRun from_set =
        run_tocsin("", "share pull --from " + mock.api_root_url() +
                           " --set intel.store=" + set_store.string() + " " + common());
    EXPECT_EQ(from_set.exit_code, 0) << from_set.output;
    EXPECT_TRUE(std::filesystem::exists(set_store)) << from_set.output;
}

TEST_F(ShareCli, PullWithNowhereToWriteIsAUsageError) {
    write_key("cli-key-3");
    const CommandRun run =
        run_tocsin("", "share pull --from " + mock.api_root_url() + " " + common());
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_NE(run.output.find("intel.store"), std::string::npos) << run.output;
    // A configuration that cannot be read is a usage error even beside --store.
    const auto store = folder.path() / "intel";
    const CommandRun bad_config =
        run_tocsin("", "share pull --from " + mock.api_root_url() + " --store " + store.string() +
                           " -c " + (folder.path() / "missing.yaml").string() + " " + common());
    EXPECT_EQ(bad_config.exit_code, 2) << bad_config.output;
    EXPECT_NE(bad_config.output.find("missing.yaml"), std::string::npos) << bad_config.output;
    EXPECT_FALSE(std::filesystem::exists(store));
    EXPECT_TRUE(mock.requests().empty());
}

TEST_F(ShareCli, PullsKilledAtRandomMomentsEndWithEveryObjectExactlyOnce) {
    mock.add_indicators(40);
    mock.set_objects_delay(std::chrono::milliseconds(25));  // 20 pages of 2: about 0.5 s a run
    const auto store = folder.path() / "intel";
    const std::vector<std::string> arguments{"share",
                                             "pull",
                                             "--from",
                                             mock.api_root_url(),
                                             "--store",
                                             store.string(),
                                             "--collection",
                                             kCollection,
                                             "--limit",
                                             "2",
                                             "-q"};
    int kills = 0;
    bool finished = false;
    for (int attempt = 0; attempt < 60 && !finished; ++attempt) {
        const pid_t pid = spawn_tocsin(arguments);
        ASSERT_GT(pid, 0);
        // Kill points spread over a run and shifted by a few ms each time, so some land
        // between a page's rename and its state update.
        finished = finished_or_killed(pid, std::chrono::milliseconds(30 + (attempt * 37) % 170));
        kills += finished ? 0 : 1;
    }
    if (!finished) {
        const pid_t pid = spawn_tocsin(arguments);
        ASSERT_GT(pid, 0);
        int status = 0;
        waitpid(pid, &status, 0);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    EXPECT_GE(kills, 2);

    const auto page_folder =
        store / ("127.0.0.1-" + std::to_string(mock.port()) + "-api1-" + std::string(kCollection));
    std::vector<nlohmann::json> pulled;
    std::vector<std::string> names;
    for (const auto& page : files_in(page_folder)) {
        names.push_back(page.filename().string());
        const auto bundle = nlohmann::json::parse(testing::read_text(page));
        for (const auto& object : bundle.at("objects")) pulled.push_back(object);
    }
    std::vector<nlohmann::json> expected;
    for (const auto& stored : mock.objects()) expected.push_back(stored.object);
    EXPECT_EQ(pulled, expected);  // in order, none twice, none missing
    ASSERT_EQ(names.size(), 20u);
    for (std::size_t i = 0; i < names.size(); ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "page-%010zu.json", i + 1);
        EXPECT_EQ(names[i], name);
    }
}

TEST_F(ShareCli, PushSendsTheSightingsOfALogFolder) {
    write_key("cli-key-2");
    mock.set_required_authorization("Bearer cli-key-2");
    const auto log_dir = folder.path() / "run";
    std::filesystem::create_directories(log_dir);
    std::ofstream(log_dir / "sightings.json")
        << R"({"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000000","objects":[)"
        << R"({"type":"identity","spec_version":"2.1","id":"identity--00000000-0000-4000-8000-000000000001","created":"2024-03-02T00:00:00.000Z","modified":"2024-03-02T00:00:00.000Z","name":"s"},)"
        << R"({"type":"sighting","spec_version":"2.1","id":"sighting--00000000-0000-4000-8000-000000000002","created":"2024-03-02T00:00:00.000Z","modified":"2024-03-02T00:00:00.000Z","sighting_of_ref":"indicator--00000000-0000-4000-8000-000000000003"}]})";
    const CommandRun run = run_tocsin(
        "", "share push --to " + mock.api_root_url() + " " + log_dir.string() + " " + common());
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(mock.posted_objects().size(), 2u);
    EXPECT_NE(run.output.find("2 sent, 2 acknowledged, 0 rejected"), std::string::npos)
        << run.output;
}

TEST_F(ShareCli, AFailedPullExitsOneAndNeverShowsTheKey) {
    mock.set_required_authorization("Bearer right");
    mock.set_echo_authorization(true);
    const CommandRun run =
        run_tocsin("TOCSIN_API_KEY=Env-Secret-7f3a9",
                   "share pull --from " + mock.api_root_url() + " --store " +
                       (folder.path() / "intel").string() + " --collection " + kCollection);
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_NE(run.output.find("HTTP 401"), std::string::npos) << run.output;
    EXPECT_EQ(run.output.find("Env-Secret-7f3a9"), std::string::npos) << run.output;
}

TEST_F(ShareCli, PlainHttpToAnotherHostIsAUsageError) {
    const CommandRun run =
        run_tocsin("", "share pull --from http://192.0.2.7/api1/ --store " +
                           (folder.path() / "intel").string() + " --collection c");
    EXPECT_EQ(run.exit_code, 2) << run.output;
    EXPECT_NE(run.output.find("refusing plain http"), std::string::npos) << run.output;
    EXPECT_FALSE(std::filesystem::exists(folder.path() / "intel"));
}

}  // namespace
}  // namespace tocsin::share
