// The EVE `opcua` object: "request" (the client's message) and "response" (the server's),
// each with its UA TCP header, secure conversation fields and, when readable, its service.
#include "proto/opcua/eve.h"

#include "output/json_writer.h"
#include "proto/opcua/transaction.h"

namespace tocsin::proto::opcua {

namespace {

void write_status(std::string_view key, std::uint32_t code, output::JsonWriter& out) {
    out.begin_object(key);
    out.field("code", std::uint64_t{code});
    const std::string_view name = status_name(code);
    if (!name.empty()) out.field("name", name);
    out.end_object();
}

void write_application(std::string_view key, const Application& a, output::JsonWriter& out) {
    out.begin_object(key);
    if (!a.application_uri.empty()) out.field("application_uri", a.application_uri);
    if (!a.product_uri.empty()) out.field("product_uri", a.product_uri);
    if (!a.application_name.empty()) out.field("application_name", a.application_name);
    if (a.application_type) out.field("application_type", std::uint64_t{*a.application_type});
    out.end_object();
}

template <typename T>
void optional_number(std::string_view key, const std::optional<T>& v, output::JsonWriter& out) {
    if (v) out.field(key, static_cast<std::int64_t>(*v));
}

void write_message(std::string_view key, const Message& m, output::JsonWriter& out) {
    out.begin_object(key);
    out.field("message_type", m.type);
    out.field("chunk_type", std::string_view(&m.chunk_type, 1));
    out.field("size", m.size);
    if (m.chunks > 1) out.field("chunks", std::uint64_t{m.chunks});
    if (m.aborted) out.field("aborted", true);
    optional_number("version", m.version, out);
    optional_number("receive_buffer_size", m.receive_buffer_size, out);
    optional_number("send_buffer_size", m.send_buffer_size, out);
    optional_number("max_message_size", m.max_message_size, out);
    optional_number("max_chunk_count", m.max_chunk_count, out);
    if (m.endpoint_url) out.field("endpoint_url", *m.endpoint_url);
    if (m.server_uri) out.field("server_uri", *m.server_uri);
    if (m.error) write_status("error", *m.error, out);
    if (m.reason) out.field("reason", *m.reason);
    optional_number("secure_channel_id", m.secure_channel_id, out);
    optional_number("token_id", m.token_id, out);
    if (m.security_policy) out.field("security_policy", *m.security_policy);
    optional_number("sender_certificate_length", m.sender_certificate_length, out);
    if (!m.sender_certificate_sha1.empty())
        out.field("sender_certificate_sha1", m.sender_certificate_sha1);
    optional_number("receiver_thumbprint_length", m.receiver_thumbprint_length, out);
    if (!m.receiver_thumbprint.empty()) out.field("receiver_thumbprint", m.receiver_thumbprint);
    if (m.encrypted) out.field("encrypted", true);
    optional_number("sequence_number", m.sequence_number, out);
    optional_number("request_id", m.request_id, out);
    if (m.type_id || !m.type_node.empty()) {
        out.begin_object("service");
        if (m.type_id) {
            const std::string_view name = service_name(*m.type_id);
            if (!name.empty()) out.field("name", name);
            out.field("type_id", std::uint64_t{*m.type_id});
        } else {
            out.field("type_node", m.type_node);
        }
        out.end_object();
    }
    optional_number("request_handle", m.request_handle, out);
    if (!m.authentication_token.empty()) out.field("authentication_token", m.authentication_token);
    if (m.timestamp) out.field("timestamp", *m.timestamp);
    if (m.service_result) write_status("status", *m.service_result, out);
    if (m.body_truncated) out.field("body_truncated", true);
    if (m.request_type || m.security_mode || m.issued_channel_id || m.lifetime) {
        out.begin_object("secure_channel");
        optional_number("request_type", m.request_type, out);
        optional_number("security_mode", m.security_mode, out);
        optional_number("channel_id", m.issued_channel_id, out);
        optional_number("token_id", m.issued_token_id, out);
        optional_number("lifetime", m.lifetime, out);
        out.end_object();
    }
    if (!m.session_name.empty()) out.field("session_name", m.session_name);
    if (!m.session_id.empty()) out.field("session_id", m.session_id);
    if (!m.issued_authentication_token.empty())
        out.field("session_authentication_token", m.issued_authentication_token);
    if (!m.application.empty()) write_application("application", m.application, out);
    if (!m.servers.empty()) {
        out.begin_array("servers");
        for (std::size_t i = 0; i < m.servers.size(); ++i) {
            out.begin_object();
            const Application& a = m.servers[i];
            if (!a.application_uri.empty()) out.field("application_uri", a.application_uri);
            if (!a.product_uri.empty()) out.field("product_uri", a.product_uri);
            if (!a.application_name.empty()) out.field("application_name", a.application_name);
            if (i < m.endpoint_policies.size() && !m.endpoint_policies[i].empty())
                out.field("security_policy", m.endpoint_policies[i]);
            out.end_object();
        }
        out.end_array();
    }
    if (!m.identity_token.empty()) out.field("identity_token", m.identity_token);
    if (!m.user_name.empty()) out.field("user_name", m.user_name);
    if (!m.nodes.empty()) {
        out.begin_array("nodes");
        for (const NodeAttribute& n : m.nodes) {
            out.begin_object();
            out.field("node_id", n.node_id);
            out.field("attribute_id", std::uint64_t{n.attribute_id});
            const std::string_view name = attribute_name(n.attribute_id);
            if (!name.empty()) out.field("attribute", name);
            if (!n.value.empty()) out.field("value", n.value);
            out.end_object();
        }
        out.end_array();
    }
    if (!m.calls.empty()) {
        out.begin_array("calls");
        for (const MethodCall& c : m.calls) {
            out.begin_object();
            out.field("object_id", c.object_id);
            out.field("method_id", c.method_id);
            out.end_object();
        }
        out.end_array();
    }
    if (!m.results.empty()) {
        out.begin_array("results");
        for (std::uint32_t code : m.results) {
            out.begin_object();
            out.field("code", std::uint64_t{code});
            const std::string_view name = status_name(code);
            if (!name.empty()) out.field("name", name);
            out.end_object();
        }
        out.end_array();
    }
    out.end_object();
}

void write_opcua_object(const applayer::Transaction& base, output::JsonWriter& out) {
    const auto& tx = static_cast<const OpcuaTransaction&>(base);
    out.begin_object("opcua");
    if (tx.request) write_message("request", *tx.request, out);
    if (tx.response) write_message("response", *tx.response, out);
    out.end_object();
}

}  // namespace

applayer::RecordHead record_head(const applayer::Transaction& tx, std::size_t n) {
    (void)n;
    const auto& t = static_cast<const OpcuaTransaction&>(tx);
    // Oriented as the request travelled (src: the client), or a lone response as it did.
    return {"opcua", t.request ? t.request->dir : t.response->dir};
}

void write_record(const applayer::Transaction& tx, std::size_t n, output::JsonWriter& out) {
    (void)n;
    write_opcua_object(tx, out);
}

void write_alert(const applayer::Transaction& tx, output::JsonWriter& out) {
    write_opcua_object(tx, out);
}

}  // namespace tocsin::proto::opcua
