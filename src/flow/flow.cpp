#include "flow/flow.h"

#include <algorithm>

namespace tocsin::flow {
namespace {

std::size_t proto_class(std::uint8_t proto) {
    switch (proto) {
        case kProtoTcp:
            return 0;
        case kProtoUdp:
            return 1;
        case kProtoIcmp:
        case kProtoIcmpv6:
            return 2;
        default:
            return 3;
    }
}

// Suricata prints flow ids as JSON numbers; keep them within 2^51 so every JSON reader
// (including JavaScript's doubles) gets them exactly.
std::uint64_t make_flow_id(std::uint64_t hash, const Packet& pkt) {
    std::uint64_t x = hash ^ (static_cast<std::uint64_t>(pkt.ts.micros()) * 0x9e3779b97f4a7c15ULL) ^
                      (pkt.pcap_cnt << 17);
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 29;
    x &= (1ULL << 51) - 1;
    return x == 0 ? 1 : x;
}

}  // namespace

std::string_view flow_state_name(FlowState s) {
    switch (s) {
        case FlowState::fresh:
            return "new";
        case FlowState::established:
            return "established";
        case FlowState::closed:
            return "closed";
    }
    return "new";
}

std::string_view end_reason_name(EndReason r) {
    switch (r) {
        case EndReason::timeout:
            return "timeout";
        case EndReason::forced:
            return "forced";
        case EndReason::shutdown:
            return "shutdown";
    }
    return "timeout";
}

std::uint32_t FlowTimeouts::for_flow(const Flow& f) const {
    return seconds[proto_class(f.proto)][static_cast<std::size_t>(f.state)];
}

FlowTableOptions FlowTableOptions::from_config(const Config& config, unsigned workers) {
    FlowTableOptions o;
    o.memcap = config.get_size("flow.memcap") / std::max(1u, workers);
    o.initial_buckets =
        static_cast<std::size_t>(std::max<std::int64_t>(64, config.get_int("flow.hash-size")));
    const char* classes[] = {"tcp", "udp", "icmp", "default"};
    const char* states[] = {"new", "established", "closed"};
    for (std::size_t c = 0; c < 4; ++c) {
        for (std::size_t s = 0; s < 3; ++s) {
            std::string key = std::string("flow-timeouts.") + classes[c] + "." + states[s];
            std::string fallback = std::string("flow-timeouts.default.") + states[s];
            o.timeouts.seconds[c][s] =
                config.get(key) ? config.get_seconds(key) : config.get_seconds(fallback);
        }
    }
    return o;
}

void FlowStats::merge(const FlowStats& o) {
    created += o.created;
    ended_timeout += o.ended_timeout;
    ended_forced += o.ended_forced;
    ended_shutdown += o.ended_shutdown;
    memcap_evictions += o.memcap_evictions;
    memcap_refused += o.memcap_refused;
    peak_active += o.peak_active;
    tcp += o.tcp;
    udp += o.udp;
    icmp += o.icmp;
    other += o.other;
}

std::size_t FlowTable::flow_cost() {
    // The flow itself, its share of the slot array (kept at most half full) and a TCP
    // session's typical footprint, so the memcap tracks real use.
    return sizeof(Flow) + 2 * sizeof(std::uint64_t) + 256;
}

FlowTable::FlowTable(FlowTableOptions options, FlowEndHandler& handler)
    : options_(options), handler_(handler) {
    max_flows_ = std::max<std::size_t>(16, options_.memcap / flow_cost());
    std::size_t buckets = 64;
    while (buckets < options_.initial_buckets) buckets <<= 1;
    slots_.assign(buckets, 0);
}

FlowTable::~FlowTable() = default;

std::uint64_t FlowTable::memory_in_use() const {
    return active_ * flow_cost() + slots_.size() * sizeof(std::uint64_t);
}

std::uint32_t FlowTable::allocate() {
    if (free_.empty()) {
        const std::uint32_t base = static_cast<std::uint32_t>(chunks_.size()) << kChunkBits;
        chunks_.push_back(std::make_unique<Flow[]>(std::size_t{1} << kChunkBits));
        free_.reserve(free_.size() + (std::size_t{1} << kChunkBits));
        for (std::uint32_t i = (1u << kChunkBits); i-- > 0;) free_.push_back(base + i);
    }
    const std::uint32_t index = free_.back();
    free_.pop_back();
    return index;
}

void FlowTable::release(std::uint32_t index) {
    Flow& f = at(index);
    f = Flow{};
    free_.push_back(index);
}

std::size_t FlowTable::find_slot(const FlowKey& key, std::uint64_t hash) const {
    const std::size_t mask = slots_.size() - 1;
    const std::uint64_t tag = hash >> 32;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        const std::uint64_t s = slots_[i];
        if (s == 0) return i;
        if (s >> 32 != tag) continue;
        const Flow& f = const_cast<FlowTable*>(this)->at(slot_index(s));
        if (f.hash == hash && f.key == key) return i;
    }
}

void FlowTable::insert_slot(std::uint32_t index) {
    if ((active_ + 1) * 2 > slots_.size()) grow_slots();
    const Flow& f = at(index);
    slots_[find_slot(f.key, f.hash)] = make_slot(index, f.hash);
}

void FlowTable::grow_slots() {
    std::vector<std::uint64_t> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, 0);
    const std::size_t mask = slots_.size() - 1;
    for (std::uint64_t s : old) {
        if (s == 0) continue;
        std::size_t i = at(slot_index(s)).hash & mask;
        while (slots_[i] != 0) i = (i + 1) & mask;
        slots_[i] = s;
    }
}

void FlowTable::erase_slot(std::uint32_t index) {
    // Linear probing with backward-shift deletion: no tombstones, lookups stay short.
    const Flow& f = at(index);
    const std::size_t mask = slots_.size() - 1;
    std::size_t hole = find_slot(f.key, f.hash);
    slots_[hole] = 0;
    for (std::size_t i = (hole + 1) & mask; slots_[i] != 0; i = (i + 1) & mask) {
        const std::size_t home = at(slot_index(slots_[i])).hash & mask;
        // Move the entry into the hole when its home is not in (hole, i].
        const bool stays = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
        if (!stays) {
            slots_[hole] = slots_[i];
            slots_[i] = 0;
            hole = i;
        }
    }
}

void FlowTable::lru_push_back(std::uint32_t index) {
    Flow& f = at(index);
    f.lru_prev = lru_tail_;
    f.lru_next = kNil;
    if (lru_tail_ != kNil) at(lru_tail_).lru_next = index;
    lru_tail_ = index;
    if (lru_head_ == kNil) lru_head_ = index;
}

void FlowTable::lru_unlink(std::uint32_t index) {
    Flow& f = at(index);
    if (f.lru_prev != kNil) {
        at(f.lru_prev).lru_next = f.lru_next;
    } else {
        lru_head_ = f.lru_next;
    }
    if (f.lru_next != kNil) {
        at(f.lru_next).lru_prev = f.lru_prev;
    } else {
        lru_tail_ = f.lru_prev;
    }
}

Flow* FlowTable::find(const Packet& pkt) {
    const std::uint64_t s = slots_[find_slot(pkt.flow_key, pkt.flow_hash)];
    return s == 0 ? nullptr : &at(slot_index(s));
}

FlowTable::Lookup FlowTable::track(const Packet& pkt) {
    Lookup result;
    const std::size_t slot = find_slot(pkt.flow_key, pkt.flow_hash);
    std::uint32_t index;
    if (slots_[slot] != 0) {
        index = slot_index(slots_[slot]);
        lru_unlink(index);
        lru_push_back(index);
    } else {
        if (active_ >= max_flows_) {
            // Memcap: end the least recently used flow to make room.
            if (lru_head_ == kNil) {
                stats_.memcap_refused++;
                return result;
            }
            stats_.memcap_evictions++;
            end(at(lru_head_), EndReason::forced, pkt.ts);
        }
        index = allocate();
        Flow& f = at(index);
        f.key = pkt.flow_key;
        f.hash = pkt.flow_hash;
        f.in_use = true;
        f.pool_index = index;
        f.proto = pkt.ip_proto;
        f.start = pkt.ts;
        f.first_pcap_cnt = pkt.pcap_cnt;
        f.flow_id = make_flow_id(pkt.flow_hash, pkt);
        // The opener is the client, except that a SYN/ACK comes from the server, and so does a
        // mid-stream TCP packet from a server port to a port that is not one.
        const bool tcp = pkt.ip_proto == kProtoTcp && pkt.has_l4;
        const bool syn_ack = tcp && (pkt.tcp.flags & kTcpSyn) && (pkt.tcp.flags & kTcpAck);
        const bool midstream_from_server =
            tcp && (pkt.tcp.flags & kTcpSyn) == 0 && options_.server_ports != nullptr &&
            options_.server_ports->test(pkt.sport) && !options_.server_ports->test(pkt.dport);
        const bool from_server = syn_ack || midstream_from_server;
        f.client_addr = from_server ? pkt.dst : pkt.src;
        f.server_addr = from_server ? pkt.src : pkt.dst;
        f.client_port = from_server ? pkt.dport : pkt.sport;
        f.server_port = from_server ? pkt.sport : pkt.dport;
        insert_slot(index);
        lru_push_back(index);
        active_++;
        stats_.created++;
        stats_.peak_active = std::max<std::uint64_t>(stats_.peak_active, active_);
        switch (proto_class(f.proto)) {
            case 0:
                stats_.tcp++;
                break;
            case 1:
                stats_.udp++;
                break;
            case 2:
                stats_.icmp++;
                break;
            default:
                stats_.other++;
        }
        result.created = true;
    }
    Flow& f = at(index);
    const bool to_server = pkt.src == f.client_addr && pkt.sport == f.client_port;
    result.direction = to_server ? Direction::to_server : Direction::to_client;
    const std::size_t d = dir_index(result.direction);
    f.pkts[d]++;
    f.bytes[d] += pkt.flow_bytes();
    f.last = std::max(f.last, pkt.ts);
    if (!pkt.payload.empty()) f.payload_seen = true;
    if (pkt.ip_proto == kProtoTcp) f.tcp_flags[d] |= pkt.tcp.flags;
    if ((pkt.ip_proto == kProtoIcmp || pkt.ip_proto == kProtoIcmpv6) && f.pkts[d] == 1) {
        f.icmp_type[d] = pkt.icmp_type;
        f.icmp_code[d] = pkt.icmp_code;
    }
    // Non-TCP flows are established once both sides spoke; TCP waits for its handshake.
    if (f.proto != kProtoTcp && f.state == FlowState::fresh && f.seen_both_directions())
        f.state = FlowState::established;
    result.flow = &f;
    return result;
}

void FlowTable::end(Flow& flow, EndReason reason, Timestamp now) {
    if (!flow.in_use) return;
    const std::uint32_t index = flow.pool_index;
    handler_.on_flow_end(flow, reason, now);
    switch (reason) {
        case EndReason::timeout:
            stats_.ended_timeout++;
            break;
        case EndReason::forced:
            stats_.ended_forced++;
            break;
        case EndReason::shutdown:
            stats_.ended_shutdown++;
            break;
    }
    erase_slot(index);
    lru_unlink(index);
    release(index);
    active_--;
}

void FlowTable::end_sorted(std::vector<std::uint32_t>& indices, EndReason reason, Timestamp now) {
    // Flows ending together are reported in the order they began, so output does not depend
    // on table layout or on how many workers share the traffic.
    std::sort(indices.begin(), indices.end(), [this](std::uint32_t a, std::uint32_t b) {
        const Flow& fa = at(a);
        const Flow& fb = at(b);
        return fa.first_pcap_cnt != fb.first_pcap_cnt ? fa.first_pcap_cnt < fb.first_pcap_cnt
                                                      : fa.hash < fb.hash;
    });
    for (std::uint32_t index : indices) end(at(index), reason, now);
}

void FlowTable::expire(Timestamp now) {
    scratch_.clear();
    for (std::uint32_t i = lru_head_; i != kNil; i = at(i).lru_next) {
        const Flow& f = at(i);
        if (f.last.sec + static_cast<std::int64_t>(options_.timeouts.for_flow(f)) < now.sec)
            scratch_.push_back(i);
    }
    end_sorted(scratch_, EndReason::timeout, now);
}

void FlowTable::end_all(EndReason reason, Timestamp now) {
    scratch_.clear();
    for (std::uint32_t i = lru_head_; i != kNil; i = at(i).lru_next) scratch_.push_back(i);
    end_sorted(scratch_, reason, now);
}

}  // namespace tocsin::flow
