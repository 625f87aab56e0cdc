#include "proto/modbus/modbus.h"

#include <algorithm>
#include <array>
#include <vector>

#include "proto/modbus/eve.h"
#include "proto/modbus/keyword.h"
#include "proto/modbus/message.h"
#include "proto/modbus/transaction.h"

namespace tocsin::proto::modbus {

using applayer::dir_index;
using applayer::Direction;
using applayer::ParseContext;
using applayer::Probe;

namespace {

// Function codes with which a client programs the server rather than operating it: the
// legacy program functions (PI-MBUS-300: 9, 13, 18), Schneider Concept (40) and Unity/UMAS
// (90), Modicon firmware replacement (125) and 584/984 programming (126).
constexpr std::array<std::uint8_t, 7> kProgrammingFunctions{9, 13, 18, 40, 90, 125, 126};

bool writes(std::uint8_t code) {
    switch (code) {
        case fc::write_single_coil:
        case fc::write_single_register:
        case fc::write_multiple_coils:
        case fc::write_multiple_registers:
        case fc::mask_write_register:
        case fc::read_write_multiple_registers:
            return true;
        default:
            return false;
    }
}

// The shared asset keys (applayer::DeviceFacts) of the identification objects (spec 6.21).
std::string_view asset_key(std::uint8_t object_id) {
    switch (object_id) {
        case 0:
            return "vendor";
        case 1:
            return "product_code";
        case 2:
            return "revision";
        case 4:
            return "product";
        case 5:
            return "model";
        case 6:
            return "name";
        default:
            return {};
    }
}

}  // namespace

void ModbusTransaction::describe_devices(applayer::DeviceFacts& out) const {
    if (request) {
        const std::uint8_t code = request->code();
        if (writes(code)) out.control = true;
        const bool restart = code == fc::diagnostics && request->body == Body::diagnostic &&
                             (request->subfunction == diag::restart_communications ||
                              request->subfunction == diag::force_listen_only);
        const bool programs = std::find(kProgrammingFunctions.begin(), kProgrammingFunctions.end(),
                                        code) != kProgrammingFunctions.end();
        if (restart || programs) out.engineering = true;
    }
    if (!response || response->is_exception()) return;
    for (const DeviceObject& object : response->device_objects) {
        const std::string_view key = asset_key(object.id);
        if (key.empty() || object.value.empty()) continue;
        out.server.emplace_back(key, object.value);
    }
}

std::optional<std::int64_t> ModbusTransaction::number(std::string_view key) const {
    const Message* m = inspected();
    if (m == nullptr) return std::nullopt;
    if (key == "modbus.function") return m->code();
    if (key == "modbus.unit") return m->unit_id;
    return std::nullopt;
}

namespace {

// Whether `data` starts like an MBAP header with a function code: protocol id 0, a length
// Modbus allows, a function code other than 0. `need_more` when too few bytes to tell.
Probe header_shape(ByteSpan data) {
    ByteCursor c(data);
    c.skip(2);  // transaction id: anything
    const std::uint16_t protocol_id = c.u16be();
    if (c.ok() && protocol_id != 0) return Probe::no_match;
    const std::uint16_t length = c.u16be();
    if (c.ok() && (length < kMinLength || length > kMaxLength)) return Probe::no_match;
    c.skip(1);  // unit id
    const std::uint8_t function = c.u8();
    if (!c.ok()) return Probe::need_more;
    return function == 0 ? Probe::no_match : Probe::match;
}

class ModbusParser final : public applayer::Parser {
  public:
    explicit ModbusParser(const applayer::AppLimits& limits)
        : flood_(flood_cap(limits.max_transactions)) {}

    void parse(Direction dir, ByteSpan data, ParseContext& ctx) override {
        Stream& s = streams_[dir_index(dir)];
        if (flooded_ && ctx.transactions().size() < flood_ / 2) flooded_ = false;
        if (s.resync) {
            // After lost bytes, wait for a chunk that starts with a header.
            if (header_shape(data) != Probe::match) return;
            s.resync = false;
        }
        ByteCursor in(data);
        while (!in.empty()) {
            if (s.skip > 0) {
                const std::size_t n = std::min(s.skip, in.remaining());
                in.skip(n);
                s.skip -= n;
                continue;
            }
            // Whole messages are parsed in place; only a split one is copied (at most 260).
            if (s.pending.empty() && in.remaining() >= kLengthPrefix) {
                const std::size_t length = in.peek_u16be(4);
                if (length < kMinLength || length > kMaxLength) {
                    bad_length(dir, in.bytes(kLengthPrefix), length, s, ctx);
                    continue;
                }
                if (in.has(kLengthPrefix + length)) {
                    handle(dir, in.bytes(kLengthPrefix + length), ctx);
                    continue;
                }
            }
            const ByteSpan piece = in.bytes(std::min(wanted(s.pending), in.remaining()));
            s.pending.insert(s.pending.end(), piece.begin(), piece.end());
            if (s.pending.size() < kLengthPrefix) continue;
            const std::size_t length = ByteCursor(s.pending).peek_u16be(4);
            if (length < kMinLength || length > kMaxLength) {
                bad_length(dir, s.pending, length, s, ctx);
                s.pending.clear();
            } else if (wanted(s.pending) == 0) {
                handle(dir, s.pending, ctx);
                s.pending.clear();
            }
        }
    }

    // The message in progress is lost; parsing resumes on a chunk that starts like one.
    void gap(Direction dir, std::uint64_t length, ParseContext& ctx) override {
        (void)length;
        (void)ctx;
        Stream& s = streams_[dir_index(dir)];
        s.pending.clear();
        s.skip = 0;
        s.resync = true;
    }

    // The flow ends: unanswered requests are logged as they are, as Suricata does.
    void finish(ParseContext& ctx) override {
        for (auto& t : ctx.transactions()) {
            auto* tx = dynamic_cast<ModbusTransaction*>(t.get());
            if (tx == nullptr) continue;
            tx->done = {true, true};
            tx->records_ready = 1;
        }
    }

  private:
    // One less than the flow's transaction limit leaves room for the transaction made at the
    // cap, so the framework never forces one out before it was logged.
    static std::size_t flood_cap(std::size_t max_transactions) {
        return std::min(kRequestFlood, max_transactions > 1 ? max_transactions - 1 : 1);
    }

    struct Stream {
        std::vector<std::uint8_t> pending;  // a split message (header and PDU), <= 260 bytes
        std::size_t skip = 0;               // bytes of a message with a bad length to pass
        bool resync = false;                // after a gap: waiting for a header
    };

    // Bytes still missing from the pending message.
    static std::size_t wanted(const std::vector<std::uint8_t>& pending) {
        if (pending.size() < kLengthPrefix) return kLengthPrefix - pending.size();
        const std::size_t total = kLengthPrefix + ByteCursor(pending).peek_u16be(4);
        return total > pending.size() ? total - pending.size() : 0;
    }

    // A length Modbus does not allow: the header alone makes a message (Suricata logs it with
    // DATA_LENGTH and no PDU) and the bytes it announces are passed over.
    void bad_length(Direction dir, ByteSpan header, std::size_t length, Stream& s,
                    ParseContext& ctx) {
        handle(dir, header, ctx);
        s.skip = length;
    }

    static Side side_of(Direction dir) {
        return dir == Direction::to_server ? Side::request : Side::response;
    }

    void handle(Direction dir, ByteSpan bytes, ParseContext& ctx) {
        Message message = parse_message(bytes, side_of(dir));
        if (dir == Direction::to_server)
            on_request(std::move(message), ctx);
        else
            on_response(std::move(message), ctx);
    }

    void on_request(Message message, ParseContext& ctx) {
        // A response seen first (directions handed over out of order within a chunk), as long
        // as its transaction was not logged yet.
        for (auto& t : ctx.transactions()) {
            auto* tx = dynamic_cast<ModbusTransaction*>(t.get());
            if (tx == nullptr || tx->request || !tx->response) continue;
            if (tx->records_written >= tx->records_ready) continue;
            if (!validate_pair(*tx->response, message)) continue;
            flag_events(message.errors, *tx, ctx);
            tx->request = std::move(message);
            ctx.touch(*tx, Direction::to_server);
            return;
        }
        ModbusTransaction* tx = new_transaction(ctx, Direction::to_server);
        if (tx == nullptr) return;
        flag_events(message.errors, *tx, ctx);
        tx->request = std::move(message);
        tx->done[0] = true;
    }

    void on_response(Message message, ParseContext& ctx) {
        ModbusTransaction* tx = find_request(message, ctx);
        const bool unsolicited = tx == nullptr;
        if (unsolicited) {
            tx = new_transaction(ctx, Direction::to_client);
            if (tx == nullptr) return;
            ctx.event("modbus.unsolicited_response", tx);
            // Suricata inspects a transaction with client packets once it is complete: one
            // made of a response alone is inspected with the client's next packet too.
            ctx.touch(*tx, Direction::to_server);
            if (unit_differs(message, ctx)) add_event("modbus.invalid_unit_identifier", *tx, ctx);
        } else {
            ctx.touch(*tx, Direction::to_client);
        }
        // A read or write answered with other values or sizes than asked: one event for it.
        const bool checked = (message.access & (access::read | access::write)) != 0;
        if (checked && (message.errors & (error::data_length | error::data_value)) != 0)
            add_event("modbus.value_mismatch", *tx, ctx);
        else
            flag_events(message.errors, *tx, ctx);
        tx->response = std::move(message);
        tx->done = {true, true};
        tx->records_ready = 1;
    }

    // The oldest unanswered request this response answers (responses may come out of order).
    static ModbusTransaction* find_request(Message& response, ParseContext& ctx) {
        for (auto& t : ctx.transactions()) {
            auto* tx = dynamic_cast<ModbusTransaction*>(t.get());
            if (tx == nullptr || !tx->request || tx->response) continue;
            if (validate_pair(response, *tx->request)) return tx;
        }
        return nullptr;
    }

    // An unanswered request with this transaction id and function went to another unit.
    static bool unit_differs(const Message& response, ParseContext& ctx) {
        for (auto& t : ctx.transactions()) {
            auto* tx = dynamic_cast<ModbusTransaction*>(t.get());
            if (tx == nullptr || !tx->request || tx->response) continue;
            const Message& r = *tx->request;
            if (r.transaction_id == response.transaction_id && r.code() == response.code() &&
                r.unit_id != response.unit_id)
                return true;
        }
        return false;
    }

    // A new transaction. At the cap the oldest unanswered request is logged as it is to make
    // room (Suricata stops parsing instead; an OT monitor should keep seeing the traffic of a
    // gateway whose units time out), and the first new transaction of the episode carries
    // `modbus.flooded`. Null when every transaction held is complete but not yet logged (many
    // messages in one chunk): that message is dropped, keeping memory bounded.
    ModbusTransaction* new_transaction(ParseContext& ctx, Direction dir) {
        bool raise = false;
        if (ctx.transactions().size() >= flood_) {
            ModbusTransaction* oldest = nullptr;
            for (auto& t : ctx.transactions()) {
                auto* candidate = dynamic_cast<ModbusTransaction*>(t.get());
                if (candidate != nullptr && !candidate->complete()) {
                    oldest = candidate;
                    break;
                }
            }
            if (oldest == nullptr) return nullptr;
            oldest->done = {true, true};
            oldest->records_ready = 1;
            raise = !flooded_;
            flooded_ = true;
        }
        auto& tx = ctx.add(std::make_unique<ModbusTransaction>(), dir);
        if (raise) ctx.event("modbus.flooded", &tx);
        return &tx;
    }

    static void add_event(std::string_view name, ModbusTransaction& tx, ParseContext& ctx) {
        if (std::find(tx.events.begin(), tx.events.end(), name) == tx.events.end())
            ctx.event(name, &tx);
    }

    static void flag_events(std::uint8_t errors, ModbusTransaction& tx, ParseContext& ctx) {
        static constexpr std::pair<std::uint8_t, std::string_view> kEvents[] = {
            {error::function_code, "modbus.invalid_function_code"},
            {error::data_value, "modbus.invalid_value"},
            {error::data_length, "modbus.invalid_length"},
            {error::exception_code, "modbus.invalid_exception_code"},
            {error::protocol_id, "modbus.invalid_protocol_id"},
        };
        for (const auto& [flag, name] : kEvents)
            if ((errors & flag) != 0) add_event(name, tx, ctx);
    }

    std::size_t flood_;
    bool flooded_ = false;  // the cap was hit; cleared once half the room is free again
    std::array<Stream, 2> streams_{};
};

// On port 502 a message shaped like Modbus (Suricata parses it without knowing the side and
// wants no error flag). Elsewhere it must also be a named function that parses cleanly as a
// request (client side) or response (server side), and whatever follows it in the probed
// bytes must start like another header.
Probe probe(ByteSpan data, Direction dir, bool on_port) {
    const Probe shape = header_shape(data);
    if (shape != Probe::match) return shape;
    const std::size_t length = ByteCursor(data).peek_u16be(4);
    if (data.size() < kLengthPrefix + length) return Probe::need_more;
    const ByteSpan first = data.first(kLengthPrefix + length);
    if (parse_message(first, Side::unknown).errors != 0) return Probe::no_match;
    if (on_port) return Probe::match;
    const Message m =
        parse_message(first, dir == Direction::to_server ? Side::request : Side::response);
    if (m.errors != 0 || !known_function(m.code())) return Probe::no_match;
    const ByteSpan rest = data.subspan(first.size());
    return rest.empty() || header_shape(rest) != Probe::no_match ? Probe::match : Probe::no_match;
}

constexpr std::array<std::uint16_t, 1> kPorts{502};
constexpr std::array<applayer::ProtocolKeyword, 1> kKeywords{{
    {"modbus", applayer::ProtocolKeyword::Value::required, compile_modbus_keyword},
}};

}  // namespace

std::unique_ptr<applayer::Parser> make_parser(const applayer::AppLimits& limits) {
    return std::make_unique<ModbusParser>(limits);
}

const applayer::ProtocolSpec& protocol() {
    static const applayer::ProtocolSpec spec{
        .name = "modbus",
        .tcp = true,
        .ports = kPorts,
        .probe = probe,
        .make_parser = make_parser,
        .record_head = record_head,
        .write_record = write_record,
        .write_alert = write_alert,
        .keywords = kKeywords,
        .client_role = "modbus client",
        .server_role = "modbus server",
    };
    return spec;
}

}  // namespace tocsin::proto::modbus
