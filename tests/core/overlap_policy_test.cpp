#include "core/overlap_policy.h"

#include <gtest/gtest.h>

namespace tocsin {
namespace {

// Cases from the target-based reassembly literature: an old piece at [10, 20) and a new one.
TEST(OverlapPolicy, FirstAndLastAreAbsolute) {
    EXPECT_FALSE(newer_data_wins(OverlapPolicy::first, 10, 20, 5, 25));
    EXPECT_TRUE(newer_data_wins(OverlapPolicy::last, 10, 20, 15, 18));
}

TEST(OverlapPolicy, BsdFavoursNewOnlyWhenItStartsEarlier) {
    EXPECT_TRUE(newer_data_wins(OverlapPolicy::bsd, 10, 20, 5, 15));
    EXPECT_FALSE(newer_data_wins(OverlapPolicy::bsd, 10, 20, 10, 30));
    EXPECT_FALSE(newer_data_wins(OverlapPolicy::bsd, 10, 20, 15, 30));
}

TEST(OverlapPolicy, LinuxAlsoFavoursNewAtSameStartWhenNotShorter) {
    EXPECT_TRUE(newer_data_wins(OverlapPolicy::linux, 10, 20, 10, 20));
    EXPECT_TRUE(newer_data_wins(OverlapPolicy::linux, 10, 20, 10, 30));
    EXPECT_FALSE(newer_data_wins(OverlapPolicy::linux, 10, 20, 10, 15));
    EXPECT_FALSE(newer_data_wins(OverlapPolicy::linux, 10, 20, 12, 30));
}

TEST(OverlapPolicy, SolarisFavoursNewOnlyWhenItCovers) {
    EXPECT_TRUE(newer_data_wins(OverlapPolicy::solaris, 10, 20, 5, 20));
    EXPECT_FALSE(newer_data_wins(OverlapPolicy::solaris, 10, 20, 5, 15));
}

TEST(OverlapPolicy, ParsesSuricataNames) {
    EXPECT_EQ(parse_overlap_policy("windows"), OverlapPolicy::first);
    EXPECT_EQ(parse_overlap_policy("old-linux"), OverlapPolicy::bsd);
    EXPECT_EQ(parse_overlap_policy("linux"), OverlapPolicy::linux);
    EXPECT_FALSE(parse_overlap_policy("beos").has_value());
}

}  // namespace
}  // namespace tocsin
