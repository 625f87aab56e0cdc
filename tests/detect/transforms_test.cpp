#include "detect/transforms.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace tocsin::detect {
namespace {

using Bytes = std::vector<std::uint8_t>;

ByteSpan span_of(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
std::string text_of(ByteSpan b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}
std::string hex_of(ByteSpan b) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (const std::uint8_t c : b) {
        out.push_back(kDigits[c >> 4]);
        out.push_back(kDigits[c & 15]);
    }
    return out;
}

// Parses a transform the way the rule parser hands it over; fails the test on a parse error.
Transform make(std::string_view keyword, std::string_view value = {}, bool has_value = false) {
    Transform t;
    const std::string error = parse_transform(keyword, value, has_value, t);
    EXPECT_EQ(error, "") << keyword << ":" << value;
    return t;
}
Transform with_value(std::string_view keyword, std::string_view value) {
    return make(keyword, value, true);
}

std::string run(const Transform& t, std::string_view input) {
    Bytes out{'s', 't', 'a', 'l', 'e'};  // apply replaces, never appends
    apply(t, span_of(input), out);
    return text_of(out);
}
std::string run(std::string_view keyword, std::string_view input) {
    return run(make(keyword), input);
}

std::string parse_error(std::string_view keyword, std::string_view value, bool has_value) {
    Transform t;
    return parse_transform(keyword, value, has_value, t);
}
bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

TEST(Transforms, CaseChangeIsAsciiOnly) {
    EXPECT_EQ(run("to_lowercase", "GET /Index.HTML \xC4\xD6"), "get /index.html \xC4\xD6");
    EXPECT_EQ(run("to_uppercase", "get /index.html \xE4\xF6"), "GET /INDEX.HTML \xE4\xF6");
    EXPECT_EQ(run("to_lowercase", ""), "");
}

TEST(Transforms, CompressWhitespaceKeepsTheFirstByteOfEachRun) {
    EXPECT_EQ(run("compress_whitespace", " A  B\t\t C "), " A B\tC ");
    EXPECT_EQ(run("compress_whitespace", "I  \t J"), "I J");
    EXPECT_EQ(run("compress_whitespace", "EFGH"), "EFGH");
    EXPECT_EQ(run("compress_whitespace", "a\r\n\v\fb"), "a\rb");
    EXPECT_EQ(run("compress_whitespace", ""), "");
}

TEST(Transforms, StripWhitespaceRemovesEveryIsspaceByte) {
    EXPECT_EQ(run("strip_whitespace", " A B C D "), "ABCD");
    EXPECT_EQ(run("strip_whitespace", "window.navigate  (\t\r\n\v\f)"), "window.navigate()");
    EXPECT_EQ(run("strip_whitespace", " \t "), "");
}

TEST(Transforms, StripPseudoHeadersDropsLinesStartingWithColon) {
    EXPECT_EQ(run("strip_pseudo_headers", "Header1: Value1\n:method:get\nheader2:Value2\n"),
              "Header1: Value1\nheader2:Value2\n");
    EXPECT_EQ(run("strip_pseudo_headers", ":method:get"), "");
    EXPECT_EQ(run("strip_pseudo_headers", "Header1: Value1\n:method:get"), "Header1: Value1\n");
    EXPECT_EQ(run("strip_pseudo_headers", ":path: /\r\nhost: a\r\n:scheme: https\r\n"),
              "host: a\r\n");
    EXPECT_EQ(run("strip_pseudo_headers", "\n\n"), "\n\n");
}

TEST(Transforms, HeaderLowercaseLowersNamesOnly) {
    EXPECT_EQ(run("header_lowercase", "Header1: Value1\nHEADER2:VaLue2\n"),
              "header1: Value1\nheader2:VaLue2\n");
    EXPECT_EQ(run("header_lowercase", "User-Agent: Mozilla\r\nHost: A.COM:80\r\n"),
              "user-agent: Mozilla\r\nhost: A.COM:80\r\n");
    EXPECT_EQ(run("header_lowercase", "NO COLON\nX: Y"), "no colon\nx: Y");
}

TEST(Transforms, DotprefixPrependsADot) {
    EXPECT_EQ(run("dotprefix", "hello.google.com"), ".hello.google.com");
    EXPECT_EQ(run("dotprefix", ""), ".");
}

TEST(Transforms, DomainAndTld) {
    EXPECT_EQ(run("domain", "www.example.com"), "example.com");
    EXPECT_EQ(run("tld", "www.example.com"), "com");
    EXPECT_EQ(run("domain", "example.com"), "example.com");
    EXPECT_EQ(run("domain", "news.bbc.co.uk"), "bbc.co.uk");
    EXPECT_EQ(run("tld", "news.bbc.co.uk"), "co.uk");
    EXPECT_EQ(run("domain", "maps.google.com.au"), "google.com.au");
    EXPECT_EQ(run("tld", "WWW.Example.CO.UK"), "CO.UK");
    EXPECT_EQ(run("domain", "t.co"), "t.co");  // "co" as a top-level domain
    EXPECT_EQ(run("tld", "t.co"), "co");
    // Only a suffix, or not a host name: nothing to match.
    for (const std::string_view bad : {"com", "co.uk", "", ".", ".com", "a..com", "example.com."}) {
        EXPECT_EQ(run("domain", bad), "") << bad;
        EXPECT_EQ(run("tld", bad), "") << bad;
    }
}

TEST(Transforms, UrlDecode) {
    EXPECT_EQ(run("url_decode", "Suricata%20is+%27%61wesome%21%27%25%30%30%ZZ%4"),
              "Suricata is 'awesome!'%00%ZZ%4");
    EXPECT_EQ(run("url_decode", "%2B%2b+%41%6a"), "++ Aj");
    EXPECT_EQ(run("url_decode", "%00"), std::string(1, '\0'));
    // Broken escapes are kept verbatim up to the byte that broke them.
    EXPECT_EQ(run("url_decode", "%"), "%");
    EXPECT_EQ(run("url_decode", "%4"), "%4");
    EXPECT_EQ(run("url_decode", "%4G"), "%4G");
    EXPECT_EQ(run("url_decode", "%%41"), "%%41");
    EXPECT_EQ(run("url_decode", "%+a"), "%+a");
    EXPECT_EQ(run("url_decode", "a%"), "a%");
    EXPECT_EQ(run("url_decode", ""), "");
}

TEST(Transforms, HashesOutputRawDigests) {
    Bytes out;
    apply(make("to_md5"), span_of(""), out);
    EXPECT_EQ(hex_of(out), "d41d8cd98f00b204e9800998ecf8427e");
    apply(make("to_md5"), span_of("abc"), out);
    EXPECT_EQ(hex_of(out), "900150983cd24fb0d6963f7d28e17f72");
    apply(make("to_sha1"), span_of(""), out);
    EXPECT_EQ(hex_of(out), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    apply(make("to_sha1"), span_of("abc"), out);
    EXPECT_EQ(hex_of(out), "a9993e364706816aba3e25717850c26c9cd0d89d");
    apply(make("to_sha256"), span_of(""), out);
    EXPECT_EQ(hex_of(out), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    apply(make("to_sha256"), span_of("abc"), out);
    EXPECT_EQ(hex_of(out), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // FIPS 180-2 two-block message.
    apply(make("to_sha256"), span_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
          out);
    EXPECT_EQ(hex_of(out), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Transforms, XorRepeatsTheKey) {
    const Transform t = with_value("xor", "\"0a0DC8ff\"");
    EXPECT_EQ((std::vector<std::uint8_t>(t.xor_key().begin(), t.xor_key().end())),
              (Bytes{0x0a, 0x0d, 0xc8, 0xff}));
    EXPECT_EQ(run(t, "example.com"), "ou\xa9\x92za\xad\xd1ib\xa5");
    EXPECT_EQ(run(t, run(t, "round trip")), "round trip");
    EXPECT_EQ(run(with_value("xor", "\"20\""), "ABC"), "abc");
    EXPECT_EQ(run(with_value("xor", "20"), "abc"), "ABC");  // quotes optional, as Suricata 8.1
    EXPECT_EQ(run(t, ""), "");
}

TEST(Transforms, FromBase64Rfc4648Vectors) {
    const Transform t = make("from_base64");
    EXPECT_EQ(t.base64_mode(), Base64Mode::rfc4648);
    EXPECT_EQ(run(t, ""), "");
    EXPECT_EQ(run(t, "Zg=="), "f");
    EXPECT_EQ(run(t, "Zm8="), "fo");
    EXPECT_EQ(run(t, "Zm9v"), "foo");
    EXPECT_EQ(run(t, "Zm9vYg=="), "foob");
    EXPECT_EQ(run(t, "Zm9vYmE="), "fooba");
    EXPECT_EQ(run(t, "Zm9vYmFy"), "foobar");
    EXPECT_EQ(run(t, "VGhpcyBpcyBTdXJpY2F0YQ=="), "This is Suricata");
    EXPECT_EQ(run(t, "+/+/"), "\xfb\xff\xbf");
}

TEST(Transforms, FromBase64StopsAtTheFirstInvalidByteByDefault) {
    const Transform t = make("from_base64");
    EXPECT_EQ(run(t, "Zm9vYg"), "foob");  // missing padding: decoded as if present
    EXPECT_EQ(run(t, "Zm9vYmE"), "fooba");
    EXPECT_EQ(run(t, "Zm9v!YmFy"), "foo");
    EXPECT_EQ(run(t, "Zm9vYm!"), "foob");
    EXPECT_EQ(run(t, "Zm9vY"), "foo");  // one sextet is no byte
    EXPECT_EQ(run(t, "Zm9v YmFy"), "foo");
    EXPECT_EQ(run(t, "QQ==QQ=="), "AA");
    EXPECT_EQ(run(t, "!!!!"), "");  // nothing decodable: nothing to match
    EXPECT_EQ(run(t, "===="), "");
}

TEST(Transforms, FromBase64Modes) {
    const Transform mime = with_value("from_base64", "mode rfc2045");
    EXPECT_EQ(mime.base64_mode(), Base64Mode::rfc2045);
    EXPECT_EQ(run(mime, "Zm 9v Ym Fy"), "foobar");
    EXPECT_EQ(run(mime, "Zm9v\r\nYmFy\r\n"), "foobar");
    EXPECT_EQ(run(mime, "ABCD!!!!"), std::string("\x00\x10\x83", 3));
    EXPECT_EQ(run(mime, "Zm9vYg"), "foo");  // an unfinished quantum is left out
    EXPECT_EQ(run(mime, "!!!!"), "");

    const Transform strict = with_value("from_base64", "mode strict");
    EXPECT_EQ(run(strict, "Zm9vYmFy"), "foobar");
    EXPECT_EQ(run(strict, "Zm9vYg"), "foob");
    EXPECT_EQ(run(strict, "Zm9v YmFy"), "");
    EXPECT_EQ(run(strict, "This is Suricata\n"), "");
}

TEST(Transforms, FromBase64OffsetAndBytes) {
    const std::string_view encoded = "VGhpcyBpcyBTdXJpY2F0YQ==";  // 24 bytes
    EXPECT_EQ(run(with_value("from_base64", "offset 4"), encoded), "s is Suricata");
    EXPECT_EQ(run(with_value("from_base64", "bytes 12"), encoded), "This is S");
    EXPECT_EQ(run(with_value("from_base64", "bytes 24"), encoded), "This is Suricata");
    // Past the end: the buffer stays as it is.
    EXPECT_EQ(run(with_value("from_base64", "bytes 25"), encoded), encoded);
    EXPECT_EQ(run(with_value("from_base64", "offset 24"), encoded), encoded);
    EXPECT_EQ(run(with_value("from_base64", "offset 20, bytes 5"), encoded), encoded);

    const Transform t = with_value("from_base64", " mode rfc2045 ,bytes 15,  offset 0");
    EXPECT_EQ(t.base64_bytes(), 15);
    EXPECT_EQ(t.base64_offset(), 0);
    EXPECT_EQ(run(t, "SGVs bG8 gV29y bGQ="), "Hello Wor");
    EXPECT_EQ(run(with_value("from_base64", ""), "Zm9v"), "foo");
}

TEST(Transforms, PcrexformOutputsTheFirstGroup) {
    const Transform t = with_value("pcrexform", R"re("[a-zA-Z]+\s+(.*)\s+HTTP")re");
    EXPECT_EQ(t.pattern(), R"([a-zA-Z]+\s+(.*)\s+HTTP)");
    EXPECT_EQ(run(t, "GET /index.html HTTP/1.1"), "/index.html");
    EXPECT_EQ(run(t, "no match here"), "no match here");  // as Suricata: unchanged
    EXPECT_EQ(run(t, ""), "");
    EXPECT_EQ(run(with_value("pcrexform", R"re("(a+)(b+)")re"), "xaabbb"), "aa");
    EXPECT_EQ(run(with_value("pcrexform", R"re("(a)|b")re"), "b"), "b");  // group unset
    EXPECT_EQ(run(with_value("pcrexform", R"re("^x(.*)$")re"), std::string("x\0\xff", 3)),
              std::string("\0\xff", 2));
    EXPECT_EQ(run(with_value("pcrexform", R"re("(?i)host: (\S+)")re"), "HOST: a.com\r\n"), "a.com");
}

TEST(Transforms, PcrexformSurvivesCopiesAndABadPattern) {
    Transform copy;
    {
        const Transform original = with_value("pcrexform", R"re("=(\d+)")re");
        copy = original;
    }
    EXPECT_EQ(run(copy, "id=12345;"), "12345");
    // Catastrophic backtracking hits the match limit and counts as no match.
    const Transform slow = with_value("pcrexform", R"re("^(a+)+$")re");
    const std::string input = std::string(64, 'a') + "b";
    EXPECT_EQ(run(slow, input), input);
}

TEST(Transforms, ChainsApplyInOrder) {
    const std::vector<Transform> chain{make("url_decode"), make("to_lowercase"),
                                       make("compress_whitespace")};
    Bytes a, b;
    EXPECT_EQ(text_of(apply_chain(chain, span_of("%41BC++%44"), a, b)), "abc d");

    // The documentation's example: compress_whitespace; to_sha256.
    const std::vector<Transform> hashed{make("compress_whitespace"), make("to_sha256")};
    Bytes expected;
    apply(make("to_sha256"), span_of("GET / HTTP/1.1"), expected);
    EXPECT_EQ(hex_of(apply_chain(hashed, span_of("GET  /   HTTP/1.1"), a, b)), hex_of(expected));

    const std::vector<Transform> dns{make("domain"), make("dotprefix")};
    EXPECT_EQ(text_of(apply_chain(dns, span_of("update.microsoft.com"), a, b)), ".microsoft.com");
}

TEST(Transforms, EmptyChainReturnsTheInput) {
    Bytes a, b;
    const ByteSpan in = span_of("unchanged");
    const ByteSpan out = apply_chain({}, in, a, b);
    EXPECT_EQ(out.data(), in.data());
    EXPECT_EQ(out.size(), in.size());
}

TEST(Transforms, ChainInputMayLiveInAScratchBuffer) {
    const std::vector<Transform> chain{make("to_uppercase"), make("dotprefix"), make("to_md5")};
    Bytes a{'a', 'b', 'c'}, b;
    Bytes expected;
    apply(make("to_md5"), span_of(".ABC"), expected);
    EXPECT_EQ(hex_of(apply_chain(chain, a, a, b)), hex_of(expected));
    Bytes c, d{'a', 'b', 'c'};
    EXPECT_EQ(hex_of(apply_chain(chain, d, c, d)), hex_of(expected));
    // apply itself copes with an input inside its own output.
    Bytes same{'x', 'y'};
    apply(make("dotprefix"), same, same);
    EXPECT_EQ(text_of(same), ".xy");
}

TEST(Transforms, WarmChainDoesNotReallocate) {
    const std::vector<Transform> chain{make("url_decode"), make("dotprefix"),
                                       make("compress_whitespace"), make("to_lowercase")};
    Bytes a, b;
    const std::string input(1000, 'A');
    apply_chain(chain, span_of(input), a, b);
    const auto* a_data = a.data();
    const auto* b_data = b.data();
    for (int i = 0; i < 3; ++i) {
        const ByteSpan out = apply_chain(chain, span_of(input), a, b);
        EXPECT_EQ(out.size(), 1001u);
    }
    EXPECT_EQ(a.data(), a_data);
    EXPECT_EQ(b.data(), b_data);

    // A digest needs exactly its own size.
    const Transform sha = make("to_sha256");
    Bytes digest;
    digest.reserve(max_output_size(sha, input.size()));
    const auto* digest_data = digest.data();
    apply(sha, span_of(input), digest);
    EXPECT_EQ(digest.size(), 32u);
    EXPECT_EQ(digest.data(), digest_data);
}

TEST(Transforms, ParseErrorsSayWhatIsWrong) {
    EXPECT_TRUE(contains(parse_error("to_lowercase", "x", true), "takes no value"));
    EXPECT_TRUE(contains(parse_error("to_md5", "", true), "takes no value"));
    EXPECT_TRUE(contains(parse_error("xor", "", false), "needs a value"));
    EXPECT_TRUE(contains(parse_error("xor", "\"\"", true), "hex key"));
    EXPECT_TRUE(contains(parse_error("xor", "\"abc\"", true), "odd number"));
    EXPECT_TRUE(contains(parse_error("xor", "\"zz\"", true), "not hexadecimal"));
    EXPECT_TRUE(contains(parse_error("xor", std::string(512, 'a'), true), "longer than 255"));
    EXPECT_EQ(parse_error("xor", std::string(510, 'a'), true), "");
    EXPECT_TRUE(contains(parse_error("pcrexform", "", false), "needs a value"));
    EXPECT_TRUE(contains(parse_error("pcrexform", "(a)", true), "quoted"));
    EXPECT_TRUE(contains(parse_error("pcrexform", "\"\"", true), "non-empty"));
    EXPECT_TRUE(contains(parse_error("pcrexform", "\"abc\"", true), "no capture group"));
    EXPECT_TRUE(contains(parse_error("pcrexform", "\"(?:abc)\"", true), "no capture group"));
    const std::string compile = parse_error("pcrexform", "\"ab(c\"", true);
    EXPECT_TRUE(contains(compile, "does not compile at offset 4")) << compile;
    EXPECT_TRUE(contains(parse_error("from_base64", "bytes 4, bytes 5", true), "given twice"));
    EXPECT_TRUE(contains(parse_error("from_base64", "mode foo", true), "rfc4648, rfc2045"));
    EXPECT_TRUE(contains(parse_error("from_base64", "offset 65536", true), "0 to 65535"));
    EXPECT_TRUE(contains(parse_error("from_base64", "offset -1", true), "0 to 65535"));
    EXPECT_TRUE(contains(parse_error("from_base64", "bytes var1", true), "0 to 65535"));
    EXPECT_TRUE(contains(parse_error("from_base64", "bytes", true), "0 to 65535"));
    EXPECT_TRUE(contains(parse_error("from_base64", "relative", true), "unknown option"));
    EXPECT_TRUE(contains(parse_error("from_base64", "bytes 4,", true), "unknown option"));
    EXPECT_TRUE(contains(parse_error("luaxform", "script.lua", true), "not supported"));
    EXPECT_TRUE(contains(parse_error("gunzip", "", false), "unknown transform"));
}

TEST(Transforms, FailedParseLeavesTheOutputAlone) {
    Transform t = make("to_md5");
    EXPECT_NE(parse_transform("xor", "\"zz\"", true, t), "");
    EXPECT_EQ(t.kind(), TransformKind::to_md5);
}

TEST(Transforms, KeywordListAndEquality) {
    const auto names = transform_keywords();
    EXPECT_EQ(names.size(), 17u);
    for (const std::string_view name : names) {
        EXPECT_TRUE(is_transform_keyword(name));
        if (name == "luaxform") continue;
        Transform t;
        const bool needs_value = name == "xor" || name == "pcrexform";
        const std::string_view value = name == "xor" ? "\"01\"" : "\"(a)\"";
        EXPECT_EQ(parse_transform(name, needs_value ? value : "", needs_value, t), "") << name;
        EXPECT_EQ(t.keyword(), name);
    }
    EXPECT_FALSE(is_transform_keyword("content"));
    EXPECT_EQ(Transform{}.keyword(), "");

    EXPECT_EQ(with_value("xor", "\"0102\""), with_value("xor", "0102"));
    EXPECT_NE(with_value("xor", "\"0102\""), with_value("xor", "\"0103\""));
    EXPECT_EQ(make("from_base64"), with_value("from_base64", "mode rfc4648"));
    EXPECT_NE(make("from_base64"), with_value("from_base64", "offset 1"));
    EXPECT_NE(make("to_md5"), make("to_sha1"));
}

TEST(Transforms, DefaultTransformCopies) {
    EXPECT_EQ(run(Transform{}, "as is"), "as is");
}

// Random and hostile inputs: nothing crashes and no output outgrows max_output_size.
TEST(Transforms, OutputStaysBoundedOnArbitraryInput) {
    std::vector<Transform> all;
    for (const std::string_view name : transform_keywords()) {
        if (name == "luaxform") continue;
        const bool needs_value = name == "xor" || name == "pcrexform";
        const std::string_view value = name == "xor" ? "\"a5\"" : "\"(.*)\"";
        all.push_back(make(name, needs_value ? value : "", needs_value));
    }
    all.push_back(with_value("from_base64", "mode rfc2045"));
    all.push_back(with_value("from_base64", "mode strict, offset 3, bytes 40"));

    std::mt19937 rng(1234);
    const std::string_view alphabet = "%+=:.\n\r\t aZ09/+AfG";
    Bytes out;
    for (int round = 0; round < 2000; ++round) {
        Bytes input(rng() % 200);
        for (auto& c : input)
            c = rng() % 2 ? static_cast<std::uint8_t>(alphabet[rng() % alphabet.size()])
                          : static_cast<std::uint8_t>(rng());
        for (const Transform& t : all) {
            apply(t, input, out);
            ASSERT_LE(out.size(), max_output_size(t, input.size())) << t.keyword();
        }
    }
}

}  // namespace
}  // namespace tocsin::detect
