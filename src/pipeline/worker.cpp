#include "pipeline/worker.h"

#include <algorithm>

#include "output/eve.h"
#include "proto/registry.h"

namespace tocsin::pipeline {

namespace {

// The flow table's options, with the TCP ports of the application protocols (built-in and
// configured) as the ports servers listen on.
flow::FlowTableOptions flow_options(const Config& config, unsigned workers) {
    flow::FlowTableOptions options = flow::FlowTableOptions::from_config(config, workers);
    auto ports = std::make_shared<std::bitset<65536>>();
    for (const applayer::ProtocolSpec* spec : proto::registered_protocols())
        if (spec->tcp)
            for (std::uint16_t port : spec->ports) ports->set(port);
    for (const applayer::DetectionPorts& d :
         applayer::AppLimits::from_config(config).detection_ports)
        if (d.tcp)
            for (const auto& [first, last] : d.ranges)
                for (std::uint32_t p = first; p <= last; ++p) ports->set(p);
    options.server_ports = std::move(ports);
    return options;
}

}  // namespace

Packet flow_end_packet(const flow::Flow& flow, flow::Direction dir, Timestamp now) {
    Packet pseudo;
    pseudo.ts = now;
    pseudo.flow_end_pseudo = true;
    pseudo.vlan = flow.key.vlan;
    pseudo.ip_version = flow.client_addr.family;
    pseudo.ip_proto = flow.proto;
    pseudo.has_l4 = true;
    const bool to_server = dir == flow::Direction::to_server;
    pseudo.src = to_server ? flow.client_addr : flow.server_addr;
    pseudo.dst = to_server ? flow.server_addr : flow.client_addr;
    pseudo.sport = to_server ? flow.client_port : flow.server_port;
    pseudo.dport = to_server ? flow.server_port : flow.client_port;
    return pseudo;
}

Worker::Worker(const Config& config, unsigned workers, OutputSwitches outputs)
    : outputs_(outputs),
      table_(flow_options(config, workers), *this),
      tcp_(stream::StreamOptions::from_config(config, workers)),
      app_enabled_(config.get_bool("app-layer.enabled")),
      app_(proto::registered_protocols(), applayer::AppLimits::from_config(config)),
      assets_(config.get_bool("assets.enabled")) {}

void Worker::emit(std::string json, EventKind kind, std::uint64_t order, std::uint64_t tiebreak) {
    EventKey key = current_;
    key.order = order;
    key.tiebreak = tiebreak;
    out_->push_back(EventRecord{key, std::move(json), kind, nullptr, -1, {}});
}

void Worker::set_engine(std::shared_ptr<const detect::Engine> engine) {
    engine_ = std::move(engine);
    scratch_ = engine_ ? engine_->make_scratch() : nullptr;
    if (engine_)
        app_.require_inspection(engine_->needs_file_magic(), engine_->needs_file_digests(),
                                engine_->needs_bodies());
}

void Worker::set_intel(std::shared_ptr<const intel::IntelSet> intel) {
    intel_ = std::move(intel);
    if (intel_ && intel_->size() == 0) intel_.reset();
    if (intel_)
        app_.require_inspection(false,
                                {.md5 = intel_->wants(intel::ObservableKind::md5),
                                 .sha1 = intel_->wants(intel::ObservableKind::sha1),
                                 .sha256 = intel_->wants(intel::ObservableKind::sha256)},
                                false);
}

// Rules after the flow and stream stages have seen the packet: alerts (and, inline, drops)
// are emitted before the packet's anomalies.
void Worker::detect(Packet& pkt, flow::Flow* flow, flow::Direction dir,
                    const std::string& filename) {
    verdict_.alerts.clear();
    verdict_.drop = false;
    verdict_.drop_sig = nullptr;
    engine_->inspect(pkt, flow, dir, *scratch_, verdict_, app_.current_packet());
    std::uint64_t order = 1ULL << 61;
    if (!verdict_.alerts.empty() && flow != nullptr) flow->alerted = true;
    if (outputs_.alert)
        for (const detect::Alert& alert : verdict_.alerts)
            emit(output::alert_event(pkt, flow, dir, alert, filename, outputs_.alert_extras),
                 EventKind::alert, order++);
    if (verdict_.drop && verdict_.drop_sig != nullptr && outputs_.drop)
        emit(output::drop_event(pkt, flow, true, filename), EventKind::drop, order++);
}

void Worker::process(const WorkItem& item, std::vector<Packet*>& packets,
                     const std::vector<Packet*>& carriers,
                     const std::vector<std::string>& filenames, std::vector<EventRecord>& out) {
    out_ = &out;
    switch (item.kind) {
        case WorkItem::Kind::tick:
            current_ = EventKey{item.position, 0, 0};
            table_.expire(item.time);
            break;
        case WorkItem::Kind::shutdown:
            current_ = EventKey{item.position, 0, 0};
            table_.end_all(flow::EndReason::shutdown, item.time);
            break;
        case WorkItem::Kind::packet: {
            Packet& pkt = *packets[item.slot];
            current_ = EventKey{pkt.pcap_cnt, 1, 0};
            process_packet(pkt, filenames[pkt.file_index]);
            break;
        }
        case WorkItem::Kind::carrier: {
            // Only counted into its flow: the carrier's anomalies and payload belong to the
            // inner packet, processed by whichever worker owns the inner flow.
            const Packet& carrier = *carriers[item.slot];
            current_ = EventKey{carrier.pcap_cnt, 1, 0};
            table_.track(carrier);
            break;
        }
    }
    flow_memory_peak_ = std::max(flow_memory_peak_, table_.memory_in_use() + tcp_.memory_in_use());
}

void Worker::process_packet(Packet& pkt, const std::string& filename) {
    app_.begin_packet(++packets_seen_, pkt.ts);
    filename_ = &filename;
    flow::Flow* flow = nullptr;
    flow::Direction dir = flow::Direction::to_server;
    if (pkt.has_flow_key) {
        // A SYN on the ports of a finished connection opens a new one, as on the hosts: the
        // old flow ends before this packet is counted.
        const bool bare_syn = pkt.ip_proto == kProtoTcp && pkt.has_l4 &&
                              (pkt.tcp.flags & (kTcpSyn | kTcpAck | kTcpRst)) == kTcpSyn;
        if (bare_syn) {
            flow::Flow* old = table_.find(pkt);
            if (old != nullptr && tcp_.is_port_reuse(*old, pkt)) {
                tcp_.count_port_reuse();
                table_.end(*old, flow::EndReason::forced, pkt.ts);
            }
        }
        const flow::FlowTable::Lookup found = table_.track(pkt);
        flow = found.flow;
        dir = found.direction;
        if (flow != nullptr && assets_ && flow->pkts[flow::dir_index(dir)] == 1)
            observe_endpoint(pkt, *flow);
        // A packet failing its checksum would be dropped by the receiver: never feed a stream.
        if (flow != nullptr && pkt.ip_proto == kProtoTcp && pkt.has_l4 && !pkt.checksum_bad) {
            tcp_.process(*flow, found.direction, pkt, *this);
            if (app_enabled_) {
                release_acknowledged(*flow, dir, pkt);
                release_one_sided(*flow, dir);
            }
        }
        // UDP datagrams reach the app layer whatever their checksum, as in Suricata (only
        // TCP reassembly refuses bad segments).
        if (flow != nullptr && app_enabled_ && pkt.ip_proto == kProtoUdp && pkt.has_l4 &&
            !pkt.payload.empty())
            app_.on_datagram(*flow, dir, pkt.payload);
    } else if (app_enabled_ && pkt.ether_type != 0) {
        // A frame protocol without IP (GOOSE): its publisher's pseudo flow stands in for a
        // flow below, so detection, records and events work as for flows (applayer.h).
        flow = app_.on_frame(pkt);
    }
    if (engine_) detect(pkt, flow, dir, filename);
    if (intel_ && flow != nullptr) match_intel(pkt, *flow, dir, filename, false);
    if (flow != nullptr && flow->app_state != nullptr)
        log_transactions(*flow, &pkt, pkt.ts, filename);
    if (outputs_.anomaly) {
        std::uint64_t order = 1ULL << 62;  // after any flows this packet pushed out
        for (Anomaly a : pkt.anomalies.items())
            emit(output::anomaly_event(pkt, a, flow, filename), EventKind::anomaly, order++);
        if (flow != nullptr) log_app_events(pkt, *flow, filename, order);
    }
    if (flow != nullptr && flow->app_state != nullptr) app_.prune(*flow, engine_ != nullptr);
}

// The sender's address and, from the same Ethernet segment, its MAC. A tunnelled packet's
// Ethernet header belongs to the carrier, not to the inner sender.
void Worker::observe_endpoint(const Packet& pkt, const flow::Flow& flow) {
    std::optional<assets::MacAddress> mac;
    if (pkt.tunnel_depth == 0 && pkt.ether_header.size() >= 12) {
        mac.emplace();
        ByteCursor c(pkt.ether_header);
        c.skip(6);  // destination
        const ByteSpan source = c.bytes(6);
        std::copy(source.begin(), source.end(), mac->begin());
    }
    emit_sighting(assets::address_sighting(pkt.ts, pkt.src, mac ? &*mac : nullptr, flow.flow_id),
                  1ULL << 59, 0);
}

void Worker::observe_devices(const flow::Flow& flow, const applayer::ProtocolSpec& spec,
                             const applayer::Transaction& tx, Timestamp now, std::uint64_t order,
                             std::uint64_t tiebreak) {
    for (assets::Sighting& s : assets::transaction_sightings(now, flow, spec, tx))
        emit_sighting(std::move(s), order, tiebreak);
}

void Worker::emit_sighting(assets::Sighting sighting, std::uint64_t order, std::uint64_t tiebreak) {
    EventKey key = current_;
    key.order = order;
    key.tiebreak = tiebreak;
    // Records with one key keep their order: the merge sorts stably.
    out_->push_back(EventRecord{key,
                                {},
                                EventKind::other,
                                std::make_unique<assets::Sighting>(std::move(sighting)),
                                -1,
                                {}});
}

// The packet acknowledges data of the other direction: the app layer parses it now.
void Worker::release_acknowledged(flow::Flow& flow, flow::Direction dir, const Packet& pkt) {
    if ((pkt.tcp.flags & kTcpAck) == 0) return;
    const flow::Direction other = flow::opposite(dir);
    const std::size_t held = applayer::AppLayer::unacked(flow, other);
    if (held == 0) return;
    const stream::TcpSession* session = stream::TcpTracker::session(flow);
    if (session == nullptr) return;
    const stream::StreamDirection& sender = session->dir[flow::dir_index(other)];
    // How far the ACK falls short of what the sender sent in order (negative: it covers all,
    // the FIN's sequence number included).
    const auto short_of = static_cast<std::int32_t>(sender.next_seq - pkt.tcp.ack);
    const std::size_t still_unacked =
        short_of > 0 ? std::min<std::size_t>(held, static_cast<std::size_t>(short_of)) : 0;
    app_.on_stream_ack(flow, other, held - still_unacked);
}

// A one-sided session (stream.async-oneside) never sees its data acknowledged: the app layer
// parses it as it arrives, as Suricata does for asynchronous streams.
void Worker::release_one_sided(flow::Flow& flow, flow::Direction dir) {
    const stream::TcpSession* session = stream::TcpTracker::session(flow);
    if (session == nullptr || !session->async) return;
    const std::size_t held = applayer::AppLayer::unacked(flow, dir);
    if (held != 0) app_.on_stream_ack(flow, dir, held);
}

void Worker::log_transactions(flow::Flow& flow, const Packet* pkt, Timestamp now,
                              const std::string& filename) {
    const applayer::FlowApp* app = applayer::AppLayer::state(flow);
    if (app == nullptr || app->spec == nullptr) return;
    const applayer::ProtocolSpec& spec = *app->spec;
    // After the packet's alerts; at a flow's end, just before its flow record.
    std::uint64_t order = pkt != nullptr ? 3ULL << 60 : flow.first_pcap_cnt;
    for (const std::unique_ptr<applayer::Transaction>& tx : app->txs) {
        if (assets_ && tx->records_written < tx->records_ready)
            observe_devices(flow, spec, *tx, now, pkt != nullptr ? order++ : order,
                            pkt != nullptr ? 0 : flow.hash);
        for (; tx->records_written < tx->records_ready; ++tx->records_written) {
            const applayer::RecordHead head = spec.record_head(*tx, tx->records_written);
            if (!outputs_.app_type_on(head.event_type)) continue;
            emit(
                output::transaction_event(flow, spec, *tx, tx->records_written, pkt, now, filename),
                EventKind::other, pkt != nullptr ? order++ : order, pkt != nullptr ? 0 : flow.hash);
        }
    }
}

void Worker::log_app_events(const Packet& pkt, flow::Flow& flow, const std::string& filename,
                            std::uint64_t& order) {
    applayer::FlowApp* app = applayer::AppLayer::state(flow);
    if (app == nullptr) return;
    for (std::string_view event : app->events)
        emit(output::app_anomaly_event(pkt, flow, event, nullptr, filename), EventKind::anomaly,
             order++);
    for (const std::unique_ptr<applayer::Transaction>& tx : app->txs) {
        for (; tx->events_logged < tx->events.size(); ++tx->events_logged)
            emit(output::app_anomaly_event(pkt, flow, tx->events[tx->events_logged], tx.get(),
                                           filename),
                 EventKind::anomaly, order++);
    }
}

// What the flow's end completed (a response ended by the close, data never acknowledged) is
// inspected on pseudo packets, one per direction, as Suricata does at flow timeout.
void Worker::inspect_at_flow_end(flow::Flow& flow, Timestamp now, const std::string& filename) {
    for (flow::Direction dir : {flow::Direction::to_server, flow::Direction::to_client}) {
        Packet pseudo = flow_end_packet(flow, dir, now);
        verdict_.alerts.clear();
        verdict_.drop = false;
        verdict_.drop_sig = nullptr;
        engine_->inspect_flow_end(pseudo, flow, dir, *scratch_, verdict_);
        if (!verdict_.alerts.empty()) flow.alerted = true;
        if (!outputs_.alert) continue;
        for (const detect::Alert& alert : verdict_.alerts)
            emit(output::alert_event(pseudo, &flow, dir, alert, filename, outputs_.alert_extras),
                 EventKind::alert, flow.first_pcap_cnt, flow.hash);
    }
}

void Worker::on_flow_end(flow::Flow& flow, flow::EndReason reason, Timestamp now) {
    tcp_.finish(flow, *this);
    if (flow.app_state != nullptr) {
        app_.finish(flow);
        const std::string& filename = filename_ != nullptr ? *filename_ : std::string();
        if (engine_) inspect_at_flow_end(flow, now, filename);
        if (intel_)
            match_intel(flow_end_packet(flow, flow::Direction::to_server, now), flow,
                        flow::Direction::to_server, filename, true);
        log_transactions(flow, nullptr, now, filename);
    }
    // No application-layer parser has claimed it: say so, as Suricata does.
    if (flow.app_proto.empty() && flow.payload_seen &&
        (flow.proto == kProtoTcp || flow.proto == kProtoUdp))
        flow.app_proto = "failed";
    if (outputs_.flow) {
        // Flows ending at a tick order by when they began; inside a packet, by the same.
        emit(output::flow_event(flow, reason, now), EventKind::other, flow.first_pcap_cnt,
             flow.hash);
    }
}

void Worker::on_data(flow::Flow& flow, flow::Direction dir, std::uint64_t offset, ByteSpan data) {
    if (engine_ && engine_->wants_stream()) engine_->add_stream_data(flow, dir, offset, data);
    if (app_enabled_) app_.on_stream_data(flow, dir, data);
}

void Worker::on_gap(flow::Flow& flow, flow::Direction dir, std::uint64_t, std::uint64_t length) {
    if (engine_ && engine_->wants_stream()) engine_->stream_gap(flow, dir);
    if (app_enabled_) app_.on_stream_gap(flow, dir, length);
}

void Worker::on_close(flow::Flow& flow, flow::Direction dir) {
    if (app_enabled_) app_.on_stream_close(flow, dir);
}

}  // namespace tocsin::pipeline
