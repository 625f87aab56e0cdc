// Suricata 8's EVE `enip` object: {"request": {...}, "response": {...}}, each with the
// command and status by name, the first data item's CIP message ("cip": service, path,
// class_name or status, "multiple"), RegisterSession's and ListServices' fields, and the
// ListIdentity reply's "identity". Tocsin adds (docs/eve-schema.md): the header's length,
// session and sender context; the CIP service and status codes, the connected sequence
// count, the message an Unconnected Send carries, Forward Open/Close fields, Get_Attribute_List
// ids; the identity's vendor and device type codes and socket address; and an "io" object
// for class 0/1 I/O datagrams.
#include "proto/enip/eve.h"

#include <array>
#include <cstdio>
#include <string>

#include "output/json_writer.h"
#include "proto/enip/names.h"
#include "proto/enip/transaction.h"

namespace tocsin::proto::enip {

namespace {

std::string hex(std::span<const std::uint8_t> bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (std::uint8_t b : bytes) {
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 0x0F]);
    }
    return out;
}

std::string dotted(const std::array<std::uint8_t, 4>& a) {
    return std::to_string(a[0]) + "." + std::to_string(a[1]) + "." + std::to_string(a[2]) + "." +
           std::to_string(a[3]);
}

void write_segment(const Segment& s, output::JsonWriter& out) {
    out.begin_object();
    switch (s.kind) {
        case Segment::Kind::logical: {
            // Suricata names class, instance and attribute, and the others by their byte.
            const int t = s.logical_type();
            out.field("segment_type", t == 0   ? std::string("class")
                                      : t == 1 ? std::string("instance")
                                      : t == 4 ? std::string("attribute")
                                               : "unknown-" + std::to_string(s.type));
            out.field("value", std::uint64_t{s.value});
            break;
        }
        case Segment::Kind::port:
            out.field("segment_type", "port");
            out.field("value", std::uint64_t{s.value});
            out.field("link", s.text);
            break;
        case Segment::Kind::symbolic:
            out.field("segment_type", "symbol");
            out.field("symbol", s.text);
            break;
        default:
            out.field("segment_type", "unknown-" + std::to_string(s.type));
            out.field("value", std::uint64_t{s.value});
            break;
    }
    out.end_object();
}

void write_path(std::string_view key, const std::vector<Segment>& path, output::JsonWriter& out) {
    out.begin_array(key);
    for (const Segment& s : path) write_segment(s, out);
    out.end_array();
}

void write_forward_open(const ForwardOpen& fo, bool request, output::JsonWriter& out) {
    out.begin_object("forward_open");
    out.field("large", fo.large);
    out.field("o2t_connection_id", std::uint64_t{fo.o2t_connection_id});
    out.field("t2o_connection_id", std::uint64_t{fo.t2o_connection_id});
    out.field("connection_serial", std::uint64_t{fo.connection_serial});
    out.field("originator_vendor", std::uint64_t{fo.originator_vendor});
    out.field("originator_serial", std::uint64_t{fo.originator_serial});
    out.field(request ? "o2t_rpi" : "o2t_api", std::uint64_t{fo.o2t_rpi});
    out.field(request ? "t2o_rpi" : "t2o_api", std::uint64_t{fo.t2o_rpi});
    if (request) {
        out.field("transport", std::uint64_t{fo.transport});
        write_path("connection_path", fo.connection_path, out);
    }
    out.end_object();
}

// The members of one CIP message's object (Suricata's log_cip_data, then Tocsin's).
void write_cip_members(const CipMessage& m, const Item* item, output::JsonWriter& out) {
    out.field("service", name_or_unknown(cip_service_name(m.service), m.service));
    if (m.response) {
        out.field("status", name_or_unknown(cip_status_name(m.status), m.status));
        if (!m.extended_status.empty()) {
            out.field("status_extended", hex(m.extended_status));
            if (m.extended_status.size() == 2) {
                if (auto meaning = cip_extended_status_name(*m.extended_status_value()))
                    out.field("status_extended_meaning", *meaning);
            }
        }
    } else if (!m.path.empty()) {
        write_path("path", m.path, out);
        if (const auto cls = m.last_class())
            out.field("class_name", name_or_unknown(cip_class_name(*cls), *cls));
    }
    if (!m.multiple.empty()) {
        out.begin_array("multiple");
        for (const CipMessage& e : m.multiple) {
            out.begin_object();
            write_cip_members(e, nullptr, out);
            out.end_object();
        }
        out.end_array();
    }
    // Tocsin's additions.
    out.field("service_code", std::uint64_t{m.service});
    if (m.response) out.field("status_code", std::uint64_t{m.status});
    if (item != nullptr && item->cip_sequence)
        out.field("sequence", std::uint64_t{*item->cip_sequence});
    if (!m.attribute_list.empty()) {
        out.begin_array("attributes");
        for (std::uint16_t a : m.attribute_list) out.element(std::uint64_t{a});
        out.end_array();
    }
    if (m.forward_open) write_forward_open(*m.forward_open, !m.response, out);
    if (m.forward_close) {
        out.begin_object("forward_close");
        out.field("connection_serial", std::uint64_t{m.forward_close->connection_serial});
        out.field("originator_vendor", std::uint64_t{m.forward_close->originator_vendor});
        out.field("originator_serial", std::uint64_t{m.forward_close->originator_serial});
        write_path("connection_path", m.forward_close->connection_path, out);
        out.end_object();
    }
    if (!m.embedded.empty()) {
        out.begin_object("unconnected_send");
        write_cip_members(m.embedded.front(), nullptr, out);
        write_path("route_path", m.route_path, out);
        out.end_object();
    }
    if (m.data_length != 0) out.field("data_length", std::uint64_t{m.data_length});
}

void write_cip(const Pdu& pdu, output::JsonWriter& out) {
    for (const Item& it : pdu.items) {
        if (!it.cip) continue;
        out.begin_object("cip");
        write_cip_members(*it.cip, &it, out);
        out.end_object();
        return;
    }
}

void write_identity(const Identity& id, output::JsonWriter& out) {
    out.begin_object("identity");
    out.field("protocol_version", std::uint64_t{id.protocol_version});
    out.field("revision",
              std::to_string(id.revision_major) + "." + std::to_string(id.revision_minor));
    out.field("vendor_id", name_or_unknown(vendor_name(id.vendor_id), id.vendor_id));
    out.field("device_type", name_or_unknown(device_type_name(id.device_type), id.device_type));
    out.field("product_code", std::uint64_t{id.product_code});
    out.field("status", std::uint64_t{id.status});
    out.field("serial", std::uint64_t{id.serial});
    out.field("product_name", id.product_name);
    out.field("state", std::uint64_t{id.state});
    // Tocsin's additions.
    out.field("vendor_code", std::uint64_t{id.vendor_id});
    out.field("device_type_code", std::uint64_t{id.device_type});
    out.field("socket_address", dotted(id.socket_address));
    out.field("socket_port", std::uint64_t{id.socket_port});
    out.end_object();
}

void write_pdu(std::string_view key, const Pdu& pdu, output::JsonWriter& out) {
    const Header& h = pdu.header;
    out.begin_object(key);
    out.field("command", name_or_unknown(command_name(h.command), h.command));
    out.field("status", name_or_unknown(status_name(h.status), h.status));
    if (h.options != 0) out.field("options", std::uint64_t{h.options});
    switch (pdu.payload) {
        case Pdu::Payload::cip:
            write_cip(pdu, out);
            break;
        case Pdu::Payload::register_session:
            out.begin_object("register_session");
            out.field("protocol_version", std::uint64_t{pdu.register_session.protocol_version});
            out.field("options", std::uint64_t{pdu.register_session.options});
            out.end_object();
            break;
        case Pdu::Payload::list_services:
            if (const ServiceInfo* s = pdu.service_info()) {
                out.begin_object("list_services");
                out.field("protocol_version", std::uint64_t{s->protocol_version});
                out.field("capabilities", std::uint64_t{s->capabilities});
                out.field("service_name", s->name);
                out.end_object();
            }
            break;
        case Pdu::Payload::list_identity:
            if (const Identity* id = pdu.identity()) write_identity(*id, out);
            break;
        default:
            break;
    }
    // Tocsin's additions: the rest of the encapsulation header.
    out.field("length", std::uint64_t{h.length});
    out.field("session", std::uint64_t{h.session});
    out.field("sender_context", hex(h.context));
    out.end_object();
}

void write_io(const std::vector<Item>& items, output::JsonWriter& out) {
    out.begin_object("io");
    for (const Item& it : items) {
        if (it.type == item::sequenced_address) {
            out.field("connection_id", std::uint64_t{it.connection_id.value_or(0)});
            out.field("sequence", std::uint64_t{it.sequence.value_or(0)});
        } else if (it.type == item::connected_data) {
            out.field("length", std::uint64_t{it.length});
            out.field("data", hex(it.io_data));
        }
    }
    out.end_object();
}

void write_enip_object(const applayer::Transaction& base, output::JsonWriter& out) {
    const auto& tx = static_cast<const EnipTransaction&>(base);
    out.begin_object("enip");
    if (tx.request) write_pdu("request", *tx.request, out);
    if (tx.response) write_pdu("response", *tx.response, out);
    if (tx.io) write_io(*tx.io, out);
    out.end_object();
}

}  // namespace

applayer::RecordHead record_head(const applayer::Transaction& tx, std::size_t n) {
    (void)n;
    const auto& t = static_cast<const EnipTransaction&>(tx);
    // Addresses follow the request: from the client, even when the flow began with a reply.
    if (t.io) return {"enip", t.io_dir};
    return {"enip", t.reversed ? applayer::Direction::to_client : applayer::Direction::to_server};
}

void write_record(const applayer::Transaction& tx, std::size_t n, output::JsonWriter& out) {
    (void)n;
    write_enip_object(tx, out);
}

void write_alert(const applayer::Transaction& tx, output::JsonWriter& out) {
    write_enip_object(tx, out);
}

}  // namespace tocsin::proto::enip
