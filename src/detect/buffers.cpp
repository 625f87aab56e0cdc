#include "detect/buffers.h"

#include <array>

namespace tocsin::detect {

namespace {

using S = BufferSource;
using D = BufferDirection;

// Order fixes the ids: the first two are kBufferPayload and kBufferStream.
constexpr std::array kBuffers = {
    BufferSpec{"pkt_data", "", "", '\0', "", S::packet, D::both},
    BufferSpec{"stream", "", "", '\0', "", S::stream, D::both},
    // Packet headers: the raw header bytes of the packet's layer.
    BufferSpec{"ipv4.hdr", "", "", '\0', "", S::header, D::both},
    BufferSpec{"ipv6.hdr", "", "", '\0', "", S::header, D::both},
    BufferSpec{"tcp.hdr", "", "", '\0', "", S::header, D::both},
    BufferSpec{"udp.hdr", "", "", '\0', "", S::header, D::both},
    BufferSpec{"icmpv4.hdr", "", "", '\0', "", S::header, D::both},
    BufferSpec{"icmpv6.hdr", "", "", '\0', "", S::header, D::both},
    BufferSpec{"ether.hdr", "", "", '\0', "", S::header, D::both},
    // The packet's addresses as raw bytes (dataset/datarep of type ipv4 and ip).
    BufferSpec{"ip.src", "", "", '\0', "", S::header, D::both},
    BufferSpec{"ip.dst", "", "", '\0', "", S::header, D::both},
    // HTTP (pcre flags as Suricata documents them).
    BufferSpec{"http.uri", "http_uri", "uricontent", 'U', "http", S::app, D::to_server},
    BufferSpec{"http.uri.raw", "http_raw_uri", "", 'I', "http", S::app, D::to_server},
    BufferSpec{"http.method", "http_method", "", 'M', "http", S::app, D::to_server},
    BufferSpec{"http.protocol", "http_protocol", "", '\0', "http", S::app, D::both},
    BufferSpec{"http.request_line", "http_request_line", "", '\0', "http", S::app, D::to_server},
    BufferSpec{"http.host", "http_host", "", 'W', "http", S::app, D::to_server},
    BufferSpec{"http.host.raw", "http_raw_host", "", 'Z', "http", S::app, D::to_server},
    BufferSpec{"http.user_agent", "http_user_agent", "", 'V', "http", S::app, D::to_server},
    BufferSpec{"http.header", "http_header", "", 'H', "http", S::app, D::both},
    BufferSpec{"http.header.raw", "http_raw_header", "", 'D', "http", S::app, D::both},
    BufferSpec{"http.header_names", "http_header_names", "", '\0', "http", S::app, D::both},
    BufferSpec{"http.cookie", "http_cookie", "", 'C', "http", S::app, D::both},
    BufferSpec{"http.request_body", "http_client_body", "", 'P', "http", S::app, D::to_server},
    BufferSpec{"http.response_body", "http_server_body", "", 'Q', "http", S::app, D::to_client},
    BufferSpec{"http.stat_code", "http_stat_code", "", 'S', "http", S::app, D::to_client},
    BufferSpec{"http.stat_msg", "http_stat_msg", "", 'Y', "http", S::app, D::to_client},
    BufferSpec{"http.response_line", "http_response_line", "", '\0', "http", S::app, D::to_client},
    BufferSpec{"http.content_type", "http_content_type", "", '\0', "http", S::app, D::both},
    BufferSpec{"http.content_len", "http_content_len", "", '\0', "http", S::app, D::both},
    BufferSpec{"http.accept", "http_accept", "", '\0', "http", S::app, D::to_server},
    BufferSpec{"http.accept_enc", "http_accept_enc", "", '\0', "http", S::app, D::to_server},
    BufferSpec{"http.accept_lang", "http_accept_lang", "", '\0', "http", S::app, D::to_server},
    BufferSpec{"http.referer", "http_referer", "", '\0', "http", S::app, D::to_server},
    BufferSpec{"http.connection", "http_connection", "", '\0', "http", S::app, D::both},
    BufferSpec{"http.location", "http_location", "", '\0', "http", S::app, D::to_client},
    BufferSpec{"http.server", "http_server", "", '\0', "http", S::app, D::to_client},
    BufferSpec{"http.start", "http_start", "", '\0', "http", S::app, D::both},
    BufferSpec{"http.request_header", "", "", '\0', "http", S::app, D::to_server},
    BufferSpec{"http.response_header", "", "", '\0', "http", S::app, D::to_client},
    // Files (any protocol that carries them; HTTP first).
    BufferSpec{"file.data", "file_data", "", '\0', "", S::app, D::both},
    BufferSpec{"file.name", "", "", '\0', "", S::app, D::both},
    BufferSpec{"file.magic", "", "", '\0', "", S::app, D::both},
    // DNS.
    BufferSpec{"dns.query", "dns_query", "", '\0', "dns", S::app, D::to_server},
    BufferSpec{"dns.answer.name", "", "", '\0', "dns", S::app, D::both},
    BufferSpec{"dns.queries.rrname", "", "", '\0', "dns", S::app, D::both},
    BufferSpec{"dns.answers.rrname", "", "", '\0', "dns", S::app, D::both},
    BufferSpec{"dns.authorities.rrname", "", "", '\0', "dns", S::app, D::both},
    BufferSpec{"dns.additionals.rrname", "", "", '\0', "dns", S::app, D::both},
    BufferSpec{"dns.response.rrname", "", "", '\0', "dns", S::app, D::to_client},
    // DNP3: the reassembled application fragment of the inspected side.
    BufferSpec{"dnp3.data", "dnp3_data", "", '\0', "dnp3", S::app, D::both},
    // TLS.
    BufferSpec{"tls.sni", "tls_sni", "", '\0', "tls", S::app, D::to_server},
    // Certificate fields: the server's on packets to the client, the client's (client
    // authentication) on packets to the server.
    BufferSpec{"tls.cert_subject", "tls_cert_subject", "", '\0', "tls", S::app, D::both},
    BufferSpec{"tls.cert_issuer", "tls_cert_issuer", "", '\0', "tls", S::app, D::both},
    BufferSpec{"tls.cert_serial", "tls_cert_serial", "", '\0', "tls", S::app, D::both},
    BufferSpec{"tls.cert_fingerprint", "tls_cert_fingerprint", "", '\0', "tls", S::app, D::both},
    BufferSpec{"tls.certs", "", "", '\0', "tls", S::app, D::to_client},
    BufferSpec{"tls.subjectaltname", "", "", '\0', "tls", S::app, D::to_client},
    BufferSpec{"tls.alpn", "", "", '\0', "tls", S::app, D::both},
    BufferSpec{"tls.random", "", "", '\0', "tls", S::app, D::both},
    BufferSpec{"tls.random_time", "", "", '\0', "tls", S::app, D::both},
    BufferSpec{"tls.random_bytes", "", "", '\0', "tls", S::app, D::both},
    BufferSpec{"ja3.hash", "ja3_hash", "", '\0', "tls", S::app, D::to_server},
    BufferSpec{"ja3.string", "ja3_string", "", '\0', "tls", S::app, D::to_server},
    BufferSpec{"ja3s.hash", "ja3s_hash", "", '\0', "tls", S::app, D::to_client},
    BufferSpec{"ja3s.string", "ja3s_string", "", '\0', "tls", S::app, D::to_client},
    BufferSpec{"ja4.hash", "", "", '\0', "tls", S::app, D::to_server},
    // SSH.
    BufferSpec{"ssh.proto", "ssh_proto", "", '\0', "ssh", S::app, D::both},
    BufferSpec{"ssh.software", "ssh_software", "", '\0', "ssh", S::app, D::both},
    BufferSpec{"ssh.hassh", "", "", '\0', "ssh", S::app, D::to_server},
    BufferSpec{"ssh.hassh.string", "", "", '\0', "ssh", S::app, D::to_server},
    BufferSpec{"ssh.hassh.server", "", "", '\0', "ssh", S::app, D::to_client},
    BufferSpec{"ssh.hassh.server.string", "", "", '\0', "ssh", S::app, D::to_client},
    // EtherNet/IP: fields of the ListIdentity / ListServices replies.
    BufferSpec{"enip.product_name", "", "", '\0', "enip", S::app, D::both},
    BufferSpec{"enip.service_name", "", "", '\0', "enip", S::app, D::both},
    // IEC 61850 GOOSE (frames of one publisher, to_server).
    BufferSpec{"goose.gocbref", "", "", '\0', "goose", S::app, D::to_server},
    BufferSpec{"goose.datset", "", "", '\0', "goose", S::app, D::to_server},
    BufferSpec{"goose.goid", "", "", '\0', "goose", S::app, D::to_server},
    // MMS: each variable name's domainId / itemId (multi-buffers).
    BufferSpec{"mms.domain", "", "", '\0', "mms", S::app, D::both},
    BufferSpec{"mms.item", "", "", '\0', "mms", S::app, D::both},
    // OPC UA: the HEL's (or CreateSession's, RHE's) endpoint URL.
    BufferSpec{"opcua.endpoint_url", "", "", '\0', "opcua", S::app, D::both},
    // Decoded base64 (base64_decode fills it from the inspected buffer).
    BufferSpec{"base64_data", "", "", '\0', "", S::app, D::both},
};

}  // namespace

std::span<const BufferSpec> buffer_table() {
    return kBuffers;
}

const BufferSpec& buffer_spec(BufferId id) {
    return kBuffers[id];
}

int find_buffer(std::string_view name) {
    for (std::size_t i = 0; i < kBuffers.size(); ++i)
        if (kBuffers[i].name == name) return static_cast<int>(i);
    return -1;
}

int find_buffer_by_legacy(std::string_view modifier) {
    if (modifier.empty()) return -1;
    for (std::size_t i = 0; i < kBuffers.size(); ++i)
        if (kBuffers[i].legacy == modifier || kBuffers[i].alias == modifier)
            return static_cast<int>(i);
    return -1;
}

int find_buffer_by_pcre_flag(char flag) {
    for (std::size_t i = 0; i < kBuffers.size(); ++i)
        if (kBuffers[i].pcre_flag == flag) return static_cast<int>(i);
    return -1;
}

}  // namespace tocsin::detect
