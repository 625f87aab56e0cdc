#include "share/pull.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

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

class PullTest : public ::testing::Test {
  protected:
    PullOptions options(unsigned limit = 5) const {
        PullOptions o;
        o.url = mock.api_root_url();
        o.collection = kCollection;
        o.store = store.path();
        o.transport = fast_transport();
        o.limit = limit;
        return o;
    }

    // The folder the pages must land in, spelled out from the naming rule by hand:
    // host, port, API root path and collection joined by '-'.
    std::filesystem::path page_folder() const {
        return store.path() /
               ("127.0.0.1-" + std::to_string(mock.port()) + "-api1-" + std::string(kCollection));
    }
    std::filesystem::path state_file() const {
        return store.path() / (".127.0.0.1-" + std::to_string(mock.port()) + "-api1-" +
                               std::string(kCollection) + ".pull-state");
    }

    std::vector<std::filesystem::path> pages() const { return files_in(page_folder()); }

    // Every object of every page file, in file order.
    std::vector<nlohmann::json> pulled_objects() const {
        std::vector<nlohmann::json> objects;
        for (const auto& page : pages()) {
            const auto bundle = nlohmann::json::parse(read_text(page));
            for (const auto& object : bundle.at("objects")) objects.push_back(object);
        }
        return objects;
    }

    std::vector<nlohmann::json> mock_objects() const {
        std::vector<nlohmann::json> objects;
        for (const auto& stored : mock.objects()) objects.push_back(stored.object);
        return objects;
    }

    MockTaxii mock;
    TempFolder store;
    CapturedMessages captured;
};

std::vector<std::string> names_of(const std::vector<std::filesystem::path>& paths) {
    std::vector<std::string> names;
    for (const auto& p : paths) names.push_back(p.filename().string());
    return names;
}

TEST_F(PullTest, WritesOneBundlePerPageWithTheEnvelopeObjects) {
    mock.add_indicators(23);
    const PullResult result = pull_collection(options(5), captured.messages);
    ASSERT_TRUE(result.ok) << result.error;

    // 23 objects, 5 per page: pages of 5, 5, 5, 5 and 3.
    EXPECT_EQ(names_of(pages()),
              (std::vector<std::string>{"page-0000000001.json", "page-0000000002.json",
                                        "page-0000000003.json", "page-0000000004.json",
                                        "page-0000000005.json"}));
    EXPECT_EQ(result.pages, 5u);
    EXPECT_EQ(result.objects, 23u);
    EXPECT_EQ(pulled_objects(), mock_objects());

    const std::regex bundle_id(
        "bundle--[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    std::set<std::string> ids;
    for (const auto& page : pages()) {
        const auto bundle = nlohmann::json::parse(read_text(page));
        EXPECT_EQ(bundle.at("type"), "bundle");
        EXPECT_TRUE(std::regex_match(bundle.at("id").get<std::string>(), bundle_id));
        ids.insert(bundle.at("id").get<std::string>());
        EXPECT_EQ(bundle.size(), 3u);  // type, id, objects
    }
    EXPECT_EQ(ids.size(), 5u);

    // Every request carried the TAXII media type and the page size.
    const auto requests = mock.requests_to("/objects/");
    ASSERT_EQ(requests.size(), 5u);
    for (const auto& r : requests) {
        EXPECT_EQ(r.accept, "application/taxii+json;version=2.1");
        EXPECT_EQ(r.params.at("limit"), "5");
    }
    // The first asks from the start; the others follow the server's tokens.
    EXPECT_EQ(requests[0].params.count("added_after"), 0u);
    EXPECT_EQ(requests[0].params.count("next"), 0u);
    EXPECT_EQ(requests[1].params.at("next"), "token-1");

    // The state: next file 6, and the date_added of the last object as the resume point.
    const auto state = nlohmann::json::parse(read_text(state_file()));
    EXPECT_EQ(state.at("next_file"), 6);
    EXPECT_EQ(state.at("objects"), 23);
    EXPECT_EQ(state.at("added_after"), mock.objects().back().date_added);
    EXPECT_FALSE(state.contains("next"));
    // Apart from the pages, the store holds only the hidden state (intel loaders skip hidden
    // files): no temporary files are left.
    std::vector<std::string> others;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(store.path()))
        if (entry.is_regular_file() && entry.path().parent_path() != page_folder())
            others.push_back(entry.path().filename().string());
    EXPECT_EQ(others, (std::vector<std::string>{state_file().filename().string()}));
    EXPECT_EQ(files_in(page_folder()).size(), 5u);
}

TEST_F(PullTest, ANewPullFetchesOnlyObjectsAddedSince) {
    mock.add_indicators(7);
    ASSERT_TRUE(pull_collection(options(5), captured.messages).ok);
    const std::string last_before = mock.objects().back().date_added;
    mock.add_indicators(4);
    mock.clear_requests();

    const PullResult again = pull_collection(options(5), captured.messages);
    ASSERT_TRUE(again.ok) << again.error;
    EXPECT_EQ(again.pages, 1u);
    EXPECT_EQ(again.objects, 4u);
    const auto requests = mock.requests_to("/objects/");
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].params.at("added_after"), last_before);
    EXPECT_EQ(pulled_objects(), mock_objects());
    EXPECT_EQ(pages().size(), 3u);

    // Nothing new: one request, no file.
    const PullResult idle = pull_collection(options(5), captured.messages);
    ASSERT_TRUE(idle.ok);
    EXPECT_EQ(idle.pages, 0u);
    EXPECT_EQ(pages().size(), 3u);
}

TEST_F(PullTest, ResumesAfterTheServerFailsMidRunWithoutDuplicatesOrGaps) {
    mock.add_indicators(23);
    mock.fail_objects_after(2);  // pages 1 and 2 arrive, then 503 on every try
    const PullResult broken = pull_collection(options(5), captured.messages);
    EXPECT_FALSE(broken.ok);
    EXPECT_NE(broken.error.find("HTTP 503"), std::string::npos) << broken.error;
    EXPECT_NE(broken.error.find("gave up after 3 tries"), std::string::npos) << broken.error;
    EXPECT_EQ(pages().size(), 2u);
    const auto state = nlohmann::json::parse(read_text(state_file()));
    EXPECT_EQ(state.at("next_file"), 3);
    EXPECT_EQ(state.at("next"), "token-2");
    EXPECT_EQ(state.at("added_after"), mock.objects()[9].date_added);

    mock.heal();
    mock.clear_requests();
    const PullResult resumed = pull_collection(options(5), captured.messages);
    ASSERT_TRUE(resumed.ok) << resumed.error;
    EXPECT_EQ(resumed.pages, 3u);
    EXPECT_EQ(resumed.objects, 13u);
    // It went on from the saved token rather than from the start.
    const auto requests = mock.requests_to("/objects/");
    ASSERT_EQ(requests.size(), 3u);
    EXPECT_EQ(requests[0].params.at("next"), "token-2");
    EXPECT_EQ(pages().size(), 5u);
    EXPECT_EQ(pulled_objects(), mock_objects());
}

TEST_F(PullTest, AKillBetweenPageAndStateRewritesThatPageUnderTheSameName) {
    mock.add_indicators(23);
    auto two = options(5);
    two.max_pages = 2;
    ASSERT_TRUE(pull_collection(two, captured.messages).ok);
    const std::string state_after_two = read_text(state_file());
    auto one = options(5);
    one.max_pages = 1;
    ASSERT_TRUE(pull_collection(one, captured.messages).ok);
    ASSERT_EQ(pages().size(), 3u);
    // The state as it was when page 3 was on disk but its state update was not: a kill at
    // that instant. Plus a temporary file of a page being written.
    {
        std::ofstream(state_file(), std::ios::trunc) << state_after_two;
        std::ofstream(page_folder() / ".page-0000000004.json.tmp") << "{\"torn";
    }
    const PullResult resumed = pull_collection(options(5), captured.messages);
    ASSERT_TRUE(resumed.ok) << resumed.error;
    EXPECT_EQ(resumed.pages, 3u);  // pages 3, 4 and 5
    EXPECT_EQ(names_of(pages()),
              (std::vector<std::string>{"page-0000000001.json", "page-0000000002.json",
                                        "page-0000000003.json", "page-0000000004.json",
                                        "page-0000000005.json"}));
    EXPECT_EQ(pulled_objects(), mock_objects());
}

TEST_F(PullTest, AnExpiredPagingTokenFallsBackToTheTimeResumePoint) {
    mock.add_indicators(12);
    auto two = options(5);
    two.max_pages = 2;
    ASSERT_TRUE(pull_collection(two, captured.messages).ok);
    mock.expire_tokens();
    const PullResult resumed = pull_collection(options(5), captured.messages);
    ASSERT_TRUE(resumed.ok) << resumed.error;
    EXPECT_NE(captured.all().find("refused the saved paging token"), std::string::npos);
    EXPECT_EQ(pulled_objects(), mock_objects());
    EXPECT_EQ(pages().size(), 3u);
}

TEST_F(PullTest, PagesWithAddedAfterWhenTheServerGivesNoNextToken) {
    mock.set_paging_by_next(false);
    mock.add_indicators(11);
    const PullResult result = pull_collection(options(4), captured.messages);
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_EQ(pulled_objects(), mock_objects());
    const auto requests = mock.requests_to("/objects/");
    ASSERT_EQ(requests.size(), 3u);
    EXPECT_EQ(requests[1].params.at("added_after"), mock.objects()[3].date_added);
    EXPECT_EQ(requests[2].params.at("added_after"), mock.objects()[7].date_added);
}

TEST_F(PullTest, RetriesATransientFailure) {
    mock.add_indicators(3);
    mock.fail_next_requests(2);  // the API root GET fails twice, the third try works
    const PullResult result = pull_collection(options(5), captured.messages);
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_NE(captured.all().find("retrying"), std::string::npos);
    EXPECT_EQ(pulled_objects(), mock_objects());
}

TEST_F(PullTest, FollowsADiscoveryUrlToItsDefaultApiRoot) {
    mock.add_indicators(3);
    auto o = options(5);
    o.url = mock.discovery_url();
    const PullResult result = pull_collection(o, captured.messages);
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_EQ(result.folder, page_folder());
    EXPECT_EQ(pulled_objects(), mock_objects());
}

TEST_F(PullTest, APageLargerThanTheBoundIsRefusedAndNothingIsWritten) {
    mock.add_indicators(10);
    auto o = options(10);
    o.transport.max_response_bytes = 2000;  // one page of 10 indicators is about 4 KB
    const PullResult result = pull_collection(o, captured.messages);
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("larger than 2000 bytes"), std::string::npos) << result.error;
    EXPECT_TRUE(pages().empty());
}

TEST_F(PullTest, AnUnknownCollectionShowsTheTaxiiError) {
    auto o = options(5);
    o.collection = "no-such-collection";
    const PullResult result = pull_collection(o, captured.messages);
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("HTTP 404"), std::string::npos) << result.error;
    EXPECT_NE(result.error.find("Not Found: no such collection"), std::string::npos);
    EXPECT_NE(result.error.find("http_status 404"), std::string::npos);
    EXPECT_NE(result.error.find("error_id mock-404"), std::string::npos);
}

TEST_F(PullTest, RefusesPlainHttpToAHostThatIsNotThisMachine) {
    auto o = options(5);
    o.url = "http://192.0.2.10:8080/api1/";
    const PullResult result = pull_collection(o, captured.messages);
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("refusing plain http"), std::string::npos) << result.error;
    o.url = "http://hub.example/api1/";
    EXPECT_NE(pull_collection(o, captured.messages).error.find("refusing plain http"),
              std::string::npos);
    EXPECT_TRUE(files_in(store.path()).empty());
}

TEST_F(PullTest, StateOfAnotherCollectionIsNotReused) {
    mock.add_indicators(2);
    ASSERT_TRUE(pull_collection(options(5), captured.messages).ok);
    auto state = nlohmann::json::parse(read_text(state_file()));
    state["collection"] = "something-else";
    std::ofstream(state_file(), std::ios::trunc) << state.dump();
    const PullResult result = pull_collection(options(5), captured.messages);
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("not to this pull"), std::string::npos) << result.error;
}

TEST(PullState, RoundTrips) {
    PullState state;
    state.api_root = "https://hub:8443/api1/";
    state.collection = "c1";
    state.next_file = 42;
    state.objects = 1234;
    state.added_after = "2024-03-01T00:00:10.000Z";
    state.next = "abc";
    state.next_added_after = "2024-03-01T00:00:00.000Z";
    std::string error;
    const auto back = parse_pull_state(format_pull_state(state), error);
    ASSERT_TRUE(back) << error;
    EXPECT_EQ(*back, state);
    EXPECT_FALSE(parse_pull_state("{\"format\":\"other\"}", error));
    EXPECT_FALSE(parse_pull_state("{\"format\":\"tocsin-taxii-pull/1\"}", error));
}

TEST(PullState, PageNamesSortInPullOrder) {
    EXPECT_EQ(page_file_name(1), "page-0000000001.json");
    EXPECT_EQ(page_file_name(1234567890), "page-1234567890.json");
    EXPECT_LT(page_file_name(9), page_file_name(10));
}

}  // namespace
}  // namespace tocsin::share
