#include "hub/tlp.h"

#include <gtest/gtest.h>

namespace tocsin::hub {
namespace {

// Ids as published by OASIS (cti-stix-common-objects, TLP 2.0) and STIX 2.1 section 7.2.1.4
// (TLP 1.0), copied from those documents.
TEST(Tlp, MarkingIdsOfTlp2) {
    EXPECT_EQ(tlp_from_marking_ref("marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"),
              Tlp::clear);
    EXPECT_EQ(tlp_from_marking_ref("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"),
              Tlp::green);
    EXPECT_EQ(tlp_from_marking_ref("marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"),
              Tlp::amber);
    EXPECT_EQ(tlp_from_marking_ref("marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"),
              Tlp::amber_strict);
    EXPECT_EQ(tlp_from_marking_ref("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"),
              Tlp::red);
}

TEST(Tlp, MarkingIdsOfTlp1) {
    EXPECT_EQ(tlp_from_marking_ref("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"),
              Tlp::clear);
    EXPECT_EQ(tlp_from_marking_ref("marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"),
              Tlp::green);
    EXPECT_EQ(tlp_from_marking_ref("marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"),
              Tlp::amber);
    EXPECT_EQ(tlp_from_marking_ref("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"),
              Tlp::red);
}

TEST(Tlp, UnknownMarkingIsNotTlp) {
    EXPECT_FALSE(tlp_from_marking_ref("marking-definition--11111111-2222-4333-8444-555555555555"));
    EXPECT_FALSE(tlp_from_marking_ref(""));
    // Case matters: STIX identifiers are compared as written.
    EXPECT_FALSE(tlp_from_marking_ref("marking-definition--E828B379-4E03-4974-9AC4-E53A884C97C1"));
}

TEST(Tlp, ReferenceOfEachLevelIsTheTlp2Id) {
    EXPECT_EQ(tlp_marking_ref(Tlp::clear),
              "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487");
    EXPECT_EQ(tlp_marking_ref(Tlp::red),
              "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1");
    EXPECT_EQ(tlp_marking_ref(Tlp::unmarked), "");
}

TEST(Tlp, Names) {
    EXPECT_EQ(parse_tlp_name("AMBER+STRICT"), Tlp::amber_strict);
    EXPECT_EQ(parse_tlp_name("TLP:CLEAR"), Tlp::clear);
    EXPECT_EQ(parse_tlp_name("white"), Tlp::clear);
    EXPECT_EQ(parse_tlp_name("red"), Tlp::red);
    EXPECT_FALSE(parse_tlp_name("amber-strict"));
    EXPECT_FALSE(parse_tlp_name(""));
    EXPECT_EQ(tlp_name(Tlp::amber_strict), "amber+strict");
}

TEST(Tlp, MostRestrictiveWins) {
    EXPECT_EQ(most_restrictive(Tlp::clear, Tlp::red), Tlp::red);
    EXPECT_EQ(most_restrictive(Tlp::amber_strict, Tlp::amber), Tlp::amber_strict);
    EXPECT_EQ(most_restrictive(Tlp::unmarked, Tlp::green), Tlp::green);
}

// The sharing table of docs/hub.md, cell by cell.
TEST(Tlp, MayReadTable) {
    const Party creator{"identity--a1", "org-a"};
    const Party colleague{"identity--a2", "org-a"};
    const Party peer{"identity--b1", "org-b"};
    const Party outsider{"identity--c1", "org-c"};
    struct Row {
        Tlp tlp;
        bool creator, colleague, peer, outsider;
    };
    const Row rows[] = {
        {Tlp::clear, true, true, true, true},  {Tlp::green, true, true, true, false},
        {Tlp::amber, true, true, true, false}, {Tlp::amber_strict, true, true, false, false},
        {Tlp::red, true, false, false, false},
    };
    for (const auto& r : rows) {
        SCOPED_TRACE(std::string(tlp_name(r.tlp)));
        EXPECT_EQ(may_read(r.tlp, creator, creator, true), r.creator);
        EXPECT_EQ(may_read(r.tlp, creator, colleague, true), r.colleague);
        EXPECT_EQ(may_read(r.tlp, creator, peer, true), r.peer);
        EXPECT_EQ(may_read(r.tlp, creator, outsider, false), r.outsider);
    }
}

TEST(Tlp, CreatorOutsideTheCommunityStillReadsItsOwnAmber) {
    const Party creator{"identity--c1", "org-c"};
    EXPECT_TRUE(may_read(Tlp::amber, creator, creator, false));
    EXPECT_TRUE(may_read(Tlp::green, creator, Party{"identity--c2", "org-c"}, false));
}

TEST(Tlp, UnresolvedOrAnonymousNeverReads) {
    const Party nobody{"", ""};
    EXPECT_FALSE(may_read(Tlp::unmarked, nobody, nobody, true));
    EXPECT_FALSE(may_read(Tlp::red, nobody, nobody, true));
    EXPECT_FALSE(may_read(Tlp::amber_strict, nobody, nobody, false));
}

}  // namespace
}  // namespace tocsin::hub
