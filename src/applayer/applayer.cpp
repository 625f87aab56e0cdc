#include "applayer/applayer.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace tocsin::applayer {

namespace {

// The configured ports of the protocol for this transport replace its built-in ones.
bool on_port(const ProtocolSpec& spec, std::uint16_t server_port, bool datagram,
             const AppLimits& limits) {
    bool configured = false;
    for (const DetectionPorts& entry : limits.detection_ports) {
        if (entry.protocol != spec.name || !(datagram ? entry.udp : entry.tcp)) continue;
        configured = true;
        for (const auto& [first, last] : entry.ranges)
            if (server_port >= first && server_port <= last) return true;
    }
    if (configured) return false;
    return std::find(spec.ports.begin(), spec.ports.end(), server_port) != spec.ports.end();
}

std::uint16_t port_number(std::string_view text, std::string_view key) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value > 65535)
        throw ConfigError(std::string(key) + ": bad port '" + std::string(text) + "'");
    return static_cast<std::uint16_t>(value);
}

// "53", "53, 5353", "[53,5353]", "1024:2048" or "any", as suricata.yaml writes port lists.
std::vector<std::pair<std::uint16_t, std::uint16_t>> parse_ports(std::string_view text,
                                                                 std::string_view key) {
    constexpr std::size_t kMaxRanges = 64;
    std::vector<std::pair<std::uint16_t, std::uint16_t>> ranges;
    std::string cleaned;
    for (char c : text)
        if (c != '[' && c != ']' && c != ' ' && c != '\t') cleaned.push_back(c);
    std::string_view rest = cleaned;
    while (!rest.empty() && ranges.size() < kMaxRanges) {
        const std::size_t comma = rest.find(',');
        const std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        if (item.empty()) continue;
        if (item == "any") {
            ranges.emplace_back(0, 65535);
            continue;
        }
        const std::size_t colon = item.find(':');
        const std::uint16_t first = port_number(item.substr(0, colon), key);
        const std::uint16_t last =
            colon == std::string_view::npos ? first : port_number(item.substr(colon + 1), key);
        if (last < first) throw ConfigError(std::string(key) + ": empty port range");
        ranges.emplace_back(first, last);
    }
    return ranges;
}

// app-layer.protocols.<name>[.tcp|.udp].detection-ports.dp, for any protocol name.
std::vector<DetectionPorts> configured_detection_ports(const Config& config) {
    constexpr std::string_view kPrefix = "app-layer.protocols.";
    constexpr std::string_view kSuffix = ".detection-ports.dp";
    std::vector<DetectionPorts> out;
    for (const auto& [rest, value] : config.with_prefix(kPrefix)) {
        const std::string_view key(rest);
        if (!key.ends_with(kSuffix) || value.empty()) continue;
        std::string_view scope = key.substr(0, key.size() - kSuffix.size());
        DetectionPorts entry;
        if (scope.ends_with(".tcp") || scope.ends_with(".udp")) {
            entry.tcp = scope.ends_with(".tcp");
            entry.udp = !entry.tcp;
            scope.remove_suffix(4);
        }
        if (scope.empty() || scope.find('.') != std::string_view::npos) continue;
        entry.protocol = std::string(scope);
        entry.ranges = parse_ports(value, std::string(kPrefix) + rest);
        out.push_back(std::move(entry));
    }
    return out;
}

}  // namespace

FileDigests FileDigests::from_force_hash(std::string_view setting) {
    if (const std::optional<bool> all_or_none = parse_bool(setting))
        return *all_or_none ? all() : FileDigests{};
    FileDigests digests;
    for (std::string_view rest = setting; !rest.empty();) {
        const std::size_t comma = rest.find(',');
        std::string_view name = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        while (!name.empty() && (name.front() == ' ' || name.front() == '[')) name.remove_prefix(1);
        while (!name.empty() && (name.back() == ' ' || name.back() == ']')) name.remove_suffix(1);
        if (name == "md5") {
            digests.md5 = true;
        } else if (name == "sha1") {
            digests.sha1 = true;
        } else if (name == "sha256") {
            digests.sha256 = true;
        } else if (!name.empty()) {
            throw ConfigError(
                "outputs.eve.fileinfo.force-hash: expected yes/no or a list of md5, "
                "sha1, sha256; got '" +
                std::string(setting) + "'");
        }
    }
    return digests;
}

AppLimits AppLimits::from_config(const Config& config) {
    AppLimits l;
    l.max_transactions = std::max<std::size_t>(1, config.get_size("app-layer.max-transactions"));
    l.max_publishers = std::max<std::size_t>(1, config.get_size("app-layer.max-publishers"));
    l.publisher_timeout = static_cast<std::uint32_t>(
        std::clamp<std::int64_t>(config.get_int("app-layer.publisher-timeout"), 1, 1 << 30));
    l.request_body_limit = config.get_size("app-layer.protocols.http.request-body-limit");
    l.response_body_limit = config.get_size("app-layer.protocols.http.response-body-limit");
    l.log_http_headers = config.get_bool("outputs.eve.http.extended");
    l.filestore_dir = config.get_string("outputs.filestore.dir");
    l.keep_bodies = false;  // until a rule needs them (AppLayer::require_inspection)
    l.file_magic = config.get_bool("outputs.eve.fileinfo.force-magic");
    l.file_digests =
        FileDigests::from_force_hash(config.get_string("outputs.eve.fileinfo.force-hash"));
    const std::string inline_mode = config.get_string("stream.inline");
    if (inline_mode != "auto" && parse_bool(inline_mode).value_or(false)) l.unacked_bytes = 0;
    l.dns_log_version = config.get_string("outputs.eve.dns.version") == "2" ? 2 : 3;
    if (const char* env = std::getenv("SURICATA_EVE_DNS_VERSION"))
        l.dns_log_version = std::string_view(env) == "2" ? 2 : 3;
    l.detection_ports = configured_detection_ports(config);
    l.protocol_settings = config.with_prefix("app-layer.protocols.");
    return l;
}

void AppStats::merge(const AppStats& o) {
    for (const auto& [name, n] : o.flows) flows[name] += n;
    for (const auto& [name, n] : o.transactions) transactions[name] += n;
    flows_detected += o.flows_detected;
    failed_tcp += o.failed_tcp;
    failed_udp += o.failed_udp;
    transactions_dropped += o.transactions_dropped;
    publishers_evicted += o.publishers_evicted;
}

AppLayer::AppLayer(std::span<const ProtocolSpec* const> protocols, AppLimits limits)
    : protocols_(protocols), limits_(std::move(limits)) {}

FlowApp& AppLayer::app(flow::Flow& flow) {
    auto* state = static_cast<FlowApp*>(flow.app_state.get());
    if (state == nullptr) {
        auto fresh = std::make_unique<FlowApp>();
        state = fresh.get();
        flow.app_state = std::move(fresh);
    }
    return *state;
}

ParseContext AppLayer::context(FlowApp& app) {
    return ParseContext(app.txs, app.next_tx_id, app.events, limits_, packet_, now_);
}

void AppLayer::claim(flow::Flow& flow, FlowApp& app, const ProtocolSpec& spec, Direction dir) {
    app.spec = &spec;
    app.direction_spec = {};
    app.direction_probed = {};
    app.direction_spec[dir_index(dir)] = &spec;
    app.direction_probed[dir_index(dir)] = true;
    app.parser = spec.make_parser(limits_);
    // After a change the new protocol numbers its transactions from 0, as Suricata does (the
    // old ones are gone: old_transactions_pending).
    if (app.original != nullptr) app.next_tx_id = 0;
    flow.app_proto = spec.name;
    ++stats_.flows_detected;
    ++stats_.flows[spec.name];
}

bool AppLayer::detect(flow::Flow& flow, FlowApp& app, Direction dir, bool datagram) {
    std::vector<std::uint8_t>& held = app.held[dir_index(dir)];
    bool undecided = false;
    // Protocols on their own port first, so a weak content probe (DNS) is not beaten by a
    // stronger one elsewhere; then every other protocol by content alone.
    for (int pass = 0; pass < 2; ++pass) {
        for (const ProtocolSpec* spec : protocols_) {
            if (datagram ? !spec->udp : !spec->tcp) continue;
            const bool port = on_port(
                *spec, app.probe_port != 0 ? app.probe_port : flow.server_port, datagram, limits_);
            if (port != (pass == 0)) continue;
            switch (spec->probe(held, dir, port)) {
                case Probe::match:
                    claim(flow, app, *spec, dir);
                    return true;
                case Probe::need_more:
                    undecided = true;
                    break;
                case Probe::no_match:
                    break;
            }
        }
    }
    // TCP: until every protocol said no or the bound is reached. UDP: a few datagrams per
    // direction, each probed alone (a stray first datagram is common).
    const bool give_up = datagram ? ++app.datagrams_probed[dir_index(dir)] >= kDatagramsProbed
                                  : !undecided || held.size() >= limits_.probe_bytes;
    if (give_up) {
        app.gave_up[dir_index(dir)] = true;
        held.clear();
        held.shrink_to_fit();
    }
    // Failed once both directions gave up; a direction that never spoke may still decide.
    app.failed = app.gave_up[0] && app.gave_up[1];
    if (app.failed) ++(datagram ? stats_.failed_udp : stats_.failed_tcp);
    return false;
}

void AppLayer::on_stream_data(flow::Flow& flow, Direction dir, ByteSpan data) {
    if (data.empty()) return;
    FlowApp& a = app(flow);
    if (a.failed) return;
    if (limits_.unacked_bytes == 0) {
        parse_stream(flow, a, dir, data);
        return;
    }
    std::vector<std::uint8_t>& held = a.unacked[dir_index(dir)];
    held.insert(held.end(), data.begin(), data.end());
    // Past the bound the oldest bytes are parsed without waiting for their acknowledgement.
    const std::size_t waiting = held.size() - a.unacked_head[dir_index(dir)];
    if (waiting > limits_.unacked_bytes)
        release_unacked(flow, a, dir, waiting - limits_.unacked_bytes);
}

void AppLayer::on_stream_ack(flow::Flow& flow, Direction dir, std::uint64_t bytes_acked) {
    FlowApp* a = state(flow);
    if (a == nullptr || a->failed) return;
    release_unacked(
        flow, *a, dir,
        static_cast<std::size_t>(std::min<std::uint64_t>(bytes_acked, unacked(flow, dir))));
}

std::size_t AppLayer::unacked(const flow::Flow& flow, Direction dir) {
    const FlowApp* a = state(flow);
    if (a == nullptr) return 0;
    return a->unacked[dir_index(dir)].size() - a->unacked_head[dir_index(dir)];
}

void AppLayer::release_unacked(flow::Flow& flow, FlowApp& a, Direction dir, std::size_t n) {
    std::vector<std::uint8_t>& held = a.unacked[dir_index(dir)];
    std::size_t& head = a.unacked_head[dir_index(dir)];
    n = std::min(n, held.size() - head);
    if (n == 0) return;
    // Parsers never touch FlowApp::unacked, so the bytes can be parsed in place.
    const ByteSpan bytes = ByteSpan(held).subspan(head, n);
    head += n;
    parse_stream(flow, a, dir, bytes);
    if (head == held.size()) {
        held.clear();
        head = 0;
    } else if (head > held.size() / 2) {
        held.erase(held.begin(), held.begin() + static_cast<std::ptrdiff_t>(head));
        head = 0;
    }
}

void AppLayer::parse_stream(flow::Flow& flow, FlowApp& a, Direction dir, ByteSpan data) {
    if (a.failed) return;
    if (a.probing()) {
        if (a.gave_up[dir_index(dir)]) return;
        std::vector<std::uint8_t>& held = a.held[dir_index(dir)];
        held.insert(held.end(), data.begin(), data.end());
        // After a change, the other direction's bytes may have waited for the old protocol's
        // last records (probe_stream).
        const Direction other = flow::opposite(dir);
        if (a.original != nullptr && !a.held[dir_index(other)].empty() &&
            !a.gave_up[dir_index(other)])
            probe_stream(flow, a, other);
        if (a.probing() && !a.failed) probe_stream(flow, a, dir);
        return;
    }
    if (!a.direction_probed[dir_index(dir)]) probe_direction(flow, a, dir, data);
    ParseContext ctx = context(a);
    a.parser->parse(dir, data, ctx);
    after_parse(flow, a, ctx, dir);
}

void AppLayer::probe_direction(const flow::Flow& flow, FlowApp& a, Direction dir, ByteSpan data) {
    a.direction_probed[dir_index(dir)] = true;
    const std::uint16_t port = a.probe_port != 0 ? a.probe_port : flow.server_port;
    // The flow's own protocol first: when it fits (or cannot tell yet) there is no mismatch.
    if (a.spec->probe(data, dir, on_port(*a.spec, port, false, limits_)) != Probe::no_match) {
        a.direction_spec[dir_index(dir)] = a.spec;
        return;
    }
    for (int pass = 0; pass < 2; ++pass) {
        for (const ProtocolSpec* spec : protocols_) {
            if (!spec->tcp || spec == a.spec) continue;
            const bool on = on_port(*spec, port, false, limits_);
            if (on != (pass == 0) || spec->probe(data, dir, on) != Probe::match) continue;
            a.direction_spec[dir_index(dir)] = spec;
            if (a.events.size() < ParseContext::kMaxEvents) a.events.push_back(kMismatchEvent);
            return;
        }
    }
}

void AppLayer::probe_stream(flow::Flow& flow, FlowApp& a, Direction dir) {
    std::vector<std::uint8_t>& held = a.held[dir_index(dir)];
    if (old_transactions_pending(a)) {
        // Output has not written the old protocol's last records yet (it does after this
        // packet): the bytes wait, within the probe bound.
        if (held.size() >= limits_.probe_bytes) {
            a.gave_up[dir_index(dir)] = true;
            held.clear();
        }
        return;
    }
    if (!detect(flow, a, dir, false)) return;
    // Claimed: the parser sees what was held, the other direction's first (it came
    // earlier), then this one's.
    ParseContext ctx = context(a);
    const Direction other = flow::opposite(dir);
    for (Direction d : {other, dir}) {
        std::vector<std::uint8_t> bytes = std::move(a.held[dir_index(d)]);
        a.held[dir_index(d)].clear();
        if (!bytes.empty() && !ctx.protocol_changed()) a.parser->parse(d, bytes, ctx);
    }
    a.held[0].shrink_to_fit();
    a.held[1].shrink_to_fit();
    after_parse(flow, a, ctx, dir);
}

void AppLayer::after_parse(flow::Flow& flow, FlowApp& a, ParseContext& ctx, Direction dir) {
    if (ctx.protocol_changed() && a.changes < kMaxProtocolChanges) {
        change_protocol(flow, a, ctx, dir);
        return;
    }
    bound_transactions(a);
}

void AppLayer::change_protocol(flow::Flow& flow, FlowApp& a, ParseContext& ctx, Direction dir) {
    // Every transaction so far becomes loggable under the old protocol.
    a.parser->finish(ctx);
    a.parser.reset();
    a.original = a.spec;
    a.probe_port = ctx.changed_port();
    ++a.changes;
    a.gave_up = {};
    a.datagrams_probed = {};
    a.direction_spec = {};  // each direction is detected again, as Suricata does
    a.direction_probed = {};
    bound_transactions(a);
    if (flow.proto != kProtoTcp) return;  // datagrams: the next one is probed
    for (Direction d : {Direction::to_server, Direction::to_client})
        a.held[dir_index(d)] = std::move(ctx.unparsed(d));
    // What the old parser handed back is probed now: the other direction's first, as above.
    for (Direction d : {flow::opposite(dir), dir})
        if (a.probing() && !a.failed && !a.held[dir_index(d)].empty()) probe_stream(flow, a, d);
}

bool AppLayer::old_transactions_pending(FlowApp& a) {
    if (a.original == nullptr) return false;
    while (!a.txs.empty()) {
        const Transaction& tx = *a.txs.front();
        if (tx.records_written < tx.records_ready) return true;
        a.txs.pop_front();
        ++stats_.transactions[a.spec->name];
    }
    return false;
}

void AppLayer::on_stream_gap(flow::Flow& flow, Direction dir, std::uint64_t length) {
    FlowApp& a = app(flow);
    // What came before the hole is parsed first, acknowledged or not.
    release_unacked(flow, a, dir, unacked(flow, dir));
    if (a.probing()) {
        // A hole before the protocol is known: this direction cannot be probed any more.
        a.gave_up[dir_index(dir)] = true;
        a.held[dir_index(dir)].clear();
        if (a.gave_up[0] && a.gave_up[1] && !a.failed) {
            a.failed = true;
            ++stats_.failed_tcp;
        }
        return;
    }
    ParseContext ctx = context(a);
    a.parser->gap(dir, length, ctx);
}

void AppLayer::on_stream_close(flow::Flow& flow, Direction dir) {
    FlowApp* a = state(flow);
    if (a == nullptr) return;
    release_unacked(flow, *a, dir, unacked(flow, dir));
    if (a->parser == nullptr) return;
    ParseContext ctx = context(*a);
    a->parser->close(dir, ctx);
}

void AppLayer::on_datagram(flow::Flow& flow, Direction dir, ByteSpan data) {
    if (data.empty()) return;
    FlowApp& a = app(flow);
    if (a.failed) return;
    if (a.probing()) {
        if (a.gave_up[dir_index(dir)]) return;
        if (old_transactions_pending(a)) return;  // a datagram is probed alone: no waiting
        a.held[dir_index(dir)].assign(data.begin(), data.end());
        const bool claimed = detect(flow, a, dir, true);
        a.held[dir_index(dir)].clear();
        if (!claimed) return;
    }
    ParseContext ctx = context(a);
    a.parser->parse(dir, data, ctx);
    // A datagram protocol that changes protocol: later datagrams are probed again.
    after_parse(flow, a, ctx, dir);
}

namespace {

// A publisher's pseudo flow id: from its key, within 2^51 like a flow's (EVE readers take
// JSON numbers as doubles), so one publisher's records share an id across the run.
std::uint64_t publisher_flow_id(const FrameKey& key) {
    std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
    auto mix = [&h](std::uint64_t v) { h = (h ^ v) * 1099511628211ULL; };
    for (std::uint8_t b : key.src) mix(b);
    for (std::uint8_t b : key.dst) mix(b);
    for (std::uint16_t v : key.vlan) mix(v);
    mix(key.appid);
    mix(0x88b8);  // keeps them apart from IP flows' ids computed the same way
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 29;
    h &= (1ULL << 51) - 1;
    return h == 0 ? 1 : h;
}

}  // namespace

void AppLayer::forget_publisher(std::list<Publisher>::iterator it) {
    if (FlowApp* a = state(it->flow)) stats_.transactions[a->spec->name] += a->txs.size();
    publisher_index_.erase(it->key);
    publishers_.erase(it);
    ++stats_.publishers_evicted;
}

flow::Flow* AppLayer::on_frame(const Packet& pkt) {
    if (pkt.ip_version != 0 || pkt.ether_type == 0 || pkt.ether_header.size() < 12) return nullptr;
    const ProtocolSpec* spec = nullptr;
    for (const ProtocolSpec* p : protocols_)
        if (p->ethertype == pkt.ether_type && p->make_parser != nullptr) spec = p;
    if (spec == nullptr) return nullptr;
    FrameKey key;
    std::copy_n(pkt.ether_header.begin(), 6, key.dst.begin());
    std::copy_n(pkt.ether_header.begin() + 6, 6, key.src.begin());
    key.vlan = pkt.vlan;
    key.appid = ByteCursor(pkt.l2_payload).peek_u16be();
    // Idle publishers go first (the list's tail is the least recently seen).
    while (!publishers_.empty() &&
           publishers_.back().flow.last.sec + limits_.publisher_timeout < pkt.ts.sec)
        forget_publisher(std::prev(publishers_.end()));
    Publisher* pub = nullptr;
    if (auto found = publisher_index_.find(key); found != publisher_index_.end()) {
        publishers_.splice(publishers_.begin(), publishers_, found->second);
        pub = &*found->second;
    } else {
        if (publishers_.size() >= limits_.max_publishers)
            forget_publisher(std::prev(publishers_.end()));
        pub = &publishers_.emplace_front();
        publisher_index_.emplace(key, publishers_.begin());
        pub->key = key;
        flow::Flow& f = pub->flow;
        f.flow_id = publisher_flow_id(key);
        f.first_pcap_cnt = pkt.pcap_cnt;
        f.start = pkt.ts;
        f.key.vlan = pkt.vlan;
        f.app_proto = spec->name;
        auto fresh = std::make_unique<FlowApp>();
        fresh->spec = spec;
        fresh->parser = spec->make_parser(limits_);
        fresh->frame = key;
        f.app_state = std::move(fresh);
        ++stats_.flows[spec->name];
        ++stats_.flows_detected;
    }
    flow::Flow& f = pub->flow;
    f.last = pkt.ts;
    ++f.pkts[0];
    f.bytes[0] += pkt.data.size();
    f.payload_seen = true;
    FlowApp& a = *state(f);
    ParseContext ctx = context(a);
    a.parser->parse(Direction::to_server, pkt.l2_payload, ctx);
    bound_transactions(a);
    return &f;
}

void AppLayer::finish(flow::Flow& flow) {
    FlowApp* a = state(flow);
    if (a == nullptr) return;
    // The flow ends: unacknowledged data is parsed now, as Suricata does at flow timeout.
    for (Direction d : {Direction::to_server, Direction::to_client})
        release_unacked(flow, *a, d, unacked(flow, d));
    if (a->parser == nullptr) return;
    ParseContext ctx = context(*a);
    a->parser->finish(ctx);
}

void AppLayer::bound_transactions(FlowApp& app) {
    // Past the limit the oldest transactions are considered finished: output logs what they
    // have, prune forgets them.
    if (app.txs.size() <= limits_.max_transactions) return;
    const std::size_t excess = app.txs.size() - limits_.max_transactions;
    for (std::size_t i = 0; i < excess; ++i) {
        Transaction& tx = *app.txs[i];
        if (!tx.complete()) {
            tx.done = {true, true};
            ++stats_.transactions_dropped;
        }
    }
}

void AppLayer::prune(flow::Flow& flow, bool inspected) {
    FlowApp* a = state(flow);
    if (a == nullptr) return;
    // Only from the front, so ids stay ordered and parsers can find theirs by id.
    while (!a->txs.empty()) {
        const Transaction& tx = *a->txs.front();
        if (!tx.complete() || tx.records_written < tx.records_ready) break;
        // Past the transaction bound the oldest go regardless.
        const bool over_bound = a->txs.size() > limits_.max_transactions;
        if (inspected && tx.progress != tx.inspected && !over_bound) break;
        a->txs.pop_front();
        ++stats_.transactions[a->spec->name];
    }
    a->events.clear();
}

}  // namespace tocsin::applayer
