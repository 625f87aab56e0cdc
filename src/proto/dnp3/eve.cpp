// Suricata's EVE `dnp3` object, per request or response:
//   type (request / response / unsolicited_response), control {dir, pri, fcb, fcv,
//   function_code} of the link header, src, dst, application {control {fir, fin, con, uns,
//   sequence}, function_code, objects [{group, variation, qualifier, prefix_code, range_code,
//   start, stop, count, points [{prefix, index, size (size prefixes only), <fields>}]}],
//   complete}, and for responses iin {indicators [names]}.
// Alerts carry {request {...}, response {...}} for the sides the transaction has.
#include "proto/dnp3/eve.h"

#include <variant>

#include "output/json_writer.h"
#include "proto/dnp3/transaction.h"

namespace tocsin::proto::dnp3 {

namespace {

using output::JsonWriter;

// IIN bits in the order Suricata lists them (IIN1.7 down to IIN2.0).
constexpr std::pair<std::string_view, std::uint16_t> kIndicators[] = {
    {"device_restart", 0x8000},
    {"device_trouble", 0x4000},
    {"local_control", 0x2000},
    {"need_time", 0x1000},
    {"class_3_events", 0x0800},
    {"class_2_events", 0x0400},
    {"class_1_events", 0x0200},
    {"all_stations", 0x0100},
    {"reserved_1", 0x0080},
    {"reserved_2", 0x0040},
    {"config_corrupt", 0x0020},
    {"already_executing", 0x0010},
    {"event_buffer_overflow", 0x0008},
    {"parameter_error", 0x0004},
    {"object_unknown", 0x0002},
    {"no_func_code_support", 0x0001},
};

void write_value(JsonWriter& out, std::string_view name, const Value& value) {
    if (const auto* i = std::get_if<std::int64_t>(&value)) {
        out.field(name, *i);
    } else if (const auto* d = std::get_if<double>(&value)) {
        out.field(name, *d);
    } else {
        out.field(name, std::get<std::string>(value));
    }
}

void write_points(JsonWriter& out, const Object& object) {
    const std::vector<std::string_view> names =
        object.spec ? value_names(*object.spec) : std::vector<std::string_view>{};
    out.begin_array("points");
    for (const Point& p : object.points) {
        out.begin_object();
        out.field("prefix", std::uint64_t{p.prefix});
        out.field("index", std::uint64_t{p.index});
        if (object.size_prefix()) out.field("size", std::uint64_t{p.size});
        for (std::size_t i = 0; i < p.values.size() && i < names.size(); ++i)
            write_value(out, names[i], p.values[i]);
        out.end_object();
    }
    out.end_array();
}

void write_objects(JsonWriter& out, const std::vector<Object>& objects) {
    out.begin_array("objects");
    for (const Object& o : objects) {
        out.begin_object();
        out.field("group", unsigned{o.group});
        out.field("variation", unsigned{o.variation});
        out.field("qualifier", unsigned{o.qualifier});
        out.field("prefix_code", unsigned{o.prefix_code()});
        out.field("range_code", unsigned{o.range_code()});
        out.field("start", std::uint64_t{o.start});
        out.field("stop", std::uint64_t{o.stop});
        out.field("count", std::uint64_t{o.count});
        if (!o.points.empty()) write_points(out, o);
        out.end_object();
    }
    out.end_array();
}

std::string_view type_name(const Message& m) {
    if (!m.app.iin) return "request";
    return m.unsolicited() ? "unsolicited_response" : "response";
}

// The members of one side, inside an object the caller opened.
void write_message(JsonWriter& out, const Message& m) {
    out.field("type", type_name(m));
    out.begin_object("control");
    out.field("dir", m.link.dir());
    out.field("pri", m.link.pri());
    out.field("fcb", m.link.fcb());
    out.field("fcv", m.link.fcv());
    out.field("function_code", unsigned{m.link.function()});
    out.end_object();
    out.field("src", unsigned{m.link.source});
    out.field("dst", unsigned{m.link.destination});
    out.begin_object("application");
    out.begin_object("control");
    out.field("fir", m.app.fir());
    out.field("fin", m.app.fin());
    out.field("con", m.app.con());
    out.field("uns", m.app.uns());
    out.field("sequence", unsigned{m.app.sequence()});
    out.end_object();
    out.field("function_code", unsigned{m.app.function});
    write_objects(out, m.objects);
    out.field("complete", m.complete);
    out.end_object();
    if (m.app.iin) {
        out.begin_object("iin");
        out.begin_array("indicators");
        for (const auto& [name, bit] : kIndicators)
            if ((*m.app.iin & bit) != 0) out.element(name);
        out.end_array();
        out.end_object();
    }
}

}  // namespace

applayer::RecordHead record_head(const applayer::Transaction& tx, std::size_t n) {
    (void)tx;
    (void)n;
    // Suricata logs both sides with the flow's orientation (client as src_ip).
    return {"dnp3", applayer::Direction::to_server};
}

void write_record(const applayer::Transaction& tx, std::size_t n, JsonWriter& out) {
    const auto* t = dynamic_cast<const Dnp3Transaction*>(&tx);
    if (t == nullptr) return;
    const Message* m = t->record(n);
    if (m == nullptr) return;
    out.begin_object("dnp3");
    write_message(out, *m);
    out.end_object();
}

void write_alert(const applayer::Transaction& tx, JsonWriter& out) {
    const auto* t = dynamic_cast<const Dnp3Transaction*>(&tx);
    if (t == nullptr) return;
    out.begin_object("dnp3");
    if (t->request) {
        out.begin_object("request");
        write_message(out, *t->request);
        out.end_object();
    }
    if (t->response) {
        out.begin_object("response");
        write_message(out, *t->response);
        out.end_object();
    }
    out.end_object();
}

}  // namespace tocsin::proto::dnp3
