// The detection engine: signatures grouped by protocol class and direction, a Vectorscan
// database of fast patterns per group and inspection buffer, and full verification of the
// candidates the prefilter yields. Built once from a RuleSet, then shared read-only by all
// workers; per-worker mutable state lives in Engine::Scratch, per-flow state in the flow.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "applayer/protocol.h"
#include "core/config.h"
#include "core/packet.h"
#include "core/stage_state.h"
#include "detect/payload_match.h"
#include "detect/rule_loader.h"
#include "detect/signature.h"
#include "detect/threshold.h"
#include "flow/flow.h"

namespace tocsin::detect {

struct DetectOptions {
    bool simulate_ips = false;
    std::size_t max_alerts_per_packet = 15;  // Suricata's packet-alert-max
    std::size_t stream_window = 2048;        // stream bytes re-inspected with new data
    // The application protocols whose transactions fill the app buffers (proto/registry.h).
    std::span<const applayer::ProtocolSpec* const> protocols;

    static DetectOptions from_config(const Config& config);
};

enum class AlertAction : std::uint8_t { allowed, blocked };

struct Alert {
    const Signature* sig = nullptr;
    AlertAction action = AlertAction::allowed;
    // The application-layer transaction the rule matched (null: a packet rule).
    const applayer::Transaction* tx = nullptr;
    const applayer::ProtocolSpec* protocol = nullptr;
    // json datasets that matched: written as alert.context.<key>.
    std::vector<AlertContext> context;
};

struct Verdict {
    std::vector<Alert> alerts;
    bool drop = false;  // simulate-ips: the packet is dropped
    const Signature* drop_sig = nullptr;
};

// What detection keeps per flow: flowbits, flowints, pass/drop, the stream windows.
struct FlowDetectState : public StageState {
    std::uint64_t generation = 0;  // of the engine that built it: reloads start afresh
    std::vector<std::uint8_t> flowbits;
    // The rule set's traffic/id and traffic/label flowbits, for the flow's EVE records.
    std::shared_ptr<const std::vector<TrafficBit>> traffic_bits;
    std::vector<std::int64_t> flowints;
    std::vector<std::uint8_t> flowint_set;
    bool passed = false;
    bool dropped = false;
    // Sides whose protocol detection rules have seen finish (the protocol known, or detection
    // failed, and that side's data parsed): app-layer-protocol-only rules match on the packet
    // that finishes one, as Suricata's "PD-only" rules.
    std::array<bool, 2> protocol_detected{};
    struct StreamWindow {
        std::vector<std::uint8_t> bytes;
        std::uint64_t start_offset = 0;               // stream offset of bytes[0]
        std::size_t new_from = 0;                     // bytes before this were inspected already
        std::uint64_t next_offset = 0;                // where the next delivery is expected
        const std::uint8_t* last_delivery = nullptr;  // the packet bytes last delivered from
    };
    std::array<StreamWindow, 2> windows;
    // The last value an entropy keyword computed on each buffer: EVE metadata.entropy.<buffer>
    // of the flow's records, as Suricata's flow variable.
    std::vector<std::pair<BufferId, double>> entropy;
};

class Engine {
    struct BuildKey {};  // only build() can make an Engine

  public:
    explicit Engine(BuildKey);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // Compiles the rule set; null (and `error`) only when Vectorscan fails as a whole.
    static std::shared_ptr<Engine> build(RuleSet rules, const DetectOptions& options,
                                         std::string& error);

    // Per-worker scratch: Vectorscan scratch, candidate lists, buffers. Not shared.
    class Scratch;
    struct ScratchDeleter {
        void operator()(Scratch* s) const;
    };
    using ScratchPtr = std::unique_ptr<Scratch, ScratchDeleter>;
    ScratchPtr make_scratch() const;

    // Whether stream data must be kept for inspection (some rule reads the TCP payload).
    bool wants_stream() const { return wants_stream_; }
    // Whether some rule inspects file types (filemagic, file.magic) or hashes (filemd5...):
    // the app layer computes them only then, unless configured to always.
    bool needs_file_magic() const { return needs_file_magic_; }
    applayer::FileDigests needs_file_digests() const { return needs_file_digests_; }
    // Whether some rule inspects HTTP bodies or file data (kept for inspection only then).
    bool needs_bodies() const { return needs_bodies_; }
    // Reassembled data of one direction, delivered while the current packet is processed.
    void add_stream_data(flow::Flow& flow, flow::Direction dir, std::uint64_t offset,
                         ByteSpan data) const;
    void stream_gap(flow::Flow& flow, flow::Direction dir) const;

    // The packet, then the flow's transactions the app layer changed on it (those whose
    // `updated` equals `app_packet`; 0: none).
    void inspect(const Packet& pkt, flow::Flow* flow, flow::Direction dir, Scratch& scratch,
                 Verdict& verdict, std::uint64_t app_packet = 0) const;

    // The flow ends: its transactions once more, on a pseudo packet of `dir` (the flow's
    // addresses, no payload), for what the end completed. Packet rules are not run.
    void inspect_flow_end(const Packet& pseudo, flow::Flow& flow, flow::Direction dir,
                          Scratch& scratch, Verdict& verdict) const;

    const RuleSet& rules() const { return rules_; }
    std::size_t signature_count() const { return rules_.signatures.size(); }
    std::uint64_t generation() const { return generation_; }
    const DetectOptions& options() const { return options_; }
    std::size_t prefilter_databases() const;
    std::size_t prefilter_bytes() const;

  private:
    struct Group;
    struct SigMeta;
    bool compile_part(struct PrefilterPart& part, const std::vector<Signature>& sigs,
                      const std::vector<std::uint32_t>& members, std::string& error);
    template <typename PendingMap>
    bool compile_databases(PendingMap& pending, std::vector<struct PrefilterDb>& out,
                           std::string& error);
    void prefilter(const struct PrefilterPart& part, const Packet& pkt,
                   const FlowDetectState* state, flow::Direction dir, Scratch& scratch) const;
    // What a candidate is checked against: the packet, its flow, and for rules on
    // application buffers the transaction.
    struct Subject {
        const Packet& pkt;
        flow::Flow* flow;
        flow::Direction dir;
        FlowDetectState* state;
        const applayer::Transaction* tx = nullptr;
        const applayer::ProtocolSpec* protocol = nullptr;
        int protocol_index = -1;
        bool protocol_detected_now = false;  // this packet finished a side's detection
    };
    // Verifies one candidate in full and applies its actions; false when a pass rule ended
    // inspection.
    bool evaluate(const Signature& sig, const Subject& subject, Scratch& scratch,
                  Verdict& verdict) const;
    void inspect_transactions(const Group& group, const struct PrefilterPart* port_part,
                              const Subject& packet, std::uint64_t app_packet, Scratch& scratch,
                              Verdict& verdict) const;
    bool app_conditions_match(const Signature& sig, const Subject& subject) const;
    FlowDetectState& flow_state(flow::Flow& flow) const;
    bool header_matches(const Signature& sig, const SigMeta& meta, const Packet& pkt) const;
    bool flow_matches(const Signature& sig, const Packet& pkt, const flow::Flow* flow,
                      flow::Direction dir) const;
    bool state_matches(const Signature& sig, const flow::Flow* flow,
                       const FlowDetectState* state) const;
    // Records which sides of the flow finished protocol detection; true when one did now.
    static bool note_protocol_detection(const flow::Flow& flow, FlowDetectState& state);
    bool payload_matches(const Signature& sig, const Subject& subject, Scratch& scratch) const;
    void apply_flow_actions(const Signature& sig, FlowDetectState* state) const;
    bool run_flowints(const Signature& sig, FlowDetectState* state) const;
    bool passes_thresholds(const Signature& sig, const Packet& pkt, const flow::Flow* flow) const;

    // hostbits/xbits: shared by all flows and workers, so behind a mutex; taken only by rules
    // that use them. Bounded: the oldest-expiring entries go first when full.
    struct HostBitKey {
        IpAddress a, b;  // b: the pair's second address (pair bits), empty otherwise
        std::uint32_t bit = 0;
        auto operator<=>(const HostBitKey&) const = default;
    };
    bool hostbits_match(const Signature& sig, const Packet& pkt) const;
    void apply_hostbits(const Signature& sig, const Packet& pkt) const;
    mutable std::mutex hostbits_mutex_;
    mutable std::map<HostBitKey, Timestamp> hostbits_;  // -> expiry
    static constexpr std::size_t kMaxHostBits = 1 << 20;

    DetectOptions options_;
    RuleSet rules_;
    std::vector<SigMeta> meta_;
    // [protocol][buffer id]: the protocol's index for the buffer (-1: it does not fill it).
    std::vector<std::vector<int>> app_buffer_index_;
    std::vector<std::unique_ptr<Group>> groups_;  // [class * 2 + direction]
    void* prototype_scratch_ = nullptr;           // hs_scratch_t*
    bool wants_stream_ = false;
    bool needs_file_magic_ = false;
    applayer::FileDigests needs_file_digests_;
    bool needs_bodies_ = false;
    bool has_protocol_detection_only_ = false;  // some rule tests app-layer-protocol alone
    std::uint64_t generation_ = 0;
    mutable ThresholdTracker thresholds_;
};

}  // namespace tocsin::detect
