// Partner API keys. A key reads "<key-id>.<secret>": the key id is stored in clear and finds
// the partner; the secret is stored only as an argon2id hash (libsodium crypto_pwhash_str).
// Verifying argon2id on every request would cap the hub at a few dozen requests per second,
// so verified keys are cached in memory (bounded, expiring) under the SHA-256 of the whole
// presented key. The partner row is still read on every request, so a revocation made by the
// CLI in another process takes effect on the next request.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "hub/store.h"

namespace tocsin::hub {

// argon2id cost: libsodium's "interactive" limits (opslimit 2, memlimit 64 MiB), its advice
// for online operations. The secret is 256 random bits, so the hash guards a stolen database
// rather than a guessable password; the cost is paid once per key and cache period.
struct KeyHashCost {
    unsigned long long opslimit;
    std::size_t memlimit;
};
KeyHashCost key_hash_cost();

struct IssuedKey {
    std::string key_id;  // 16 hex digits
    std::string secret;  // 43 characters of URL-safe base64 (32 random bytes)
    std::string text() const { return key_id + "." + secret; }
};

IssuedKey issue_api_key();
std::string hash_secret(std::string_view secret);  // throws std::runtime_error (out of memory)
bool verify_secret(std::string_view secret_hash, std::string_view secret);

struct ApiKey {
    std::string_view key_id;
    std::string_view secret;
};
// Splits and checks the shape of "<key-id>.<secret>"; nullopt when it cannot be a hub key.
std::optional<ApiKey> parse_api_key(std::string_view text);

// What the Authorization header presents: HTTP Basic (username = partner name, password = key)
// or "Bearer <key>".
struct Credentials {
    std::optional<std::string> username;
    std::string key;
};
std::optional<Credentials> parse_authorization(std::string_view header);

// A random RFC 4122 version 4 UUID, lower case.
std::string random_uuid();
// A new STIX identity id (identity--<random UUID v4>).
std::string new_identity_id();

// Verified keys: SHA-256 of the presented key -> the key id and secret hash it verified
// against. Entries expire after `ttl`; at most `capacity` are kept (oldest dropped first).
class VerifiedKeyCache {
  public:
    using Clock = std::chrono::steady_clock;
    using Digest = std::array<unsigned char, 32>;

    VerifiedKeyCache(std::size_t capacity, Clock::duration ttl);

    // True when `digest` was verified against this very key id and hash, and has not expired.
    bool contains(const Digest& digest, std::string_view key_id, std::string_view secret_hash,
                  Clock::time_point now);
    void insert(const Digest& digest, std::string_view key_id, std::string_view secret_hash,
                Clock::time_point now);
    void erase(const Digest& digest);
    std::size_t size();

  private:
    struct DigestHash {
        std::size_t operator()(const Digest& d) const;
    };
    struct Entry {
        std::string key_id;
        std::string secret_hash;
        Clock::time_point expires;
        std::list<Digest>::iterator age;
    };
    std::size_t capacity_;
    Clock::duration ttl_;
    std::mutex mutex_;
    std::unordered_map<Digest, Entry, DigestHash> entries_;
    std::list<Digest> by_age_;  // front: oldest
};

// Turns an Authorization header into the partner it authenticates (or nothing).
class Authenticator {
  public:
    explicit Authenticator(Store& store, std::size_t cache_capacity = 4096,
                           VerifiedKeyCache::Clock::duration cache_ttl = std::chrono::minutes(5));

    std::optional<PartnerRecord> authenticate(std::string_view authorization_header);

  private:
    Store& store_;
    VerifiedKeyCache cache_;
    // One argon2id verification at a time: each takes 64 MiB and tens of milliseconds; the
    // first requests of many connections presenting the same new key then verify it once.
    std::mutex verify_mutex_;
};

}  // namespace tocsin::hub
