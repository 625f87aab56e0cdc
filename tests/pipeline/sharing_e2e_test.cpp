// The whole sharing loop with the tocsin binary, as two partners would run it: a CERT publishes
// indicators to a hub, a sensor operator pulls them (`tocsin share pull`), inspects a capture
// with them (`tocsin run --intel`), and pushes its sightings back (`tocsin share push`), which
// the CERT then reads from the hub. TLP decides what crosses: the CERT's TLP:RED indicator
// never reaches the sensor. Expected values are what the test published and captured.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>

#include "pipeline/harness.h"
#include "pipeline/traffic.h"
#include "support/pcap_writer.h"

extern char** environ;

namespace tocsin::testing {
namespace {

constexpr const char* kCollection = "91a7b528-80eb-42ed-a74d-c6fbd5a26116";
constexpr const char* kTlpAmber = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
constexpr const char* kTlpRed = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
constexpr const char* kAmberId = "indicator--5b0f4f0e-8f43-4b8f-9d36-2b7e6d1c0a01";
constexpr const char* kRedId = "indicator--5b0f4f0e-8f43-4b8f-9d36-2b7e6d1c0a02";
constexpr const char* kMedia = "application/taxii+json;version=2.1";

// `tocsin hub` as a child process, stopped (SIGTERM) when the test ends.
class HubProcess {
  public:
    HubProcess(const std::string& config, const std::string& log) {
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                         0644);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        std::vector<std::string> args = {TOCSIN_BINARY, "hub", "-c", config};
        std::vector<char*> argv;
        for (std::string& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        if (posix_spawn(&pid_, TOCSIN_BINARY, &actions, nullptr, argv.data(), environ) != 0)
            pid_ = -1;
        posix_spawn_file_actions_destroy(&actions);
        // The hub prints its URL once it listens (port 0: any free port).
        const std::string listening = "serving TAXII 2.1 at http://127.0.0.1:";
        for (int i = 0; i < 100 && pid_ > 0 && port_ == 0; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            std::ifstream in(log);
            const std::string text((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
            if (const auto at = text.find(listening); at != std::string::npos)
                port_ = std::atoi(text.c_str() + at + listening.size());
        }
    }
    ~HubProcess() {
        if (pid_ <= 0) return;
        kill(pid_, SIGTERM);
        int status = 0;
        waitpid(pid_, &status, 0);
    }
    HubProcess(const HubProcess&) = delete;
    HubProcess& operator=(const HubProcess&) = delete;
    int port() const { return port_; }

  private:
    pid_t pid_ = -1;
    int port_ = 0;
};

std::string indicator(const std::string& id, const std::string& pattern,
                      const std::string& marking) {
    return R"({"type":"indicator","spec_version":"2.1","id":")" + id +
           R"(","created":"2023-01-01T00:00:00.000Z","modified":"2023-01-01T00:00:00.000Z",)"
           R"("name":"shared indicator","pattern":")" +
           pattern +
           R"(","pattern_type":"stix","valid_from":"2023-01-01T00:00:00Z",)"
           R"("object_marking_refs":[")" +
           marking + R"("]})";
}

std::string partner_key(const TempDir& dir, const std::string& name, const std::string& org) {
    const CommandResult r = run_command(shell_quote(TOCSIN_BINARY) + " hub partner add " + name +
                                        " --org " + org + " --read " + kCollection + " --write " +
                                        kCollection + " -c " + shell_quote(dir.file("hub.yaml")));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    // The key is the one line of standard output (the notice on stderr is mixed in here).
    std::string key;
    std::istringstream lines(r.output);
    for (std::string line; std::getline(lines, line);)
        if (!line.empty() && line.find(' ') == std::string::npos) key = line;
    return key;
}

// A DNS query for www.amber.example and a connection into 203.0.113.0/24 (the RED indicator).
void write_capture(const std::string& path) {
    std::vector<Bytes> frames = {dns_query_frame("www.amber.example", "10.0.0.1", "10.0.0.53")};
    for (Bytes& f : tcp_exchange("10.0.0.1", 40001, "203.0.113.7", 443, "", ""))
        frames.push_back(std::move(f));
    ts::PcapWriter writer(path);
    for (std::size_t i = 0; i < frames.size(); ++i)
        writer.write(1700000000 + static_cast<std::int64_t>(i), 0, frames[i]);
    writer.flush();
}

TEST(SharingEndToEnd, IndicatorsFlowToTheSensorAndSightingsBack) {
    TempDir dir;
    std::ofstream(dir.file("hub.yaml")) << "title: test hub\n"
                                           "listen: {address: 127.0.0.1, port: 0}\n"
                                           "database: "
                                        << dir.file("hub.db") << "\n"
                                        << "communities:\n  isac: [cert-org, grid-org]\n"
                                           "api-roots:\n"
                                           "  - path: isac\n    title: ISAC\n    default: true\n"
                                           "    collections:\n      - id: "
                                        << kCollection
                                        << "\n        title: indicators\n"
                                           "        community: isac\n        default-tlp: green\n";
    const std::string cert_key = partner_key(dir, "cert", "cert-org");
    const std::string sensor_key = partner_key(dir, "sensor", "grid-org");
    ASSERT_FALSE(cert_key.empty());
    ASSERT_FALSE(sensor_key.empty());

    HubProcess hub(dir.file("hub.yaml"), dir.file("hub.log"));
    ASSERT_NE(hub.port(), 0) << "the hub did not start; see its log";
    const std::string api_root = "http://127.0.0.1:" + std::to_string(hub.port()) + "/isac/";
    const std::string objects = std::string("/isac/collections/") + kCollection + "/objects/";

    // The CERT publishes an AMBER indicator (the community may see it) and a RED one (only
    // the CERT may).
    httplib::Client cert("127.0.0.1", hub.port());
    cert.set_bearer_token_auth(cert_key.c_str());
    const std::string envelope =
        "{\"objects\":[" + indicator(kAmberId, "[domain-name:value = 'amber.example']", kTlpAmber) +
        "," + indicator(kRedId, "[ipv4-addr:value ISSUBSET '203.0.113.0/24']", kTlpRed) + "]}";
    httplib::Headers accept = {{"Accept", kMedia}};
    const auto posted = cert.Post(objects.c_str(), accept, envelope, kMedia);
    ASSERT_TRUE(posted);
    ASSERT_EQ(posted->status, 202) << posted->body;
    EXPECT_EQ(nlohmann::json::parse(posted->body)["success_count"], 2);

    // The sensor operator pulls into its intel folder and inspects a capture with it.
    const std::string env = "TOCSIN_API_KEY=" + shell_quote(sensor_key) + " ";
    const CommandResult pulled =
        run_command(env + shell_quote(TOCSIN_BINARY) + " share pull --from " + api_root +
                    " --collection " + kCollection + " --store " + shell_quote(dir.file("intel")));
    ASSERT_EQ(pulled.exit_code, 0) << pulled.output;
    EXPECT_EQ(pulled.output.find(sensor_key), std::string::npos) << "the key was printed";
    write_capture(dir.file("c.pcap"));
    std::filesystem::create_directories(dir.file("logs"));
    const CommandResult ran = run_tocsin({"run", "-r", dir.file("c.pcap"), "-l", dir.file("logs"),
                                          "--intel", dir.file("intel"), "-k", "none"});
    ASSERT_EQ(ran.exit_code, 0) << ran.output;
    std::set<std::string> fired;
    for (const nlohmann::json& e : read_eve(dir.file("logs/eve.json")))
        if (e.value("event_type", "") == "alert" && e["alert"].contains("metadata"))
            fired.insert(e["alert"]["metadata"]["intel_id"][0].get<std::string>());
    EXPECT_EQ(fired, std::set<std::string>{kAmberId});  // RED never left the hub

    // Its sightings go back; the CERT reads them.
    const CommandResult pushed =
        run_command(env + shell_quote(TOCSIN_BINARY) + " share push --to " + api_root +
                    " --collection " + kCollection + " " + shell_quote(dir.file("logs")));
    ASSERT_EQ(pushed.exit_code, 0) << pushed.output;
    const auto got = cert.Get((objects + "?match[type]=sighting").c_str(), accept);
    ASSERT_TRUE(got);
    ASSERT_EQ(got->status, 200) << got->body;
    const nlohmann::json page = nlohmann::json::parse(got->body);
    ASSERT_TRUE(page.contains("objects")) << got->body;
    ASSERT_EQ(page["objects"].size(), 1u) << got->body;
    const nlohmann::json& sighting = page["objects"][0];
    EXPECT_EQ(sighting["sighting_of_ref"], kAmberId);
    EXPECT_EQ(sighting["count"], 1);

    // Pushing again sends nothing new (the push resumes from its state).
    const CommandResult again =
        run_command(env + shell_quote(TOCSIN_BINARY) + " share push --to " + api_root +
                    " --collection " + kCollection + " " + shell_quote(dir.file("logs")));
    EXPECT_EQ(again.exit_code, 0) << again.output;
    const auto after = cert.Get((objects + "?match[type]=sighting").c_str(), accept);
    ASSERT_TRUE(after);
    EXPECT_EQ(nlohmann::json::parse(after->body)["objects"].size(), 1u);
}

}  // namespace
}  // namespace tocsin::testing
