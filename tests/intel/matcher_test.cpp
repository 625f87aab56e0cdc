// IntelSet matching: every evaluable form, address containment with overlapping networks,
// subdomains, URL and hash normalisation, compound patterns with flow facts, validity,
// versions of one id. Expected hits are worked out by hand from the patterns.
#include <atomic>
#include <thread>

#include <fmt/format.h>

#include <gtest/gtest.h>

#include "alloc_counter.h"
#include "intel/compile.h"
#include "intel_test_util.h"

namespace tocsin::intel {
namespace {

using test::fired;
using test::flow;
using test::Ids;
using test::make_set;
using test::observe;

TEST(Matcher, OverlappingIpv4NetworksAllFire) {
    const auto set = make_set({
        {"a", "[ipv4-addr:value = '10.0.0.0/8']"},
        {"b", "[ipv4-addr:value = '10.1.0.0/16']"},
        {"c", "[ipv4-addr:value = '10.1.2.3']"},
        {"d", "[ipv4-addr:value = '10.1.2.0/24']"},
        {"e", "[ipv4-addr:value = '0.0.0.0/0']"},
        {"f", "[ipv4-addr:value ISSUBSET '192.168.0.0/16']"},
        {"g", "[ipv4-addr:value = '10.1.2.3/32']"},
        {"h", "[ipv4-addr:value = '255.255.255.255']"},
        {"i", "[ipv4-addr:value = '10.1.2.99/8']"},  // host bits ignored: 10.0.0.0/8
    });
    const auto server = [&](const char* address) {
        return fired(*set, flow("192.0.2.1", address));
    };
    // 192.0.2.1 (the client) is only in /0, so every case also holds e once.
    EXPECT_EQ(server("10.1.2.3"), (Ids{"a", "b", "c", "d", "e", "g", "i"}));
    EXPECT_EQ(server("10.1.3.1"), (Ids{"a", "b", "e", "i"}));
    EXPECT_EQ(server("10.2.0.1"), (Ids{"a", "e", "i"}));
    EXPECT_EQ(server("9.255.255.255"), (Ids{"e"}));
    EXPECT_EQ(server("11.0.0.0"), (Ids{"e"}));
    EXPECT_EQ(server("192.168.255.255"), (Ids{"e", "f"}));
    EXPECT_EQ(server("255.255.255.255"), (Ids{"e", "h"}));
    EXPECT_EQ(server("0.0.0.0"), (Ids{"e"}));
    // The client side matches as well as the server.
    EXPECT_EQ(fired(*set, flow("10.1.2.3", "203.0.113.1")),
              (Ids{"a", "b", "c", "d", "e", "g", "i"}));
}

TEST(Matcher, NeighbouringAndNestedNetworksEndCorrectly) {
    const auto set = make_set({
        {"wide", "[ipv4-addr:value = '172.16.0.0/12']"},
        {"low", "[ipv4-addr:value = '172.16.0.0/24']"},
        {"high", "[ipv4-addr:value = '172.16.1.0/24']"},
        {"top", "[ipv4-addr:value = '172.31.255.0/24']"},
    });
    const auto at = [&](const char* a) { return fired(*set, flow("192.0.2.1", a)); };
    EXPECT_EQ(at("172.16.0.255"), (Ids{"low", "wide"}));
    EXPECT_EQ(at("172.16.1.0"), (Ids{"high", "wide"}));
    EXPECT_EQ(at("172.16.2.0"), (Ids{"wide"}));
    EXPECT_EQ(at("172.31.255.255"), (Ids{"top", "wide"}));
    EXPECT_EQ(at("172.32.0.0"), Ids{});
    EXPECT_EQ(at("172.15.255.255"), Ids{});
}

TEST(Matcher, Ipv6Networks) {
    const auto set = make_set({
        {"all", "[ipv6-addr:value = '::/0']"},
        {"doc", "[ipv6-addr:value = '2001:db8::/32']"},
        {"one", "[ipv6-addr:value = '2001:db8::1']"},
        {"one128", "[ipv6-addr:value = '2001:0DB8:0:0:0:0:0:1/128']"},
        {"half", "[ipv6-addr:value = '2001:db8:0:0:8000::/65']"},
        {"last", "[ipv6-addr:value = 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff']"},
    });
    const auto at = [&](const char* a) { return fired(*set, flow("2001:db9::5", a)); };
    EXPECT_EQ(at("2001:db8::1"), (Ids{"all", "doc", "one", "one128"}));
    EXPECT_EQ(at("2001:db8::2"), (Ids{"all", "doc"}));
    EXPECT_EQ(at("2001:db8::8000:0:0:1"), (Ids{"all", "doc", "half"}));
    EXPECT_EQ(at("2001:db8::7fff:0:0:1"), (Ids{"all", "doc"}));
    EXPECT_EQ(at("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), (Ids{"all", "last"}));
    // IPv4 flows never meet IPv6 networks.
    EXPECT_EQ(fired(*set, flow("192.0.2.1", "198.51.100.1")), Ids{});
}

TEST(Matcher, SidesOfTheFlow) {
    const auto set = make_set({
        {"dst", "[network-traffic:dst_ref.value = '203.0.113.5']"},
        {"src", "[network-traffic:src_ref.value = '203.0.113.5']"},
        {"any", "[ipv4-addr:value = '203.0.113.5']"},
        {"dst-net", "[network-traffic:dst_ref.value ISSUBSET '198.51.100.0/24']"},
    });
    EXPECT_EQ(fired(*set, flow("192.0.2.1", "203.0.113.5")), (Ids{"any", "dst"}));
    EXPECT_EQ(fired(*set, flow("203.0.113.5", "192.0.2.1")), (Ids{"any", "src"}));
    EXPECT_EQ(fired(*set, flow("203.0.113.5", "198.51.100.77")), (Ids{"any", "dst-net", "src"}));
}

TEST(Matcher, AddressListsAndDuplicatesFireOnce) {
    const auto set = make_set({
        {"list", "[ipv4-addr:value IN ('192.0.2.0/24', '192.0.2.7', '10.0.0.1')]"},
        {"or", "[ipv4-addr:value = '192.0.2.7' OR ipv4-addr:value = '192.0.2.0/25']"},
    });
    Hits hits;
    set->match(flow("192.0.2.7", "192.0.2.8"), hits);
    EXPECT_EQ(hits.size(), 2u);  // each indicator once, though several values hold
    EXPECT_EQ(fired(*set, flow("10.0.0.1", "10.0.0.2")), (Ids{"list"}));
}

TEST(Matcher, HitsAreAppendedAndDeduplicatedPerCall) {
    const auto set = make_set({{"a", "[ipv4-addr:value = '192.0.2.7']"}});
    Hits hits = {0};  // left from an earlier call: kept, and not taken as this call's hit
    set->match(flow("192.0.2.7", "192.0.2.7"), hits);
    EXPECT_EQ(hits, (Hits{0, 0}));
}

TEST(Matcher, DomainsMatchSubdomainsCaseAndTrailingDot) {
    const auto set = make_set({
        {"ex", "[domain-name:value = 'Example.COM']"},
        {"deep", "[domain-name:value = 'b.example.com.']"},
        {"list", "[domain-name:value IN ('evil.test', 'bad.example')]"},
        {"star", "[domain-name:value = '*.wild.test']"},
    });
    const auto dom = [&](const char* d) { return fired(*set, observe(ObservableKind::domain, d)); };
    EXPECT_EQ(dom("example.com"), (Ids{"ex"}));
    EXPECT_EQ(dom("WWW.Example.Com."), (Ids{"ex"}));
    EXPECT_EQ(dom("a.b.example.com"), (Ids{"deep", "ex"}));
    EXPECT_EQ(dom("b.example.com"), (Ids{"deep", "ex"}));
    EXPECT_EQ(dom("badexample.com"), Ids{});
    EXPECT_EQ(dom("example.com.evil.net"), Ids{});
    EXPECT_EQ(dom("com"), Ids{});
    EXPECT_EQ(dom("x.evil.test"), (Ids{"list"}));
    EXPECT_EQ(dom("wild.test"), (Ids{"star"}));
    EXPECT_EQ(dom("a.wild.test"), (Ids{"star"}));
    EXPECT_EQ(dom(""), Ids{});
    // A domain indicator does not fire on a flow, nor on another observable.
    EXPECT_EQ(fired(*set, flow("192.0.2.1", "198.51.100.1")), Ids{});
    EXPECT_EQ(fired(*set, observe(ObservableKind::url, "http://example.com/")), Ids{});
}

TEST(Matcher, UrlsAreNormalised) {
    const auto set = make_set({
        {"u1", "[url:value = 'http://Example.com/Path?q=1']"},
        {"bare", "[url:value = 'example.org/a']"},
        {"tls", "[url:value = 'https://x.test']"},
        {"port", "[url:value = 'http://y.test:8080/z#frag']"},
    });
    const auto url = [&](const char* u) { return fired(*set, observe(ObservableKind::url, u)); };
    EXPECT_EQ(url("http://example.com/Path?q=1"), (Ids{"u1"}));
    EXPECT_EQ(url("HTTP://EXAMPLE.COM:80/Path?q=1"), (Ids{"u1"}));
    EXPECT_EQ(url("http://example.com/path?q=1"), Ids{});  // the path keeps its case
    EXPECT_EQ(url("http://example.com/Path?q=2"), Ids{});
    EXPECT_EQ(url("http://example.org/a"), (Ids{"bare"}));
    EXPECT_EQ(url("https://example.org/a"), Ids{});
    EXPECT_EQ(url("https://x.test:443/"), (Ids{"tls"}));
    EXPECT_EQ(url("https://x.test/"), (Ids{"tls"}));
    EXPECT_EQ(url("http://y.test:8080/z"), (Ids{"port"}));
    EXPECT_EQ(url("http://y.test/z"), Ids{});
    const std::string long_url = "http://example.com/" + std::string(10000, 'a');
    EXPECT_EQ(url(long_url.c_str()), Ids{});
}

TEST(Matcher, HashesAndFingerprintsIgnoreCase) {
    const auto set = make_set({
        {"md5", "[file:hashes.MD5 = '900150983CD24FB0D6963F7D28E17F72']"},
        {"sha1", "[file:hashes.'SHA-1' = 'a9993e364706816aba3e25717850c26c9cd0d89d']"},
        {"sha1b", "[file:hashes.SHA1 = 'a9993e364706816aba3e25717850c26c9cd0d89d']"},
        {"sha256",
         "[file:hashes.'SHA-256' = "
         "'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad']"},
        {"sha256b",
         "[file:hashes.SHA256 = "
         "'BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD']"},
        {"x509",
         "[x509-certificate:hashes.'SHA-1' = "
         "'A9:99:3E:36:47:06:81:6A:BA:3E:25:71:78:50:C2:6C:9C:D0:D8:9D']"},
        {"ja3",
         "[network-traffic:extensions.'x-tls-ext'.ja3 = "
         "'e7d705a3286e19ea42f587b344ee6865']"},
        {"ja3s", "[x-ja3s:value = 'E7D705A3286E19EA42F587B344EE6865']"},
        {"ja4", "[x-ja4:value = 'T13D1516H2_8daaf6152771_e5627efa2ab1']"},
    });
    const auto see = [&](ObservableKind k, const char* v) { return fired(*set, observe(k, v)); };
    EXPECT_EQ(see(ObservableKind::md5, "900150983cd24fb0d6963f7d28e17f72"), (Ids{"md5"}));
    EXPECT_EQ(see(ObservableKind::md5, "900150983CD24FB0D6963F7D28E17F72"), (Ids{"md5"}));
    EXPECT_EQ(see(ObservableKind::sha1, "a9993e364706816aba3e25717850c26c9cd0d89d"),
              (Ids{"sha1", "sha1b"}));
    EXPECT_EQ(see(ObservableKind::sha256,
                  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
              (Ids{"sha256", "sha256b"}));
    EXPECT_EQ(see(ObservableKind::x509_sha1, "a9993e364706816aba3e25717850c26c9cd0d89d"),
              (Ids{"x509"}));
    // The same digest as another kind is another observable.
    EXPECT_EQ(see(ObservableKind::ja3, "900150983cd24fb0d6963f7d28e17f72"), Ids{});
    EXPECT_EQ(see(ObservableKind::ja3, "e7d705a3286e19ea42f587b344ee6865"), (Ids{"ja3"}));
    EXPECT_EQ(see(ObservableKind::ja3s, "e7d705a3286e19ea42f587b344ee6865"), (Ids{"ja3s"}));
    EXPECT_EQ(see(ObservableKind::ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1"), (Ids{"ja4"}));
}

// Lookups pass a membership filter before the hash map: with many values, every loaded one must
// still be found (a filter may let misses through, never drop a hit), and others stay misses.
TEST(Matcher, EveryOneOfManyValuesIsFound) {
    constexpr int kValues = 5000;
    std::vector<intel::test::Ind> indicators;
    const auto domain = [](int i) { return fmt::format("host{}.example.org", i); };
    const auto digest = [](int i) { return fmt::format("{:a>64}", i); };
    for (int i = 0; i < kValues; ++i) {
        indicators.push_back(
            {fmt::format("d{}", i), fmt::format("[domain-name:value = '{}']", domain(i))});
        indicators.push_back(
            {fmt::format("h{}", i), fmt::format("[file:hashes.'SHA-256' = '{}']", digest(i))});
    }
    const auto set = make_set(indicators);
    for (int i = 0; i < kValues; ++i) {
        ASSERT_EQ(fired(*set, observe(ObservableKind::domain, fmt::format("www.{}", domain(i)))),
                  Ids{fmt::format("d{}", i)});
        ASSERT_EQ(fired(*set, observe(ObservableKind::sha256, digest(i))),
                  Ids{fmt::format("h{}", i)});
    }
    for (int i = kValues; i < 3 * kValues; ++i) {
        ASSERT_EQ(fired(*set, observe(ObservableKind::domain, domain(i))), Ids{});
        ASSERT_EQ(fired(*set, observe(ObservableKind::sha256, digest(i))), Ids{});
    }
}

TEST(Matcher, CompoundPatternsUseFlowFacts) {
    const auto set = make_set({
        {"ip+port", "[ipv4-addr:value = '203.0.113.5' AND network-traffic:dst_port = 443]"},
        {"dom+port", "[domain-name:value = 'evil.test' AND network-traffic:dst_port = 8080]"},
        {"ports+tcp",
         "[network-traffic:dst_port IN (4444, 5555) AND network-traffic:protocols[*] = 'tcp']"},
        {"dns-odd", "[network-traffic:protocols[*] = 'dns' AND network-traffic:dst_port != 53]"},
        {"net-but", "[ipv4-addr:value = '10.0.0.0/8' AND ipv4-addr:value != '10.9.9.9']"},
        {"obs-or", "[domain-name:value = 'a.test'] OR [ipv4-addr:value = '198.51.100.9']"},
        {"high", "[network-traffic:dst_port > 60000 AND network-traffic:src_port < 1024]"},
        {"v6-only",
         "[network-traffic:dst_ref.type = 'ipv6-addr' AND "
         "network-traffic:dst_port = 9999]"},
    });
    EXPECT_EQ(fired(*set, flow("192.0.2.1", "203.0.113.5", 40000, 443)), (Ids{"ip+port"}));
    EXPECT_EQ(fired(*set, flow("192.0.2.1", "203.0.113.5", 40000, 80)), Ids{});
    const auto evil = [&](std::uint16_t port) {
        return fired(*set, observe(ObservableKind::domain, "www.evil.test",
                                   flow("192.0.2.1", "198.51.100.1", 40000, port)));
    };
    EXPECT_EQ(evil(8080), (Ids{"dom+port"}));
    EXPECT_EQ(evil(80), Ids{});
    EXPECT_EQ(fired(*set, flow("192.0.2.1", "198.51.100.1", 40000, 4444, 6)), (Ids{"ports+tcp"}));
    EXPECT_EQ(fired(*set, flow("192.0.2.1", "198.51.100.1", 40000, 5555, 17)), Ids{});
    EXPECT_EQ(fired(*set, flow("192.0.2.1", "198.51.100.1", 40000, 5353, 17, "dns")),
              (Ids{"dns-odd"}));
    EXPECT_EQ(fired(*set, flow("192.0.2.1", "198.51.100.1", 40000, 53, 17, "dns")), Ids{});
    EXPECT_EQ(fired(*set, flow("192.0.2.1", "198.51.100.1", 40000, 5353, 17)), Ids{});
    EXPECT_EQ(fired(*set, flow("192.0.2.1", "10.1.1.1")), (Ids{"net-but"}));
    EXPECT_EQ(fired(*set, flow("192.0.2.1", "10.9.9.9")), Ids{});
    EXPECT_EQ(fired(*set, observe(ObservableKind::domain, "a.test")), (Ids{"obs-or"}));
    EXPECT_EQ(fired(*set, flow("192.0.2.1", "198.51.100.9", 40000, 22)), (Ids{"obs-or"}));
    EXPECT_EQ(fired(*set, flow("192.0.2.1", "198.51.100.1", 1000, 60001)), (Ids{"high"}));
    EXPECT_EQ(fired(*set, flow("192.0.2.1", "198.51.100.1", 1024, 60001)), Ids{});
    EXPECT_EQ(fired(*set, flow("2001:db8::1", "2001:db8::2", 40000, 9999)), (Ids{"v6-only"}));
    EXPECT_EQ(fired(*set, flow("192.0.2.1", "198.51.100.1", 40000, 9999)), Ids{});
    // A flow-level pattern never fires on an observable observation of the same flow.
    EXPECT_EQ(fired(*set, observe(ObservableKind::domain, "x.test",
                                  flow("192.0.2.1", "203.0.113.5", 40000, 443))),
              Ids{});
}

TEST(Matcher, ProtocolNames) {
    const auto set = make_set({
        {"http", "[network-traffic:protocols[*] = 'HTTP' AND network-traffic:dst_port = 8000]"},
        {"tls", "[network-traffic:protocols[1] = 'ssl' AND network-traffic:dst_port = 8443]"},
        {"udp", "[network-traffic:protocols[0] IN ('udp') AND network-traffic:dst_port = 69]"},
        {"v6", "[network-traffic:protocols[*] = 'ipv6' AND network-traffic:dst_port = 69]"},
    });
    EXPECT_EQ(fired(*set, flow("192.0.2.1", "198.51.100.1", 1, 8000, 6, "http")), (Ids{"http"}));
    EXPECT_EQ(fired(*set, flow("192.0.2.1", "198.51.100.1", 1, 8000, 6, "")), Ids{});
    EXPECT_EQ(fired(*set, flow("192.0.2.1", "198.51.100.1", 1, 8443, 6, "tls")), (Ids{"tls"}));
    EXPECT_EQ(fired(*set, flow("192.0.2.1", "198.51.100.1", 1, 69, 17)), (Ids{"udp"}));
    EXPECT_EQ(fired(*set, flow("2001:db8::1", "2001:db8::2", 1, 69, 17)), (Ids{"udp", "v6"}));
}

TEST(Matcher, ValidityWindows) {
    const std::int64_t day = 86400LL * 1000000;
    const std::int64_t t0 = 1700000000LL * 1000000;  // the test observations' time
    const std::vector<test::Ind> inds = {
        {"current", "[ipv4-addr:value = '192.0.2.50']", t0 - day, t0 + day},
        {"future", "[ipv4-addr:value = '192.0.2.50']", t0 + 1, 0},
        {"expired", "[ipv4-addr:value = '192.0.2.50']", 0, t0},  // valid_until is exclusive
        {"from-now", "[ipv4-addr:value = '192.0.2.50']", t0, 0},
        {"open", "[ipv4-addr:value = '192.0.2.50']"},
    };
    const auto set = make_set(inds);
    EXPECT_EQ(fired(*set, flow("192.0.2.50", "198.51.100.1")),
              (Ids{"current", "from-now", "open"}));
    SetOptions ignore;
    ignore.ignore_validity = true;
    EXPECT_EQ(fired(*make_set(inds, ignore), flow("192.0.2.50", "198.51.100.1")),
              (Ids{"current", "expired", "from-now", "future", "open"}));
}

TEST(Matcher, LatestVersionWinsAndRevocationRemoves) {
    IntelSetBuilder builder;
    const std::uint32_t s = builder.add_source("x");
    auto add = [&](std::string_view pattern, std::int64_t modified, bool revoked = false) {
        IndicatorDraft d;
        d.id = "indicator--1";
        d.pattern = pattern;
        d.source = s;
        d.modified_us = modified;
        d.revoked = revoked;
        return builder.add(d).outcome;
    };
    EXPECT_EQ(add("[ipv4-addr:value = '192.0.2.1']", 100), AddOutcome::added);
    EXPECT_EQ(add("[ipv4-addr:value = '192.0.2.2']", 300), AddOutcome::replaced);
    EXPECT_EQ(add("[ipv4-addr:value = '192.0.2.3']", 200), AddOutcome::stale);
    EXPECT_EQ(add("[ipv4-addr:value = '192.0.2.4']", 300), AddOutcome::stale);  // ties: first
    EXPECT_EQ(builder.live(), 1u);
    EXPECT_EQ(add("", 400, true), AddOutcome::revoked);
    EXPECT_EQ(builder.live(), 0u);
    EXPECT_EQ(add("[ipv4-addr:value = '192.0.2.5']", 350), AddOutcome::stale);
    EXPECT_EQ(add("[ipv4-addr:value = '192.0.2.6']", 500), AddOutcome::added);  // re-issued
    const auto set = builder.build();
    ASSERT_EQ(set->size(), 1u);
    for (const char* a : {"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"})
        EXPECT_EQ(fired(*set, flow(a, "198.51.100.1")), Ids{}) << a;
    EXPECT_EQ(fired(*set, flow("192.0.2.6", "198.51.100.1")), (Ids{"indicator--1"}));
}

TEST(Matcher, UnsupportedLatestVersionWinsInAnyOrder) {
    for (const bool newest_first : {false, true}) {
        IntelSetBuilder builder;
        const std::uint32_t s = builder.add_source("x");
        IndicatorDraft old_version;
        old_version.id = "indicator--1";
        old_version.pattern = "[domain-name:value = 'a.test']";
        old_version.source = s;
        old_version.modified_us = 1;
        IndicatorDraft new_version = old_version;
        new_version.pattern = "[file:name = 'a.exe']";
        new_version.modified_us = 2;
        if (newest_first) {
            EXPECT_EQ(builder.add(new_version).outcome, AddOutcome::unsupported);
            EXPECT_EQ(builder.add(old_version).outcome, AddOutcome::stale);
        } else {
            EXPECT_EQ(builder.add(old_version).outcome, AddOutcome::added);
            const AddResult r = builder.add(new_version);
            EXPECT_EQ(r.outcome, AddOutcome::unsupported);
            EXPECT_EQ(r.loser_source, s);
        }
        EXPECT_EQ(builder.build()->size(), 0u) << newest_first;
    }
}

TEST(Matcher, ReplacedVersionOnlyMatchesItsNewPattern) {
    const auto set = make_set({
        {"id", "[domain-name:value = 'old.test']", 0, 0, 1},
        {"id", "[domain-name:value = 'new.test']", 0, 0, 2},
    });
    EXPECT_EQ(set->size(), 1u);
    EXPECT_EQ(fired(*set, observe(ObservableKind::domain, "old.test")), Ids{});
    EXPECT_EQ(fired(*set, observe(ObservableKind::domain, "new.test")), (Ids{"id"}));
}

TEST(Matcher, LimitDropsLaterIndicators) {
    SetOptions two;
    two.max_indicators = 2;
    IntelSetBuilder builder(two);
    const std::uint32_t s = builder.add_source("x");
    std::vector<AddOutcome> outcomes;
    for (const char* id : {"a", "b", "c"}) {
        IndicatorDraft d;
        d.id = id;
        d.pattern = "[domain-name:value = 'x.test']";
        d.source = s;
        outcomes.push_back(builder.add(d).outcome);
    }
    EXPECT_EQ(outcomes,
              (std::vector<AddOutcome>{AddOutcome::added, AddOutcome::added, AddOutcome::dropped}));
    EXPECT_EQ(builder.build()->size(), 2u);
}

TEST(Matcher, WantsSaysWhichObservablesMatter) {
    const auto set = make_set({{"d", "[domain-name:value = 'x.test']"},
                               {"h", "[file:hashes.MD5 = '900150983cd24fb0d6963f7d28e17f72']"}});
    EXPECT_TRUE(set->wants(ObservableKind::domain));
    EXPECT_TRUE(set->wants(ObservableKind::md5));
    EXPECT_FALSE(set->wants(ObservableKind::sha256));
    EXPECT_FALSE(set->wants(ObservableKind::url));
    EXPECT_FALSE(set->wants(ObservableKind::none));
    EXPECT_FALSE(set->wants_flows());
    EXPECT_TRUE(make_set({{"p", "[network-traffic:dst_port = 4444]"}})->wants_flows());
    EXPECT_TRUE(make_set({{"i", "[ipv6-addr:value = '::1']"}})->wants_flows());
    const auto empty = make_set({});
    EXPECT_EQ(empty->size(), 0u);
    EXPECT_FALSE(empty->wants_flows());
    EXPECT_EQ(fired(*empty, flow("192.0.2.1", "192.0.2.2")), Ids{});
}

TEST(Matcher, IndicatorInfoCarriesWhatWasLoaded) {
    IntelSetBuilder builder;
    IndicatorDraft d;
    d.id = "indicator--7";
    d.name = "C2 server";
    d.pattern = "[ipv4-addr:value = '192.0.2.1']";
    const std::vector<std::string> types = {"malicious-activity", "attribution"};
    d.types = types;
    d.source = builder.add_source("feeds/a.json");
    d.tlp = Tlp::amber_strict;
    d.valid_from_us = 5;
    d.valid_until_us = 9;
    builder.add(d);
    const auto set = builder.build();
    const IndicatorInfo& info = set->indicator(0);
    EXPECT_EQ(info.id, "indicator--7");
    EXPECT_EQ(info.name, "C2 server");
    EXPECT_EQ(info.source, "feeds/a.json");
    EXPECT_EQ(info.pattern, "[ipv4-addr:value = '192.0.2.1']");
    EXPECT_EQ(info.types, types);
    EXPECT_EQ(info.tlp, Tlp::amber_strict);
    EXPECT_EQ(tlp_name(info.tlp), "amber+strict");
    EXPECT_EQ(info.valid_from_us, 5);
    EXPECT_EQ(info.valid_until_us, 9);
    EXPECT_EQ(&set->indicator(0), &info);  // made once
}

TEST(Matcher, MissesDoNotAllocate) {
    std::vector<test::Ind> inds;
    for (int i = 0; i < 200; ++i) {
        inds.push_back(
            {fmt::format("ip{}", i), fmt::format("[ipv4-addr:value = '10.{}.0.0/16']", i)});
        inds.push_back(
            {fmt::format("d{}", i), fmt::format("[domain-name:value = 'host{}.test']", i)});
        inds.push_back({fmt::format("u{}", i), fmt::format("[url:value = 'http://h.test/{}']", i)});
        inds.push_back(
            {fmt::format("c{}", i),
             fmt::format("[domain-name:value = 'c{}.test' AND network-traffic:dst_port = 1]", i)});
    }
    inds.push_back({"h", "[file:hashes.MD5 = '900150983cd24fb0d6963f7d28e17f72']"});
    inds.push_back({"p", "[network-traffic:dst_port = 4444]"});
    inds.push_back(
        {"scan", "[network-traffic:dst_port > 65000 AND network-traffic:protocols[*] = 'udp']"});
    const auto set = make_set(inds);
    Hits hits;
    hits.reserve(16);
    const Observation f = flow("192.0.2.1", "198.51.100.1");
    const Observation d = observe(ObservableKind::domain, "www.c7.test");  // anchor hits, port not
    const Observation u = observe(ObservableKind::url, "HTTP://H.test:80/nothing");
    const Observation m = observe(ObservableKind::md5, "00000000000000000000000000000000");
    const std::size_t before = test::allocation_count();
    for (int i = 0; i < 1000; ++i) {
        set->match(f, hits);
        set->match(d, hits);
        set->match(u, hits);
        set->match(m, hits);
    }
    EXPECT_EQ(test::allocation_count() - before, 0u);
    EXPECT_TRUE(hits.empty());
}

TEST(Matcher, ConcurrentMatchingAgrees) {
    std::vector<test::Ind> inds;
    for (int i = 0; i < 256; ++i)
        inds.push_back(
            {fmt::format("n{}", i), fmt::format("[ipv4-addr:value = '10.0.{}.0/24']", i)});
    const auto set = make_set(inds);
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            Hits hits;
            for (int i = 0; i < 20000; ++i) {
                const int third = (i + t) % 256;
                hits.clear();
                const std::string server = fmt::format("10.0.{}.9", third);
                set->match(flow("192.0.2.1", server), hits);
                if (hits.size() != 1 || set->indicator(hits[0]).id != fmt::format("n{}", third))
                    ++wrong;
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace tocsin::intel
