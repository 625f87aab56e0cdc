// RFC 3339 timestamps as STIX 2.1 and TAXII 2.1 write them: "2024-01-31T12:00:00.123Z", UTC,
// any number of fraction digits (kept to the microsecond).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/timestamp.h"

namespace tocsin {

// STIX requires UTC ("Z"); a numeric offset ("+01:00") is accepted and applied when
// `allow_offset` is set (TAXII query parameters from other clients). Rejects impossible dates
// (2023-02-30), leap seconds and years outside 0001..9999.
std::optional<Timestamp> parse_rfc3339(std::string_view text, bool allow_offset = false);

// "YYYY-MM-DDTHH:MM:SS.ffffffZ" with `fraction_digits` 0, 3 or 6 digits (other values: 6).
std::string format_rfc3339(Timestamp ts, int fraction_digits = 3);

}  // namespace tocsin
