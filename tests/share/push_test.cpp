#include "share/push.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "share/mock_taxii.h"
#include "share/share_test_util.h"

namespace tocsin::share {
namespace {

using testing::CapturedMessages;
using testing::fast_transport;
using testing::files_in;
using testing::kCollection;
using testing::MockTaxii;
using testing::read_text;
using testing::TempFolder;

constexpr const char* kIdentity = "identity--5f3a4e2c-0000-4000-8000-000000000001";

// A sensor's sightings bundle: one identity and `count` sightings.
nlohmann::json sightings_bundle(int count) {
    nlohmann::json objects = nlohmann::json::array();
    objects.push_back({{"type", "identity"},
                       {"spec_version", "2.1"},
                       {"id", kIdentity},
                       {"created", "2024-03-02T00:00:00.000Z"},
                       {"modified", "2024-03-02T00:00:00.000Z"},
                       {"name", "sensor-1"},
                       {"identity_class", "system"}});
    for (int i = 1; i <= count; ++i) {
        char id[64];
        std::snprintf(id, sizeof id, "sighting--00000000-0000-4000-9000-%012d", i);
        objects.push_back({{"type", "sighting"},
                           {"spec_version", "2.1"},
                           {"id", id},
                           {"created", "2024-03-02T00:00:01.000Z"},
                           {"modified", "2024-03-02T00:00:01.000Z"},
                           {"created_by_ref", kIdentity},
                           {"sighting_of_ref", "indicator--00000000-0000-4000-8000-000000000001"},
                           {"where_sighted_refs", {kIdentity}},
                           {"count", i},
                           {"first_seen", "2024-03-02T00:00:00.000Z"},
                           {"last_seen", "2024-03-02T00:00:01.000Z"}});
    }
    return {{"type", "bundle"},
            {"id", "bundle--00000000-0000-4000-8000-00000000abcd"},
            {"objects", objects}};
}

std::set<std::string> ids_of(const std::vector<nlohmann::json>& objects) {
    std::set<std::string> ids;
    for (const auto& o : objects) ids.insert(o.at("id").get<std::string>());
    return ids;
}

class PushTest : public ::testing::Test {
  protected:
    void write_bundle(int sightings) {
        bundle = sightings_bundle(sightings);
        std::ofstream(log_dir.path() / "sightings.json") << bundle.dump();
    }

    PushOptions options(unsigned batch) const {
        PushOptions o;
        o.url = mock.api_root_url();
        o.collection = kCollection;
        o.log_dir = log_dir.path();
        o.transport = fast_transport();
        o.batch = batch;
        o.poll.first_delay = std::chrono::milliseconds(5);
        o.poll.max_delay = std::chrono::milliseconds(20);
        return o;
    }

    std::set<std::string> bundle_ids() const {
        std::set<std::string> ids;
        for (const auto& o : bundle.at("objects")) ids.insert(o.at("id").get<std::string>());
        return ids;
    }

    std::filesystem::path state_file() const {
        return log_dir.path() / ("127.0.0.1-" + std::to_string(mock.port()) + "-api1-" +
                                 std::string(kCollection) + ".push-state");
    }

    // The ids of the journal's entry lines (the first line is its header).
    std::set<std::string> acknowledged_in_state() const {
        std::set<std::string> ids;
        std::istringstream journal(read_text(state_file()));
        std::string line;
        std::getline(journal, line);
        EXPECT_EQ(nlohmann::json::parse(line).at("format"), "tocsin-taxii-push/1");
        while (std::getline(journal, line)) ids.insert(nlohmann::json::parse(line).at("id"));
        return ids;
    }

    MockTaxii mock;
    TempFolder log_dir;
    nlohmann::json bundle;
    CapturedMessages captured;
};

TEST_F(PushTest, SendsEnvelopesOfAtMostTheBatchSizeAndRecordsAcknowledgements) {
    write_bundle(25);  // 26 objects: batches of 10, 10 and 6
    const PushResult result = push_sightings(options(10), captured.messages);
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_EQ(result.total, 26u);
    EXPECT_EQ(result.sent, 26u);
    EXPECT_EQ(result.acknowledged, 26u);

    const auto posts = mock.requests_to("/objects/");
    ASSERT_EQ(posts.size(), 3u);
    std::vector<std::size_t> sizes;
    for (const auto& post : posts) {
        EXPECT_EQ(post.method, "POST");
        EXPECT_EQ(post.content_type, "application/taxii+json;version=2.1");
        EXPECT_EQ(post.accept, "application/taxii+json;version=2.1");
        sizes.push_back(nlohmann::json::parse(post.body).at("objects").size());
    }
    EXPECT_EQ(sizes, (std::vector<std::size_t>{10, 10, 6}));
    // The objects arrive unchanged, each once.
    const auto posted = mock.posted_objects();
    EXPECT_EQ(posted.size(), 26u);
    EXPECT_EQ(
        std::vector<nlohmann::json>(posted.begin(), posted.end()),
        std::vector<nlohmann::json>(bundle.at("objects").begin(), bundle.at("objects").end()));
    EXPECT_EQ(acknowledged_in_state(), bundle_ids());

    // A second push has nothing to send.
    mock.clear_requests();
    const PushResult again = push_sightings(options(10), captured.messages);
    ASSERT_TRUE(again.ok) << again.error;
    EXPECT_EQ(again.already, 26u);
    EXPECT_EQ(again.sent, 0u);
    EXPECT_TRUE(mock.requests_to("/objects/").empty());
}

TEST_F(PushTest, ResumesAfterAFailedBatchSendingOnlyTheRest) {
    write_bundle(25);
    mock.fail_posts_after(1);  // the first envelope is taken, the second fails every try
    const PushResult broken = push_sightings(options(10), captured.messages);
    EXPECT_FALSE(broken.ok);
    EXPECT_NE(broken.error.find("HTTP 503"), std::string::npos) << broken.error;
    const auto first_ten = ids_of(mock.posted_objects());
    EXPECT_EQ(first_ten.size(), 10u);
    EXPECT_EQ(acknowledged_in_state(), first_ten);

    mock.heal();
    mock.clear_requests();
    const PushResult resumed = push_sightings(options(10), captured.messages);
    ASSERT_TRUE(resumed.ok) << resumed.error;
    EXPECT_EQ(resumed.already, 10u);
    EXPECT_EQ(resumed.sent, 16u);
    std::set<std::string> rest = bundle_ids();
    for (const auto& id : first_ten) rest.erase(id);
    EXPECT_EQ(ids_of(mock.posted_objects()), rest);
    EXPECT_EQ(mock.posted_objects().size(), 16u);
    EXPECT_EQ(acknowledged_in_state(), bundle_ids());
}

TEST_F(PushTest, RejectedObjectsAreReportedAndSentAgainNextTime) {
    write_bundle(5);
    const std::string rejected_a = "sighting--00000000-0000-4000-9000-000000000002";
    const std::string rejected_b = "sighting--00000000-0000-4000-9000-000000000004";
    mock.reject_ids({rejected_a, rejected_b});
    const PushResult result = push_sightings(options(100), captured.messages);
    EXPECT_FALSE(result.ok);
    EXPECT_TRUE(result.error.empty()) << result.error;
    EXPECT_EQ(result.rejected, 2u);
    EXPECT_EQ(result.acknowledged, 4u);
    EXPECT_NE(captured.all().find("rejected " + rejected_a), std::string::npos);
    EXPECT_NE(captured.all().find("rejected by policy"), std::string::npos);
    auto expected = bundle_ids();
    expected.erase(rejected_a);
    expected.erase(rejected_b);
    EXPECT_EQ(acknowledged_in_state(), expected);

    mock.heal();
    mock.clear_requests();
    const PushResult retry = push_sightings(options(100), captured.messages);
    ASSERT_TRUE(retry.ok) << retry.error;
    EXPECT_EQ(ids_of(mock.posted_objects()), (std::set<std::string>{rejected_a, rejected_b}));
}

TEST_F(PushTest, FollowsAPendingStatusUntilComplete) {
    write_bundle(7);  // 8 objects, one envelope
    mock.set_pending_polls(2);
    const PushResult result = push_sightings(options(100), captured.messages);
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_EQ(result.acknowledged, 8u);
    const auto polls = mock.requests_to("/api1/status/status-1/");
    EXPECT_EQ(polls.size(), 2u);
    for (const auto& poll : polls) EXPECT_EQ(poll.method, "GET");
    EXPECT_EQ(acknowledged_in_state(), bundle_ids());
}

TEST_F(PushTest, StopsPollingAtTheBoundAndKeepsWhatWasAcknowledged) {
    write_bundle(7);
    mock.set_pending_polls(50);
    auto o = options(100);
    o.poll.max_polls = 3;
    const PushResult result = push_sightings(o, captured.messages);
    EXPECT_FALSE(result.ok);
    EXPECT_EQ(mock.requests_to("/status/").size(), 3u);
    // While pending the mock reports the first half (4 of 8) as done.
    EXPECT_EQ(result.acknowledged, 4u);
    EXPECT_EQ(result.pending, 4u);
    EXPECT_EQ(acknowledged_in_state().size(), 4u);
}

TEST_F(PushTest, SplitsEnvelopesToFitTheApiRootsMaxContentLength) {
    write_bundle(12);
    const std::size_t max_length = 1500;  // a sighting is about 420 bytes: 3 per envelope
    mock.set_max_content_length(max_length);
    const PushResult result = push_sightings(options(100), captured.messages);
    ASSERT_TRUE(result.ok) << result.error;
    const auto posts = mock.requests_to("/objects/");
    EXPECT_GT(posts.size(), 1u);
    for (const auto& post : posts) EXPECT_LE(post.body.size(), max_length);
    EXPECT_EQ(ids_of(mock.posted_objects()), bundle_ids());
}

TEST_F(PushTest, MissingSightingsFileIsAClearError) {
    const PushResult result = push_sightings(options(10), captured.messages);
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("sightings.json"), std::string::npos) << result.error;
    EXPECT_TRUE(mock.requests().empty());
}

TEST_F(PushTest, ALineTornByACrashIsCutOffAndTheRestResent) {
    write_bundle(5);  // 6 objects
    ASSERT_TRUE(push_sightings(options(3), captured.messages).ok);
    // Keep the header and the first 3 acknowledgements, then half a line: a crash in the
    // middle of an append.
    std::istringstream journal(read_text(state_file()));
    std::string kept, line;
    for (int i = 0; i < 4 && std::getline(journal, line); ++i) kept += line + "\n";
    std::getline(journal, line);
    std::ofstream(state_file(), std::ios::trunc) << kept << line.substr(0, line.size() / 2);
    mock.clear_requests();

    const PushResult again = push_sightings(options(3), captured.messages);
    ASSERT_TRUE(again.ok) << again.error;
    EXPECT_EQ(again.already, 3u);
    EXPECT_EQ(again.sent, 3u);
    EXPECT_EQ(mock.posted_objects().size(), 3u);
    EXPECT_EQ(acknowledged_in_state(), bundle_ids());  // parses: the torn half line is gone
}

TEST(PushState, RoundTripsAndMatchesVersionsAsInstants) {
    PushState state;
    state.api_root = "https://hub/api1/";
    state.collection = "c";
    std::string journal = format_push_state_header(state);
    journal += format_push_state_entry("sighting--1", "2024-03-02T00:00:01.000Z");
    journal += format_push_state_entry("identity--1", "2024-03-02T00:00:00Z");
    journal += format_push_state_entry("identity--1", "2024-03-03T00:00:00Z");
    state.acknowledged["sighting--1"] = {"2024-03-02T00:00:01.000Z"};
    state.acknowledged["identity--1"] = {"2024-03-02T00:00:00Z", "2024-03-03T00:00:00Z"};
    std::string error;
    std::size_t complete = 0;
    const auto back = parse_push_state(journal, error, &complete);
    ASSERT_TRUE(back) << error;
    EXPECT_EQ(*back, state);
    EXPECT_EQ(complete, journal.size());
    EXPECT_TRUE(back->contains("sighting--1", "2024-03-02T00:00:01Z"));
    EXPECT_FALSE(back->contains("sighting--1", "2024-03-02T00:00:02.000Z"));
    EXPECT_FALSE(back->contains("sighting--2", "2024-03-02T00:00:01.000Z"));

    // A torn last line is not an entry; a damaged complete line is an error.
    const auto torn = parse_push_state(journal + "{\"id\":\"sight", error, &complete);
    ASSERT_TRUE(torn);
    EXPECT_EQ(*torn, state);
    EXPECT_EQ(complete, journal.size());
    EXPECT_FALSE(parse_push_state(journal + "{\"id\":\"x\"}\n", error));
    EXPECT_FALSE(parse_push_state("", error));
    EXPECT_FALSE(parse_push_state("{\"format\":\"other\"}\n", error));
}

}  // namespace
}  // namespace tocsin::share
