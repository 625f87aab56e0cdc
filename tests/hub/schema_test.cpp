// Interoperability: everything the hub emits validates against the STIX 2.1 and TAXII 2.1 JSON
// schemas of tests/hub/schemas (written from the specifications), checked by python3-jsonschema.
// Skipped when python3 or jsonschema is missing.
#include <cstdlib>
#include <fstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "hub_fixture.h"

namespace tocsin::hub {
namespace {

using nlohmann::json;
using testing::stix_id;

constexpr const char* kCollection = "91a7b528-80eb-42ed-a74d-c6fbd5a26116";
const std::string kPath = fmt::format("/api1/collections/{}/", kCollection);

// Runs the validator; returns its exit code (77: skipped).
int validate(const std::filesystem::path& dir, const json& input, std::string& output) {
    const auto in = dir / "emitted.json";
    const auto out = dir / "validator.out";
    std::ofstream(in) << input.dump(2);
    const auto command = fmt::format(
        "python3 '{}/tests/hub/validate_stix.py' '{}/tests/hub/schemas' "
        "'{}' > '{}' 2>&1",
        TOCSIN_SOURCE_DIR, TOCSIN_SOURCE_DIR, in.string(), out.string());
    const int status = std::system(command.c_str());
    std::ifstream result(out);
    output.assign(std::istreambuf_iterator<char>(result), std::istreambuf_iterator<char>());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

json sample_objects() {
    const auto indicator_id = stix_id("indicator", 1);
    const auto identity_id = stix_id("identity", 2);
    const auto t = "2024-01-01T00:00:00.000Z";
    return json::array({
        {{"type", "identity"},
         {"spec_version", "2.1"},
         {"id", identity_id},
         {"created", t},
         {"modified", t},
         {"name", "ACME CERT"},
         {"identity_class", "organization"}},
        testing::indicator(indicator_id, t,
                           {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"}),
        {{"type", "malware"},
         {"spec_version", "2.1"},
         {"id", stix_id("malware", 3)},
         {"created", t},
         {"modified", t},
         {"name", "Poison Ivy"},
         {"is_family", true},
         {"created_by_ref", identity_id}},
        {{"type", "relationship"},
         {"spec_version", "2.1"},
         {"id", stix_id("relationship", 4)},
         {"created", t},
         {"modified", t},
         {"relationship_type", "indicates"},
         {"source_ref", indicator_id},
         {"target_ref", stix_id("malware", 3)}},
        {{"type", "sighting"},
         {"spec_version", "2.1"},
         {"id", stix_id("sighting", 5)},
         {"created", t},
         {"modified", t},
         {"sighting_of_ref", indicator_id},
         {"count", 3},
         {"where_sighted_refs", {identity_id}},
         {"observed_data_refs", {stix_id("observed-data", 6)}}},
        {{"type", "observed-data"},
         {"spec_version", "2.1"},
         {"id", stix_id("observed-data", 6)},
         {"created", t},
         {"modified", t},
         {"first_observed", t},
         {"last_observed", t},
         {"number_observed", 1},
         {"object_refs", {"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"}}},
        {{"type", "ipv4-addr"},
         {"spec_version", "2.1"},
         {"id", "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"},
         {"value", "198.51.100.3"}},
        {{"type", "report"},
         {"spec_version", "2.1"},
         {"id", stix_id("report", 7)},
         {"created", t},
         {"modified", t},
         {"name", "Campaign report"},
         {"published", t},
         {"object_refs", {indicator_id, stix_id("malware", 3)}},
         {"object_marking_refs", {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"}}},
        json::parse(R"({"type": "marking-definition", "spec_version": "2.1",
          "id": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
          "created": "2022-10-01T00:00:00.000Z", "name": "TLP:RED",
          "extensions": {"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":
                         {"extension_type": "property-extension", "tlp_2_0": "red"}}})"),
    });
}

TEST(HubSchemas, EverythingTheHubEmitsValidates) {
    testing::TestHub hub(fmt::format(
        "api-roots:\n  - path: api1\n    title: Sharing\n    default: true\n    collections:\n"
        "      - id: {}\n        title: Indicators\n        alias: iocs\n        default-tlp: "
        "green\n",
        kCollection));
    const auto alice = hub.add_partner("alice", "org-a", {kCollection}, {kCollection});
    auto objects = sample_objects();
    objects.push_back(testing::indicator(stix_id("indicator", 1), "2024-02-01T00:00:00.000Z"));
    objects.push_back(json::object({{"type", "indicator"}}));  // a failure in the status
    const auto status = hub.post_objects(alice, kPath, objects);
    ASSERT_EQ(status["failure_count"], 1);

    json input = {{"stix", json::array()}, {"taxii", json::array()}};
    const auto taxii = [&](const char* resource, const std::string& path) {
        const auto res = hub.get(alice, path);
        ASSERT_TRUE(res);
        const auto body = json::parse(res->body);
        input["taxii"].push_back({{"resource", resource}, {"instance", body}});
        return;
    };
    const auto envelope =
        json::parse(hub.get(alice, kPath + "objects/?match%5Bversion%5D=all")->body);
    ASSERT_EQ(envelope["objects"].size(), 10u);
    for (const auto& o : envelope["objects"]) input["stix"].push_back(o);
    input["taxii"].push_back({{"resource", "envelope"}, {"instance", envelope}});
    input["taxii"].push_back({{"resource", "status"}, {"instance", status}});
    taxii("discovery", "/taxii2/");
    taxii("api-root", "/api1/");
    taxii("collections", "/api1/collections/");
    taxii("collection", kPath);
    taxii("envelope", kPath + "objects/?limit=2");
    taxii("envelope", kPath + "objects/" + stix_id("indicator", 1) + "/");
    taxii("envelope", kPath + "objects/?match%5Btype%5D=campaign");  // empty: {}
    taxii("manifest", kPath + "manifest/?limit=3");
    taxii("versions", kPath + "objects/" + stix_id("indicator", 1) + "/versions/");
    taxii("status", fmt::format("/api1/status/{}/", status["id"].get<std::string>()));
    taxii("error", "/api1/collections/00000000-0000-4000-8000-000000000000/");
    taxii("error", kPath + "objects/?limit=-1");
    input["taxii"].push_back(
        {{"resource", "error"},
         {"instance", json::parse(hub.get(testing::TestPartner{}, "/taxii2/")->body)}});

    std::string output;
    const int rc = validate(hub.dir(), input, output);
    if (rc == 77) GTEST_SKIP() << output;
    EXPECT_EQ(rc, 0) << output;

    // The schemas bite: a broken indicator and a malformed envelope are refused.
    json broken = {
        {"stix",
         json::array({testing::indicator(stix_id("indicator", 8), "2024-01-01T00:00:00Z")})},
        {"taxii", json::array({{{"resource", "envelope"}, {"instance", {{"more", "no"}}}}})}};
    broken["stix"][0].erase("pattern");
    EXPECT_EQ(validate(hub.dir(), broken, output), 1) << output;
    EXPECT_NE(output.find("'pattern' is a required property"), std::string::npos) << output;
}

}  // namespace
}  // namespace tocsin::hub
