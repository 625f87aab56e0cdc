// An IPv4 or IPv6 address as a value type. IPv4 lives in the first four bytes.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tocsin {

struct IpAddress {
    std::array<std::uint8_t, 16> bytes{};
    std::uint8_t family = 0;  // 4 or 6; 0 = none

    auto operator<=>(const IpAddress&) const = default;

    static IpAddress v4(std::span<const std::uint8_t, 4> b) {
        IpAddress a;
        a.family = 4;
        for (std::size_t i = 0; i < 4; ++i) a.bytes[i] = b[i];
        return a;
    }
    static IpAddress v6(std::span<const std::uint8_t, 16> b) {
        IpAddress a;
        a.family = 6;
        for (std::size_t i = 0; i < 16; ++i) a.bytes[i] = b[i];
        return a;
    }
    static std::optional<IpAddress> parse(std::string_view text);

    std::string to_string() const;
    std::size_t width() const { return family == 6 ? 16 : 4; }
};

}  // namespace tocsin
