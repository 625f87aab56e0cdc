#include "share/endpoint.h"

#include <gtest/gtest.h>

namespace tocsin::share {
namespace {

Endpoint parse_ok(std::string_view url) {
    std::string error;
    const auto endpoint = parse_endpoint(url, error);
    EXPECT_TRUE(endpoint) << url << ": " << error;
    return endpoint.value_or(Endpoint{});
}

bool refused(std::string_view url) {
    std::string error;
    return !parse_endpoint(url, error).has_value();
}

TEST(ShareEndpoint, SplitsTheUrl) {
    const Endpoint e = parse_ok("https://Hub.Example:8443/api1/");
    EXPECT_EQ(e.scheme, "https");
    EXPECT_EQ(e.host, "hub.example");
    EXPECT_EQ(e.port, 8443);
    EXPECT_EQ(e.path, "/api1/");
    EXPECT_EQ(e.origin(), "https://hub.example:8443");
    EXPECT_EQ(e.url(), "https://hub.example:8443/api1/");

    const Endpoint d = parse_ok("https://hub/taxii2");
    EXPECT_EQ(d.port, 443);
    EXPECT_EQ(d.path, "/taxii2/");
    EXPECT_EQ(d.url(), "https://hub/taxii2/");
    EXPECT_EQ(parse_ok("http://127.0.0.1").path, "/");
    EXPECT_EQ(parse_ok("http://127.0.0.1").port, 80);

    const Endpoint v6 = parse_ok("https://[::1]:9443/api/");
    EXPECT_EQ(v6.host, "::1");
    EXPECT_EQ(v6.origin(), "https://[::1]:9443");
}

TEST(ShareEndpoint, RefusesWhatIsNotAPlainServerUrl) {
    EXPECT_TRUE(refused("ftp://hub/api1/"));
    EXPECT_TRUE(refused("hub:8443/api1/"));
    EXPECT_TRUE(refused("https://user:pw@hub/api1/"));
    EXPECT_TRUE(refused("https://hub/api1/?x=1"));
    EXPECT_TRUE(refused("https://hub/api1/#frag"));
    EXPECT_TRUE(refused("https://hub:0/"));
    EXPECT_TRUE(refused("https://hub:65536/"));
    EXPECT_TRUE(refused("https://hub:/"));
    EXPECT_TRUE(refused("https:///api1/"));
    EXPECT_TRUE(refused("https://[::1/"));
    EXPECT_TRUE(refused("https://[nonsense]/"));
    EXPECT_TRUE(refused("https://hub/a b/"));
    EXPECT_TRUE(refused("https://hub/a\r\nX-Injected: 1/"));
}

TEST(ShareEndpoint, KnowsLoopbackHosts) {
    EXPECT_TRUE(is_loopback_host("localhost"));
    EXPECT_TRUE(is_loopback_host("127.0.0.1"));
    EXPECT_TRUE(is_loopback_host("127.5.6.7"));
    EXPECT_TRUE(is_loopback_host("::1"));
    EXPECT_TRUE(is_loopback_host("::ffff:127.0.0.1"));
    EXPECT_FALSE(is_loopback_host("10.0.0.1"));
    EXPECT_FALSE(is_loopback_host("128.0.0.1"));
    EXPECT_FALSE(is_loopback_host("::2"));
    EXPECT_FALSE(is_loopback_host("localhost.example"));
    EXPECT_FALSE(is_loopback_host("hub"));
}

TEST(ShareEndpoint, PlainHttpOnlyToThisMachineUnlessAllowed) {
    EXPECT_FALSE(insecure_transport_refusal(parse_ok("https://hub/api1/"), false));
    EXPECT_FALSE(insecure_transport_refusal(parse_ok("http://localhost:8080/api1/"), false));
    EXPECT_FALSE(insecure_transport_refusal(parse_ok("http://[::1]:8080/api1/"), false));
    EXPECT_TRUE(insecure_transport_refusal(parse_ok("http://hub/api1/"), false));
    EXPECT_TRUE(insecure_transport_refusal(parse_ok("http://10.1.2.3/api1/"), false));
    EXPECT_FALSE(insecure_transport_refusal(parse_ok("http://hub/api1/"), true));
}

TEST(ShareEndpoint, ResolvesApiRootReferences) {
    const Endpoint base = parse_ok("https://hub:8443/taxii2/");
    std::string error;
    EXPECT_EQ(resolve_reference(base, "/api1/", error)->url(), "https://hub:8443/api1/");
    EXPECT_EQ(resolve_reference(base, "api1/", error)->url(), "https://hub:8443/taxii2/api1/");
    EXPECT_EQ(resolve_reference(base, "https://other/api2/", error)->url(), "https://other/api2/");
    EXPECT_FALSE(resolve_reference(base, "//other/api2/", error));
    EXPECT_FALSE(resolve_reference(base, "", error));
}

TEST(ShareEndpoint, EncodesPathSegments) {
    EXPECT_EQ(encode_path_segment("91a7b528-80eb-42ed-a74d-c6fbd5a26116"),
              "91a7b528-80eb-42ed-a74d-c6fbd5a26116");
    EXPECT_EQ(encode_path_segment("../x?y=1"), "..%2Fx%3Fy%3D1");
    EXPECT_EQ(encode_path_segment("a b+c"), "a%20b%2Bc");
}

TEST(ShareEndpoint, LocalNamesAreReadableAndSafe) {
    EXPECT_EQ(local_name(parse_ok("https://hub:8443/api1/"), "91a7b528-80eb"),
              "hub-8443-api1-91a7b528-80eb");
    EXPECT_EQ(local_name(parse_ok("https://hub/api1/"), "c1"), "hub-api1-c1");
    EXPECT_EQ(local_name(parse_ok("https://hub/"), "../../etc"), "hub-..-..-etc");
    EXPECT_EQ(local_name(parse_ok("https://[::1]:9443/taxii/api/"), "c"), "1-9443-taxii-api-c");
    const std::string long_collection(300, 'x');
    const std::string name = local_name(parse_ok("https://hub/api1/"), long_collection);
    EXPECT_EQ(name.size(), 100u + 1 + 16);
    EXPECT_NE(name, local_name(parse_ok("https://hub/api2/"), long_collection));
}

}  // namespace
}  // namespace tocsin::share
