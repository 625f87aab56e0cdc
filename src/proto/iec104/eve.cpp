// The EVE `iec104` object of one APDU: direction, APCI, and the ASDU with its objects.
#include "proto/iec104/eve.h"

#include <cmath>

#include "output/json_writer.h"
#include "proto/iec104/transaction.h"

namespace tocsin::proto::iec104 {

namespace {

std::string_view apci_name(ApciType t) {
    switch (t) {
        case ApciType::i:
            return "I";
        case ApciType::s:
            return "S";
        case ApciType::u:
            return "U";
    }
    return "";
}

void write_apci(const Apdu& a, output::JsonWriter& out) {
    out.begin_object("apci");
    out.field("type", apci_name(a.type));
    if (a.type == ApciType::i) out.field("tx", unsigned{a.send_seq});
    if (a.type != ApciType::u) out.field("rx", unsigned{a.recv_seq});
    if (a.type == ApciType::u) {
        const std::string_view name = u_function_name(a.u_bits);
        if (!name.empty()) out.field("function", name);
        out.field("function_code", unsigned{a.u_bits});
    }
    out.end_object();
}

void write_quality(const InfoObject& o, output::JsonWriter& out) {
    if (o.quality_kind == QualityKind::none) return;
    out.begin_object("quality");
    if (o.quality_kind == QualityKind::qds) out.field("ov", (o.quality & 0x01) != 0);
    out.field("bl", (o.quality & 0x10) != 0);
    out.field("sb", (o.quality & 0x20) != 0);
    out.field("nt", (o.quality & 0x40) != 0);
    out.field("iv", (o.quality & 0x80) != 0);
    out.end_object();
}

void write_object(const InfoObject& o, output::JsonWriter& out) {
    out.begin_object();
    out.field("ioa", std::uint64_t{o.ioa});
    if (const auto* i = std::get_if<std::int64_t>(&o.value)) out.field("value", *i);
    // JSON has no NaN or infinity: such a float is left out.
    if (const auto* f = std::get_if<double>(&o.value); f != nullptr && std::isfinite(*f))
        out.field("value", *f);
    for (const Field& f : o.fields) {
        if (f.flag)
            out.field(f.name, f.value != 0);
        else
            out.field(f.name, f.value);
    }
    write_quality(o, out);
    if (o.time) {
        out.field("time", o.time->iso());
        if (o.time->invalid) out.field("time_invalid", true);
        if (o.time->summer) out.field("time_summer", true);
    }
    out.end_object();
}

void write_asdu(const Asdu& a, output::JsonWriter& out) {
    out.begin_object("asdu");
    out.field("type_id", unsigned{a.type_id});
    if (const std::string_view name = type_name(a.type_id); !name.empty()) out.field("type", name);
    // A truncated APDU has only the leading fields of the data unit identifier.
    if (a.header_octets >= 2) {
        out.field("sq", a.sq);
        out.field("num_objects", unsigned{a.num_objects});
    }
    if (a.header_octets >= 3) {
        out.field("cot", unsigned{a.cot});
        if (const std::string_view name = cot_name(a.cot); !name.empty())
            out.field("cot_name", name);
        out.field("negative", a.negative);
        out.field("test", a.test);
    }
    if (a.header_octets >= 4) out.field("originator", unsigned{a.originator});
    if (a.header_octets >= 6) out.field("common_address", unsigned{a.common_address});
    if (!a.objects.empty()) {
        out.begin_array("objects");
        for (const InfoObject& o : a.objects) write_object(o, out);
        out.end_array();
    }
    out.end_object();
}

// The members of one APDU's object.
void write_apdu(const Message& m, output::JsonWriter& out) {
    out.field("direction", m.dir == applayer::Direction::to_server ? "to_server" : "to_client");
    write_apci(m.apdu, out);
    if (m.apdu.asdu) write_asdu(*m.apdu.asdu, out);
}

}  // namespace

applayer::RecordHead record_head(const applayer::Transaction& tx, std::size_t n) {
    const auto& t = static_cast<const Iec104Transaction&>(tx);
    const auto dir = n < t.messages.size() ? t.messages[n].dir : applayer::Direction::to_server;
    return {"iec104", dir};
}

void write_record(const applayer::Transaction& tx, std::size_t n, output::JsonWriter& out) {
    const auto& t = static_cast<const Iec104Transaction&>(tx);
    if (n >= t.messages.size()) return;
    out.begin_object("iec104");
    write_apdu(t.messages[n], out);
    out.end_object();
}

// An alert carries the whole exchange: the transaction's first APDU (a command, a U act, or
// the one APDU) and, in `responses`, the APDUs that answered it so far. Detection inspects a
// request once its own side moves again, by which time its confirmation may be there too.
void write_alert(const applayer::Transaction& tx, output::JsonWriter& out) {
    const auto& t = static_cast<const Iec104Transaction&>(tx);
    if (t.messages.empty()) return;
    out.begin_object("iec104");
    write_apdu(t.messages.front(), out);
    if (t.messages.size() > 1) {
        out.begin_array("responses");
        for (std::size_t i = 1; i < t.messages.size(); ++i) {
            out.begin_object();
            write_apdu(t.messages[i], out);
            out.end_object();
        }
        out.end_array();
    }
    out.end_object();
}

}  // namespace tocsin::proto::iec104
