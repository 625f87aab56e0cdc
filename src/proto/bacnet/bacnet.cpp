#include "proto/bacnet/bacnet.h"

#include <algorithm>
#include <array>
#include <deque>
#include <optional>

#include "proto/bacnet/eve.h"
#include "proto/bacnet/keywords.h"
#include "proto/bacnet/message.h"
#include "proto/bacnet/transaction.h"

namespace tocsin::proto::bacnet {

using applayer::dir_index;
using applayer::Direction;
using applayer::ParseContext;
using applayer::Probe;

namespace {

constexpr std::uint16_t kPorts[] = {47808};  // 0xBAC0
// Confirmed requests awaiting an answer per flow; invoke ids are one octet, and a device
// keeps a handful outstanding.
constexpr std::size_t kMaxPending = 64;
// A request unanswered this long is given up (devices answer within their APDU timeout,
// 3–10 s by default, times a few retries): it no longer holds later transactions in memory.
constexpr std::int64_t kPendingTimeoutUs = 60'000'000;
constexpr std::uint8_t kLastBvlcFunction = 0x0C;  // Secure-BVLL

// BVLC requests answered by a BVLC-Result or an ACK (J.2): write/read BDT, register foreign
// device, read FDT, delete FDT entry; and their answers.
bool bvlc_request(std::uint8_t f) {
    return f == 0x01 || f == 0x02 || f == 0x05 || f == 0x06 || f == 0x08;
}
bool bvlc_answer(std::uint8_t f) {
    return f == 0x00 || f == 0x03 || f == 0x07;
}

Probe probe(ByteSpan data, Direction dir, bool on_port) {
    (void)dir;
    (void)on_port;
    ByteCursor in(data);
    if (in.u8() != kBvlcTypeIp) return in.ok() ? Probe::no_match : Probe::need_more;
    const std::uint8_t function = in.u8();
    const std::uint16_t length = in.u16be();
    if (!in.ok()) return Probe::no_match;  // a datagram is whole: too short is not BVLC
    if (function > kLastBvlcFunction || length != data.size()) return Probe::no_match;
    // Functions carrying an NPDU: its version is 1 (6.2.1).
    if (function == 0x04) in.skip(6);
    if (function == 0x04 || function == 0x09 || function == 0x0A || function == 0x0B)
        if (in.u8() != 1 || !in.ok()) return Probe::no_match;
    return Probe::match;
}

// What pairs an answer with its request: the requester's direction and the invoke id, or a
// BVLC request (one outstanding per direction).
struct Pending {
    std::uint64_t tx_id = 0;
    Direction dir = Direction::to_server;  // the requester's
    bool bvlc = false;
    std::uint8_t invoke_id = 0;
    Timestamp sent;
};

class BacnetParser final : public applayer::Parser {
  public:
    void parse(Direction dir, ByteSpan data, ParseContext& ctx) override {
        expire(ctx);
        Message m = decode_message(data);
        const Problem problem = m.problem;
        // Not BACnet/IP at all (the flow's later datagrams are not probed): a flow event only.
        if (problem == Problem::invalid_bvlc) {
            ctx.event(problem_event(problem));
            return;
        }
        BacnetTransaction& tx = place(dir, std::move(m), ctx);
        if (problem != Problem::none) ctx.event(problem_event(problem), &tx);
    }

    void finish(ParseContext& ctx) override {
        for (const Pending& p : pending_)
            if (BacnetTransaction* tx = find(ctx, p.tx_id)) tx->done = {true, true};
        pending_.clear();
    }

  private:
    // Requests waiting past the timeout are complete: no answer is coming.
    void expire(ParseContext& ctx) {
        const std::int64_t now = ctx.now().micros();
        while (!pending_.empty() && now - pending_.front().sent.micros() > kPendingTimeoutUs) {
            if (BacnetTransaction* old = find(ctx, pending_.front().tx_id))
                old->done = {true, true};
            pending_.pop_front();
        }
    }

    static BacnetTransaction* find(ParseContext& ctx, std::uint64_t id) {
        for (auto& t : ctx.transactions())
            if (t->id == id) return static_cast<BacnetTransaction*>(t.get());
        return nullptr;
    }

    BacnetTransaction& place(Direction dir, Message m, ParseContext& ctx) {
        const std::uint8_t f = m.bvlc.function;
        if (bvlc_request(f)) return open(dir, true, 0, std::move(m), ctx);
        if (bvlc_answer(f)) {
            if (BacnetTransaction* tx = answer(opposite(dir), true, 0, ctx))
                return attach(*tx, dir, std::move(m), true, ctx);
            return single(dir, std::move(m), ctx);
        }
        if (!m.apdu || !m.apdu->invoke_id) return single(dir, std::move(m), ctx);
        const Apdu& a = *m.apdu;
        const std::uint8_t id = *a.invoke_id;
        switch (a.type) {
            case PduType::confirmed_request:
                // A later segment of a segmented request continues it.
                if (a.segmented() && a.sequence_number.value_or(0) != 0)
                    if (BacnetTransaction* tx = answer(dir, false, id, ctx))
                        return attach(*tx, dir, std::move(m), false, ctx);
                return open(dir, false, id, std::move(m), ctx);
            case PduType::segment_ack:
            case PduType::abort: {
                // SRV: sent by the server (the request came the other way), else by the client.
                const Direction requester = a.server() ? opposite(dir) : dir;
                const bool ends = a.type == PduType::abort;
                if (BacnetTransaction* tx = answer(requester, false, id, ctx))
                    return attach(*tx, dir, std::move(m), ends, ctx);
                return single(dir, std::move(m), ctx);
            }
            default: {
                const bool ends = !(a.type == PduType::complex_ack && a.more_follows());
                if (BacnetTransaction* tx = answer(opposite(dir), false, id, ctx))
                    return attach(*tx, dir, std::move(m), ends, ctx);
                return single(dir, std::move(m), ctx);
            }
        }
    }

    static Direction opposite(Direction d) {
        return d == Direction::to_server ? Direction::to_client : Direction::to_server;
    }

    // A one-datagram transaction, complete at once.
    BacnetTransaction& single(Direction dir, Message m, ParseContext& ctx) {
        auto tx = std::make_unique<BacnetTransaction>();
        tx->messages.push_back({dir, std::move(m)});
        tx->done = {true, true};
        tx->records_ready = 1;
        return ctx.add(std::move(tx), dir);
    }

    BacnetTransaction& open(Direction dir, bool bvlc, std::uint8_t invoke_id, Message m,
                            ParseContext& ctx) {
        // A request reusing a waiting one's invoke id (a retry, or the id wrapped around)
        // ends that one: its answer can no longer be told apart.
        for (auto it = pending_.begin(); it != pending_.end(); ++it) {
            if (it->dir != dir || it->bvlc != bvlc || it->invoke_id != invoke_id) continue;
            if (BacnetTransaction* old = find(ctx, it->tx_id)) old->done = {true, true};
            pending_.erase(it);
            break;
        }
        if (pending_.size() >= kMaxPending) {
            if (BacnetTransaction* old = find(ctx, pending_.front().tx_id))
                old->done = {true, true};
            pending_.pop_front();
        }
        auto made = std::make_unique<BacnetTransaction>();
        made->messages.push_back({dir, std::move(m)});
        made->done[dir_index(dir)] = true;
        made->records_ready = 1;
        BacnetTransaction& tx = ctx.add(std::move(made), dir);
        pending_.push_back({tx.id, dir, bvlc, invoke_id, ctx.now()});
        return tx;
    }

    // The waiting request of `requester` with this id, if any.
    BacnetTransaction* answer(Direction requester, bool bvlc, std::uint8_t invoke_id,
                              ParseContext& ctx) {
        for (auto it = pending_.begin(); it != pending_.end(); ++it) {
            if (it->dir != requester || it->bvlc != bvlc || it->invoke_id != invoke_id) continue;
            BacnetTransaction* tx = find(ctx, it->tx_id);
            // Forced complete by the transaction bound, or logged and dropped, or full.
            if (tx == nullptr || tx->complete() ||
                tx->messages.size() >= BacnetTransaction::kMaxMessages) {
                if (tx != nullptr) tx->done = {true, true};
                pending_.erase(it);
                return nullptr;
            }
            return tx;
        }
        return nullptr;
    }

    BacnetTransaction& attach(BacnetTransaction& tx, Direction dir, Message m, bool ends,
                              ParseContext& ctx) {
        tx.messages.push_back({dir, std::move(m)});
        tx.records_ready = tx.messages.size();
        if (ends || tx.messages.size() >= BacnetTransaction::kMaxMessages) {
            tx.done = {true, true};
            std::erase_if(pending_, [&](const Pending& p) { return p.tx_id == tx.id; });
        }
        ctx.touch(tx, dir);
        return tx;
    }

    std::deque<Pending> pending_;
};

}  // namespace

std::unique_ptr<applayer::Parser> make_parser(const applayer::AppLimits& limits) {
    (void)limits;  // one datagram at a time: nothing is buffered
    return std::make_unique<BacnetParser>();
}

const applayer::ProtocolSpec& protocol() {
    static const applayer::ProtocolSpec spec{
        .name = "bacnet",
        .udp = true,
        .ports = kPorts,
        .probe = probe,
        .make_parser = make_parser,
        .record_head = record_head,
        .write_record = write_record,
        .write_alert = write_alert,
        .keywords = keywords(),
        .client_role = "bacnet client",
        .server_role = "bacnet device",
    };
    return spec;
}

}  // namespace tocsin::proto::bacnet
