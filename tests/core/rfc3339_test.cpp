// Expected epoch seconds come from GNU date (`date -u -d TEXT +%s`), not from the code.
#include "core/rfc3339.h"

#include <gtest/gtest.h>

namespace tocsin {
namespace {

TEST(Rfc3339, ParsesUtcTimestampsAgainstGnuDate) {
    EXPECT_EQ(parse_rfc3339("2024-01-31T12:00:00Z")->sec, 1706702400);
    EXPECT_EQ(parse_rfc3339("2000-02-29T23:59:59Z")->sec, 951868799);
    EXPECT_EQ(parse_rfc3339("1969-12-31T23:59:59Z")->sec, -1);
    EXPECT_EQ(parse_rfc3339("9999-12-31T23:59:59Z")->sec, 253402300799);
}

TEST(Rfc3339, KeepsFractionsToTheMicrosecond) {
    EXPECT_EQ(parse_rfc3339("2024-01-31T12:00:00.1Z")->usec, 100000u);
    EXPECT_EQ(parse_rfc3339("2024-01-31T12:00:00.123Z")->usec, 123000u);
    EXPECT_EQ(parse_rfc3339("2024-01-31T12:00:00.123456789Z")->usec, 123456u);
}

TEST(Rfc3339, OffsetsOnlyWhenAllowed) {
    EXPECT_FALSE(parse_rfc3339("2024-03-01T00:30:00+01:00"));
    EXPECT_EQ(parse_rfc3339("2024-03-01T00:30:00+01:00", true)->sec, 1709249400);
}

TEST(Rfc3339, RejectsMalformedAndImpossibleDates) {
    for (const char* bad :
         {"", "2024-01-31", "2024-01-31T12:00:00", "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z",
          "2024-01-31T24:00:00Z", "2024-01-31T12:00:60Z", "2024-01-31T12:00:00.Z",
          "2024-01-31T12:00:00Zjunk", "0000-01-01T00:00:00Z", "2024-1-31T12:00:00Z"})
        EXPECT_FALSE(parse_rfc3339(bad)) << bad;
}

TEST(Rfc3339, FormatsWhatItParses) {
    const Timestamp ts{1706702400, 123456};
    EXPECT_EQ(format_rfc3339(ts), "2024-01-31T12:00:00.123Z");
    EXPECT_EQ(format_rfc3339(ts, 6), "2024-01-31T12:00:00.123456Z");
    EXPECT_EQ(format_rfc3339(ts, 0), "2024-01-31T12:00:00Z");
    EXPECT_EQ(format_rfc3339(Timestamp{-1, 0}, 0), "1969-12-31T23:59:59Z");
    EXPECT_EQ(format_rfc3339(Timestamp{951868799, 0}, 0), "2000-02-29T23:59:59Z");
    for (std::int64_t s = -100000000; s < 4000000000; s += 86399 * 37)
        EXPECT_EQ(parse_rfc3339(format_rfc3339(Timestamp{s, 7}, 6))->sec, s);
}

}  // namespace
}  // namespace tocsin
