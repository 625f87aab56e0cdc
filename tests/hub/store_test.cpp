#include "hub/store.h"

#include <gtest/gtest.h>

#include "hub_fixture.h"

namespace tocsin::hub {
namespace {

constexpr std::string_view kCollection = "91a7b528-80eb-42ed-a74d-c6fbd5a26116";

NewVersion version_of(const std::string& id, std::int64_t version_us, Tlp tlp = Tlp::unmarked) {
    return {id,         "indicator",
            version_us, "v" + std::to_string(version_us),
            tlp,        "{\"id\":\"" + id + "\"}"};
}

const Creator kAlice{"alice", "identity--a", "org-a"};

ReaderContext reader(std::string_view identity, std::string_view org, bool in_community = true) {
    return {identity, org, in_community, Tlp::clear};
}

VersionQuery all_of(const ReaderContext& r) {
    VersionQuery q;
    q.collection = kCollection;
    q.reader = r;
    q.versions.all = true;
    q.limit = 1000;
    return q;
}

struct StoreTest : ::testing::Test {
    testing::TempDir dir;
    std::int64_t now = 1'000'000;
    Store store{(dir.path() / "hub.db").string(), 2, [this] { return now; }};
};

TEST_F(StoreTest, DateAddedIsStrictlyIncreasingEvenWhenTheClockStandsStillOrStepsBack) {
    store.write([&](StoreWriter& w) {
        w.insert_version(kCollection, kAlice, version_of("indicator--1", 10));
        w.insert_version(kCollection, kAlice, version_of("indicator--2", 10));
    });
    now = 500'000;  // the clock steps back
    store.write([&](StoreWriter& w) {
        w.insert_version(kCollection, kAlice, version_of("indicator--3", 10));
    });
    const auto page = store.find_versions(all_of(reader("identity--a", "org-a")));
    ASSERT_EQ(page.rows.size(), 3u);
    EXPECT_EQ(page.rows[0].date_added_us, 1'000'000);
    EXPECT_EQ(page.rows[1].date_added_us, 1'000'001);
    EXPECT_EQ(page.rows[2].date_added_us, 1'000'002);
}

TEST_F(StoreTest, DeletingTheNewestDoesNotReissueItsDateAdded) {
    store.write([&](StoreWriter& w) {
        w.insert_version(kCollection, kAlice, version_of("indicator--1", 10));
    });
    const auto r = reader("identity--a", "org-a");
    VersionSelection all;
    all.all = true;
    EXPECT_EQ(store.delete_versions(kCollection, "indicator--1", r, all), 1u);
    store.write([&](StoreWriter& w) {
        w.insert_version(kCollection, kAlice, version_of("indicator--2", 10));
    });
    const auto page = store.find_versions(all_of(r));
    ASSERT_EQ(page.rows.size(), 1u);
    EXPECT_EQ(page.rows[0].date_added_us, 1'000'001);
}

TEST_F(StoreTest, SameIdAndVersionIsStoredOnce) {
    InsertOutcome first, again;
    store.write([&](StoreWriter& w) {
        first = w.insert_version(kCollection, kAlice, version_of("indicator--1", 10));
        again = w.insert_version(kCollection, kAlice, version_of("indicator--1", 10));
    });
    EXPECT_TRUE(first.inserted);
    EXPECT_FALSE(again.inserted);
    EXPECT_EQ(store.find_versions(all_of(reader("identity--a", "org-a"))).rows.size(), 1u);
    // Another collection holds its own copy.
    store.write([&](StoreWriter& w) {
        EXPECT_TRUE(w.insert_version("52892447-4d7e-4f70-b94d-d7f22742ff63", kAlice,
                                     version_of("indicator--1", 10))
                        .inserted);
    });
}

TEST_F(StoreTest, AFailingWriteStoresNothing) {
    EXPECT_THROW(store.write([&](StoreWriter& w) {
        w.insert_version(kCollection, kAlice, version_of("indicator--1", 10));
        w.insert_version(kCollection, kAlice, version_of("indicator--2", 10));
        w.save_status("s1", "api1", "alice", "{}");
        throw std::runtime_error("disk on fire");
    }),
                 std::runtime_error);
    EXPECT_TRUE(store.find_versions(all_of(reader("identity--a", "org-a"))).rows.empty());
    EXPECT_FALSE(store.status("api1", "s1", "alice"));
}

TEST_F(StoreTest, VersionSelection) {
    store.write([&](StoreWriter& w) {
        w.insert_version(kCollection, kAlice, version_of("indicator--1", 30));
        w.insert_version(kCollection, kAlice, version_of("indicator--1", 10));
        w.insert_version(kCollection, kAlice, version_of("indicator--1", 20));
        w.insert_version(kCollection, kAlice, version_of("indicator--2", 5));
    });
    auto q = all_of(reader("identity--a", "org-a"));
    const auto versions = [&] {
        std::vector<std::string> out;
        for (const auto& row : store.find_versions(q).rows)
            out.push_back(row.object_id + "@" + row.version_text);
        return out;
    };
    q.versions = {};
    q.versions.last = true;
    EXPECT_EQ(versions(), (std::vector<std::string>{"indicator--1@v30", "indicator--2@v5"}));
    q.versions = {};
    q.versions.first = true;
    EXPECT_EQ(versions(), (std::vector<std::string>{"indicator--1@v10", "indicator--2@v5"}));
    q.versions = {};
    q.versions.exact = {20, 5};
    EXPECT_EQ(versions(), (std::vector<std::string>{"indicator--1@v20", "indicator--2@v5"}));
    q.versions = {};
    q.versions.first = true;
    q.versions.last = true;
    q.ids = {"indicator--1"};
    EXPECT_EQ(versions(), (std::vector<std::string>{"indicator--1@v30", "indicator--1@v10"}));
}

TEST_F(StoreTest, LastIsTheLatestVersionTheReaderMaySee) {
    store.write([&](StoreWriter& w) {
        w.insert_version(kCollection, kAlice, version_of("indicator--1", 10, Tlp::clear));
        w.insert_version(kCollection, kAlice, version_of("indicator--1", 20, Tlp::red));
    });
    auto q = all_of(reader("identity--b", "org-b"));
    q.versions = {};
    q.versions.last = true;
    const auto page = store.find_versions(q);
    ASSERT_EQ(page.rows.size(), 1u);
    EXPECT_EQ(page.rows[0].version_text, "v10");
    q.reader = reader("identity--a", "org-a");
    EXPECT_EQ(store.find_versions(q).rows.at(0).version_text, "v20");
}

TEST_F(StoreTest, PagingCountsOnlyVisibleVersions) {
    store.write([&](StoreWriter& w) {
        w.insert_version(kCollection, kAlice, version_of("indicator--1", 10, Tlp::green));
        w.insert_version(kCollection, kAlice, version_of("indicator--2", 10, Tlp::red));
        w.insert_version(kCollection, kAlice, version_of("indicator--3", 10, Tlp::red));
    });
    auto q = all_of(reader("identity--b", "org-b"));
    q.limit = 1;
    const auto page = store.find_versions(q);
    ASSERT_EQ(page.rows.size(), 1u);
    EXPECT_FALSE(page.more);  // the RED versions after it do not count
}

TEST_F(StoreTest, PartnersAndGrants) {
    PartnerRecord p;
    p.name = "alice";
    p.organisation = "org-a";
    p.identity = "identity--a";
    p.key_id = "0123456789abcdef";
    p.secret_hash = "$argon2id$...";
    p.created_us = 7;
    p.grants = {{std::string(kCollection), true, false}};
    store.add_partner(p);
    EXPECT_THROW(store.add_partner(p), StoreError);
    const auto found = store.active_partner_by_key_id("0123456789abcdef");
    ASSERT_TRUE(found);
    EXPECT_TRUE(found->can_read(kCollection));
    EXPECT_FALSE(found->can_write(kCollection));
    EXPECT_TRUE(store.revoke_partner("alice"));
    EXPECT_FALSE(store.active_partner_by_key_id("0123456789abcdef"));
    const auto all = store.partners();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_TRUE(all[0].revoked_us);
    EXPECT_EQ(all[0].secret_hash, "");  // revoking forgets the hash
}

TEST_F(StoreTest, StatusBelongsToItsPartner) {
    store.write([&](StoreWriter& w) { w.save_status("s1", "api1", "alice", R"({"id":"s1"})"); });
    EXPECT_EQ(store.status("api1", "s1", "alice"), R"({"id":"s1"})");
    EXPECT_FALSE(store.status("api1", "s1", "bob"));
    EXPECT_FALSE(store.status("api2", "s1", "alice"));
}

}  // namespace
}  // namespace tocsin::hub
