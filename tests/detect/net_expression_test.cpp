#include "detect/net_expression.h"

#include <gtest/gtest.h>

namespace tocsin::detect {
namespace {

IpAddress ip(const char* text) {
    return *IpAddress::parse(text);
}

AddressSet addresses(const char* text, const NetVariables& vars = NetVariables::from_config({})) {
    auto parsed = AddressSet::parse(text, vars);
    EXPECT_TRUE(parsed.set.has_value()) << text << ": " << parsed.error;
    return parsed.set.value_or(AddressSet{});
}

std::string address_error(const char* text) {
    auto parsed = AddressSet::parse(text, NetVariables::from_config({}));
    EXPECT_FALSE(parsed.set.has_value()) << text;
    return parsed.error;
}

PortSet ports(const char* text) {
    auto parsed = PortSet::parse(text, NetVariables::from_config({}));
    EXPECT_TRUE(parsed.set.has_value()) << text << ": " << parsed.error;
    return parsed.set.value_or(PortSet{});
}

std::string port_error(const char* text) {
    auto parsed = PortSet::parse(text, NetVariables::from_config({}));
    EXPECT_FALSE(parsed.set.has_value()) << text;
    return parsed.error;
}

TEST(AddressExpression, SingleCidrRangeAndNetmask) {
    const AddressSet s = addresses("10.1.0.0/16");
    EXPECT_TRUE(s.contains(ip("10.1.255.255")));
    EXPECT_FALSE(s.contains(ip("10.2.0.0")));
    EXPECT_FALSE(s.contains(ip("2001:db8::1")));
    const AddressSet r = addresses("192.0.2.10-192.0.2.20");
    EXPECT_TRUE(r.contains(ip("192.0.2.15")));
    EXPECT_FALSE(r.contains(ip("192.0.2.21")));
    const AddressSet m = addresses("172.16.5.0/255.255.255.0");
    EXPECT_TRUE(m.contains(ip("172.16.5.200")));
    EXPECT_FALSE(m.contains(ip("172.16.6.1")));
    const AddressSet v6 = addresses("2001:db8::/32");
    EXPECT_TRUE(v6.contains(ip("2001:db8:ffff::1")));
    EXPECT_FALSE(v6.contains(ip("2001:db9::1")));
    EXPECT_TRUE(addresses("0.0.0.0/0").contains(ip("255.255.255.255")));
    EXPECT_TRUE(addresses("::/0").contains(ip("ffff::1")));
}

TEST(AddressExpression, SuricataDefaultVariables) {
    const AddressSet home = addresses("$HOME_NET");
    EXPECT_TRUE(home.contains(ip("192.168.1.1")));
    EXPECT_TRUE(home.contains(ip("172.31.255.255")));
    EXPECT_FALSE(home.contains(ip("8.8.8.8")));
    const AddressSet external = addresses("$EXTERNAL_NET");  // !$HOME_NET
    EXPECT_TRUE(external.contains(ip("8.8.8.8")));
    EXPECT_TRUE(external.contains(ip("2001:db8::1")));
    EXPECT_FALSE(external.contains(ip("10.0.0.1")));
    EXPECT_TRUE(addresses("$AIM_SERVERS").contains(ip("8.8.8.8")));  // via $EXTERNAL_NET
}

TEST(AddressExpression, NestedListsWithNegation) {
    // 10/8, but not 10.1/16, except that 10.1.1/24 is back in.
    const AddressSet s = addresses("[10.0.0.0/8, ![10.1.0.0/16, !10.1.1.0/24]]");
    EXPECT_TRUE(s.contains(ip("10.2.0.1")));
    EXPECT_FALSE(s.contains(ip("10.1.2.1")));
    EXPECT_TRUE(s.contains(ip("10.1.1.1")));
    EXPECT_FALSE(s.contains(ip("11.0.0.1")));
    // A list of only negations starts from any.
    const AddressSet n = addresses("[!192.0.2.1, !192.0.2.2]");
    EXPECT_TRUE(n.contains(ip("192.0.2.3")));
    EXPECT_FALSE(n.contains(ip("192.0.2.2")));
    EXPECT_TRUE(n.contains(ip("::1")));
}

TEST(AddressExpression, VariablesFromTheConfiguration) {
    Config c;
    c.set("vars.address-groups.HOME_NET", "[198.51.100.0/24]");
    c.set("vars.address-groups.PLC_NET", "[$HOME_NET,!198.51.100.7]");
    const NetVariables vars = NetVariables::from_config(c);
    const AddressSet plc = addresses("$PLC_NET", vars);
    EXPECT_TRUE(plc.contains(ip("198.51.100.8")));
    EXPECT_FALSE(plc.contains(ip("198.51.100.7")));
    EXPECT_FALSE(addresses("$HOME_NET", vars).contains(ip("10.0.0.1")));
}

TEST(AddressExpression, ErrorsSayWhatIsWrong) {
    EXPECT_NE(address_error("10.0.0.0/33").find("prefix"), std::string::npos);
    EXPECT_NE(address_error("10.0.0.256").find("invalid address"), std::string::npos);
    EXPECT_NE(address_error("$NOPE").find("unknown address variable $NOPE"), std::string::npos);
    EXPECT_NE(address_error("[10.0.0.1").find("missing ']'"), std::string::npos);
    EXPECT_NE(address_error("[10.0.0.1,]").find("missing value"), std::string::npos);
    EXPECT_NE(address_error("!any").find("matches nothing"), std::string::npos);
    EXPECT_NE(address_error("[10.0.0.1,!10.0.0.1]").find("matches nothing"), std::string::npos);
    EXPECT_NE(address_error("10.0.0.9-10.0.0.1").find("backwards"), std::string::npos);
    EXPECT_NE(address_error("10.0.0.1 junk").find("unexpected"), std::string::npos);
    EXPECT_NE(address_error("1.2.3.4/255.0.255.0").find("non-contiguous"), std::string::npos);
}

TEST(AddressExpression, SelfReferenceAndDepthAreBounded) {
    Config c;
    c.set("vars.address-groups.A", "$B");
    c.set("vars.address-groups.B", "[$A]");
    const NetVariables vars = NetVariables::from_config(c);
    auto loop = AddressSet::parse("$A", vars);
    EXPECT_FALSE(loop.set.has_value());
    EXPECT_NE(loop.error.find("refers to itself"), std::string::npos) << loop.error;
    std::string deep(200, '[');
    deep += "10.0.0.1" + std::string(200, ']');
    auto nested = AddressSet::parse(deep, vars);
    EXPECT_FALSE(nested.set.has_value());
    EXPECT_NE(nested.error.find("too deeply"), std::string::npos);
}

TEST(PortExpression, NumbersRangesListsAndVariables) {
    const PortSet s = ports("[80, 8000:8080, 1024:, !8008]");
    EXPECT_TRUE(s.contains(80));
    EXPECT_TRUE(s.contains(8080));
    EXPECT_FALSE(s.contains(8008));
    EXPECT_TRUE(s.contains(65535));
    EXPECT_FALSE(s.contains(443));
    EXPECT_TRUE(ports(":1023").contains(0));
    EXPECT_FALSE(ports(":1023").contains(1024));
    const PortSet shell = ports("$SHELLCODE_PORTS");  // !80
    EXPECT_FALSE(shell.contains(80));
    EXPECT_TRUE(shell.contains(81));
    const PortSet file_data = ports("$FILE_DATA_PORTS");  // [$HTTP_PORTS,110,143]
    EXPECT_TRUE(file_data.contains(80));
    EXPECT_TRUE(file_data.contains(143));
    EXPECT_FALSE(file_data.contains(25));
    EXPECT_TRUE(ports("any").contains(0));
}

TEST(PortExpression, ErrorsSayWhatIsWrong) {
    EXPECT_NE(port_error("65536").find("invalid port"), std::string::npos);
    EXPECT_NE(port_error("90:80").find("backwards"), std::string::npos);
    EXPECT_NE(port_error(":").find("invalid port range"), std::string::npos);
    EXPECT_NE(port_error("!any").find("matches nothing"), std::string::npos);
    EXPECT_NE(port_error("$HOME_NET").find("unknown port variable"), std::string::npos);
    EXPECT_NE(port_error("http").find("invalid port"), std::string::npos);
}

TEST(NetExpression, ArbitraryTextNeverCrashes) {
    std::uint32_t state = 99;
    const std::string alphabet = "[]!,$:-/. 0123456789abcdefHOME_NETany";
    const NetVariables vars = NetVariables::from_config({});
    for (int round = 0; round < 20000; ++round) {
        std::string text;
        const int length = round % 40;
        for (int i = 0; i < length; ++i) {
            state = state * 1103515245u + 12345u;
            text.push_back(alphabet[(state >> 16) % alphabet.size()]);
        }
        const auto a = AddressSet::parse(text, vars);
        const auto p = PortSet::parse(text, vars);
        EXPECT_TRUE(a.set.has_value() || !a.error.empty()) << text;
        EXPECT_TRUE(p.set.has_value() || !p.error.empty()) << text;
    }
}

}  // namespace
}  // namespace tocsin::detect

#include <filesystem>
#include <fstream>
#include <sstream>

namespace tocsin::detect {
namespace {

// Every address and port field of the ET Open rule headers parses (skipped without corpora).
TEST(NetExpression, EveryEtOpenHeaderFieldParses) {
    const auto dir = std::filesystem::path(TOCSIN_SOURCE_DIR) / ".." / "shared" / "corpora" /
                     "et-open" / "rules";
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) GTEST_SKIP() << "ET Open corpus not present";
    const NetVariables vars = NetVariables::from_config({});
    std::size_t fields = 0, failed = 0;
    std::string first_failure;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".rules") continue;
        std::ifstream in(entry.path());
        for (std::string line; std::getline(in, line);) {
            if (line.empty() || line[0] == '#') continue;
            std::istringstream header(line.substr(0, line.find('(')));
            std::string action, proto, src, sport, direction, dst, dport;
            if (!(header >> action >> proto >> src >> sport >> direction >> dst >> dport)) continue;
            for (const auto* a : {&src, &dst}) {
                ++fields;
                const auto parsed = AddressSet::parse(*a, vars);
                if (!parsed.set && first_failure.empty()) first_failure = *a + ": " + parsed.error;
                failed += parsed.set ? 0 : 1;
            }
            for (const auto* p : {&sport, &dport}) {
                ++fields;
                const auto parsed = PortSet::parse(*p, vars);
                if (!parsed.set && first_failure.empty()) first_failure = *p + ": " + parsed.error;
                failed += parsed.set ? 0 : 1;
            }
        }
    }
    std::printf("ET Open header fields: %zu parsed, %zu failed\n", fields - failed, failed);
    EXPECT_GT(fields, 80000u);
    EXPECT_EQ(failed, 0u) << first_failure;
}

}  // namespace
}  // namespace tocsin::detect
