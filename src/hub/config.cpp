#include "hub/config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/address.h"

namespace tocsin::hub {
namespace {

using Keys = std::initializer_list<std::string_view>;

// Unknown keys are errors, not warnings: a misspelt default-tlp must not silently widen access.
void reject_unknown_keys(const YAML::Node& map, Keys known, std::string_view where) {
    for (const auto& entry : map) {
        const auto key = entry.first.as<std::string>();
        if (std::find(known.begin(), known.end(), key) == known.end())
            throw ConfigError(fmt::format("hub.yaml: unknown key '{}{}'", where, key));
    }
}

std::string text(const YAML::Node& node, std::string_view key) {
    if (!node.IsScalar()) throw ConfigError(fmt::format("hub.yaml: '{}' must be a value", key));
    return node.as<std::string>();
}

std::uint64_t number(const YAML::Node& node, std::string_view key, std::uint64_t low,
                     std::uint64_t high) {
    const auto value = parse_size(text(node, key));
    if (!value || *value < low || *value > high)
        throw ConfigError(
            fmt::format("hub.yaml: '{}' must be a number from {} to {}", key, low, high));
    return *value;
}

std::string resolve_path(const std::string& path, const std::string& base_dir) {
    if (path.empty() || base_dir.empty() || std::filesystem::path(path).is_absolute()) return path;
    return (std::filesystem::path(base_dir) / path).string();
}

bool valid_root_path(std::string_view path) {
    if (path.empty() || path.front() == '/' || path.back() == '/') return false;
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto end = std::min(path.find('/', start), path.size());
        const auto segment = path.substr(start, end - start);
        // Empty segments, dot segments and the names of resources inside an API root would make
        // routing ambiguous; /taxii2/ is discovery.
        if (segment.empty() || segment == "." || segment == ".." || segment == "collections" ||
            segment == "status" || (start == 0 && segment == "taxii2"))
            return false;
        for (const char c : segment) {
            const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
            if (!ok) return false;
        }
        start = end + 1;
    }
    return true;
}

CollectionConfig parse_collection(const YAML::Node& node, const HubConfig& config,
                                  std::string_view where) {
    if (!node.IsMap()) throw ConfigError(fmt::format("hub.yaml: {} must be a map", where));
    reject_unknown_keys(node, {"id", "title", "description", "alias", "community", "default-tlp"},
                        fmt::format("{}.", where));
    CollectionConfig c;
    if (!node["id"] || !is_uuid(text(node["id"], "id")))
        throw ConfigError(fmt::format("hub.yaml: {}.id must be a UUID", where));
    c.id = text(node["id"], "id");
    std::transform(c.id.begin(), c.id.end(), c.id.begin(),
                   [](char ch) { return static_cast<char>(std::tolower(ch)); });
    if (!node["title"]) throw ConfigError(fmt::format("hub.yaml: {}.title is required", where));
    c.title = text(node["title"], "title");
    if (node["description"]) c.description = text(node["description"], "description");
    if (node["alias"]) c.alias = text(node["alias"], "alias");
    if (node["community"]) {
        c.community = text(node["community"], "community");
        if (!config.communities.contains(c.community))
            throw ConfigError(fmt::format("hub.yaml: {}.community '{}' is not in communities",
                                          where, c.community));
    }
    if (node["default-tlp"]) {
        const auto tlp = parse_tlp_name(text(node["default-tlp"], "default-tlp"));
        if (!tlp)
            throw ConfigError(fmt::format(
                "hub.yaml: {}.default-tlp must be clear, green, amber, amber+strict or red",
                where));
        c.default_tlp = *tlp;
    }
    return c;
}

void parse_communities(const YAML::Node& node, HubConfig& config) {
    if (!node.IsMap()) throw ConfigError("hub.yaml: communities must map names to organisations");
    for (const auto& entry : node) {
        const auto name = entry.first.as<std::string>();
        if (!entry.second.IsSequence())
            throw ConfigError(
                fmt::format("hub.yaml: communities.{} must be a list of organisations", name));
        auto& members = config.communities[name];
        for (const auto& org : entry.second) members.push_back(text(org, "communities"));
    }
}

void parse_api_roots(const YAML::Node& node, HubConfig& config) {
    if (!node.IsSequence()) throw ConfigError("hub.yaml: api-roots must be a list");
    std::set<std::string> paths;
    std::set<std::string> collection_ids;
    for (std::size_t i = 0; i < node.size(); ++i) {
        const auto where = fmt::format("api-roots[{}]", i);
        const YAML::Node root_node = node[i];
        if (!root_node.IsMap()) throw ConfigError(fmt::format("hub.yaml: {} must be a map", where));
        reject_unknown_keys(root_node, {"path", "title", "description", "default", "collections"},
                            where + ".");
        ApiRootConfig root;
        if (!root_node["path"])
            throw ConfigError(fmt::format("hub.yaml: {}.path is required", where));
        root.path = text(root_node["path"], "path");
        if (!valid_root_path(root.path) || !paths.insert(root.path).second)
            throw ConfigError(fmt::format(
                "hub.yaml: {}.path '{}' must be unique, made of letters, digits, '-', '_', '.' "
                "and inner '/', and not 'taxii2'",
                where, root.path));
        if (!root_node["title"])
            throw ConfigError(fmt::format("hub.yaml: {}.title is required", where));
        root.title = text(root_node["title"], "title");
        if (root_node["description"])
            root.description = text(root_node["description"], "description");
        if (root_node["default"] && root_node["default"].as<bool>()) {
            if (!config.default_api_root.empty())
                throw ConfigError("hub.yaml: only one API root can be the default");
            config.default_api_root = root.path;
        }
        if (root_node["collections"]) {
            const YAML::Node collections = root_node["collections"];
            if (!collections.IsSequence())
                throw ConfigError(fmt::format("hub.yaml: {}.collections must be a list", where));
            for (std::size_t j = 0; j < collections.size(); ++j) {
                auto c = parse_collection(collections[j], config,
                                          fmt::format("{}.collections[{}]", where, j));
                if (!collection_ids.insert(c.id).second)
                    throw ConfigError(
                        fmt::format("hub.yaml: collection id {} appears twice", c.id));
                root.collections.push_back(std::move(c));
            }
        }
        config.api_roots.push_back(std::move(root));
    }
}

}  // namespace

const ApiRootConfig* HubConfig::find_api_root(std::string_view path) const {
    for (const auto& root : api_roots)
        if (root.path == path) return &root;
    return nullptr;
}

const CollectionConfig* HubConfig::find_collection(const ApiRootConfig& root,
                                                   std::string_view id) const {
    for (const auto& c : root.collections)
        if (c.id == id) return &c;
    return nullptr;
}

const CollectionConfig* HubConfig::find_collection(std::string_view id) const {
    for (const auto& root : api_roots)
        if (const auto* c = find_collection(root, id)) return c;
    return nullptr;
}

bool HubConfig::in_community(const CollectionConfig& collection,
                             std::string_view organisation) const {
    if (collection.community.empty()) return false;
    const auto it = communities.find(collection.community);
    if (it == communities.end()) return false;
    return std::find(it->second.begin(), it->second.end(), organisation) != it->second.end();
}

HubConfig parse_hub_config(std::string_view yaml_text, const std::string& base_dir) {
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml_text));
    } catch (const YAML::Exception& e) {
        throw ConfigError(fmt::format("hub.yaml: {}", e.what()));
    }
    HubConfig config;
    if (root.IsNull()) throw ConfigError("hub.yaml: empty");
    if (!root.IsMap()) throw ConfigError("hub.yaml: the top level must be a map");
    try {
        reject_unknown_keys(root,
                            {"title", "description", "contact", "listen", "tls", "database",
                             "public-url", "max-content-length", "max-objects-per-post",
                             "max-json-depth", "page", "threads", "communities", "api-roots"},
                            "");
        if (root["title"]) config.title = text(root["title"], "title");
        if (root["description"]) config.description = text(root["description"], "description");
        if (root["contact"]) config.contact = text(root["contact"], "contact");
        if (const auto listen = root["listen"]) {
            reject_unknown_keys(listen, {"address", "port"}, "listen.");
            if (listen["address"])
                config.listen_address = text(listen["address"], "listen.address");
            if (listen["port"])
                config.port = static_cast<int>(number(listen["port"], "listen.port", 0, 65535));
        }
        if (const auto tls = root["tls"]) {
            reject_unknown_keys(tls, {"certificate", "key"}, "tls.");
            if (tls["certificate"])
                config.tls_certificate =
                    resolve_path(text(tls["certificate"], "tls.certificate"), base_dir);
            if (tls["key"]) config.tls_key = resolve_path(text(tls["key"], "tls.key"), base_dir);
            if (config.tls_certificate.empty() != config.tls_key.empty())
                throw ConfigError("hub.yaml: tls needs both certificate and key");
        }
        if (root["database"]) config.database = text(root["database"], "database");
        config.database = resolve_path(config.database, base_dir);
        if (root["public-url"]) {
            config.public_url = text(root["public-url"], "public-url");
            while (config.public_url.ends_with('/')) config.public_url.pop_back();
            if (!config.public_url.starts_with("https://") &&
                !config.public_url.starts_with("http://"))
                throw ConfigError("hub.yaml: public-url must start with https:// or http://");
        }
        if (root["max-content-length"])
            config.max_content_length =
                number(root["max-content-length"], "max-content-length", 1024, 1ull << 30);
        if (root["max-objects-per-post"])
            config.max_objects_per_post =
                number(root["max-objects-per-post"], "max-objects-per-post", 1, 100000);
        if (root["max-json-depth"])
            config.max_json_depth = number(root["max-json-depth"], "max-json-depth", 4, 256);
        if (const auto page = root["page"]) {
            reject_unknown_keys(page, {"default-limit", "max-limit"}, "page.");
            if (page["max-limit"])
                config.page_max_limit = number(page["max-limit"], "page.max-limit", 1, 100000);
            if (page["default-limit"])
                config.page_default_limit =
                    number(page["default-limit"], "page.default-limit", 1, 100000);
            if (config.page_default_limit > config.page_max_limit)
                throw ConfigError("hub.yaml: page.default-limit exceeds page.max-limit");
        }
        if (root["threads"]) config.threads = number(root["threads"], "threads", 2, 1024);
        if (root["communities"]) parse_communities(root["communities"], config);
        if (!root["api-roots"]) throw ConfigError("hub.yaml: api-roots is required");
        parse_api_roots(root["api-roots"], config);
    } catch (const YAML::Exception& e) {
        throw ConfigError(fmt::format("hub.yaml: {}", e.what()));
    }
    return config;
}

HubConfig load_hub_config(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw ConfigError(fmt::format("{}: cannot read", path));
    std::stringstream buffer;
    buffer << in.rdbuf();
    const auto dir = std::filesystem::absolute(path).parent_path().string();
    try {
        return parse_hub_config(buffer.str(), dir);
    } catch (const ConfigError& e) {
        throw ConfigError(fmt::format("{}: {}", path, e.what()));
    }
}

bool is_loopback_address(std::string_view address) {
    if (address == "localhost") return true;
    const auto ip = IpAddress::parse(address);
    if (!ip) return false;
    if (ip->family == 4) return ip->bytes[0] == 127;
    for (std::size_t i = 0; i < 15; ++i)
        if (ip->bytes[i] != 0) return false;
    return ip->bytes[15] == 1;
}

bool is_uuid(std::string_view text) {
    if (text.size() != 36) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
            return false;
        }
    }
    return true;
}

}  // namespace tocsin::hub
