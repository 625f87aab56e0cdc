#include "pipeline/worker.h"

#include <algorithm>

#include "output/eve.h"

namespace tocsin::pipeline {

Worker::Worker(const Config& config, unsigned workers, OutputSwitches outputs)
    : outputs_(outputs),
      table_(flow::FlowTableOptions::from_config(config, workers), *this),
      tcp_(stream::StreamOptions::from_config(config, workers)) {}

void Worker::emit(std::string json, EventKind kind, std::uint64_t order, std::uint64_t tiebreak) {
    EventKey key = current_;
    key.order = order;
    key.tiebreak = tiebreak;
    out_->push_back(EventRecord{key, std::move(json), kind});
}

void Worker::set_engine(std::shared_ptr<const detect::Engine> engine) {
    engine_ = std::move(engine);
    scratch_ = engine_ ? engine_->make_scratch() : nullptr;
}

// Rules after the flow and stream stages have seen the packet: alerts (and, inline, drops)
// are emitted before the packet's anomalies.
void Worker::detect(Packet& pkt, flow::Flow* flow, flow::Direction dir,
                    const std::string& filename) {
    verdict_.alerts.clear();
    verdict_.drop = false;
    verdict_.drop_sig = nullptr;
    engine_->inspect(pkt, flow, dir, *scratch_, verdict_);
    std::uint64_t order = 1ULL << 61;
    if (!verdict_.alerts.empty() && flow != nullptr) flow->alerted = true;
    if (outputs_.alert)
        for (const detect::Alert& alert : verdict_.alerts)
            emit(output::alert_event(pkt, flow, dir, alert, filename), EventKind::alert, order++);
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
        // A packet failing its checksum would be dropped by the receiver: never feed a stream.
        if (flow != nullptr && pkt.ip_proto == kProtoTcp && pkt.has_l4 && !pkt.checksum_bad)
            tcp_.process(*flow, found.direction, pkt, *this);
    }
    if (engine_) detect(pkt, flow, dir, filename);
    if (outputs_.anomaly) {
        std::uint64_t order = 1ULL << 62;  // after any flows this packet pushed out
        for (Anomaly a : pkt.anomalies.items())
            emit(output::anomaly_event(pkt, a, flow, filename), EventKind::anomaly, order++);
    }
}

void Worker::on_flow_end(flow::Flow& flow, flow::EndReason reason, Timestamp now) {
    tcp_.finish(flow, *this);
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
}

void Worker::on_gap(flow::Flow& flow, flow::Direction dir, std::uint64_t, std::uint64_t) {
    if (engine_ && engine_->wants_stream()) engine_->stream_gap(flow, dir);
}
void Worker::on_close(flow::Flow&, flow::Direction) {}

}  // namespace tocsin::pipeline
