// TAXII 2.1 protocol pieces that do not need a socket: media-type negotiation, the URL filter
// parameters of the object endpoints, and the error message resource.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "hub/store.h"

namespace tocsin::hub {

inline constexpr std::string_view kTaxiiMediaType = "application/taxii+json;version=2.1";
inline constexpr std::string_view kStixMediaType = "application/stix+json;version=2.1";

// Accept header (absent: anything is acceptable). True when some media range with q > 0 admits
// application/taxii+json;version=2.1 (also "application/taxii+json" without a version, which
// TAXII 2.1 section 1.6.8.1 reads as the latest version, "application/*" and "*/*").
bool accepts_taxii(std::optional<std::string_view> accept);
// Content-Type of a POST: application/taxii+json with version 2.1 or no version.
bool is_taxii_content_type(std::string_view content_type);

// URL parameters, as the HTTP layer decodes them (repeats kept).
using QueryParams = std::multimap<std::string, std::string>;

// Which filter parameters an endpoint takes (TAXII 2.1 sections 5.3 to 5.8); others are ignored.
enum FilterParam : unsigned {
    kAddedAfter = 1u << 0,
    kLimit = 1u << 1,
    kNext = 1u << 2,
    kMatchId = 1u << 3,
    kMatchType = 1u << 4,
    kMatchVersion = 1u << 5,
    kMatchSpecVersion = 1u << 6,
};

struct FilterLimits {
    std::size_t default_limit = 100;
    std::size_t max_limit = 1000;
    std::size_t max_values = 100;  // values of one match[...] field
};

struct Filters {
    std::int64_t added_after_us = -1;  // max of added_after and next; -1: none
    std::vector<std::string> ids;
    std::vector<std::string> types;
    VersionSelection versions;
    bool spec_version_matches = true;  // false: match[spec_version] excludes 2.1, the only one
    std::size_t limit = 100;
};

struct FilterParse {
    Filters filters;
    std::string error;  // non-empty: answer 400 with this description
};

// `default_versions` applies when match[version] is absent ("last" for reads, "all" for DELETE).
FilterParse parse_filters(const QueryParams& params, unsigned accepted,
                          const VersionSelection& default_versions, const FilterLimits& limits);

// The `next` value of a page that ended with this date_added, and back.
std::string next_token(std::int64_t date_added_us);
std::optional<std::int64_t> parse_next_token(std::string_view token);

// The TAXII error message resource (section 3.6.1): title, description, error_id, http_status.
std::string error_body(int http_status, std::string_view title, std::string_view description,
                       std::string_view error_id);

// "2024-01-31T12:00:00.123456Z": date_added and header timestamps, always 6 digits.
std::string format_date_added(std::int64_t micros);

}  // namespace tocsin::hub
