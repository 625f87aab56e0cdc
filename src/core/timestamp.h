// Packet time. Tocsin's clock in file mode is the capture's clock, never the wall clock.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace tocsin {

struct Timestamp {
    std::int64_t sec = 0;
    std::uint32_t usec = 0;  // microseconds, 0..999999

    auto operator<=>(const Timestamp&) const = default;

    std::int64_t micros() const { return sec * 1000000 + usec; }
    static Timestamp from_micros(std::int64_t us) {
        return {us / 1000000, static_cast<std::uint32_t>(us % 1000000)};
    }
};

// Suricata's EVE timestamp: "2024-01-31T12:00:00.123456+0000" (UTC).
std::string format_eve_time(Timestamp ts);
// Append the same to out without a temporary.
void append_eve_time(std::string& out, Timestamp ts);

}  // namespace tocsin
