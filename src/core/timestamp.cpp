#include "core/timestamp.h"

#include <ctime>

#include <fmt/format.h>

namespace tocsin {

void append_eve_time(std::string& out, Timestamp ts) {
    std::time_t seconds = static_cast<std::time_t>(ts.sec);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    fmt::format_to(std::back_inserter(out), "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:06d}+0000",
                   utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                   utc.tm_sec, ts.usec);
}

std::string format_eve_time(Timestamp ts) {
    std::string out;
    append_eve_time(out, ts);
    return out;
}

}  // namespace tocsin
