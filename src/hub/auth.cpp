#include "hub/auth.h"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace tocsin::hub {
namespace {

constexpr std::size_t kKeyIdBytes = 8;
constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kKeyIdChars = kKeyIdBytes * 2;
constexpr std::size_t kSecretChars = 43;  // base64url of 32 bytes, no padding

void ensure_sodium() {
    // sodium_init is idempotent and thread-safe; it only fails if no entropy source exists.
    if (sodium_init() < 0) throw std::runtime_error("libsodium cannot initialise");
}

bool is_hex(std::string_view s) {
    for (const char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

bool is_base64url(std::string_view s) {
    for (const char c : s) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok) return false;
    }
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool starts_with_scheme(std::string_view header, std::string_view scheme) {
    if (header.size() <= scheme.size()) return false;
    for (std::size_t i = 0; i < scheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) return false;
    return header[scheme.size()] == ' ';
}

VerifiedKeyCache::Digest digest_of(std::string_view key) {
    VerifiedKeyCache::Digest d{};
    crypto_hash_sha256(d.data(), reinterpret_cast<const unsigned char*>(key.data()), key.size());
    return d;
}

}  // namespace

KeyHashCost key_hash_cost() {
    return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

IssuedKey issue_api_key() {
    ensure_sodium();
    std::array<unsigned char, kKeyIdBytes> id{};
    std::array<unsigned char, kSecretBytes> secret{};
    randombytes_buf(id.data(), id.size());
    randombytes_buf(secret.data(), secret.size());
    IssuedKey key;
    std::array<char, kKeyIdChars + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), id.data(), id.size());
    key.key_id = hex.data();
    std::array<char,
               sodium_base64_ENCODED_LEN(kSecretBytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)>
        b64{};
    sodium_bin2base64(b64.data(), b64.size(), secret.data(), secret.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    key.secret = b64.data();
    sodium_memzero(secret.data(), secret.size());
    return key;
}

std::string hash_secret(std::string_view secret) {
    ensure_sodium();
    const auto cost = key_hash_cost();
    std::array<char, crypto_pwhash_STRBYTES> out{};
    if (crypto_pwhash_str_alg(out.data(), secret.data(), secret.size(), cost.opslimit,
                              cost.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw std::runtime_error("argon2id hashing failed (out of memory)");
    return out.data();
}

bool verify_secret(std::string_view secret_hash, std::string_view secret) {
    ensure_sodium();
    if (secret_hash.empty() || secret_hash.size() >= crypto_pwhash_STRBYTES) return false;
    std::array<char, crypto_pwhash_STRBYTES> stored{};
    std::memcpy(stored.data(), secret_hash.data(), secret_hash.size());
    return crypto_pwhash_str_verify(stored.data(), secret.data(), secret.size()) == 0;
}

std::optional<ApiKey> parse_api_key(std::string_view text) {
    if (text.size() != kKeyIdChars + 1 + kSecretChars || text[kKeyIdChars] != '.')
        return std::nullopt;
    ApiKey key{text.substr(0, kKeyIdChars), text.substr(kKeyIdChars + 1)};
    if (!is_hex(key.key_id) || !is_base64url(key.secret)) return std::nullopt;
    return key;
}

std::optional<Credentials> parse_authorization(std::string_view header) {
    header = trim(header);
    if (starts_with_scheme(header, "bearer")) {
        const auto token = trim(header.substr(7));
        if (token.empty()) return std::nullopt;
        return Credentials{std::nullopt, std::string(token)};
    }
    if (!starts_with_scheme(header, "basic")) return std::nullopt;
    const auto encoded = trim(header.substr(6));
    // Longest decoded credentials we look at: a partner name and a key fit well within this.
    constexpr std::size_t kMaxDecoded = 512;
    if (encoded.empty() || encoded.size() > kMaxDecoded * 4 / 3 + 4) return std::nullopt;
    ensure_sodium();
    std::string decoded(encoded.size(), '\0');
    std::size_t length = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(),
                          encoded.data(), encoded.size(), nullptr, &length, nullptr,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return std::nullopt;
    decoded.resize(length);
    const auto colon = decoded.find(':');
    if (colon == std::string::npos) return std::nullopt;
    Credentials c{decoded.substr(0, colon), decoded.substr(colon + 1)};
    sodium_memzero(decoded.data(), decoded.size());
    return c;
}

std::string new_identity_id() {
    return "identity--" + random_uuid();
}

std::string random_uuid() {
    ensure_sodium();
    std::array<unsigned char, 16> b{};
    randombytes_buf(b.data(), b.size());
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
    return fmt::format(
        "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-"
        "{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
        b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
        b[14], b[15]);
}

std::size_t VerifiedKeyCache::DigestHash::operator()(const Digest& d) const {
    std::size_t h = 0;
    std::memcpy(&h, d.data(), sizeof h);  // a SHA-256 is already uniformly spread
    return h;
}

VerifiedKeyCache::VerifiedKeyCache(std::size_t capacity, Clock::duration ttl)
    : capacity_(std::max<std::size_t>(1, capacity)), ttl_(ttl) {}

bool VerifiedKeyCache::contains(const Digest& digest, std::string_view key_id,
                                std::string_view secret_hash, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(digest);
    if (it == entries_.end()) return false;
    if (it->second.expires <= now || it->second.key_id != key_id ||
        it->second.secret_hash != secret_hash) {
        by_age_.erase(it->second.age);
        entries_.erase(it);
        return false;
    }
    return true;
}

void VerifiedKeyCache::insert(const Digest& digest, std::string_view key_id,
                              std::string_view secret_hash, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (const auto it = entries_.find(digest); it != entries_.end()) {
        by_age_.erase(it->second.age);
        entries_.erase(it);
    }
    while (entries_.size() >= capacity_) {
        entries_.erase(by_age_.front());
        by_age_.pop_front();
    }
    by_age_.push_back(digest);
    entries_.emplace(digest, Entry{std::string(key_id), std::string(secret_hash), now + ttl_,
                                   std::prev(by_age_.end())});
}

void VerifiedKeyCache::erase(const Digest& digest) {
    std::lock_guard lock(mutex_);
    if (const auto it = entries_.find(digest); it != entries_.end()) {
        by_age_.erase(it->second.age);
        entries_.erase(it);
    }
}

std::size_t VerifiedKeyCache::size() {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

Authenticator::Authenticator(Store& store, std::size_t cache_capacity,
                             VerifiedKeyCache::Clock::duration cache_ttl)
    : store_(store), cache_(cache_capacity, cache_ttl) {}

std::optional<PartnerRecord> Authenticator::authenticate(std::string_view authorization_header) {
    const auto credentials = parse_authorization(authorization_header);
    if (!credentials) return std::nullopt;
    const auto key = parse_api_key(credentials->key);
    if (!key) return std::nullopt;
    // The partner row on every request: revocation (key_id cleared) and grant changes apply now.
    auto partner = store_.active_partner_by_key_id(key->key_id);
    if (!partner) return std::nullopt;
    if (credentials->username && *credentials->username != partner->name) return std::nullopt;
    const auto digest = digest_of(credentials->key);
    const auto now = VerifiedKeyCache::Clock::now();
    if (cache_.contains(digest, partner->key_id, partner->secret_hash, now)) return partner;
    std::lock_guard lock(verify_mutex_);
    if (cache_.contains(digest, partner->key_id, partner->secret_hash, now)) return partner;
    if (!verify_secret(partner->secret_hash, key->secret)) return std::nullopt;
    cache_.insert(digest, partner->key_id, partner->secret_hash, now);
    return partner;
}

}  // namespace tocsin::hub
