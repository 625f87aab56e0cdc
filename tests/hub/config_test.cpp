#include "hub/config.h"

#include <gtest/gtest.h>

#include "hub/server.h"

namespace tocsin::hub {
namespace {

constexpr const char* kExample = R"(
title: Example hub
listen:
  address: 0.0.0.0
  port: 8443
tls:
  certificate: certs/hub.crt
  key: certs/hub.key
database: hub.db
max-content-length: 2mb
page:
  default-limit: 50
  max-limit: 500
communities:
  energy: [org-a, org-b]
api-roots:
  - path: api1
    title: Sharing
    default: true
    collections:
      - id: 91A7B528-80EB-42ED-A74D-C6FBD5A26116
        title: Indicators
        community: energy
        default-tlp: amber+strict
      - id: 52892447-4d7e-4f70-b94d-d7f22742ff63
        title: Public
)";

TEST(HubConfig, ParsesEveryKey) {
    const auto c = parse_hub_config(kExample, "/etc/tocsin");
    EXPECT_EQ(c.title, "Example hub");
    EXPECT_EQ(c.listen_address, "0.0.0.0");
    EXPECT_EQ(c.port, 8443);
    EXPECT_EQ(c.tls_certificate, "/etc/tocsin/certs/hub.crt");
    EXPECT_EQ(c.tls_key, "/etc/tocsin/certs/hub.key");
    EXPECT_EQ(c.database, "/etc/tocsin/hub.db");
    EXPECT_EQ(c.max_content_length, 2u * 1024 * 1024);
    EXPECT_EQ(c.page_default_limit, 50u);
    EXPECT_EQ(c.page_max_limit, 500u);
    EXPECT_EQ(c.default_api_root, "api1");
    ASSERT_EQ(c.api_roots.size(), 1u);
    ASSERT_EQ(c.api_roots[0].collections.size(), 2u);
    const auto& first = c.api_roots[0].collections[0];
    EXPECT_EQ(first.id, "91a7b528-80eb-42ed-a74d-c6fbd5a26116");  // ids kept in lower case
    EXPECT_EQ(first.default_tlp, Tlp::amber_strict);
    EXPECT_EQ(c.api_roots[0].collections[1].default_tlp, Tlp::amber);  // the default default
    EXPECT_TRUE(c.in_community(first, "org-b"));
    EXPECT_FALSE(c.in_community(first, "org-c"));
    EXPECT_FALSE(c.in_community(c.api_roots[0].collections[1], "org-a"));  // no community
    EXPECT_EQ(c.find_collection("52892447-4d7e-4f70-b94d-d7f22742ff63"),
              &c.api_roots[0].collections[1]);
    EXPECT_TRUE(refusal_reason(c).empty());  // TLS on a public address is fine
}

TEST(HubConfig, RejectsMistakes) {
    const auto fails = [](const std::string& yaml) {
        EXPECT_THROW(parse_hub_config(yaml), ConfigError) << yaml;
    };
    fails("");
    fails("api-roots: []\ncolour: blue\n");  // unknown key
    fails("api-roots:\n  - path: api1\n    title: t\n    colections: []\n");
    fails("api-roots:\n  - path: taxii2\n    title: t\n");  // discovery's path
    fails("api-roots:\n  - path: a/collections\n    title: t\n");
    fails("api-roots:\n  - path: api1\n    title: t\n  - path: api1\n    title: u\n");
    fails(
        "api-roots:\n  - path: api1\n    title: t\n    collections:\n      - id: not-a-uuid\n"
        "        title: x\n");
    fails(
        "api-roots:\n  - path: api1\n    title: t\n    collections:\n"
        "      - id: 91a7b528-80eb-42ed-a74d-c6fbd5a26116\n        title: x\n"
        "        community: nobody\n");
    fails(
        "api-roots:\n  - path: api1\n    title: t\n    collections:\n"
        "      - id: 91a7b528-80eb-42ed-a74d-c6fbd5a26116\n        title: x\n"
        "        default-tlp: purple\n");
    fails(
        "api-roots:\n  - path: api1\n    title: t\n    collections:\n"
        "      - id: 91a7b528-80eb-42ed-a74d-c6fbd5a26116\n        title: x\n"
        "  - path: api2\n    title: t\n    collections:\n"
        "      - id: 91a7b528-80eb-42ed-a74d-c6fbd5a26116\n        title: y\n");
    fails("tls:\n  certificate: a.crt\napi-roots: []\n");  // key missing
    fails("page:\n  default-limit: 500\n  max-limit: 100\napi-roots: []\n");
    fails("listen:\n  port: 70000\napi-roots: []\n");
}

TEST(HubConfig, PlainHttpOnlyOnLoopback) {
    auto c = parse_hub_config("api-roots: []\n");
    EXPECT_EQ(c.listen_address, "127.0.0.1");
    EXPECT_TRUE(refusal_reason(c).empty());
    c.listen_address = "::1";
    EXPECT_TRUE(refusal_reason(c).empty());
    c.listen_address = "127.10.0.1";
    EXPECT_TRUE(refusal_reason(c).empty());
    c.listen_address = "0.0.0.0";
    EXPECT_NE(refusal_reason(c).find("refusing to serve plain HTTP on 0.0.0.0"), std::string::npos);
    c.listen_address = "192.0.2.10";
    EXPECT_FALSE(refusal_reason(c).empty());
    c.listen_address = "::";
    EXPECT_FALSE(refusal_reason(c).empty());
}

TEST(HubConfig, StartRefusesPlainHttpOnAPublicAddress) {
    auto c = parse_hub_config("database: ':memory:'\napi-roots: []\n");
    c.listen_address = "0.0.0.0";
    c.port = 0;
    HubServer server(c);
    EXPECT_THROW(server.bind(), HubStartError);
}

TEST(HubConfig, TheExampleConfigurationLoads) {
    const auto c = load_hub_config(TOCSIN_SOURCE_DIR "/examples/hub.yaml");
    EXPECT_EQ(c.api_roots.size(), 2u);
    EXPECT_EQ(c.default_api_root, "isac");
    EXPECT_EQ(c.database, "/var/lib/tocsin/hub.db");
    EXPECT_EQ(c.api_roots[0].collections[1].default_tlp, Tlp::amber_strict);
    EXPECT_TRUE(c.tls());
}

TEST(HubConfig, Uuid) {
    EXPECT_TRUE(is_uuid("91a7b528-80eb-42ed-a74d-c6fbd5a26116"));
    EXPECT_FALSE(is_uuid("91a7b528-80eb-42ed-a74d-c6fbd5a2611"));
    EXPECT_FALSE(is_uuid("91a7b528x80eb-42ed-a74d-c6fbd5a26116"));
}

}  // namespace
}  // namespace tocsin::hub
