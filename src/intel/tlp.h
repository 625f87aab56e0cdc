// TLP markings as indicators carry them: the STIX 2.1 marking-definition ids of TLP 2.0
// (OASIS cti-stix-common-objects, extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d)
// and of TLP 1.0 (STIX 2.1 section 7.2.1.4; WHITE reads as CLEAR), and MISP's tlp: tags.
#pragma once

#include <optional>
#include <string_view>

#include "intel/intel.h"

namespace tocsin::intel {

// One of the nine standard marking-definition ids, else nullopt.
std::optional<Tlp> tlp_from_marking_ref(std::string_view marking_definition_id);

// "clear", "white", "green", "amber", "amber+strict", "red", with or without a "tlp:" prefix,
// any case (MISP tags "tlp:amber+strict", CSV columns "TLP:RED"). Else nullopt.
std::optional<Tlp> parse_tlp_name(std::string_view name);

// The more restrictive of two markings (none counts as least).
inline Tlp most_restrictive(Tlp a, Tlp b) {
    return a > b ? a : b;
}

}  // namespace tocsin::intel
