// Names of link types (libpcap's DLT values): "EN10MB", "RAW", "LINUX_SLL2"... as EVE's
// packet_info.linktype_name carries them.
#pragma once

#include <cstdint>
#include <string_view>

namespace tocsin::capture {

// libpcap's name for `linktype`, or "" when libpcap has none.
std::string_view link_type_name(std::uint32_t linktype);

}  // namespace tocsin::capture
