// Checks of STIX 2.1 objects posted to the hub: the common properties every object needs, the
// required properties of the types a sharing community exchanges, timestamps, and markings
// (a marking-definition the hub does not know is refused: it could not be enforced).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "hub/tlp.h"

namespace tocsin::hub {

struct StixObjectInfo {
    std::string id;
    std::string type;
    // modified, else created (micros since the epoch), with the text the object carries;
    // empty for objects with neither (SCOs): their version is their date_added.
    std::optional<std::int64_t> version_us;
    std::string version_text;
    Tlp tlp = Tlp::unmarked;  // the most restrictive TLP marking, object-level or granular
};

struct StixCheck {
    std::optional<StixObjectInfo> info;  // set when the object is acceptable
    std::string error;                   // why not, otherwise
    // The id and version to report in a status failure, as far as they could be read.
    std::string reported_id;
    std::string reported_version;
};

StixCheck check_stix_object(const nlohmann::json& object);

// "type--uuid" with a valid type name and an RFC 4122 UUID.
bool is_stix_id(std::string_view id);
bool is_stix_id_of_type(std::string_view id, std::string_view type);

// The deepest nesting of arrays and objects in a JSON text, counted without parsing it (so a
// hostile document is refused before a recursive structure is built). Stops counting at
// `limit` + 1.
std::size_t json_depth(std::string_view text, std::size_t limit);

}  // namespace tocsin::hub
