// hub.yaml: where the hub listens, its TLS files and database, its limits, the sharing
// communities (name -> member organisations) and the API roots with their collections.
// Every key is documented in docs/hub.md; examples/hub.yaml shows them all.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "hub/tlp.h"

namespace tocsin::hub {

struct CollectionConfig {
    std::string id;  // a UUID, unique in the hub
    std::string title;
    std::string description;
    std::string alias;
    std::string community;         // a key of HubConfig::communities; empty: no community
    Tlp default_tlp = Tlp::amber;  // the level of objects that carry no TLP marking
};

struct ApiRootConfig {
    std::string path;  // "api1" or "sharing/api1": served at /<path>/
    std::string title;
    std::string description;
    std::vector<CollectionConfig> collections;
};

struct HubConfig {
    std::string title = "Tocsin hub";
    std::string description;
    std::string contact;
    std::string listen_address = "127.0.0.1";
    int port = 8443;
    std::string tls_certificate;  // both empty: plain HTTP, allowed on loopback only
    std::string tls_key;
    std::string database = "hub.db";
    std::string public_url;        // base of the URLs discovery lists; empty: from the Host header
    std::string default_api_root;  // path of the API root discovery names as default
    std::uint64_t max_content_length = 10u << 20;
    std::size_t max_objects_per_post = 1000;
    std::size_t max_json_depth = 32;
    std::size_t page_default_limit = 100;
    std::size_t page_max_limit = 1000;
    std::size_t threads = 64;
    std::map<std::string, std::vector<std::string>, std::less<>> communities;
    std::vector<ApiRootConfig> api_roots;

    const ApiRootConfig* find_api_root(std::string_view path) const;
    // The collection with this id in this API root (nullptr: none).
    const CollectionConfig* find_collection(const ApiRootConfig& root, std::string_view id) const;
    // Any API root's collection with this id.
    const CollectionConfig* find_collection(std::string_view id) const;
    bool in_community(const CollectionConfig& collection, std::string_view organisation) const;
    bool tls() const { return !tls_certificate.empty(); }
};

// Parse and validate; throws tocsin::ConfigError naming the key at fault. Relative file paths
// (database, tls.*) are taken relative to `base_dir` (the folder of the file when loading one).
HubConfig parse_hub_config(std::string_view yaml_text, const std::string& base_dir = "");
HubConfig load_hub_config(const std::string& path);

// True for 127.0.0.0/8, ::1 and "localhost": where plain HTTP is allowed.
bool is_loopback_address(std::string_view address);

// 8-4-4-4-12 hex digits (any case).
bool is_uuid(std::string_view text);

}  // namespace tocsin::hub
