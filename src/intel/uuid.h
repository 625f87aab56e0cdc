// Name-based (version 5) UUIDs, RFC 4122 section 4.3: SHA-1 of a namespace UUID and a name.
// Tocsin makes deterministic STIX ids with them (sightings, a sensor's identity, indicators of
// MISP and CSV entries without one), so re-running yields the same ids.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tocsin::intel {

using Uuid = std::array<std::uint8_t, 16>;

// Tocsin's namespace for every id it derives: ef1056cc-0040-4459-9fa4-d39bc6bb00dd (a random
// version 4 UUID drawn once; changing it changes every derived id).
inline constexpr Uuid kTocsinNamespace = {0xef, 0x10, 0x56, 0xcc, 0x00, 0x40, 0x44, 0x59,
                                          0x9f, 0xa4, 0xd3, 0x9b, 0xc6, 0xbb, 0x00, 0xdd};

Uuid uuid_v5(const Uuid& name_space, std::string_view name);
std::string uuid_text(const Uuid& uuid);                // lower-case 8-4-4-4-12
std::optional<Uuid> parse_uuid(std::string_view text);  // 8-4-4-4-12 hex, any case

// "<prefix>--<uuid_v5(kTocsinNamespace, name)>".
std::string derived_stix_id(std::string_view prefix, std::string_view name);

// A STIX identifier: "<type>--<uuid>" with a type of lower-case letters, digits and hyphens.
bool is_stix_id(std::string_view id);

}  // namespace tocsin::intel
