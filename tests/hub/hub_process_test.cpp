// The hub as operators run it: `tocsin hub` as a subprocess (TOCSIN_BINARY), partners made with
// `tocsin hub partner add|list|revoke`, crash safety under kill -9, TLS, and the refusal of
// plain HTTP off loopback. Skipped when the binary has not been built.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "hub_fixture.h"

namespace tocsin::hub {
namespace {

using nlohmann::json;
using testing::indicator;
using testing::stix_id;

constexpr const char* kCollection = "91a7b528-80eb-42ed-a74d-c6fbd5a26116";

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

struct CommandResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

CommandResult run(const std::filesystem::path& dir, const std::string& args) {
    const auto out = dir / "cmd.out";
    const auto err = dir / "cmd.err";
    const auto command =
        fmt::format("'{}' {} > '{}' 2> '{}'", TOCSIN_BINARY, args, out.string(), err.string());
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out), read_file(err)};
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

// `tocsin hub -c CONFIG` in a child process; stderr goes to a file we read the port from.
class HubProcess {
  public:
    HubProcess(const std::filesystem::path& dir, const std::string& config)
        : log_(dir / "hub.log") {
        // A previous run's log must not be read as this one's (the child truncates it only
        // once it runs).
        std::filesystem::remove(log_);
        pid_ = fork();
        if (pid_ == 0) {
            const int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            dup2(fd, STDERR_FILENO);
            execl(TOCSIN_BINARY, TOCSIN_BINARY, "hub", "-c", config.c_str(), nullptr);
            _exit(127);
        }
        const std::regex serving(R"(serving TAXII 2\.1 at https?://[^:]+:(\d+)/taxii2/)");
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (std::chrono::steady_clock::now() < deadline) {
            std::smatch m;
            const auto log = read_file(log_);
            if (std::regex_search(log, m, serving)) {
                port_ = std::stoi(m[1]);
                return;
            }
            int status = 0;
            if (waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    ~HubProcess() { kill(SIGTERM); }
    HubProcess(const HubProcess&) = delete;
    HubProcess& operator=(const HubProcess&) = delete;

    int port() const { return port_; }
    std::string log() const { return read_file(log_); }
    // Sends `signal` and reaps the child; returns its wait status.
    int kill(int signal) {
        if (pid_ <= 0) return 0;
        ::kill(pid_, signal);
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
        return status;
    }

  private:
    std::filesystem::path log_;
    pid_t pid_ = -1;
    int port_ = 0;
};

class HubProcessTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!std::filesystem::exists(TOCSIN_BINARY)) GTEST_SKIP() << "no " << TOCSIN_BINARY;
        config_ = (dir_.path() / "hub.yaml").string();
        write_config(config_, "");
    }

    void write_config(const std::string& path, const std::string& extra) const {
        std::ofstream(path) << fmt::format(
            "database: hub.db\nlisten:\n  address: 127.0.0.1\n  port: 0\n{}"
            "api-roots:\n  - path: api1\n    title: Sharing\n    collections:\n"
            "      - id: {}\n        title: Indicators\n        default-tlp: clear\n",
            extra, kCollection);
    }

    std::string add_partner(const std::string& name) {
        const auto r = run(dir_.path(), fmt::format("hub partner add {} --org org-a --read {} "
                                                    "--write {} -c '{}'",
                                                    name, kCollection, kCollection, config_));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return trim(r.out);
    }

    testing::TempDir dir_;
    std::string config_;
};

httplib::Client client_for(int port, const std::string& user, const std::string& key) {
    httplib::Client c("127.0.0.1", port);
    c.set_basic_auth(user, key);
    c.set_read_timeout(30);
    return c;
}

TEST_F(HubProcessTest, AcknowledgedPostSurvivesKill9) {
    const auto key = add_partner("alice");
    ASSERT_EQ(key.size(), 60u) << key;  // <16 hex>.<43 base64url>
    const auto objects_path = fmt::format("/api1/collections/{}/objects/", kCollection);
    json objects = json::array();
    for (unsigned i = 0; i < 3; ++i)
        objects.push_back(indicator(stix_id("indicator", i), "2024-01-01T00:00:00.000Z"));
    std::string status_id;
    {
        HubProcess hub(dir_.path(), config_);
        ASSERT_NE(hub.port(), 0) << hub.log();
        auto c = client_for(hub.port(), "alice", key);
        const auto res =
            c.Post(objects_path, {{"Accept", "application/taxii+json;version=2.1"}},
                   json{{"objects", objects}}.dump(), "application/taxii+json;version=2.1");
        ASSERT_TRUE(res);
        ASSERT_EQ(res->status, 202) << res->body;
        // The moment the 202 is in: no clean shutdown, no chance to flush anything.
        const int status = hub.kill(SIGKILL);
        EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        status_id = json::parse(res->body)["id"];
    }
    HubProcess again(dir_.path(), config_);
    ASSERT_NE(again.port(), 0) << again.log();
    auto c = client_for(again.port(), "alice", key);
    const auto res = c.Get(objects_path);
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200);
    EXPECT_EQ(testing::ids_of(json::parse(res->body)["objects"]),
              (std::vector<std::string>{stix_id("indicator", 0), stix_id("indicator", 1),
                                        stix_id("indicator", 2)}));
    EXPECT_EQ(c.Get(fmt::format("/api1/status/{}/", status_id))->status, 200);
}

TEST_F(HubProcessTest, PartnerListNeverShowsSecretsAndRevokeTakesEffectAtOnce) {
    const auto key = add_partner("alice");
    const auto secret = key.substr(17);
    const auto list = run(dir_.path(), fmt::format("hub partner list -c '{}'", config_));
    EXPECT_EQ(list.exit_code, 0);
    EXPECT_NE(list.out.find("alice"), std::string::npos);
    EXPECT_NE(list.out.find("org-a"), std::string::npos);
    EXPECT_EQ(list.out.find(secret), std::string::npos);
    EXPECT_EQ(read_file(dir_.path() / "hub.db").find(secret), std::string::npos);
    EXPECT_EQ(
        run(dir_.path(), fmt::format("hub partner add alice --org x -c '{}'", config_)).exit_code,
        1);

    HubProcess hub(dir_.path(), config_);
    ASSERT_NE(hub.port(), 0) << hub.log();
    auto c = client_for(hub.port(), "alice", key);
    EXPECT_EQ(c.Get("/taxii2/")->status, 200);
    EXPECT_EQ(c.Get("/taxii2/")->status, 200);  // now from the verified-key cache
    const auto revoke = run(dir_.path(), fmt::format("hub partner revoke alice -c '{}'", config_));
    EXPECT_EQ(revoke.exit_code, 0) << revoke.err;
    EXPECT_EQ(c.Get("/taxii2/")->status, 401);
    const auto listed = run(dir_.path(), fmt::format("hub partner list -c '{}'", config_));
    EXPECT_NE(listed.out.find("revoked"), std::string::npos);
    EXPECT_EQ(run(dir_.path(), fmt::format("hub partner revoke alice -c '{}'", config_)).exit_code,
              1);
}

TEST_F(HubProcessTest, PartnerAddChecksItsArguments) {
    EXPECT_EQ(
        run(dir_.path(), fmt::format("hub partner add 'a:b' --org o -c '{}'", config_)).exit_code,
        2);
    EXPECT_EQ(run(dir_.path(), fmt::format("hub partner add a --org o --read "
                                           "00000000-0000-4000-8000-000000000000 -c '{}'",
                                           config_))
                  .exit_code,
              2);
    EXPECT_EQ(
        run(dir_.path(), fmt::format("hub partner add a --org o --identity x -c '{}'", config_))
            .exit_code,
        2);
    const auto ok =
        run(dir_.path(), fmt::format("hub partner add a --org o --identity "
                                     "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff -c '{}'",
                                     config_));
    EXPECT_EQ(ok.exit_code, 0) << ok.err;
    EXPECT_NE(run(dir_.path(), fmt::format("hub partner list -c '{}'", config_))
                  .out.find("identity--f431f809-377b-45e0-aa1c-6a4751cae5ff"),
              std::string::npos);
}

TEST_F(HubProcessTest, RefusesPlainHttpOffLoopback) {
    const auto path = (dir_.path() / "public.yaml").string();
    std::ofstream(path) << fmt::format(
        "database: hub.db\nlisten:\n  address: 0.0.0.0\n  port: 0\n"
        "api-roots:\n  - path: api1\n    title: t\n");
    const auto r = run(dir_.path(), fmt::format("hub -c '{}'", path));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("refusing to serve plain HTTP on 0.0.0.0"), std::string::npos) << r.err;
}

TEST_F(HubProcessTest, ServesTls) {
    if (std::system("openssl version > /dev/null 2>&1") != 0) GTEST_SKIP() << "no openssl";
    const auto cert = dir_.path() / "hub.crt";
    const auto key_file = dir_.path() / "hub.key";
    const auto gen = fmt::format(
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
        "-addext subjectAltName=IP:127.0.0.1 "
        "-keyout '{}' -out '{}' > /dev/null 2>&1",
        key_file.string(), cert.string());
    ASSERT_EQ(std::system(gen.c_str()), 0);
    write_config(config_, fmt::format("tls:\n  certificate: {}\n  key: {}\n", cert.string(),
                                      key_file.string()));
    const auto key = add_partner("alice");
    HubProcess hub(dir_.path(), config_);
    ASSERT_NE(hub.port(), 0) << hub.log();
    EXPECT_NE(hub.log().find("https://"), std::string::npos);
    httplib::SSLClient c("127.0.0.1", hub.port());
    c.set_ca_cert_path(cert.c_str());
    c.enable_server_certificate_verification(true);
    c.set_basic_auth("alice", key);
    const auto res = c.Get("/taxii2/");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 200);
    EXPECT_NE(res->body.find(fmt::format("https://127.0.0.1:{}/api1/", hub.port())),
              std::string::npos);
    // Plain HTTP to the TLS port gets nothing useful.
    httplib::Client plain("127.0.0.1", hub.port());
    plain.set_read_timeout(5);
    const auto clear = plain.Get("/taxii2/");
    EXPECT_TRUE(!clear || clear->status != 200);
    // A wrong key file stops the start with a message.
    write_config(config_,
                 fmt::format("tls:\n  certificate: {}\n  key: {}\n", cert.string(), cert.string()));
    const auto bad = run(dir_.path(), fmt::format("hub -c '{}'", config_));
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.err.find("cannot load the TLS certificate"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace tocsin::hub
