#include "proto/tls/transaction.h"

#include <array>
#include <cstdio>

namespace tocsin::proto::tls {

namespace {

ByteSpan bytes_of(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// The n-th of the values present among `candidates` (server first, then client).
std::optional<ByteSpan> nth_present(std::initializer_list<const std::string*> candidates,
                                    std::size_t item) {
    for (const std::string* s : candidates) {
        if (s == nullptr) continue;
        if (item == 0) return bytes_of(*s);
        --item;
    }
    return std::nullopt;
}

// tls.random_time / tls.random_bytes: the random's first 4 bytes and the 28 after them.
std::optional<ByteSpan> random_part(ByteSpan random, Buffer which) {
    constexpr std::size_t kTimeBytes = 4;
    if (random.size() < kTimeBytes) return std::nullopt;
    return which == Buffer::random_time ? random.first(kTimeBytes) : random.subspan(kTimeBytes);
}

bool is_tls13_draft(std::uint16_t v) {
    return (v >> 8) == 0x7f;
}

}  // namespace

std::string version_name(std::uint16_t version) {
    switch (version) {
        case 0:
            return "UNDETERMINED";
        case 0x0002:
        case 0x0200:
            return "SSLv2";
        case 0x0300:
            return "SSLv3";
        case 0x0301:
            return "TLSv1";
        case 0x0302:
            return "TLS 1.1";
        case 0x0303:
            return "TLS 1.2";
        case 0x0304:
            return "TLS 1.3";
        default:
            break;
    }
    std::array<char, 32> text{};
    if (is_tls13_draft(version)) {
        // Drafts before 16 are not told apart (several of them used 0x7f01..0x7f0f loosely).
        const unsigned draft = version & 0xff;
        if (draft < 16)
            std::snprintf(text.data(), text.size(), "TLS 1.3 draft-<16");
        else
            std::snprintf(text.data(), text.size(), "TLS 1.3 draft-%u", draft);
    } else {
        std::snprintf(text.data(), text.size(), "0x%04x", version);
    }
    return text.data();
}

std::uint16_t TlsTransaction::version() const {
    if (server_hello) {
        // Drafts 1..15 put 0x0304 in ServerHello.version itself; the RFC keeps 0x0303 there
        // and selects 0x0304 through supported_versions. 0x7f00 reads "TLS 1.3 draft-<16".
        if (server_hello->supported_versions.empty() && server_hello->legacy_version == 0x0304)
            return 0x7f00;
        return server_hello->version();
    }
    if (client_hello) return client_hello->version();
    return 0;
}

bool TlsTransaction::log_without_cert() const {
    if (!server_hello) return false;
    const std::uint16_t v = server_hello->version();
    return v == 0x0304 || is_tls13_draft(v);
}

const CertInfo* TlsTransaction::server_cert() const {
    return !server_certs.empty() && server_certs.front().info ? &*server_certs.front().info
                                                              : nullptr;
}

const CertInfo* TlsTransaction::client_cert() const {
    return !client_certs.empty() && client_certs.front().info ? &*client_certs.front().info
                                                              : nullptr;
}

std::optional<ByteSpan> TlsTransaction::buffer_for(applayer::Direction dir, std::size_t index,
                                                   std::size_t item) const {
    const bool to_server = dir == applayer::Direction::to_server;
    const CertInfo* cert = to_server ? client_cert() : server_cert();
    const std::vector<Certificate>& chain = to_server ? client_certs : server_certs;
    const std::optional<Hello>& hello = to_server ? client_hello : server_hello;
    auto field = [&](const std::string& value) -> std::optional<ByteSpan> {
        if (item != 0) return std::nullopt;
        return bytes_of(value);
    };
    switch (static_cast<Buffer>(index)) {
        case Buffer::cert_subject:
            return cert != nullptr ? field(cert->subject) : std::nullopt;
        case Buffer::cert_issuer:
            return cert != nullptr ? field(cert->issuer) : std::nullopt;
        case Buffer::cert_serial:
            return cert != nullptr ? field(cert->serial) : std::nullopt;
        case Buffer::cert_fingerprint:
            return cert != nullptr ? field(cert->fingerprint) : std::nullopt;
        case Buffer::certs:
            if (item < chain.size()) return ByteSpan(chain[item].der);
            return std::nullopt;
        case Buffer::subjectaltname:
            if (cert != nullptr && item < cert->sans.size()) return bytes_of(cert->sans[item]);
            return std::nullopt;
        case Buffer::random:
            if (hello && item == 0) return ByteSpan(hello->random);
            return std::nullopt;
        case Buffer::random_time:
        case Buffer::random_bytes:
            if (hello && item == 0) return random_part(hello->random, static_cast<Buffer>(index));
            return std::nullopt;
        case Buffer::alpn:
            if (hello && item < hello->alpns.size()) return bytes_of(hello->alpns[item]);
            return std::nullopt;
        default:
            return buffer(index, item);
    }
}

std::optional<ByteSpan> TlsTransaction::buffer(std::size_t index, std::size_t item) const {
    const CertInfo* server = server_cert();
    const CertInfo* client = client_cert();
    // Certificate buffers list the server's first certificate, then the client's: detection
    // does not tell this function the direction it inspects.
    auto cert_field = [&](std::string CertInfo::*field) {
        return nth_present(
            {server ? &(server->*field) : nullptr, client ? &(client->*field) : nullptr}, item);
    };
    auto non_empty = [](const std::string& s) { return s.empty() ? nullptr : &s; };
    switch (static_cast<Buffer>(index)) {
        case Buffer::sni:
            if (item == 0 && client_hello && client_hello->sni) return bytes_of(*client_hello->sni);
            return std::nullopt;
        case Buffer::cert_subject:
            return cert_field(&CertInfo::subject);
        case Buffer::cert_issuer:
            return cert_field(&CertInfo::issuer);
        case Buffer::cert_serial:
            return cert_field(&CertInfo::serial);
        case Buffer::cert_fingerprint:
            return cert_field(&CertInfo::fingerprint);
        case Buffer::certs:
            if (item < server_certs.size()) return ByteSpan(server_certs[item].der);
            item -= server_certs.size();
            if (item < client_certs.size()) return ByteSpan(client_certs[item].der);
            return std::nullopt;
        case Buffer::subjectaltname:
            if (server != nullptr && item < server->sans.size())
                return bytes_of(server->sans[item]);
            return std::nullopt;
        case Buffer::random:
            // Client random first, then the server's (see cert buffers on direction).
            if (client_hello) {
                if (item == 0) return ByteSpan(client_hello->random);
                --item;
            }
            if (server_hello && item == 0) return ByteSpan(server_hello->random);
            return std::nullopt;
        case Buffer::random_time:
        case Buffer::random_bytes:
            // As tls.random: the client's first, then the server's.
            if (client_hello) {
                if (item == 0) return random_part(client_hello->random, static_cast<Buffer>(index));
                --item;
            }
            if (server_hello && item == 0)
                return random_part(server_hello->random, static_cast<Buffer>(index));
            return std::nullopt;
        case Buffer::ja3_hash:
            return nth_present({non_empty(ja3_hash)}, item);
        case Buffer::ja3_string:
            return nth_present({non_empty(ja3)}, item);
        case Buffer::ja3s_hash:
            return nth_present({non_empty(ja3s_hash)}, item);
        case Buffer::ja3s_string:
            return nth_present({non_empty(ja3s)}, item);
        case Buffer::ja4_hash:
            return nth_present({non_empty(ja4)}, item);
        case Buffer::alpn:
            if (client_hello) {
                if (item < client_hello->alpns.size()) return bytes_of(client_hello->alpns[item]);
                item -= client_hello->alpns.size();
            }
            if (server_hello && item < server_hello->alpns.size())
                return bytes_of(server_hello->alpns[item]);
            return std::nullopt;
        case Buffer::count:
            break;
    }
    return std::nullopt;
}

std::optional<std::int64_t> TlsTransaction::number(std::string_view key) const {
    // tls.version / ssl_version: the negotiated version as its wire number (0x0303 for
    // TLS 1.2, 0x0002 or 0x0200 for SSLv2); detection maps "1.2", "tls1.2"... onto it.
    if (key == "tls.version" || key == "ssl_version") {
        const std::uint16_t v = version();
        if (v == 0) return std::nullopt;
        return v;
    }
    if (key == "tls.cert_chain_len") {
        if (server_certs.empty()) return std::nullopt;
        return static_cast<std::int64_t>(server_certs.size());
    }
    // ssl_version compares what each side's hello announced; a side whose hello was not seen
    // (a capture that starts mid-handshake) counts as the negotiated version.
    if (key == "tls.client_version" || key == "tls.server_version") {
        const std::optional<Hello>& hello =
            key == "tls.client_version" ? client_hello : server_hello;
        const std::uint16_t v = hello ? hello->version() : version();
        if (v == 0) return std::nullopt;
        return v;
    }
    const CertInfo* cert = server_cert();
    if (key == "tls.cert_notbefore" && cert != nullptr) return cert->not_before;
    if (key == "tls.cert_notafter" && cert != nullptr) return cert->not_after;
    const CertInfo* client = client_cert();
    if (key == "tls.client_cert_notbefore" && client != nullptr) return client->not_before;
    if (key == "tls.client_cert_notafter" && client != nullptr) return client->not_after;
    return std::nullopt;
}

void TlsTransaction::observables(applayer::ObservableSink& out) const {
    if (client_hello && client_hello->sni && !client_hello->sni->empty())
        out.add(applayer::Observable::domain, *client_hello->sni, applayer::Direction::to_server);
    if (!ja3_hash.empty())
        out.add(applayer::Observable::ja3, ja3_hash, applayer::Direction::to_server);
    if (!ja4.empty()) out.add(applayer::Observable::ja4, ja4, applayer::Direction::to_server);
    if (!ja3s_hash.empty())
        out.add(applayer::Observable::ja3s, ja3s_hash, applayer::Direction::to_client);
    for (const Certificate& cert : server_certs)
        if (cert.info && !cert.info->fingerprint.empty())
            out.add(applayer::Observable::x509_sha1, cert.info->fingerprint,
                    applayer::Direction::to_client);
    for (const Certificate& cert : client_certs)
        if (cert.info && !cert.info->fingerprint.empty())
            out.add(applayer::Observable::x509_sha1, cert.info->fingerprint,
                    applayer::Direction::to_server);
}

}  // namespace tocsin::proto::tls
