#include "proto/mms/mms.h"

#include <algorithm>
#include <array>
#include <deque>

#include "proto/cotp/cotp.h"
#include "proto/mms/eve.h"
#include "proto/mms/keywords.h"
#include "proto/mms/transaction.h"

namespace tocsin::proto::mms {

using applayer::dir_index;
using applayer::Direction;
using applayer::ParseContext;
using applayer::Probe;

namespace {

// Confirmed requests waiting for their answer, per flow. MMS negotiates "max services
// outstanding" at initiate (IEC 61850 servers commonly allow 5 to 20); beyond this bound the
// oldest is logged unanswered.
constexpr std::size_t kMaxPending = 64;

ByteSpan as_bytes(const std::string& s) {
    return ByteSpan(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

// Services that program or operate the server (ISO 9506-2 domain and program invocation
// management, file transfer into the server): the client is an engineering station.
bool engineering_service(std::uint32_t s) {
    return (s >= 26 && s <= 36) ||  // download/upload sequences, domain load/store/delete
           (s >= 38 && s <= 44) ||  // create/delete program invocation, start .. kill
           s == 46 ||               // obtainFile
           s == 75 || s == 76;      // fileRename, fileDelete
}

}  // namespace

std::optional<std::uint32_t> MmsTransaction::confirmed_service() const {
    for (const auto& s : sides)
        if (s && s->message.service && s->message.pdu != pdu::unconfirmed)
            return s->message.service;
    return std::nullopt;
}

std::optional<ByteSpan> MmsTransaction::buffer(std::size_t index, std::size_t item) const {
    const auto which = static_cast<BufferId>(index);
    std::size_t n = 0;
    for (const auto& s : sides) {
        if (!s) continue;
        const Message& m = s->message;
        auto visit = [&](const ObjectName& name) -> std::optional<ByteSpan> {
            if (which == BufferId::domain && name.scope != ObjectName::Scope::domain)
                return std::nullopt;
            if (n++ != item) return std::nullopt;
            return as_bytes(which == BufferId::domain ? name.domain : name.item);
        };
        if (m.variable_list)
            if (auto b = visit(*m.variable_list)) return b;
        for (const ObjectName& name : m.variables)
            if (auto b = visit(name)) return b;
    }
    return std::nullopt;
}

std::optional<std::int64_t> MmsTransaction::number(std::string_view key) const {
    for (const auto& s : sides) {
        if (!s) continue;
        if (key == "mms.pdu") return s->message.pdu;
        if (key == "mms.service" && s->message.service) return *s->message.service;
    }
    return std::nullopt;
}

void MmsTransaction::describe_devices(applayer::DeviceFacts& out) const {
    if (auto s = confirmed_service()) {
        out.control = *s == 5;  // write
        out.engineering = engineering_service(*s);
    }
    const Message* reply = message(Direction::to_client);
    if (reply == nullptr || reply->pdu != pdu::confirmed_response || reply->service != 2) return;
    // Identify response (ISO 9506-2 10.3): vendorName, modelName, revision.
    if (reply->vendor && !reply->vendor->empty()) out.server.emplace_back("vendor", *reply->vendor);
    if (reply->model && !reply->model->empty()) out.server.emplace_back("product", *reply->model);
    if (reply->revision && !reply->revision->empty())
        out.server.emplace_back("firmware", *reply->revision);
}

namespace {

class MmsParser final : public applayer::Parser {
  public:
    explicit MmsParser(const applayer::AppLimits& limits)
        : streams_{cotp::CotpStream(limits.max_record_bytes),
                   cotp::CotpStream(limits.max_record_bytes)} {}

    void parse(Direction dir, ByteSpan data, ParseContext& ctx) override {
        cotp::CotpStream& s = streams_[dir_index(dir)];
        s.push(data);
        while (auto unit = s.next()) handle(dir, *unit, ctx);
    }
    void gap(Direction dir, std::uint64_t length, ParseContext& ctx) override {
        applayer::Parser::gap(dir, length, ctx);
        streams_[dir_index(dir)].gap();
    }
    void finish(ParseContext& ctx) override {
        for (auto& t : ctx.transactions()) {
            if (dynamic_cast<MmsTransaction*>(t.get()) == nullptr) continue;
            t->done = {true, true};
            t->records_ready = 1;
        }
        pending_.clear();
    }

  private:
    enum class Kind : std::uint8_t { confirmed, cancel, initiate, conclude };
    struct Pending {
        std::uint64_t id;
        Kind kind;
        std::uint32_t key;  // invoke id; 0 for initiate/conclude (answered in order)
    };

    void handle(Direction dir, cotp::Unit& unit, ParseContext& ctx) {
        switch (unit.error) {
            case cotp::Error::none:
                break;
            case cotp::Error::bad_tpkt:
                ctx.event("mms.invalid_tpkt");
                return;
            case cotp::Error::bad_tpdu:
                ctx.event("mms.invalid_cotp");
                return;
            case cotp::Error::tsdu_too_long:
                ctx.event("mms.tsdu_too_long");
                return;
        }
        if (unit.tpdu.type() != cotp::TpduType::dt || unit.data.empty()) return;
        // Some tools put the MMS PDU straight into the TSDU: context-class first octets are
        // never session SPDU identifiers.
        if ((unit.data[0] & 0xC0) == 0x80) {
            if (auto bare = decode(unit.data))
                on_message(dir, Side{std::move(*bare), 0, std::nullopt}, false, ctx);
            else
                ctx.event("mms.invalid_pdu");
            return;
        }
        auto iso = decode_iso(unit.data);
        if (!iso) {
            ctx.event("mms.invalid_session");
            return;
        }
        if (iso->mms.empty()) {
            if (iso->malformed) ctx.event("mms.malformed_presentation");
            return;  // session or ACSE traffic without an MMS PDU (release, abort)
        }
        auto message = decode(iso->mms);
        if (!message) {
            ctx.event("mms.invalid_pdu");
            return;
        }
        Side side{std::move(*message), iso->spdu, std::move(iso->association)};
        on_message(dir, std::move(side), iso->malformed, ctx);
    }

    MmsTransaction* find(ParseContext& ctx, std::uint64_t id) {
        for (auto& t : ctx.transactions())
            if (t->id == id) return dynamic_cast<MmsTransaction*>(t.get());
        return nullptr;
    }

    MmsTransaction* take_pending(Kind kind, std::uint32_t key, ParseContext& ctx) {
        const auto it = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) {
            return p.kind == kind && p.key == key;
        });
        if (it == pending_.end()) return nullptr;
        const std::uint64_t id = it->id;
        pending_.erase(it);
        return find(ctx, id);
    }

    void add_pending(Kind kind, std::uint32_t key, MmsTransaction& tx, ParseContext& ctx) {
        if (MmsTransaction* old = take_pending(kind, key, ctx)) complete(*old);
        if (pending_.size() == kMaxPending) {
            ctx.event("mms.too_many_pending", &tx);
            if (MmsTransaction* old = find(ctx, pending_.front().id)) complete(*old);
            pending_.pop_front();
        }
        pending_.push_back({tx.id, kind, key});
    }

    static void complete(MmsTransaction& tx) {
        tx.done = {true, true};
        tx.records_ready = 1;
    }

    static void raise(const Side& side, bool presentation_malformed, MmsTransaction& tx,
                      ParseContext& ctx) {
        if (presentation_malformed) ctx.event("mms.malformed_presentation", &tx);
        if (side.message.malformed) ctx.event("mms.malformed_pdu", &tx);
        if (side.message.truncated) ctx.event("mms.truncated", &tx);
    }

    // What a PDU is: a request expecting an answer, an answer, or alone; and its key.
    struct Role {
        bool request = false;
        bool answer = false;
        Kind kind = Kind::confirmed;
        std::uint32_t key = 0;
    };
    static Role role(const Message& m) {
        Role r;
        const std::uint32_t invoke = m.invoke_id.value_or(0);
        switch (m.pdu) {
            case pdu::confirmed_request:
                return {true, false, Kind::confirmed, invoke};
            case pdu::confirmed_response:
            case pdu::confirmed_error:
                return {false, true, Kind::confirmed, invoke};
            case pdu::cancel_request:
                return {true, false, Kind::cancel, invoke};
            case pdu::cancel_response:
            case pdu::cancel_error:
                return {false, true, Kind::cancel, invoke};
            case pdu::initiate_request:
                return {true, false, Kind::initiate, 0};
            case pdu::initiate_response:
            case pdu::initiate_error:
                return {false, true, Kind::initiate, 0};
            case pdu::conclude_request:
                return {true, false, Kind::conclude, 0};
            case pdu::conclude_response:
            case pdu::conclude_error:
                return {false, true, Kind::conclude, 0};
            default:
                return r;  // unconfirmed, reject
        }
    }

    void on_message(Direction dir, Side side, bool malformed, ParseContext& ctx) {
        const Role r = role(side.message);
        if (r.answer) {
            // An answer to a conclude may come as a confirmed response without a service (some
            // stacks): it is paired with a pending conclude when no confirmed request waits.
            MmsTransaction* tx = take_pending(r.kind, r.key, ctx);
            if (tx == nullptr && r.kind == Kind::confirmed && !side.message.service)
                tx = take_pending(Kind::conclude, 0, ctx);
            if (tx != nullptr) {
                ctx.touch(*tx, dir);
                raise(side, malformed, *tx, ctx);
                tx->sides[dir_index(dir)] = std::move(side);
                complete(*tx);
                return;
            }
        }
        auto& fresh = ctx.add(std::make_unique<MmsTransaction>(), dir);
        raise(side, malformed, fresh, ctx);
        fresh.sides[dir_index(dir)] = std::move(side);
        if (r.request) {
            fresh.done[dir_index(dir)] = true;
            add_pending(r.kind, r.key, fresh, ctx);
            return;
        }
        if (r.answer) ctx.event("mms.unsolicited_response", &fresh);
        complete(fresh);
    }

    std::array<cotp::CotpStream, 2> streams_;
    std::deque<Pending> pending_;
};

Probe probe(ByteSpan data, Direction dir, bool on_port) {
    (void)dir;
    (void)on_port;
    switch (cotp::classify(data)) {
        case cotp::FirstData::need_more:
            return Probe::need_more;
        case cotp::FirstData::iso_session:
        case cotp::FirstData::bare_mms:
            return Probe::match;
        default:
            return Probe::no_match;
    }
}

constexpr std::array<std::uint16_t, 1> kPorts{102};
constexpr std::array<std::string_view, static_cast<std::size_t>(BufferId::count)> kBuffers{
    "mms.domain",
    "mms.item",
};

}  // namespace

std::unique_ptr<applayer::Parser> make_parser(const applayer::AppLimits& limits) {
    return std::make_unique<MmsParser>(limits);
}

const applayer::ProtocolSpec& protocol() {
    static const applayer::ProtocolSpec spec{
        .name = "mms",
        .tcp = true,
        .ports = kPorts,
        .probe = probe,
        .make_parser = make_parser,
        .buffers = kBuffers,
        .record_head = record_head,
        .write_record = write_record,
        .write_alert = write_alert,
        .keywords = keywords(),
        .client_role = "mms client",
        .server_role = "mms server",
    };
    return spec;
}

}  // namespace tocsin::proto::mms
