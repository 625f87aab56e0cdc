// The identity of a bidirectional flow: VLANs, protocol, addresses and ports.
// Keys are normalised (lower endpoint first) so both directions map to one key and one hash;
// the same symmetric hash picks the worker, so a flow lives on exactly one worker.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>

#include "core/address.h"

namespace tocsin {

// Up to three stacked 802.1Q tags, outermost first (Suricata tracks three as well).
constexpr std::size_t kMaxVlans = 3;
using VlanIds = std::array<std::uint16_t, kMaxVlans>;

struct FlowKey {
    IpAddress lo_addr;
    IpAddress hi_addr;
    std::uint16_t lo_port = 0;
    std::uint16_t hi_port = 0;
    VlanIds vlan{};
    std::uint8_t proto = 0;
    std::uint8_t recursion = 0;  // tunnel depth, so inner and outer flows stay apart

    bool operator==(const FlowKey&) const = default;

    // Builds the normalised key; `swapped` tells whether (src, sport) became the hi endpoint.
    static FlowKey make(const IpAddress& src, std::uint16_t sport, const IpAddress& dst,
                        std::uint16_t dport, std::uint8_t proto, const VlanIds& vlan_ids,
                        bool& swapped) {
        FlowKey k;
        swapped = dst < src || (dst == src && dport < sport);
        k.lo_addr = swapped ? dst : src;
        k.hi_addr = swapped ? src : dst;
        k.lo_port = swapped ? dport : sport;
        k.hi_port = swapped ? sport : dport;
        k.vlan = vlan_ids;
        k.proto = proto;
        return k;
    }

    std::uint64_t hash() const {
        // FNV-1a over the fields, then a 64-bit finaliser: cheap, stable across runs and builds.
        std::uint64_t h = 1469598103934665603ULL;
        auto mix = [&h](const void* p, std::size_t n) {
            const auto* b = static_cast<const std::uint8_t*>(p);
            for (std::size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ULL;
        };
        mix(lo_addr.bytes.data(), lo_addr.width());
        mix(hi_addr.bytes.data(), hi_addr.width());
        mix(&lo_port, 2);
        mix(&hi_port, 2);
        mix(vlan.data(), sizeof(std::uint16_t) * vlan.size());
        mix(&proto, 1);
        mix(&recursion, 1);
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 33;
        return h;
    }
};

}  // namespace tocsin
