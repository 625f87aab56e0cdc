#include "core/number_expr.h"

#include <gtest/gtest.h>

namespace tocsin {
namespace {

// Suricata's integer keyword forms (rules/integer-keywords in its documentation).
TEST(NumberExpr, SuricataIntegerForms) {
    auto t = [](std::string_view s) { return *NumberExpr::parse(s); };
    EXPECT_TRUE(t("5").matches(5));
    EXPECT_FALSE(t("5").matches(6));
    EXPECT_TRUE(t("=5").matches(5));
    EXPECT_TRUE(t("\"5\"").matches(5));
    EXPECT_TRUE(t("!5").matches(4));
    EXPECT_FALSE(t("!5").matches(5));
    EXPECT_TRUE(t("!=5").matches(4));
    EXPECT_TRUE(t(">5").matches(6));
    EXPECT_FALSE(t(">5").matches(5));
    EXPECT_TRUE(t(">=5").matches(5));
    EXPECT_TRUE(t("<5").matches(4));
    EXPECT_FALSE(t("<5").matches(5));
    EXPECT_TRUE(t("<=5").matches(5));
    EXPECT_TRUE(t("0x10").matches(16));
}

TEST(NumberExpr, RangesExcludeTheirEnds) {
    for (const char* range : {"1<>10", "1-10"}) {
        const NumberExpr e = *NumberExpr::parse(range);
        EXPECT_FALSE(e.matches(1)) << range;
        EXPECT_TRUE(e.matches(2)) << range;
        EXPECT_TRUE(e.matches(9)) << range;
        EXPECT_FALSE(e.matches(10)) << range;
    }
    const NumberExpr outside = *NumberExpr::parse("!1-4");
    EXPECT_TRUE(outside.matches(1));
    EXPECT_TRUE(outside.matches(4));
    EXPECT_FALSE(outside.matches(2));
}

TEST(NumberExpr, RejectsWhatIsNotAnExpression) {
    for (const char* bad : {"", ">", "x", "10<>1", "10-1", "5-5", "1-", "0x", "5 6"})
        EXPECT_FALSE(NumberExpr::parse(bad)) << bad;
    std::string error;
    EXPECT_FALSE(NumberExpr::parse("1001", 1000, error));
    EXPECT_NE(error.find("up to 1000"), std::string::npos);
    EXPECT_FALSE(NumberExpr::parse("1-1001", 1000));
    EXPECT_TRUE(NumberExpr::parse("1000", 1000));
    EXPECT_TRUE(NumberExpr::equal(7).matches(7));
    EXPECT_TRUE(NumberExpr::not_equal(7).matches(8));
    EXPECT_FALSE(NumberExpr::not_equal(7).matches(7));
}

}  // namespace
}  // namespace tocsin
