// A bidirectional flow and the table that owns all flows of one worker.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/packet.h"
#include "core/stage_state.h"

namespace tocsin::flow {

enum class Direction : std::uint8_t { to_server = 0, to_client = 1 };
constexpr std::size_t dir_index(Direction d) {
    return static_cast<std::size_t>(d);
}
constexpr Direction opposite(Direction d) {
    return d == Direction::to_server ? Direction::to_client : Direction::to_server;
}

enum class FlowState : std::uint8_t { fresh, established, closed };  // EVE: new/established/closed
enum class EndReason : std::uint8_t { timeout, forced, shutdown };

std::string_view flow_state_name(FlowState s);
std::string_view end_reason_name(EndReason r);

struct Flow {
    FlowKey key;
    std::uint64_t hash = 0;
    std::uint64_t flow_id = 0;
    std::uint64_t first_pcap_cnt = 0;  // orders flows that end together

    // Client = the side that opened the flow.
    IpAddress client_addr;
    IpAddress server_addr;
    std::uint16_t client_port = 0;
    std::uint16_t server_port = 0;
    std::uint8_t proto = 0;

    Timestamp start;
    Timestamp last;
    std::array<std::uint64_t, 2> pkts{};
    std::array<std::uint64_t, 2> bytes{};
    std::array<std::uint8_t, 2> tcp_flags{};
    std::array<std::uint8_t, 2> icmp_type{};
    std::array<std::uint8_t, 2> icmp_code{};
    FlowState state = FlowState::fresh;
    bool alerted = false;
    bool payload_seen = false;   // some packet carried transport payload
    std::string_view app_proto;  // empty until an app-layer parser claims the flow

    std::unique_ptr<StageState> stream_state;  // the stream stage's TCP session
    std::unique_ptr<StageState> app_state;     // the app-layer's parser state
    std::unique_ptr<StageState> detect_state;  // flowbits, flowints, stream windows
    std::unique_ptr<StageState> intel_state;   // indicators that fired on the flow
    // Threat intelligence matched the flow's addresses once its app protocol was known. Kept
    // here, not in intel_state, because it is read on every packet and intel_state is cold.
    bool intel_protocol_matched = false;

    // Intrusive LRU list (indices into the table's pool).
    std::uint32_t lru_prev = 0;
    std::uint32_t lru_next = 0;
    std::uint32_t pool_index = 0;
    bool in_use = false;

    bool seen_both_directions() const { return pkts[0] > 0 && pkts[1] > 0; }
};

struct FlowTimeouts {
    // Seconds per protocol class (0 tcp, 1 udp, 2 icmp, 3 other) and state.
    std::array<std::array<std::uint32_t, 3>, 4> seconds{};
    std::uint32_t for_flow(const Flow& f) const;
};

struct FlowTableOptions {
    std::uint64_t memcap = 128ULL << 20;
    std::size_t initial_buckets = 65536;
    FlowTimeouts timeouts;
    // Ports servers listen on (the application protocols' ports, set by the pipeline). A TCP
    // flow picked up mid-stream (its first packet has no SYN) whose source port is one of them
    // and whose destination port is not began at the server: the destination is the client,
    // as Suricata decides when the first data it sees is a response. Null: none.
    std::shared_ptr<const std::bitset<65536>> server_ports;

    static FlowTableOptions from_config(const Config& config, unsigned workers);
};

struct FlowStats {
    std::uint64_t created = 0;
    std::uint64_t ended_timeout = 0;
    std::uint64_t ended_forced = 0;
    std::uint64_t ended_shutdown = 0;
    std::uint64_t memcap_evictions = 0;  // flows ended early to make room
    std::uint64_t memcap_refused = 0;    // packets that found no room at all
    std::uint64_t peak_active = 0;
    std::uint64_t tcp = 0, udp = 0, icmp = 0, other = 0;

    void merge(const FlowStats& o);
};

// Called for every flow that ends, before the table forgets it.
class FlowEndHandler {
  public:
    virtual ~FlowEndHandler() = default;
    virtual void on_flow_end(Flow& flow, EndReason reason, Timestamp now) = 0;
};

// Per-worker flow table: open addressing over a pool of flows, LRU order for eviction.
class FlowTable {
  public:
    FlowTable(FlowTableOptions options, FlowEndHandler& handler);
    ~FlowTable();
    FlowTable(const FlowTable&) = delete;
    FlowTable& operator=(const FlowTable&) = delete;

    struct Lookup {
        Flow* flow = nullptr;  // null when the memcap left no room
        Direction direction = Direction::to_server;
        bool created = false;
    };
    // Finds or creates the packet's flow and updates its counters.
    Lookup track(const Packet& pkt);
    // The packet's flow if it exists; nothing is counted or created.
    Flow* find(const Packet& pkt);
    // Ends one flow now (TCP port reuse, tests).
    void end(Flow& flow, EndReason reason, Timestamp now);
    // Ends flows idle past their timeout; ends them in first-seen order.
    void expire(Timestamp now);
    // Ends every flow (end of input).
    void end_all(EndReason reason, Timestamp now);

    std::size_t active() const { return active_; }
    std::size_t capacity() const { return max_flows_; }
    std::uint64_t memory_in_use() const;
    const FlowStats& stats() const { return stats_; }
    static std::size_t flow_cost();

  private:
    Flow& at(std::uint32_t index) { return chunks_[index >> kChunkBits][index & kChunkMask]; }
    std::uint32_t allocate();
    void release(std::uint32_t index);
    std::size_t find_slot(const FlowKey& key, std::uint64_t hash) const;
    void insert_slot(std::uint32_t index);
    void erase_slot(std::uint32_t index);
    void grow_slots();
    void lru_push_back(std::uint32_t index);
    void lru_unlink(std::uint32_t index);
    void end_sorted(std::vector<std::uint32_t>& indices, EndReason reason, Timestamp now);

    static constexpr std::uint32_t kChunkBits = 12;
    static constexpr std::uint32_t kChunkMask = (1u << kChunkBits) - 1;
    static constexpr std::uint32_t kNil = 0xffffffffu;

    FlowTableOptions options_;
    FlowEndHandler& handler_;
    std::size_t max_flows_ = 0;
    std::vector<std::unique_ptr<Flow[]>> chunks_;
    std::vector<std::uint32_t> free_;
    // A slot holds the flow's hash tag (high 32 bits) and its index + 1 (low 32 bits); 0 is
    // empty. The tag lets a probe skip other flows without touching their memory: lookups are
    // the largest single cost in a worker (perf on the bench capture, docs/performance.md).
    std::vector<std::uint64_t> slots_;
    static std::uint64_t make_slot(std::uint32_t index, std::uint64_t hash) {
        return (hash >> 32) << 32 | (std::uint64_t{index} + 1);
    }
    static std::uint32_t slot_index(std::uint64_t slot) {
        return static_cast<std::uint32_t>(slot & 0xffffffffULL) - 1;
    }
    std::size_t active_ = 0;
    std::uint32_t lru_head_ = kNil;
    std::uint32_t lru_tail_ = kNil;
    FlowStats stats_;
    std::vector<std::uint32_t> scratch_;
};

}  // namespace tocsin::flow
