#include "core/timestamp.h"

namespace tocsin {
namespace {

struct CivilDate {
    std::int64_t year;
    unsigned month;  // 1..12
    unsigned day;    // 1..31
};

// Days since 1970-01-01 to a proleptic Gregorian date, in 400-year eras of 146097 days.
// Written out rather than calling gmtime_r + a formatter: this runs for every EVE timestamp.
CivilDate civil_from_days(std::int64_t days) {
    days += 719468;  // shift the epoch to 0000-03-01
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto day_of_era = static_cast<unsigned>(days - era * 146097);
    const unsigned year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const unsigned day_of_year =
        day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const unsigned shifted_month = (5 * day_of_year + 2) / 153;  // March = 0
    const unsigned day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    const unsigned month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
    const std::int64_t year = static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2);
    return {year, month, day};
}

void append_digits(std::string& out, std::uint64_t value, int width) {
    char buf[20];
    for (int i = width - 1; i >= 0; --i) {
        buf[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
    out.append(buf, static_cast<std::size_t>(width));
}

}  // namespace

void append_eve_time(std::string& out, Timestamp ts) {
    const std::int64_t days = ts.sec >= 0 ? ts.sec / 86400 : (ts.sec - 86399) / 86400;
    const auto seconds_of_day = static_cast<std::uint64_t>(ts.sec - days * 86400);
    const CivilDate date = civil_from_days(days);
    const std::int64_t year = date.year < 0 ? 0 : date.year > 9999 ? 9999 : date.year;
    append_digits(out, static_cast<std::uint64_t>(year), 4);
    out.push_back('-');
    append_digits(out, date.month, 2);
    out.push_back('-');
    append_digits(out, date.day, 2);
    out.push_back('T');
    append_digits(out, seconds_of_day / 3600, 2);
    out.push_back(':');
    append_digits(out, seconds_of_day / 60 % 60, 2);
    out.push_back(':');
    append_digits(out, seconds_of_day % 60, 2);
    out.push_back('.');
    append_digits(out, ts.usec % 1000000, 6);
    out.append("+0000");
}

std::string format_eve_time(Timestamp ts) {
    std::string out;
    append_eve_time(out, ts);
    return out;
}

}  // namespace tocsin
