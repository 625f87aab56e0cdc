#include "hub/stix.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace tocsin::hub {
namespace {

using nlohmann::json;

// The indicator example of STIX 2.1 section 4.7 (trimmed), valid as written.
json spec_indicator() {
    return json::parse(R"({
      "type": "indicator",
      "spec_version": "2.1",
      "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
      "created_by_ref": "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
      "created": "2016-04-06T20:03:48.000Z",
      "modified": "2016-04-06T20:03:48.000Z",
      "indicator_types": ["malicious-activity"],
      "name": "Poison Ivy Malware",
      "description": "This file is part of Poison Ivy",
      "pattern": "[ file:hashes.'SHA-256' = '4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877' ]",
      "pattern_type": "stix",
      "valid_from": "2016-01-01T00:00:00Z"
    })");
}

std::string error_of(const json& o) {
    return check_stix_object(o).error;
}

TEST(Stix, AcceptsTheSpecIndicator) {
    const auto check = check_stix_object(spec_indicator());
    ASSERT_TRUE(check.info) << check.error;
    EXPECT_EQ(check.info->id, "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f");
    EXPECT_EQ(check.info->type, "indicator");
    EXPECT_EQ(check.info->version_text, "2016-04-06T20:03:48.000Z");
    // 2016-04-06T20:03:48Z = 1459973028 s (date -u -d 2016-04-06T20:03:48Z +%s)
    EXPECT_EQ(check.info->version_us, 1459973028LL * 1000000);
    EXPECT_EQ(check.info->tlp, Tlp::unmarked);
}

TEST(Stix, CommonPropertiesAreRequired) {
    for (const char* key : {"type", "id", "spec_version", "created", "modified"}) {
        auto o = spec_indicator();
        o.erase(key);
        EXPECT_FALSE(error_of(o).empty()) << key;
    }
    auto o = spec_indicator();
    o["spec_version"] = "2.0";
    EXPECT_NE(error_of(o).find("spec_version"), std::string::npos);
}

TEST(Stix, IdMustMatchTypeAndBeAnRfc4122Uuid) {
    auto o = spec_indicator();
    o["id"] = "malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f";
    EXPECT_NE(error_of(o).find("'id'"), std::string::npos);
    o["id"] = "indicator--8e2e2d2b-17d4-4cbf-938f";
    EXPECT_FALSE(error_of(o).empty());
    o["id"] = "indicator--8e2e2d2b-17d4-0cbf-938f-98ee46b3cd3f";  // version 0
    EXPECT_FALSE(error_of(o).empty());
    o["id"] = "indicator--8e2e2d2b-17d4-4cbf-c38f-98ee46b3cd3f";  // variant 110x
    EXPECT_FALSE(error_of(o).empty());
    EXPECT_TRUE(is_stix_id("identity--f431f809-377b-45e0-aa1c-6a4751cae5ff"));
    EXPECT_FALSE(is_stix_id("Identity--f431f809-377b-45e0-aa1c-6a4751cae5ff"));
    EXPECT_TRUE(is_stix_id_of_type("identity--f431f809-377b-45e0-aa1c-6a4751cae5ff", "identity"));
    EXPECT_FALSE(is_stix_id_of_type("identity--f431f809-377b-45e0-aa1c-6a4751cae5ff", "ident"));
}

TEST(Stix, TimestampsMustBeUtcRfc3339) {
    for (const char* bad : {"2016-04-06 20:03:48Z", "2016-04-06T20:03:48+01:00",
                            "2016-02-30T00:00:00Z", "2016-04-06T20:03:48", "yesterday"}) {
        auto o = spec_indicator();
        o["modified"] = bad;
        EXPECT_NE(error_of(o).find("RFC 3339"), std::string::npos) << bad;
    }
    auto o = spec_indicator();
    o["modified"] = "2016-04-06T20:03:47.999Z";  // before created
    EXPECT_NE(error_of(o).find("earlier"), std::string::npos);
    o = spec_indicator();
    o["valid_until"] = "2015-01-01T00:00:00Z";
    EXPECT_NE(error_of(o).find("valid_until"), std::string::npos);
}

TEST(Stix, TypeSpecificRequiredProperties) {
    struct Case {
        json object;
        const char* missing;
    };
    const json common = {{"spec_version", "2.1"},
                         {"created", "2020-01-01T00:00:00Z"},
                         {"modified", "2020-01-01T00:00:00Z"}};
    const auto with = [&](json extra) {
        json o = common;
        o.update(extra);
        return o;
    };
    const Case cases[] = {
        {with({{"type", "indicator"},
               {"id", "indicator--11111111-1111-4111-8111-111111111111"},
               {"pattern_type", "stix"},
               {"valid_from", "2020-01-01T00:00:00Z"}}),
         "pattern"},
        {with({{"type", "sighting"}, {"id", "sighting--11111111-1111-4111-8111-111111111111"}}),
         "sighting_of_ref"},
        {with({{"type", "identity"}, {"id", "identity--11111111-1111-4111-8111-111111111111"}}),
         "name"},
        {with({{"type", "relationship"},
               {"id", "relationship--11111111-1111-4111-8111-111111111111"},
               {"relationship_type", "indicates"},
               {"source_ref", "indicator--11111111-1111-4111-8111-111111111111"}}),
         "target_ref"},
        {with({{"type", "malware"},
               {"id", "malware--11111111-1111-4111-8111-111111111111"},
               {"name", "x"}}),
         "is_family"},
        {with({{"type", "report"},
               {"id", "report--11111111-1111-4111-8111-111111111111"},
               {"name", "r"},
               {"object_refs", {"indicator--11111111-1111-4111-8111-111111111111"}}}),
         "published"},
        {with({{"type", "observed-data"},
               {"id", "observed-data--11111111-1111-4111-8111-111111111111"},
               {"first_observed", "2020-01-01T00:00:00Z"},
               {"last_observed", "2020-01-01T00:00:00Z"},
               {"object_refs", {"ipv4-addr--11111111-1111-4111-8111-111111111111"}}}),
         "number_observed"},
    };
    for (const auto& c : cases) {
        const auto error = error_of(c.object);
        EXPECT_NE(error.find(c.missing), std::string::npos) << c.object.dump() << " -> " << error;
        json fixed = c.object;
        fixed[c.missing] = std::string(c.missing) == "is_family"   ? json(false)
                           : std::string(c.missing) == "published" ? json("2020-01-01T00:00:00Z")
                           : std::string(c.missing) == "number_observed" ? json(1)
                           : std::string(c.missing).ends_with("_ref")
                               ? json("identity--22222222-2222-4222-8222-222222222222")
                               : json("value");
        EXPECT_EQ(error_of(fixed), "") << fixed.dump();
    }
}

TEST(Stix, MalwareFamilyNeedsAName) {
    const json o = {{"type", "malware"},
                    {"spec_version", "2.1"},
                    {"id", "malware--11111111-1111-4111-8111-111111111111"},
                    {"created", "2020-01-01T00:00:00Z"},
                    {"modified", "2020-01-01T00:00:00Z"},
                    {"is_family", true}};
    EXPECT_NE(error_of(o).find("name"), std::string::npos);
}

TEST(Stix, MarkingDefinitionHasNoModified) {
    // The TLP:RED object as OASIS publishes it.
    const auto red = json::parse(R"({
      "type": "marking-definition", "spec_version": "2.1",
      "id": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
      "created": "2022-10-01T00:00:00.000Z", "name": "TLP:RED",
      "extensions": {"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":
                     {"extension_type": "property-extension", "tlp_2_0": "red"}}})");
    const auto check = check_stix_object(red);
    ASSERT_TRUE(check.info) << check.error;
    EXPECT_EQ(check.info->version_text, "2022-10-01T00:00:00.000Z");
    auto statement = red;
    statement.erase("extensions");
    EXPECT_NE(error_of(statement).find("definition_type"), std::string::npos);
    statement["definition_type"] = "statement";
    statement["definition"] = {{"statement", "Copyright 2024"}};
    EXPECT_EQ(error_of(statement), "");
}

TEST(Stix, ScoNeedsNoTimestamps) {
    const json ip = {{"type", "ipv4-addr"},
                     {"id", "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"},
                     {"value", "198.51.100.3"}};
    const auto check = check_stix_object(ip);
    ASSERT_TRUE(check.info) << check.error;
    EXPECT_FALSE(check.info->version_us);  // its version will be its date_added
    json bad = ip;
    bad["spec_version"] = "2.0";
    EXPECT_FALSE(error_of(bad).empty());
}

TEST(Stix, MarkingsMostRestrictiveAndUnknownRefused) {
    auto o = spec_indicator();
    o["object_marking_refs"] = {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
                                "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"};
    EXPECT_EQ(check_stix_object(o).info->tlp, Tlp::amber_strict);
    o["granular_markings"] = {
        {{"marking_ref", "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"},
         {"selectors", {"description"}}}};
    EXPECT_EQ(check_stix_object(o).info->tlp, Tlp::red);  // a granular RED restricts the whole
    o["object_marking_refs"].push_back("marking-definition--11111111-2222-4333-8444-555555555555");
    const auto check = check_stix_object(o);
    EXPECT_FALSE(check.info);
    EXPECT_NE(check.error.find("unknown marking-definition"), std::string::npos);
    EXPECT_EQ(check.reported_id, "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f");
    EXPECT_EQ(check.reported_version, "2016-04-06T20:03:48.000Z");
}

TEST(Stix, CreatedByRefMustBeAnIdentity) {
    auto o = spec_indicator();
    o["created_by_ref"] = "malware--f431f809-377b-45e0-aa1c-6a4751cae5ff";
    EXPECT_NE(error_of(o).find("created_by_ref"), std::string::npos);
}

TEST(Stix, NotAnObject) {
    EXPECT_EQ(error_of(json::array()), "not a JSON object");
    EXPECT_EQ(error_of(json("x")), "not a JSON object");
}

TEST(Stix, JsonDepth) {
    EXPECT_EQ(json_depth(R"({"a":[1,{"b":"[[[["}]})", 10), 3u);
    EXPECT_EQ(json_depth(R"("\"{")", 10), 0u);
    EXPECT_EQ(json_depth(std::string(1000, '['), 32), 33u);  // stops at limit + 1
}

}  // namespace
}  // namespace tocsin::hub
