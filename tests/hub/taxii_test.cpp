#include "hub/taxii.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace tocsin::hub {
namespace {

TEST(TaxiiMedia, Accept) {
    EXPECT_TRUE(accepts_taxii(std::nullopt));
    EXPECT_TRUE(accepts_taxii(""));
    EXPECT_TRUE(accepts_taxii("application/taxii+json;version=2.1"));
    EXPECT_TRUE(accepts_taxii("application/taxii+json; version=\"2.1\""));
    EXPECT_TRUE(accepts_taxii("Application/TAXII+JSON;Version=2.1"));
    EXPECT_TRUE(accepts_taxii("application/taxii+json"));
    EXPECT_TRUE(accepts_taxii("*/*"));
    EXPECT_TRUE(accepts_taxii("application/*;q=0.5"));
    EXPECT_TRUE(accepts_taxii("text/html, application/taxii+json;version=2.1;q=0.9"));
    EXPECT_FALSE(accepts_taxii("application/taxii+json;version=2.0"));
    EXPECT_FALSE(accepts_taxii("application/stix+json;version=2.1"));
    EXPECT_FALSE(accepts_taxii("application/json"));
    EXPECT_FALSE(accepts_taxii("text/html"));
    EXPECT_FALSE(accepts_taxii("application/taxii+json;version=2.1;q=0"));
    EXPECT_FALSE(accepts_taxii("garbage"));
}

TEST(TaxiiMedia, ContentType) {
    EXPECT_TRUE(is_taxii_content_type("application/taxii+json;version=2.1"));
    EXPECT_TRUE(is_taxii_content_type("application/taxii+json; charset=utf-8; version=2.1"));
    EXPECT_TRUE(is_taxii_content_type("application/taxii+json"));
    EXPECT_FALSE(is_taxii_content_type("application/json"));
    EXPECT_FALSE(is_taxii_content_type("application/stix+json;version=2.1"));
    EXPECT_FALSE(is_taxii_content_type("application/taxii+json;version=2.0"));
    EXPECT_FALSE(is_taxii_content_type(""));
}

FilterParse parse(const QueryParams& p, unsigned accepted = ~0u) {
    VersionSelection last;
    last.last = true;
    return parse_filters(p, accepted, last, FilterLimits{10, 50, 3});
}

TEST(TaxiiFilters, Defaults) {
    const auto r = parse({});
    ASSERT_EQ(r.error, "");
    EXPECT_EQ(r.filters.limit, 10u);
    EXPECT_EQ(r.filters.added_after_us, -1);
    EXPECT_TRUE(r.filters.versions.last);
    EXPECT_FALSE(r.filters.versions.all);
    EXPECT_TRUE(r.filters.spec_version_matches);
}

TEST(TaxiiFilters, CommaListsAndRepeats) {
    const auto r = parse({{"match[type]", "indicator,malware"},
                          {"match[type]", "sighting"},
                          {"match[id]", "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}});
    ASSERT_EQ(r.error, "");
    EXPECT_EQ(r.filters.types, (std::vector<std::string>{"indicator", "malware", "sighting"}));
    EXPECT_EQ(r.filters.ids.size(), 1u);
    EXPECT_NE(parse({{"match[type]", "a,b,c,d"}}).error, "");  // more than max_values (3)
    EXPECT_NE(parse({{"match[type]", "x' OR 1=1"}}).error, "");
}

TEST(TaxiiFilters, Versions) {
    const auto r = parse({{"match[version]", "first,2016-04-06T20:03:48.000Z"}});
    ASSERT_EQ(r.error, "");
    EXPECT_FALSE(r.filters.versions.last);
    EXPECT_TRUE(r.filters.versions.first);
    EXPECT_EQ(r.filters.versions.exact, (std::vector<std::int64_t>{1459973028LL * 1000000}));
    EXPECT_TRUE(parse({{"match[version]", "all"}}).filters.versions.all);
    EXPECT_NE(parse({{"match[version]", "newest"}}).error, "");
}

TEST(TaxiiFilters, SpecVersion) {
    EXPECT_FALSE(parse({{"match[spec_version]", "2.0"}}).filters.spec_version_matches);
    EXPECT_TRUE(parse({{"match[spec_version]", "2.0,2.1"}}).filters.spec_version_matches);
}

TEST(TaxiiFilters, AddedAfterNextAndLimit) {
    auto r = parse({{"added_after", "2016-04-06T20:03:48.5Z"}, {"limit", "500"}});
    ASSERT_EQ(r.error, "");
    EXPECT_EQ(r.filters.added_after_us, 1459973028LL * 1000000 + 500000);
    EXPECT_EQ(r.filters.limit, 50u);  // clamped to the maximum
    r = parse({{"added_after", "2016-04-06T20:03:48Z"}, {"next", "1459973029000000"}});
    EXPECT_EQ(r.filters.added_after_us, 1459973029000000);  // the later bound wins
    EXPECT_NE(parse({{"limit", "0"}}).error, "");
    EXPECT_NE(parse({{"limit", "-3"}}).error, "");
    EXPECT_NE(parse({{"limit", "ten"}}).error, "");
    EXPECT_NE(parse({{"added_after", "2016-04-06"}}).error, "");
    EXPECT_NE(parse({{"next", "abc"}}).error, "");
}

TEST(TaxiiFilters, ParametersAnEndpointDoesNotTakeAreIgnored) {
    const auto r = parse({{"match[type]", "indicator"}, {"limit", "0"}}, kMatchSpecVersion);
    EXPECT_EQ(r.error, "");
    EXPECT_TRUE(r.filters.types.empty());
}

TEST(TaxiiNext, RoundTrip) {
    EXPECT_EQ(parse_next_token(next_token(1704067200123456)), 1704067200123456);
    EXPECT_FALSE(parse_next_token("12x"));
    EXPECT_FALSE(parse_next_token(""));
}

TEST(TaxiiError, Body) {
    const auto body = nlohmann::json::parse(error_body(404, "Not Found", "no such thing", "x-1"));
    EXPECT_EQ(body["title"], "Not Found");
    EXPECT_EQ(body["description"], "no such thing");
    EXPECT_EQ(body["error_id"], "x-1");
    EXPECT_EQ(body["http_status"], "404");  // a string in TAXII 2.1
}

TEST(TaxiiTime, DateAddedHasMicroseconds) {
    EXPECT_EQ(format_date_added(1704067200000001), "2024-01-01T00:00:00.000001Z");
}

}  // namespace
}  // namespace tocsin::hub
