#include "core/config.h"

#include <gtest/gtest.h>

namespace tocsin {
namespace {

TEST(Config, DefaultsNeedNoFile) {
    Config c;
    EXPECT_FALSE(c.get_bool("stream.midstream"));
    EXPECT_EQ(c.get_string("checksum-validation"), "auto");
    EXPECT_EQ(c.get_size("stream.reassembly.depth"), 1u << 20);
    EXPECT_EQ(c.get_seconds("flow-timeouts.tcp.established"), 600u);
    EXPECT_TRUE(c.unknown_keys().empty());
}

TEST(Config, YamlNestsIntoDottedKeysAndSetOverridesIt) {
    Config c;
    c.load_yaml_text(
        "stream:\n  midstream: true\n  reassembly:\n    depth: 64kb\n"
        "decoder:\n  vxlan:\n    ports: [4789, 8472]\n");
    EXPECT_TRUE(c.get_bool("stream.midstream"));
    EXPECT_EQ(c.get_size("stream.reassembly.depth"), 65536u);
    EXPECT_EQ(c.get_string("decoder.vxlan.ports"), "4789,8472");
    c.set_override("stream.midstream=no");
    EXPECT_FALSE(c.get_bool("stream.midstream"));
}

TEST(Config, UnknownKeysAreReportedNotFatal) {
    Config c;
    c.set_override("app-layer.protocols.sip.enabled=yes");
    ASSERT_EQ(c.unknown_keys().size(), 1u);
    EXPECT_EQ(c.unknown_keys()[0], "app-layer.protocols.sip.enabled");
}

TEST(Config, BadValuesThrowWithTheKeyName) {
    Config c;
    EXPECT_THROW(c.set_override("no-equals-sign"), ConfigError);
    c.set("stream.midstream", "perhaps");
    try {
        (void)c.get_bool("stream.midstream");
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("stream.midstream"), std::string::npos);
    }
    EXPECT_THROW(c.load_yaml_text("a: [unclosed"), ConfigError);
}

TEST(Config, ParsesSuricataSizes) {
    EXPECT_EQ(parse_size("64mb"), 64u << 20);
    EXPECT_EQ(parse_size("1gb"), 1ULL << 30);
    EXPECT_EQ(parse_size("512 KB"), 512u << 10);
    EXPECT_EQ(parse_size("4096"), 4096u);
    EXPECT_FALSE(parse_size("lots").has_value());
    EXPECT_FALSE(parse_size("99999999999999999999gb").has_value());
}

}  // namespace
}  // namespace tocsin

namespace tocsin {
namespace {

TEST(Config, ReadsSuricataYamlAsItIs) {
    Config c;
    c.load_yaml_text(
        "vars:\n"
        "  port-groups:\n"
        "    VXLAN_PORTS: 4789\n"
        "decoder:\n"
        "  vxlan:\n"
        "    ports: $VXLAN_PORTS\n"
        "stream:\n"
        "  checksum-validation: no\n"
        "outputs:\n"
        "  - fast:\n"
        "      enabled: no\n"
        "  - eve-log:\n"
        "      filename: alerts.json\n"
        "      types:\n"
        "        - alert:\n"
        "            payload: yes\n"
        "        - flow\n");
    EXPECT_EQ(c.get_string("decoder.vxlan.ports"), "4789");  // variable resolved
    EXPECT_EQ(c.get_string("checksum-validation"), "no");    // Suricata's key name
    EXPECT_EQ(c.get_string("outputs.eve.filename"), "alerts.json");
    EXPECT_TRUE(c.get_bool("outputs.eve.types.flow"));
    EXPECT_FALSE(c.get_bool("outputs.eve.types.stats"));  // not in the list
    EXPECT_EQ(c.get_string("outputs"), "fast,eve-log");
    EXPECT_TRUE(c.get_bool("outputs.eve.alert.payload"));  // Suricata's alert option, by name
    EXPECT_FALSE(c.get_bool("outputs.eve.alert.packet"));
    for (const auto& key : c.unknown_keys()) EXPECT_FALSE(key.starts_with("vars.")) << key;
}

// suricata --set names list items by index; the index is dropped, not kept as a key.
TEST(Config, SuricataListIndexesInSetKeysAreDropped) {
    Config c;
    c.set_override("outputs.1.eve-log.types.0.alert.packet=yes");
    EXPECT_TRUE(c.get_bool("outputs.eve.alert.packet"));
    EXPECT_TRUE(c.unknown_keys().empty());
    c.set_override("outputs.0.eve.alert.payload-printable=yes");
    EXPECT_TRUE(c.get_bool("outputs.eve.alert.payload-printable"));
}

}  // namespace
}  // namespace tocsin
