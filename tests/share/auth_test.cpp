// Authentication forms, the secrecy of the key, credentials loading.
#include <gtest/gtest.h>

#include "share/credentials.h"
#include "share/mock_taxii.h"
#include "share/pull.h"
#include "share/push.h"
#include "share/share_test_util.h"

namespace tocsin::share {
namespace {

using testing::CapturedMessages;
using testing::fast_transport;
using testing::kCollection;
using testing::MockTaxii;
using testing::TempFolder;

PullOptions pull_options(const MockTaxii& mock, const TempFolder& store, Credentials credentials) {
    PullOptions o;
    o.url = mock.api_root_url();
    o.collection = kCollection;
    o.store = store.path();
    o.transport = fast_transport();
    o.credentials = std::move(credentials);
    return o;
}

TEST(ShareAuth, SendsTheKeyAsABearerToken) {
    MockTaxii mock;
    TempFolder store;
    mock.add_indicators(1);
    mock.set_required_authorization("Bearer k3y-For-Tests");
    CapturedMessages captured;
    const auto result =
        pull_collection(pull_options(mock, store, {"", "k3y-For-Tests"}), captured.messages);
    ASSERT_TRUE(result.ok) << result.error;
    for (const auto& r : mock.requests()) EXPECT_EQ(r.authorization, "Bearer k3y-For-Tests");
}

TEST(ShareAuth, SendsUserAndKeyAsHttpBasic) {
    MockTaxii mock;
    TempFolder store;
    mock.add_indicators(1);
    // base64("alice:s3cret"), computed outside Tocsin (python3 base64.b64encode).
    mock.set_required_authorization("Basic YWxpY2U6czNjcmV0");
    CapturedMessages captured;
    const auto result =
        pull_collection(pull_options(mock, store, {"alice", "s3cret"}), captured.messages);
    ASSERT_TRUE(result.ok) << result.error;
    for (const auto& r : mock.requests()) EXPECT_EQ(r.authorization, "Basic YWxpY2U6czNjcmV0");
}

TEST(ShareAuth, WithoutAKeyNoAuthorizationHeaderIsSent) {
    MockTaxii mock;
    TempFolder store;
    mock.add_indicators(1);
    CapturedMessages captured;
    ASSERT_TRUE(pull_collection(pull_options(mock, store, {}), captured.messages).ok);
    for (const auto& r : mock.requests()) EXPECT_EQ(r.authorization, "");
}

TEST(ShareAuth, AWrongKeyShowsTheServersErrorButNeverTheKey) {
    MockTaxii mock;
    TempFolder store;
    mock.set_required_authorization("Bearer the-right-one");
    mock.set_echo_authorization(true);  // a careless server quoting the header back
    const Credentials credentials{"", "SECRET-d41d8cd98f00"};
    CapturedMessages captured(secret_forms(credentials));
    const auto result = pull_collection(pull_options(mock, store, credentials), captured.messages);
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("HTTP 401"), std::string::npos) << result.error;
    EXPECT_NE(result.error.find("Unauthorized"), std::string::npos);
    EXPECT_NE(result.error.find("[redacted]"), std::string::npos) << result.error;
    EXPECT_EQ(result.error.find("SECRET-d41d8cd98f00"), std::string::npos) << result.error;
    EXPECT_EQ(captured.all().find("SECRET-d41d8cd98f00"), std::string::npos);
    // 401 is final: no retries.
    EXPECT_EQ(mock.requests().size(), 1u);
}

TEST(ShareAuth, BasicCredentialsEchoedBackAreRedactedToo) {
    MockTaxii mock;
    TempFolder log_dir;
    std::ofstream(log_dir.path() / "sightings.json")
        << R"({"type":"bundle","id":"bundle--1","objects":[]})";
    mock.set_required_authorization("Bearer nobody");
    mock.set_echo_authorization(true);
    const Credentials credentials{"alice", "s3cret"};
    CapturedMessages captured(secret_forms(credentials));
    PushOptions o;
    o.url = mock.api_root_url();
    o.collection = kCollection;
    o.log_dir = log_dir.path();
    o.transport = fast_transport();
    o.credentials = credentials;
    const auto result = push_sightings(o, captured.messages);
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("HTTP 401"), std::string::npos) << result.error;
    // "YWxpY2U6czNjcmV0" is base64("alice:s3cret").
    EXPECT_EQ(result.error.find("YWxpY2U6czNjcmV0"), std::string::npos) << result.error;
    EXPECT_EQ(result.error.find("s3cret"), std::string::npos) << result.error;
}

TEST(ShareCredentials, ReadsTheFirstLineOfTheKeyFile) {
    TempFolder folder;
    const auto path = folder.path() / "key";
    std::ofstream(path) << "abc123\r\nsecond line\n";
    const auto load = load_credentials(path.string(), "from-env", "");
    ASSERT_TRUE(load.credentials) << load.error;
    EXPECT_EQ(load.credentials->key, "abc123");
    EXPECT_EQ(load.credentials->user, "");
}

TEST(ShareCredentials, FallsBackToTheEnvironment) {
    const auto load = load_credentials("", "env-key", "bob");
    ASSERT_TRUE(load.credentials);
    EXPECT_EQ(load.credentials->key, "env-key");
    EXPECT_EQ(load.credentials->user, "bob");
    const auto none = load_credentials("", nullptr, "");
    ASSERT_TRUE(none.credentials);
    EXPECT_TRUE(none.credentials->empty());
}

TEST(ShareCredentials, RefusesUnusableKeys) {
    TempFolder folder;
    EXPECT_FALSE(load_credentials((folder.path() / "missing").string(), nullptr, "").credentials);
    const auto empty = folder.path() / "empty";
    std::ofstream(empty) << "\nkey-on-line-two\n";
    EXPECT_FALSE(load_credentials(empty.string(), nullptr, "").credentials);
    EXPECT_FALSE(load_credentials("", "has space", "").credentials);
    EXPECT_FALSE(load_credentials("", "ok", "user:colon").credentials);
    EXPECT_FALSE(load_credentials("", nullptr, "user-without-key").credentials);
    // The error never quotes the key.
    const auto bad = load_credentials("", "leak\x01me", "");
    EXPECT_EQ(bad.error.find("leak"), std::string::npos);
}

TEST(ShareCredentials, WarnsAboutAKeyFileOthersCanRead) {
    TempFolder folder;
    const auto path = folder.path() / "key";
    std::ofstream(path) << "k\n";
    std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                           std::filesystem::perms::owner_write |
                                           std::filesystem::perms::others_read);
    EXPECT_NE(load_credentials(path.string(), nullptr, "").warning, "");
    std::filesystem::permissions(
        path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    EXPECT_EQ(load_credentials(path.string(), nullptr, "").warning, "");
}

TEST(ShareMessages, RedactsAndNeutralisesControlCharacters) {
    std::vector<std::string> lines;
    Messages messages([&](Messages::Kind, std::string_view line) { lines.emplace_back(line); },
                      {"k3y"});
    messages.say("a k3y b k3yk3y \x1b[31mred");
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0], "a [redacted] b [redacted][redacted] ?[31mred");
}

}  // namespace
}  // namespace tocsin::share
