// The EVE `bacnet` object of one datagram: direction, BVLC, NPDU and APDU with its objects,
// properties, values and service parameters.
#include "proto/bacnet/eve.h"

#include <cmath>
#include <cstdio>

#include "output/json_writer.h"
#include "proto/bacnet/names.h"
#include "proto/bacnet/transaction.h"

namespace tocsin::proto::bacnet {

namespace {

void name_field(output::JsonWriter& out, std::string_view key, std::string_view name) {
    if (!name.empty()) out.field(key, name);
}

// "192.168.1.5:47808" from the six B/IP address octets.
std::string bip_address(const std::array<std::uint8_t, 6>& a) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u:%u", a[0], a[1], a[2], a[3],
                  static_cast<unsigned>(a[4] << 8 | a[5]));
    return buf;
}

void write_bvlc(const Bvlc& b, output::JsonWriter& out) {
    out.begin_object("bvlc");
    name_field(out, "function", bvlc_function_name(b.function));
    out.field("function_code", unsigned{b.function});
    out.field("length", unsigned{b.length});
    if (b.result) {
        out.field("result_code", unsigned{*b.result});
        name_field(out, "result", bvlc_result_name(*b.result));
    }
    if (b.address) out.field("address", bip_address(*b.address));
    if (b.ttl) out.field("ttl", unsigned{*b.ttl});
    out.end_object();
}

void write_npdu(const Npdu& n, output::JsonWriter& out) {
    out.begin_object("npdu");
    out.field("control", unsigned{n.control});
    out.field("expecting_reply", n.expecting_reply());
    out.field("priority", unsigned{n.priority()});
    if (n.dnet) {
        out.field("dnet", unsigned{*n.dnet});
        out.field("dadr", n.dadr);
    }
    if (n.snet) {
        out.field("snet", unsigned{*n.snet});
        out.field("sadr", n.sadr);
    }
    if (n.hop_count) out.field("hop_count", unsigned{*n.hop_count});
    if (n.message_type) {
        out.field("message_type", unsigned{*n.message_type});
        name_field(out, "message", network_message_name(*n.message_type));
    }
    if (n.vendor_id) out.field("vendor_id", unsigned{*n.vendor_id});
    out.end_object();
}

std::string_view kind_name(Value::Kind k) {
    switch (k) {
        case Value::Kind::null:
            return "null";
        case Value::Kind::boolean:
            return "boolean";
        case Value::Kind::unsigned_int:
            return "unsigned";
        case Value::Kind::signed_int:
            return "signed";
        case Value::Kind::real:
            return "real";
        case Value::Kind::double_real:
            return "double";
        case Value::Kind::octet_string:
            return "octet_string";
        case Value::Kind::character_string:
            return "character_string";
        case Value::Kind::bit_string:
            return "bit_string";
        case Value::Kind::enumerated:
            return "enumerated";
        case Value::Kind::date:
            return "date";
        case Value::Kind::time:
            return "time";
        case Value::Kind::object_id:
            return "object_id";
        case Value::Kind::context:
            return "context";
    }
    return "";
}

void write_object_id(const ObjectId& id, output::JsonWriter& out) {
    out.field("type_code", unsigned{id.type});
    name_field(out, "type", object_type_name(id.type));
    out.field("instance", std::uint64_t{id.instance});
}

// {"type": "real", "value": 21.5}; object ids as {"type": "object_id", "object": {...}}.
void write_value(const Value& v, output::JsonWriter& out) {
    out.begin_object();
    out.field("type", kind_name(v.kind));
    switch (v.kind) {
        case Value::Kind::null:
            break;
        case Value::Kind::boolean:
            out.field("value", v.u != 0);
            break;
        case Value::Kind::unsigned_int:
        case Value::Kind::enumerated:
            out.field("value", v.u);
            break;
        case Value::Kind::signed_int:
            out.field("value", v.i);
            break;
        case Value::Kind::real:
        case Value::Kind::double_real:
            if (std::isfinite(v.d)) out.field("value", v.d);  // JSON has no NaN
            break;
        case Value::Kind::object_id:
            out.begin_object("object");
            write_object_id(v.object, out);
            out.end_object();
            break;
        case Value::Kind::context:
            out.field("tag", unsigned{v.context_tag});
            out.field("value", v.text);
            break;
        default:
            out.field("value", v.text);
    }
    out.end_object();
}

void write_error(const ErrorInfo& e, output::JsonWriter& out) {
    out.begin_object("error");
    out.field("class_code", std::uint64_t{e.error_class});
    name_field(out, "class", error_class_name(e.error_class));
    out.field("code_code", std::uint64_t{e.error_code});
    name_field(out, "code", error_code_name(e.error_code));
    out.end_object();
}

void write_property(const Property& p, output::JsonWriter& out) {
    out.begin_object();
    out.field("id", std::uint64_t{p.id});
    name_field(out, "name", property_name(p.id));
    if (p.array_index) out.field("array_index", std::uint64_t{*p.array_index});
    if (!p.values.empty()) {
        out.begin_array("values");
        for (const Value& v : p.values) write_value(v, out);
        out.end_array();
    }
    if (p.priority) out.field("priority", unsigned{*p.priority});
    if (p.error) write_error(*p.error, out);
    out.end_object();
}

void write_apdu(const Apdu& a, output::JsonWriter& out) {
    out.begin_object("apdu");
    const auto type = static_cast<std::uint8_t>(a.type);
    name_field(out, "type", pdu_type_name(type));
    out.field("type_code", unsigned{type});
    if (a.invoke_id) out.field("invoke_id", unsigned{*a.invoke_id});
    if (a.service) {
        name_field(out, "service", a.service_name());
        out.field("service_code", unsigned{*a.service});
    }
    if (a.segmented()) {
        out.field("segmented", true);
        out.field("more_follows", a.more_follows());
    }
    if (a.type == PduType::confirmed_request)
        out.field("segmented_response_accepted", (a.flags & 0x02) != 0);
    if (a.type == PduType::segment_ack) out.field("negative", (a.flags & 0x02) != 0);
    if (a.type == PduType::segment_ack || a.type == PduType::abort) out.field("server", a.server());
    if (a.max_segments) out.field("max_segments_code", unsigned{*a.max_segments});
    if (a.max_apdu) out.field("max_apdu_code", unsigned{*a.max_apdu});
    if (a.sequence_number) out.field("sequence_number", unsigned{*a.sequence_number});
    if (a.window_size) out.field("window_size", unsigned{*a.window_size});
    if (!a.objects.empty()) {
        out.begin_array("objects");
        for (const ObjectRef& o : a.objects) {
            out.begin_object();
            write_object_id(o.id, out);
            if (!o.properties.empty()) {
                out.begin_array("properties");
                for (const Property& p : o.properties) write_property(p, out);
                out.end_array();
            }
            out.end_object();
        }
        out.end_array();
    }
    if (!a.params.empty()) {
        out.begin_object("parameters");
        for (const Param& p : a.params) {
            if (p.is_text)
                out.field(p.name, p.text);
            else
                out.field(p.name, p.number);
        }
        out.end_object();
    }
    if (a.error) write_error(*a.error, out);
    if (a.reason) {
        out.field("reason_code", unsigned{*a.reason});
        name_field(out, "reason",
                   a.type == PduType::reject ? reject_reason_name(*a.reason)
                                             : abort_reason_name(*a.reason));
    }
    out.end_object();
}

// The members of one datagram's object.
void write_entry(const Entry& e, output::JsonWriter& out) {
    out.field("direction", e.dir == applayer::Direction::to_server ? "to_server" : "to_client");
    write_bvlc(e.message.bvlc, out);
    if (e.message.npdu) write_npdu(*e.message.npdu, out);
    if (e.message.apdu) write_apdu(*e.message.apdu, out);
}

}  // namespace

applayer::RecordHead record_head(const applayer::Transaction& tx, std::size_t n) {
    const auto& t = static_cast<const BacnetTransaction&>(tx);
    const auto dir = n < t.messages.size() ? t.messages[n].dir : applayer::Direction::to_server;
    return {"bacnet", dir};
}

void write_record(const applayer::Transaction& tx, std::size_t n, output::JsonWriter& out) {
    const auto& t = static_cast<const BacnetTransaction&>(tx);
    if (n >= t.messages.size()) return;
    out.begin_object("bacnet");
    write_entry(t.messages[n], out);
    out.end_object();
}

// An alert carries the whole exchange: the transaction's first datagram (the request, or the
// one datagram) and, in `responses`, the datagrams that answered it so far. Detection inspects
// a request once its own side moves again, by which time its answer may be there too.
void write_alert(const applayer::Transaction& tx, output::JsonWriter& out) {
    const auto& t = static_cast<const BacnetTransaction&>(tx);
    if (t.messages.empty()) return;
    out.begin_object("bacnet");
    write_entry(t.messages.front(), out);
    if (t.messages.size() > 1) {
        out.begin_array("responses");
        for (std::size_t i = 1; i < t.messages.size(); ++i) {
            out.begin_object();
            write_entry(t.messages[i], out);
            out.end_object();
        }
        out.end_array();
    }
    out.end_object();
}

}  // namespace tocsin::proto::bacnet
