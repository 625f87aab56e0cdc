#include "proto/enip/enip.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <utility>
#include <vector>

#include "proto/enip/eve.h"
#include "proto/enip/keywords.h"
#include "proto/enip/names.h"
#include "proto/enip/transaction.h"

namespace tocsin::proto::enip {

using applayer::dir_index;
using applayer::Direction;
using applayer::ParseContext;
using applayer::Probe;

namespace {

ByteSpan as_bytes(std::string_view text) {
    return ByteSpan(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

// Visits a request and every message it carries (Multiple Service Packet, Unconnected Send).
template <typename F>
void for_each_message(const CipMessage& m, F&& f) {
    f(m);
    for (const CipMessage& e : m.multiple) for_each_message(e, f);
    for (const CipMessage& e : m.embedded) for_each_message(e, f);
}

// Requests that change what a controller runs or whether it runs: Reset, Start, Stop (Vol 1
// A-4), and anything addressed to Rockwell's firmware-update object (class 0xA1, which the
// Quickdraw "Firmware Change" capture writes before resetting the device).
bool is_engineering(const CipMessage& m) {
    if (m.service == service::reset || m.service == service::start || m.service == service::stop)
        return true;
    return m.last_class() == 0xA1;
}

// Requests that write values: the Set services, Set_Member, and the Logix write services
// (0x4D Write Tag, 0x4E Read-Modify-Write, 0x53 Write Tag Fragmented) off the Connection
// Manager (where 0x4E is Forward Close).
bool is_control(const CipMessage& m) {
    switch (m.service) {
        case service::set_attributes_all:
        case service::set_attribute_list:
        case service::set_attribute_single:
        case service::set_member:
        case 0x4D:
        case 0x53:
            return true;
        case 0x4E:
            return m.last_class() != kConnectionManagerClass;
        default:
            return false;
    }
}

std::string hex32(std::uint32_t v) {
    std::array<char, 16> text{};
    std::snprintf(text.data(), text.size(), "0x%08x", v);
    return text.data();
}

}  // namespace

std::optional<ByteSpan> EnipTransaction::buffer(std::size_t index, std::size_t item) const {
    if (item != 0 || !response) return std::nullopt;
    switch (static_cast<BufferId>(index)) {
        case BufferId::product_name:
            if (const Identity* ident = response->identity()) return as_bytes(ident->product_name);
            return std::nullopt;
        case BufferId::service_name:
            if (const ServiceInfo* s = response->service_info()) return as_bytes(s->name);
            return std::nullopt;
        case BufferId::count:
            break;
    }
    return std::nullopt;
}

void EnipTransaction::describe_devices(applayer::DeviceFacts& out) const {
    describe(out);
    if (reversed) std::swap(out.server, out.client);
}

void EnipTransaction::describe(applayer::DeviceFacts& out) const {
    if (response) {
        if (const Identity* ident = response->identity()) {
            auto& s = out.server;
            s.emplace_back("vendor_id", std::to_string(ident->vendor_id));
            if (auto name = vendor_name(ident->vendor_id)) s.emplace_back("vendor", *name);
            s.emplace_back("product", ident->product_name);
            s.emplace_back("name", ident->product_name);
            s.emplace_back("product_code", std::to_string(ident->product_code));
            s.emplace_back("revision", std::to_string(ident->revision_major) + "." +
                                           std::to_string(ident->revision_minor));
            s.emplace_back("serial", hex32(ident->serial));
            s.emplace_back("device_type", name_or_unknown(device_type_name(ident->device_type),
                                                          ident->device_type));
        }
    }
    if (!request) return;
    for (const Item& it : request->items) {
        if (!it.cip) continue;
        for_each_message(*it.cip, [&](const CipMessage& m) {
            if (m.response) return;
            out.engineering = out.engineering || is_engineering(m);
            out.control = out.control || is_control(m);
        });
    }
}

namespace {

// Suricata's pairing rule: same command; same session except for RegisterSession (whose
// reply carries the new handle); connected messages with the same CIP sequence count.
bool reply_matches(const Pdu& request, const Pdu& reply) {
    if (request.header.command != reply.header.command) return false;
    if (request.header.session != reply.header.session &&
        request.header.command != command::register_session)
        return false;
    const bool request_cip = request.payload == Pdu::Payload::cip;
    const bool reply_cip = reply.payload == Pdu::Payload::cip;
    if (!request_cip) return !reply_cip;
    if (!reply_cip) return false;
    if (request.items.size() >= 2 && reply.items.size() >= 2 &&
        request.items[1].type == item::connected_data &&
        reply.items[1].type == item::connected_data) {
        return request.items[1].cip_sequence &&
               request.items[1].cip_sequence == reply.items[1].cip_sequence;
    }
    return true;
}

class EnipParser final : public applayer::Parser {
  public:
    explicit EnipParser(std::size_t max_record) : max_record_(std::max(max_record, kHeaderSize)) {}

    void parse(Direction dir, ByteSpan data, ParseContext& ctx) override {
        if (mode_ == Mode::unknown) mode_ = looks_like_io(data) ? Mode::io : Mode::encapsulation;
        if (mode_ == Mode::io) {
            io_datagram(dir, data, ctx);
            return;
        }
        Stream& s = streams_[dir_index(dir)];
        if (s.stopped) return;
        if (s.skip > 0) {  // the rest of a message larger than max_record_bytes
            const std::size_t n = std::min<std::size_t>(s.skip, data.size());
            data = data.subspan(n);
            s.skip -= n;
        }
        s.pending.insert(s.pending.end(), data.begin(), data.end());
        std::size_t used = 0;
        for (;;) {
            const ByteSpan rest = ByteSpan(s.pending).subspan(used);
            const auto header = parse_header(rest);
            if (!header) break;
            if (s.resync && !plausible_header(*header)) {
                // After a gap, wait for a message start (Suricata probes again): drop bytes.
                used = s.pending.size();
                break;
            }
            s.resync = false;
            const std::size_t total = kHeaderSize + header->length;
            if (total > max_record_) {
                // Not buffered: the message is skipped whole.
                ctx.event("enip.invalid_pdu");
                if (rest.size() >= total) {
                    used += total;
                    continue;
                }
                s.skip = total - rest.size();
                used = s.pending.size();
                break;
            }
            if (rest.size() < total) break;
            on_pdu(dir, parse_pdu(*header, rest.subspan(kHeaderSize, header->length)), ctx);
            used += total;
        }
        s.pending.erase(s.pending.begin(), s.pending.begin() + static_cast<std::ptrdiff_t>(used));
    }

    void gap(Direction dir, std::uint64_t length, ParseContext& ctx) override {
        (void)length;
        (void)ctx;
        Stream& s = streams_[dir_index(dir)];
        s.pending.clear();
        s.skip = 0;
        s.resync = true;
    }

    void finish(ParseContext& ctx) override {
        for (auto& t : ctx.transactions()) {
            t->done = {true, true};
            t->records_ready = 1;
        }
    }

  private:
    enum class Mode : std::uint8_t { unknown, encapsulation, io };
    struct Stream {
        std::vector<std::uint8_t> pending;  // at most one message, max_record_bytes at most
        std::size_t skip = 0;               // bytes of an oversized message still to drop
        bool resync = false;
        bool stopped = false;
    };

    static bool looks_like_io(ByteSpan data) {
        const auto header = parse_header(data);
        if (header && plausible_header(*header)) return false;
        return parse_io_datagram(data).has_value();
    }

    static void settle(EnipTransaction& tx) {
        if (tx.complete()) tx.records_ready = 1;
    }

    void io_datagram(Direction dir, ByteSpan data, ParseContext& ctx) {
        auto tx = std::make_unique<EnipTransaction>();
        auto items = parse_io_datagram(data);
        tx->io_dir = dir;
        tx->done = {true, true};
        tx->records_ready = 1;
        const bool valid = items.has_value();
        if (valid) tx->io = std::move(*items);
        auto& added = ctx.add(std::move(tx), dir);
        if (!valid) ctx.event("enip.invalid_pdu", &added);
    }

    // The unanswered request `reply` answers. Like Suricata, every unanswered request looked
    // at on the way is closed: a reply answers the oldest open request of its kind, and the
    // ones before it will not be answered any more.
    EnipTransaction* find_request(const Pdu& reply, ParseContext& ctx) {
        for (auto& t : ctx.transactions()) {
            auto* tx = dynamic_cast<EnipTransaction*>(t.get());
            if (tx == nullptr || !tx->request || tx->response || tx->done[1]) continue;
            tx->done[1] = true;
            settle(*tx);
            if (reply_matches(*tx->request, reply)) return tx;
        }
        return nullptr;
    }

    // Whether a message is a request (true) or a reply (false), when its content says.
    static std::optional<bool> is_request(const Pdu& pdu) {
        switch (pdu.payload) {
            case Pdu::Payload::cip:
                if (const CipMessage* m = pdu.first_cip()) return !m->response;
                return std::nullopt;
            case Pdu::Payload::list_identity:
            case Pdu::Payload::list_services:
            case Pdu::Payload::list_interfaces:
                return false;  // only replies carry items
            case Pdu::Payload::none:
                if (pdu.header.command == command::list_identity ||
                    pdu.header.command == command::list_services ||
                    pdu.header.command == command::list_interfaces)
                    return true;
                return std::nullopt;
            default:
                return std::nullopt;
        }
    }

    void on_pdu(Direction wire_dir, Pdu pdu, ParseContext& ctx) {
        if (!sides_known_) {
            // A capture may start with the server's packet: the first message that says which
            // side sent it settles which end is the client.
            if (const auto request = is_request(pdu)) {
                sides_known_ = true;
                reversed_ = *request != (wire_dir == Direction::to_server);
            }
        }
        const Direction dir = reversed_ ? other(wire_dir) : wire_dir;
        const bool invalid = pdu.invalid;
        if (dir == Direction::to_client) {
            if (EnipTransaction* tx = find_request(pdu, ctx)) {
                tx->response = std::move(pdu);
                ctx.touch(*tx, wire_dir);
                if (invalid) ctx.event("enip.invalid_pdu", tx);
                settle(*tx);
                return;
            }
        }
        auto fresh = std::make_unique<EnipTransaction>();
        fresh->reversed = reversed_;
        if (dir == Direction::to_server) {
            fresh->request = std::move(pdu);
            fresh->done[0] = true;
        } else {
            fresh->response = std::move(pdu);
            fresh->done = {true, true};  // a reply without request: nothing more will come
        }
        auto& tx = ctx.add(std::move(fresh), wire_dir);
        if (invalid) ctx.event("enip.invalid_pdu", &tx);
        settle(tx);
    }

    static Direction other(Direction d) {
        return d == Direction::to_server ? Direction::to_client : Direction::to_server;
    }

    std::size_t max_record_;
    Mode mode_ = Mode::unknown;
    bool sides_known_ = false;
    bool reversed_ = false;
    std::array<Stream, 2> streams_{};
};

// Off the port only messages that decode whole and cannot be mistaken for zero padding.
bool strong_off_port(const Header& h, ByteSpan data) {
    switch (h.command) {
        case command::register_session:
        case command::list_identity:
        case command::list_services:
        case command::send_rr_data:
        case command::send_unit_data:
            break;
        default:
            return false;
    }
    if (data.size() < kHeaderSize + h.length) return false;
    const Pdu pdu = parse_pdu(h, data.subspan(kHeaderSize, h.length));
    if (pdu.invalid) return false;
    if (h.command == command::register_session) return pdu.register_session.protocol_version == 1;
    if (h.command == command::send_rr_data || h.command == command::send_unit_data)
        return pdu.first_cip() != nullptr;
    return true;
}

Probe probe(ByteSpan data, Direction dir, bool on_port) {
    (void)dir;
    if (data.size() < kHeaderSize) {
        if (on_port && parse_io_datagram(data)) return Probe::match;
        // A header's first bytes: a known command so far.
        if (data.size() >= 2 && !command_name(static_cast<std::uint16_t>(data[1] << 8 | data[0])))
            return Probe::no_match;
        return Probe::need_more;
    }
    const auto header = parse_header(data);
    if (header && plausible_header(*header)) {
        if (header->command == command::list_interfaces && header->length > 0) {
            // Suricata checks a ListInterfaces reply's item list.
            ByteCursor c(data.subspan(kHeaderSize));
            const std::uint16_t count = c.u16le();
            if (!c.ok() || count > kMaxItems) return Probe::no_match;
        }
        if (on_port) return Probe::match;
        return strong_off_port(*header, data) ? Probe::match : Probe::no_match;
    }
    if (on_port && parse_io_datagram(data)) return Probe::match;
    return Probe::no_match;
}

std::unique_ptr<applayer::Parser> make_parser(const applayer::AppLimits& limits) {
    // A message is at most 24 + 65535 bytes; a smaller configured record limit still holds.
    return std::make_unique<EnipParser>(limits.max_record_bytes);
}

// 44818: encapsulation over TCP and UDP; 2222: class 0/1 I/O over UDP (Vol 2 2-6, 3-3).
constexpr std::array<std::uint16_t, 2> kPorts{44818, 2222};
constexpr std::array<std::string_view, static_cast<std::size_t>(BufferId::count)> kBuffers{
    "enip.product_name",
    "enip.service_name",
};

}  // namespace

const applayer::ProtocolSpec& protocol() {
    static const applayer::ProtocolSpec spec{
        .name = "enip",
        .tcp = true,
        .udp = true,
        .ports = kPorts,
        .probe = probe,
        .make_parser = make_parser,
        .buffers = kBuffers,
        .record_head = record_head,
        .write_record = write_record,
        .write_alert = write_alert,
        .keywords = keywords(),
        .client_role = "enip client",
        .server_role = "enip server",
    };
    return spec;
}

}  // namespace tocsin::proto::enip
