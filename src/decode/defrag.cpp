#include "decode/defrag.h"

#include <algorithm>

#include "decode/checksum.h"

namespace tocsin::decode {
namespace {

constexpr std::uint32_t kMaxIpPacket = 65535;
constexpr std::uint16_t kNoOwner = 0xffff;

// Whether `payload` bytes after `header` bytes of unfragmentable part overflow the 16-bit length
// field: IPv4's total length counts its header, IPv6's payload length only what follows the
// fixed 40-byte header.
bool too_large(bool v4, std::uint64_t header, std::uint64_t payload) {
    const std::uint64_t counted = v4 ? header : header - std::min<std::uint64_t>(header, 40);
    return counted + payload > kMaxIpPacket;
}

}  // namespace

std::size_t Defragmenter::KeyHash::operator()(const Key& k) const {
    std::uint64_t h = 1469598103934665603ULL;
    auto mix = [&h](const void* p, std::size_t n) {
        const auto* b = static_cast<const std::uint8_t*>(p);
        for (std::size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ULL;
    };
    mix(k.src.bytes.data(), 16);
    mix(k.dst.bytes.data(), 16);
    mix(&k.id, sizeof k.id);
    mix(&k.proto, 1);
    mix(k.vlan.data(), sizeof(std::uint16_t) * k.vlan.size());
    return static_cast<std::size_t>(h);
}

Defragmenter::Result Defragmenter::add(Timestamp ts, const Fragment& f, AnomalyList& anomalies,
                                       std::vector<std::uint8_t>& datagram) {
    const bool v4 = f.ip_version == 4;
    (v4 ? stats_.ipv4_fragments : stats_.ipv6_fragments)++;

    const std::uint64_t end = std::uint64_t{f.offset} + f.data.size();
    const std::uint64_t header_len = f.offset == 0 ? f.unfragmentable.size() : 0;
    if (too_large(v4, f.offset == 0 ? header_len : (v4 ? 20 : 40), end)) {
        anomalies.add(v4 ? Anomaly::Ipv4FragPktTooLarge : Anomaly::Ipv6FragPktTooLarge);
        stats_.too_large++;
        return Result::dropped;
    }

    Key key{f.src, f.dst, f.id, v4 ? f.proto : std::uint8_t{0}, f.vlan};
    auto it = trackers_.find(key);
    if (it == trackers_.end()) {
        if (trackers_.size() >= options_.max_trackers) {
            stats_.memcap_drops++;
            return Result::dropped;
        }
        it = trackers_.emplace(key, Tracker{}).first;
        it->second.first_seen = ts;
        it->second.ip_version = f.ip_version;
    }
    Tracker& t = it->second;

    const std::uint64_t cost = f.data.size() + header_len + sizeof(Piece);
    if (memory_ + cost > options_.memcap ||
        t.pieces.size() >= options_.max_fragments_per_datagram) {
        stats_.memcap_drops++;
        if (t.pieces.empty()) release(it);  // no empty train may hold a tracker slot
        return Result::dropped;
    }

    // A fragment claiming bytes already held is reported whatever its content, as Suricata
    // does (decoder-event rules written for it count on that); the overlap policy then
    // decides which bytes the datagram keeps.
    bool overlap = false;
    for (const Piece& p : t.pieces) {
        if (std::max<std::uint64_t>(p.start, f.offset) < std::min<std::uint64_t>(p.end, end)) {
            overlap = true;
            break;
        }
    }
    if (overlap) {
        anomalies.add(v4 ? Anomaly::Ipv4FragOverlap : Anomaly::Ipv6FragOverlap);
        stats_.overlaps++;
    }

    Piece piece;
    piece.start = f.offset;
    piece.end = static_cast<std::uint32_t>(end);
    piece.bytes.assign(f.data.begin(), f.data.end());
    t.pieces.push_back(std::move(piece));
    if (f.offset == 0 && !t.have_first) {
        t.have_first = true;
        t.unfragmentable.assign(f.unfragmentable.begin(), f.unfragmentable.end());
        t.next_header_at = f.next_header_at;
        t.proto = f.proto;
    }
    if (!f.more_fragments) {
        t.have_last = true;
        t.total = std::max(t.total, static_cast<std::uint32_t>(end));
    }
    t.memory += cost;
    memory_ += cost;

    if (!complete(t)) return Result::pending;
    if (too_large(v4, t.unfragmentable.size(), t.total)) {
        // Every fragment fit, but the first one's header makes the datagram too long.
        anomalies.add(v4 ? Anomaly::Ipv4FragPktTooLarge : Anomaly::Ipv6FragPktTooLarge);
        stats_.too_large++;
        release(it);
        return Result::dropped;
    }
    rebuild(t, datagram);
    (v4 ? stats_.ipv4_reassembled : stats_.ipv6_reassembled)++;
    release(it);
    return Result::complete;
}

bool Defragmenter::complete(const Tracker& t) const {
    if (!t.have_first || !t.have_last) return false;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> spans;
    spans.reserve(t.pieces.size());
    for (const Piece& p : t.pieces) spans.emplace_back(p.start, p.end);
    std::sort(spans.begin(), spans.end());
    std::uint32_t covered = 0;
    for (const auto& [start, stop] : spans) {
        if (start > covered) return false;
        covered = std::max(covered, stop);
    }
    return covered >= t.total;
}

void Defragmenter::rebuild(const Tracker& t, std::vector<std::uint8_t>& datagram) {
    const std::size_t header_len = t.unfragmentable.size();
    datagram.assign(header_len + t.total, 0);
    std::copy(t.unfragmentable.begin(), t.unfragmentable.end(), datagram.begin());

    // Paint pieces in arrival order; the policy decides who keeps a byte claimed twice.
    owner_.assign(t.total, kNoOwner);
    for (std::size_t i = 0; i < t.pieces.size(); ++i) {
        const Piece& p = t.pieces[i];
        const std::uint32_t stop = std::min(p.end, t.total);
        for (std::uint32_t b = p.start; b < stop; ++b) {
            const std::uint16_t o = owner_[b];
            if (o != kNoOwner && !newer_data_wins(options_.policy, t.pieces[o].start,
                                                  t.pieces[o].end, p.start, p.end)) {
                continue;
            }
            owner_[b] = static_cast<std::uint16_t>(i);
            datagram[header_len + b] = p.bytes[b - p.start];
        }
    }

    const std::size_t length = datagram.size();
    if (t.ip_version == 4) {
        // Rewrite total length and fragment field, then the header checksum.
        datagram[2] = static_cast<std::uint8_t>(length >> 8);
        datagram[3] = static_cast<std::uint8_t>(length);
        datagram[6] = 0;
        datagram[7] = 0;
        datagram[10] = 0;
        datagram[11] = 0;
        const std::uint16_t sum = static_cast<std::uint16_t>(
            ~checksum_fold(checksum_add(ByteSpan(datagram.data(), header_len))));
        datagram[10] = static_cast<std::uint8_t>(sum >> 8);
        datagram[11] = static_cast<std::uint8_t>(sum);
    } else {
        const std::size_t payload = length - 40;
        datagram[4] = static_cast<std::uint8_t>(payload >> 8);
        datagram[5] = static_cast<std::uint8_t>(payload);
        if (t.next_header_at < header_len) datagram[t.next_header_at] = t.proto;
    }
}

void Defragmenter::release(std::unordered_map<Key, Tracker, KeyHash>::iterator it) {
    memory_ -= it->second.memory;
    trackers_.erase(it);
}

void Defragmenter::expire(Timestamp now) {
    for (auto it = trackers_.begin(); it != trackers_.end();) {
        if (it->second.first_seen.sec + options_.timeout_sec < now.sec) {
            stats_.timeouts++;
            auto dead = it++;
            release(dead);
        } else {
            ++it;
        }
    }
}

}  // namespace tocsin::decode
