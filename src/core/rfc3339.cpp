#include "core/rfc3339.h"

#include <cstdint>

#include <fmt/format.h>

namespace tocsin {

namespace {

bool leap(std::int64_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(std::int64_t y, int m) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil calendar
// algorithm, as published; written here from its description).
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

// Reads exactly `n` digits at `pos`.
std::optional<int> digits(std::string_view s, std::size_t& pos, std::size_t n) {
    if (pos + n > s.size()) return std::nullopt;
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const char c = s[pos + i];
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    pos += n;
    return v;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
    if (pos >= s.size() || s[pos] != c) return false;
    ++pos;
    return true;
}

}  // namespace

std::optional<Timestamp> parse_rfc3339(std::string_view s, bool allow_offset) {
    std::size_t pos = 0;
    const auto year = digits(s, pos, 4);
    if (!year || *year == 0 || !expect(s, pos, '-')) return std::nullopt;
    const auto month = digits(s, pos, 2);
    if (!month || *month < 1 || *month > 12 || !expect(s, pos, '-')) return std::nullopt;
    const auto day = digits(s, pos, 2);
    if (!day || *day < 1 || *day > days_in_month(*year, *month)) return std::nullopt;
    if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't')) return std::nullopt;
    ++pos;
    const auto hour = digits(s, pos, 2);
    if (!hour || *hour > 23 || !expect(s, pos, ':')) return std::nullopt;
    const auto minute = digits(s, pos, 2);
    if (!minute || *minute > 59 || !expect(s, pos, ':')) return std::nullopt;
    const auto second = digits(s, pos, 2);
    if (!second || *second > 59) return std::nullopt;
    std::uint32_t micros = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        std::size_t n = 0;
        for (; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, ++n)
            if (n < 6) micros = micros * 10 + static_cast<std::uint32_t>(s[pos] - '0');
        if (n == 0) return std::nullopt;
        for (; n < 6; ++n) micros *= 10;
    }
    std::int64_t offset_seconds = 0;
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        ++pos;
    } else if (allow_offset && pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        const int sign = s[pos] == '+' ? 1 : -1;
        ++pos;
        const auto oh = digits(s, pos, 2);
        if (!oh || *oh > 23 || !expect(s, pos, ':')) return std::nullopt;
        const auto om = digits(s, pos, 2);
        if (!om || *om > 59) return std::nullopt;
        offset_seconds = sign * (*oh * 3600 + *om * 60);
    } else {
        return std::nullopt;
    }
    if (pos != s.size()) return std::nullopt;
    const std::int64_t seconds = days_from_civil(*year, *month, *day) * 86400 + *hour * 3600 +
                                 *minute * 60 + *second - offset_seconds;
    return Timestamp{seconds, micros};
}

std::string format_rfc3339(Timestamp ts, int fraction_digits) {
    // civil_from_days, the inverse of days_from_civil.
    const std::int64_t days = ts.sec >= 0 ? ts.sec / 86400 : (ts.sec - 86399) / 86400;
    const std::int64_t secs = ts.sec - days * 86400;
    const std::int64_t z = days + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
    const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", y, m, d, secs / 3600,
                                  secs / 60 % 60, secs % 60);
    if (fraction_digits == 0) return out + "Z";
    if (fraction_digits == 3) return out + fmt::format(".{:03}Z", ts.usec / 1000);
    return out + fmt::format(".{:06}Z", ts.usec);
}

}  // namespace tocsin
