// Address and port expressions of Suricata rules and suricata.yaml variables:
//   any | 10.0.0.0/8 | 10.0.0.1-10.0.0.9 | 2001:db8::/32 | $HOME_NET | !expr | [expr, ...]
//   any | 80 | 1024: | :1023 | 80:90 | $HTTP_PORTS | !expr | [expr, ...]
// A list is the union of its plain items minus the union of its negated ones; a list of only
// negated items starts from "any". Variables expand recursively (loops and depth are bounded).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/address.h"
#include "core/config.h"

namespace tocsin::detect {

// Variable name (without '$') to expression text.
struct NetVariables {
    std::map<std::string, std::string, std::less<>> addresses;
    std::map<std::string, std::string, std::less<>> ports;

    // Suricata's defaults, overridden by vars.address-groups.* / vars.port-groups.* in config.
    static NetVariables from_config(const Config& config);
};

// Inclusive ranges, sorted and disjoint. IPv4 and IPv6 are kept apart; an IPv4 address is
// held in the low 32 bits.
struct U128 {
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
    auto operator<=>(const U128&) const = default;
};

class AddressSet {
  public:
    struct Range {
        U128 first;
        U128 last;
    };
    static AddressSet any();
    bool contains(const IpAddress& address) const;
    bool empty() const { return v4_.empty() && v6_.empty(); }
    const std::vector<Range>& v4() const { return v4_; }
    const std::vector<Range>& v6() const { return v6_; }

    // Parse result: the set, or why not.
    struct Parsed;
    static Parsed parse(std::string_view text, const NetVariables& vars);

  private:
    friend class NetParser;
    std::vector<Range> v4_;
    std::vector<Range> v6_;
};

class PortSet {
  public:
    struct Range {
        std::uint16_t first;
        std::uint16_t last;
    };
    static PortSet any();
    bool contains(std::uint16_t port) const;
    bool empty() const { return ranges_.empty(); }
    const std::vector<Range>& ranges() const { return ranges_; }

    struct Parsed;
    static Parsed parse(std::string_view text, const NetVariables& vars);

  private:
    friend class NetParser;
    std::vector<Range> ranges_;
};

struct AddressSet::Parsed {
    std::optional<AddressSet> set;
    std::string error;
};
struct PortSet::Parsed {
    std::optional<PortSet> set;
    std::string error;
};

}  // namespace tocsin::detect
