#include "detect/rule_loader.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

namespace tocsin::detect {

namespace {

constexpr std::size_t kMaxRuleLength = 64 * 1024;

bool read_file(const std::string& path, std::string& text) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream s;
    s << in.rdbuf();
    text = s.str();
    return true;
}

// Application protocols a rule header may name, and the transports they ride on.
struct AppProtocol {
    std::string_view name;
    bool tcp;
    bool udp;
};
constexpr AppProtocol kAppProtocols[] = {
    {"http", true, false},
    {"http1", true, false},
    {"http2", true, false},
    {"ftp", true, false},
    {"ftp-data", true, false},
    {"smtp", true, false},
    {"tls", true, false},
    {"ssl", true, false},
    {"ssh", true, false},
    {"imap", true, false},
    {"pop3", true, false},
    {"smb", true, true},
    {"dcerpc", true, true},
    {"dns", true, true},
    {"modbus", true, false},
    {"enip", true, true},
    {"cip", true, true},
    {"dnp3", true, true},
    {"nfs", true, true},
    {"ntp", false, true},
    {"tftp", false, true},
    {"ike", false, true},
    {"ikev2", false, true},
    {"krb5", true, true},
    {"dhcp", false, true},
    {"snmp", false, true},
    {"sip", true, true},
    {"rfb", true, false},
    {"mqtt", true, false},
    {"rdp", true, false},
    {"pgsql", true, false},
    {"telnet", true, false},
    {"websocket", true, false},
    {"ldap", true, true},
    {"doh2", true, false},
    {"quic", false, true},
    {"bittorrent-dht", false, true},
    {"irc", true, false},
    {"nntp", true, false},
    {"jabber", true, false},
    {"msn", true, false},
    {"iec104", true, false},
    {"s7comm", true, false},
    {"bacnet", false, true},
    {"opcua", true, false},
    {"mms", true, false},
    {"goose", false, false},  // neither: carried in Ethernet frames (Ethertype 0x88b8)
};

std::string apply_header_protocol(Signature& sig, std::string_view proto) {
    if (proto == "ip")
        sig.protocol = SigProtocol::ip;
    else if (proto == "ipv4")
        sig.protocol = SigProtocol::ipv4;
    else if (proto == "ipv6")
        sig.protocol = SigProtocol::ipv6;
    else if (proto == "tcp")
        sig.protocol = SigProtocol::tcp;
    else if (proto == "tcp-pkt") {
        sig.protocol = SigProtocol::tcp;
        sig.scope = PayloadScope::packet_only;
    } else if (proto == "tcp-stream") {
        sig.protocol = SigProtocol::tcp;
        sig.scope = PayloadScope::stream_only;
    } else if (proto == "udp")
        sig.protocol = SigProtocol::udp;
    else if (proto == "icmp")
        sig.protocol = SigProtocol::icmp;
    else if (proto == "icmpv4")
        sig.protocol = SigProtocol::icmpv4;
    else if (proto == "icmpv6")
        sig.protocol = SigProtocol::icmpv6;
    else if (proto == "sctp")
        sig.protocol = SigProtocol::sctp;
    else if (proto == "pkthdr")
        sig.protocol = SigProtocol::pkthdr;
    else if (proto == "ether")
        sig.protocol = SigProtocol::ether;
    else {
        for (const AppProtocol& app : kAppProtocols) {
            if (app.name != proto) continue;
            sig.protocol = app.tcp && app.udp ? SigProtocol::ip
                           : app.tcp          ? SigProtocol::tcp
                           : app.udp          ? SigProtocol::udp
                                              : SigProtocol::ether;
            if (!app.tcp && !app.udp) {
                // A frame protocol has no IP addresses or ports to test: only "any".
                const auto any_addresses = [](const AddressSet& a) {
                    return a.v4().size() == 1 && a.v4()[0].first == U128{} &&
                           a.v4()[0].last.lo == 0xffffffffULL && a.v6().size() == 1 &&
                           a.v6()[0].first == U128{} && a.v6()[0].last == U128{~0ULL, ~0ULL};
                };
                const auto any_ports = [](const PortSet& p) {
                    return p.ranges().size() == 1 && p.ranges()[0].first == 0 &&
                           p.ranges()[0].last == 65535;
                };
                if (!any_addresses(sig.source) || !any_addresses(sig.destination) ||
                    !any_ports(sig.source_ports) || !any_ports(sig.destination_ports))
                    return "protocol '" + std::string(proto) +
                           "' takes only 'any' addresses and ports";
            }
            // Spellings of one protocol: ssl is tls, http1 is http, cip rides on enip.
            sig.app_proto = app.name == "ssl"     ? "tls"
                            : app.name == "http1" ? "http"
                            : app.name == "cip"   ? "enip"
                                                  : std::string(app.name);
            return "";
        }
        return "unknown protocol '" + std::string(proto) + "'";
    }
    return "";
}

// Suricata picks the pattern that narrows candidates best; Tocsin takes the longest
// non-negated content, or the one marked fast_pattern.
// A rule that inspects application buffers is prefiltered on one of them: it is evaluated per
// transaction, whose buffers are what the prefilter scans.
bool is_transaction_buffer(BufferId id) {
    const BufferSpec& spec = buffer_spec(id);
    return spec.source == BufferSource::app && spec.name != "base64_data";
}

void choose_fast_pattern(Signature& sig) {
    const ContentMatch* best = nullptr;
    BufferId best_buffer = kBufferPayload;
    const bool per_transaction =
        std::any_of(sig.buffers.begin(), sig.buffers.end(),
                    [](const BufferMatches& l) { return is_transaction_buffer(l.buffer); });
    for (const BufferMatches& list : sig.buffers) {
        if (!list.transforms.empty()) continue;  // the prefilter scans untransformed data
        if (list.absent != BufferMatches::Absent::no) continue;  // may match with no buffer
        if (buffer_spec(list.buffer).name == "base64_data") continue;
        if (per_transaction && !is_transaction_buffer(list.buffer)) continue;
        for (const PayloadMatch& m : list.matches) {
            const auto* c = std::get_if<ContentMatch>(&m);
            if (c == nullptr || c->negated) continue;
            if (c->fast_pattern) {
                best = c;
                best_buffer = list.buffer;
                goto chosen;
            }
            if (best == nullptr || c->bytes.size() > best->bytes.size()) {
                best = c;
                best_buffer = list.buffer;
            }
        }
    }
chosen:
    if (best == nullptr) return;
    Signature::FastPattern fp;
    fp.buffer = best_buffer;
    fp.nocase = best->nocase;
    fp.bytes = best->fast_length > 0 ? best->bytes.substr(best->fast_offset, best->fast_length)
                                     : best->bytes;
    sig.fast_pattern = std::move(fp);
}

std::string check_whole_rule(Signature& sig) {
    for (const BufferMatches& list : sig.buffers) {
        const BufferSpec& spec = buffer_spec(list.buffer);
        if (list.matches.empty() && list.transforms.empty()) continue;
        if (!spec.app_proto.empty() && !sig.app_proto.empty() && spec.app_proto != sig.app_proto &&
            !(spec.app_proto == "http" && sig.app_proto == "http2"))
            return "buffer " + std::string(spec.name) + " does not belong to protocol " +
                   sig.app_proto;
        if (spec.source == BufferSource::app && sig.protocol == SigProtocol::icmp)
            return "buffer " + std::string(spec.name) + " cannot be used with icmp";
        if (spec.direction == BufferDirection::to_client && sig.flow.to_server)
            return "buffer " + std::string(spec.name) + " only exists to_client, rule is to_server";
        if (spec.direction == BufferDirection::to_server && sig.flow.to_client)
            return "buffer " + std::string(spec.name) + " only exists to_server, rule is to_client";
    }
    // A rule must match something: an empty sticky buffer is Suricata's error too.
    for (const BufferMatches& list : sig.buffers)
        if (list.matches.empty() && !list.transforms.empty())
            return "sticky buffer " + std::string(buffer_spec(list.buffer).name) + " has no match";
    if (sig.detection_filter && sig.detection_filter->unique_on != UniqueOn::none &&
        sig.protocol != SigProtocol::tcp && sig.protocol != SigProtocol::udp &&
        sig.protocol != SigProtocol::sctp)
        return "detection_filter unique_on needs a protocol with ports";
    choose_fast_pattern(sig);
    return "";
}

// "unknown keyword 'foo'" -> "unknown keyword"; "content: odd number..." -> "content: ...".
std::string cause_of(const std::string& reason) {
    const std::size_t quote = reason.find(" '");
    if (quote != std::string::npos) return reason.substr(0, quote);
    return reason;
}

}  // namespace

std::optional<Signature> compile_rule(std::string_view text, LoadContext& context,
                                      std::string& error) {
    if (text.size() > kMaxRuleLength) {
        error = "rule longer than 64 KiB";
        return std::nullopt;
    }
    RuleParseResult parsed = parse_rule(text, context.variables);
    if (!parsed.rule) {
        error = parsed.error;
        return std::nullopt;
    }
    const Rule& rule = *parsed.rule;
    Signature sig;
    sig.action = rule.action;
    sig.gid = rule.gid;
    sig.sid = rule.sid;
    sig.rev = rule.rev;
    sig.msg = rule.msg;
    sig.source = rule.source;
    sig.destination = rule.destination;
    sig.source_ports = rule.source_ports;
    sig.destination_ports = rule.destination_ports;
    sig.bidirectional = rule.bidirectional;
    if (error = apply_header_protocol(sig, rule.protocol); !error.empty()) return std::nullopt;

    SignatureBuilder builder(sig, context);
    const KeywordTable& table = KeywordTable::standard();
    for (const RuleOption& option : rule.options) {
        const KeywordSpec* spec = table.find(option.name);
        if (spec == nullptr) {
            error = "unknown keyword '" + option.name + "'";
            return std::nullopt;
        }
        if (spec->value == KeywordValue::none && option.has_value) {
            error = option.name + " takes no value";
            return std::nullopt;
        }
        if (spec->value == KeywordValue::required && !option.has_value) {
            error = option.name + " needs a value";
            return std::nullopt;
        }
        builder.keyword = spec;
        builder.keyword_has_value = option.has_value;
        std::string problem = spec->setup(builder, spec->raw ? option.raw_value : option.value);
        if (!problem.empty()) {
            error = problem.starts_with(option.name) ? problem : option.name + ": " + problem;
            return std::nullopt;
        }
    }
    if (error = check_whole_rule(sig); !error.empty()) return std::nullopt;
    return sig;
}

RuleLoadOptions rule_load_options(const Config& config, std::vector<std::string>& errors) {
    RuleLoadOptions options;
    options.variables = NetVariables::from_config(config);
    if (auto path = config.get("classification-file"); path && !path->empty()) {
        std::string text;
        if (!read_file(*path, text)) {
            errors.push_back("cannot read classification file " + *path);
        } else {
            std::vector<std::string> problems;
            options.classifications = Classifications::parse(text, problems);
            for (const std::string& p : problems) errors.push_back(*path + ": " + p);
        }
    }
    if (auto path = config.get("threshold-file"); path && !path->empty())
        options.threshold_file = *path;
    // Dataset save/state files: Suricata's data directory (--data-dir) and its rule limits.
    if (auto dir = config.get("datasets.data-dir"); dir && !dir->empty())
        options.datasets.data_dir = *dir;
    if (auto v = config.get("datasets.rules.allow-absolute-filenames"))
        options.datasets.allow_absolute = parse_bool(*v).value_or(false);
    if (auto v = config.get("datasets.rules.allow-write"))
        options.datasets.allow_write = parse_bool(*v).value_or(true);
    return options;
}

RuleSet load_rules(const std::vector<std::string>& files, const RuleLoadOptions& options) {
    RuleSet set;
    LoadContext context;
    context.variables = options.variables;
    context.classifications = &options.classifications;
    context.datasets = std::make_shared<DatasetStore>(options.datasets);
    for (const std::string& file : files) {
        context.rule_file = file;
        std::string text;
        if (!read_file(file, text)) {
            set.errors.push_back(
                {file, 0, std::nullopt, "cannot read the file", "unreadable file"});
            continue;
        }
        for (const RuleSource& source : split_rules(text)) {
            ++set.rules_seen;
            std::string error;
            std::optional<Signature> sig = compile_rule(source.text, context, error);
            if (!sig) {
                const RuleParseResult ids = parse_rule(source.text, context.variables);
                RuleError e{file, source.line, ids.sid, error, cause_of(error)};
                if (!e.sid) {
                    // The sid of a rule whose grammar failed: best effort from the text.
                    const std::size_t at = source.text.find("sid:");
                    if (at != std::string::npos) {
                        std::uint64_t n = 0;
                        const std::size_t end = source.text.find(';', at);
                        if (parse_u64(std::string_view(source.text).substr(at + 4, end - at - 4),
                                      n))
                            e.sid = static_cast<std::uint32_t>(n);
                    }
                }
                set.errors.push_back(std::move(e));
                continue;
            }
            sig->file = file;
            sig->line = source.line;
            set.signatures.push_back(std::move(*sig));
        }
    }
    if (!options.threshold_file.empty()) {
        std::string text;
        if (!read_file(options.threshold_file, text)) {
            set.errors.push_back({options.threshold_file, 0, std::nullopt, "cannot read the file",
                                  "unreadable file"});
        } else {
            std::vector<std::string> problems;
            set.thresholds = ThresholdConfig::parse(text, options.variables, problems);
            for (const std::string& p : problems)
                set.errors.push_back(
                    {options.threshold_file, 0, std::nullopt, p, "threshold.config"});
        }
    }
    // Two rules with one gid:sid: as in Suricata, the higher rev stays (the first on a tie)
    // and the other is reported.
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::size_t> seen;
    std::vector<Signature> unique;
    unique.reserve(set.signatures.size());
    for (Signature& sig : set.signatures) {
        auto [it, fresh] = seen.emplace(std::make_pair(sig.gid, sig.sid), unique.size());
        if (fresh) {
            unique.push_back(std::move(sig));
            continue;
        }
        Signature& kept = unique[it->second];
        const bool replace = sig.rev > kept.rev;
        const Signature& dropped = replace ? kept : sig;
        const Signature& winner = replace ? sig : kept;
        set.errors.push_back({dropped.file, dropped.line, dropped.sid,
                              "duplicate sid (rev " + std::to_string(dropped.rev) + "; rev " +
                                  std::to_string(winner.rev) + " at " + winner.file + ":" +
                                  std::to_string(winner.line) + " is kept)",
                              "duplicate sid"});
        if (replace) kept = std::move(sig);
    }
    set.signatures = std::move(unique);
    set.flowbit_count = context.flowbit_ids.size();
    auto traffic = std::make_shared<std::vector<TrafficBit>>();
    for (const auto& [name, bit] : context.flowbit_ids) {
        const std::string_view n = name;
        if (n.starts_with("traffic/id/") && n.size() > 11)
            traffic->push_back(TrafficBit{bit, false, std::string(n.substr(11))});
        else if (n.starts_with("traffic/label/") && n.size() > 14)
            traffic->push_back(TrafficBit{bit, true, std::string(n.substr(14))});
    }
    set.traffic_bits = std::move(traffic);
    set.flowint_count = context.flowint_ids.size();
    set.datasets = std::move(context.datasets);
    return set;
}

std::string format_rule_error(const RuleError& e) {
    std::string out = e.file + ":" + std::to_string(e.line) + ": ";
    if (e.sid) out += "sid " + std::to_string(*e.sid) + ": ";
    return out + e.reason;
}

std::string format_error_summary(const RuleSet& set) {
    std::map<std::string, std::size_t> causes;
    for (const RuleError& e : set.errors) causes[e.cause]++;
    std::vector<std::pair<std::size_t, std::string>> sorted;
    for (const auto& [cause, n] : causes) sorted.emplace_back(n, cause);
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    std::string out = std::to_string(set.signatures.size()) + " of " +
                      std::to_string(set.rules_seen) + " rules loaded, " +
                      std::to_string(set.errors.size()) + " failed\n";
    for (const auto& [n, cause] : sorted) out += "  " + std::to_string(n) + "  " + cause + "\n";
    return out;
}

}  // namespace tocsin::detect
