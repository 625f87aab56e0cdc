// The application layer of one worker: recognises each flow's protocol by content (both
// directions, any port), runs that protocol's parser over reassembled TCP data or UDP
// datagrams, and keeps the flow's transactions until detection has seen them and output has
// logged them.
#pragma once

#include <array>
#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "applayer/protocol.h"
#include "core/cursor.h"
#include "core/timestamp.h"
#include "flow/flow.h"

namespace tocsin::applayer {

// A publisher of a frame protocol (ProtocolSpec::ethertype, e.g. GOOSE): its frames' source
// and destination MAC, VLAN ids and APPID (the first two bytes after the Ethertype, as
// IEC 61850 GOOSE and SV frames begin).
struct FrameKey {
    std::array<std::uint8_t, 6> src{};
    std::array<std::uint8_t, 6> dst{};
    VlanIds vlan{};
    std::uint16_t appid = 0;
    auto operator<=>(const FrameKey&) const = default;
};

// The application-layer state of one flow (Flow::app_state).
struct FlowApp : public StageState {
    const ProtocolSpec* spec = nullptr;  // null while unknown
    std::unique_ptr<Parser> parser;
    Transactions txs;
    std::uint64_t next_tx_id = 0;
    std::vector<std::string_view> events;  // flow-level app-layer events not yet reported
    // While the protocol is unknown: the bytes seen so far per direction (bounded).
    std::array<std::vector<std::uint8_t>, 2> held;
    std::array<bool, 2> gave_up{};  // no protocol matched this direction
    std::array<std::uint8_t, 2> datagrams_probed{};
    // TCP bytes reassembled but not yet acknowledged by the receiver: parsed once acknowledged,
    // as Suricata's IDS mode does (bounded by AppLimits::unacked_bytes).
    // unacked[d][unacked_head[d]..] are the bytes still waiting: consumed from the front by
    // moving the head, compacted only when the head passes half, so each byte is copied once
    // and the buffer keeps its capacity.
    std::array<std::vector<std::uint8_t>, 2> unacked;
    std::array<std::size_t, 2> unacked_head{};
    bool failed = false;  // detection finished without a protocol
    // After a protocol change (ParseContext::change_protocol) the protocol before it, for
    // EVE's app_proto_orig. While the next protocol is probed `parser` is null and `spec`
    // stays the old protocol, whose finished transactions are still to be logged.
    const ProtocolSpec* original = nullptr;
    std::uint8_t changes = 0;      // protocol changes so far (bounded by kMaxProtocolChanges)
    std::uint16_t probe_port = 0;  // after a change: the port probing assumes (0: the flow's)
    // The protocol each direction's first bytes showed (EVE app_proto_ts / app_proto_tc when
    // it differs from the flow's): the claiming direction's, and the other's once it spoke.
    std::array<const ProtocolSpec*, 2> direction_spec{};
    std::array<bool, 2> direction_probed{};
    // A frame protocol's publisher (AppLayer::on_frame): the flow is a pseudo flow without IP,
    // whose EVE records name these MAC addresses instead of IP addresses.
    std::optional<FrameKey> frame;
    bool probing() const { return parser == nullptr; }
};

struct AppStats {
    std::map<std::string_view, std::uint64_t> flows;         // claimed, per protocol
    std::map<std::string_view, std::uint64_t> transactions;  // finished, per protocol
    std::uint64_t flows_detected = 0;
    std::uint64_t failed_tcp = 0;
    std::uint64_t failed_udp = 0;
    std::uint64_t transactions_dropped = 0;  // over max_transactions
    std::uint64_t publishers_evicted = 0;    // frame publishers forgotten (full or idle)
    void merge(const AppStats& o);
};

class AppLayer {
  public:
    AppLayer(std::span<const ProtocolSpec* const> protocols, AppLimits limits);

    // Starts the work of one packet: transactions changed from now on carry `packet`.
    void begin_packet(std::uint64_t packet, Timestamp now) {
        packet_ = packet;
        now_ = now;
    }
    std::uint64_t current_packet() const { return packet_; }

    void on_stream_data(flow::Flow& flow, Direction dir, ByteSpan data);
    // The receiver of `dir` acknowledged everything up to `acked` bytes... expressed as how
    // many of the bytes held for `dir` it covers: those reach the parser now.
    void on_stream_ack(flow::Flow& flow, Direction dir, std::uint64_t bytes_acked);
    // Bytes of `dir` handed on but not yet acknowledged.
    static std::size_t unacked(const flow::Flow& flow, Direction dir);
    void on_stream_gap(flow::Flow& flow, Direction dir, std::uint64_t length);
    void on_stream_close(flow::Flow& flow, Direction dir);
    void on_datagram(flow::Flow& flow, Direction dir, ByteSpan data);
    // A frame without IP whose Ethertype a frame protocol carries (GOOSE): parsed as one
    // to_server datagram by its publisher's parser (FrameKey). Returns the publisher's pseudo
    // flow (no IP, app_proto set, FlowApp::frame set) for detection and output, valid until
    // the next call; null when no protocol carries the frame. Publishers are bounded by
    // AppLimits::max_publishers (least recently seen evicted) and forgotten when idle past
    // AppLimits::publisher_timeout seconds; their records are written on their frames.
    flow::Flow* on_frame(const Packet& pkt);
    std::size_t publishers() const { return publishers_.size(); }
    // The flow ends: the parser finishes, every transaction becomes loggable.
    void finish(flow::Flow& flow);
    // Forgets transactions that are complete, fully logged and, when rules run
    // (`inspected`), seen by detection in both directions.
    void prune(flow::Flow& flow, bool inspected);

    static FlowApp* state(const flow::Flow& flow) {
        return static_cast<FlowApp*>(flow.app_state.get());
    }
    const AppStats& stats() const { return stats_; }
    const AppLimits& limits() const { return limits_; }
    // Rules that need file types, hashes or bodies switch them on for flows parsed from now on.
    void require_inspection(bool magic, FileDigests digests, bool bodies) {
        limits_.file_magic = limits_.file_magic || magic;
        limits_.file_digests |= digests;
        limits_.keep_bodies = limits_.keep_bodies || bodies;
    }
    std::span<const ProtocolSpec* const> protocols() const { return protocols_; }

    static constexpr std::uint8_t kDatagramsProbed = 4;
    // Each change consumes bytes, but a flow may not make the app layer start over forever.
    static constexpr std::uint8_t kMaxProtocolChanges = 4;
    static constexpr std::string_view kMismatchEvent = "applayer_mismatch_protocol_both_directions";

  private:
    FlowApp& app(flow::Flow& flow);
    void parse_stream(flow::Flow& flow, FlowApp& app, Direction dir, ByteSpan data);
    // Probes the bytes held for `dir`; once a protocol claims the flow its parser gets them.
    void probe_stream(flow::Flow& flow, FlowApp& app, Direction dir);
    // After a parser call: a protocol change, or the transaction bound.
    void after_parse(flow::Flow& flow, FlowApp& app, ParseContext& ctx, Direction dir);
    void release_unacked(flow::Flow& flow, FlowApp& app, Direction dir, std::size_t n);
    ParseContext context(FlowApp& app);
    // Tries the protocols on the bytes held for `dir`; true when one claimed the flow.
    bool detect(flow::Flow& flow, FlowApp& app, Direction dir, bool datagram);
    void claim(flow::Flow& flow, FlowApp& app, const ProtocolSpec& spec, Direction dir);
    // The first bytes of the direction that did not decide the protocol: probed too, for a
    // mismatch (Suricata's applayer_mismatch_protocol_both_directions). They still go to the
    // flow's parser.
    void probe_direction(const flow::Flow& flow, FlowApp& app, Direction dir, ByteSpan data);
    // The parser asked for a protocol change: it finishes, and the flow is probed again from
    // the bytes it handed back.
    void change_protocol(flow::Flow& flow, FlowApp& app, ParseContext& ctx, Direction dir);
    // After a change: true while the old protocol's transactions still wait for output (the
    // new protocol's parser must not share the deque with them); drops those already logged.
    bool old_transactions_pending(FlowApp& app);
    void bound_transactions(FlowApp& app);

    // Frame publishers, most recently seen first, and their index.
    struct Publisher {
        FrameKey key;
        flow::Flow flow;
    };
    void forget_publisher(std::list<Publisher>::iterator it);

    std::span<const ProtocolSpec* const> protocols_;
    AppLimits limits_;
    std::list<Publisher> publishers_;
    std::map<FrameKey, std::list<Publisher>::iterator> publisher_index_;
    std::uint64_t packet_ = 0;
    Timestamp now_;
    AppStats stats_;
};

}  // namespace tocsin::applayer
