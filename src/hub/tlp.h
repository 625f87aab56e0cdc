// Traffic Light Protocol 2.0 as STIX 2.1 marking definitions, and the hub's rule for who may
// read an object version given its marking, its creator and the reader.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tocsin::hub {

// Ordered from most open to most restrictive, so the most restrictive of several markings is
// the largest value. `unmarked` means the object carries no TLP marking: the collection's
// default applies.
enum class Tlp : std::uint8_t { unmarked = 0, clear, green, amber, amber_strict, red };

// The TLP 2.0 marking-definition ids published by OASIS (cti-stix-common-objects), and the
// four TLP 1.0 ids STIX 2.1 predefines (WHITE reads as CLEAR). Anything else: nullopt.
std::optional<Tlp> tlp_from_marking_ref(std::string_view marking_definition_id);

// The TLP 2.0 marking-definition id of a level (empty for unmarked).
std::string_view tlp_marking_ref(Tlp tlp);

// "clear", "green", "amber", "amber+strict", "red" (and "white" for clear); case-insensitive,
// an optional "TLP:" prefix. Used for hub.yaml's default-tlp.
std::optional<Tlp> parse_tlp_name(std::string_view name);
std::string_view tlp_name(Tlp tlp);

Tlp most_restrictive(Tlp a, Tlp b);

// Who posted an object version, or who asks for it: a partner's STIX identity and organisation.
struct Party {
    std::string_view identity;
    std::string_view organisation;
};

// The sharing table, for the level that applies to a version (`effective` is never unmarked:
// the caller substitutes the collection's default):
//   CLEAR         anyone who may read the collection
//   GREEN, AMBER  the organisations of the collection's community, and the creator's organisation
//   AMBER+STRICT  the creator's organisation
//   RED           the creator's identity
// `reader_in_community`: the reader's organisation belongs to the collection's community.
bool may_read(Tlp effective, Party creator, Party reader, bool reader_in_community);

}  // namespace tocsin::hub
