// The EVE `mms` object: each message of the exchange by role (request, response, or
// unconfirmed / reject for a message standing alone) with its PDU type, invoke id, service,
// variable names, typed values, access results, identify fields and errors; the ACSE
// association on initiate exchanges. Schema: docs/eve-schema.md.
#include "proto/mms/eve.h"

#include <string>

#include "output/json_writer.h"
#include "proto/mms/names.h"
#include "proto/mms/transaction.h"

namespace tocsin::proto::mms {

namespace {

using output::JsonWriter;

void name_and_code(JsonWriter& out, std::string_view key, std::string_view name,
                   std::int64_t code) {
    if (!name.empty()) out.field(key, name);
    out.field(std::string(key) + "_code", code);
}

// An ObjectName as an object: inside an array (no key) or as the member `key`.
void write_name(const ObjectName& n, JsonWriter& out, std::string_view key = {}) {
    if (key.empty())
        out.begin_object();
    else
        out.begin_object(key);
    switch (n.scope) {
        case ObjectName::Scope::vmd:
            out.field("vmd", n.item);
            break;
        case ObjectName::Scope::aa:
            out.field("aa", n.item);
            break;
        case ObjectName::Scope::domain:
            out.field("domain", n.domain);
            out.field("item", n.item);
            break;
    }
    out.end_object();
}

// A value's members (inside an object the caller opened): type, then value.
void write_value_fields(const Value& v, JsonWriter& out) {
    const std::string_view type = data_type_name(v.tag);
    out.field("type", type.empty() ? std::string_view("unknown") : type);
    switch (v.kind) {
        case Value::Kind::integer:
            out.field("value", v.integer);
            break;
        case Value::Kind::unsigned_integer:
            out.field("value", v.unsigned_integer);
            break;
        case Value::Kind::real:
            out.field("value", v.real);
            break;
        case Value::Kind::boolean:
            out.field("value", v.boolean);
            break;
        case Value::Kind::text:
            out.field("value", v.text);
            break;
        case Value::Kind::list:
            if (!v.truncated) {
                out.begin_array("value");
                for (const Value& c : v.children) {
                    out.begin_object();
                    write_value_fields(c, out);
                    out.end_object();
                }
                out.end_array();
            }
            break;
        case Value::Kind::none:
            break;
    }
    if (v.truncated) out.field("truncated", true);
}

void write_error(const ServiceError& e, JsonWriter& out) {
    out.begin_object("error");
    name_and_code(out, "class", error_class_name(e.error_class), e.error_class);
    out.field("code", e.code);
    out.end_object();
}

void write_association(const Association& a, JsonWriter& out) {
    out.begin_object("association");
    if (!a.application_context.empty()) out.field("application_context", a.application_context);
    if (!a.calling_ap_title.empty()) out.field("calling_ap_title", a.calling_ap_title);
    if (a.calling_ae_qualifier) out.field("calling_ae_qualifier", *a.calling_ae_qualifier);
    if (!a.called_ap_title.empty()) out.field("called_ap_title", a.called_ap_title);
    if (a.called_ae_qualifier) out.field("called_ae_qualifier", *a.called_ae_qualifier);
    if (!a.responding_ap_title.empty()) out.field("responding_ap_title", a.responding_ap_title);
    if (a.result) out.field("result", *a.result);
    if (a.authentication) out.field("authentication", true);
    out.end_object();
}

void write_message(const Side& side, JsonWriter& out) {
    const Message& m = side.message;
    name_and_code(out, "pdu", pdu_name(m.pdu), m.pdu);
    // The session SPDU that carried it; absent for an MMS PDU sent without session layer.
    if (const auto session = spdu_name(side.spdu); !session.empty()) out.field("session", session);
    if (m.invoke_id) out.field("invoke_id", std::uint64_t{*m.invoke_id});
    if (m.service) {
        const std::string_view name = m.pdu == pdu::unconfirmed
                                          ? unconfirmed_service_name(*m.service)
                                          : confirmed_service_name(*m.service);
        name_and_code(out, "service", name, *m.service);
    }
    if (m.variable_list) write_name(*m.variable_list, out, "variable_list");
    if (!m.variables.empty()) {
        out.begin_array("variables");
        for (const ObjectName& n : m.variables) write_name(n, out);
        out.end_array();
    }
    if (!m.values.empty()) {
        out.begin_array("values");
        for (const Value& v : m.values) {
            out.begin_object();
            write_value_fields(v, out);
            out.end_object();
        }
        out.end_array();
    }
    if (!m.results.empty()) {
        out.begin_array("results");
        for (const AccessResult& r : m.results) {
            out.begin_object();
            if (r.error) {
                name_and_code(out, "error", data_access_error_name(*r.error), *r.error);
            } else {
                out.field("success", true);
                if (r.value) write_value_fields(*r.value, out);
            }
            out.end_object();
        }
        out.end_array();
    }
    if (m.object_class)
        name_and_code(out, "object_class", object_class_name(*m.object_class), *m.object_class);
    if (!m.identifiers.empty()) {
        out.begin_array("identifiers");
        for (const std::string& s : m.identifiers) out.element(s);
        out.end_array();
    }
    if (m.more_follows) out.field("more_follows", *m.more_follows);
    if (m.vendor) out.field("vendor", *m.vendor);
    if (m.model) out.field("model", *m.model);
    if (m.revision) out.field("revision", *m.revision);
    if (m.error) write_error(*m.error, out);
    if (m.reject) {
        out.begin_object("reject");
        if (m.reject->original_invoke_id)
            out.field("original_invoke_id", std::uint64_t{*m.reject->original_invoke_id});
        name_and_code(out, "type", reject_type_name(m.reject->type), m.reject->type);
        out.field("reason", m.reject->reason);
        out.end_object();
    }
    if (m.initiate) {
        const Initiate& i = *m.initiate;
        out.begin_object("initiate");
        if (i.local_detail) out.field("local_detail", *i.local_detail);
        if (i.max_serv_outstanding_calling)
            out.field("max_serv_outstanding_calling", *i.max_serv_outstanding_calling);
        if (i.max_serv_outstanding_called)
            out.field("max_serv_outstanding_called", *i.max_serv_outstanding_called);
        if (i.nesting_level) out.field("nesting_level", *i.nesting_level);
        if (i.version) out.field("version", *i.version);
        out.end_object();
    }
    if (side.association) write_association(*side.association, out);
    if (m.truncated) out.field("truncated", true);
}

std::string_view role(const Message& m) {
    switch (m.pdu) {
        case pdu::confirmed_request:
        case pdu::cancel_request:
        case pdu::initiate_request:
        case pdu::conclude_request:
            return "request";
        case pdu::unconfirmed:
            return "unconfirmed";
        case pdu::reject:
            return "reject";
        default:
            return "response";
    }
}

void write_object(const applayer::Transaction& base, JsonWriter& out) {
    const auto& tx = static_cast<const MmsTransaction&>(base);
    out.begin_object("mms");
    for (const auto& side : tx.sides) {
        if (!side) continue;
        out.begin_object(role(side->message));
        write_message(*side, out);
        out.end_object();
    }
    out.end_object();
}

}  // namespace

applayer::RecordHead record_head(const applayer::Transaction& tx, std::size_t n) {
    (void)n;
    const auto& t = static_cast<const MmsTransaction&>(tx);
    // A message standing alone from the server (an information report) reads server -> client.
    const bool from_server = !t.sides[0] && t.sides[1];
    return {"mms", from_server ? applayer::Direction::to_client : applayer::Direction::to_server};
}

void write_record(const applayer::Transaction& tx, std::size_t n, JsonWriter& out) {
    (void)n;
    write_object(tx, out);
}

void write_alert(const applayer::Transaction& tx, JsonWriter& out) {
    write_object(tx, out);
}

}  // namespace tocsin::proto::mms
