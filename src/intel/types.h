// Indicator types as MISP and CSV feeds name them ("ip-dst", "domain", "sha256",
// "ja3-fingerprint-md5", "ip-dst|port", ...), and the STIX pattern Tocsin makes of a typed
// value, so that MISP and CSV indicators go through the same compiler as STIX ones and carry a
// pattern in alerts.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "intel/compile.h"

namespace tocsin::intel {

// The field a single-valued MISP type compares (x-misp-attribute:value in STIX exports of MISP
// data); nullopt for types with two values ("ip-dst|port") or that Tocsin does not match.
std::optional<Field> field_for_misp_type(std::string_view type);

struct TypedPattern {
    std::string pattern;        // set when the type is matched
    std::string problem;        // otherwise: the value is bad (an error) ...
    bool unknown_type = false;  // ... or Tocsin does not match this type (counted, not an error)
};

// `type` is a MISP attribute type or a CSV short name (ip, cidr, domain, url, md5, sha1, sha256,
// ja3, ja3s, ja4, x509-sha1, or "stix": the value is a pattern); case-insensitive.
TypedPattern pattern_for_typed_value(std::string_view type, std::string_view value);

// A STIX string literal: quotes, with ' and \ escaped.
std::string stix_quote(std::string_view text);

}  // namespace tocsin::intel
