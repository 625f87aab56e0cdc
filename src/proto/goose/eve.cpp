// The EVE `goose` object: the frame header, the PDU's members as read (absent when the PDU
// lacked them), allData as typed values, and what the publisher's previous PDU tells about
// this one. The common header (written by output/eve.cpp) names src_mac/dest_mac, not IPs.
#include "proto/goose/eve.h"

#include "output/json_writer.h"
#include "proto/goose/transaction.h"

namespace tocsin::proto::goose {

namespace {

std::string_view type_name(DataValue::Type t) {
    using T = DataValue::Type;
    switch (t) {
        case T::array:
            return "array";
        case T::structure:
            return "structure";
        case T::boolean:
            return "boolean";
        case T::bit_string:
            return "bit-string";
        case T::integer:
            return "integer";
        case T::unsigned_int:
            return "unsigned";
        case T::floating_point:
            return "floating-point";
        case T::real:
            return "real";
        case T::octet_string:
            return "octet-string";
        case T::visible_string:
            return "visible-string";
        case T::binary_time:
            return "binary-time";
        case T::bcd:
            return "bcd";
        case T::boolean_array:
            return "boolean-array";
        case T::obj_id:
            return "obj-id";
        case T::mms_string:
            return "mms-string";
        case T::utc_time:
            return "utc-time";
        case T::unknown:
            return "unknown";
    }
    return "unknown";
}

void write_value(const DataValue& d, output::JsonWriter& out) {
    using T = DataValue::Type;
    out.begin_object();
    out.field("type", type_name(d.type));
    if (d.type == T::unknown) out.field("tag", unsigned{d.tag});
    if (!d.valid) {
        // A value whose encoding could not be read: its bytes.
        out.field("invalid", true);
        out.field("raw", d.text);
        out.end_object();
        return;
    }
    switch (d.type) {
        case T::array:
        case T::structure:
            out.begin_array("value");
            for (const DataValue& item : d.items) write_value(item, out);
            out.end_array();
            break;
        case T::boolean:
            out.field("value", d.boolean);
            break;
        case T::integer:
        case T::bcd:
            out.field("value", d.integer);
            break;
        case T::unsigned_int:
            out.field("value", d.unsigned_value);
            break;
        case T::floating_point:
        case T::real:
            out.field("value", d.real);
            break;
        case T::utc_time:
            out.field("value", d.text);
            out.field("quality", unsigned{d.quality});
            break;
        default:
            out.field("value", d.text);
            break;
    }
    out.end_object();
}

void write_goose_object(const applayer::Transaction& base, output::JsonWriter& out) {
    const auto& tx = static_cast<const GooseTransaction&>(base);
    out.begin_object("goose");
    if (tx.header) {
        out.field("appid", unsigned{tx.appid});
        out.field("length", unsigned{tx.length});
        out.field("simulated_frame", tx.simulated_frame());
        if (tx.reserved1 != 0) out.field("reserved1", unsigned{tx.reserved1});
        if (tx.reserved2 != 0) out.field("reserved2", unsigned{tx.reserved2});
    }
    if (tx.gocb_ref) out.field("gocb_ref", *tx.gocb_ref);
    if (tx.time_allowed_to_live) out.field("time_allowed_to_live", *tx.time_allowed_to_live);
    if (tx.dat_set) out.field("dat_set", *tx.dat_set);
    if (tx.go_id) out.field("go_id", *tx.go_id);
    if (tx.t) {
        out.field("time", iso8601(*tx.t));
        out.field("time_quality", unsigned{tx.t->quality});
    }
    if (tx.st_num) out.field("st_num", *tx.st_num);
    if (tx.sq_num) out.field("sq_num", *tx.sq_num);
    if (tx.simulation) out.field("simulation", *tx.simulation);
    if (tx.conf_rev) out.field("conf_rev", *tx.conf_rev);
    if (tx.nds_com) out.field("nds_com", *tx.nds_com);
    if (tx.num_dat_set_entries) out.field("num_dat_set_entries", *tx.num_dat_set_entries);
    if (tx.has_all_data) {
        out.begin_array("all_data");
        for (const DataValue& d : tx.all_data) write_value(d, out);
        out.end_array();
    }
    if (tx.has_previous) {
        out.field("st_change", tx.st_change);
        if (tx.st_jump) out.field("st_jump", *tx.st_jump);
        if (tx.sq_not_reset) out.field("sq_not_reset", true);
        if (tx.replay) out.field("replay", true);
        if (tx.gap_ms) out.field("gap_ms", *tx.gap_ms);
        if (tx.ttl_exceeded) out.field("ttl_exceeded", true);
        if (tx.dat_set_changed) out.field("dat_set_changed", true);
        if (tx.conf_rev_changed) out.field("conf_rev_changed", true);
    }
    out.end_object();
}

}  // namespace

applayer::RecordHead record_head(const applayer::Transaction& tx, std::size_t n) {
    (void)tx;
    (void)n;
    return {"goose", applayer::Direction::to_server};
}

void write_record(const applayer::Transaction& tx, std::size_t n, output::JsonWriter& out) {
    (void)n;
    write_goose_object(tx, out);
}

void write_alert(const applayer::Transaction& tx, output::JsonWriter& out) {
    write_goose_object(tx, out);
}

}  // namespace tocsin::proto::goose
