// A worker owns the flows whose symmetric hash maps to it: flow table, TCP tracking and
// reassembly, and (later) the application layer and detection, with no locks. It turns its
// share of a batch into EVE records keyed by capture position, so the writer can merge all
// workers' records into one order that does not depend on the number of workers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "applayer/applayer.h"
#include "assets/inventory.h"
#include "core/config.h"
#include "core/packet.h"
#include "detect/engine.h"
#include "flow/flow.h"
#include "intel/intel.h"
#include "output/eve.h"
#include "stream/consumer.h"
#include "stream/tcp.h"

namespace tocsin::pipeline {

// Sort key of an EVE record: capture position, then phase (0: timeouts processed before the
// packet at that position, 1: the packet itself), then a tie-breaker.
struct EventKey {
    std::uint64_t position = 0;
    std::uint32_t phase = 0;
    std::uint64_t order = 0;
    std::uint64_t tiebreak = 0;  // flows that began on the same packet (a tunnel and its carrier)
    auto operator<=>(const EventKey&) const = default;
};

enum class EventKind : std::uint8_t { other, anomaly, alert, drop };

struct EventRecord {
    EventKey key;
    std::string json;
    EventKind kind = EventKind::other;
    // Something seen about a device: the writer applies it to the asset inventory in capture
    // order and writes the `asset` record it yields, if any (json is empty then).
    std::unique_ptr<assets::Sighting> sighting;
    // A threat-intelligence hit (index into the run's IntelSet, -1: none) at `intel_time`: the
    // writer counts it into the run's STIX sightings. The record may carry no json (alerts off).
    std::int64_t intel_indicator = -1;
    Timestamp intel_time;
};

// One unit of work for a worker: a packet of the batch, or a clock tick.
struct WorkItem {
    // carrier: the outer layers of a tunnelled packet (its own flow: VXLAN's UDP, GRE, ...)
    enum class Kind : std::uint8_t { packet, carrier, tick, shutdown } kind = Kind::packet;
    std::uint32_t slot = 0;      // packet/carrier: index into the batch
    Timestamp time;              // tick/shutdown: packet time now
    std::uint64_t position = 0;  // tick/shutdown: capture position it precedes
};

struct OutputSwitches {
    bool flow = true;
    bool anomaly = true;
    bool alert = true;
    bool drop = true;
    // Application-layer event types switched off (outputs.eve.types.http: no, ...).
    std::vector<std::string> app_types_off;
    output::AlertExtras alert_extras;  // payload, packet... in alerts

    bool app_type_on(std::string_view type) const {
        for (const std::string& off : app_types_off)
            if (off == type) return false;
        return true;
    }
};

// The pseudo packet that stands for direction `dir` of a flow at its end (Suricata's flow
// timeout packets): inspection and records of what the flow's end completed.
Packet flow_end_packet(const flow::Flow& flow, flow::Direction dir, Timestamp now);

class Worker : public flow::FlowEndHandler, public stream::StreamConsumer {
  public:
    Worker(const Config& config, unsigned workers, OutputSwitches outputs);

    // Processes one item; `filenames[pkt.file_index]` names each packet's capture.
    void process(const WorkItem& item, std::vector<Packet*>& packets,
                 const std::vector<Packet*>& carriers, const std::vector<std::string>& filenames,
                 std::vector<EventRecord>& out);

    // The rule engine to inspect with from now on (null: none). Flows keep their state; a new
    // engine's flowbits start afresh.
    void set_engine(std::shared_ptr<const detect::Engine> engine);
    const detect::Engine* engine() const { return engine_.get(); }

    // The threat intelligence to match flows and transactions against (null: none).
    void set_intel(std::shared_ptr<const intel::IntelSet> intel);

    const flow::FlowStats& flow_stats() const { return table_.stats(); }
    const stream::StreamStats& stream_stats() const { return tcp_.stats(); }
    const applayer::AppStats& app_stats() const { return app_.stats(); }
    std::uint64_t flow_memory_peak() const { return flow_memory_peak_; }

    // FlowEndHandler
    void on_flow_end(flow::Flow& flow, flow::EndReason reason, Timestamp now) override;
    // StreamConsumer: reassembled data goes to the application layer and the stream windows
    // of detection.
    void on_data(flow::Flow& flow, flow::Direction dir, std::uint64_t offset,
                 ByteSpan data) override;
    void on_gap(flow::Flow& flow, flow::Direction dir, std::uint64_t offset,
                std::uint64_t length) override;
    void on_close(flow::Flow& flow, flow::Direction dir) override;

  private:
    void process_packet(Packet& pkt, const std::string& filename);
    void emit(std::string json, EventKind kind, std::uint64_t order, std::uint64_t tiebreak = 0);
    void detect(Packet& pkt, flow::Flow* flow, flow::Direction dir, const std::string& filename);
    // Writes the transactions' records that became ready (pkt null: at the flow's end).
    void log_transactions(flow::Flow& flow, const Packet* pkt, Timestamp now,
                          const std::string& filename);
    // Sightings for the asset inventory: a flow direction's first packet, a transaction whose
    // records became ready.
    void observe_endpoint(const Packet& pkt, const flow::Flow& flow);
    void observe_devices(const flow::Flow& flow, const applayer::ProtocolSpec& spec,
                         const applayer::Transaction& tx, Timestamp now, std::uint64_t order,
                         std::uint64_t tiebreak);
    void emit_sighting(assets::Sighting sighting, std::uint64_t order, std::uint64_t tiebreak);
    void release_acknowledged(flow::Flow& flow, flow::Direction dir, const Packet& pkt);
    void release_one_sided(flow::Flow& flow, flow::Direction dir);
    void inspect_at_flow_end(flow::Flow& flow, Timestamp now, const std::string& filename);
    // Threat intelligence (worker_intel.cpp): the flow's addresses on its first packet and
    // once its protocol is known, the observables of transactions that changed (all of them
    // at the flow's end). An indicator alerts once per flow.
    void match_intel(const Packet& pkt, flow::Flow& flow, flow::Direction dir,
                     const std::string& filename, bool flow_end);
    void report_intel_hits(const Packet& pkt, flow::Flow& flow, flow::Direction dir,
                           const applayer::Transaction* tx, const applayer::ProtocolSpec* spec,
                           applayer::Observable kind, std::string_view value,
                           const std::string& filename, bool flow_end);
    // Application-layer events raised since the last packet, as anomaly records.
    void log_app_events(const Packet& pkt, flow::Flow& flow, const std::string& filename,
                        std::uint64_t& order);

    OutputSwitches outputs_;
    flow::FlowTable table_;
    stream::TcpTracker tcp_;
    bool app_enabled_ = true;
    applayer::AppLayer app_;
    bool assets_ = false;             // assets.enabled: sightings go to the writer's inventory
    std::uint64_t packets_seen_ = 0;  // numbers packets for the app layer's transactions
    const std::string* filename_ = nullptr;  // the capture of the packet being processed
    std::vector<EventRecord>* out_ = nullptr;
    EventKey current_;
    std::uint64_t flow_memory_peak_ = 0;
    std::shared_ptr<const detect::Engine> engine_;
    detect::Engine::ScratchPtr scratch_;
    detect::Verdict verdict_;
    std::shared_ptr<const intel::IntelSet> intel_;
    intel::Hits intel_hits_;
    std::uint64_t intel_order_ = 0;  // orders this packet's intel alerts after its rule alerts
};

}  // namespace tocsin::pipeline
