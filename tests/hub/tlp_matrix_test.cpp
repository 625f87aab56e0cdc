// Every cell of the TLP sharing table through every read endpoint: 5 markings and unmarked
// objects under each of the 5 collection defaults, read by the creator, a colleague of the
// same organisation, a member of another organisation of the community, and a reader outside
// the community. Expected values come from the table in docs/hub.md (TLP 2.0 definitions),
// written out by hand below, not from the hub's code.
#include <map>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "hub_fixture.h"

namespace tocsin::hub {
namespace {

using nlohmann::json;
using testing::indicator;
using testing::stix_id;
using testing::TestHub;
using testing::TestPartner;

const std::map<std::string, std::string> kMarking = {
    {"clear", "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"},
    {"green", "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"},
    {"amber", "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"},
    {"amber+strict", "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"},
    {"red", "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"},
};
const std::vector<std::string> kLevels = {"clear", "green", "amber", "amber+strict", "red"};
constexpr std::size_t kExtra = 5;

enum Reader { kCreator, kColleague, kPeer, kOutsider };
// level -> who may read: creator, same organisation, other organisation in the community,
// reader outside the community.
const std::map<std::string, std::array<bool, 4>> kTable = {
    {"clear", {true, true, true, true}},  {"green", {true, true, true, false}},
    {"amber", {true, true, true, false}}, {"amber+strict", {true, true, false, false}},
    {"red", {true, false, false, false}},
};

std::string collection_id(std::size_t i) {
    return fmt::format("{0}{0}{0}{0}{0}{0}{0}{0}-0000-4000-8000-00000000000{0}", i + 1);
}

std::string yaml() {
    std::string out =
        "communities:\n  trusted: [org-a, org-b]\napi-roots:\n  - path: api1\n"
        "    title: TLP\n    collections:\n";
    for (std::size_t i = 0; i < kLevels.size(); ++i)
        out += fmt::format(
            "      - id: {}\n        title: default {}\n        community: trusted\n"
            "        default-tlp: {}\n",
            collection_id(i), kLevels[i], kLevels[i]);
    // A sixth collection (default clear) for the tests that add objects of their own.
    out += fmt::format(
        "      - id: {}\n        title: extra\n        community: trusted\n"
        "        default-tlp: clear\n",
        collection_id(kExtra));
    return out;
}

json body_of(const httplib::Result& res) {
    return res ? json::parse(res->body, nullptr, false) : json{};
}

class TlpMatrix : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        hub_ = new TestHub(yaml());
        std::vector<std::string> all;
        for (std::size_t i = 0; i <= kExtra; ++i) all.push_back(collection_id(i));
        readers_[kCreator] = hub_->add_partner("alice", "org-a", all, all);
        readers_[kColleague] = hub_->add_partner("alan", "org-a", all, {});
        readers_[kPeer] = hub_->add_partner("bob", "org-b", all, all);
        readers_[kOutsider] = hub_->add_partner("carol", "org-c", all, all);
        // In each collection: one object per marking, then one unmarked, posted by alice.
        for (std::size_t c = 0; c < kLevels.size(); ++c) {
            json objects = json::array();
            for (std::size_t l = 0; l < kLevels.size(); ++l)
                objects.push_back(indicator(stix_id("indicator", c * 10 + l),
                                            "2024-01-01T00:00:00.000Z", {kMarking.at(kLevels[l])}));
            objects.push_back(
                indicator(stix_id("indicator", c * 10 + 9), "2024-01-01T00:00:00.000Z"));
            hub_->post_objects(readers_[kCreator], path(c), objects);
        }
    }
    static void TearDownTestSuite() {
        delete hub_;
        hub_ = nullptr;
    }

    static std::string path(std::size_t c) {
        return fmt::format("/api1/collections/{}/", collection_id(c));
    }

    // The ids reader r must see in collection c, in the order they were added.
    static std::vector<std::string> expected(std::size_t c, Reader r) {
        std::vector<std::string> out;
        for (std::size_t l = 0; l < kLevels.size(); ++l)
            if (kTable.at(kLevels[l])[r]) out.push_back(stix_id("indicator", c * 10 + l));
        if (kTable.at(kLevels[c])[r]) out.push_back(stix_id("indicator", c * 10 + 9));  // unmarked
        return out;
    }
    static std::vector<std::string> all_ids(std::size_t c) { return expected(c, kCreator); }

    static TestHub* hub_;
    static std::array<TestPartner, 4> readers_;
};

TestHub* TlpMatrix::hub_ = nullptr;
std::array<TestPartner, 4> TlpMatrix::readers_;

const char* const kReaderNames[] = {"creator", "colleague", "peer", "outsider"};

TEST_F(TlpMatrix, ObjectsManifestObjectAndVersions) {
    for (std::size_t c = 0; c < kLevels.size(); ++c) {
        // The creator sees everything: its manifest gives each object's date_added.
        const auto creator_manifest = body_of(hub_->get(readers_[kCreator], path(c) + "manifest/"));
        ASSERT_EQ(creator_manifest["objects"].size(), 6u);
        std::map<std::string, std::string> date_added;
        for (const auto& m : creator_manifest["objects"]) date_added[m["id"]] = m["date_added"];
        for (int r = kCreator; r <= kOutsider; ++r) {
            SCOPED_TRACE(fmt::format("collection default {}, {}", kLevels[c], kReaderNames[r]));
            const auto want = expected(c, static_cast<Reader>(r));
            const auto& who = readers_[r];
            // objects
            const auto objects = hub_->get(who, path(c) + "objects/");
            const auto envelope = body_of(objects);
            EXPECT_EQ(testing::ids_of(envelope.value("objects", json::array())), want);
            // manifest
            const auto manifest = body_of(hub_->get(who, path(c) + "manifest/"));
            EXPECT_EQ(testing::ids_of(manifest.value("objects", json::array())), want);
            // object and versions, for every object in the collection
            for (const auto& id : all_ids(c)) {
                const bool visible = std::find(want.begin(), want.end(), id) != want.end();
                const auto one = hub_->get(who, path(c) + "objects/" + id + "/");
                EXPECT_EQ(one->status, visible ? 200 : 404) << id;
                if (visible) {
                    EXPECT_EQ(testing::ids_of(body_of(one)["objects"]),
                              std::vector<std::string>{id});
                }
                const auto versions = hub_->get(who, path(c) + "objects/" + id + "/versions/");
                EXPECT_EQ(versions->status, visible ? 200 : 404) << id;
            }
            // Nothing invisible leaks through `more`, `next` or the date headers: asking for
            // exactly the visible count says there is no more, and the last header is the
            // last visible object's date_added.
            if (!want.empty()) {
                const auto page =
                    hub_->get(who, path(c) + fmt::format("objects/?limit={}", want.size()));
                const auto body = body_of(page);
                EXPECT_EQ(body["more"], false);
                EXPECT_FALSE(body.contains("next"));
                EXPECT_EQ(page->get_header_value("X-TAXII-Date-Added-First"),
                          date_added[want.front()]);
                EXPECT_EQ(page->get_header_value("X-TAXII-Date-Added-Last"),
                          date_added[want.back()]);
                const auto after_last = body_of(
                    hub_->get(who, path(c) + "manifest/?added_after=" + date_added[want.back()]));
                EXPECT_EQ(after_last, json::object());
            } else {
                EXPECT_EQ(envelope, json::object());
                EXPECT_EQ(objects->get_header_value("X-TAXII-Date-Added-Last"), "");
            }
        }
    }
}

TEST_F(TlpMatrix, LastVersionIsTheLatestVisibleOne) {
    const auto id = stix_id("indicator", 500);
    const auto p = path(kExtra);
    hub_->post_objects(readers_[kCreator], p,
                       {indicator(id, "2024-01-01T00:00:00.000Z", {kMarking.at("clear")}),
                        indicator(id, "2024-02-01T00:00:00.000Z", {kMarking.at("red")})});
    const auto peer_view = body_of(hub_->get(readers_[kPeer], p + "objects/" + id + "/"));
    ASSERT_EQ(peer_view["objects"].size(), 1u);
    EXPECT_EQ(peer_view["objects"][0]["modified"], "2024-01-01T00:00:00.000Z");
    EXPECT_EQ(body_of(hub_->get(readers_[kPeer], p + "objects/" + id + "/versions/"))["versions"],
              json::array({"2024-01-01T00:00:00.000Z"}));
    EXPECT_EQ(body_of(hub_->get(readers_[kPeer],
                                p + "objects/" + id + "/?match%5Bversion%5D=all"))["objects"]
                  .size(),
              1u);
    EXPECT_EQ(
        body_of(hub_->get(readers_[kCreator], p + "objects/" + id + "/"))["objects"][0]["modified"],
        "2024-02-01T00:00:00.000Z");
}

TEST_F(TlpMatrix, OthersCannotDeleteOrOverwriteRed) {
    const auto p = path(kExtra);
    const auto red_id = stix_id("indicator", 800);
    hub_->post_objects(readers_[kCreator], p,
                       {indicator(red_id, "2024-01-01T00:00:00.000Z", {kMarking.at("red")})});
    const auto del = hub_->del(readers_[kPeer], p + "objects/" + red_id + "/");
    EXPECT_EQ(del->status, 404);
    // Posting the same id and version is a success (as for any repeated object) but neither
    // replaces nor reveals alice's version.
    auto copy = indicator(red_id, "2024-01-01T00:00:00.000Z", {kMarking.at("clear")});
    copy["name"] = "overwritten";
    const auto status = hub_->post_objects(readers_[kPeer], p, {copy});
    EXPECT_EQ(status["success_count"], 1);
    EXPECT_FALSE(status["successes"][0].contains("message"));
    EXPECT_EQ(hub_->get(readers_[kPeer], p + "objects/" + red_id + "/")->status, 404);
    const auto mine = body_of(hub_->get(readers_[kCreator], p + "objects/" + red_id + "/"));
    EXPECT_EQ(mine["objects"][0]["name"], "test indicator");
}

TEST_F(TlpMatrix, CreatedByRefDoesNotWidenAccess) {
    // carol (outside the community) posts RED claiming to be alice: it stays carol's.
    const auto p = path(kExtra);
    const auto id = stix_id("indicator", 600);
    auto spoof = indicator(id, "2024-01-01T00:00:00.000Z", {kMarking.at("red")});
    spoof["created_by_ref"] = readers_[kCreator].identity;
    hub_->post_objects(readers_[kOutsider], p, {spoof});
    EXPECT_EQ(hub_->get(readers_[kCreator], p + "objects/" + id + "/")->status, 404);
    EXPECT_EQ(hub_->get(readers_[kOutsider], p + "objects/" + id + "/")->status, 200);
    // AMBER from outside the community: its own organisation and the community may read it.
    const auto amber_id = stix_id("indicator", 601);
    hub_->post_objects(readers_[kOutsider], p,
                       {indicator(amber_id, "2024-01-01T00:00:00.000Z", {kMarking.at("amber")})});
    EXPECT_EQ(hub_->get(readers_[kOutsider], p + "objects/" + amber_id + "/")->status, 200);
    EXPECT_EQ(hub_->get(readers_[kPeer], p + "objects/" + amber_id + "/")->status, 200);
}

TEST_F(TlpMatrix, Tlp1MarkingsAndSeveralMarkings) {
    const auto p = path(kExtra);
    const auto white = stix_id("indicator", 700);
    const auto mixed = stix_id("indicator", 701);
    hub_->post_objects(readers_[kCreator], p,
                       {indicator(white, "2024-01-01T00:00:00.000Z",
                                  {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"}),
                        indicator(mixed, "2024-01-01T00:00:00.000Z",
                                  {kMarking.at("clear"), kMarking.at("amber+strict")})});
    EXPECT_EQ(hub_->get(readers_[kOutsider], p + "objects/" + white + "/")->status, 200);
    EXPECT_EQ(hub_->get(readers_[kColleague], p + "objects/" + mixed + "/")->status, 200);
    EXPECT_EQ(hub_->get(readers_[kPeer], p + "objects/" + mixed + "/")->status, 404);
}

}  // namespace
}  // namespace tocsin::hub
