// Vendor of a MAC address from the IEEE registries Debian ships in `ieee-data`
// (/usr/share/ieee-data/{oui,mam,oui36}.csv): MA-L assigns 24-bit prefixes, MA-M 28-bit and
// MA-S 36-bit ones; the longest assigned prefix names the vendor.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tocsin::assets {

using MacAddress = std::array<std::uint8_t, 6>;

std::string format_mac(const MacAddress& mac);  // "00:1d:9c:c7:b0:70"
std::optional<MacAddress> parse_mac(std::string_view text);

class OuiTable {
  public:
    // Reads the registry CSV files in `folder` (missing files are skipped); the number of
    // assignments read.
    std::size_t load_folder(const std::string& folder);
    // Reads one registry CSV ("Registry,Assignment,Organization Name,Organization Address").
    std::size_t load_csv(std::istream& in);

    // The organisation the MAC's prefix is assigned to; "" when unassigned. Locally
    // administered addresses (bit 1 of the first octet) have no vendor.
    std::string_view vendor(const MacAddress& mac) const;
    std::size_t size() const { return by_prefix_.size(); }

  private:
    // Key: prefix bits in the high bits of a 48-bit number, plus the prefix length.
    static std::uint64_t key(std::uint64_t prefix, unsigned bits) { return prefix << 8 | bits; }
    std::unordered_map<std::uint64_t, std::string> by_prefix_;
};

}  // namespace tocsin::assets
