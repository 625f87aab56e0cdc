// The STIX 2.1 patterning grammar (STIX 2.1 part 5): expected trees and error positions are
// worked out by hand from the pattern text.
#include "intel/pattern.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace tocsin::intel {
namespace {

Pattern parse_ok(std::string_view text) {
    PatternParse p = parse_pattern(text);
    EXPECT_TRUE(p.ok()) << text << ": " << p.error.to_string();
    return p.ok() ? std::move(*p.pattern) : Pattern{};
}

PatternError parse_bad(std::string_view text, const PatternLimits& limits = {}) {
    PatternParse p = parse_pattern(text, limits);
    EXPECT_FALSE(p.ok()) << text;
    return p.error;
}

const Comparison& only_test(const Pattern& p) {
    EXPECT_EQ(p.root.kind, ObservationExpr::Kind::observation);
    EXPECT_EQ(p.root.comparison.kind, ComparisonExpr::Kind::test);
    return p.root.comparison.test;
}

TEST(Pattern, SimpleComparison) {
    const Pattern p = parse_ok("[ipv4-addr:value = '198.51.100.1']");
    const Comparison& c = only_test(p);
    EXPECT_EQ(c.path.object_type, "ipv4-addr");
    ASSERT_EQ(c.path.steps.size(), 1u);
    EXPECT_EQ(c.path.steps[0].name, "value");
    EXPECT_EQ(c.op, CompareOp::eq);
    EXPECT_FALSE(c.negated);
    ASSERT_EQ(c.values.size(), 1u);
    EXPECT_EQ(c.values[0].kind, ConstantKind::string);
    EXPECT_EQ(c.values[0].text, "198.51.100.1");
    EXPECT_EQ(c.position, 1u);
}

TEST(Pattern, ObjectPaths) {
    const Comparison a = only_test(parse_ok("[file:hashes.'SHA-256' = 'x']"));
    ASSERT_EQ(a.path.steps.size(), 2u);
    EXPECT_EQ(a.path.steps[1].name, "SHA-256");
    EXPECT_EQ(a.path.text(), "file:hashes.'SHA-256'");

    const Comparison b = only_test(parse_ok("[network-traffic:protocols[*] = 'tcp']"));
    ASSERT_EQ(b.path.steps.size(), 2u);
    EXPECT_EQ(b.path.steps[1].kind, PathStep::Kind::any_index);
    EXPECT_EQ(b.path.text(), "network-traffic:protocols[*]");

    const Comparison c = only_test(parse_ok("[network-traffic:protocols[0] = 'tcp']"));
    EXPECT_EQ(c.path.steps[1].kind, PathStep::Kind::index);
    EXPECT_EQ(c.path.steps[1].index, 0);

    const Comparison d = only_test(parse_ok("[network-traffic:extensions.'x-tls-ext'.ja3 = 'x']"));
    ASSERT_EQ(d.path.steps.size(), 3u);
    EXPECT_EQ(d.path.steps[1].name, "x-tls-ext");
    EXPECT_EQ(d.path.steps[2].name, "ja3");

    const Comparison e = only_test(parse_ok("[network-traffic:dst_ref.value = '10.0.0.1']"));
    EXPECT_EQ(e.path.text(), "network-traffic:dst_ref.value");
    // The first component may be quoted too.
    const Comparison f = only_test(parse_ok("[x-custom:'a b'.c = 1]"));
    EXPECT_EQ(f.path.steps[0].name, "a b");
}

TEST(Pattern, StringEscapes) {
    const Comparison c = only_test(parse_ok(R"([file:name = 'it\'s a \\ path'])"));
    EXPECT_EQ(c.values[0].text, R"(it's a \ path)");
}

TEST(Pattern, Constants) {
    auto value = [](std::string_view text) { return only_test(parse_ok(text)).values.at(0); };
    EXPECT_EQ(value("[a:b = 42]").integer, 42);
    EXPECT_EQ(value("[a:b = -7]").integer, -7);
    EXPECT_EQ(value("[a:b = +7]").integer, 7);
    EXPECT_EQ(value("[a:b = 1.5]").kind, ConstantKind::floating);
    EXPECT_DOUBLE_EQ(value("[a:b = 1.5]").real, 1.5);
    EXPECT_DOUBLE_EQ(value("[a:b = -0.25]").real, -0.25);
    EXPECT_EQ(value("[a:b = true]").kind, ConstantKind::boolean);
    EXPECT_TRUE(value("[a:b = true]").boolean);
    EXPECT_FALSE(value("[a:b = false]").boolean);
    const Constant ts = value("[a:b = t'2024-01-31T12:00:00Z']");
    EXPECT_EQ(ts.kind, ConstantKind::timestamp);
    EXPECT_EQ(ts.integer, 1706702400LL * 1000000);  // GNU date -d 2024-01-31T12:00:00Z +%s
    const Constant hex = value("[a:b = h'0aFF']");
    EXPECT_EQ(hex.kind, ConstantKind::hex);
    EXPECT_EQ(hex.text, "0aFF");
    const Constant bin = value("[a:b = b'AAE=']");
    EXPECT_EQ(bin.kind, ConstantKind::binary);
    EXPECT_EQ(bin.text, "AAE=");
}

TEST(Pattern, Operators) {
    struct Case {
        const char* text;
        CompareOp op;
        bool negated;
    } cases[] = {
        {"[a:b = 1]", CompareOp::eq, false},
        {"[a:b == 1]", CompareOp::eq, false},
        {"[a:b != 1]", CompareOp::ne, false},
        {"[a:b <> 1]", CompareOp::ne, false},
        {"[a:b < 1]", CompareOp::lt, false},
        {"[a:b <= 1]", CompareOp::le, false},
        {"[a:b > 1]", CompareOp::gt, false},
        {"[a:b >= 1]", CompareOp::ge, false},
        {"[a:b IN (1, 2)]", CompareOp::in, false},
        {"[a:b LIKE 'x%']", CompareOp::like, false},
        {"[a:b MATCHES '^x']", CompareOp::matches, false},
        {"[a:b ISSUBSET '10.0.0.0/8']", CompareOp::issubset, false},
        {"[a:b ISSUPERSET '10.0.0.0/8']", CompareOp::issuperset, false},
        {"[a:b NOT = 1]", CompareOp::eq, true},
        {"[a:b NOT IN (1)]", CompareOp::in, true},
        {"[a:b NOT LIKE 'x']", CompareOp::like, true},
    };
    for (const Case& c : cases) {
        const Comparison t = only_test(parse_ok(c.text));
        EXPECT_EQ(t.op, c.op) << c.text;
        EXPECT_EQ(t.negated, c.negated) << c.text;
    }
    const Comparison exists = only_test(parse_ok("[EXISTS file:name]"));
    EXPECT_EQ(exists.op, CompareOp::exists);
    EXPECT_TRUE(exists.values.empty());
    const Comparison set = only_test(parse_ok("[network-traffic:dst_port IN (80, 443, 8080)]"));
    ASSERT_EQ(set.values.size(), 3u);
    EXPECT_EQ(set.values[2].integer, 8080);
}

TEST(Pattern, AndBindsTighterThanOr) {
    const Pattern p = parse_ok("[a:x = 1 AND a:y = 2 OR a:z = 3]");
    const ComparisonExpr& e = p.root.comparison;
    ASSERT_EQ(e.kind, ComparisonExpr::Kind::any_of);
    ASSERT_EQ(e.children.size(), 2u);
    EXPECT_EQ(e.children[0].kind, ComparisonExpr::Kind::all_of);
    EXPECT_EQ(e.children[0].children.size(), 2u);
    EXPECT_EQ(e.children[1].test.path.steps[0].name, "z");

    const Pattern q = parse_ok("[a:x = 1 AND (a:y = 2 OR a:z = 3)]");
    ASSERT_EQ(q.root.comparison.kind, ComparisonExpr::Kind::all_of);
    EXPECT_EQ(q.root.comparison.children[1].kind, ComparisonExpr::Kind::any_of);
}

TEST(Pattern, ObservationOperatorsAndPrecedence) {
    // FOLLOWEDBY binds loosest, then OR, then AND.
    const Pattern p = parse_ok("[a:b = 1] AND [c:d = 2] OR [e:f = 3] FOLLOWEDBY [g:h = 4]");
    ASSERT_EQ(p.root.kind, ObservationExpr::Kind::followed_by);
    ASSERT_EQ(p.root.children.size(), 2u);
    const ObservationExpr& first = p.root.children[0];
    ASSERT_EQ(first.kind, ObservationExpr::Kind::any_of);
    EXPECT_EQ(first.children[0].kind, ObservationExpr::Kind::all_of);
    EXPECT_EQ(first.children[1].kind, ObservationExpr::Kind::observation);
    const Pattern grouped = parse_ok("([a:b = 1] OR [c:d = 2]) AND [e:f = 3]");
    ASSERT_EQ(grouped.root.kind, ObservationExpr::Kind::all_of);
    EXPECT_EQ(grouped.root.children[0].kind, ObservationExpr::Kind::any_of);
}

TEST(Pattern, Qualifiers) {
    const Pattern w = parse_ok("[a:b = 1] WITHIN 300 SECONDS");
    ASSERT_EQ(w.root.qualifiers.size(), 1u);
    EXPECT_EQ(w.root.qualifiers[0].kind, Qualifier::Kind::within);
    EXPECT_DOUBLE_EQ(w.root.qualifiers[0].seconds, 300);
    const Pattern r = parse_ok("[a:b = 1] REPEATS 5 TIMES WITHIN 1.5 SECONDS");
    ASSERT_EQ(r.root.qualifiers.size(), 2u);
    EXPECT_EQ(r.root.qualifiers[0].times, 5);
    EXPECT_DOUBLE_EQ(r.root.qualifiers[1].seconds, 1.5);
    const Pattern s =
        parse_ok("[a:b = 1] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'");
    ASSERT_EQ(s.root.qualifiers.size(), 1u);
    // date -u -d 2016-06-01 +%s = 1464739200; 2016-07-01 = 1467331200
    EXPECT_EQ(s.root.qualifiers[0].start_us, 1464739200LL * 1000000);
    EXPECT_EQ(s.root.qualifiers[0].stop_us, 1467331200LL * 1000000);
    // A qualifier on a parenthesised group.
    const Pattern g = parse_ok("([a:b = 1] FOLLOWEDBY [c:d = 2]) WITHIN 10 SECONDS");
    EXPECT_EQ(g.root.kind, ObservationExpr::Kind::followed_by);
    EXPECT_EQ(g.root.qualifiers.size(), 1u);
}

TEST(Pattern, SpecExamplesParse) {
    // Examples from STIX 2.1 part 5 (patterning), section 9.
    for (const char* text : {
             "[file:hashes.'SHA-256' = "
             "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
             "[email-message:from_ref.value MATCHES '.+\\\\@example\\\\.com$' AND "
             "email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final "
             "Report.+\\\\.exe$']",
             "[ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32' OR "
             "ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128']",
             "[domain-name:value = 'example.com'] FOLLOWEDBY [url:value = "
             "'http://example.com/foo'] WITHIN 300 SECONDS",
             "[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = "
             "'example.com'] REPEATS 5 TIMES WITHIN 1800 SECONDS",
             "[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = "
             "'4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28']",
             "[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\System\\\\Foo' ] OR "
             "[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\System\\\\Bar']",
             "[artifact:payload_bin MATCHES '\\\\xd4\\\\xc3\\\\xb2\\\\xa1\\\\x02\\\\x00']",
             "[file:size > 1024 AND file:created > t'2016-01-01T00:00:00.123Z']",
         })
        parse_ok(text);
}

TEST(Pattern, ErrorsCarryPositions) {
    const std::string missing = "[ipv4-addr:value = '1.2.3.4'";
    EXPECT_EQ(parse_bad(missing).position, missing.size());
    // 0123456789
    // [a:b = 'abc]
    EXPECT_EQ(parse_bad("[a:b = 'abc]").position, 7u);
    // [a:b = 'a\n'] : the backslash is at 9
    EXPECT_EQ(parse_bad("[a:b = 'a\\n']").position, 9u);
    // [a:b 'x'] : the value where an operator should be, at 5
    const PatternError no_op = parse_bad("[a:b 'x']");
    EXPECT_EQ(no_op.position, 5u);
    EXPECT_NE(no_op.message.find("operator"), std::string::npos);
    EXPECT_EQ(parse_bad("[a:b = 'x'] $").position, 12u);
    EXPECT_EQ(parse_bad("a:b = 'x'").position, 0u);
    EXPECT_EQ(parse_bad("[a = 'x']").position, 3u);  // ':' expected after the type
    EXPECT_EQ(parse_bad("[a:b = t'2024-02-30T00:00:00Z']").position, 7u);
    EXPECT_EQ(parse_bad("[a:b = h'abc']").position, 7u);
    EXPECT_EQ(parse_bad("[a:b = b'A']").position, 7u);
    EXPECT_EQ(parse_bad("[a:b = 1] WITHIN SECONDS").position, 17u);
    EXPECT_EQ(parse_bad("[a:b = 1] REPEATS 0 TIMES").position, 18u);
    EXPECT_EQ(parse_bad("[a:b IN 1]").position, 8u);
    EXPECT_EQ(parse_bad("[a:b > true]").position, 11u);
    EXPECT_EQ(parse_bad("").position, 0u);
    EXPECT_EQ(parse_bad("[a:b = 1] AND").position, 13u);
    EXPECT_EQ(parse_bad("[a:b = 99999999999999999999]").position, 7u);
    EXPECT_EQ(parse_bad("[a:b = 1] junk").position, 10u);
}

std::string nested(std::size_t parens) {
    return std::string(parens, '(') + "[a:b = 1]" + std::string(parens, ')');
}

TEST(Pattern, NestingIsBounded) {
    // The bracket of the observation is one level; 31 parentheses around it make 32.
    EXPECT_TRUE(parse_pattern(nested(31)).ok());
    const PatternError e = parse_bad(nested(32));
    EXPECT_NE(e.message.find("nested deeper than 32"), std::string::npos);
    EXPECT_EQ(e.position, 32u);  // 32 parentheses are fine; the '[' at offset 32 is the 33rd level
    // Inside the brackets too, and far beyond: fails cleanly, never deep recursion.
    EXPECT_FALSE(parse_pattern("[" + std::string(100000, '(') + "a:b = 1]").ok());
    EXPECT_FALSE(parse_pattern(std::string(60000, '(')).ok());
    PatternLimits shallow;
    shallow.max_depth = 3;
    EXPECT_TRUE(parse_pattern(nested(2), shallow).ok());
    EXPECT_FALSE(parse_pattern(nested(3), shallow).ok());
}

TEST(Pattern, LongChainsAreFlatNotDeep) {
    std::string text = "[";
    for (int i = 0; i < 3000; ++i) text += fmt::format("{}a:b = {}", i ? " OR " : "", i);
    text += "]";
    const Pattern p = parse_ok(text);
    ASSERT_EQ(p.root.comparison.kind, ComparisonExpr::Kind::any_of);
    EXPECT_EQ(p.root.comparison.children.size(), 3000u);
}

TEST(Pattern, LengthAndListLimits) {
    const std::string big = "[a:b = '" + std::string(70000, 'x') + "']";
    EXPECT_NE(parse_bad(big).message.find("longer than 65536"), std::string::npos);
    PatternLimits few;
    few.max_list = 2;
    EXPECT_TRUE(parse_pattern("[a:b IN (1, 2)]", few).ok());
    EXPECT_FALSE(parse_pattern("[a:b IN (1, 2, 3)]", few).ok());
}

TEST(Pattern, KeywordsAndBooleansAnyCase) {
    EXPECT_TRUE(parse_pattern("[a:b = 1 and a:c = 2 or a:d = TRUE]").ok());
    EXPECT_TRUE(parse_pattern("[a:b = 1] followedby [a:c = 2] within 5 seconds").ok());
}

}  // namespace
}  // namespace tocsin::intel
