#include "hub/auth.h"

#include <sodium.h>

#include <gtest/gtest.h>

#include "hub_fixture.h"

namespace tocsin::hub {
namespace {

TEST(HubAuth, IssuedKeysHaveTheDocumentedShape) {
    const auto a = issue_api_key();
    const auto b = issue_api_key();
    EXPECT_EQ(a.key_id.size(), 16u);
    EXPECT_EQ(a.secret.size(), 43u);
    EXPECT_NE(a.key_id, b.key_id);
    EXPECT_NE(a.secret, b.secret);
    const auto text = a.text();  // parse_api_key returns views into it
    const auto parsed = parse_api_key(text);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->key_id, a.key_id);
    EXPECT_EQ(parsed->secret, a.secret);
    EXPECT_FALSE(parse_api_key(a.key_id + ":" + a.secret));
    EXPECT_FALSE(parse_api_key(a.key_id));
    EXPECT_FALSE(parse_api_key("ZZZZZZZZZZZZZZZZ." + a.secret));
}

TEST(HubAuth, SecretsAreArgon2idHashes) {
    const auto key = issue_api_key();
    const auto hash = hash_secret(key.secret);
    EXPECT_TRUE(hash.starts_with("$argon2id$v=19$m=65536,t=2,p=1$")) << hash;
    EXPECT_EQ(hash.find(key.secret), std::string::npos);
    EXPECT_TRUE(verify_secret(hash, key.secret));
    EXPECT_FALSE(verify_secret(hash, issue_api_key().secret));
    EXPECT_FALSE(verify_secret("", key.secret));
    EXPECT_EQ(key_hash_cost().opslimit, 2u);
    EXPECT_EQ(key_hash_cost().memlimit, 64u << 20);
}

TEST(HubAuth, AuthorizationHeaders) {
    // base64("alice:0123456789abcdef.secret"), computed with coreutils base64.
    const auto basic = parse_authorization("Basic YWxpY2U6MDEyMzQ1Njc4OWFiY2RlZi5zZWNyZXQ=");
    ASSERT_TRUE(basic);
    EXPECT_EQ(basic->username, "alice");
    EXPECT_EQ(basic->key, "0123456789abcdef.secret");
    const auto bearer = parse_authorization("bearer  0123456789abcdef.secret ");
    ASSERT_TRUE(bearer);
    EXPECT_FALSE(bearer->username);
    EXPECT_EQ(bearer->key, "0123456789abcdef.secret");
    EXPECT_FALSE(parse_authorization(""));
    EXPECT_FALSE(parse_authorization("Basic !!!"));
    EXPECT_FALSE(parse_authorization("Basic YWxpY2U="));  // "alice": no colon
    EXPECT_FALSE(parse_authorization("Digest abc"));
    EXPECT_FALSE(parse_authorization("Bearer "));
}

TEST(HubAuth, IdentityIds) {
    const auto id = new_identity_id();
    ASSERT_EQ(id.size(), 10u + 36u);
    EXPECT_TRUE(id.starts_with("identity--"));
    EXPECT_EQ(id[10 + 14], '4');
    EXPECT_NE(new_identity_id(), id);
}

TEST(HubAuth, CacheExpiresAndIsBounded) {
    VerifiedKeyCache cache(2, std::chrono::seconds(10));
    const auto t0 = VerifiedKeyCache::Clock::now();
    VerifiedKeyCache::Digest a{}, b{}, c{};
    a[0] = 1;
    b[0] = 2;
    c[0] = 3;
    cache.insert(a, "k1", "h1", t0);
    EXPECT_TRUE(cache.contains(a, "k1", "h1", t0 + std::chrono::seconds(9)));
    EXPECT_FALSE(cache.contains(a, "k1", "other-hash", t0));  // key rotated: not trusted
    cache.insert(a, "k1", "h1", t0);
    EXPECT_FALSE(cache.contains(a, "k1", "h1", t0 + std::chrono::seconds(10)));  // expired
    cache.insert(a, "k1", "h1", t0);
    cache.insert(b, "k2", "h2", t0);
    cache.insert(c, "k3", "h3", t0);
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_FALSE(cache.contains(a, "k1", "h1", t0));  // the oldest went
    EXPECT_TRUE(cache.contains(c, "k3", "h3", t0));
}

TEST(HubAuth, AuthenticatorChecksKeyNameAndRevocation) {
    testing::TempDir dir;
    Store store((dir.path() / "hub.db").string());
    const auto key = issue_api_key();
    PartnerRecord p;
    p.name = "alice";
    p.organisation = "org-a";
    p.identity = new_identity_id();
    p.key_id = key.key_id;
    p.secret_hash = hash_secret(key.secret);
    store.add_partner(p);
    Authenticator auth(store);
    EXPECT_EQ(auth.authenticate("Bearer " + key.text())->name, "alice");
    EXPECT_EQ(auth.authenticate("Bearer " + key.text())->name, "alice");  // from the cache
    EXPECT_FALSE(auth.authenticate("Bearer " + key.key_id + "." + issue_api_key().secret));
    // HTTP Basic: the user name must be the partner's.
    const auto basic = [](const std::string& user, const std::string& password) {
        const auto plain = user + ":" + password;
        std::string out(sodium_base64_ENCODED_LEN(plain.size(), sodium_base64_VARIANT_ORIGINAL),
                        '\0');
        sodium_bin2base64(out.data(), out.size(),
                          reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
                          sodium_base64_VARIANT_ORIGINAL);
        out.resize(out.size() - 1);
        return "Basic " + out;
    };
    EXPECT_TRUE(auth.authenticate(basic("alice", key.text())));
    EXPECT_FALSE(auth.authenticate(basic("mallory", key.text())));
    // Revoked in the database (as the CLI does from another process): refused at once, even
    // though the key is in the cache.
    ASSERT_TRUE(store.revoke_partner("alice"));
    EXPECT_FALSE(auth.authenticate("Bearer " + key.text()));
    EXPECT_FALSE(store.revoke_partner("alice"));
}

}  // namespace
}  // namespace tocsin::hub
