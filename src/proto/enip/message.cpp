#include "proto/enip/message.h"

#include <algorithm>

#include "proto/enip/names.h"

namespace tocsin::proto::enip {

namespace {

// Reads the rest of a segment after its first byte `b`; false when it cannot.
bool read_port_segment(std::uint8_t b, ByteCursor& c, std::size_t start, Segment& seg) {
    // C-1.4.2: bit 4 says the link address has a size byte; port 15 means a 16-bit port.
    seg.kind = Segment::Kind::port;
    const bool extended_link = (b & 0x10) != 0;
    const std::size_t link_size = extended_link ? c.u8() : 1;
    seg.value = (b & 0x0F) == 0x0F ? c.u16le() : b & 0x0F;
    const ByteSpan link = c.bytes(link_size);
    if (!c.ok()) return false;
    for (std::size_t i = 0; i < link.size() && i < 16; ++i) {
        if (i != 0) seg.text.push_back('.');
        seg.text += std::to_string(link[i]);
    }
    if ((c.offset() - start) % 2 != 0) c.skip(1);  // padded to a 16-bit boundary
    return c.ok();
}

bool read_logical_segment(std::uint8_t b, ByteCursor& c, Segment& seg) {
    // C-1.4.3: bits 0-1 are the value's format (8, 16, 32 bits; the wider ones padded).
    seg.kind = Segment::Kind::logical;
    if (seg.logical_type() == 5) {
        // Special: the electronic key (format 0: key format 4 and 8 bytes of key data).
        const std::uint8_t key_format = c.u8();
        seg.value = key_format;
        c.skip(key_format == 4 ? 8 : 0);
        return c.ok() && key_format == 4;
    }
    switch (b & 0x03) {
        case 0:
            seg.value = c.u8();
            break;
        case 1:
            c.skip(1);
            seg.value = c.u16le();
            break;
        case 2:
            c.skip(1);
            seg.value = c.u32le();
            break;
        default:
            return false;  // reserved format
    }
    return c.ok();
}

bool read_text(ByteCursor& c, std::size_t size, std::size_t start, Segment& seg) {
    const ByteSpan symbol = c.bytes(size);
    seg.text.assign(symbol.begin(), symbol.end());
    if ((c.offset() - start) % 2 != 0) c.skip(1);
    return c.ok();
}

bool read_segment(ByteCursor& c, Segment& seg) {
    const std::size_t start = c.offset();
    const std::uint8_t b = c.u8();
    seg.type = b;
    switch (b >> 5) {
        case 0:
            return read_port_segment(b, c, start, seg);
        case 1:
            return read_logical_segment(b, c, seg);
        case 2:  // network segment: one data byte, or words counted by a size byte
            seg.kind = Segment::Kind::network;
            if (b == 0x5F) return c.skip(std::size_t{c.u8()} * 2);
            seg.value = c.u8();
            return c.ok();
        case 3: {  // symbolic: size in the low five bits (0: extended format, not read)
            seg.kind = Segment::Kind::symbolic;
            const std::size_t size = b & 0x1F;
            if (size == 0) return false;
            return read_text(c, size, start, seg);
        }
        case 4:
            if (b == 0x91) {  // ANSI extended symbol (C-1.4.5)
                seg.kind = Segment::Kind::symbolic;
                return read_text(c, c.u8(), start, seg);
            }
            if (b == 0x80) {  // simple data segment: size in words
                seg.kind = Segment::Kind::data;
                seg.value = c.u8();
                return c.skip(std::size_t{seg.value} * 2);
            }
            return false;
        default:
            return false;
    }
}

std::vector<CipMessage> parse_multiple(ByteSpan data, int depth, bool& truncated) {
    // a count, that many offsets (from the count), then the services.
    ByteCursor c(data);
    const std::uint16_t count = c.u16le();
    std::vector<std::uint16_t> offsets;
    for (std::size_t i = 0; i < count && c.ok(); ++i) offsets.push_back(c.u16le());
    std::vector<CipMessage> out;
    if (!c.ok()) {
        truncated = true;
        return out;
    }
    for (std::size_t i = 0; i < offsets.size(); ++i) {
        const std::size_t start = offsets[i];
        const std::size_t end = i + 1 < offsets.size() ? offsets[i + 1] : data.size();
        if (start >= data.size() || end > data.size() || end <= start) {
            truncated = true;
            break;
        }
        if (out.size() == kMaxMultiple) break;
        out.push_back(parse_cip(data.subspan(start, end - start), depth + 1));
    }
    return out;
}

std::vector<Segment> read_path_words(ByteCursor& c, std::size_t words, bool& truncated) {
    const ByteSpan bytes = c.bytes(words * 2);
    bool complete = true;
    std::vector<Segment> path = parse_path(bytes, &complete);
    if (!c.ok()) truncated = true;
    return path;
}

void parse_forward_open(ByteCursor& c, bool large, CipMessage& m) {
    // 3-5.5.2: priority/tick, timeout ticks, the two connection ids, the connection triad,
    // timeout multiplier, 3 reserved bytes, RPI and parameters each way (32-bit parameters in
    // a Large Forward Open), transport class/trigger, the connection path.
    ForwardOpen fo;
    fo.large = large;
    c.skip(2);
    fo.o2t_connection_id = c.u32le();
    fo.t2o_connection_id = c.u32le();
    fo.connection_serial = c.u16le();
    fo.originator_vendor = c.u16le();
    fo.originator_serial = c.u32le();
    c.skip(4);
    fo.o2t_rpi = c.u32le();
    c.skip(large ? 4 : 2);
    fo.t2o_rpi = c.u32le();
    c.skip(large ? 4 : 2);
    fo.transport = c.u8();
    const std::size_t words = c.u8();
    fo.connection_path = read_path_words(c, words, m.truncated);
    if (!c.ok()) m.truncated = true;
    m.forward_open = std::move(fo);
}

void parse_forward_close(ByteCursor& c, CipMessage& m) {
    // 3-5.5.3: priority/tick, timeout ticks, the connection triad, path size, reserved, path.
    ForwardClose fc;
    c.skip(2);
    fc.connection_serial = c.u16le();
    fc.originator_vendor = c.u16le();
    fc.originator_serial = c.u32le();
    const std::size_t words = c.u8();
    c.skip(1);
    fc.connection_path = read_path_words(c, words, m.truncated);
    if (!c.ok()) m.truncated = true;
    m.forward_close = std::move(fc);
}

void parse_unconnected_send(ByteCursor& c, int depth, CipMessage& m) {
    // 3-5.5.4: priority/tick, timeout ticks, the embedded request's size and bytes (padded to
    // even), route path size in words, a reserved byte, the route path.
    c.skip(2);
    const std::uint16_t size = c.u16le();
    const ByteSpan embedded = c.bytes(size);
    if (!c.ok()) {
        m.truncated = true;
        return;
    }
    if (depth + 1 < kMaxNesting) m.embedded.push_back(parse_cip(embedded, depth + 1));
    if (size % 2 != 0) c.skip(1);
    const std::size_t words = c.u8();
    c.skip(1);
    m.route_path = read_path_words(c, words, m.truncated);
    if (!c.ok()) m.truncated = true;
}

void parse_request_data(ByteSpan data, int depth, CipMessage& m) {
    ByteCursor c(data);
    const bool connection_manager = m.last_class() == kConnectionManagerClass;
    switch (m.service) {
        case service::get_attribute_list: {
            const std::uint16_t count = c.u16le();
            for (std::size_t i = 0; i < count && i < kMaxAttributes; ++i) {
                const std::uint16_t id = c.u16le();
                if (!c.ok()) break;
                m.attribute_list.push_back(id);
            }
            if (!c.ok()) m.truncated = true;
            return;
        }
        case service::set_attribute_list: {
            // Only the first id is certain: each value's size depends on the attribute.
            if (c.u16le() > 0) m.first_set_attribute = c.u16le();
            if (!c.ok()) m.truncated = true;
            return;
        }
        case service::multiple_service_packet:
            if (depth < kMaxNesting) m.multiple = parse_multiple(data, depth, m.truncated);
            return;
        default:
            break;
    }
    if (!connection_manager) return;
    switch (m.service) {
        case service::forward_open:
        case service::large_forward_open:
            parse_forward_open(c, m.service == service::large_forward_open, m);
            return;
        case service::forward_close:
            parse_forward_close(c, m);
            return;
        case service::unconnected_send:
            parse_unconnected_send(c, depth, m);
            return;
        default:
            return;
    }
}

void parse_response_data(ByteSpan data, int depth, CipMessage& m) {
    if (m.service == service::multiple_service_packet && depth < kMaxNesting) {
        m.multiple = parse_multiple(data, depth, m.truncated);
        return;
    }
    if ((m.service == service::forward_open || m.service == service::large_forward_open) &&
        m.status == 0) {
        // 3-5.5.2.2: the connection ids the target chose or confirmed, then the triad.
        ByteCursor c(data);
        ForwardOpen fo;
        fo.large = m.service == service::large_forward_open;
        fo.o2t_connection_id = c.u32le();
        fo.t2o_connection_id = c.u32le();
        fo.connection_serial = c.u16le();
        fo.originator_vendor = c.u16le();
        fo.originator_serial = c.u32le();
        fo.o2t_rpi = c.u32le();  // actual packet intervals
        fo.t2o_rpi = c.u32le();
        if (c.ok()) m.forward_open = std::move(fo);
    }
}

std::optional<Identity> parse_identity(ByteSpan data) {
    // Vol 2 table 2-4.4: CIP identity item.
    ByteCursor c(data);
    Identity id;
    id.protocol_version = c.u16le();
    id.socket_family = c.u16be();  // the socket address is in network byte order
    id.socket_port = c.u16be();
    const ByteSpan address = c.bytes(4);
    if (c.ok()) std::copy(address.begin(), address.end(), id.socket_address.begin());
    c.skip(8);  // sin_zero
    id.vendor_id = c.u16le();
    id.device_type = c.u16le();
    id.product_code = c.u16le();
    id.revision_major = c.u8();
    id.revision_minor = c.u8();
    id.status = c.u16le();
    id.serial = c.u32le();
    const ByteSpan name = c.bytes(c.u8());
    id.product_name.assign(name.begin(), name.end());
    id.state = c.u8();
    if (!c.ok()) return std::nullopt;
    return id;
}

std::optional<ServiceInfo> parse_service_info(ByteSpan data) {
    ByteCursor c(data);
    ServiceInfo s;
    s.protocol_version = c.u16le();
    s.capabilities = c.u16le();
    const ByteSpan name = c.bytes(16);
    if (!c.ok()) return std::nullopt;
    s.name.assign(name.begin(), name.end());
    return s;
}

// Decodes one item's data; false when the data does not have the item's layout.
bool decode_item(Item& it, ByteSpan data, bool connected_cip) {
    ByteCursor c(data);
    switch (it.type) {
        case item::connected_address:
            it.connection_id = c.u32le();
            return c.ok();
        case item::sequenced_address:
            it.connection_id = c.u32le();
            it.sequence = c.u32le();
            return c.ok();
        case item::connected_data:
            if (!connected_cip) {
                it.io = true;
                const ByteSpan kept = data.first(std::min(data.size(), kMaxIoData));
                it.io_data.assign(kept.begin(), kept.end());
                return true;
            }
            it.cip_sequence = c.u16le();
            if (!c.ok() || c.empty()) return false;
            it.cip = parse_cip(c.rest());
            return !it.cip->truncated;
        case item::unconnected_data:
            if (data.empty()) return false;
            it.cip = parse_cip(data);
            return !it.cip->truncated;
        case item::identity:
            it.identity = parse_identity(data);
            return it.identity.has_value();
        case item::services:
            it.services = parse_service_info(data);
            return it.services.has_value();
        default:
            return true;
    }
}

// Item count and items (Vol 2 2-6.1); false when they do not fit.
bool parse_items(ByteCursor& c, std::vector<Item>& items, bool connected_cip) {
    const std::uint16_t count = c.u16le();
    if (!c.ok()) return false;
    bool ok = true;
    for (std::size_t i = 0; i < count; ++i) {
        Item it;
        it.type = c.u16le();
        it.length = c.u16le();
        const ByteSpan data = c.bytes(it.length);
        if (!c.ok()) return false;
        if (!decode_item(it, data, connected_cip)) ok = false;
        if (items.size() < kMaxItems) items.push_back(std::move(it));
    }
    return ok;
}

}  // namespace

std::optional<std::uint32_t> CipMessage::last_class() const {
    for (auto it = path.rbegin(); it != path.rend(); ++it)
        if (it->is_class()) return it->value;
    return std::nullopt;
}

std::optional<std::uint32_t> CipMessage::first_of(int logical_type) const {
    for (const Segment& s : path)
        if (s.logical_type() == logical_type) return s.value;
    return std::nullopt;
}

std::optional<std::uint16_t> CipMessage::extended_status_value() const {
    if (extended_status.size() < 2) return std::nullopt;
    return static_cast<std::uint16_t>(extended_status[1] << 8 | extended_status[0]);
}

const CipMessage* Pdu::first_cip() const {
    for (const Item& it : items)
        if (it.cip) return &*it.cip;
    return nullptr;
}

const Identity* Pdu::identity() const {
    if (payload != Payload::list_identity || items.empty() || !items.front().identity)
        return nullptr;
    return &*items.front().identity;
}

const ServiceInfo* Pdu::service_info() const {
    if (payload != Payload::list_services || items.empty() || !items.front().services)
        return nullptr;
    return &*items.front().services;
}

std::optional<Header> parse_header(ByteSpan data) {
    // Vol 2 table 2-3.1: all fields little-endian.
    ByteCursor c(data);
    Header h;
    h.command = c.u16le();
    h.length = c.u16le();
    h.session = c.u32le();
    h.status = c.u32le();
    const ByteSpan context = c.bytes(8);
    h.options = c.u32le();
    if (!c.ok()) return std::nullopt;
    std::copy(context.begin(), context.end(), h.context.begin());
    return h;
}

bool plausible_header(const Header& h) {
    if (!command_name(h.command) || !status_name(h.status) || h.options != 0) return false;
    switch (h.command) {
        case command::register_session:
            return h.length == 4;  // protocol version and options
        case command::unregister_session:
            return h.length == 0 || h.length == 4;
        default:
            return true;
    }
}

Pdu parse_pdu(const Header& h, ByteSpan data) {
    Pdu pdu;
    pdu.header = h;
    ByteCursor c(data);
    switch (h.command) {
        case command::register_session:
            pdu.payload = Pdu::Payload::register_session;
            pdu.register_session.protocol_version = c.u16le();
            pdu.register_session.options = c.u16le();
            pdu.invalid = !c.ok();
            break;
        case command::list_identity:
        case command::list_services:
        case command::list_interfaces:
            // The requests carry nothing; the replies a CPF item list.
            if (h.length == 0) break;
            pdu.payload = h.command == command::list_identity   ? Pdu::Payload::list_identity
                          : h.command == command::list_services ? Pdu::Payload::list_services
                                                                : Pdu::Payload::list_interfaces;
            pdu.invalid = !parse_items(c, pdu.items, true);
            break;
        case command::send_rr_data:
        case command::send_unit_data:
            pdu.payload = Pdu::Payload::cip;
            pdu.interface_handle = c.u32le();
            pdu.timeout = c.u16le();
            pdu.invalid = !c.ok() || !parse_items(c, pdu.items, true);
            break;
        default:
            break;
    }
    return pdu;
}

std::optional<std::vector<Item>> parse_io_datagram(ByteSpan data) {
    // Vol 2 2-6: a sequenced address item (connection id, sequence) then connected data;
    // optional sockaddr items may follow.
    ByteCursor c(data);
    const std::uint16_t count = ByteCursor(data).u16le();
    if (data.size() < 2 || count < 2 || count > 4) return std::nullopt;
    std::vector<Item> items;
    if (!parse_items(c, items, false) || !c.empty()) return std::nullopt;
    if (items[0].type != item::sequenced_address || items[0].length != 8 ||
        items[1].type != item::connected_data)
        return std::nullopt;
    return items;
}

std::vector<Segment> parse_path(ByteSpan data, bool* complete) {
    ByteCursor c(data);
    std::vector<Segment> path;
    bool ok = true;
    while (!c.empty() && path.size() < kMaxSegments) {
        Segment seg;
        if (!read_segment(c, seg)) {
            ok = false;
            break;
        }
        path.push_back(std::move(seg));
    }
    if (complete != nullptr) *complete = ok && c.empty();
    return path;
}

CipMessage parse_cip(ByteSpan data, int depth) {
    // Vol 1 2-4.1 request: service, path size (words), path, data. 2-4.2 response: service
    // with bit 7 set, reserved, general status, additional status size (words) and words,
    // data.
    ByteCursor c(data);
    CipMessage m;
    const std::uint8_t code = c.u8();
    m.service = code & 0x7F;
    m.response = (code & 0x80) != 0;
    if (!m.response) {
        const std::size_t words = c.u8();
        m.path = read_path_words(c, words, m.truncated);
        if (!c.ok()) {
            m.truncated = true;
            return m;
        }
        const ByteSpan rest = c.rest();
        m.data_length = rest.size();
        parse_request_data(rest, depth, m);
        return m;
    }
    c.skip(1);
    m.status = c.u8();
    const std::size_t words = c.u8();
    const ByteSpan extended = c.bytes(words * 2);
    if (!c.ok()) {
        m.truncated = true;
        return m;
    }
    m.extended_status.assign(extended.begin(), extended.end());
    const ByteSpan rest = c.rest();
    m.data_length = rest.size();
    parse_response_data(rest, depth, m);
    return m;
}

}  // namespace tocsin::proto::enip
