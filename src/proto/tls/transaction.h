// The one transaction of a TLS flow: what the handshake revealed in both directions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "applayer/protocol.h"
#include "proto/tls/handshake.h"
#include "proto/tls/x509.h"

namespace tocsin::proto::tls {

struct Certificate {
    std::vector<std::uint8_t> der;
    std::optional<CertInfo> info;  // nullopt: OpenSSL could not decode it
};

// Rule buffers served by TlsTransaction::buffer, in ProtocolSpec::buffers order.
enum class Buffer : std::size_t {
    sni,
    cert_subject,
    cert_issuer,
    cert_serial,
    cert_fingerprint,
    certs,
    subjectaltname,
    random,
    ja3_hash,
    ja3_string,
    ja3s_hash,
    ja3s_string,
    ja4_hash,
    alpn,
    random_time,   // the first 4 bytes of the hello's random (gmt_unix_time in TLS 1.2)
    random_bytes,  // the other 28
    count,
};

class TlsTransaction : public applayer::Transaction {
  public:
    std::optional<Hello> client_hello;
    std::optional<Hello> server_hello;
    std::vector<Certificate> server_certs;
    std::vector<Certificate> client_certs;
    std::string ja3, ja3_hash, ja3s, ja3s_hash, ja4;
    bool resumed = false;  // the server accepted the client's session id

    // The version Suricata reports: the server's choice, else the client's best offer; 0 when
    // no hello was seen.
    std::uint16_t version() const;
    bool log_without_cert() const;  // TLS 1.3 (or a draft): the certificate is encrypted
    const CertInfo* server_cert() const;
    const CertInfo* client_cert() const;

    // SNI, JA3, JA3S, JA4 and the SHA-1 fingerprints of both sides' certificates.
    void observables(applayer::ObservableSink& out) const override;

    std::optional<ByteSpan> buffer(std::size_t index, std::size_t item) const override;
    // As a packet of `dir` sees them: the sending side's certificate (to_client the server's,
    // to_server the client's), random and ALPN list.
    std::optional<ByteSpan> buffer_for(applayer::Direction dir, std::size_t index,
                                       std::size_t item) const override;
    // tls.version (negotiated), tls.client_version / tls.server_version (what each side's
    // hello announced, for ssl_version), tls.cert_chain_len, tls.cert_notbefore/notafter (the
    // server's certificate) and tls.client_cert_notbefore/notafter, in seconds since 1970.
    std::optional<std::int64_t> number(std::string_view key) const override;
};

// "TLS 1.2", "TLSv1", "SSLv3", "TLS 1.3 draft-18", "UNDETERMINED", "0x1234".
std::string version_name(std::uint16_t version);

}  // namespace tocsin::proto::tls
