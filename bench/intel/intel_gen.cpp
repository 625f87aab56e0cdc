// tocsin-intel-gen N FILE [SEED]: writes a STIX 2.1 bundle of N indicators shaped like a large
// feed: 40% IPv4 (a fifth of them networks /22../30), 5% IPv6, 25% domains, 15% URLs, 15% file
// hashes (MD5, SHA-1, SHA-256), each with a name, types, a TLP marking and validity.
// Deterministic for a given seed.
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include <fmt/format.h>

namespace {

constexpr const char* kTlp[] = {
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",  // clear
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",  // green
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",  // amber
};
constexpr const char* kTlds[] = {"com", "net", "org", "info", "ru", "top", "xyz", "io"};

class Generator {
  public:
    explicit Generator(std::uint64_t seed) : rng_(seed) {}

    std::string uuid() {
        const std::uint64_t a = rng_(), b = rng_();
        return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff,
                           a & 0xfff, 0x8000 | (b >> 48 & 0x3fff), b & 0xffffffffffffULL);
    }
    std::string word(std::size_t min, std::size_t max) {
        const std::size_t n = min + rng_() % (max - min + 1);
        std::string w;
        for (std::size_t i = 0; i < n; ++i) w += static_cast<char>('a' + rng_() % 26);
        return w;
    }
    std::string hex(std::size_t digits) {
        static constexpr char kHex[] = "0123456789abcdef";
        std::string h;
        for (std::size_t i = 0; i < digits; ++i) h += kHex[rng_() % 16];
        return h;
    }
    std::string domain() { return fmt::format("{}.{}", word(5, 12), kTlds[rng_() % 8]); }

    // The pattern and a short description of one indicator.
    std::pair<std::string, std::string> pattern() {
        const unsigned roll = static_cast<unsigned>(rng_() % 100);
        if (roll < 40) {
            const std::uint32_t a = static_cast<std::uint32_t>(rng_());
            const std::string ip =
                fmt::format("{}.{}.{}.{}", a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255);
            if (rng_() % 5 == 0) {
                const unsigned len = 22 + static_cast<unsigned>(rng_() % 9);
                return {fmt::format("[ipv4-addr:value = '{}/{}']", ip, len), "network"};
            }
            return {fmt::format("[ipv4-addr:value = '{}']", ip), "address"};
        }
        if (roll < 45)
            return {fmt::format("[ipv6-addr:value = '2001:db8:{:x}:{:x}::{:x}']", rng_() & 0xffff,
                                rng_() & 0xffff, rng_() & 0xffff),
                    "IPv6 address"};
        if (roll < 70) return {fmt::format("[domain-name:value = '{}']", domain()), "domain"};
        if (roll < 85)
            return {fmt::format("[url:value = 'http://{}/{}/{}.php?id={}']", domain(), word(3, 8),
                                word(4, 10), rng_() % 100000),
                    "URL"};
        const unsigned h = static_cast<unsigned>(rng_() % 3);
        if (h == 0) return {fmt::format("[file:hashes.MD5 = '{}']", hex(32)), "MD5"};
        if (h == 1) return {fmt::format("[file:hashes.'SHA-1' = '{}']", hex(40)), "SHA-1"};
        return {fmt::format("[file:hashes.'SHA-256' = '{}']", hex(64)), "SHA-256"};
    }

    std::uint64_t next() { return rng_(); }

  private:
    std::mt19937_64 rng_;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: tocsin-intel-gen N FILE [SEED]\n");
        return 2;
    }
    const unsigned long long n = std::strtoull(argv[1], nullptr, 10);
    const std::uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 2024;
    FILE* out = std::fopen(argv[2], "wb");
    if (out == nullptr) {
        std::perror(argv[2]);
        return 1;
    }
    Generator g(seed);
    fmt::print(out, "{{\"type\":\"bundle\",\"id\":\"bundle--{}\",\"objects\":[\n", g.uuid());
    for (unsigned long long i = 0; i < n; ++i) {
        const auto [pattern, what] = g.pattern();
        fmt::print(
            out,
            "{}{{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--{}\","
            "\"created\":\"2024-01-15T10:00:00.000Z\",\"modified\":\"2024-02-01T08:30:00.000Z\","
            "\"name\":\"Generated {} {}\",\"indicator_types\":[\"malicious-activity\"],"
            "\"pattern\":\"{}\",\"pattern_type\":\"stix\",\"pattern_version\":\"2.1\","
            "\"valid_from\":\"2024-01-15T10:00:00Z\",\"object_marking_refs\":[\"{}\"]}}\n",
            i == 0 ? "" : ",", g.uuid(), what, i, pattern, kTlp[g.next() % 3]);
    }
    fmt::print(out, "]}}\n");
    return std::fclose(out) == 0 ? 0 : 1;
}
