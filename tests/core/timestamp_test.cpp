#include "core/timestamp.h"

#include <ctime>

#include <gtest/gtest.h>

namespace tocsin {
namespace {

// Reference: the C library's calendar, formatted independently.
std::string reference(std::int64_t sec, std::uint32_t usec) {
    std::time_t t = static_cast<std::time_t>(sec);
    std::tm utc{};
    gmtime_r(&t, &utc);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06u+0000", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, usec);
    return buf;
}

TEST(Timestamp, FormatsAsSuricataDoes) {
    EXPECT_EQ(format_eve_time({1700000000, 10}), "2023-11-14T22:13:20.000010+0000");
    EXPECT_EQ(format_eve_time({0, 0}), "1970-01-01T00:00:00.000000+0000");
}

TEST(Timestamp, AgreesWithTheCLibraryAcrossCenturiesAndLeapDays) {
    for (std::int64_t sec : {951782400LL, 951868799LL, 4107542400LL, 1583020800LL, 253402300799LL,
                             -1LL, -86400LL * 365}) {
        EXPECT_EQ(format_eve_time({sec, 999999}), reference(sec, 999999)) << sec;
    }
    for (std::int64_t sec = 0; sec < 4102444800LL; sec += 86400LL * 13 + 3607) {
        ASSERT_EQ(format_eve_time({sec, 123456}), reference(sec, 123456)) << sec;
    }
}

}  // namespace
}  // namespace tocsin
