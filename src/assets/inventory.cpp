#include "assets/inventory.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "applayer/applayer.h"
#include "output/json_writer.h"

namespace tocsin::assets {

namespace {

constexpr std::size_t kMaxMacs = 8;
constexpr std::size_t kMaxRoles = 16;
constexpr std::size_t kMaxProtocols = 16;
constexpr std::size_t kMaxIdentityFields = 32;
constexpr std::size_t kMaxValueBytes = 256;

// Servers of these protocols are controllers (PLCs) whoever talks to them: S7 and CIP are
// spoken by PLCs and their peers; a Modbus or DNP3 server may be a meter or a gateway, so it
// counts as a PLC only once it is programmed or controlled.
bool controller_protocol(std::string_view protocol) {
    return protocol == "s7comm" || protocol == "enip";
}

template <typename Set>
bool insert_bounded(Set& set, std::string_view value, std::size_t max) {
    if (set.size() >= max || set.contains(std::string(value))) return false;
    set.insert(std::string(value));
    return true;
}

std::string clipped(std::string_view s) {
    return std::string(s.substr(0, kMaxValueBytes));
}

}  // namespace

std::string Asset::key() const {
    if (ip) return ip->to_string();
    return macs.empty() ? std::string("mac:?") : "mac:" + format_mac(macs.front());
}

InventoryOptions InventoryOptions::from_config(const Config& config) {
    InventoryOptions o;
    o.enabled = config.get_bool("assets.enabled");
    o.max_devices = static_cast<std::size_t>(config.get_size("assets.max-devices"));
    o.oui_folder = config.get_string("assets.oui-folder");
    return o;
}

Inventory::Inventory(InventoryOptions options) : options_(std::move(options)) {
    if (options_.enabled && !options_.oui_folder.empty()) oui_.load_folder(options_.oui_folder);
}

Sighting address_sighting(Timestamp ts, const IpAddress& ip, const MacAddress* mac,
                          std::uint64_t flow_id) {
    Sighting s;
    s.ts = ts;
    s.ip = ip;
    if (mac != nullptr && (*mac)[0] % 2 == 0) s.mac = *mac;  // never a group address
    s.flow_id = flow_id;
    return s;
}

std::vector<Sighting> transaction_sightings(Timestamp ts, const flow::Flow& flow,
                                            const applayer::ProtocolSpec& spec,
                                            const applayer::Transaction& tx) {
    std::vector<Sighting> out;
    if (spec.client_role.empty() && spec.server_role.empty()) return out;
    applayer::DeviceFacts facts;
    tx.describe_devices(facts);
    // A frame protocol's publisher (GOOSE) has no IP: its pseudo flow's client is the
    // publisher, known by its source MAC.
    const applayer::FlowApp* app = applayer::AppLayer::state(flow);
    if (app != nullptr && app->frame) {
        Sighting publisher;
        publisher.ts = ts;
        publisher.mac = app->frame->src;
        publisher.protocol = std::string(spec.name);
        publisher.flow_id = flow.flow_id;
        publisher.industrial = true;
        publisher.roles.emplace_back(spec.client_role);
        publisher.identity = std::move(facts.client);
        out.push_back(std::move(publisher));
        return out;
    }
    Sighting client, server;
    client.ts = server.ts = ts;
    client.ip = flow.client_addr;
    server.ip = flow.server_addr;
    client.protocol = server.protocol = std::string(spec.name);
    client.flow_id = server.flow_id = flow.flow_id;
    client.industrial = server.industrial = true;
    client.roles.emplace_back(spec.client_role);
    server.roles.emplace_back(spec.server_role);
    // Derived roles (docs/assets.md): programming or controlling a device makes the client an
    // engineering workstation or an HMI, and the device a PLC.
    if (facts.engineering) client.roles.emplace_back("engineering workstation");
    if (facts.control && !facts.engineering) client.roles.emplace_back("hmi");
    if (facts.engineering || facts.control || controller_protocol(spec.name))
        server.roles.emplace_back("plc");
    client.identity = std::move(facts.client);
    server.identity = std::move(facts.server);
    out.push_back(std::move(client));
    out.push_back(std::move(server));
    return out;
}

std::optional<std::string> Inventory::record(const Sighting& u) {
    if (!options_.enabled) return std::nullopt;
    Asset probe;
    probe.ip = u.ip;
    if (u.mac) probe.macs.push_back(*u.mac);
    const std::string key = probe.key();

    auto it = devices_.find(key);
    bool created = false;
    if (it == devices_.end()) {
        const bool eligible =
            u.industrial || !u.ip || !options_.is_local || options_.is_local(*u.ip);
        if (!eligible) return std::nullopt;
        if (devices_.size() >= options_.max_devices) {
            ++dropped_;
            return std::nullopt;
        }
        Asset fresh;
        fresh.ip = u.ip;
        fresh.first_seen = u.ts;
        it = devices_.emplace(key, std::move(fresh)).first;
        created = true;
    }
    Asset& a = it->second;
    a.last_seen = std::max(a.last_seen, u.ts);
    std::vector<std::string_view> changed;

    if (u.mac) {
        auto found = std::find(a.macs.begin(), a.macs.end(), *u.mac);
        if (found == a.macs.end()) {
            if (a.macs.size() >= kMaxMacs) a.macs.pop_back();
            a.macs.insert(a.macs.begin(), *u.mac);
            changed.push_back("mac");
            const std::string_view vendor = oui_.vendor(*u.mac);
            if (!vendor.empty() && vendor != a.vendor) {
                a.vendor = std::string(vendor);
                changed.push_back("vendor");
            }
        }
    }
    if (!u.protocol.empty() && insert_bounded(a.protocols, u.protocol, kMaxProtocols))
        changed.push_back("protocols");
    bool role_added = false;
    for (const std::string& role : u.roles)
        role_added |= !role.empty() && insert_bounded(a.roles, role, kMaxRoles);
    if (role_added) changed.push_back("roles");
    bool identity_changed = false;
    for (const auto& [name, value] : u.identity) {
        if (value.empty()) continue;
        auto field = a.identity.find(std::string(name));
        if (field == a.identity.end()) {
            if (a.identity.size() >= kMaxIdentityFields) continue;
            a.identity.emplace(std::string(name), clipped(value));
            identity_changed = true;
        } else if (field->second != clipped(value)) {
            field->second = clipped(value);
            identity_changed = true;
        }
    }
    if (identity_changed) changed.push_back("identity");
    if (!created && changed.empty()) return std::nullopt;

    // The EVE record: who the device is now, and what this sighting added.
    std::string out;
    output::JsonWriter j(out);
    j.begin_object();
    j.field("timestamp", format_eve_time(u.ts));
    if (u.flow_id != 0) j.field("flow_id", u.flow_id);
    j.field("event_type", "asset");
    if (a.ip) j.field("src_ip", a.ip->to_string());
    write_asset(a, j);
    j.field("change", created ? "new" : "changed");
    if (!created) {
        j.begin_array("changed");
        for (std::string_view c : changed) j.element(c);
        j.end_array();
    }
    j.end_object();
    return out;
}

std::vector<Asset> Inventory::snapshot() const {
    std::vector<std::pair<std::string, Asset>> sorted(devices_.begin(), devices_.end());
    // IP devices by address (v4 before v6, numerically), then layer-2 devices by MAC.
    std::sort(sorted.begin(), sorted.end(), [](const auto& x, const auto& y) {
        if (x.second.ip && y.second.ip) return *x.second.ip < *y.second.ip;
        if (x.second.ip || y.second.ip) return x.second.ip.has_value();
        return x.first < y.first;
    });
    std::vector<Asset> out;
    out.reserve(sorted.size());
    for (auto& [key, asset] : sorted) out.push_back(std::move(asset));
    return out;
}

void write_asset(const Asset& a, output::JsonWriter& j) {
    j.begin_object("asset");
    if (a.ip) j.field("ip", a.ip->to_string());
    if (!a.macs.empty()) {
        j.field("mac", format_mac(a.macs.front()));
        if (a.macs.size() > 1) {
            j.begin_array("macs");
            for (const MacAddress& m : a.macs) j.element(format_mac(m));
            j.end_array();
        }
    }
    if (!a.vendor.empty()) j.field("vendor", a.vendor);
    j.begin_array("roles");
    for (const std::string& r : a.roles) j.element(r);
    j.end_array();
    j.begin_array("protocols");
    for (const std::string& p : a.protocols) j.element(p);
    j.end_array();
    if (!a.identity.empty()) {
        j.begin_object("identity");
        for (const auto& [k, v] : a.identity) j.field(k, v);
        j.end_object();
    }
    j.field("first_seen", format_eve_time(a.first_seen));
    j.field("last_seen", format_eve_time(a.last_seen));
    j.end_object();
}

std::string Inventory::to_json() const {
    const std::vector<Asset> devices = snapshot();
    std::string out = "{\"devices\":[";
    for (std::size_t i = 0; i < devices.size(); ++i) {
        if (i > 0) out += ',';
        out += "\n";
        std::string one;
        output::JsonWriter j(one);
        j.begin_object();
        write_asset(devices[i], j);
        j.end_object();
        // Each device as its "asset" object's value: {"asset":{...}} -> {...}.
        out += one.substr(9, one.size() - 10);
    }
    out += "\n],\"count\":" + std::to_string(devices.size()) +
           ",\"dropped\":" + std::to_string(dropped()) + "}\n";
    return out;
}

std::string format_asset_table(const std::string& assets_json, std::string& error) {
    nlohmann::json doc = nlohmann::json::parse(assets_json, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("devices") ||
        !doc["devices"].is_array()) {
        error = "not an assets.json file (expected {\"devices\": [...]})";
        return "";
    }
    auto text = [](const nlohmann::json& o, const char* key) {
        return o.contains(key) && o[key].is_string() ? o[key].get<std::string>() : std::string();
    };
    auto joined = [](const nlohmann::json& o, const char* key) {
        std::string s;
        if (!o.contains(key) || !o[key].is_array()) return s;
        for (const auto& v : o[key])
            if (v.is_string()) s += (s.empty() ? "" : ", ") + v.get<std::string>();
        return s;
    };
    struct Row {
        std::string cells[6];
    };
    std::vector<Row> rows;
    rows.push_back({{"ADDRESS", "MAC", "VENDOR", "ROLES", "PROTOCOLS", "IDENTITY"}});
    for (const auto& d : doc["devices"]) {
        if (!d.is_object()) continue;
        std::string identity;
        if (d.contains("identity") && d["identity"].is_object())
            for (const auto& [k, v] : d["identity"].items())
                if (v.is_string())
                    identity += (identity.empty() ? "" : " ") + k + "=" + v.get<std::string>();
        const std::string address = text(d, "ip").empty() ? "-" : text(d, "ip");
        rows.push_back({{address, text(d, "mac"), text(d, "vendor"), joined(d, "roles"),
                         joined(d, "protocols"), identity}});
    }
    std::size_t width[6] = {};
    for (const Row& r : rows)
        for (std::size_t c = 0; c < 5; ++c) width[c] = std::max(width[c], r.cells[c].size());
    std::string out;
    for (const Row& r : rows) {
        std::string line;
        for (std::size_t c = 0; c < 6; ++c) {
            line += r.cells[c];
            if (c < 5) line += std::string(width[c] - r.cells[c].size() + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
    out += std::to_string(rows.size() - 1) + " devices\n";
    return out;
}

}  // namespace tocsin::assets
