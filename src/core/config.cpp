#include "core/config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>

#include <yaml-cpp/yaml.h>

namespace tocsin {
namespace {

// Every key Tocsin reads, with its default. Names follow suricata.yaml where Suricata has one.
const std::vector<ConfigKeyInfo> kKnownKeys = {
    {"checksum-validation", "auto",
     "validate IP/TCP/UDP/ICMP checksums: yes, no (-k none), or auto (yes, until the first "
     "1000 packets show over 10% bad, the mark of checksum offloading)"},
    {"decoder.max-layers", "16", "tunnel/encapsulation depth before decoder.too_many_layers"},
    {"decoder.vxlan.enabled", "yes", "decode VXLAN on the ports below"},
    {"decoder.vxlan.ports", "4789", "UDP destination port(s) for VXLAN, comma separated"},
    {"decoder.gre.enabled", "yes", "decode GRE-encapsulated packets"},
    {"decoder.recursion-level.use-for-tracking", "yes",
     "tunnel depth is part of the flow key (inner and outer flows never merge)"},
    {"decoder.geneve.enabled", "yes", "decode Geneve on the port below"},
    {"decoder.geneve.ports", "6081", "UDP destination port for Geneve"},
    {"defrag.memcap", "32mb", "bytes of fragments held for reassembly"},
    {"defrag.timeout", "60", "seconds a fragment train may take to complete"},
    {"defrag.trackers", "65535", "most fragment trains held at once"},
    {"defrag.policy", "bsd", "overlap policy: first, last, bsd, linux, solaris (and aliases)"},
    {"flow.memcap", "128mb", "memory for the flow table (per run, split across workers)"},
    {"flow.hash-size", "65536", "initial buckets of each worker's flow table"},
    {"flow-timeouts.default.new", "30", ""},
    {"flow-timeouts.default.established", "300", ""},
    {"flow-timeouts.default.closed", "0", ""},
    {"flow-timeouts.tcp.new", "60", ""},
    {"flow-timeouts.tcp.established", "600", ""},
    {"flow-timeouts.tcp.closed", "60", ""},
    {"flow-timeouts.udp.new", "30", ""},
    {"flow-timeouts.udp.established", "300", ""},
    {"flow-timeouts.icmp.new", "30", ""},
    {"flow-timeouts.icmp.established", "300", ""},
    {"stream.inline", "auto",
     "yes: application data is parsed as it arrives (IPS); no: once the receiver "
     "acknowledged it (IDS, Suricata's timing); auto: yes with --simulate-ips"},
    {"stream.midstream", "false", "pick up TCP sessions whose handshake was not seen"},
    {"stream.async-oneside", "false", "reassemble when only one direction is seen"},
    {"stream.reassembly.memcap", "256mb", "bytes of out-of-order TCP data held (per run)"},
    {"stream.reassembly.depth", "1mb", "bytes per direction handed to app-layer; 0 = unlimited"},
    {"stream.reassembly.policy", "bsd",
     "overlap policy: first, last, bsd, linux, old-linux, windows, vista, solaris, macos"},
    {"stream.reassembly.max-ooo-segments", "4096", "out-of-order segments held per direction"},
    {"outputs.eve.filename", "eve.json", "EVE file name inside the log directory"},
    {"outputs.eve.append", "no", "append to an existing eve.json instead of replacing it"},
    {"outputs.eve.buffer-size", "1mb", "EVE writer buffer"},
    {"outputs.eve.types.flow", "yes", "write flow events"},
    {"outputs.eve.types.anomaly", "yes", "write anomaly events"},
    {"outputs.eve.types.stats", "yes", "write a stats event at the end of the run"},
    {"outputs.eve.types.alert", "yes", "write alert events"},
    {"outputs.eve.types.drop", "yes", "write drop events (--simulate-ips)"},
    {"outputs.eve.types.http", "yes", "write http events (one per HTTP transaction)"},
    {"outputs.eve.types.dns", "yes", "write dns events (queries and answers)"},
    {"outputs.eve.types.tls", "yes", "write tls events (one per handshake)"},
    {"outputs.eve.types.ssh", "yes", "write ssh events"},
    {"outputs.eve.types.modbus", "yes", "write modbus events (one per request/response)"},
    {"outputs.eve.types.dnp3", "yes", "write dnp3 events (one per request and per response)"},
    {"outputs.eve.types.enip", "yes", "write enip events (EtherNet/IP and CIP)"},
    {"outputs.eve.types.iec104", "yes", "write iec104 events (IEC 60870-5-104 APDUs)"},
    {"outputs.eve.types.s7comm", "yes", "write s7comm events (S7comm and S7comm-plus)"},
    {"outputs.eve.types.mms", "yes", "write mms events (IEC 61850 MMS)"},
    {"outputs.eve.types.bacnet", "yes", "write bacnet events (BACnet/IP)"},
    {"outputs.eve.types.goose", "yes", "write goose events (IEC 61850 GOOSE)"},
    {"outputs.eve.types.opcua", "yes", "write opcua events (OPC UA binary)"},
    {"outputs.eve.types.asset", "yes", "write asset events when a device appears or changes"},
    {"assets.enabled", "yes", "keep the passive asset inventory (assets.json, asset events)"},
    {"assets.max-devices", "65536", "devices the inventory holds at most (later ones are counted)"},
    {"assets.oui-folder", "/usr/share/ieee-data", "IEEE registry CSVs naming MAC vendors"},
    {"assets.networks", "$HOME_NET",
     "addresses that become devices by being seen (industrial peers always do)"},
    {"outputs.eve.types.fileinfo", "yes", "write fileinfo events (files carried by HTTP)"},
    {"outputs.eve.dns.version", "3", "dns record format: 3 (Suricata 8) or 2 (per query/answer)"},
    {"outputs.eve.http.extended", "no", "http events carry request_headers/response_headers"},
    {"outputs.eve.alert.payload", "no", "alerts carry the packet's payload, base64 (payload)"},
    {"outputs.eve.alert.payload-printable", "no",
     "alerts carry the payload's printable characters (payload_printable)"},
    {"outputs.eve.alert.payload-buffer-size", "4kb", "payload bytes an alert logs at most"},
    {"outputs.eve.alert.packet", "no",
     "alerts carry the frame, base64 (packet), and its link type (packet_info)"},
    {"outputs.eve.fileinfo.force-magic", "no",
     "libmagic type of every file (also on when a rule uses filemagic/file.magic)"},
    {"outputs.eve.fileinfo.force-hash", "no",
     "digests of every file: yes (md5, sha1, sha256), no, or a list such as [md5, sha256]; a "
     "rule (filemd5/sha1/sha256) or an indicator on a hash turns its own digest on"},
    {"outputs.filestore.dir", "", "store extracted files here by SHA-256 ('' = do not store)"},
    {"app-layer.enabled", "yes", "parse application protocols (HTTP, DNS, TLS, SSH)"},
    {"app-layer.max-transactions", "256", "transactions kept per flow before the oldest go"},
    {"app-layer.protocols.dnp3.max-objects", "2048",
     "DNP3 object headers decoded per message; more raise dnp3.too_many_objects (at most 65536)"},
    {"app-layer.max-publishers", "1024",
     "frame-protocol (GOOSE) publishers tracked per worker; the least recently seen go"},
    {"app-layer.publisher-timeout", "120",
     "seconds after which an idle GOOSE publisher is forgotten"},
    {"app-layer.protocols.http.request-body-limit", "100kb",
     "request body bytes kept per HTTP transaction for inspection"},
    {"app-layer.protocols.http.response-body-limit", "100kb",
     "response body bytes kept per HTTP transaction for inspection"},
    // Server ports where a protocol's probe may rely on the port ("53, 5353", "[80,8080]",
    // "1024:2048"); set, they replace the protocol's built-in ports. '' = built-in.
    {"app-layer.protocols.dns.detection-ports.dp", "", "DNS server ports (TCP and UDP)"},
    {"app-layer.protocols.dns.tcp.detection-ports.dp", "", "DNS over TCP server ports"},
    {"app-layer.protocols.dns.udp.detection-ports.dp", "", "DNS over UDP server ports"},
    {"app-layer.protocols.http.detection-ports.dp", "", "HTTP server ports"},
    {"app-layer.protocols.http.tcp.detection-ports.dp", "", "HTTP server ports"},
    {"app-layer.protocols.tls.detection-ports.dp", "", "TLS server ports"},
    {"app-layer.protocols.tls.tcp.detection-ports.dp", "", "TLS server ports"},
    {"app-layer.protocols.ssh.detection-ports.dp", "", "SSH server ports"},
    {"app-layer.protocols.ssh.tcp.detection-ports.dp", "", "SSH server ports"},
    {"datasets.data-dir", "/var/lib/tocsin/data",
     "where dataset save/state files are written (--data-dir)"},
    {"datasets.rules.allow-absolute-filenames", "no",
     "datasets may name absolute paths or '..' (off: they stay in the rule or data folder)"},
    {"datasets.rules.allow-write", "yes", "datasets may save their state to disk"},
    {"classification-file", "", "classification.config for classtype (built-in table if empty)"},
    {"threshold-file", "", "threshold.config: suppress, threshold, event_filter, rate_filter"},
    {"detect.packet-alert-max", "15", "alerts kept per packet"},
    {"default-log-dir", ".", "log directory when -l is not given"},
    {"stats.interval", "8", "live capture: seconds between stats events (0: only at the end)"},
    {"runmode", "workers", "accepted for Suricata compatibility"},
    {"intel.validity", "packet",
     "indicator valid_from/valid_until: packet (checked against packet time) or ignore"},
    {"intel.max-indicators", "10000000", "indicators loaded at most (later ones are counted)"},
    {"intel.store", "", "a folder of intelligence loaded by every run ('' = none)"},
    {"sensor.name", "", "this sensor's name in sightings ('' = the host name)"},
    {"sensor.identity", "", "this sensor's STIX identity id ('' = identity--<uuidv5 of the name>)"},
};

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
}

using Setter = std::function<void(const std::string&, const std::string&)>;

std::string join_key(const std::string& prefix, const std::string& key) {
    return prefix.empty() ? key : prefix + "." + key;
}

void flatten(const YAML::Node& node, const std::string& prefix, const Setter& set) {
    if (node.IsMap()) {
        for (const auto& item : node)
            flatten(item.second, join_key(prefix, item.first.as<std::string>()), set);
    } else if (node.IsSequence()) {
        // A list becomes the comma-separated names of its items ("ports: [4789, 8472]",
        // "types: [alert, flow]"). Items that are one-key maps, as in suricata.yaml's
        // "outputs: - eve-log: {...}", are named by their key and flattened beneath it.
        std::string joined;
        for (const auto& item : node) {
            std::string name;
            if (item.IsScalar()) {
                name = item.as<std::string>();
            } else if (item.IsMap() && item.size() == 1) {
                const auto only = item.begin();
                name = only->first.as<std::string>();
                flatten(only->second, join_key(prefix, name), set);
            } else {
                continue;
            }
            joined += (joined.empty() ? "" : ",") + name;
        }
        if (!prefix.empty()) set(prefix, joined);
    } else if (node.IsScalar() && !prefix.empty()) {
        set(prefix, node.as<std::string>());
    }
}

// Suricata's names for settings Tocsin keeps under its own key.
const std::vector<std::pair<std::string_view, std::string_view>> kAliases = {
    {"stream.checksum-validation", "checksum-validation"},
    {"pcap-file.checksum-checks", "checksum-validation"},
    {"outputs.eve-log.filename", "outputs.eve.filename"},
    {"outputs.eve-log.append", "outputs.eve.append"},
    {"outputs.eve-log.types.alert.payload", "outputs.eve.alert.payload"},
    {"outputs.eve-log.types.alert.payload-printable", "outputs.eve.alert.payload-printable"},
    {"outputs.eve-log.types.alert.payload-buffer-size", "outputs.eve.alert.payload-buffer-size"},
    {"outputs.eve-log.types.alert.packet", "outputs.eve.alert.packet"},
    {"packet-alert-max", "detect.packet-alert-max"},
    {"app-layer.protocols.http.libhtp.default-config.request-body-limit",
     "app-layer.protocols.http.request-body-limit"},
    {"app-layer.protocols.http.libhtp.default-config.response-body-limit",
     "app-layer.protocols.http.response-body-limit"},
};

// Suricata's --set names list items by index ("outputs.1.eve-log.types.0.alert.packet"), where
// a flattened suricata.yaml names them by their key: the all-digit components are dropped.
std::string without_list_indexes(std::string_view key) {
    std::string named;
    while (!key.empty()) {
        const std::size_t dot = key.find('.');
        const std::string_view part = key.substr(0, dot);
        key = dot == std::string_view::npos ? std::string_view{} : key.substr(dot + 1);
        if (!part.empty() && std::all_of(part.begin(), part.end(),
                                         [](unsigned char c) { return std::isdigit(c) != 0; }))
            continue;
        if (!named.empty()) named += '.';
        named += part;
    }
    return named;
}

}  // namespace

std::optional<std::uint64_t> parse_size(std::string_view text) {
    std::string t = trim(text);
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
    std::uint64_t number = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), number);
    if (ec != std::errc{} || end == t.data()) return std::nullopt;
    std::string_view unit(end, t.data() + t.size() - end);
    while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
    std::uint64_t scale = 1;
    if (unit.empty() || unit == "b") {
        scale = 1;
    } else if (unit == "kb" || unit == "k" || unit == "kib") {
        scale = 1ULL << 10;
    } else if (unit == "mb" || unit == "m" || unit == "mib") {
        scale = 1ULL << 20;
    } else if (unit == "gb" || unit == "g" || unit == "gib") {
        scale = 1ULL << 30;
    } else {
        return std::nullopt;
    }
    if (number > UINT64_MAX / scale) return std::nullopt;
    return number * scale;
}

std::optional<bool> parse_bool(std::string_view text) {
    std::string t = trim(text);
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
    if (t == "yes" || t == "true" || t == "on" || t == "1" || t == "all") return true;
    if (t == "no" || t == "false" || t == "off" || t == "0" || t == "none") return false;
    return std::nullopt;
}

Config::Config() {
    for (const auto& k : kKnownKeys) values_[std::string(k.key)] = std::string(k.default_value);
}

const std::vector<ConfigKeyInfo>& Config::known_keys() {
    return kKnownKeys;
}

void Config::load_yaml_text(std::string_view text) {
    try {
        YAML::Node root = YAML::Load(std::string(text));
        flatten(root, "", [this](const std::string& k, const std::string& v) { set(k, v); });
    } catch (const YAML::Exception& e) {
        throw ConfigError(std::string("invalid YAML: ") + e.what());
    }
}

void Config::load_yaml_file(const std::string& path) {
    try {
        YAML::Node root = YAML::LoadFile(path);
        flatten(root, "", [this](const std::string& k, const std::string& v) { set(k, v); });
    } catch (const YAML::BadFile&) {
        throw ConfigError(path + ": cannot read configuration file");
    } catch (const YAML::Exception& e) {
        throw ConfigError(path + ": invalid YAML: " + e.what());
    }
}

void Config::set_override(std::string_view assignment) {
    auto eq = assignment.find('=');
    if (eq == std::string_view::npos || eq == 0)
        throw ConfigError("--set wants KEY=VALUE, got '" + std::string(assignment) + "'");
    set(trim(assignment.substr(0, eq)), trim(assignment.substr(eq + 1)));
}

void Config::set(std::string_view key, std::string_view value) {
    if (key.starts_with("outputs.") && key.find_first_of("0123456789") != std::string_view::npos) {
        const std::string named = without_list_indexes(key);
        if (named != key) return set(named, value);
    }
    for (const auto& [alias, canonical] : kAliases) {
        if (key == alias) {
            values_[std::string(canonical)] = std::string(value);
            return;
        }
    }
    if (key == "outputs.eve-log.types") {
        // suricata.yaml lists the record types to write; Tocsin's switches follow the list.
        const std::string list = "," + std::string(value) + ",";
        for (const char* type : {"flow", "anomaly", "stats", "alert", "drop"})
            values_[std::string("outputs.eve.types.") + type] =
                list.find(std::string(",") + type + ",") != std::string::npos ? "yes" : "no";
        return;
    }
    values_[std::string(key)] = std::string(value);
}

std::optional<std::string> Config::get(std::string_view key) const {
    auto it = values_.find(key);
    if (it == values_.end()) return std::nullopt;
    // "$NAME" refers to a variable, as in suricata.yaml ("ports: $VXLAN_PORTS").
    std::string value = it->second;
    for (int depth = 0; depth < 8 && value.size() > 1 && value.front() == '$'; ++depth) {
        const std::string name = value.substr(1);
        auto var = values_.find("vars.port-groups." + name);
        if (var == values_.end()) var = values_.find("vars.address-groups." + name);
        if (var == values_.end()) break;
        value = var->second;
    }
    return value;
}

std::string Config::get_string(std::string_view key) const {
    return get(key).value_or("");
}

bool Config::get_bool(std::string_view key) const {
    auto v = get(key);
    if (!v) return false;
    auto b = parse_bool(*v);
    if (!b) throw ConfigError(std::string(key) + ": expected yes/no, got '" + *v + "'");
    return *b;
}

std::int64_t Config::get_int(std::string_view key) const {
    std::string v = trim(get_string(key));
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{} || end != v.data() + v.size())
        throw ConfigError(std::string(key) + ": expected an integer, got '" + v + "'");
    return n;
}

std::uint64_t Config::get_size(std::string_view key) const {
    std::string v = get_string(key);
    auto n = parse_size(v);
    if (!n) throw ConfigError(std::string(key) + ": expected a size like 64mb, got '" + v + "'");
    return *n;
}

std::uint32_t Config::get_seconds(std::string_view key) const {
    std::string v = trim(get_string(key));
    std::uint32_t scale = 1;
    if (!v.empty() && (v.back() == 'm' || v.back() == 's' || v.back() == 'h')) {
        scale = v.back() == 'm' ? 60 : v.back() == 'h' ? 3600 : 1;
        v.pop_back();
    }
    std::uint32_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{} || end != v.data() + v.size())
        throw ConfigError(std::string(key) + ": expected seconds, got '" + get_string(key) + "'");
    return n * scale;
}

std::vector<std::pair<std::string, std::string>> Config::with_prefix(
    std::string_view prefix) const {
    std::vector<std::pair<std::string, std::string>> out;
    for (auto it = values_.lower_bound(prefix); it != values_.end(); ++it) {
        if (!std::string_view(it->first).starts_with(prefix)) break;
        out.emplace_back(it->first.substr(prefix.size()), it->second);
    }
    return out;
}

std::vector<std::string> Config::unknown_keys() const {
    std::vector<std::string> out;
    for (const auto& entry : values_) {
        const std::string& key = entry.first;
        // Variables belong to rules (next to come) and to "$NAME" references.
        bool known = key.starts_with("vars.") ||
                     std::any_of(kKnownKeys.begin(), kKnownKeys.end(),
                                 [&](const ConfigKeyInfo& k) { return k.key == key; });
        if (!known) out.push_back(key);
    }
    return out;
}

}  // namespace tocsin
