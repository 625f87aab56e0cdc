#include "capture/link_type.h"

#include <pcap/pcap.h>

#include <array>
#include <utility>

namespace tocsin::capture {

std::string_view link_type_name(std::uint32_t linktype) {
    // EVE consumers match Suricata's spelling, which differs from libpcap's for raw IPv4/IPv6
    // ("IPv4", where libpcap says "IPV4"); libpcap names every other type.
    static constexpr std::array<std::pair<std::uint32_t, std::string_view>, 2> kEveNames{{
        {228, "IPv4"},
        {229, "IPv6"},
    }};
    for (const auto& [type, name] : kEveNames)
        if (type == linktype) return name;
    // libpcap returns a pointer into its static table, or null for an unknown type.
    const char* name = pcap_datalink_val_to_name(static_cast<int>(linktype));
    return name != nullptr ? std::string_view(name) : std::string_view{};
}

}  // namespace tocsin::capture
