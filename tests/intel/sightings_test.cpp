// Sightings: the STIX 2.1 bundle parsed back and checked property by property (STIX 2.1
// sections 3.2, 4.15, 5.x: required common properties, identity and sighting properties);
// UUIDs checked against Python's uuid.uuid5.
#include "intel/sightings.h"

#include <regex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/rfc3339.h"
#include "intel/uuid.h"
#include "intel_test_util.h"

namespace tocsin::intel {
namespace {

TEST(Uuid, Version5AgainstPython) {
    // uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
    const Uuid dns = *parse_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
    EXPECT_EQ(uuid_text(uuid_v5(dns, "python.org")), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
    // uuid.uuid5(UUID("ef1056cc-0040-4459-9fa4-d39bc6bb00dd"), "sensor-1")
    EXPECT_EQ(derived_stix_id("identity", "sensor-1"),
              "identity--4afeb482-82c4-5880-87f6-eb7d3b5b7ac8");
    EXPECT_EQ(uuid_text(kTocsinNamespace), "ef1056cc-0040-4459-9fa4-d39bc6bb00dd");
    EXPECT_FALSE(parse_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c"));
    EXPECT_FALSE(parse_uuid("6ba7b810x9dad-11d1-80b4-00c04fd430c8"));
    EXPECT_TRUE(is_stix_id("indicator--6ba7b810-9dad-11d1-80b4-00c04fd430c8"));
    EXPECT_FALSE(is_stix_id("Indicator--6ba7b810-9dad-11d1-80b4-00c04fd430c8"));
    EXPECT_FALSE(is_stix_id("indicator-6ba7b810-9dad-11d1-80b4-00c04fd430c8"));
    EXPECT_FALSE(is_stix_id("--6ba7b810-9dad-11d1-80b4-00c04fd430c8"));
}

TEST(SensorIdentity, FromConfig) {
    Config config;
    config.set("sensor.name", "sensor-1");
    const SensorIdentity named = SensorIdentity::from_config(config);
    EXPECT_EQ(named.name, "sensor-1");
    EXPECT_EQ(named.id, "identity--4afeb482-82c4-5880-87f6-eb7d3b5b7ac8");
    config.set("sensor.identity", "identity--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061");
    EXPECT_EQ(SensorIdentity::from_config(config).id,
              "identity--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061");
    config.set("sensor.identity", "indicator--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061");
    EXPECT_THROW(SensorIdentity::from_config(config), ConfigError);
    // Without a name: the host name.
    EXPECT_FALSE(SensorIdentity::from_config(Config()).name.empty());
}

TEST(SightingLog, AggregatesPerIndicator) {
    SightingLog log;
    log.add(3, Timestamp{200, 5});
    log.add(3, Timestamp{100, 7});
    log.add(3, Timestamp{300, 0});
    log.add(1, Timestamp{50, 0});
    ASSERT_EQ(log.size(), 2u);
    const SightingLog::Entry& e = log.entries().at(3);
    EXPECT_EQ(e.count, 3u);
    EXPECT_EQ(e.first_seen, (Timestamp{100, 7}));
    EXPECT_EQ(e.last_seen, (Timestamp{300, 0}));
    SightingLog other;
    other.add(3, Timestamp{50, 0});
    other.add(9, Timestamp{60, 0});
    log.merge(other);
    EXPECT_EQ(log.size(), 3u);
    EXPECT_EQ(log.entries().at(3).count, 4u);
    EXPECT_EQ(log.entries().at(3).first_seen, (Timestamp{50, 0}));
}

bool stix_timestamp(const nlohmann::json& v) {
    static const std::regex re(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)");
    return v.is_string() && std::regex_match(v.get<std::string>(), re) &&
           parse_rfc3339(v.get<std::string>()).has_value();
}

TEST(SightingLog, BundleIsValidStix) {
    const auto set = test::make_set({
        {"indicator--11111111-2222-4333-8444-555555555555", "[ipv4-addr:value = '192.0.2.1']"},
        {"made-up id", "[domain-name:value = 'x.test']"},
        {"indicator--66666666-2222-4333-8444-555555555555", "[domain-name:value = 'y.test']"},
    });
    SightingLog log;
    // 2024-01-31T12:00:00.250Z = 1706702400.25
    log.add(0, Timestamp{1706702400, 250000});
    log.add(0, Timestamp{1706702460, 0});
    log.add(1, Timestamp{1706702400, 0});
    const SensorIdentity identity = SensorIdentity::named("sensor-1");
    const Timestamp created{1706788800, 123456};  // 2024-02-01T12:00:00.123456Z
    const std::string text = log.bundle_json(*set, identity, created);
    const nlohmann::json bundle = nlohmann::json::parse(text);
    EXPECT_EQ(bundle["type"], "bundle");
    EXPECT_TRUE(is_stix_id(bundle["id"].get<std::string>()));
    EXPECT_EQ(bundle["id"].get<std::string>().rfind("bundle--", 0), 0u);
    const auto& objects = bundle["objects"];
    ASSERT_EQ(objects.size(), 3u);

    const auto& id = objects[0];
    EXPECT_EQ(id["type"], "identity");
    EXPECT_EQ(id["spec_version"], "2.1");
    EXPECT_EQ(id["id"], "identity--4afeb482-82c4-5880-87f6-eb7d3b5b7ac8");
    EXPECT_EQ(id["name"], "sensor-1");
    EXPECT_EQ(id["identity_class"], "system");
    EXPECT_TRUE(stix_timestamp(id["created"]));
    EXPECT_TRUE(stix_timestamp(id["modified"]));

    for (std::size_t i = 1; i < objects.size(); ++i) {
        const auto& s = objects[i];
        EXPECT_EQ(s["type"], "sighting");
        EXPECT_EQ(s["spec_version"], "2.1");
        EXPECT_TRUE(is_stix_id(s["id"].get<std::string>()));
        for (const char* key : {"created", "modified", "first_seen", "last_seen"})
            EXPECT_TRUE(stix_timestamp(s[key])) << key;
        EXPECT_GE(*parse_rfc3339(s["modified"].get<std::string>()),
                  *parse_rfc3339(s["created"].get<std::string>()));
        EXPECT_GE(*parse_rfc3339(s["last_seen"].get<std::string>()),
                  *parse_rfc3339(s["first_seen"].get<std::string>()));
        EXPECT_EQ(s["created_by_ref"], identity.id);
        EXPECT_EQ(s["where_sighted_refs"], nlohmann::json::array({identity.id}));
        EXPECT_TRUE(is_stix_id(s["sighting_of_ref"].get<std::string>()));
    }
    const auto& first = objects[1];
    EXPECT_EQ(first["sighting_of_ref"], "indicator--11111111-2222-4333-8444-555555555555");
    EXPECT_EQ(first["count"], 2);
    EXPECT_EQ(first["first_seen"], "2024-01-31T12:00:00.250000Z");
    EXPECT_EQ(first["last_seen"], "2024-01-31T12:01:00.000000Z");
    EXPECT_EQ(first["created"], "2024-01-31T12:00:00.250Z");
    EXPECT_EQ(first["modified"], "2024-02-01T12:00:00.123Z");
    // uuid5(ns, identity id + "|" + indicator id + "|" + first_seen), by Python.
    EXPECT_EQ(first["id"], "sighting--0e9d21c6-b088-54ea-9a15-71d06af64e85");
    // An indicator without a STIX id is sighted under an id derived from it.
    EXPECT_EQ(objects[2]["sighting_of_ref"], derived_stix_id("indicator", "made-up id"));
    EXPECT_EQ(objects[2]["count"], 1);

    // The same sightings later: the same ids, a newer modified.
    const nlohmann::json again =
        nlohmann::json::parse(log.bundle_json(*set, identity, Timestamp{1706875200, 0}));
    EXPECT_EQ(again["objects"][1]["id"], first["id"]);
    EXPECT_EQ(again["objects"][1]["created"], first["created"]);
    EXPECT_EQ(again["objects"][1]["modified"], "2024-02-02T12:00:00.000Z");
    EXPECT_NE(again["id"], bundle["id"]);
}

TEST(SightingLog, EmptyLogStillNamesTheSensor) {
    const auto set = test::make_set({});
    const nlohmann::json bundle = nlohmann::json::parse(
        SightingLog().bundle_json(*set, SensorIdentity::named("s"), Timestamp{0, 0}));
    ASSERT_EQ(bundle["objects"].size(), 1u);
    EXPECT_EQ(bundle["objects"][0]["type"], "identity");
}

}  // namespace
}  // namespace tocsin::intel
