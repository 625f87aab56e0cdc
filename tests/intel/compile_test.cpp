// Which patterns Tocsin evaluates, how it indexes them, and the reason for every kind of
// pattern it does not evaluate.
#include "intel/compile.h"

#include <gtest/gtest.h>

#include "intel/types.h"

namespace tocsin::intel {
namespace {

CompiledPattern ok(std::string_view text) {
    CompileOutcome c = compile_pattern_text(text);
    EXPECT_TRUE(c.compiled.has_value()) << text << ": " << c.unsupported;
    return c.compiled ? std::move(*c.compiled) : CompiledPattern{};
}

std::string why(std::string_view text) {
    CompileOutcome c = compile_pattern_text(text);
    EXPECT_FALSE(c.compiled.has_value()) << text;
    return c.unsupported;
}

TEST(Compile, EvaluableFormsAndTheirCategories) {
    struct Case {
        const char* pattern;
        Category category;
        bool direct;
    } cases[] = {
        {"[ipv4-addr:value = '192.0.2.1']", Category::ipv4, true},
        {"[ipv4-addr:value = '192.0.2.0/24']", Category::ipv4, true},
        {"[ipv4-addr:value ISSUBSET '192.0.2.0/24']", Category::ipv4, true},
        {"[ipv4-addr:value IN ('192.0.2.1', '192.0.2.2')]", Category::ipv4, true},
        {"[ipv6-addr:value = '2001:db8::/32']", Category::ipv6, true},
        {"[domain-name:value = 'example.com']", Category::domain, true},
        {"[domain-name:value IN ('a.test', 'b.test')]", Category::domain, true},
        {"[url:value = 'http://a.test/x']", Category::url, true},
        {"[url:value IN ('http://a.test/x', 'b.test/y')]", Category::url, true},
        {"[file:hashes.MD5 = '900150983cd24fb0d6963f7d28e17f72']", Category::md5, true},
        {"[file:hashes.'SHA-1' = 'a9993e364706816aba3e25717850c26c9cd0d89d']", Category::sha1,
         true},
        {"[file:hashes.SHA1 = 'a9993e364706816aba3e25717850c26c9cd0d89d']", Category::sha1, true},
        {"[file:hashes.'SHA-256' = "
         "'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad']",
         Category::sha256, true},
        {"[x509-certificate:hashes.'SHA-1' = "
         "'a9:99:3e:36:47:06:81:6a:ba:3e:25:71:78:50:c2:6c:9c:d0:d8:9d']",
         Category::x509_sha1, true},
        {"[network-traffic:dst_ref.value = '192.0.2.1']", Category::ipv4, true},
        {"[network-traffic:src_ref.value = '2001:db8::1']", Category::ipv6, true},
        {"[network-traffic:dst_port = 4444]", Category::network, true},
        {"[network-traffic:src_port IN (1, 2)]", Category::network, true},
        {"[network-traffic:dst_port < 1024]", Category::network, false},
        {"[network-traffic:protocols[*] = 'tcp']", Category::network, false},
        {"[network-traffic:extensions.'x-tls-ext'.ja3 = '900150983cd24fb0d6963f7d28e17f72']",
         Category::ja3, true},
        {"[network-traffic:extensions.'tls-ext'.ja3s = '900150983cd24fb0d6963f7d28e17f72']",
         Category::ja3s, true},
        {"[network-traffic:extensions.'x-ja4-ext'.ja4 = 't13d1516h2_8daaf6152771_e5627efa2ab1']",
         Category::ja4, true},
        {"[x-ja3:value = '900150983cd24fb0d6963f7d28e17f72']", Category::ja3, true},
        {"[x-misp-attribute:type = 'ja3-fingerprint-md5' AND "
         "x-misp-attribute:value = '900150983cd24fb0d6963f7d28e17f72']",
         Category::ja3, true},
        {"[domain-name:value = 'a.test'] OR [url:value = 'http://b.test/']", Category::mixed, true},
        {"[ipv4-addr:value = '192.0.2.1' AND network-traffic:dst_port = 443]", Category::ipv4,
         false},
        {"[ipv4-addr:value = '10.0.0.0/8' AND ipv4-addr:value != '10.1.1.1']", Category::ipv4,
         false},
        {"[ipv4-addr:value = '10.0.0.0/8' AND ipv4-addr:value NOT IN ('10.1.1.1')]", Category::ipv4,
         false},
    };
    for (const Case& c : cases) {
        const CompiledPattern p = ok(c.pattern);
        EXPECT_EQ(p.category, c.category) << c.pattern;
        EXPECT_EQ(p.direct, c.direct) << c.pattern;
    }
}

TEST(Compile, AnchorsOnTheMostSelectiveComparison) {
    // A hash beats a domain, a domain beats an address, a host beats a network, a port last.
    const CompiledPattern a =
        ok("[network-traffic:dst_port = 443 AND ipv4-addr:value = '10.0.0.0/8' AND "
           "ipv4-addr:value = '192.0.2.1']");
    ASSERT_EQ(a.anchors.size(), 1u);
    EXPECT_EQ(a.atoms[a.anchors[0]].prefixes.at(0).to_string(), "192.0.2.1");
    // An observable is required for the pattern to hold: it anchors, though an address is
    // listed first.
    const CompiledPattern b =
        ok("[ipv4-addr:value = '192.0.2.1' AND domain-name:value = 'x.test']");
    EXPECT_EQ(b.atoms[b.anchors.at(0)].field, Field::domain);
    // An OR anchors on every branch.
    const CompiledPattern c =
        ok("[(domain-name:value = 'x.test' AND network-traffic:dst_port = 1) OR "
           "ipv4-addr:value = '192.0.2.1']");
    EXPECT_EQ(c.anchors.size(), 2u);
    EXPECT_FALSE(c.direct);
    EXPECT_FALSE(c.scan);
    const CompiledPattern d = ok("[network-traffic:dst_port > 1 AND network-traffic:src_port = 7]");
    EXPECT_EQ(d.atoms[d.anchors.at(0)].field, Field::client_port);
    EXPECT_FALSE(d.scan);
}

TEST(Compile, CanonicalValues) {
    const CompiledPattern d = ok("[domain-name:value = 'WWW.Example.COM.']");
    EXPECT_EQ(d.atoms[0].texts.at(0), "www.example.com");
    const CompiledPattern u = ok("[url:value = 'Example.COM:80/A?b#c']");
    EXPECT_EQ(u.atoms[0].texts.at(0), "http://example.com/A?b");
    const CompiledPattern x =
        ok("[x509-certificate:hashes.'SHA-1' = "
           "'A9:99:3E:36:47:06:81:6A:BA:3E:25:71:78:50:C2:6C:9C:D0:D8:9D']");
    EXPECT_EQ(x.atoms[0].texts.at(0), "a9993e364706816aba3e25717850c26c9cd0d89d");
    const CompiledPattern n = ok("[ipv4-addr:value = '10.1.2.3/8']");
    EXPECT_EQ(n.atoms[0].prefixes.at(0).to_string(), "10.0.0.0/8");
    const CompiledPattern p = ok("[network-traffic:dst_port >= 65000]");
    EXPECT_EQ(p.atoms[0].ports.at(0).low, 65000);
    EXPECT_EQ(p.atoms[0].ports.at(0).high, 65535);
}

TEST(Compile, UnsupportedPatternsSayWhy) {
    struct Case {
        const char* pattern;
        const char* reason;  // a part of the reason
    } cases[] = {
        {"[domain-name:value = 'a.test'] FOLLOWEDBY [url:value = 'http://a.test/']", "FOLLOWEDBY"},
        {"[domain-name:value = 'a.test'] WITHIN 60 SECONDS", "WITHIN"},
        {"[domain-name:value = 'a.test'] REPEATS 3 TIMES", "REPEATS"},
        {"[domain-name:value = 'a.test'] START t'2024-01-01T00:00:00Z' STOP "
         "t'2024-02-01T00:00:00Z'",
         "START/STOP"},
        {"[domain-name:value = 'a.test'] AND [url:value = 'http://a.test/']", "joined by AND"},
        {"[domain-name:value LIKE '%.test']", "operator LIKE"},
        {"[url:value MATCHES '^http']", "operator MATCHES"},
        {"[EXISTS file:name]", "operator EXISTS"},
        {"[ipv4-addr:value ISSUPERSET '10.0.0.0/8']", "operator ISSUPERSET"},
        {"[email-addr:value = 'a@b.test']", "object type 'email-addr' is not observed"},
        {"[file:name = 'evil.exe']", "file:name is not observed"},
        {"[file:hashes.'SHA-512' = 'aa']", "file hash SHA-512 is not computed"},
        {"[x509-certificate:hashes.'SHA-256' = 'aa']", "certificate hash SHA-256"},
        {"[x509-certificate:serial_number = '01']", "x509-certificate:serial_number"},
        {"[ipv4-addr:value = '2001:db8::1']", "is not an IPv4 address"},
        {"[ipv6-addr:value = '192.0.2.1']", "is not an IPv6 address"},
        {"[ipv4-addr:value = 'not-an-ip']", "is not an address or CIDR"},
        {"[ipv4-addr:value = 17]", "compared with a string"},
        {"[file:hashes.MD5 = 'abc']", "not a valid file MD5 value"},
        {"[domain-name:value = 'bad domain']", "not a valid domain-name value"},
        {"[network-traffic:dst_port = 70000]", "port 70000 out of range"},
        {"[network-traffic:dst_port = '80']", "compared with an integer"},
        {"[domain-name:value > 'a']", "operator > does not apply"},
        {"[url:value ISSUBSET 'http://a/']", "ISSUBSET applies to addresses"},
        {"[domain-name:value != 'a.test']", "no positive comparison"},
        {"[domain-name:value NOT = 'a.test']", "no positive comparison"},
        {"[domain-name:value = 'a.test' OR network-traffic:dst_port != 80]",
         "no positive comparison"},
        {"[domain-name:value = 'a.test' AND url:value = 'http://a.test/']",
         "compares domain-name and url in one observation"},
        {"[x-misp-attribute:value = 'x']", "without x-misp-attribute:type"},
        {"[x-misp-attribute:type = 'btc' AND x-misp-attribute:value = 'x']",
         "MISP type 'btc' is not matched"},
        {"[network-traffic:dst_port IN ()]", "empty set"},
        {"[ipv4-addr:value = '1.2.3.4'", "syntax error at 28"},
        {"[network-traffic:extensions.'x-tls-ext'.jarm = 'x']", "is not observed"},
    };
    for (const Case& c : cases) {
        const std::string reason = why(c.pattern);
        EXPECT_NE(reason.find(c.reason), std::string::npos)
            << c.pattern << " -> " << reason << " (wanted: " << c.reason << ")";
    }
}

TEST(Compile, EvaluateWithoutTheIndex) {
    const CompiledPattern p =
        ok("[domain-name:value = 'x.test' AND network-traffic:dst_port IN (80, 8080)]");
    Observation o;
    o.kind = ObservableKind::domain;
    o.server_port = 8080;
    EXPECT_TRUE(evaluate(p, o, "a.x.test"));
    EXPECT_FALSE(evaluate(p, o, "ax.test"));
    o.server_port = 81;
    EXPECT_FALSE(evaluate(p, o, "a.x.test"));
    o.kind = ObservableKind::url;
    o.server_port = 80;
    EXPECT_FALSE(evaluate(p, o, "a.x.test"));  // not a domain observation
}

TEST(Compile, DomainWithin) {
    EXPECT_TRUE(domain_within("example.com", "example.com"));
    EXPECT_TRUE(domain_within("a.example.com", "example.com"));
    EXPECT_FALSE(domain_within("aexample.com", "example.com"));
    EXPECT_FALSE(domain_within("example.com", "a.example.com"));
}

TEST(TypedValues, MispAndCsvTypesBecomePatterns) {
    struct Case {
        const char* type;
        const char* value;
        const char* pattern;
    } cases[] = {
        {"ip-dst", "192.0.2.1", "[ipv4-addr:value = '192.0.2.1']"},
        {"ip-src", "2001:DB8::/32", "[ipv6-addr:value = '2001:db8::/32']"},
        {"cidr", "10.1.2.3/8", "[ipv4-addr:value = '10.0.0.0/8']"},
        {"ip-dst|port", "192.0.2.1|8080",
         "[network-traffic:dst_ref.value = '192.0.2.1' AND network-traffic:dst_port = 8080]"},
        {"ip-src|port", "2001:db8::1|53",
         "[network-traffic:src_ref.value = '2001:db8::1' AND network-traffic:src_port = 53]"},
        {"domain", "Evil.Test.", "[domain-name:value = 'evil.test']"},
        {"hostname", "a.evil.test", "[domain-name:value = 'a.evil.test']"},
        {"domain|ip", "evil.test|192.0.2.1", "[domain-name:value = 'evil.test']"},
        {"hostname|port", "evil.test|8443",
         "[domain-name:value = 'evil.test' AND network-traffic:dst_port = 8443]"},
        {"url", "Evil.test/a'b", "[url:value = 'http://evil.test/a\\'b']"},
        {"MD5", "900150983CD24FB0D6963F7D28E17F72",
         "[file:hashes.MD5 = '900150983cd24fb0d6963f7d28e17f72']"},
        {"sha1", "a9993e364706816aba3e25717850c26c9cd0d89d",
         "[file:hashes.'SHA-1' = 'a9993e364706816aba3e25717850c26c9cd0d89d']"},
        {"filename|sha256",
         "a.exe|ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
         "[file:hashes.'SHA-256' = "
         "'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad']"},
        {"ja3-fingerprint-md5", "900150983cd24fb0d6963f7d28e17f72",
         "[network-traffic:extensions.'x-tls-ext'.ja3 = '900150983cd24fb0d6963f7d28e17f72']"},
        {"ja4", "t13d1516h2_8daaf6152771_e5627efa2ab1",
         "[network-traffic:extensions.'x-tls-ext'.ja4 = 't13d1516h2_8daaf6152771_e5627efa2ab1']"},
        {"x509-fingerprint-sha1", "A9:99:3E:36:47:06:81:6A:BA:3E:25:71:78:50:C2:6C:9C:D0:D8:9D",
         "[x509-certificate:hashes.'SHA-1' = 'a9993e364706816aba3e25717850c26c9cd0d89d']"},
        {"stix", "[url:value = 'http://x/']", "[url:value = 'http://x/']"},
    };
    for (const Case& c : cases) {
        const TypedPattern t = pattern_for_typed_value(c.type, c.value);
        EXPECT_EQ(t.pattern, c.pattern) << c.type << " " << c.value << ": " << t.problem;
        if (!t.pattern.empty() && std::string_view(c.type) != "stix") {
            EXPECT_TRUE(compile_pattern_text(t.pattern).compiled.has_value()) << t.pattern;
        }
    }
    EXPECT_TRUE(pattern_for_typed_value("email-src", "a@b.test").unknown_type);
    EXPECT_TRUE(pattern_for_typed_value("filename", "a.exe").unknown_type);
    EXPECT_FALSE(pattern_for_typed_value("ip-dst", "300.1.1.1").problem.empty());
    EXPECT_FALSE(pattern_for_typed_value("md5", "xyz").problem.empty());
    EXPECT_FALSE(pattern_for_typed_value("ip-dst|port", "192.0.2.1").problem.empty());
    EXPECT_FALSE(pattern_for_typed_value("ip-dst|port", "192.0.2.1|99999").problem.empty());
    EXPECT_FALSE(pattern_for_typed_value("domain", "a b").problem.empty());
}

}  // namespace
}  // namespace tocsin::intel
