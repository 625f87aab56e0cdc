#include "detect/engine.h"

#include <hs/hs.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iterator>
#include <map>

#include "applayer/applayer.h"
#include "detect/text.h"
#include "stream/tcp.h"

namespace tocsin::detect {

namespace {

// Packet classes a group serves; a packet belongs to exactly one.
enum PacketClass : std::size_t { kTcp, kUdp, kIcmp4, kIcmp6, kOtherIp, kNotIp, kClassCount };

std::size_t packet_class(const Packet& pkt) {
    if (pkt.ip_version == 0) return kNotIp;
    // By the IP header's protocol even when the transport header is broken: "alert tcp ...
    // decode-event:tcp.pkt_too_small" must see the packet.
    switch (pkt.ip_proto) {
        case kProtoTcp:
            return kTcp;
        case kProtoUdp:
            return kUdp;
        case kProtoIcmp:
            return kIcmp4;
        case kProtoIcmpv6:
            return kIcmp6;
        default:
            return kOtherIp;
    }
}

std::vector<std::size_t> signature_classes(const Signature& sig) {
    switch (sig.protocol) {
        case SigProtocol::ip: {
            if (sig.app_proto.empty()) return {kTcp, kUdp, kIcmp4, kIcmp6, kOtherIp};
            return {kTcp, kUdp};
        }
        case SigProtocol::ipv4:
        case SigProtocol::ipv6:
            return {kTcp, kUdp, kIcmp4, kIcmp6, kOtherIp};
        case SigProtocol::tcp:
            return {kTcp};
        case SigProtocol::udp:
            return {kUdp};
        case SigProtocol::icmp:
            return {kIcmp4, kIcmp6};
        case SigProtocol::icmpv4:
            return {kIcmp4};
        case SigProtocol::icmpv6:
            return {kIcmp6};
        case SigProtocol::sctp:
            return {kOtherIp};
        case SigProtocol::ether:
        case SigProtocol::pkthdr:
            return {kTcp, kUdp, kIcmp4, kIcmp6, kOtherIp, kNotIp};
    }
    return {};
}

// Order of evaluation, as Suricata's: pass before drop before reject before alert; rules that
// set flowbits before rules that read them; then priority; then file order.
int action_rank(RuleAction a) {
    switch (a) {
        case RuleAction::pass:
            return 0;
        case RuleAction::drop:
            return 1;
        case RuleAction::reject:
        case RuleAction::rejectsrc:
        case RuleAction::rejectdst:
        case RuleAction::rejectboth:
            return 2;
        case RuleAction::alert:
            return 3;
    }
    return 3;
}

int flowbit_rank(const Signature& sig) {
    bool sets = false, reads = false;
    auto classify = [&](FlowbitCommand c) {
        if (c == FlowbitCommand::isset || c == FlowbitCommand::isnotset)
            reads = true;
        else
            sets = true;
    };
    for (const FlowbitOp& op : sig.flowbits) classify(op.command);
    for (const HostbitOp& op : sig.hostbits) classify(op.command);
    if (sets && !reads) return 0;
    if (sets && reads) return 1;
    if (!reads) return 2;
    return 3;
}

bool is_any(const AddressSet& s) {
    return s.v4().size() == 1 && s.v4()[0].first == U128{} && s.v4()[0].last.lo == 0xffffffffULL &&
           s.v6().size() == 1 && s.v6()[0].first == U128{} && s.v6()[0].last == U128{~0ULL, ~0ULL};
}

bool is_any(const PortSet& s) {
    return s.ranges().size() == 1 && s.ranges()[0].first == 0 && s.ranges()[0].last == 65535;
}

bool has_ports(const Packet& pkt) {
    return pkt.has_l4 &&
           (pkt.ip_proto == kProtoTcp || pkt.ip_proto == kProtoUdp || pkt.ip_proto == 132);
}

bool is_drop_action(RuleAction a) {
    return a == RuleAction::drop || a == RuleAction::reject || a == RuleAction::rejectsrc ||
           a == RuleAction::rejectdst || a == RuleAction::rejectboth;
}

// Numbers each engine a process builds, so per-flow state made under one engine is known as
// stale after a reload. The only process-wide counter of the stage; atomic, never reset.
std::atomic<std::uint64_t> engine_generations{1};

// A rule that tests nothing but the packet's addresses and protocol.
// Setting flowbits after the match (ET's reputation rules do) keeps a rule IP-only; reading
// them does not.
bool ip_only(const Signature& sig) {
    const FlowCondition& f = sig.flow;
    auto reads = [](FlowbitCommand c) {
        return c == FlowbitCommand::isset || c == FlowbitCommand::isnotset;
    };
    const bool reads_bits = std::any_of(sig.flowbits.begin(), sig.flowbits.end(),
                                        [&](const FlowbitOp& op) { return reads(op.command); }) ||
                            std::any_of(sig.hostbits.begin(), sig.hostbits.end(),
                                        [&](const HostbitOp& op) { return reads(op.command); });
    return sig.buffers.empty() && sig.packet_conditions.empty() && sig.custom_conditions.empty() &&
           !reads_bits && sig.flowints.empty() && sig.decode_events.empty() &&
           sig.app_conditions.empty() && sig.tx_conditions.empty() &&
           sig.app_layer_protocols.empty() && sig.stream_sizes.empty() && sig.app_proto.empty() &&
           !f.to_server && !f.to_client && !f.established && !f.not_established && !f.only_stream &&
           !f.no_stream && !f.only_frag && !f.no_frag && sig.protocol != SigProtocol::pkthdr &&
           sig.protocol != SigProtocol::ether && is_any(sig.source_ports) &&
           is_any(sig.destination_ports);
}

// Suricata's "PD-only" rule: app-layer-protocol is its only test beyond the header and the
// flow keyword (setting flowbits is allowed). "unknown" is true before detection finishes,
// so a rule asking for it is an ordinary one.
bool protocol_detection_only(const Signature& sig) {
    if (sig.app_layer_protocols.empty()) return false;
    for (const AppProtocolTest& t : sig.app_layer_protocols)
        if (std::find(t.names.begin(), t.names.end(), "unknown") != t.names.end()) return false;
    const bool reads_bits = std::any_of(sig.flowbits.begin(), sig.flowbits.end(),
                                        [](const FlowbitOp& op) {
                                            return op.command == FlowbitCommand::isset ||
                                                   op.command == FlowbitCommand::isnotset;
                                        }) ||
                            !sig.hostbits.empty();
    return sig.buffers.empty() && sig.packet_conditions.empty() && sig.custom_conditions.empty() &&
           !reads_bits && sig.flowints.empty() && sig.decode_events.empty() &&
           sig.app_conditions.empty() && sig.tx_conditions.empty() && sig.stream_sizes.empty() &&
           sig.app_proto.empty() && sig.protocol != SigProtocol::pkthdr &&
           sig.protocol != SigProtocol::ether;
}

// A rule's application protocol against the flow's ("http" covers HTTP/1 and HTTP/2).
bool app_protocol_matches(std::string_view rule_app, std::string_view flow_app) {
    return flow_app == rule_app ||
           (rule_app == "http" && (flow_app == "http1" || flow_app == "http2"));
}

// app-layer-protocol against the flow. Every mode reads the flow's protocol, except
// "original": the protocol before a change (an HTTP CONNECT's tunnel), none without one. A
// negated test does not match while the protocol is still unknown.
bool app_protocol_test_matches(const AppProtocolTest& test, const flow::Flow* flow) {
    std::string_view have = flow != nullptr ? flow->app_proto : std::string_view{};
    const applayer::FlowApp* app = flow != nullptr ? applayer::AppLayer::state(*flow) : nullptr;
    if (have.empty() && app != nullptr && app->failed) have = "failed";
    if (test.mode == AppProtocolTest::Mode::original)
        have =
            app != nullptr && app->original != nullptr ? app->original->name : std::string_view{};
    // The HTTP parser's flows say "http" in EVE, as Suricata's do; rules call it "http1".
    const std::string_view canonical = have == "http" ? "http1" : have;
    const bool any = std::any_of(test.names.begin(), test.names.end(), [&](const std::string& n) {
        if (n == "unknown") return have.empty();
        if (have.empty()) return false;
        return n == canonical || (!test.exact && app_protocol_matches(n, canonical));
    });
    if (have.empty() && test.negated) return false;
    return any != test.negated;
}

// A keyword on a number of the transaction not compiled into a TxCondition yet (keywords_app.cpp
// compiles tls.version, ssl_version, dns.*, filesize...).
bool app_number_matches(std::string_view keyword, std::string_view value,
                        const applayer::Transaction& tx) {
    value = trim(value);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
    const std::optional<std::int64_t> have = tx.number(keyword);
    if (!have || *have < 0) return false;
    NumberTest test;
    if (!test.parse(value, ~0ULL >> 1).empty()) return false;
    return test.matches(static_cast<std::uint64_t>(*have));
}

}  // namespace

struct Engine::SigMeta {
    bool any_addresses = false;
    bool any_ports = false;
    // Inspects application buffers or state: evaluated per transaction, not per packet.
    bool per_transaction = false;
    // Which packets evaluate it: those of the direction its buffers belong to (a rule with
    // response buffers waits for the response), or either.
    bool to_server_only = false;
    bool to_client_only = false;
    // Tests only the transaction's app-layer events, in no direction: matches a transaction
    // once, not once per side (ET's TLS event rules "fire at most once per connection").
    // Conditions on one side's state (ssl_version) still match each side.
    bool once_per_transaction = false;
    // Tests app-layer-protocol and nothing else of the packet: evaluated only on the packet
    // that finishes protocol detection of a side.
    bool protocol_detection_only = false;
};

namespace {

bool is_transaction_buffer(BufferId id) {
    const BufferSpec& spec = buffer_spec(id);
    return spec.source == BufferSource::app && spec.name != "base64_data";
}

// The rules that already matched one transaction: a rule alerts once per transaction.
struct TxDetectState : public StageState {
    std::uint64_t generation = 0;
    // Sorted signature indices, per direction: a rule on buffers of both sides (ssh.software,
    // http.header) may match each side once, as in Suricata; a once_per_transaction rule is
    // kept in [0] whichever side matched.
    std::array<std::vector<std::uint32_t>, 2> matched;
};

}  // namespace

// One Vectorscan database: the fast patterns of a group's rules for one buffer.
struct PrefilterDb {
    BufferId buffer = kBufferPayload;
    hs_database_t* db = nullptr;
    std::vector<std::vector<std::uint32_t>> pattern_sigs;  // pattern id -> signatures
    std::size_t longest = 0;  // longest pattern: how far back a stream scan must reach
    // Transaction databases: whether any of its rules is evaluated on packets to the server /
    // to the client. A database whose rules all wait for the other direction is not scanned
    // (ET Open on the bench capture: the scans were a quarter of the run).
    std::array<bool, 2> for_direction{true, true};
};

// Rules that share a prefilter: one Vectorscan database per inspection buffer.
struct PrefilterPart {
    std::vector<PrefilterDb> dbs;
    std::vector<std::uint32_t> always;  // rules without a fast pattern
    // Rules about addresses only (Suricata's "IP-only"): candidates on the first packet of each
    // direction of a flow, as in Suricata; ET Open's reputation lists are thousands of them.
    std::vector<std::uint32_t> always_ip_only;
    // The same for rules of one application protocol: candidates only on its flows.
    std::vector<std::pair<std::string, std::uint32_t>> always_app;
    // Rules on application buffers: databases over transaction buffers, and the rules without
    // a fast pattern there (candidates for every transaction of their protocol).
    std::vector<PrefilterDb> tx_dbs;
    std::vector<std::pair<std::string, std::uint32_t>> tx_always;
    PrefilterPart() = default;
    PrefilterPart(PrefilterPart&& o) noexcept
        : dbs(std::move(o.dbs)),
          always(std::move(o.always)),
          always_ip_only(std::move(o.always_ip_only)),
          always_app(std::move(o.always_app)),
          tx_dbs(std::move(o.tx_dbs)),
          tx_always(std::move(o.tx_always)) {}
    PrefilterPart& operator=(PrefilterPart&&) = delete;
    ~PrefilterPart() {
        for (PrefilterDb& d : dbs) hs_free_database(d.db);
        for (PrefilterDb& d : tx_dbs) hs_free_database(d.db);
    }
};

// The rules for one packet class and direction: those for any server port, and those for
// specific server ports (dport to the server, sport to the client) split by port, so a packet
// scans the any-port part and the one part of its server port.
struct Engine::Group {
    PrefilterPart any_port;
    std::vector<PrefilterPart> by_port;
    std::vector<std::uint16_t> port_part;  // 65536 entries when by_port is not empty
    static constexpr std::uint16_t kNoPart = 0xffff;
};

class Engine::Scratch {
  public:
    ~Scratch() { hs_free_scratch(hs); }
    hs_scratch_t* hs = nullptr;
    std::vector<std::uint32_t> candidates;
    std::vector<std::uint32_t> merged;
    std::vector<std::uint8_t> pattern_hit;
    const PrefilterDb* scanning = nullptr;
    PayloadScratch payload;
    std::vector<std::uint8_t> transform_a, transform_b;
    ByteVariables variables{};
};

namespace {

int on_prefilter_match(unsigned int id, unsigned long long, unsigned long long, unsigned int,
                       void* context) {
    auto* scratch = static_cast<Engine::Scratch*>(context);
    for (std::uint32_t sig : scratch->scanning->pattern_sigs[id])
        scratch->candidates.push_back(sig);
    return 0;
}

}  // namespace

DetectOptions DetectOptions::from_config(const Config& config) {
    DetectOptions o;
    if (auto v = config.get("detect.packet-alert-max"); v) {
        std::uint64_t n = 0;
        if (parse_u64(*v, n) && n > 0 && n <= 1000) o.max_alerts_per_packet = n;
    }
    return o;
}

Engine::Engine(BuildKey) {}

Engine::~Engine() {
    hs_free_scratch(static_cast<hs_scratch_t*>(prototype_scratch_));
    // Sets with a save or state file are written when the rules that changed them go.
    if (rules_.datasets)
        for (const std::string& problem : rules_.datasets->save_all())
            std::fprintf(stderr, "tocsin: %s\n", problem.c_str());
}

std::shared_ptr<Engine> Engine::build(RuleSet rules, const DetectOptions& options,
                                      std::string& error) {
    auto engine = std::make_shared<Engine>(BuildKey{});
    engine->options_ = options;
    engine->generation_ = engine_generations++;
    std::vector<Signature>& sigs = rules.signatures;
    // Base64 data is produced by base64_decode in another list: inspect that list last.
    for (Signature& sig : sigs)
        std::stable_partition(sig.buffers.begin(), sig.buffers.end(), [](const BufferMatches& l) {
            return buffer_spec(l.buffer).name != "base64_data";
        });
    std::stable_sort(sigs.begin(), sigs.end(), [](const Signature& a, const Signature& b) {
        const auto ka = std::make_tuple(action_rank(a.action), flowbit_rank(a), a.priority);
        const auto kb = std::make_tuple(action_rank(b.action), flowbit_rank(b), b.priority);
        return ka < kb;
    });
    // A rule on application buffers is about that protocol even when its header says "tcp".
    for (Signature& sig : sigs) {
        if (!sig.app_proto.empty()) continue;
        for (const BufferMatches& list : sig.buffers)
            if (is_transaction_buffer(list.buffer)) {
                sig.app_proto = std::string(buffer_spec(list.buffer).app_proto);
                break;
            }
    }
    engine->meta_.resize(sigs.size());
    for (std::size_t i = 0; i < sigs.size(); ++i) {
        Signature& sig = sigs[i];
        sig.index = static_cast<std::uint32_t>(i);
        SigMeta& meta = engine->meta_[i];
        bool to_server = false, to_client = false;
        for (const BufferMatches& list : sig.buffers) {
            if (!is_transaction_buffer(list.buffer)) continue;
            meta.per_transaction = true;
            const BufferDirection d = buffer_spec(list.buffer).direction;
            to_server |= d == BufferDirection::to_server;
            to_client |= d == BufferDirection::to_client;
        }
        meta.per_transaction |= !sig.app_conditions.empty() || !sig.tx_conditions.empty();
        for (const BufferMatches& list : sig.buffers) {
            const std::string_view name = buffer_spec(list.buffer).name;
            engine->needs_file_magic_ |= name == "file.magic";
            engine->needs_bodies_ |=
                name == "http.request_body" || name == "http.response_body" || name == "file.data";
        }
        for (const std::string& condition : sig.app_conditions) {
            engine->needs_file_digests_ |= {.md5 = condition.starts_with("filemd5"),
                                            .sha1 = condition.starts_with("filesha1"),
                                            .sha256 = condition.starts_with("filesha256")};
        }
        meta.to_client_only = to_client;
        meta.to_server_only = to_server && !to_client;
        meta.protocol_detection_only = protocol_detection_only(sig);
        engine->has_protocol_detection_only_ |= meta.protocol_detection_only;
        const bool has_tx_buffers =
            std::any_of(sig.buffers.begin(), sig.buffers.end(),
                        [](const BufferMatches& l) { return is_transaction_buffer(l.buffer); });
        const bool events_only =
            !sig.app_conditions.empty() && sig.tx_conditions.empty() &&
            std::all_of(sig.app_conditions.begin(), sig.app_conditions.end(),
                        [](const std::string& c) { return c.starts_with("app-layer-event:"); });
        meta.once_per_transaction = meta.per_transaction && events_only && !has_tx_buffers &&
                                    !sig.flow.to_server && !sig.flow.to_client;
        engine->meta_[i].any_addresses = is_any(sig.source) && is_any(sig.destination);
        engine->meta_[i].any_ports = is_any(sig.source_ports) && is_any(sig.destination_ports);
        for (const BufferMatches& list : sig.buffers)
            if (list.buffer == kBufferPayload && sig.protocol != SigProtocol::udp &&
                sig.scope != PayloadScope::packet_only)
                engine->wants_stream_ = true;
    }

    engine->app_buffer_index_.resize(options.protocols.size());
    for (std::size_t p = 0; p < options.protocols.size(); ++p) {
        const applayer::ProtocolSpec& spec = *options.protocols[p];
        for (std::size_t b = 0; b < buffer_table().size(); ++b)
            engine->app_buffer_index_[p].push_back(spec.buffer_index(buffer_table()[b].name));
    }
    engine->groups_.resize(kClassCount * 2);
    for (auto& g : engine->groups_) g = std::make_unique<Group>();
    // Which rules go to which group, split into any-port rules and port-specific ones.
    std::vector<std::vector<std::uint32_t>> any_port(kClassCount * 2),
        port_specific(kClassCount * 2);
    for (const Signature& sig : sigs) {
        for (std::size_t cls : signature_classes(sig)) {
            for (std::size_t dir = 0; dir < 2; ++dir) {
                if ((dir == 0 && sig.flow.to_client) || (dir == 1 && sig.flow.to_server)) continue;
                const PortSet& server_ports = dir == 0 ? sig.destination_ports : sig.source_ports;
                const bool by_port =
                    (cls == kTcp || cls == kUdp) && !sig.bidirectional && !is_any(server_ports);
                (by_port ? port_specific : any_port)[cls * 2 + dir].push_back(sig.index);
            }
        }
    }
    for (std::size_t g = 0; g < engine->groups_.size(); ++g) {
        Group& group = *engine->groups_[g];
        if (!engine->compile_part(group.any_port, sigs, any_port[g], error)) return nullptr;
        if (port_specific[g].empty()) continue;
        // Ports where the set of port-specific rules changes: the ends of their ranges.
        const std::size_t dir = g % 2;
        auto server_ports = [&](std::uint32_t index) -> const PortSet& {
            const Signature& sig = sigs[index];
            return dir == 0 ? sig.destination_ports : sig.source_ports;
        };
        std::vector<std::uint32_t> cuts{0, 65536};
        for (std::uint32_t index : port_specific[g])
            for (const PortSet::Range& r : server_ports(index).ranges()) {
                cuts.push_back(r.first);
                cuts.push_back(std::uint32_t{r.last} + 1);
            }
        std::sort(cuts.begin(), cuts.end());
        cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
        group.port_part.assign(65536, Group::kNoPart);
        // Each distinct set of rules over a port range could be its own part, but every part
        // costs a Vectorscan compile: the largest sets get their own (as Suricata gives the
        // busiest ports their own groups), the other ranges share one part with the union.
        struct Segment {
            std::uint32_t first, end;
            std::vector<std::uint32_t> members;
        };
        std::vector<Segment> segments;
        for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
            const auto port = static_cast<std::uint16_t>(cuts[i]);
            Segment seg{cuts[i], cuts[i + 1], {}};
            for (std::uint32_t index : port_specific[g])
                if (server_ports(index).contains(port)) seg.members.push_back(index);
            if (!seg.members.empty()) segments.push_back(std::move(seg));
        }
        std::map<std::vector<std::uint32_t>, std::size_t> sizes;
        for (const Segment& seg : segments) sizes[seg.members] = seg.members.size();
        std::vector<std::pair<std::size_t, const std::vector<std::uint32_t>*>> ranked;
        for (const auto& [members, n] : sizes) ranked.emplace_back(n, &members);
        std::stable_sort(ranked.begin(), ranked.end(),
                         [](const auto& a, const auto& b) { return a.first > b.first; });
        constexpr std::size_t kOwnParts = 4;
        std::map<std::vector<std::uint32_t>, std::uint16_t> parts;
        for (std::size_t i = 0; i < ranked.size() && i < kOwnParts; ++i)
            parts.emplace(*ranked[i].second, static_cast<std::uint16_t>(parts.size()));
        std::vector<std::uint32_t> rest;
        for (const Segment& seg : segments)
            if (!parts.contains(seg.members))
                rest.insert(rest.end(), seg.members.begin(), seg.members.end());
        std::sort(rest.begin(), rest.end());
        rest.erase(std::unique(rest.begin(), rest.end()), rest.end());
        const auto rest_id = static_cast<std::uint16_t>(parts.size());
        for (const Segment& seg : segments) {
            auto it = parts.find(seg.members);
            std::fill(group.port_part.begin() + seg.first, group.port_part.begin() + seg.end,
                      it != parts.end() ? it->second : rest_id);
        }
        if (!rest.empty()) parts.emplace(std::move(rest), rest_id);
        group.by_port.resize(parts.size());
        for (const auto& [members, id] : parts)
            if (!engine->compile_part(group.by_port[id], sigs, members, error)) return nullptr;
    }
    engine->rules_ = std::move(rules);
    return engine;
}

bool Engine::compile_part(PrefilterPart& part, const std::vector<Signature>& sigs,
                          const std::vector<std::uint32_t>& members, std::string& error) {
    // Patterns per buffer, deduplicated: one pattern id lists every rule that uses it.
    struct PatternKey {
        std::string bytes;
        bool nocase;
        auto operator<=>(const PatternKey&) const = default;
    };
    struct Pending {
        std::map<PatternKey, std::uint32_t> ids;
        std::vector<std::vector<std::uint32_t>> sigs;
    };
    std::map<BufferId, Pending> pending, pending_tx;
    for (std::uint32_t index : members) {
        const Signature& sig = sigs[index];
        const bool per_tx = meta_[index].per_transaction;
        // Vectorscan 5.4's literal API takes a pattern that starts with a NUL byte for an
        // empty one: prefilter on what follows the leading NULs (a substring of a pattern is a
        // sound prefilter), or not at all when nothing does.
        std::string_view bytes;
        if (sig.fast_pattern) {
            bytes = sig.fast_pattern->bytes;
            while (!bytes.empty() && bytes.front() == '\0') bytes.remove_prefix(1);
        }
        // Patterns in buffers the path does not scan (base64_data) leave the rule without one.
        if (sig.fast_pattern && is_transaction_buffer(sig.fast_pattern->buffer) != per_tx)
            bytes = {};
        if (bytes.empty() && per_tx) {
            part.tx_always.emplace_back(sig.app_proto, index);
            continue;
        }
        if (!per_tx &&
            (bytes.empty() || buffer_spec(sig.fast_pattern->buffer).source == BufferSource::app)) {
            if (!sig.app_proto.empty())
                part.always_app.emplace_back(sig.app_proto, index);
            else if (ip_only(sig))
                part.always_ip_only.push_back(index);
            else
                part.always.push_back(index);
            continue;
        }
        Pending& p = (per_tx ? pending_tx : pending)[sig.fast_pattern->buffer];
        PatternKey key{std::string(bytes), sig.fast_pattern->nocase};
        auto [it, fresh] = p.ids.emplace(key, static_cast<std::uint32_t>(p.sigs.size()));
        if (fresh) p.sigs.emplace_back();
        p.sigs[it->second].push_back(index);
    }
    return compile_databases(pending, part.dbs, error) &&
           compile_databases(pending_tx, part.tx_dbs, error);
}

template <typename PendingMap>
bool Engine::compile_databases(PendingMap& pending, std::vector<PrefilterDb>& out,
                               std::string& error) {
    for (auto& [buffer, p] : pending) {
        std::vector<const char*> exprs(p.sigs.size());
        std::vector<std::size_t> lens(p.sigs.size());
        std::vector<unsigned> flags(p.sigs.size()), ids(p.sigs.size());
        for (const auto& [key, id] : p.ids) {
            exprs[id] = key.bytes.data();
            lens[id] = key.bytes.size();
            flags[id] = HS_FLAG_SINGLEMATCH | (key.nocase ? HS_FLAG_CASELESS : 0u);
            ids[id] = id;
        }
        PrefilterDb db;
        db.buffer = buffer;
        for (const auto& [key, id] : p.ids) db.longest = std::max(db.longest, key.bytes.size());
        hs_compile_error_t* compile_error = nullptr;
        if (hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(),
                                 static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr,
                                 &db.db, &compile_error) != HS_SUCCESS) {
            error = std::string("vectorscan: ") +
                    (compile_error != nullptr ? compile_error->message : "compile failed");
            hs_free_compile_error(compile_error);
            return false;
        }
        auto* proto = static_cast<hs_scratch_t*>(prototype_scratch_);
        if (hs_alloc_scratch(db.db, &proto) != HS_SUCCESS) {
            error = "vectorscan: cannot allocate scratch";
            hs_free_database(db.db);
            return false;
        }
        prototype_scratch_ = proto;
        db.pattern_sigs = std::move(p.sigs);
        db.for_direction = {false, false};
        for (const std::vector<std::uint32_t>& sigs : db.pattern_sigs)
            for (std::uint32_t index : sigs) {
                db.for_direction[0] = db.for_direction[0] || !meta_[index].to_client_only;
                db.for_direction[1] = db.for_direction[1] || !meta_[index].to_server_only;
            }
        out.push_back(std::move(db));
    }
    return true;
}

void Engine::ScratchDeleter::operator()(Scratch* s) const {
    std::default_delete<Scratch>()(s);
}

Engine::ScratchPtr Engine::make_scratch() const {
    ScratchPtr s(std::make_unique<Scratch>().release());
    if (prototype_scratch_ != nullptr)
        hs_clone_scratch(static_cast<hs_scratch_t*>(prototype_scratch_), &s->hs);
    return s;
}

std::size_t Engine::prefilter_databases() const {
    std::size_t n = 0;
    for (const auto& g : groups_) {
        n += g->any_port.dbs.size() + g->any_port.tx_dbs.size();
        for (const PrefilterPart& p : g->by_port) n += p.dbs.size() + p.tx_dbs.size();
    }
    return n;
}

std::size_t Engine::prefilter_bytes() const {
    std::size_t total = 0;
    auto add = [&](const PrefilterPart& part) {
        for (const auto* list : {&part.dbs, &part.tx_dbs})
            for (const PrefilterDb& d : *list) {
                std::size_t size = 0;
                if (hs_database_size(d.db, &size) == HS_SUCCESS) total += size;
            }
    };
    for (const auto& g : groups_) {
        add(g->any_port);
        for (const PrefilterPart& p : g->by_port) add(p);
    }
    return total;
}

FlowDetectState& Engine::flow_state(flow::Flow& flow) const {
    auto* state = static_cast<FlowDetectState*>(flow.detect_state.get());
    if (state == nullptr || state->generation != generation_) {
        auto fresh = std::make_unique<FlowDetectState>();
        fresh->generation = generation_;
        fresh->flowbits.assign(rules_.flowbit_count, 0);
        fresh->traffic_bits = rules_.traffic_bits;
        fresh->flowints.assign(rules_.flowint_count, 0);
        fresh->flowint_set.assign(rules_.flowint_count, 0);
        if (state != nullptr) fresh->windows = std::move(state->windows);
        state = fresh.get();
        flow.detect_state = std::move(fresh);
    }
    return *state;
}

void Engine::add_stream_data(flow::Flow& flow, flow::Direction dir, std::uint64_t offset,
                             ByteSpan data) const {
    FlowDetectState::StreamWindow& w = flow_state(flow).windows[flow::dir_index(dir)];
    if (w.bytes.empty() || offset != w.next_offset) {
        w.bytes.clear();
        w.start_offset = offset;
        w.new_from = 0;
    }
    // Bound what waits for inspection: a flood of deliveries within one packet keeps the
    // newest data.
    constexpr std::size_t kMaxPending = 1 << 20;
    w.bytes.insert(w.bytes.end(), data.begin(), data.end());
    if (w.bytes.size() > kMaxPending) {
        const std::size_t cut = w.bytes.size() - kMaxPending;
        w.bytes.erase(w.bytes.begin(), w.bytes.begin() + static_cast<std::ptrdiff_t>(cut));
        w.start_offset += cut;
        w.new_from = 0;
    }
    w.next_offset = offset + data.size();
    w.last_delivery = data.data();
}

void Engine::stream_gap(flow::Flow& flow, flow::Direction dir) const {
    FlowDetectState::StreamWindow& w = flow_state(flow).windows[flow::dir_index(dir)];
    w.bytes.clear();
    w.new_from = 0;
}

bool Engine::header_matches(const Signature& sig, const SigMeta& meta, const Packet& pkt) const {
    if (sig.protocol == SigProtocol::sctp && pkt.ip_proto != 132) return false;
    if (sig.protocol == SigProtocol::ipv4 && pkt.ip_version != 4) return false;
    if (sig.protocol == SigProtocol::ether && pkt.ether_header.empty()) return false;
    if (sig.protocol == SigProtocol::ipv6 && pkt.ip_version != 6) return false;
    if (!meta.any_ports && !has_ports(pkt)) return false;
    if (!meta.any_addresses && pkt.ip_version == 0) return false;
    auto oriented = [&](const IpAddress& src, std::uint16_t sport, const IpAddress& dst,
                        std::uint16_t dport) {
        if (!meta.any_addresses && (!sig.source.contains(src) || !sig.destination.contains(dst)))
            return false;
        if (!meta.any_ports &&
            (!sig.source_ports.contains(sport) || !sig.destination_ports.contains(dport)))
            return false;
        return true;
    };
    if (oriented(pkt.src, pkt.sport, pkt.dst, pkt.dport)) return true;
    return sig.bidirectional && oriented(pkt.dst, pkt.dport, pkt.src, pkt.sport);
}

bool Engine::flow_matches(const Signature& sig, const Packet& pkt, const flow::Flow* flow,
                          flow::Direction dir) const {
    const FlowCondition& f = sig.flow;
    if ((f.to_server || f.to_client) && flow == nullptr) return false;
    if (f.to_server && dir != flow::Direction::to_server) return false;
    if (f.to_client && dir != flow::Direction::to_client) return false;
    if (f.established || f.not_established) {
        bool established = false;
        if (flow != nullptr) {
            if (flow->proto == kProtoTcp) {
                const stream::TcpSession* s = stream::TcpTracker::session(*flow);
                // Flow-end pseudo packets count as established when the session ever was
                // (Suricata marks them so): what they inspect was sent while it was. So does
                // the last ACK of a graceful close (Suricata's states after ESTABLISHED,
                // CLOSED included, all count: datasets-09-load alerts on that ACK).
                const bool closed_gracefully =
                    s != nullptr && s->dir[0].fin_seen && s->dir[1].fin_seen;
                established = s != nullptr && s->state >= stream::TcpState::established &&
                              (s->state != stream::TcpState::closed || pkt.flow_end_pseudo ||
                               closed_gracefully);
            } else {
                established = flow->seen_both_directions();
            }
        }
        if (f.established && !established) return false;
        if (f.not_established && established) return false;
    }
    if (f.only_frag && !pkt.is_reassembled) return false;
    if (f.no_frag && pkt.is_reassembled) return false;
    return true;
}

bool Engine::note_protocol_detection(const flow::Flow& flow, FlowDetectState& state) {
    if (state.protocol_detected[0] && state.protocol_detected[1]) return false;
    const applayer::FlowApp* app = applayer::AppLayer::state(flow);
    if (app == nullptr || (flow.app_proto.empty() && !app->failed)) return false;
    const stream::TcpSession* session =
        flow.proto == kProtoTcp ? stream::TcpTracker::session(flow) : nullptr;
    bool now = false;
    for (std::size_t d = 0; d < 2; ++d) {
        if (state.protocol_detected[d]) continue;
        const auto dir = static_cast<flow::Direction>(d);
        // A side is detected once its data reached the parser: a side that sent nothing (or
        // whose data is not acknowledged yet) is not; a failed detection ends both.
        bool parsed = flow.pkts[d] > 0;
        if (session != nullptr)
            parsed = session->dir[d].next_offset > applayer::AppLayer::unacked(flow, dir);
        if (!app->failed && !parsed) continue;
        state.protocol_detected[d] = true;
        now = true;
    }
    return now;
}

bool Engine::state_matches(const Signature& sig, const flow::Flow* flow,
                           const FlowDetectState* state) const {
    // "alert http ..." inspects only flows the HTTP parser claimed (none until it exists).
    if (!sig.app_proto.empty() &&
        (flow == nullptr || !app_protocol_matches(sig.app_proto, flow->app_proto)))
        return false;
    for (const AppProtocolTest& test : sig.app_layer_protocols)
        if (!app_protocol_test_matches(test, flow)) return false;
    for (const StreamSize& s : sig.stream_sizes) {
        const stream::TcpSession* session =
            flow != nullptr ? stream::TcpTracker::session(*flow) : nullptr;
        if (session == nullptr) return false;
        // Bytes sent by each side, counted like Suricata: next sequence number minus ISN.
        auto sent = [&](std::size_t d) {
            const stream::StreamDirection& sd = session->dir[d];
            return sd.started ? sd.next_offset + (sd.syn_seen ? 1 : 0) : 0;
        };
        const std::uint64_t client = sent(0), server = sent(1);
        bool ok = false;
        switch (s.side) {
            case StreamSize::Side::client:
                ok = s.test.matches(client);
                break;
            case StreamSize::Side::server:
                ok = s.test.matches(server);
                break;
            case StreamSize::Side::both:
                ok = s.test.matches(client) && s.test.matches(server);
                break;
            case StreamSize::Side::either:
                ok = s.test.matches(client) || s.test.matches(server);
                break;
        }
        if (!ok) return false;
    }
    for (const FlowbitOp& op : sig.flowbits) {
        if (op.command != FlowbitCommand::isset && op.command != FlowbitCommand::isnotset) continue;
        if (state == nullptr) {
            if (op.command == FlowbitCommand::isset) return false;
            continue;
        }
        std::size_t set_count = 0;
        for (std::uint32_t bit : op.bits) set_count += state->flowbits[bit] != 0;
        const bool want_set = op.command == FlowbitCommand::isset;
        bool ok;
        if (op.any_of)
            ok = want_set ? set_count > 0 : set_count < op.bits.size();
        else
            ok = want_set ? set_count == op.bits.size() : set_count == 0;
        if (!ok) return false;
    }
    return true;
}

namespace {

// The bytes of a packet-header buffer (ipv4.hdr, tcp.hdr, ...), empty when absent.
ByteSpan header_buffer(std::string_view name, const Packet& pkt) {
    if (name == "ether.hdr") return pkt.ether_header;
    // The address bytes (4 or 16), what dataset/datarep of type ipv4 and ip look up.
    if (name == "ip.src" || name == "ip.dst") {
        const IpAddress& a = name == "ip.src" ? pkt.src : pkt.dst;
        if (pkt.ip_version == 0 || a.family == 0) return {};
        return ByteSpan(a.bytes.data(), a.width());
    }
    if (name == "ipv4.hdr") return pkt.ip_version == 4 ? pkt.ip_header : ByteSpan{};
    if (name == "ipv6.hdr") {
        // The fixed header and its extension headers: everything before the transport.
        if (pkt.ip_version != 6) return {};
        const ByteSpan after = pkt.l4_header.empty() ? pkt.ip_payload : pkt.l4_header;
        if (after.empty() || pkt.ip_header.empty()) return pkt.ip_header;
        const auto ext = after.data() - pkt.ip_header.data();
        if (ext < static_cast<std::ptrdiff_t>(pkt.ip_header.size())) return pkt.ip_header;
        return ByteSpan(pkt.ip_header.data(), static_cast<std::size_t>(ext));
    }
    if (!pkt.has_l4) return {};
    const std::size_t payload_at =
        pkt.payload.empty() ? pkt.ip_payload.size()
                            : static_cast<std::size_t>(pkt.payload.data() - pkt.ip_payload.data());
    if (payload_at > pkt.ip_payload.size()) return {};
    const ByteSpan l4 = pkt.ip_payload.first(payload_at);
    if (name == "tcp.hdr") return pkt.ip_proto == kProtoTcp ? l4 : ByteSpan{};
    if (name == "udp.hdr") return pkt.ip_proto == kProtoUdp ? l4 : ByteSpan{};
    // The decoder sizes the ICMPv4 header per type (router advertisements carry entries).
    if (name == "icmpv4.hdr") return pkt.ip_proto == kProtoIcmp ? pkt.l4_header : ByteSpan{};
    if (name == "icmpv6.hdr") return pkt.ip_proto == kProtoIcmpv6 ? l4 : ByteSpan{};
    return {};
}

}  // namespace

namespace {

// For `absent`: 1 when the transaction has no value of the buffer and the side that would
// carry it is complete (or the protocol never fills it), 0 when it has one, -1 while open.
int buffer_absent(const applayer::Transaction& tx, flow::Direction dir, const BufferSpec& spec,
                  int local) {
    if (local < 0) return 1;
    if (tx.buffer_for(dir, static_cast<std::size_t>(local), 0)) return 0;
    std::size_t side = flow::dir_index(dir);
    if (spec.direction == BufferDirection::to_server) side = 0;
    if (spec.direction == BufferDirection::to_client) side = 1;
    return tx.done[side] ? 1 : -1;
}

}  // namespace

namespace {

// Keeps the value an entropy keyword computed on `buffer`, the last one per buffer.
void note_entropy(FlowDetectState& state, BufferId buffer, double value) {
    for (auto& [id, kept] : state.entropy) {
        if (id != buffer) continue;
        kept = value;
        return;
    }
    state.entropy.emplace_back(buffer, value);
}

}  // namespace

bool Engine::payload_matches(const Signature& sig, const Subject& subject, Scratch& scratch) const {
    const Packet& pkt = subject.pkt;
    const flow::Flow* flow = subject.flow;
    const FlowDetectState* state = subject.state;
    const flow::Direction dir = subject.dir;
    scratch.payload.base64_valid = false;
    scratch.payload.contexts.clear();
    scratch.variables.fill(0);
    for (const BufferMatches& list : sig.buffers) {
        const BufferSpec& spec = buffer_spec(list.buffer);
        auto run_list = [&](const PayloadInput& input) {
            if (list.transforms.empty())
                return match_payload(list.matches, input, scratch.variables, scratch.payload);
            // Suricata never transforms an empty buffer: to_md5 of nothing matches nothing.
            if (input.buffer.empty()) return false;
            PayloadInput transformed = input;
            transformed.buffer = apply_chain(list.transforms, input.buffer, scratch.transform_a,
                                             scratch.transform_b);
            transformed.new_data_from = 0;
            transformed.stream_offset = 0;
            return match_payload(list.matches, transformed, scratch.variables, scratch.payload);
        };
        auto run = [&](const PayloadInput& input) {
            scratch.payload.entropy.reset();
            const bool matched = run_list(input);
            if (scratch.payload.entropy && subject.state != nullptr)
                note_entropy(*subject.state, list.buffer, *scratch.payload.entropy);
            return matched;
        };
        bool ok = false;
        switch (spec.source) {
            case BufferSource::packet: {
                const bool stream_only =
                    sig.scope == PayloadScope::stream_only || sig.flow.only_stream;
                const bool packet_only =
                    sig.scope == PayloadScope::packet_only || sig.flow.no_stream;
                if (!stream_only) ok = run(PayloadInput{pkt.payload, 0, 0});
                if (!ok && !packet_only && state != nullptr && flow != nullptr &&
                    flow->proto == kProtoTcp) {
                    const auto& w = state->windows[flow::dir_index(dir)];
                    // A rule that also inspects a transaction sees the stream its messages
                    // came in, not only this packet's part (Suricata's stream engine for
                    // transaction rules): the transaction may be inspected packets later.
                    if (subject.tx != nullptr && !w.bytes.empty())
                        ok = run(PayloadInput{w.bytes, w.start_offset, 0});
                    else if (w.new_from < w.bytes.size())
                        ok = run(PayloadInput{w.bytes, w.start_offset, w.new_from});
                }
                break;
            }
            case BufferSource::header:
                ok = run(PayloadInput{header_buffer(spec.name, pkt), 0, 0});
                break;
            case BufferSource::stream:
                break;
            case BufferSource::app: {
                if (spec.name == "base64_data") {
                    if (scratch.payload.base64_valid) {
                        const std::vector<std::uint8_t> decoded = scratch.payload.base64;
                        ok = run(PayloadInput{decoded, 0, 0});
                    }
                    break;
                }
                if (subject.tx == nullptr || subject.protocol_index < 0) break;
                const int local =
                    app_buffer_index_[static_cast<std::size_t>(subject.protocol_index)]
                                     [list.buffer];
                if (list.absent != BufferMatches::Absent::no) {
                    const int absent = buffer_absent(*subject.tx, subject.dir, spec, local);
                    if (absent < 0) break;  // not decided yet: the side is still open
                    if (absent == 1 || list.absent == BufferMatches::Absent::only) {
                        ok = absent == 1;
                        break;
                    }
                }
                if (local < 0) break;  // the protocol does not fill this buffer
                // A multi-value buffer (one per DNS question...) matches when one value does.
                for (std::size_t item = 0; !ok; ++item) {
                    const std::optional<ByteSpan> value =
                        subject.tx->buffer_for(subject.dir, static_cast<std::size_t>(local), item);
                    if (!value) break;
                    ok = run(PayloadInput{*value, 0, 0});
                }
                break;
            }
        }
        if (!ok) return false;
    }
    return true;
}

namespace {

// The keys one hostbit operation touches for this packet.
template <typename Key, typename Fn>
void for_each_host_key(const HostbitOp& op, const Packet& pkt, Fn&& fn) {
    switch (op.target) {
        case HostbitTarget::source:
            fn(Key{pkt.src, {}, op.bit});
            break;
        case HostbitTarget::destination:
            fn(Key{pkt.dst, {}, op.bit});
            break;
        case HostbitTarget::both:
            fn(Key{pkt.src, {}, op.bit});
            fn(Key{pkt.dst, {}, op.bit});
            break;
        case HostbitTarget::pair:
            fn(pkt.src < pkt.dst ? Key{pkt.src, pkt.dst, op.bit} : Key{pkt.dst, pkt.src, op.bit});
            break;
    }
}

}  // namespace

bool Engine::hostbits_match(const Signature& sig, const Packet& pkt) const {
    if (sig.hostbits.empty()) return true;
    std::lock_guard lock(hostbits_mutex_);
    for (const HostbitOp& op : sig.hostbits) {
        if (op.command != FlowbitCommand::isset && op.command != FlowbitCommand::isnotset) continue;
        bool all_set = true;
        for_each_host_key<HostBitKey>(op, pkt, [&](const HostBitKey& key) {
            auto it = hostbits_.find(key);
            if (it == hostbits_.end() || it->second < pkt.ts) all_set = false;
        });
        if ((op.command == FlowbitCommand::isset) != all_set) return false;
    }
    return true;
}

void Engine::apply_hostbits(const Signature& sig, const Packet& pkt) const {
    if (sig.hostbits.empty()) return;
    std::lock_guard lock(hostbits_mutex_);
    for (const HostbitOp& op : sig.hostbits) {
        const Timestamp expiry =
            Timestamp::from_micros(pkt.ts.micros() + std::int64_t{op.expire} * 1000000);
        for_each_host_key<HostBitKey>(op, pkt, [&](const HostBitKey& key) {
            auto it = hostbits_.find(key);
            const bool live = it != hostbits_.end() && !(it->second < pkt.ts);
            const bool set = op.command == FlowbitCommand::set ||
                             (op.command == FlowbitCommand::toggle && !live);
            const bool unset = op.command == FlowbitCommand::unset ||
                               (op.command == FlowbitCommand::toggle && live);
            if (set) {
                if (hostbits_.size() >= kMaxHostBits && it == hostbits_.end()) {
                    // Full: forget the entry that expires first.
                    auto oldest = std::min_element(
                        hostbits_.begin(), hostbits_.end(),
                        [](const auto& a, const auto& b) { return a.second < b.second; });
                    hostbits_.erase(oldest);
                }
                hostbits_[key] = expiry;
            } else if (unset && it != hostbits_.end()) {
                hostbits_.erase(it);
            }
        });
    }
}

// flowint operations in rule order, after the payload matched, as Suricata runs them: an
// assignment takes effect at once, so "flowint:n,+,1; flowint:n,>,2;" counts and compares.
bool Engine::run_flowints(const Signature& sig, FlowDetectState* state) const {
    for (const FlowintOp& op : sig.flowints) {
        if (state == nullptr) return false;
        const bool is_set = state->flowint_set[op.var] != 0;
        std::int64_t operand = op.value;
        if (op.other_var >= 0) {
            const auto other = static_cast<std::size_t>(op.other_var);
            if (state->flowint_set[other] == 0) return false;
            operand = state->flowints[other];
        }
        std::int64_t& v = state->flowints[op.var];
        bool ok = true;
        switch (op.command) {
            case FlowintCommand::set:
                v = operand;
                break;
            case FlowintCommand::add:
                v = (is_set ? v : 0) + operand;
                break;
            case FlowintCommand::sub:
                v = (is_set ? v : 0) - operand;
                break;
            case FlowintCommand::isset:
                ok = is_set;
                break;
            case FlowintCommand::notset:
                ok = !is_set;
                break;
            case FlowintCommand::eq:
                ok = is_set && v == operand;
                break;
            case FlowintCommand::ne:
                ok = is_set && v != operand;
                break;
            case FlowintCommand::lt:
                ok = is_set && v < operand;
                break;
            case FlowintCommand::gt:
                ok = is_set && v > operand;
                break;
            case FlowintCommand::le:
                ok = is_set && v <= operand;
                break;
            case FlowintCommand::ge:
                ok = is_set && v >= operand;
                break;
        }
        if (op.command == FlowintCommand::set || op.command == FlowintCommand::add ||
            op.command == FlowintCommand::sub)
            state->flowint_set[op.var] = 1;
        if (!ok) return false;
    }
    return true;
}

void Engine::apply_flow_actions(const Signature& sig, FlowDetectState* state) const {
    if (state == nullptr) return;
    for (const FlowbitOp& op : sig.flowbits) {
        for (std::uint32_t bit : op.bits) {
            switch (op.command) {
                case FlowbitCommand::set:
                    state->flowbits[bit] = 1;
                    break;
                case FlowbitCommand::unset:
                    state->flowbits[bit] = 0;
                    break;
                case FlowbitCommand::toggle:
                    state->flowbits[bit] ^= 1;
                    break;
                default:
                    break;
            }
        }
    }
}

bool Engine::passes_thresholds(const Signature& sig, const Packet& pkt,
                               const flow::Flow* flow) const {
    const ThresholdConfig& config = rules_.thresholds;
    if (suppressed(config, sig.gid, sig.sid, pkt.src, pkt.dst)) return false;
    const bool own = sig.threshold || sig.detection_filter;
    const ThresholdEntry* entry = config.threshold_for(sig.gid, sig.sid, own);
    const ThresholdSpec* spec = entry != nullptr       ? &entry->spec
                                : sig.threshold        ? &*sig.threshold
                                : sig.detection_filter ? &*sig.detection_filter
                                                       : nullptr;
    if (spec == nullptr) return true;
    ThresholdMatch m;
    m.src = pkt.src;
    m.dst = pkt.dst;
    m.src_port = pkt.sport;
    m.dst_port = pkt.dport;
    m.flow_id = flow != nullptr ? flow->flow_id : 0;
    m.ts = pkt.ts;
    return thresholds_.should_alert(*spec, sig.gid, sig.sid, m);
}

// Scans the packet's buffers with the part's databases; matching patterns add their rules to
// the candidates.
void Engine::prefilter(const PrefilterPart& part, const Packet& pkt, const FlowDetectState* state,
                       flow::Direction dir, Scratch& scratch) const {
    for (const PrefilterDb& db : part.dbs) {
        scratch.scanning = &db;
        auto scan = [&](ByteSpan data) {
            if (data.empty()) return;
            hs_scan(db.db, reinterpret_cast<const char*>(data.data()),
                    static_cast<unsigned>(data.size()), 0, scratch.hs, on_prefilter_match,
                    &scratch);
        };
        const BufferSpec& spec = buffer_spec(db.buffer);
        if (spec.source == BufferSource::packet) {
            bool payload_in_stream = false;
            if (state != nullptr && pkt.ip_proto == kProtoTcp) {
                const auto& w = state->windows[flow::dir_index(dir)];
                if (w.new_from < w.bytes.size()) {
                    // Only the new bytes and the few before them a pattern could span.
                    const std::size_t overlap = db.longest > 0 ? db.longest - 1 : 0;
                    const std::size_t from = w.new_from > overlap ? w.new_from - overlap : 0;
                    scan(ByteSpan(w.bytes).subspan(from));
                    // In-order data arrives in its own packet: the stream scan saw it.
                    payload_in_stream = w.last_delivery == pkt.payload.data() &&
                                        w.bytes.size() - w.new_from >= pkt.payload.size();
                }
            }
            if (!payload_in_stream) scan(pkt.payload);
        } else if (spec.source == BufferSource::header) {
            scan(header_buffer(spec.name, pkt));
        }
    }
}

bool Engine::app_conditions_match(const Signature& sig, const Subject& subject) const {
    for (const std::string& condition : sig.app_conditions) {
        const std::size_t colon = condition.find(':');
        const std::string_view keyword = std::string_view(condition).substr(0, colon);
        const std::string_view value = colon == std::string::npos
                                           ? std::string_view{}
                                           : std::string_view(condition).substr(colon + 1);
        if (keyword == "app-layer-event") {
            // Events raised on the transaction or on the flow, named "proto.event".
            auto has = [&](const std::vector<std::string_view>& events) {
                return std::any_of(events.begin(), events.end(),
                                   [&](std::string_view e) { return iequals(e, value); });
            };
            const applayer::FlowApp* app =
                subject.flow != nullptr ? applayer::AppLayer::state(*subject.flow) : nullptr;
            if (!(subject.tx != nullptr && has(subject.tx->events)) &&
                !(app != nullptr && has(app->events)))
                return false;
            continue;
        }
        if (subject.tx == nullptr) return false;
        // Storing files or certificates is an action of the rule, no condition on the tx.
        if (keyword == "filestore" || keyword == "tls.store") continue;
        if (!app_number_matches(keyword, value, *subject.tx)) return false;
    }
    return true;
}

bool Engine::evaluate(const Signature& sig, const Subject& subject, Scratch& scratch,
                      Verdict& verdict) const {
    const Packet& pkt = subject.pkt;
    flow::Flow* flow = subject.flow;
    FlowDetectState* state = subject.state;
    const std::uint32_t index = sig.index;
    const std::string_view flow_app = flow != nullptr ? flow->app_proto : std::string_view{};
    if (!sig.app_proto.empty() && !app_protocol_matches(sig.app_proto, flow_app)) return true;
    if (meta_[index].protocol_detection_only && !subject.protocol_detected_now) return true;
    if (!header_matches(sig, meta_[index], pkt)) return true;
    if (!flow_matches(sig, pkt, flow, subject.dir)) return true;
    for (const PacketCondition& c : sig.packet_conditions)
        if (!matches(c, pkt)) return true;
    for (const CustomCondition& c : sig.custom_conditions)
        if (!c(pkt, flow, subject.dir)) return true;
    for (Anomaly a : sig.decode_events) {
        const auto items = pkt.anomalies.items();
        if (std::find(items.begin(), items.end(), a) == items.end()) return true;
    }
    if (!state_matches(sig, flow, state)) return true;
    if (!sig.app_conditions.empty() && !app_conditions_match(sig, subject)) return true;
    if (!sig.tx_conditions.empty()) {
        if (subject.tx == nullptr) return true;
        for (const TxCondition& c : sig.tx_conditions)
            if (!c(*subject.tx, subject.dir, pkt.ts)) return true;
    }
    if (!hostbits_match(sig, pkt)) return true;
    if (!payload_matches(sig, subject, scratch)) return true;
    if (!sig.flowints.empty() && !run_flowints(sig, state)) return true;

    apply_flow_actions(sig, state);
    apply_hostbits(sig, pkt);
    if (sig.action == RuleAction::pass) {
        // A pass rule about the packet's header applies to its whole flow; one that
        // inspected payload passes only this packet (Suricata's util-action tests).
        if (state != nullptr && sig.buffers.empty()) state->passed = true;
        return false;
    }
    if (sig.noalert) return true;
    if (!passes_thresholds(sig, pkt, flow)) return true;
    RuleAction action = sig.action;
    if (const RateFilterEntry* rate = rules_.thresholds.rate_filter_for(sig.gid, sig.sid)) {
        // threshold.config rate_filter: past the rate, the rule acts with new_action.
        ThresholdMatch m{
            pkt.src, pkt.dst, pkt.sport, pkt.dport, flow != nullptr ? flow->flow_id : 0, pkt.ts};
        if (auto changed = thresholds_.rate_action(*rate, sig.gid, sig.sid, m)) {
            if (*changed == RateAction::pass) return true;
            if (*changed == RateAction::drop || *changed == RateAction::sdrop)
                action = RuleAction::drop;
            else if (*changed == RateAction::reject)
                action = RuleAction::reject;
            else if (*changed == RateAction::alert)
                action = RuleAction::alert;
        }
    }
    const bool blocks = options_.simulate_ips && is_drop_action(action);
    if (blocks) {
        verdict.drop = true;
        if (verdict.drop_sig == nullptr) verdict.drop_sig = &sig;
        if (state != nullptr) state->dropped = true;
    }
    if (verdict.alerts.size() < options_.max_alerts_per_packet) {
        verdict.alerts.push_back(Alert{&sig, blocks ? AlertAction::blocked : AlertAction::allowed,
                                       subject.tx, subject.protocol,
                                       std::move(scratch.payload.contexts)});
    }
    return true;
}

// Rules on application buffers, once per transaction the packet changed: the transaction's
// buffers are prefiltered like packet payloads, and a rule that matched a transaction is not
// evaluated on it again.
void Engine::inspect_transactions(const Group& group, const PrefilterPart* port_part,
                                  const Subject& packet, std::uint64_t app_packet, Scratch& scratch,
                                  Verdict& verdict) const {
    applayer::FlowApp* app = applayer::AppLayer::state(*packet.flow);
    if (app == nullptr || app->spec == nullptr) return;
    int protocol_index = -1;
    for (std::size_t p = 0; p < options_.protocols.size(); ++p)
        if (options_.protocols[p] == app->spec) protocol_index = static_cast<int>(p);
    if (protocol_index < 0) return;
    (void)app_packet;
    const std::vector<int>& local = app_buffer_index_[static_cast<std::size_t>(protocol_index)];
    const bool to_server = packet.dir == flow::Direction::to_server;
    for (const std::unique_ptr<applayer::Transaction>& tx_ptr : app->txs) {
        applayer::Transaction& tx = *tx_ptr;
        auto* tx_state = static_cast<TxDetectState*>(tx.detect_state.get());
        if (tx_state == nullptr || tx_state->generation != generation_) {
            auto fresh = std::make_unique<TxDetectState>();
            fresh->generation = generation_;
            tx_state = fresh.get();
            tx.detect_state = std::move(fresh);
        }
        // Inspected on a packet of its own direction once that side moved: a request parsed
        // when the server acknowledged it is inspected on the client's next packet, as in
        // Suricata's IDS mode.
        const std::size_t d = flow::dir_index(packet.dir);
        if (tx.progress[d] == tx.inspected[d]) continue;
        tx.inspected[d] = tx.progress[d];
        scratch.candidates.clear();
        auto collect = [&](const PrefilterPart& part) {
            for (const PrefilterDb& db : part.tx_dbs) {
                const int buffer = local[db.buffer];
                if (buffer < 0 || scratch.hs == nullptr) continue;
                if (!db.for_direction[flow::dir_index(packet.dir)]) continue;
                scratch.scanning = &db;
                for (std::size_t item = 0;; ++item) {
                    const std::optional<ByteSpan> value =
                        tx.buffer_for(packet.dir, static_cast<std::size_t>(buffer), item);
                    if (!value) break;
                    if (value->empty()) continue;
                    hs_scan(db.db, reinterpret_cast<const char*>(value->data()),
                            static_cast<unsigned>(value->size()), 0, scratch.hs, on_prefilter_match,
                            &scratch);
                }
            }
            // A rule of no protocol (file.name, filesize on "tcp") suits every protocol's.
            for (const auto& [app_name, index] : part.tx_always)
                if (app_name.empty() || app_protocol_matches(app_name, app->spec->name))
                    scratch.candidates.push_back(index);
        };
        collect(group.any_port);
        if (port_part != nullptr) collect(*port_part);
        std::sort(scratch.candidates.begin(), scratch.candidates.end());
        scratch.candidates.erase(std::unique(scratch.candidates.begin(), scratch.candidates.end()),
                                 scratch.candidates.end());
        Subject subject = packet;
        subject.tx = &tx;
        subject.protocol = app->spec;
        subject.protocol_index = protocol_index;
        for (std::uint32_t index : scratch.candidates) {
            const SigMeta& meta = meta_[index];
            if ((meta.to_server_only && !to_server) || (meta.to_client_only && to_server)) continue;
            std::vector<std::uint32_t>& matched =
                tx_state->matched[meta.once_per_transaction ? 0 : flow::dir_index(packet.dir)];
            if (std::binary_search(matched.begin(), matched.end(), index)) continue;
            const std::size_t before = verdict.alerts.size();
            const Signature& sig = rules_.signatures[index];
            const bool go_on = evaluate(sig, subject, scratch, verdict);
            // Matched (alerted, or a noalert/flowbit rule whose conditions held): done with
            // this transaction. A rule that did not match may match once the tx grows.
            if (verdict.alerts.size() > before || !go_on)
                matched.insert(std::lower_bound(matched.begin(), matched.end(), index), index);
            if (!go_on) return;
        }
    }
}

void Engine::inspect_flow_end(const Packet& pseudo, flow::Flow& flow, flow::Direction dir,
                              Scratch& scratch, Verdict& verdict) const {
    FlowDetectState* state = &flow_state(flow);
    if (state->passed) return;
    const Group& group = *groups_[packet_class(pseudo) * 2 + flow::dir_index(dir)];
    const PrefilterPart* port_part = nullptr;
    if (!group.by_port.empty() && has_ports(pseudo)) {
        const std::uint16_t id = group.port_part[flow.server_port];
        if (id != Group::kNoPart) port_part = &group.by_port[id];
    }
    const Subject subject{pseudo, &flow, dir, state};
    inspect_transactions(group, port_part, subject, 1, scratch, verdict);
}

void Engine::inspect(const Packet& pkt, flow::Flow* flow, flow::Direction dir, Scratch& scratch,
                     Verdict& verdict, std::uint64_t app_packet) const {
    FlowDetectState* state = flow != nullptr ? &flow_state(*flow) : nullptr;
    if (state != nullptr && state->passed) return;
    if (state != nullptr && state->dropped && options_.simulate_ips) {
        verdict.drop = true;
        return;
    }
    const Group& group = *groups_[packet_class(pkt) * 2 + flow::dir_index(dir)];
    const PrefilterPart* port_part = nullptr;
    if (!group.by_port.empty() && has_ports(pkt)) {
        const std::uint16_t server_port = dir == flow::Direction::to_server ? pkt.dport : pkt.sport;
        const std::uint16_t id = group.port_part[server_port];
        if (id != Group::kNoPart) port_part = &group.by_port[id];
    }
    // Candidates: what the prefilter found (few, sorted here), merged with the rules that are
    // always candidates (sorted when built), in engine order.
    scratch.candidates.clear();
    if (scratch.hs != nullptr) {
        prefilter(group.any_port, pkt, state, dir, scratch);
        if (port_part != nullptr) prefilter(*port_part, pkt, state, dir, scratch);
    }
    const std::string_view flow_app = flow != nullptr ? flow->app_proto : std::string_view{};
    auto add_app_rules = [&](const PrefilterPart& part) {
        if (flow_app.empty()) return;
        for (const auto& [app, index] : part.always_app)
            if (app_protocol_matches(app, flow_app)) scratch.candidates.push_back(index);
    };
    add_app_rules(group.any_port);
    if (port_part != nullptr) add_app_rules(*port_part);
    std::sort(scratch.candidates.begin(), scratch.candidates.end());
    auto merge_in = [&](const std::vector<std::uint32_t>& always) {
        if (always.empty()) return;
        scratch.merged.clear();
        std::merge(scratch.candidates.begin(), scratch.candidates.end(), always.begin(),
                   always.end(), std::back_inserter(scratch.merged));
        scratch.candidates.swap(scratch.merged);
    };
    merge_in(group.any_port.always);
    if (port_part != nullptr) merge_in(port_part->always);
    const bool first_in_direction = flow == nullptr || flow->pkts[flow::dir_index(dir)] <= 1;
    if (first_in_direction) {
        merge_in(group.any_port.always_ip_only);
        if (port_part != nullptr) merge_in(port_part->always_ip_only);
    }
    scratch.candidates.erase(std::unique(scratch.candidates.begin(), scratch.candidates.end()),
                             scratch.candidates.end());

    Subject subject{pkt, flow, dir, state};
    if (has_protocol_detection_only_ && state != nullptr)
        subject.protocol_detected_now = note_protocol_detection(*flow, *state);
    bool go_on = true;
    for (std::uint32_t index : scratch.candidates) {
        const Signature& sig = rules_.signatures[index];
        if (meta_[index].per_transaction) continue;
        if (!evaluate(sig, subject, scratch, verdict)) {
            go_on = false;
            break;
        }
    }
    if (go_on && app_packet != 0 && flow != nullptr)
        inspect_transactions(group, port_part, subject, app_packet, scratch, verdict);
    // What was inspected now is old: keep a tail so matches can span into the next delivery.
    if (state != nullptr && pkt.ip_proto == kProtoTcp) {
        auto& w = state->windows[flow::dir_index(dir)];
        if (w.bytes.size() > options_.stream_window) {
            const std::size_t cut = w.bytes.size() - options_.stream_window;
            w.bytes.erase(w.bytes.begin(), w.bytes.begin() + static_cast<std::ptrdiff_t>(cut));
            w.start_offset += cut;
        }
        w.new_from = w.bytes.size();
        w.last_delivery = nullptr;
    }
}

}  // namespace tocsin::detect
