// The TAXII 2.1 endpoints end to end: an in-process hub on 127.0.0.1 and httplib clients.
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "hub/sqlite.h"
#include "hub_fixture.h"

namespace tocsin::hub {
namespace {

using nlohmann::json;
using testing::indicator;
using testing::stix_id;
using testing::TestHub;
using testing::TestPartner;

constexpr const char* kC1 = "11111111-1111-4111-8111-111111111111";
constexpr const char* kC2 = "22222222-2222-4222-8222-222222222222";
constexpr const char* kC3 = "33333333-3333-4333-8333-333333333333";
const std::string kC1Path = fmt::format("/api1/collections/{}/", kC1);
const std::string kC2Path = fmt::format("/api1/collections/{}/", kC2);

const std::string kYaml = fmt::format(R"(
title: Test hub
contact: soc@example.org
max-content-length: 65536
max-objects-per-post: 50
max-json-depth: 16
page:
  default-limit: 10
  max-limit: 20
communities:
  trusted: [org-a, org-b]
api-roots:
  - path: api1
    title: API one
    default: true
    collections:
      - id: {}
        title: Shared
        alias: shared
        community: trusted
        default-tlp: clear
      - id: {}
        title: Other
        community: trusted
  - path: api2
    title: API two
    collections:
      - id: {}
        title: Hidden
)",
                                      kC1, kC2, kC3);

// Every error carries the TAXII error message with the status as a string, and the TAXII
// media type.
void expect_taxii_error(const httplib::Result& res, int status) {
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, status) << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/taxii+json;version=2.1");
    const auto body = json::parse(res->body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << res->body;
    EXPECT_TRUE(body.contains("title") && body["title"].is_string()) << res->body;
    EXPECT_EQ(body.value("http_status", ""), std::to_string(status)) << res->body;
}

json body_of(const httplib::Result& res) {
    if (!res) return {};
    return json::parse(res->body, nullptr, false);
}

class HubServerTest : public ::testing::Test {
  protected:
    TestHub hub{kYaml};
    TestPartner alice = hub.add_partner("alice", "org-a", {kC1, kC2}, {kC1});
    TestPartner bob = hub.add_partner("bob", "org-b", {kC1}, {kC2});
};

TEST_F(HubServerTest, UnauthenticatedRequestsGet401WithChallenges) {
    for (const auto* path : {"/taxii2/", "/api1/", "/api1/collections/", "/nowhere/"}) {
        const auto res = hub.get(TestPartner{}, path);
        expect_taxii_error(res, 401);
        std::set<std::string> challenges;
        const auto [b, e] = res->headers.equal_range("WWW-Authenticate");
        for (auto it = b; it != e; ++it)
            challenges.insert(it->second.substr(0, it->second.find(' ')));
        EXPECT_EQ(challenges, (std::set<std::string>{"Basic", "Bearer"})) << path;
    }
    TestPartner wrong_key = alice;
    wrong_key.key = alice.key.substr(0, 17) + std::string(43, 'A');
    expect_taxii_error(hub.get(wrong_key, "/taxii2/"), 401);
    TestPartner wrong_name = alice;
    wrong_name.name = "bob";  // bob's name with alice's key
    expect_taxii_error(hub.get(wrong_name, "/taxii2/"), 401);
    auto c = hub.client();
    c->set_bearer_token_auth(alice.key);
    const auto bearer = c->Get("/taxii2/");
    ASSERT_TRUE(bearer);
    EXPECT_EQ(bearer->status, 200);
}

TEST_F(HubServerTest, Discovery) {
    const auto res = hub.get(alice, "/taxii2/");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/taxii+json;version=2.1");
    const auto body = body_of(res);
    const auto root = fmt::format("http://127.0.0.1:{}/api1/", hub.port());
    EXPECT_EQ(body["title"], "Test hub");
    EXPECT_EQ(body["contact"], "soc@example.org");
    EXPECT_EQ(body["default"], root);
    EXPECT_EQ(body["api_roots"], json::array({root}));  // api2: no grant there, not listed
}

TEST_F(HubServerTest, ApiRoot) {
    const auto body = body_of(hub.get(alice, "/api1/"));
    EXPECT_EQ(body["title"], "API one");
    EXPECT_EQ(body["versions"], json::array({"application/taxii+json;version=2.1"}));
    EXPECT_EQ(body["max_content_length"], 65536);
    expect_taxii_error(hub.get(alice, "/api2/"), 404);  // no grant in it
    expect_taxii_error(hub.get(alice, "/api3/"), 404);
}

TEST_F(HubServerTest, CollectionsShowRights) {
    const auto body = body_of(hub.get(alice, "/api1/collections/"));
    ASSERT_EQ(body["collections"].size(), 2u);
    const auto& c1 = body["collections"][0];
    EXPECT_EQ(c1["id"], kC1);
    EXPECT_EQ(c1["title"], "Shared");
    EXPECT_EQ(c1["alias"], "shared");
    EXPECT_EQ(c1["can_read"], true);
    EXPECT_EQ(c1["can_write"], true);
    EXPECT_EQ(c1["media_types"], json::array({"application/stix+json;version=2.1"}));
    EXPECT_EQ(body["collections"][1]["can_write"], false);
    const auto one = body_of(hub.get(bob, kC2Path));
    EXPECT_EQ(one["can_read"], false);
    EXPECT_EQ(one["can_write"], true);
    expect_taxii_error(hub.get(alice, "/api1/collections/33333333-3333-4333-8333-333333333333/"),
                       404);
    expect_taxii_error(hub.get(alice, "/api1/collections/not-a-collection/"), 404);
}

TEST_F(HubServerTest, ContentNegotiation) {
    expect_taxii_error(hub.get(alice, "/taxii2/", {{"Accept", "application/json"}}), 406);
    expect_taxii_error(
        hub.get(alice, kC1Path + "objects/", {{"Accept", "application/taxii+json;version=2.0"}}),
        406);
    EXPECT_EQ(hub.get(alice, "/taxii2/", {{"Accept", "application/taxii+json"}})->status, 200);
    EXPECT_EQ(hub.get(alice, "/taxii2/", {{"Accept", "*/*"}})->status, 200);
    const auto res = hub.post(alice, kC1Path + "objects/", R"({"objects":[]})", "application/json");
    expect_taxii_error(res, 415);
}

TEST_F(HubServerTest, MethodNotAllowed) {
    auto c = hub.client();
    c->set_basic_auth(alice.name, alice.key);
    const auto res = c->Put(kC1Path + "objects/", "{}", "application/taxii+json;version=2.1");
    expect_taxii_error(res, 405);
    EXPECT_EQ(res->get_header_value("Allow"), "GET, HEAD, POST");
    expect_taxii_error(hub.post(alice, "/taxii2/", "{}"), 405);
    expect_taxii_error(hub.del(alice, kC1Path + "objects/"), 405);
}

TEST_F(HubServerTest, RightsArePerCollection) {
    // bob reads C1 but may not write it; writes C2 but may not read it.
    expect_taxii_error(hub.post(bob, kC1Path + "objects/", R"({"objects":[]})"), 403);
    expect_taxii_error(hub.get(bob, kC2Path + "objects/"), 403);
    expect_taxii_error(hub.get(bob, kC2Path + "manifest/"), 403);
    EXPECT_EQ(hub.get(bob, kC1Path + "objects/")->status, 200);
    // A collection without any right is not found at all.
    TestPartner carol = hub.add_partner("carol", "org-c", {kC2}, {});
    expect_taxii_error(hub.get(carol, kC1Path), 404);
    expect_taxii_error(hub.get(carol, kC1Path + "objects/"), 404);
    expect_taxii_error(hub.post(carol, kC1Path + "objects/", R"({"objects":[]})"), 404);
}

TEST_F(HubServerTest, BadBodiesAreRefusedAndNothingIsStored) {
    const auto objects = kC1Path + "objects/";
    expect_taxii_error(hub.post(alice, objects, R"({"objects":[)"), 400);
    expect_taxii_error(hub.post(alice, objects, R"([1,2])"), 422);
    expect_taxii_error(hub.post(alice, objects, R"({"objects":{}})"), 422);
    expect_taxii_error(hub.post(alice, objects, std::string(20, '[') + std::string(20, ']')), 422);
    json many = json::array();
    for (unsigned i = 0; i < 51; ++i)
        many.push_back(indicator(stix_id("indicator", 900 + i), "2024-01-01T00:00:00.000Z"));
    expect_taxii_error(hub.post(alice, objects, json{{"objects", many}}.dump()), 413);
    // Larger than max-content-length: refused by the HTTP layer before any parsing.
    expect_taxii_error(hub.post(alice, objects, std::string(70000, ' ')), 413);
    const auto after = hub.get(alice, objects);
    EXPECT_EQ(after->body, "{}");
}

TEST_F(HubServerTest, PostReportsEachObjectAndStoresTheValidOnes) {
    auto bad_time = indicator(stix_id("indicator", 2), "2024-13-01T00:00:00Z");
    auto unknown_marking = indicator(stix_id("indicator", 3), "2024-01-01T00:00:00.000Z",
                                     {"marking-definition--11111111-2222-4333-8444-555555555555"});
    const json objects = {indicator(stix_id("indicator", 1), "2024-01-01T00:00:00.000Z"), bad_time,
                          unknown_marking, json::array({1}),
                          indicator(stix_id("indicator", 1), "2024-01-01T00:00:00.000Z")};
    const auto status = hub.post_objects(alice, kC1Path, objects);
    EXPECT_EQ(status["status"], "complete");
    EXPECT_EQ(status["total_count"], 5);
    EXPECT_EQ(status["success_count"], 2);  // the repeated object is a success, stored once
    EXPECT_EQ(status["failure_count"], 3);
    EXPECT_EQ(status["pending_count"], 0);
    EXPECT_EQ(status["successes"][0]["id"], stix_id("indicator", 1));
    EXPECT_EQ(status["successes"][0]["version"], "2024-01-01T00:00:00.000Z");
    EXPECT_EQ(status["failures"][0]["id"], stix_id("indicator", 2));
    EXPECT_NE(status["failures"][0]["message"].get<std::string>().find("modified"),
              std::string::npos);
    EXPECT_NE(
        status["failures"][1]["message"].get<std::string>().find("unknown marking-definition"),
        std::string::npos);
    // The status resource is kept for its poster only.
    const auto path = fmt::format("/api1/status/{}/", status["id"].get<std::string>());
    EXPECT_EQ(body_of(hub.get(alice, path)), status);
    expect_taxii_error(hub.get(bob, path), 404);
    const auto stored = body_of(hub.get(alice, kC1Path + "objects/"));
    EXPECT_EQ(testing::ids_of(stored["objects"]),
              std::vector<std::string>{stix_id("indicator", 1)});
}

TEST_F(HubServerTest, ObjectsEnvelopeAndHeaders) {
    hub.post_objects(alice, kC1Path,
                     {indicator(stix_id("indicator", 1), "2024-01-01T00:00:00.000Z"),
                      indicator(stix_id("indicator", 2), "2024-01-01T00:00:00.000Z")});
    const auto res = hub.get(bob, kC1Path + "objects/");
    ASSERT_EQ(res->status, 200);
    const auto body = body_of(res);
    EXPECT_EQ(body["more"], false);
    EXPECT_FALSE(body.contains("next"));
    ASSERT_EQ(body["objects"].size(), 2u);
    EXPECT_EQ(body["objects"][0], indicator(stix_id("indicator", 1), "2024-01-01T00:00:00.000Z"));
    const auto manifest = body_of(hub.get(bob, kC1Path + "manifest/"));
    ASSERT_EQ(manifest["objects"].size(), 2u);
    EXPECT_EQ(res->get_header_value("X-TAXII-Date-Added-First"),
              manifest["objects"][0]["date_added"]);
    EXPECT_EQ(res->get_header_value("X-TAXII-Date-Added-Last"),
              manifest["objects"][1]["date_added"]);
    EXPECT_EQ(manifest["objects"][0]["version"], "2024-01-01T00:00:00.000Z");
    EXPECT_EQ(manifest["objects"][0]["media_type"], "application/stix+json;version=2.1");
    // date_added: microsecond precision, strictly increasing.
    const std::string first = manifest["objects"][0]["date_added"];
    const std::string second = manifest["objects"][1]["date_added"];
    EXPECT_EQ(first.size(), std::string("2024-01-01T00:00:00.000000Z").size());
    EXPECT_LT(first, second);
}

TEST_F(HubServerTest, Filters) {
    const auto id1 = stix_id("indicator", 1);
    hub.post_objects(alice, kC1Path,
                     {indicator(id1, "2024-01-01T00:00:00.000Z"),
                      indicator(id1, "2024-03-01T00:00:00.000Z"),
                      indicator(id1, "2024-02-01T00:00:00.000Z"),
                      {{"type", "identity"},
                       {"spec_version", "2.1"},
                       {"id", stix_id("identity", 5)},
                       {"created", "2024-01-01T00:00:00Z"},
                       {"modified", "2024-01-01T00:00:00Z"},
                       {"name", "ACME"}}});
    const auto versions_of = [&](const std::string& query) {
        std::vector<std::string> out;
        const auto body = body_of(hub.get(alice, kC1Path + "objects/" + query));
        for (const auto& o : body.value("objects", json::array()))
            out.push_back(o["type"].get<std::string>() + "@" + o["modified"].get<std::string>());
        return out;
    };
    EXPECT_EQ(versions_of(""), (std::vector<std::string>{"indicator@2024-03-01T00:00:00.000Z",
                                                         "identity@2024-01-01T00:00:00Z"}));
    EXPECT_EQ(versions_of("?match%5Bversion%5D=first&match%5Btype%5D=indicator"),
              (std::vector<std::string>{"indicator@2024-01-01T00:00:00.000Z"}));
    EXPECT_EQ(versions_of("?match%5Bversion%5D=all&match%5Btype%5D=indicator").size(), 3u);
    EXPECT_EQ(versions_of("?match%5Bversion%5D=2024-02-01T00:00:00Z"),
              (std::vector<std::string>{"indicator@2024-02-01T00:00:00.000Z"}));
    EXPECT_EQ(versions_of("?match%5Btype%5D=identity,malware").size(), 1u);
    EXPECT_EQ(versions_of("?match%5Bid%5D=" + id1 + "&match%5Bversion%5D=all").size(), 3u);
    EXPECT_EQ(versions_of("?match%5Bspec_version%5D=2.0").size(), 0u);
    EXPECT_EQ(versions_of("?match%5Bspec_version%5D=2.0,2.1").size(), 2u);
    expect_taxii_error(hub.get(alice, kC1Path + "objects/?match%5Bversion%5D=latest"), 400);
    expect_taxii_error(hub.get(alice, kC1Path + "objects/?limit=0"), 400);
    expect_taxii_error(hub.get(alice, kC1Path + "objects/?added_after=yesterday"), 400);
    expect_taxii_error(hub.get(alice, kC1Path + "objects/?next=x"), 400);
    // added_after: strictly after.
    const auto manifest = body_of(hub.get(alice, kC1Path + "manifest/?match%5Bversion%5D=all"));
    ASSERT_EQ(manifest["objects"].size(), 4u);
    const std::string second = manifest["objects"][1]["date_added"];
    const auto later =
        body_of(hub.get(alice, kC1Path + "manifest/?match%5Bversion%5D=all&added_after=" + second));
    EXPECT_EQ(later["objects"].size(), 2u);
}

TEST_F(HubServerTest, ObjectVersionsAndDelete) {
    const auto id1 = stix_id("indicator", 1);
    hub.post_objects(
        alice, kC1Path,
        {indicator(id1, "2024-01-01T00:00:00.000Z"), indicator(id1, "2024-02-01T00:00:00.000Z")});
    const auto object_path = kC1Path + "objects/" + id1 + "/";
    auto one = body_of(hub.get(bob, object_path));
    ASSERT_EQ(one["objects"].size(), 1u);
    EXPECT_EQ(one["objects"][0]["modified"], "2024-02-01T00:00:00.000Z");
    one = body_of(hub.get(bob, object_path + "?match%5Bversion%5D=all"));
    EXPECT_EQ(one["objects"].size(), 2u);
    const auto versions = hub.get(bob, object_path + "versions/");
    EXPECT_EQ(body_of(versions)["versions"],
              json::array({"2024-01-01T00:00:00.000Z", "2024-02-01T00:00:00.000Z"}));
    EXPECT_EQ(body_of(versions)["more"], false);
    EXPECT_FALSE(versions->get_header_value("X-TAXII-Date-Added-Last").empty());
    expect_taxii_error(hub.get(bob, kC1Path + "objects/" + stix_id("indicator", 9) + "/"), 404);
    expect_taxii_error(hub.get(bob, kC1Path + "objects/" + stix_id("indicator", 9) + "/versions/"),
                       404);
    // DELETE needs read and write: bob only reads C1.
    expect_taxii_error(hub.del(bob, object_path), 403);
    auto res = hub.del(alice, object_path + "?match%5Bversion%5D=2024-01-01T00:00:00.000Z");
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(body_of(hub.get(alice, object_path + "versions/"))["versions"],
              json::array({"2024-02-01T00:00:00.000Z"}));
    res = hub.del(alice, object_path);  // all remaining versions
    EXPECT_EQ(res->status, 200);
    expect_taxii_error(hub.get(alice, object_path), 404);
    expect_taxii_error(hub.del(alice, object_path), 404);
}

TEST_F(HubServerTest, PaginationWithNextNeitherSkipsNorRepeats) {
    json objects = json::array();
    for (unsigned i = 0; i < 25; ++i)
        objects.push_back(indicator(stix_id("indicator", i), "2024-01-01T00:00:00.000Z"));
    hub.post_objects(alice, kC1Path, objects);
    std::vector<std::string> seen;
    std::string next;
    int pages = 0;
    while (true) {
        const auto body = body_of(
            hub.get(bob, kC1Path + "objects/?limit=10" + (next.empty() ? "" : "&next=" + next)));
        ++pages;
        for (const auto& id : testing::ids_of(body["objects"])) seen.push_back(id);
        if (pages == 1)  // written between two pages: shows up at the end, exactly once
            hub.post_objects(alice, kC1Path,
                             {indicator(stix_id("indicator", 99), "2024-01-01T00:00:00.000Z")});
        if (!body.value("more", false)) {
            EXPECT_FALSE(body.contains("next"));
            break;
        }
        next = body["next"];
        ASSERT_LT(pages, 10);
    }
    EXPECT_EQ(pages, 3);
    ASSERT_EQ(seen.size(), 26u);
    for (unsigned i = 0; i < 25; ++i) EXPECT_EQ(seen[i], stix_id("indicator", i));
    EXPECT_EQ(seen[25], stix_id("indicator", 99));
    // limit above page.max-limit is clamped to it (20).
    EXPECT_EQ(body_of(hub.get(bob, kC1Path + "objects/?limit=1000"))["objects"].size(), 20u);
}

// Manifest and versions carry `next` as objects do (clients such as the OASIS taxii2-client
// page every endpoint by it): following it visits every record once, and the last page has
// no `next`.
TEST_F(HubServerTest, ManifestAndVersionsPageWithNextToo) {
    json objects = json::array();
    for (unsigned i = 0; i < 7; ++i)
        objects.push_back(indicator(stix_id("indicator", i), "2024-01-01T00:00:00.000Z"));
    for (unsigned day = 2; day <= 6; ++day)  // indicator 0 gets 5 more versions
        objects.push_back(
            indicator(stix_id("indicator", 0), fmt::format("2024-01-0{}T00:00:00.000Z", day)));
    hub.post_objects(alice, kC1Path, objects);

    // follow_next(PATH, LIST): the values of LIST over every page of PATH (limit 3).
    const auto follow_next = [&](const std::string& path, const std::string& list) {
        std::vector<std::string> seen;
        std::string next;
        for (int page = 0; page < 10; ++page) {
            const auto body =
                body_of(hub.get(bob, path + "?limit=3" + (next.empty() ? "" : "&next=" + next)));
            for (const auto& item : body[list])
                seen.push_back(item.is_string() ? item.get<std::string>()
                                                : item["id"].get<std::string>());
            if (!body.value("more", false)) {
                EXPECT_FALSE(body.contains("next")) << path;
                return seen;
            }
            EXPECT_TRUE(body.contains("next")) << path << " page " << page;
            if (!body.contains("next")) return seen;
            next = body["next"];
        }
        ADD_FAILURE() << path << ": more than 10 pages";
        return seen;
    };

    const auto manifest = follow_next(kC1Path + "manifest/", "objects");
    ASSERT_EQ(manifest.size(), 7u);  // the latest version of each object
    std::set<std::string> ids(manifest.begin(), manifest.end());
    EXPECT_EQ(ids.size(), 7u);
    for (unsigned i = 0; i < 7; ++i) EXPECT_EQ(ids.count(stix_id("indicator", i)), 1u);

    const auto versions =
        follow_next(kC1Path + "objects/" + stix_id("indicator", 0) + "/versions/", "versions");
    EXPECT_EQ(versions,
              (std::vector<std::string>{"2024-01-01T00:00:00.000Z", "2024-01-02T00:00:00.000Z",
                                        "2024-01-03T00:00:00.000Z", "2024-01-04T00:00:00.000Z",
                                        "2024-01-05T00:00:00.000Z", "2024-01-06T00:00:00.000Z"}));
}

TEST_F(HubServerTest, PaginationWithAddedAfterAndTheLastHeader) {
    json objects = json::array();
    for (unsigned i = 0; i < 7; ++i)
        objects.push_back(indicator(stix_id("indicator", i), "2024-01-01T00:00:00.000Z"));
    hub.post_objects(alice, kC1Path, objects);
    std::vector<std::string> seen;
    std::string after;
    for (int page = 0; page < 10; ++page) {
        const auto res = hub.get(
            bob, kC1Path + "manifest/?limit=3" + (after.empty() ? "" : "&added_after=" + after));
        const auto body = body_of(res);
        if (!body.contains("objects")) break;
        for (const auto& id : testing::ids_of(body["objects"])) seen.push_back(id);
        after = res->get_header_value("X-TAXII-Date-Added-Last");
    }
    ASSERT_EQ(seen.size(), 7u);
    for (unsigned i = 0; i < 7; ++i) EXPECT_EQ(seen[i], stix_id("indicator", i));
}

TEST_F(HubServerTest, DatabaseFailureIs500AndStoresNothing) {
    hub.post_objects(alice, kC1Path,
                     {indicator(stix_id("indicator", 1), "2024-01-01T00:00:00.000Z")});
    Database outside((hub.dir() / "hub.db").string());
    // Another process breaks the schema under the running hub: the POST's versions go in, then
    // its status cannot be saved, so the whole transaction must go.
    outside.exec("ALTER TABLE statuses RENAME TO statuses_away");
    const json two = {indicator(stix_id("indicator", 2), "2024-01-01T00:00:00.000Z"),
                      indicator(stix_id("indicator", 3), "2024-01-01T00:00:00.000Z")};
    expect_taxii_error(hub.post(alice, kC1Path + "objects/", json{{"objects", two}}.dump()), 500);
    auto body = body_of(hub.get(alice, kC1Path + "objects/"));
    EXPECT_EQ(testing::ids_of(body["objects"]), std::vector<std::string>{stix_id("indicator", 1)});
    outside.exec("ALTER TABLE statuses_away RENAME TO statuses");
    // Reads fail as cleanly.
    outside.exec("ALTER TABLE versions RENAME TO versions_away");
    expect_taxii_error(hub.get(alice, kC1Path + "objects/"), 500);
    outside.exec("ALTER TABLE versions_away RENAME TO versions");
    auto statuses = outside.prepare("SELECT count(*) FROM statuses");
    ASSERT_TRUE(statuses->step());
    EXPECT_EQ(statuses->int_at(0), 1);  // only the first POST's
    // And the hub goes on.
    hub.post_objects(alice, kC1Path, two);
    body = body_of(hub.get(alice, kC1Path + "objects/"));
    EXPECT_EQ(body["objects"].size(), 3u);
}

TEST_F(HubServerTest, ScoVersionIsItsDateAdded) {
    const json ip = {{"type", "ipv4-addr"},
                     {"id", "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"},
                     {"value", "198.51.100.3"}};
    const auto status = hub.post_objects(alice, kC1Path, {ip});
    const auto manifest = body_of(hub.get(alice, kC1Path + "manifest/"));
    ASSERT_EQ(manifest["objects"].size(), 1u);
    EXPECT_EQ(manifest["objects"][0]["version"], manifest["objects"][0]["date_added"]);
    EXPECT_EQ(status["successes"][0]["version"], manifest["objects"][0]["version"]);
}

}  // namespace
}  // namespace tocsin::hub
