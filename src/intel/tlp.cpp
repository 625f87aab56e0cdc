#include "intel/tlp.h"

#include "intel/normalize.h"

namespace tocsin::intel {

namespace {

struct MarkingId {
    std::string_view id;
    Tlp tlp;
};

constexpr MarkingId kMarkings[] = {
    // TLP 2.0
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", Tlp::clear},
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", Tlp::green},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", Tlp::amber},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", Tlp::amber_strict},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", Tlp::red},
    // TLP 1.0 as STIX 2.1 predefines it
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", Tlp::clear},  // WHITE
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", Tlp::green},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", Tlp::amber},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", Tlp::red},
};

}  // namespace

std::string_view tlp_name(Tlp tlp) {
    switch (tlp) {
        case Tlp::none:
            return "";
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
    }
    return "";
}

std::optional<Tlp> tlp_from_marking_ref(std::string_view id) {
    for (const MarkingId& m : kMarkings)
        if (m.id == id) return m.tlp;
    return std::nullopt;
}

std::optional<Tlp> parse_tlp_name(std::string_view name) {
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name.size() >= 4 && iequals(name.substr(0, 4), "tlp:")) name.remove_prefix(4);
    if (iequals(name, "clear") || iequals(name, "white")) return Tlp::clear;
    if (iequals(name, "green")) return Tlp::green;
    if (iequals(name, "amber")) return Tlp::amber;
    if (iequals(name, "amber+strict")) return Tlp::amber_strict;
    if (iequals(name, "red")) return Tlp::red;
    return std::nullopt;
}

}  // namespace tocsin::intel
