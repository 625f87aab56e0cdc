// `tocsin run --intel`: indicators from a STIX bundle fire on a capture written here, as EVE
// alerts that name the indicator, and come back as STIX sightings. Every expected value is
// what the test put into the capture and the bundle (the digests from coreutils' sha256sum).
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pipeline/harness.h"
#include "pipeline/traffic.h"
#include "support/packet_builder.h"
#include "support/pcap_writer.h"

namespace tocsin::testing {
namespace {

constexpr const char* kTlpAmber = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
// printf 'MALWARE-BODY' | sha256sum
constexpr const char* kBodySha256 =
    "6f4677b48823121d0bc0a21c0b6be7ac8e2eecde0549e90deda255268f3f7d28";

// 1. HTTP download of a known-bad file from files.bad.example (URL, host and sha256 indicators).
// 2. A DNS query for cdn.evil.example (domain indicator evil.example: a parent).
// 3. Two connections into 203.0.113.0/24 (CIDR indicator, sighted twice).
// 4. 198.51.100.9 on port 8080 (compound indicator fires) and on 8081 (it does not).
// 5. A connection to 192.0.2.99: its indicator is revoked; 10.0.0.53: its indicator expired.
void write_capture(const std::string& path) {
    std::vector<Bytes> frames;
    auto add = [&](std::vector<Bytes> more) {
        for (Bytes& f : more) frames.push_back(std::move(f));
    };
    add(tcp_exchange("10.0.0.1", 40000, "192.0.2.80", 80,
                     "GET /download/payload.exe HTTP/1.1\r\nHost: files.bad.example\r\n\r\n",
                     "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nMALWARE-BODY"));
    frames.push_back(dns_query_frame("cdn.evil.example", "10.0.0.1", "10.0.0.53"));
    add(tcp_exchange("10.0.0.1", 40001, "203.0.113.7", 443, "", ""));
    add(tcp_exchange("10.0.0.2", 40002, "203.0.113.200", 443, "", ""));
    add(tcp_exchange("10.0.0.1", 40003, "198.51.100.9", 8080, "", ""));
    add(tcp_exchange("10.0.0.1", 40004, "198.51.100.9", 8081, "", ""));
    add(tcp_exchange("10.0.0.1", 40005, "192.0.2.99", 22, "", ""));
    ts::PcapWriter writer(path);
    for (std::size_t i = 0; i < frames.size(); ++i)
        writer.write(1700000000 + static_cast<std::int64_t>(i), 0, frames[i]);
    writer.flush();
}

std::string indicator(const std::string& uuid, const std::string& name, const std::string& pattern,
                      const std::string& extra = "") {
    return R"({"type":"indicator","spec_version":"2.1","id":"indicator--)" + uuid +
           R"(","created":"2023-01-01T00:00:00.000Z","modified":"2023-01-01T00:00:00.000Z",)" +
           R"("name":")" + name + R"(","pattern":")" + pattern +
           R"(","pattern_type":"stix","valid_from":"2023-01-01T00:00:00Z")" + extra + "}";
}

const std::map<std::string, std::string> kIds = {
    {"url", "00000000-0000-4000-8000-000000000001"},
    {"host", "00000000-0000-4000-8000-000000000002"},
    {"sha256", "00000000-0000-4000-8000-000000000003"},
    {"domain", "00000000-0000-4000-8000-000000000004"},
    {"cidr", "00000000-0000-4000-8000-000000000005"},
    {"compound", "00000000-0000-4000-8000-000000000006"},
    {"revoked", "00000000-0000-4000-8000-000000000007"},
    {"expired", "00000000-0000-4000-8000-000000000008"},
    {"sequence", "00000000-0000-4000-8000-000000000009"},
};

void write_bundle(const std::string& path) {
    std::vector<std::string> objects = {
        indicator(kIds.at("url"), "payload URL",
                  "[url:value = 'http://files.bad.example/download/payload.exe']"),
        indicator(kIds.at("host"), "payload host", "[domain-name:value = 'files.bad.example']",
                  R"(,"object_marking_refs":[")" + std::string(kTlpAmber) + R"("])"),
        indicator(kIds.at("sha256"), "payload",
                  "[file:hashes.'SHA-256' = '" + std::string(kBodySha256) + "']",
                  R"(,"indicator_types":["malicious-activity"])"),
        indicator(kIds.at("domain"), "evil domain", "[domain-name:value = 'evil.example']"),
        indicator(kIds.at("cidr"), "bad range", "[ipv4-addr:value ISSUBSET '203.0.113.0/24']"),
        indicator(kIds.at("compound"), "bad service",
                  "[network-traffic:dst_ref.value = '198.51.100.9' AND "
                  "network-traffic:dst_port = 8080]"),
        indicator(kIds.at("revoked"), "withdrawn", "[ipv4-addr:value = '192.0.2.99']",
                  R"(,"revoked":true)"),
        indicator(kIds.at("expired"), "old resolver", "[ipv4-addr:value = '10.0.0.53']",
                  R"(,"valid_until":"2023-06-01T00:00:00Z")"),
        indicator(kIds.at("sequence"), "sequence",
                  "[ipv4-addr:value = '10.0.0.1'] FOLLOWEDBY [ipv4-addr:value = '10.0.0.2']"),
    };
    std::string bundle = R"({"type":"bundle","id":"bundle--00000000-0000-4000-8000-0000000000ff",)"
                         R"("objects":[)";
    for (std::size_t i = 0; i < objects.size(); ++i) bundle += (i ? "," : "") + objects[i];
    bundle += "]}";
    std::ofstream(path) << bundle;
}

// Intel alerts by indicator id.
std::map<std::string, std::vector<nlohmann::json>> intel_alerts(const std::string& eve) {
    std::map<std::string, std::vector<nlohmann::json>> by_id;
    for (const nlohmann::json& e : read_eve(eve)) {
        if (e.value("event_type", "") != "alert") continue;
        const nlohmann::json& alert = e["alert"];
        if (!alert.contains("metadata") || !alert["metadata"].contains("intel_id")) continue;
        by_id[alert["metadata"]["intel_id"][0].get<std::string>()].push_back(e);
    }
    return by_id;
}

std::string id_of(const std::string& key) {
    return "indicator--" + kIds.at(key);
}

class IntelRun : public ::testing::TestWithParam<int> {};

TEST_P(IntelRun, IndicatorsFireAsAlertsAndComeBackAsSightings) {
    TempDir dir;
    write_capture(dir.file("intel.pcap"));
    write_bundle(dir.file("feed.json"));
    const CommandResult r =
        run_tocsin({"run", "-r", dir.file("intel.pcap"), "-l", dir.path().string(), "--intel",
                    dir.file("feed.json"), "--workers", std::to_string(GetParam()), "-k", "none",
                    "--set", "sensor.name=test-sensor"});
    ASSERT_EQ(r.exit_code, 0) << r.output;

    const auto alerts = intel_alerts(dir.file("eve.json"));
    for (const char* fired : {"url", "host", "sha256", "domain", "compound"})
        EXPECT_EQ(alerts.count(id_of(fired)) ? alerts.at(id_of(fired)).size() : 0u, 1u) << fired;
    ASSERT_EQ(alerts.count(id_of("cidr")), 1u);
    EXPECT_EQ(alerts.at(id_of("cidr")).size(), 2u);  // two flows into the range
    for (const char* silent : {"revoked", "expired", "sequence"})
        EXPECT_EQ(alerts.count(id_of(silent)), 0u) << silent;

    // The alert names the indicator for existing alert consumers.
    const nlohmann::json& host = alerts.at(id_of("host"))[0];
    EXPECT_EQ(host["alert"]["metadata"]["intel_name"][0], "payload host");
    EXPECT_EQ(host["alert"]["metadata"]["intel_tlp"][0], "amber");
    EXPECT_EQ(host["dest_ip"], "192.0.2.80");
    EXPECT_EQ(host["app_proto"], "http");
    EXPECT_EQ(host["http"]["hostname"], "files.bad.example");
    const nlohmann::json& hash = alerts.at(id_of("sha256"))[0];
    EXPECT_EQ(hash["alert"]["severity"], 1);  // malicious-activity
    EXPECT_NE(hash["alert"]["signature"].get<std::string>().find(kBodySha256), std::string::npos);
    const nlohmann::json& cidr = alerts.at(id_of("cidr"))[0];
    EXPECT_EQ(cidr["dest_ip"], "203.0.113.7");
    EXPECT_EQ(alerts.at(id_of("compound"))[0]["dest_port"], 8080);

    // sightings.json: one sighting per indicator that fired, counted per flow.
    std::ifstream in(dir.file("sightings.json"));
    ASSERT_TRUE(in) << "no sightings.json";
    const nlohmann::json bundle = nlohmann::json::parse(in);
    EXPECT_EQ(bundle["type"], "bundle");
    std::string identity;
    std::map<std::string, nlohmann::json> sightings;
    for (const nlohmann::json& o : bundle["objects"]) {
        if (o["type"] == "identity") {
            identity = o["id"];
            EXPECT_EQ(o["name"], "test-sensor");
        }
        if (o["type"] == "sighting") sightings[o["sighting_of_ref"]] = o;
    }
    ASSERT_FALSE(identity.empty());
    EXPECT_EQ(sightings.size(), 6u);
    ASSERT_EQ(sightings.count(id_of("cidr")), 1u);
    const nlohmann::json& s = sightings.at(id_of("cidr"));
    EXPECT_EQ(s["count"], 2);
    EXPECT_EQ(s["where_sighted_refs"], nlohmann::json::array({identity}));
    EXPECT_EQ(s["spec_version"], "2.1");
    // Frame i is at 1700000000 + i s: the HTTP exchange is frames 0-9 (3 handshake, request,
    // response, ACK, 4 closing), the DNS query 10, the flows into the range 11-18 and 19-26.
    EXPECT_EQ(s["first_seen"].get<std::string>().substr(0, 19), "2023-11-14T22:13:31");
    EXPECT_EQ(s["last_seen"].get<std::string>().substr(0, 19), "2023-11-14T22:13:39");
}

INSTANTIATE_TEST_SUITE_P(Workers, IntelRun, ::testing::Values(1, 2));

TEST(IntelRunValidity, IgnoringValidityFiresTheExpiredIndicator) {
    TempDir dir;
    write_capture(dir.file("intel.pcap"));
    write_bundle(dir.file("feed.json"));
    const CommandResult r =
        run_tocsin({"run", "-r", dir.file("intel.pcap"), "-l", dir.path().string(), "--intel",
                    dir.file("feed.json"), "-k", "none", "--set", "intel.validity=ignore"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto alerts = intel_alerts(dir.file("eve.json"));
    EXPECT_EQ(alerts.count(id_of("expired")), 1u);
    EXPECT_EQ(alerts.count(id_of("revoked")), 0u);  // revocation is not a validity window
}

}  // namespace
}  // namespace tocsin::testing
