// Suricata's EVE `modbus` object (Suricata 7/8, rust/src/modbus/log.rs): the transaction's
// 1-based id, then "request" and "response", each with the MBAP fields, the function (raw and
// named), its access type, category and error flags as Suricata prints them, and one data
// shape per function ("read", "write", "exception", "diagnostic", "mei" or "data").
#include "proto/modbus/eve.h"

#include <cstdio>

#include "output/json_writer.h"
#include "proto/modbus/transaction.h"

namespace tocsin::proto::modbus {

namespace {

// Whether `bytes` are valid UTF-8 (RFC 3629: no overlong forms, surrogates or code points
// past U+10FFFF).
bool valid_utf8(ByteSpan bytes) {
    std::size_t i = 0;
    while (i < bytes.size()) {
        const std::uint8_t c = bytes[i];
        std::size_t length = 1;
        if (c >= 0xc2 && c <= 0xdf)
            length = 2;
        else if (c >= 0xe0 && c <= 0xef)
            length = 3;
        else if (c >= 0xf0 && c <= 0xf4)
            length = 4;
        else if (c >= 0x80)
            return false;
        if (i + length > bytes.size()) return false;
        for (std::size_t k = 1; k < length; ++k)
            if ((bytes[i + k] & 0xc0) != 0x80) return false;
        if (length > 1) {
            const std::uint8_t d = bytes[i + 1];
            if ((c == 0xe0 && d < 0xa0) || (c == 0xed && d > 0x9f) || (c == 0xf0 && d < 0x90) ||
                (c == 0xf4 && d > 0x8f))
                return false;
        }
        i += length;
    }
    return true;
}

// Bytes as Suricata's JsonBuilder::set_string_from_bytes writes them: the text when it is
// valid UTF-8, else ASCII bytes as they are and every other byte as the four characters "\xNN".
std::string text_of(const std::vector<std::uint8_t>& bytes) {
    if (valid_utf8(bytes)) return std::string(bytes.begin(), bytes.end());
    std::string out;
    out.reserve(bytes.size() * 2);
    for (std::uint8_t b : bytes) {
        if (b < 0x80) {
            out.push_back(static_cast<char>(b));
            continue;
        }
        char hex[5];
        std::snprintf(hex, sizeof hex, "\\x%02x", b);
        out.append(hex, 4);
    }
    return out;
}

void write_read_request(const ReadPart& read, output::JsonWriter& out) {
    out.begin_object("read");
    out.field("address", unsigned{read.address});
    out.field("quantity", unsigned{read.quantity});
    out.end_object();
}

void write_multiple(const Message& m, output::JsonWriter& out) {
    out.begin_object("write");
    out.field("address", unsigned{m.write.address});
    out.field("quantity", unsigned{m.write.quantity});
    out.field("data", text_of(m.data));
    out.end_object();
}

void write_body(const Message& m, output::JsonWriter& out) {
    switch (m.body) {
        case Body::exception:
            out.begin_object("exception");
            out.field("raw", unsigned{m.exception_code});
            out.field("code", exception_name(m.exception_code));
            out.end_object();
            return;
        case Body::diagnostic:
            out.begin_object("diagnostic");
            out.field("raw", unsigned{m.subfunction});
            out.field("code", diagnostic_name(m.subfunction));
            out.field("data", text_of(m.data));
            out.end_object();
            return;
        case Body::mei:
            out.begin_object("mei");
            out.field("raw", unsigned{m.mei_type});
            out.field("code", mei_name(m.mei_type));
            out.field("data", text_of(m.data));
            out.end_object();
            return;
        case Body::read_request:
            write_read_request(m.read, out);
            return;
        case Body::read_response:
            out.begin_object("read");
            out.field("data", text_of(m.data));
            out.end_object();
            return;
        case Body::write_single:
            out.begin_object("write");
            out.field("address", unsigned{m.write.address});
            out.field("data", unsigned{m.write.value});
            out.end_object();
            return;
        case Body::write_multiple:
            write_multiple(m, out);
            return;
        case Body::write_mask:
            out.begin_object("write");
            out.field("address", unsigned{m.write.address});
            out.field("and_mask", unsigned{m.write.and_mask});
            out.field("or_mask", unsigned{m.write.or_mask});
            out.end_object();
            return;
        case Body::read_write:
            write_read_request(m.read, out);
            write_multiple(m, out);
            return;
        case Body::bytes:
            out.field("data", text_of(m.data));
            return;
        case Body::empty:
            return;
    }
}

void write_message(std::string_view key, const Message& m, output::JsonWriter& out) {
    out.begin_object(key);
    out.field("transaction_id", unsigned{m.transaction_id});
    out.field("protocol_id", unsigned{m.protocol_id});
    out.field("unit_id", unsigned{m.unit_id});
    out.field("function_raw", unsigned{m.function});
    out.field("function_code", function_name(m.code()));
    out.field("access_type", access_string(m.access));
    out.field("category", category_string(m.category));
    out.field("error_flags", error_string(m.errors));
    write_body(m, out);
    out.end_object();
}

void write_modbus_object(const applayer::Transaction& base, output::JsonWriter& out) {
    const auto& tx = static_cast<const ModbusTransaction&>(base);
    out.begin_object("modbus");
    out.field("id", tx.id + 1);  // Suricata numbers its Modbus transactions from 1
    if (tx.request) write_message("request", *tx.request, out);
    if (tx.response) write_message("response", *tx.response, out);
    out.end_object();
}

}  // namespace

applayer::RecordHead record_head(const applayer::Transaction& tx, std::size_t n) {
    (void)tx;
    (void)n;
    return {"modbus", applayer::Direction::to_server};
}

void write_record(const applayer::Transaction& tx, std::size_t n, output::JsonWriter& out) {
    (void)n;
    write_modbus_object(tx, out);
}

void write_alert(const applayer::Transaction& tx, output::JsonWriter& out) {
    write_modbus_object(tx, out);
}

}  // namespace tocsin::proto::modbus
