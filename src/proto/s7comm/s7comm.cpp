#include "proto/s7comm/s7comm.h"

#include <algorithm>
#include <array>
#include <deque>

#include "proto/cotp/cotp.h"
#include "proto/s7comm/eve.h"
#include "proto/s7comm/keywords.h"
#include "proto/s7comm/names.h"
#include "proto/s7comm/transaction.h"

namespace tocsin::proto::s7comm {

using applayer::dir_index;
using applayer::Direction;
using applayer::ParseContext;
using applayer::Probe;

namespace {

// Requests waiting for their response, per flow. S7 clients negotiate "max AmQ" (parallel
// jobs) in the tens; beyond this the oldest is logged unanswered.
constexpr std::size_t kMaxPending = 64;

bool is_engineering_function(std::uint8_t f) {
    return (f >= function::request_download && f <= function::end_upload) ||
           f == function::plc_control || f == function::plc_stop;
}

}  // namespace

std::optional<std::uint8_t> S7Transaction::function() const {
    for (const auto& p : pdus)
        if (p && p->function) return p->function;
    return std::nullopt;
}

bool S7Transaction::engineering() const {
    if (auto f = function(); f && is_engineering_function(*f)) return true;
    for (const auto& p : pdus)
        if (p && p->userdata && p->userdata->group == group::block) return true;
    return false;
}

bool S7Transaction::control() const {
    return function() == function::write_var;
}

std::optional<std::int64_t> S7Transaction::number(std::string_view key) const {
    for (const auto& p : pdus) {
        if (!p) continue;
        if (key == "s7comm.rosctr") return p->rosctr;
        if (key == "s7comm.function" && p->function) return *p->function;
        if (key == "s7comm.szl_id" && p->userdata && p->userdata->szl_id)
            return *p->userdata->szl_id;
    }
    return std::nullopt;
}

void S7Transaction::describe_devices(applayer::DeviceFacts& out) const {
    out.engineering = engineering();
    out.control = control();
    const Pdu* reply = pdu(Direction::to_client);
    if (reply == nullptr || !reply->userdata || !reply->userdata->szl) return;
    const Szl& szl = *reply->userdata->szl;
    if (szl.fields.empty()) return;
    auto field = [&](std::string_view key) -> const std::string* {
        for (const auto& [k, v] : szl.fields)
            if (k == key && !v.empty()) return &v;
        return nullptr;
    };
    // One SZL list per transaction: keys are mapped so lists read in separate transactions
    // never disagree (the order number is the product code, the module type the product).
    out.server.emplace_back("vendor", "Siemens");
    if (const auto* v = field("module_type_name")) out.server.emplace_back("product", *v);
    if (const auto* v = field("order_number")) out.server.emplace_back("product_code", *v);
    if (const auto* v = field("firmware_version")) out.server.emplace_back("firmware", *v);
    if (const auto* v = field("hardware_version")) out.server.emplace_back("revision", *v);
    if (const auto* v = field("serial_number")) out.server.emplace_back("serial", *v);
    if (const auto* v = field("plc_name")) out.server.emplace_back("name", *v);
    if (const auto* v = field("location")) out.server.emplace_back("location", *v);
}

namespace {

class S7Parser final : public applayer::Parser {
  public:
    explicit S7Parser(const applayer::AppLimits& limits)
        : streams_{cotp::CotpStream(limits.max_record_bytes),
                   cotp::CotpStream(limits.max_record_bytes)},
          max_fragments_(limits.max_record_bytes) {}

    void parse(Direction dir, ByteSpan data, ParseContext& ctx) override {
        cotp::CotpStream& s = streams_[dir_index(dir)];
        s.push(data);
        while (auto unit = s.next()) handle(dir, *unit, ctx);
    }
    void gap(Direction dir, std::uint64_t length, ParseContext& ctx) override {
        applayer::Parser::gap(dir, length, ctx);
        streams_[dir_index(dir)].gap();
        fragments_[dir_index(dir)].clear();
    }
    void finish(ParseContext& ctx) override {
        for (auto& t : ctx.transactions()) {
            if (dynamic_cast<S7Transaction*>(t.get()) == nullptr) continue;
            t->done = {true, true};
            t->records_ready = 1;
        }
        pending_.clear();
    }

  private:
    enum class Kind : std::uint8_t { job, userdata, plus };
    struct Pending {
        std::uint64_t id;
        Kind kind;
        std::uint16_t key;  // PDU reference, or S7comm-plus sequence number
    };

    void handle(Direction dir, cotp::Unit& unit, ParseContext& ctx) {
        switch (unit.error) {
            case cotp::Error::none:
                break;
            case cotp::Error::bad_tpkt:
                ctx.event("s7comm.invalid_tpkt");
                return;
            case cotp::Error::bad_tpdu:
                ctx.event("s7comm.invalid_cotp");
                return;
            case cotp::Error::tsdu_too_long:
                ctx.event("s7comm.tsdu_too_long");
                return;
        }
        const cotp::Tpdu& t = unit.tpdu;
        switch (t.type()) {
            case cotp::TpduType::cr:
            case cotp::TpduType::cc:
                // CR names the calling (client) and called (PLC) TSAPs; CC echoes them.
                record_connection(t);
                return;
            case cotp::TpduType::er:
                ctx.event("s7comm.cotp_error");
                return;
            case cotp::TpduType::dt:
                break;
            default:
                return;
        }
        if (unit.data.empty()) return;  // keep-alive
        const std::uint8_t id = unit.data[0];
        if (id == 0x32) {
            on_s7(dir, unit.data, ctx);
        } else if (id == 0x72) {
            on_plus(dir, unit.data, ctx);
        } else {
            ctx.event("s7comm.unknown_protocol_id");
        }
    }

    void record_connection(const cotp::Tpdu& t) {
        if (!connection_) connection_.emplace();
        Connection& c = *connection_;
        const bool cc = t.type() == cotp::TpduType::cc;
        // A CC's calling TSAP is the responder's view: it echoes the CR's fields.
        if (c.calling_tsap.empty() || !cc) {
            if (!t.calling_tsap.empty()) c.calling_tsap = t.calling_tsap;
            if (!t.called_tsap.empty()) c.called_tsap = t.called_tsap;
        }
        if (t.tpdu_size) c.tpdu_size = t.tpdu_size;
        if (cc) c.confirmed = true;
        connection_pending_ = true;
    }

    S7Transaction* find(ParseContext& ctx, std::uint64_t id) {
        for (auto& t : ctx.transactions())
            if (t->id == id) return dynamic_cast<S7Transaction*>(t.get());
        return nullptr;
    }

    S7Transaction& create(Direction dir, ParseContext& ctx) {
        auto& tx = ctx.add(std::make_unique<S7Transaction>(), dir);
        if (connection_ && connection_pending_) {
            tx.connection = *connection_;
            connection_pending_ = false;
        }
        return tx;
    }

    // The pending request of `kind` with `key`, removed from the list; null when none.
    S7Transaction* take_pending(Kind kind, std::uint16_t key, ParseContext& ctx) {
        const auto it = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) {
            return p.kind == kind && p.key == key;
        });
        if (it == pending_.end()) return nullptr;
        const std::uint64_t id = it->id;
        pending_.erase(it);
        return find(ctx, id);
    }

    void add_pending(Kind kind, std::uint16_t key, S7Transaction& tx, ParseContext& ctx) {
        // A repeated key (a client reusing a PDU reference without an answer) ends the old one.
        if (S7Transaction* old = take_pending(kind, key, ctx)) complete(*old);
        if (pending_.size() == kMaxPending) {
            ctx.event("s7comm.too_many_pending", &tx);
            if (S7Transaction* old = find(ctx, pending_.front().id)) complete(*old);
            pending_.pop_front();
        }
        pending_.push_back({tx.id, kind, key});
    }

    static void complete(S7Transaction& tx) {
        tx.done = {true, true};
        tx.records_ready = 1;
    }

    void raise(Problem p, S7Transaction& tx, ParseContext& ctx) {
        switch (p) {
            case Problem::none:
                return;
            case Problem::truncated:
                ctx.event("s7comm.truncated", &tx);
                return;
            case Problem::bad_header:
                ctx.event("s7comm.invalid_header", &tx);
                return;
            case Problem::too_many_items:
                ctx.event("s7comm.too_many_items", &tx);
                return;
        }
    }

    void on_s7(Direction dir, ByteSpan tsdu, ParseContext& ctx) {
        auto decoded = decode(tsdu);
        if (!decoded) {
            ctx.event("s7comm.invalid_header");
            return;
        }
        Pdu& pdu = decoded->pdu;
        const auto rosctr = static_cast<Rosctr>(pdu.rosctr);
        const bool request = rosctr == Rosctr::job || (rosctr == Rosctr::userdata && pdu.userdata &&
                                                       pdu.userdata->type == 4);
        const bool response =
            rosctr == Rosctr::ack || rosctr == Rosctr::ack_data ||
            (rosctr == Rosctr::userdata && pdu.userdata && pdu.userdata->type == 8);
        const Kind kind = rosctr == Rosctr::userdata ? Kind::userdata : Kind::job;
        if (rosctr == Rosctr::userdata && pdu.userdata)
            join_fragments(dir, decoded->userdata_body, *pdu.userdata);
        S7Transaction* tx = nullptr;
        if (response) {
            tx = take_pending(kind, pdu.pdu_ref, ctx);
            if (tx != nullptr) {
                ctx.touch(*tx, dir);
                tx->pdus[dir_index(dir)] = std::move(pdu);
                raise(decoded->problem, *tx, ctx);
                complete(*tx);
                return;
            }
        }
        S7Transaction& fresh = create(dir, ctx);
        fresh.pdus[dir_index(dir)] = std::move(pdu);
        raise(decoded->problem, fresh, ctx);
        if (request) {
            fresh.done[dir_index(dir)] = true;
            add_pending(kind, fresh.pdus[dir_index(dir)]->pdu_ref, fresh, ctx);
            return;
        }
        if (response) ctx.event("s7comm.unsolicited_response", &fresh);
        complete(fresh);
    }

    // Userdata responses split over several PDUs (last data unit 1: more follow) are joined
    // and decoded with the last one, as one list.
    void join_fragments(Direction dir, ByteSpan body, Userdata& ud) {
        std::vector<std::uint8_t>& joined = fragments_[dir_index(dir)];
        const bool more = ud.last_data_unit.value_or(0) == 1;
        if (!more && joined.empty()) return;  // a whole one, decoded already
        const std::size_t room = max_fragments_ - std::min(max_fragments_, joined.size());
        joined.insert(joined.end(), body.begin(),
                      body.begin() + static_cast<std::ptrdiff_t>(std::min(room, body.size())));
        if (more) return;
        decode_userdata_body(joined, ud);
        joined.clear();
        joined.shrink_to_fit();
    }

    void on_plus(Direction dir, ByteSpan tsdu, ParseContext& ctx) {
        auto pdu = decode_plus(tsdu);
        if (!pdu) {
            ctx.event("s7comm.invalid_header");
            return;
        }
        const std::uint8_t opcode = pdu->opcode.value_or(0);
        const bool request = opcode == 0x31;
        const bool response = (opcode == 0x32 || opcode == 0x02) && pdu->sequence;
        if (response) {
            if (S7Transaction* tx = take_pending(Kind::plus, *pdu->sequence, ctx)) {
                ctx.touch(*tx, dir);
                tx->plus[dir_index(dir)] = std::move(*pdu);
                complete(*tx);
                return;
            }
        }
        S7Transaction& fresh = create(dir, ctx);
        fresh.plus[dir_index(dir)] = std::move(*pdu);
        if (request && fresh.plus[dir_index(dir)]->sequence) {
            fresh.done[dir_index(dir)] = true;
            add_pending(Kind::plus, *fresh.plus[dir_index(dir)]->sequence, fresh, ctx);
            return;
        }
        complete(fresh);
    }

    std::array<cotp::CotpStream, 2> streams_;
    std::optional<Connection> connection_;
    bool connection_pending_ = false;  // not yet attached to a transaction
    std::deque<Pending> pending_;
    std::array<std::vector<std::uint8_t>, 2> fragments_{};
    std::size_t max_fragments_;
};

Probe probe(ByteSpan data, Direction dir, bool on_port) {
    (void)dir;
    (void)on_port;
    switch (cotp::classify(data)) {
        case cotp::FirstData::need_more:
            return Probe::need_more;
        case cotp::FirstData::s7comm:
        case cotp::FirstData::s7comm_plus:
            return Probe::match;
        default:
            return Probe::no_match;
    }
}

constexpr std::array<std::uint16_t, 1> kPorts{102};

}  // namespace

std::unique_ptr<applayer::Parser> make_parser(const applayer::AppLimits& limits) {
    return std::make_unique<S7Parser>(limits);
}

const applayer::ProtocolSpec& protocol() {
    static const applayer::ProtocolSpec spec{
        .name = "s7comm",
        .tcp = true,
        .ports = kPorts,
        .probe = probe,
        .make_parser = make_parser,
        .record_head = record_head,
        .write_record = write_record,
        .write_alert = write_alert,
        .keywords = keywords(),
        .client_role = "s7 client",
        .server_role = "s7 plc",
    };
    return spec;
}

}  // namespace tocsin::proto::s7comm
