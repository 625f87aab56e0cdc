#include "assets/oui.h"

#include <gtest/gtest.h>

#include <sstream>

namespace tocsin::assets {
namespace {

MacAddress mac(std::string_view text) {
    auto m = parse_mac(text);
    EXPECT_TRUE(m) << text;
    return m.value_or(MacAddress{});
}

TEST(Oui, LongestAssignedPrefixNamesTheVendor) {
    // The three IEEE registries' CSV layout; an MA-M block lies inside an MA-L block held by the
    // registration authority, and an organisation name carries a quoted comma.
    std::istringstream csv(
        "Registry,Assignment,Organization Name,Organization Address\n"
        "MA-L,001D9C,Rockwell Automation,1 Allen-Bradley Dr. Mayfield Heights OH US\n"
        "MA-L,70B3D5,IEEE Registration Authority,445 Hoes Lane\n"
        "MA-M,70B3D5F,\"Acme, Inc.\",Somewhere\n"
        "MA-S,70B3D5F2F,\"Quote \"\"Q\"\" Ltd\",Elsewhere\n");
    OuiTable table;
    EXPECT_EQ(table.load_csv(csv), 4u);
    EXPECT_EQ(table.vendor(mac("00:1d:9c:c7:b0:70")), "Rockwell Automation");
    EXPECT_EQ(table.vendor(mac("70-B3-D5-F1-00-01")), "Acme, Inc.");
    EXPECT_EQ(table.vendor(mac("70:b3:d5:f2:f0:01")), "Quote \"Q\" Ltd");
    EXPECT_EQ(table.vendor(mac("70:b3:d5:01:00:01")), "IEEE Registration Authority");
    EXPECT_EQ(table.vendor(mac("00:00:01:00:00:01")), "");
}

TEST(Oui, LocallyAdministeredAddressesHaveNoVendor) {
    std::istringstream csv("MA-L,021D9C,Someone,x\n");
    OuiTable table;
    table.load_csv(csv);
    EXPECT_EQ(table.vendor(mac("02:1d:9c:00:00:01")), "");
}

TEST(Oui, MacTextRoundTrips) {
    EXPECT_EQ(format_mac(mac("00-1D-9C-C7-B0-70")), "00:1d:9c:c7:b0:70");
    EXPECT_FALSE(parse_mac("00:1d:9c"));
    EXPECT_FALSE(parse_mac("00:1d:9c:c7:b0:7g"));
}

// Debian's ieee-data, when installed: a few assignments known from the IEEE's public listing.
TEST(Oui, ReadsDebianRegistry) {
    OuiTable table;
    if (table.load_folder("/usr/share/ieee-data") == 0) GTEST_SKIP() << "ieee-data not installed";
    EXPECT_GT(table.size(), 30000u);
    EXPECT_EQ(table.vendor(mac("00:1d:9c:00:00:01")), "Rockwell Automation");
    EXPECT_EQ(table.vendor(mac("00:02:b3:ce:70:51")), "Intel Corporation");
}

}  // namespace
}  // namespace tocsin::assets
