#include "hub/tlp.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace tocsin::hub {
namespace {

struct MarkingId {
    std::string_view id;
    Tlp tlp;
};

// TLP 2.0 (OASIS cti-stix-common-objects, extension-definition--60a3c5c5-...), then TLP 1.0
// as predefined in STIX 2.1 section 7.2.1.4.
constexpr std::array<MarkingId, 9> kMarkingIds = {{
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", Tlp::clear},
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", Tlp::green},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", Tlp::amber},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", Tlp::amber_strict},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", Tlp::red},
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", Tlp::clear},  // TLP:WHITE
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", Tlp::green},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", Tlp::amber},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", Tlp::red},
}};

}  // namespace

std::optional<Tlp> tlp_from_marking_ref(std::string_view marking_definition_id) {
    for (const auto& m : kMarkingIds)
        if (m.id == marking_definition_id) return m.tlp;
    return std::nullopt;
}

std::string_view tlp_marking_ref(Tlp tlp) {
    for (const auto& m : kMarkingIds)
        if (m.tlp == tlp) return m.id;  // the TLP 2.0 entries come first
    return {};
}

std::optional<Tlp> parse_tlp_name(std::string_view name) {
    std::string lower;
    lower.reserve(name.size());
    for (const char c : name)
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view n = lower;
    if (n.starts_with("tlp:")) n.remove_prefix(4);
    if (n == "clear" || n == "white") return Tlp::clear;
    if (n == "green") return Tlp::green;
    if (n == "amber") return Tlp::amber;
    if (n == "amber+strict") return Tlp::amber_strict;
    if (n == "red") return Tlp::red;
    return std::nullopt;
}

std::string_view tlp_name(Tlp tlp) {
    switch (tlp) {
        case Tlp::clear:
            return "clear";
        case Tlp::green:
            return "green";
        case Tlp::amber:
            return "amber";
        case Tlp::amber_strict:
            return "amber+strict";
        case Tlp::red:
            return "red";
        case Tlp::unmarked:
            break;
    }
    return "";
}

Tlp most_restrictive(Tlp a, Tlp b) {
    return std::max(a, b);
}

bool may_read(Tlp effective, Party creator, Party reader, bool reader_in_community) {
    // Empty names never match: a version without a recorded creator is nobody's.
    const bool same_organisation =
        !creator.organisation.empty() && creator.organisation == reader.organisation;
    switch (effective) {
        case Tlp::clear:
            return true;
        case Tlp::green:
        case Tlp::amber:
            return reader_in_community || same_organisation;
        case Tlp::amber_strict:
            return same_organisation;
        case Tlp::red:
            return !creator.identity.empty() && creator.identity == reader.identity;
        case Tlp::unmarked:
            break;  // the caller resolves the default first; deny otherwise
    }
    return false;
}

}  // namespace tocsin::hub
