// The EVE `s7comm` object: the connection's TSAPs (first transaction), each message by role
// (request, response, or push for a message standing alone), the read/write items merged
// with their results, and for S7comm-plus the header fields. Schema: docs/eve-schema.md.
#include "proto/s7comm/eve.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "output/json_writer.h"
#include "proto/cotp/cotp.h"
#include "proto/s7comm/names.h"
#include "proto/s7comm/transaction.h"

namespace tocsin::proto::s7comm {

namespace {

using output::JsonWriter;

void name_and_code(JsonWriter& out, std::string_view key, std::string_view name, unsigned code) {
    if (!name.empty()) out.field(key, name);
    out.field(std::string(key) + "_code", code);
}

std::string hex(std::span<const std::uint8_t> bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    for (std::uint8_t b : bytes) {
        s.push_back(kHex[b >> 4]);
        s.push_back(kHex[b & 0xF]);
    }
    return s;
}

void write_connection(const Connection& c, JsonWriter& out) {
    out.begin_object("cotp");
    if (!c.calling_tsap.empty()) out.field("calling_tsap", cotp::tsap_text(c.calling_tsap));
    if (!c.called_tsap.empty()) {
        out.field("called_tsap", cotp::tsap_text(c.called_tsap));
        if (auto s7 = cotp::s7_tsap(c.called_tsap)) {
            out.field("connection_type", unsigned{s7->connection_type});
            out.field("rack", unsigned{s7->rack});
            out.field("slot", unsigned{s7->slot});
        }
    }
    if (c.tpdu_size && *c.tpdu_size < 32) out.field("tpdu_size", std::uint64_t{1} << *c.tpdu_size);
    out.field("confirmed", c.confirmed);
    out.end_object();
}

void write_block(const Block& b, JsonWriter& out) {
    out.begin_object("block");
    out.field("type", b.type);
    out.field("number", std::uint64_t{b.number});
    if (b.filesystem != 0) out.field("filesystem", std::string_view(&b.filesystem, 1));
    out.end_object();
}

void write_userdata(const Userdata& u, JsonWriter& out) {
    out.begin_object("userdata");
    out.field("method", u.method == 0x11 ? "request" : u.method == 0x12 ? "response" : "unknown");
    name_and_code(out, "type", userdata_type_name(u.type), u.type);
    name_and_code(out, "group", group_name(u.group), u.group);
    name_and_code(out, "subfunction", subfunction_name(u.group, u.subfunction), u.subfunction);
    out.field("sequence", unsigned{u.sequence});
    if (u.data_unit_ref) out.field("data_unit_ref", unsigned{*u.data_unit_ref});
    if (u.last_data_unit) out.field("last_data_unit", unsigned{*u.last_data_unit});
    if (u.error_code) out.field("error_code", unsigned{*u.error_code});
    if (u.return_code)
        name_and_code(out, "return", return_code_name(*u.return_code), *u.return_code);
    if (u.item_count) out.field("item_count", unsigned{*u.item_count});
    if (u.szl_id) out.field("szl_id", unsigned{*u.szl_id});
    if (u.szl_index) out.field("szl_index", unsigned{*u.szl_index});
    if (u.szl) {
        out.begin_object("szl");
        out.field("record_length", unsigned{u.szl->record_length});
        out.field("record_count", unsigned{u.szl->record_count});
        for (const auto& [key, value] : u.szl->fields) out.field(key, value);
        out.end_object();
    }
    if (u.block) write_block(*u.block, out);
    if (!u.block_counts.empty()) {
        out.begin_array("blocks");
        for (const auto& [type, count] : u.block_counts) {
            out.begin_object();
            out.field("type", type);
            out.field("count", unsigned{count});
            out.end_object();
        }
        out.end_array();
    }
    if (!u.clock.empty()) out.field("clock", u.clock);
    out.end_object();
}

void write_message(const Pdu& p, JsonWriter& out) {
    name_and_code(out, "rosctr", rosctr_name(p.rosctr), p.rosctr);
    out.field("pdu_ref", unsigned{p.pdu_ref});
    if (p.error_class) {
        name_and_code(out, "error_class", error_class_name(*p.error_class), *p.error_class);
        out.field("error_code", unsigned{*p.error_code});
    }
    if (p.function) name_and_code(out, "function", function_name(*p.function), *p.function);
    if (p.item_count) out.field("item_count", unsigned{*p.item_count});
    if (p.setup) {
        out.begin_object("setup");
        out.field("max_amq_calling", unsigned{p.setup->max_amq_calling});
        out.field("max_amq_called", unsigned{p.setup->max_amq_called});
        out.field("pdu_length", unsigned{p.setup->pdu_length});
        out.end_object();
    }
    if (p.function_status) out.field("function_status", unsigned{*p.function_status});
    if (!p.filename.empty()) out.field("filename", p.filename);
    if (!p.service.empty()) {
        out.field("service", p.service);
        if (auto what = pi_service_description(p.service); !what.empty())
            out.field("service_description", what);
    }
    if (p.block) write_block(*p.block, out);
    if (p.userdata) write_userdata(*p.userdata, out);
}

// A data item's value as a number for one element of a numeric type, else as hex.
void write_value(const DataItem& d, const VarSpec* spec, JsonWriter& out) {
    const auto& b = d.data;
    if (spec != nullptr && spec->any() && spec->length == 1) {
        switch (spec->transport_size) {
            case 0x01:  // BIT
                if (b.size() >= 1) return out.field("value", unsigned{b[0] & 1u});
                break;
            case 0x02:  // BYTE
            case 0x03:  // CHAR
                if (b.size() >= 1) return out.field("value", unsigned{b[0]});
                break;
            case 0x04:  // WORD
                if (b.size() >= 2) return out.field("value", unsigned{b[0]} << 8 | b[1]);
                break;
            case 0x05:  // INT
                if (b.size() >= 2)
                    return out.field("value", int{static_cast<std::int16_t>(b[0] << 8 | b[1])});
                break;
            case 0x06:  // DWORD
            case 0x07:  // DINT
            case 0x08:  // REAL
                if (b.size() >= 4) {
                    const std::uint32_t v = std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 |
                                            std::uint32_t{b[2]} << 8 | b[3];
                    if (spec->transport_size == 0x06) return out.field("value", std::uint64_t{v});
                    if (spec->transport_size == 0x07)
                        return out.field("value", std::int64_t{static_cast<std::int32_t>(v)});
                    float f;
                    std::memcpy(&f, &v, sizeof f);
                    return out.field("value", static_cast<double>(f));
                }
                break;
            default:
                break;
        }
    }
    out.field("value", hex(b));
    if (b.size() < d.length) out.field("value_truncated", true);
}

void write_items(const S7Transaction& tx, JsonWriter& out) {
    const Pdu* req = tx.pdu(applayer::Direction::to_server);
    const Pdu* res = tx.pdu(applayer::Direction::to_client);
    std::size_t n = 0;
    for (const Pdu* p : {req, res})
        if (p != nullptr)
            n = std::max({n, p->specs.size(), p->items.size(), p->return_codes.size()});
    if (n == 0) return;
    out.begin_array("items");
    for (std::size_t i = 0; i < n; ++i) {
        out.begin_object();
        const VarSpec* spec = req != nullptr && i < req->specs.size() ? &req->specs[i] : nullptr;
        if (spec != nullptr) {
            out.field("syntax_id", unsigned{spec->syntax_id});
            if (spec->any()) {
                name_and_code(out, "area", area_name(spec->area), spec->area);
                if (spec->area == 0x84 || spec->area == 0x85) out.field("db", unsigned{spec->db});
                // Timers and counters are numbered; other areas have a bit address.
                const bool numbered = spec->area >= 0x1C && spec->area <= 0x1F;
                std::string address = std::to_string(numbered ? spec->address : spec->address >> 3);
                if (!numbered) address.append(".").append(std::to_string(spec->address & 7));
                out.field("address", address);
                name_and_code(out, "transport_size", transport_size_name(spec->transport_size),
                              spec->transport_size);
                out.field("length", unsigned{spec->length});
            }
        }
        // The value travels in the write request or in the read response.
        const DataItem* data = nullptr;
        if (req != nullptr && i < req->items.size()) data = &req->items[i];
        if (res != nullptr && i < res->items.size()) {
            data = &res->items[i];
            name_and_code(out, "return", return_code_name(data->return_code), data->return_code);
        }
        if (res != nullptr && i < res->return_codes.size())
            name_and_code(out, "return", return_code_name(res->return_codes[i]),
                          res->return_codes[i]);
        if (data != nullptr && (data->length > 0 || !data->data.empty())) {
            out.field("data_length", unsigned{data->length});
            write_value(*data, spec, out);
        }
        out.end_object();
    }
    out.end_array();
}

std::string_view role(const Pdu& p) {
    switch (static_cast<Rosctr>(p.rosctr)) {
        case Rosctr::job:
            return "request";
        case Rosctr::ack:
        case Rosctr::ack_data:
            return "response";
        case Rosctr::userdata:
            if (p.userdata && p.userdata->type == 4) return "request";
            if (p.userdata && p.userdata->type == 8) return "response";
            return "push";
    }
    return "message";
}

std::string_view plus_role(const PlusPdu& p) {
    switch (p.opcode.value_or(0)) {
        case 0x31:
            return "request";
        case 0x32:
        case 0x02:
            return "response";
        case 0x33:
            return "notification";
        default:
            return "message";
    }
}

void write_plus(const S7Transaction& tx, JsonWriter& out) {
    out.begin_object("s7comm_plus");
    for (const auto& p : tx.plus) {
        if (!p) continue;
        out.begin_object(plus_role(*p));
        out.field("version", unsigned{p->version});
        out.field("data_length", unsigned{p->data_length});
        if (p->opcode) name_and_code(out, "opcode", plus_opcode_name(*p->opcode), *p->opcode);
        if (p->function)
            name_and_code(out, "function", plus_function_name(*p->function), *p->function);
        if (p->sequence) out.field("seq", unsigned{*p->sequence});
        if (p->session_id) out.field("session_id", std::uint64_t{*p->session_id});
        out.end_object();
    }
    out.end_object();
}

void write_object(const applayer::Transaction& base, JsonWriter& out) {
    const auto& tx = static_cast<const S7Transaction&>(base);
    out.begin_object("s7comm");
    if (tx.connection) write_connection(*tx.connection, out);
    if (tx.is_plus()) {
        write_plus(tx, out);
    } else {
        for (const auto& p : tx.pdus) {
            if (!p) continue;
            out.begin_object(role(*p));
            write_message(*p, out);
            out.end_object();
        }
        write_items(tx, out);
    }
    out.end_object();
}

}  // namespace

applayer::RecordHead record_head(const applayer::Transaction& tx, std::size_t n) {
    (void)n;
    const auto& t = static_cast<const S7Transaction&>(tx);
    // A message standing alone from the PLC (push, notification) reads PLC -> client.
    const bool from_plc = !t.pdus[0] && !t.plus[0] && (t.pdus[1] || t.plus[1]);
    return {"s7comm", from_plc ? applayer::Direction::to_client : applayer::Direction::to_server};
}

void write_record(const applayer::Transaction& tx, std::size_t n, JsonWriter& out) {
    (void)n;
    write_object(tx, out);
}

void write_alert(const applayer::Transaction& tx, JsonWriter& out) {
    write_object(tx, out);
}

}  // namespace tocsin::proto::s7comm
