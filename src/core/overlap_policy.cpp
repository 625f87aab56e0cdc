#include "core/overlap_policy.h"

#include <array>
#include <utility>

namespace tocsin {

std::optional<OverlapPolicy> parse_overlap_policy(std::string_view name) {
    static constexpr std::array<std::pair<std::string_view, OverlapPolicy>, 13> kNames = {{
        {"first", OverlapPolicy::first},
        {"windows", OverlapPolicy::first},
        {"windows2k3", OverlapPolicy::first},
        {"vista", OverlapPolicy::first},
        {"macos", OverlapPolicy::first},
        {"hpux10", OverlapPolicy::first},
        {"hpux11", OverlapPolicy::first},
        {"last", OverlapPolicy::last},
        {"bsd", OverlapPolicy::bsd},
        {"old-linux", OverlapPolicy::bsd},
        {"linux", OverlapPolicy::linux},
        {"solaris", OverlapPolicy::solaris},
        {"irix", OverlapPolicy::bsd},
    }};
    for (const auto& [n, p] : kNames)
        if (n == name) return p;
    return std::nullopt;
}

std::string_view overlap_policy_name(OverlapPolicy p) {
    switch (p) {
        case OverlapPolicy::first:
            return "first";
        case OverlapPolicy::last:
            return "last";
        case OverlapPolicy::bsd:
            return "bsd";
        case OverlapPolicy::linux:
            return "linux";
        case OverlapPolicy::solaris:
            return "solaris";
    }
    return "?";
}

}  // namespace tocsin
