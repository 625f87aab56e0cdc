// IPv4 and IPv6 fragment reassembly with a memory cap, timeouts and a target-based
// overlap policy. The decoder hands fragments in; a completed datagram comes back as bytes
// that decode like any unfragmented IP packet.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "core/address.h"
#include "core/overlap_policy.h"
#include "core/packet.h"
#include "core/timestamp.h"

namespace tocsin::decode {

struct DefragOptions {
    std::uint64_t memcap = 32ULL << 20;
    std::uint32_t timeout_sec = 60;
    std::size_t max_trackers = 65535;
    std::size_t max_fragments_per_datagram = 256;
    OverlapPolicy policy = OverlapPolicy::bsd;
};

struct DefragStats {
    std::uint64_t ipv4_fragments = 0;
    std::uint64_t ipv6_fragments = 0;
    std::uint64_t ipv4_reassembled = 0;
    std::uint64_t ipv6_reassembled = 0;
    std::uint64_t timeouts = 0;      // trains dropped unfinished after defrag.timeout
    std::uint64_t memcap_drops = 0;  // fragments dropped at defrag.memcap or tracker cap
    std::uint64_t overlaps = 0;      // fragments overlapping bytes already held
    std::uint64_t too_large = 0;
};

// One fragment as the decoder saw it.
struct Fragment {
    std::uint8_t ip_version = 4;
    IpAddress src;
    IpAddress dst;
    std::uint32_t id = 0;
    std::uint8_t proto = 0;  // IPv4: protocol; IPv6: next header after the fragment header
    VlanIds vlan{};
    std::uint32_t offset = 0;  // bytes
    bool more_fragments = false;
    ByteSpan data;  // the fragment's payload
    // From the offset-0 fragment: the bytes before the payload (IPv4 header; IPv6 header plus
    // extension headers before the fragment header) and where, inside them, the next-header
    // byte that named the fragment header sits (IPv6 only).
    ByteSpan unfragmentable;
    std::size_t next_header_at = 6;
};

class Defragmenter {
  public:
    enum class Result { pending, complete, dropped };

    explicit Defragmenter(DefragOptions options) : options_(options) {}

    // Adds a fragment; on `complete`, `datagram` holds the rebuilt IP packet.
    Result add(Timestamp ts, const Fragment& fragment, AnomalyList& anomalies,
               std::vector<std::uint8_t>& datagram);
    // Drops trains older than the timeout.
    void expire(Timestamp now);

    const DefragStats& stats() const { return stats_; }
    std::uint64_t memory_in_use() const { return memory_; }
    std::size_t trackers() const { return trackers_.size(); }

  private:
    struct Key {
        IpAddress src;
        IpAddress dst;
        std::uint32_t id = 0;
        std::uint8_t proto = 0;
        VlanIds vlan{};
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const;
    };
    struct Piece {
        std::uint32_t start = 0;
        std::uint32_t end = 0;
        std::vector<std::uint8_t> bytes;
    };
    struct Tracker {
        Timestamp first_seen;
        std::vector<Piece> pieces;  // arrival order
        std::vector<std::uint8_t> unfragmentable;
        std::size_t next_header_at = 6;
        std::uint8_t ip_version = 4;
        std::uint8_t proto = 0;
        bool have_first = false;
        bool have_last = false;
        std::uint32_t total = 0;  // payload length once the last fragment is seen
        std::uint64_t memory = 0;
    };

    bool complete(const Tracker& t) const;
    void rebuild(const Tracker& t, std::vector<std::uint8_t>& datagram);
    void release(std::unordered_map<Key, Tracker, KeyHash>::iterator it);

    DefragOptions options_;
    DefragStats stats_;
    std::unordered_map<Key, Tracker, KeyHash> trackers_;
    std::uint64_t memory_ = 0;
    std::vector<std::uint16_t> owner_;  // scratch for rebuild: which piece owns each byte
};

}  // namespace tocsin::decode
