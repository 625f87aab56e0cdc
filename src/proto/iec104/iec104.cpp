#include "proto/iec104/iec104.h"

#include <algorithm>
#include <array>
#include <bit>
#include <deque>
#include <vector>

#include "proto/iec104/apdu.h"
#include "proto/iec104/eve.h"
#include "proto/iec104/keywords.h"
#include "proto/iec104/transaction.h"

namespace tocsin::proto::iec104 {

using applayer::dir_index;
using applayer::Direction;
using applayer::ParseContext;
using applayer::Probe;

namespace {

constexpr std::uint16_t kPorts[] = {2404};
// Commands (and U acts) awaiting their confirmation or termination, per flow. A station has
// few outstanding commands (IEC 60870-5-104 5.5: at most k = 12 unacknowledged I frames).
constexpr std::size_t kMaxPending = 16;
// A command unanswered this long is given up (104's t1 acknowledgement timeout is 15 s by
// default; an interrogation's termination may take longer): it no longer holds the flow's
// later transactions in memory.
constexpr std::int64_t kPendingTimeoutUs = 60'000'000;

constexpr std::uint8_t kCotAct = 6;
constexpr std::uint8_t kCotActcon = 7;
constexpr std::uint8_t kCotDeact = 8;
constexpr std::uint8_t kCotDeactcon = 9;
constexpr std::uint8_t kCotActterm = 10;
constexpr std::uint8_t kCotUnknownFirst = 44;  // unknown type, cause, common address, IOA
constexpr std::uint8_t kCotUnknownLast = 47;

bool valid_u_bits(std::uint8_t c1) {
    return (c1 & 0x03) == 0x03 && std::popcount(static_cast<std::uint8_t>(c1 & 0xfc)) == 1;
}

// Start octet, a length the APCI admits, and a control field of a valid format.
Probe probe(ByteSpan data, Direction dir, bool on_port) {
    (void)dir;
    ByteCursor in(data);
    if (in.empty()) return Probe::need_more;
    if (in.u8() != kStartByte) return Probe::no_match;
    if (in.empty()) return Probe::need_more;
    const std::uint8_t length = in.u8();
    if (length < kMinApduLength || length > kMaxApduLength) return Probe::no_match;
    if (!in.has(4)) return Probe::need_more;
    const std::uint8_t c1 = in.u8();
    const std::uint8_t c2 = in.u8();
    const std::uint8_t c3 = in.u8();
    const std::uint8_t c4 = in.u8();
    if ((c1 & 0x01) == 0) {
        if (length < kMinApduLength + kAsduHeaderLength || (c3 & 0x01) != 0) return Probe::no_match;
    } else if ((c1 & 0x03) == 0x01) {
        if (length != kMinApduLength || c1 != 0x01 || c2 != 0 || (c3 & 0x01) != 0)
            return Probe::no_match;
    } else if (length != kMinApduLength || !valid_u_bits(c1) || c2 != 0 || c3 != 0 || c4 != 0) {
        return Probe::no_match;
    }
    if (on_port) return Probe::match;
    // Elsewhere a start octet 0x68 ('h') is common: ask for the whole APDU, a known type id
    // and cause, and the start of the next APDU when more follows.
    if (!in.has(length - kMinApduLength)) return Probe::need_more;
    if ((c1 & 0x01) == 0) {
        const std::uint8_t type_id = in.peek_u8(0);
        const std::uint8_t cot = in.peek_u8(2) & 0x3f;
        if (type_name(type_id).empty() || cot_name(cot).empty()) return Probe::no_match;
        // The objects must fill the ASDU exactly: a run of one repeated byte ("hhhh...") has
        // a plausible header but not a consistent object count.
        ByteCursor apdu(data);
        apdu.skip(2);
        if (decode_apdu(apdu.bytes(length)).problem != Problem::none) return Probe::no_match;
    }
    in.skip(length - kMinApduLength);
    if (!in.empty() && in.peek_u8() != kStartByte) return Probe::no_match;
    return Probe::match;
}

// What pairs a confirmation with its request: the U function, or the ASDU's type id, common
// address and first object's address.
struct Key {
    bool u = false;
    std::uint8_t code = 0;  // U: the con's bits; ASDU: the type id
    std::uint16_t common_address = 0;
    std::uint32_t ioa = 0;
    bool operator==(const Key&) const = default;
};

Key asdu_key(const Asdu& a) {
    return {false, a.type_id, a.common_address, a.objects.empty() ? 0 : a.objects.front().ioa};
}

bool is_select(const Asdu& a) {
    if (a.objects.empty()) return false;
    for (const Field& f : a.objects.front().fields)
        if (f.name == "select") return f.value != 0;
    return false;
}

// Commands the controlled station does not terminate (no ACTTERM follows the ACTCON):
// clock sync, test, reset process, delay acquisition, parameters, and the select phase.
bool ends_at_actcon(const Asdu& request) {
    const std::uint8_t t = request.type_id;
    return (t >= 103 && t <= 107) || is_parameter(t) || request.cot == kCotDeact ||
           is_select(request);
}

class Iec104Parser final : public applayer::Parser {
  public:
    void parse(Direction dir, ByteSpan data, ParseContext& ctx) override {
        Reader& r = readers_[dir_index(dir)];
        ByteCursor in(data);
        while (!in.empty()) {
            if (r.held.empty() && in.peek_u8() != kStartByte) {
                skip_to_start(r, in, ctx);
                continue;
            }
            const std::size_t want = r.held.size() < 2 ? 2 : 2 + std::size_t{r.held[1]};
            const ByteSpan piece = in.bytes(std::min(want - r.held.size(), in.remaining()));
            r.held.insert(r.held.end(), piece.begin(), piece.end());
            if (r.held.size() == 2 && r.held[1] < kMinApduLength) {
                ctx.event("iec104.invalid_length");
                r.held.clear();
                continue;
            }
            if (r.held.size() < want || want == 2) continue;
            apdu(dir, ByteSpan(r.held).subspan(2), ctx);
            r.held.clear();
            r.junk = false;
        }
    }

    void gap(Direction dir, std::uint64_t length, ParseContext& ctx) override {
        applayer::Parser::gap(dir, length, ctx);
        // Parsing resumes at the next start octet; the sequence numbers start over.
        Reader& r = readers_[dir_index(dir)];
        r.held.clear();
        r.next_send.reset();
        r.junk = true;
    }

    void finish(ParseContext& ctx) override {
        for (const Pending& p : pending_)
            if (Iec104Transaction* tx = find(ctx, p.tx_id)) complete(*tx);
        pending_.clear();
    }

  private:
    struct Reader {
        std::vector<std::uint8_t> held;          // the APDU being assembled: at most 2 + 253 octets
        std::optional<std::uint16_t> next_send;  // the N(S) the next I frame should carry
        bool junk = false;  // skipping octets that are not an APDU (one event per run)
    };
    struct Pending {
        std::uint64_t tx_id = 0;
        Direction dir = Direction::to_server;  // the request's
        Key key;
        Timestamp sent;
    };

    // Commands waiting past the timeout are complete: no answer is coming.
    void expire(ParseContext& ctx) {
        const std::int64_t now = ctx.now().micros();
        while (!pending_.empty() && now - pending_.front().sent.micros() > kPendingTimeoutUs) {
            if (Iec104Transaction* old = find(ctx, pending_.front().tx_id)) complete(*old);
            pending_.pop_front();
        }
    }

    void skip_to_start(Reader& r, ByteCursor& in, ParseContext& ctx) {
        if (!r.junk) ctx.event("iec104.invalid_start");
        r.junk = true;
        const ByteSpan rest = in.peek_rest();
        const auto at = std::find(rest.begin(), rest.end(), kStartByte);
        in.skip(static_cast<std::size_t>(at - rest.begin()));
    }

    static Iec104Transaction* find(ParseContext& ctx, std::uint64_t id) {
        for (auto& t : ctx.transactions())
            if (t->id == id) return static_cast<Iec104Transaction*>(t.get());
        return nullptr;
    }

    static void complete(Iec104Transaction& tx) { tx.done = {true, true}; }

    void apdu(Direction dir, ByteSpan body, ParseContext& ctx) {
        expire(ctx);
        Decoded d = decode_apdu(body);
        const bool sequence_error = check_sequence(readers_[dir_index(dir)], d.apdu);
        Iec104Transaction& tx = place(dir, std::move(d.apdu), ctx);
        if (d.problem != Problem::none) ctx.event(problem_event(d.problem), &tx);
        // 254 and 255 fit the length octet, but 5.1 caps an APDU's length at 253.
        if (body.size() > kMaxApduLength && d.problem != Problem::invalid_length)
            ctx.event("iec104.invalid_length", &tx);
        if (sequence_error) ctx.event("iec104.unexpected_send_sequence", &tx);
    }

    // I frames of a direction number themselves 0, 1, 2 ... modulo 2^15 (5.1).
    static bool check_sequence(Reader& r, const Apdu& a) {
        if (a.type != ApciType::i) return false;
        const bool wrong = r.next_send && *r.next_send != a.send_seq;
        r.next_send = static_cast<std::uint16_t>((a.send_seq + 1) & 0x7fff);
        return wrong;
    }

    // The transaction the APDU belongs to: its request's, or a new one.
    Iec104Transaction& place(Direction dir, Apdu apdu, ParseContext& ctx) {
        if (apdu.type == ApciType::u) {
            const std::uint8_t bits = apdu.u_bits;
            const bool act = bits == 0x04 || bits == 0x10 || bits == 0x40;
            if (act) return open(dir, Key{true, static_cast<std::uint8_t>(bits << 1)}, apdu, ctx);
            if (Iec104Transaction* tx = answer(dir, Key{true, bits}, ctx))
                return attach(*tx, dir, std::move(apdu), true, ctx);
            return single(dir, std::move(apdu), ctx);
        }
        if (apdu.type != ApciType::i || !apdu.asdu || !apdu.asdu->known_type)
            return single(dir, std::move(apdu), ctx);
        const Asdu& a = *apdu.asdu;
        const bool pairs = is_command(a.type_id) || is_parameter(a.type_id);
        if (pairs && (a.cot == kCotAct || a.cot == kCotDeact))
            return open(dir, asdu_key(a), apdu, ctx);
        const bool reply = a.cot == kCotActcon || a.cot == kCotDeactcon || a.cot == kCotActterm ||
                           (a.cot >= kCotUnknownFirst && a.cot <= kCotUnknownLast);
        if (pairs && reply) {
            if (Iec104Transaction* tx = answer(dir, asdu_key(a), ctx)) {
                const Asdu& request = *tx->messages.front().apdu.asdu;
                const bool ends = a.cot != kCotActcon || a.negative || ends_at_actcon(request) ||
                                  tx->messages.size() + 1 >= Iec104Transaction::kMaxMessages;
                return attach(*tx, dir, std::move(apdu), ends, ctx);
            }
        }
        return single(dir, std::move(apdu), ctx);
    }

    // A one-APDU transaction, complete at once.
    Iec104Transaction& single(Direction dir, Apdu apdu, ParseContext& ctx) {
        auto tx = std::make_unique<Iec104Transaction>();
        tx->messages.push_back({dir, std::move(apdu)});
        complete(*tx);
        tx->records_ready = 1;
        return ctx.add(std::move(tx), dir);
    }

    // A request awaiting its answer from the other side.
    Iec104Transaction& open(Direction dir, const Key& key, Apdu& apdu, ParseContext& ctx) {
        // A repeated request supersedes the one still waiting (no answer will tell them apart).
        for (auto it = pending_.begin(); it != pending_.end(); ++it) {
            if (it->dir != dir || !(it->key == key)) continue;
            if (Iec104Transaction* old = find(ctx, it->tx_id)) complete(*old);
            pending_.erase(it);
            break;
        }
        if (pending_.size() >= kMaxPending) {
            if (Iec104Transaction* old = find(ctx, pending_.front().tx_id)) complete(*old);
            pending_.pop_front();
        }
        auto made = std::make_unique<Iec104Transaction>();
        made->messages.push_back({dir, std::move(apdu)});
        made->done[dir_index(dir)] = true;
        made->records_ready = 1;
        Iec104Transaction& tx = ctx.add(std::move(made), dir);
        pending_.push_back({tx.id, dir, key, ctx.now()});
        return tx;
    }

    // The pending request of the other side this answer belongs to, if any.
    Iec104Transaction* answer(Direction dir, const Key& key, ParseContext& ctx) {
        for (auto it = pending_.begin(); it != pending_.end(); ++it) {
            if (it->dir == dir || !(it->key == key)) continue;
            Iec104Transaction* tx = find(ctx, it->tx_id);
            // Forced complete by the transaction bound, or already logged and dropped.
            if (tx == nullptr || tx->complete()) {
                pending_.erase(it);
                return nullptr;
            }
            return tx;
        }
        return nullptr;
    }

    Iec104Transaction& attach(Iec104Transaction& tx, Direction dir, Apdu apdu, bool ends,
                              ParseContext& ctx) {
        tx.messages.push_back({dir, std::move(apdu)});
        tx.records_ready = tx.messages.size();
        // The answering side is done only with the last answer (done[] of both: complete).
        if (ends) {
            complete(tx);
            std::erase_if(pending_, [&](const Pending& p) { return p.tx_id == tx.id; });
        }
        ctx.touch(tx, dir);
        return tx;
    }

    std::array<Reader, 2> readers_{};
    std::deque<Pending> pending_;
};

}  // namespace

std::unique_ptr<applayer::Parser> make_parser(const applayer::AppLimits& limits) {
    (void)limits;  // an APDU is at most 255 octets: nothing else is buffered
    return std::make_unique<Iec104Parser>();
}

const applayer::ProtocolSpec& protocol() {
    static const applayer::ProtocolSpec spec{
        .name = "iec104",
        .tcp = true,
        .ports = kPorts,
        .probe = probe,
        .make_parser = make_parser,
        .record_head = record_head,
        .write_record = write_record,
        .write_alert = write_alert,
        .keywords = keywords(),
        .client_role = "iec104 controlling station",
        .server_role = "iec104 controlled station",
    };
    return spec;
}

}  // namespace tocsin::proto::iec104
