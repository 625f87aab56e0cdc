#include "proto/dnp3/dnp3.h"

#include <algorithm>
#include <array>
#include <deque>

#include "core/config.h"
#include "proto/dnp3/eve.h"
#include "proto/dnp3/transaction.h"

namespace tocsin::proto::dnp3 {

using applayer::Direction;
using applayer::ParseContext;
using applayer::Probe;

namespace {

// A fragment spans at most 64 transport segments of 249 application octets, but the
// sequence space only tells 63 of them apart: longer reassemblies are refused, as Suricata
// does (63 * 255 octets, event too_long_reassembly).
constexpr std::size_t kMaxFragment = 63 * 255;
constexpr std::uint64_t kMaxObjectsSetting = 65536;
// Fragments being reassembled at once (one per source/destination pair and direction).
constexpr std::size_t kMaxOpenFragments = 8;
// Requests waiting for their response: more is a flood (Suricata's dnp3.flooded); the oldest
// is then logged without a response.
constexpr std::size_t kMaxPendingRequests = 32;

// A fragment in reassembly (IEEE 1815-2012 8.2: FIR starts it, FIN ends it, the 6-bit
// sequence increments by one per segment).
struct Fragment {
    Direction dir = Direction::to_server;
    LinkHeader link;  // of the first segment
    std::uint8_t sequence = 0;
    std::vector<std::uint8_t> data;  // application octets, transport headers removed

    bool same_stream(Direction d, const LinkHeader& h) const {
        return dir == d && link.source == h.source && link.destination == h.destination;
    }
};

class Dnp3Parser final : public applayer::Parser {
  public:
    explicit Dnp3Parser(const applayer::AppLimits& limits)
        : max_fragment_(std::min(kMaxFragment, limits.max_record_bytes)) {
        // app-layer.protocols.dnp3.max-objects, as in Suricata; bounded so that a setting
        // cannot make one message's object list unbounded.
        if (const auto n = parse_size(limits.protocol_setting("dnp3", "max-objects")); n && *n > 0)
            limits_.max_objects = std::min<std::uint64_t>(*n, kMaxObjectsSetting);
    }

    void parse(Direction dir, ByteSpan data, ParseContext& ctx) override {
        Stream& s = streams_[applayer::dir_index(dir)];
        // A chunk that starts a valid frame begins anew: over UDP each datagram stands alone,
        // over TCP a partial frame never continues with a valid header.
        LinkHeader probe_header;
        if (!s.pending.empty() && read_header(data, probe_header) == HeaderCheck::ok)
            s.pending.clear();
        ByteCursor in(data);
        while (!in.empty()) {
            if (s.pending.empty()) {
                const ByteSpan rest = in.peek_rest();
                const std::size_t used = take_frame(dir, rest, ctx);
                if (used > 0) {
                    in.skip(used);
                    continue;
                }
                s.pending.assign(rest.begin(), rest.end());
                return;
            }
            // Complete the held frame: its header first, then the size it announces.
            const std::size_t want = wanted(s.pending);
            const ByteSpan piece = in.bytes(std::min(want, in.remaining()));
            s.pending.insert(s.pending.end(), piece.begin(), piece.end());
            if (wanted(s.pending) > 0) continue;
            std::vector<std::uint8_t> held;
            held.swap(s.pending);
            const std::size_t used = take_frame(dir, held, ctx);
            // Held octets that were not a frame are dropped up to what was examined.
            if (used < held.size()) s.pending.assign(held.begin() + used, held.end());
        }
    }

    // Lost octets: the frame in progress and the fragments of that direction are gone.
    void gap(Direction dir, std::uint64_t length, ParseContext& ctx) override {
        (void)length;
        (void)ctx;
        streams_[applayer::dir_index(dir)].pending.clear();
        std::erase_if(fragments_, [&](const Fragment& f) { return f.dir == dir; });
    }

    // The flow ends: requests still waiting are logged without a response.
    void finish(ParseContext& ctx) override {
        for (std::uint64_t id : pending_)
            if (Dnp3Transaction* tx = find(ctx, id)) close_unanswered(*tx, ctx);
        pending_.clear();
        fragments_.clear();
    }

  private:
    struct Stream {
        std::vector<std::uint8_t> pending;  // one partial frame (at most kMaxFrameSize)
    };

    // Octets the held frame still needs: the header, then the rest of the frame.
    static std::size_t wanted(const std::vector<std::uint8_t>& held) {
        if (held.size() < kHeaderSize) return kHeaderSize - held.size();
        const std::size_t size = frame_size(held[2]);
        return size > held.size() ? size - held.size() : 0;
    }

    // Handles the frame at the start of `data`; returns the octets used (a whole frame, or
    // octets skipped to resynchronise), 0 when more are needed.
    std::size_t take_frame(Direction dir, ByteSpan data, ParseContext& ctx) {
        LinkHeader header;
        switch (read_header(data, header)) {
            case HeaderCheck::need_more:
                return 0;
            case HeaderCheck::not_dnp3:
                return skip_to_start(data);
            case HeaderCheck::bad_crc:
                event(ctx, "dnp3.bad_link_crc");
                return 2 + skip_to_start(data.subspan(2));
            case HeaderCheck::too_short:
                event(ctx, "dnp3.len_too_small");
                return kHeaderSize;
            case HeaderCheck::ok:
                break;
        }
        const std::size_t size = frame_size(header.length);
        if (data.size() < size) return 0;
        handle_frame(dir, data.first(size), header, ctx);
        return size;
    }

    // Octets before the next start pair (05 64) or the last octet that could begin one.
    static std::size_t skip_to_start(ByteSpan data) {
        for (std::size_t i = 1; i < data.size(); ++i)
            if (data[i] == kStart0 && (i + 1 == data.size() || data[i + 1] == kStart1)) return i;
        return data.size();
    }

    void handle_frame(Direction dir, ByteSpan frame, const LinkHeader& header, ParseContext& ctx) {
        // Link-only frames (resets, link status, acknowledgements) carry no user data.
        if (!header.user_data()) return;
        if (header.length < kLengthOverhead + 1) {
            event(ctx, "dnp3.len_too_small");
            return;
        }
        const auto user = user_data(frame, header);
        if (!user) {
            event(ctx, "dnp3.bad_transport_crc");
            return;
        }
        ByteCursor in(*user);
        const TransportHeader th{in.u8()};
        const ByteSpan payload = in.rest();
        if (th.fir()) {
            start_fragment(dir, header, th, payload, ctx);
        } else {
            continue_fragment(dir, header, th, payload, ctx);
        }
    }

    void start_fragment(Direction dir, const LinkHeader& header, TransportHeader th,
                        ByteSpan payload, ParseContext& ctx) {
        // The application header must be there: 2 octets, 4 for a response (IIN).
        ByteCursor peek(payload);
        peek.skip(1);
        const std::uint8_t function = peek.u8();
        if (!peek.ok() || (is_response_function(function) && payload.size() < 4)) {
            event(ctx, "dnp3.len_too_small");
            return;
        }
        // Confirms acknowledge a fragment and carry nothing to log (Suricata ignores them).
        if (function == kFunctionConfirm) return;
        // A new FIR abandons an unfinished fragment of the same stream.
        std::erase_if(fragments_, [&](const Fragment& f) { return f.same_stream(dir, header); });
        if (fragments_.size() >= kMaxOpenFragments) fragments_.erase(fragments_.begin());
        Fragment f{dir, header, th.sequence(), {payload.begin(), payload.end()}};
        if (th.fin()) {
            finish_fragment(f, false, ctx);
            return;
        }
        fragments_.push_back(std::move(f));
    }

    void continue_fragment(Direction dir, const LinkHeader& header, TransportHeader th,
                           ByteSpan payload, ParseContext& ctx) {
        auto it = std::find_if(fragments_.begin(), fragments_.end(), [&](const Fragment& f) {
            return f.same_stream(dir, header) && (f.sequence + 1) % 64 == th.sequence();
        });
        if (it == fragments_.end()) return;  // no fragment this segment continues
        it->sequence = th.sequence();
        it->data.insert(it->data.end(), payload.begin(), payload.end());
        if (it->data.size() > max_fragment_) {
            Fragment f = std::move(*it);
            fragments_.erase(it);
            f.data.resize(max_fragment_);
            finish_fragment(f, true, ctx);
            return;
        }
        if (!th.fin()) return;
        Fragment f = std::move(*it);
        fragments_.erase(it);
        finish_fragment(f, false, ctx);
    }

    void finish_fragment(Fragment& f, bool too_long, ParseContext& ctx) {
        const auto app = read_application_header(f.data);
        if (!app) return;  // checked at FIR
        Message m;
        m.dir = f.dir;
        m.link = f.link;
        m.app = *app;
        const std::size_t header_size = app->iin ? 4 : 2;
        const bool no_values = !app->iin && headers_only(app->function);
        const DecodeResult result =
            decode_objects(ByteSpan(f.data).subspan(header_size), limits_, no_values, m.objects);
        m.complete = result.complete && !too_long;
        m.data = std::move(f.data);
        Dnp3Transaction& tx = is_response_function(m.app.function) ? add_response(std::move(m), ctx)
                                                                   : add_request(std::move(m), ctx);
        if (too_long) ctx.event("dnp3.too_long_reassembly", &tx);
        if (result.unknown_object) ctx.event("dnp3.unknown_object", &tx);
        if (result.too_many_objects) ctx.event("dnp3.too_many_objects", &tx);
        if (result.too_many_points) ctx.event("dnp3.too_many_points", &tx);
    }

    Dnp3Transaction& add_request(Message m, ParseContext& ctx) {
        const Direction dir = m.dir;
        auto tx = std::make_unique<Dnp3Transaction>();
        tx->request = std::move(m);
        tx->done = {true, false};
        tx->records_ready = 1;
        Dnp3Transaction& ref = ctx.add(std::move(tx), dir);
        last_tx_ = ref.id;
        pending_.push_back(ref.id);
        if (pending_.size() > kMaxPendingRequests) {
            if (!flooded_) ctx.event("dnp3.flooded", &ref);
            flooded_ = true;
            if (Dnp3Transaction* oldest = find(ctx, pending_.front()))
                close_unanswered(*oldest, ctx);
            pending_.pop_front();
        }
        return ref;
    }

    Dnp3Transaction& add_response(Message m, ParseContext& ctx) {
        const Direction dir = m.dir;
        if (!m.unsolicited()) {
            if (Dnp3Transaction* tx = answer(m, ctx)) {
                tx->response = std::move(m);
                tx->done[1] = true;
                tx->records_ready = 2;
                ctx.touch(*tx, dir);
                last_tx_ = tx->id;
                return *tx;
            }
        }
        // Unsolicited, or no request of this sequence seen: a transaction of its own.
        auto tx = std::make_unique<Dnp3Transaction>();
        tx->response = std::move(m);
        tx->done = {true, true};
        tx->records_ready = 1;
        Dnp3Transaction& ref = ctx.add(std::move(tx), dir);
        last_tx_ = ref.id;
        return ref;
    }

    // The waiting request `response` answers: the oldest with the same application sequence
    // and the addresses reversed (an outstation answers requests in the order they came).
    // Older requests between the same stations will not be answered any more (a master
    // waits for each response before the next request, 4.2.2.4): they are closed.
    Dnp3Transaction* answer(const Message& response, ParseContext& ctx) {
        for (auto it = pending_.begin(); it != pending_.end(); ++it) {
            Dnp3Transaction* tx = find(ctx, *it);
            if (tx == nullptr || !tx->request) continue;
            const Message& req = *tx->request;
            if (req.app.sequence() != response.app.sequence() ||
                req.link.source != response.link.destination ||
                req.link.destination != response.link.source)
                continue;
            std::vector<std::uint64_t> settled{tx->id};
            for (auto older = pending_.begin(); older != it; ++older) {
                Dnp3Transaction* o = find(ctx, *older);
                if (o != nullptr && o->request && o->request->link.source == req.link.source &&
                    o->request->link.destination == req.link.destination) {
                    close_unanswered(*o, ctx);
                    settled.push_back(*older);
                }
            }
            std::erase_if(pending_, [&](std::uint64_t id) {
                return std::find(settled.begin(), settled.end(), id) != settled.end();
            });
            if (pending_.size() < kMaxPendingRequests) flooded_ = false;
            return tx;
        }
        return nullptr;
    }

    static void close_unanswered(Dnp3Transaction& tx, ParseContext& ctx) {
        (void)ctx;
        tx.done[1] = true;
    }

    static Dnp3Transaction* find(ParseContext& ctx, std::uint64_t id) {
        auto& txs = ctx.transactions();
        for (auto it = txs.rbegin(); it != txs.rend(); ++it)
            if ((*it)->id == id) return dynamic_cast<Dnp3Transaction*>(it->get());
        return nullptr;
    }

    // Link and transport events go on the latest transaction, as Suricata sets them on its
    // current one, or on the flow before there is any.
    void event(ParseContext& ctx, std::string_view name) {
        Dnp3Transaction* tx = last_tx_ ? find(ctx, *last_tx_) : nullptr;
        ctx.event(name, tx);
    }

    std::size_t max_fragment_;
    DecodeLimits limits_{};
    std::array<Stream, 2> streams_{};
    std::vector<Fragment> fragments_;
    std::deque<std::uint64_t> pending_;  // ids of requests waiting for a response, oldest first
    bool flooded_ = false;
    std::optional<std::uint64_t> last_tx_;
};

// A frame header with its start octets and a valid CRC; on the port two octets of start
// are enough to wait for the rest.
Probe probe(ByteSpan data, Direction dir, bool on_port) {
    (void)dir;
    (void)on_port;
    LinkHeader header;
    switch (read_header(data, header)) {
        case HeaderCheck::ok:
            return Probe::match;
        case HeaderCheck::need_more:
            return Probe::need_more;
        default:
            return Probe::no_match;
    }
}

constexpr std::array<std::uint16_t, 1> kPorts{20000};
constexpr std::array<std::string_view, static_cast<std::size_t>(BufferId::count)> kBuffers{
    "dnp3.data",
};

std::unique_ptr<applayer::Parser> make(const applayer::AppLimits& limits) {
    return make_parser(limits);
}

}  // namespace

std::unique_ptr<applayer::Parser> make_parser(const applayer::AppLimits& limits) {
    return std::make_unique<Dnp3Parser>(limits);
}

const applayer::ProtocolSpec& protocol() {
    static const applayer::ProtocolSpec spec{
        .name = "dnp3",
        .tcp = true,
        .udp = true,
        .ports = kPorts,
        .probe = probe,
        .make_parser = make,
        .buffers = kBuffers,
        .record_head = record_head,
        .write_record = write_record,
        .write_alert = write_alert,
        .keywords = keywords(),
        .client_role = "dnp3 master",
        .server_role = "dnp3 outstation",
    };
    return spec;
}

}  // namespace tocsin::proto::dnp3
