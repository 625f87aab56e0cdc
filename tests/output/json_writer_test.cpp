#include "output/json_writer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace tocsin::output {
namespace {

TEST(JsonWriter, NestsObjectsAndArraysWithCorrectCommas) {
    std::string out;
    JsonWriter j(out);
    j.begin_object();
    j.field("a", std::uint64_t{1});
    j.begin_object("b");
    j.field("c", true);
    j.field("d", "text");
    j.end_object();
    j.begin_array("e");
    j.element(1);
    j.element(2);
    j.end_array();
    j.begin_object("empty");
    j.end_object();
    j.field("f", std::int64_t{-5});
    j.field("g", 2.5);
    j.end_object();
    EXPECT_EQ(out, R"({"a":1,"b":{"c":true,"d":"text"},"e":[1,2],"empty":{},"f":-5,"g":2.5})");
    EXPECT_TRUE(nlohmann::json::accept(out));
}

std::string encoded(std::string_view text) {
    std::string out;
    JsonWriter::append_string(out, text);
    return out;
}

TEST(JsonWriter, EscapesQuotesBackslashesAndControlCharacters) {
    EXPECT_EQ(encoded("a\"b\\c"), R"("a\"b\\c")");
    EXPECT_EQ(encoded("line\nnext\ttab"), R"("line\nnext\ttab")");
    EXPECT_EQ(encoded(std::string_view("\x01\x1f", 2)), R"("\u0001\u001f")");
    EXPECT_EQ(encoded(std::string_view("nul\0byte", 8)), R"("nul\u0000byte")");
}

TEST(JsonWriter, KeepsValidUtf8AndEscapesStrayBytes) {
    EXPECT_EQ(encoded("caf\xc3\xa9 \xe2\x82\xac"), "\"caf\xc3\xa9 \xe2\x82\xac\"");
    EXPECT_EQ(encoded("bad\xff\xc3"), R"("bad\u00ff\u00c3")");
    EXPECT_EQ(encoded("\xc0\xaf"), R"("\u00c0\u00af")");            // overlong '/'
    EXPECT_EQ(encoded("\xed\xa0\x80"), R"("\u00ed\u00a0\u0080")");  // a surrogate
}

TEST(JsonWriter, AnyByteStringRoundTripsThroughAStrictParser) {
    std::uint32_t state = 12345;
    for (int round = 0; round < 2000; ++round) {
        std::string text;
        for (int i = 0; i < round % 40; ++i) {
            state = state * 1664525u + 1013904223u;
            text.push_back(static_cast<char>(state >> 24));
        }
        const std::string json = encoded(text);
        ASSERT_TRUE(nlohmann::json::accept(json)) << json;
    }
}

TEST(JsonWriter, NonFiniteNumbersBecomeNull) {
    std::string out;
    JsonWriter j(out);
    j.begin_object();
    j.field("x", 1.0 / 0.0);
    j.end_object();
    EXPECT_EQ(out, R"({"x":null})");
}

}  // namespace
}  // namespace tocsin::output
