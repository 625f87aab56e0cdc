// TLS 1.2 conversations: a full ECDHE-RSA handshake with SNI and a DER certificate, then
// application data records. Encrypted parts are random bytes of the right sizes.
#include <algorithm>
#include <array>
#include <initializer_list>

#include "gencap/apps.h"
#include "gencap/wire.h"

namespace tocsin::gencap {
namespace {

using wire::append;
using wire::put16;
using wire::put8;

constexpr std::uint8_t kRecordChangeCipherSpec = 20;
constexpr std::uint8_t kRecordAlert = 21;
constexpr std::uint8_t kRecordHandshake = 22;
constexpr std::uint8_t kRecordApplicationData = 23;
constexpr std::size_t kMaxPlaintext = 16384;
constexpr std::size_t kGcmOverhead = 8 + 16;  // explicit nonce + tag of AES-GCM records

// ---- DER, just enough for a plausible X.509 certificate ----

Bytes der(std::uint8_t tag, std::span<const std::uint8_t> content) {
    Bytes out{tag};
    const std::size_t n = content.size();
    if (n < 0x80) {
        put8(out, n);
    } else if (n < 0x100) {
        put8(out, 0x81);
        put8(out, n);
    } else {
        put8(out, 0x82);
        put16(out, n);
    }
    append(out, content);
    return out;
}

Bytes der(std::uint8_t tag, std::initializer_list<Bytes> parts) {
    Bytes content;
    for (const Bytes& part : parts) append(content, part);
    return der(tag, content);
}

Bytes der_text(std::uint8_t tag, std::string_view text) {
    return der(tag, Bytes(text.begin(), text.end()));
}

constexpr std::uint8_t kSequence = 0x30;
constexpr std::uint8_t kSet = 0x31;

const Bytes kOidSha256WithRsa{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b};
const Bytes kOidRsaEncryption{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
const Bytes kOidCountry{0x06, 0x03, 0x55, 0x04, 0x06};
const Bytes kOidOrganization{0x06, 0x03, 0x55, 0x04, 0x0a};
const Bytes kOidCommonName{0x06, 0x03, 0x55, 0x04, 0x03};
const Bytes kOidSubjectAltName{0x06, 0x03, 0x55, 0x1d, 0x11};
const Bytes kDerNull{0x05, 0x00};

// A positive INTEGER of `size` random bytes in minimal encoding (top bit set, so a 0 lead).
Bytes der_random_integer(Rng& rng, std::size_t size) {
    Bytes value(size + 1, 0);
    rng.fill(std::span(value).subspan(1));
    value[1] |= 0x80;
    return der(0x02, value);
}

Bytes der_bit_string(std::span<const std::uint8_t> content) {
    Bytes value{0x00};  // no unused bits
    append(value, content);
    return der(0x03, value);
}

Bytes rdn(const Bytes& oid, std::uint8_t string_tag, std::string_view value) {
    return der(kSet, {der(kSequence, {oid, der_text(string_tag, value)})});
}

Bytes certificate(Rng& rng, std::string_view name) {
    const Bytes algorithm = der(kSequence, {kOidSha256WithRsa, kDerNull});
    const Bytes issuer = der(kSequence, {rdn(kOidCountry, 0x13, "US"),
                                         rdn(kOidOrganization, 0x0c, "Example Trust Services"),
                                         rdn(kOidCommonName, 0x0c, "Example TLS CA R1")});
    const Bytes validity =
        der(kSequence, {der_text(0x17, "231101000000Z"), der_text(0x17, "241130235959Z")});
    const Bytes subject = der(kSequence, {rdn(kOidCommonName, 0x0c, name)});
    const Bytes rsa_key =
        der(kSequence, {der_random_integer(rng, 256), Bytes{0x02, 0x03, 0x01, 0x00, 0x01}});
    const Bytes key_info =
        der(kSequence, {der(kSequence, {kOidRsaEncryption, kDerNull}), der_bit_string(rsa_key)});
    const Bytes alt_names = der(kSequence, {der_text(0x82, name)});  // [2] dNSName
    const Bytes extensions =
        der(0xa3, {der(kSequence, {der(kSequence, {kOidSubjectAltName, der(0x04, alt_names)})})});
    Bytes serial(16);
    rng.fill(serial);
    serial[0] = static_cast<std::uint8_t>((serial[0] & 0x3f) | 0x01);  // positive, no lead zero
    const Bytes tbs = der(kSequence, {der(0xa0, {Bytes{0x02, 0x01, 0x02}}), der(0x02, serial),
                                      algorithm, issuer, validity, subject, key_info, extensions});
    Bytes signature(256);
    rng.fill(signature);
    return der(kSequence, {tbs, algorithm, der_bit_string(signature)});
}

// ---- TLS records and handshake messages ----

Bytes random_bytes(Rng& rng, std::size_t size) {
    Bytes out(size);
    rng.fill(out);
    return out;
}

Bytes record(std::uint8_t type, std::span<const std::uint8_t> body,
             std::uint16_t version = 0x0303) {
    Bytes out;
    out.reserve(5 + body.size());
    put8(out, type);
    put16(out, version);
    put16(out, body.size());
    append(out, body);
    return out;
}

Bytes handshake(std::uint8_t type, std::span<const std::uint8_t> body) {
    Bytes out;
    put8(out, type);
    wire::put24(out, body.size());
    append(out, body);
    return out;
}

void extension(Bytes& out, std::uint16_t type, std::span<const std::uint8_t> data) {
    put16(out, type);
    put16(out, data.size());
    append(out, data);
}

Bytes alpn_http11() {
    Bytes data;
    const std::size_t list = wire::open_length(data, 2);
    put8(data, 8);
    append(data, std::string_view("http/1.1"));
    wire::close_length(data, list, 2);
    return data;
}

Bytes client_hello(Rng& rng, std::string_view server_name) {
    Bytes body;
    put16(body, 0x0303);
    append(body, random_bytes(rng, 32));
    put8(body, 32);  // session id
    append(body, random_bytes(rng, 32));
    constexpr std::array<std::uint16_t, 12> kSuites{0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
                                                    0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
    put16(body, kSuites.size() * 2);
    for (const std::uint16_t suite : kSuites) put16(body, suite);
    append(body, Bytes{1, 0});  // compression: null only

    Bytes extensions;
    Bytes sni;
    put16(sni, server_name.size() + 3);
    put8(sni, 0);  // host_name
    put16(sni, server_name.size());
    append(sni, server_name);
    extension(extensions, 0x0000, sni);
    extension(extensions, 0x0017, {});        // extended_master_secret
    extension(extensions, 0xff01, Bytes{0});  // renegotiation_info
    extension(extensions, 0x000a, Bytes{0, 6, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18});  // groups
    extension(extensions, 0x000b, Bytes{1, 0});  // ec_point_formats: uncompressed
    extension(extensions, 0x0023, {});           // session_ticket
    extension(extensions, 0x0010, alpn_http11());
    extension(extensions, 0x000d, Bytes{0, 16, 4, 3, 8, 4, 4, 1, 5, 3, 8, 5, 5, 1, 8, 6, 6, 1});
    put16(body, extensions.size());
    append(body, extensions);
    return handshake(1, body);
}

Bytes server_hello(Rng& rng) {
    Bytes body;
    put16(body, 0x0303);
    append(body, random_bytes(rng, 32));
    put8(body, 32);
    append(body, random_bytes(rng, 32));
    put16(body, 0xc02f);  // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    put8(body, 0);
    Bytes extensions;
    extension(extensions, 0xff01, Bytes{0});
    extension(extensions, 0x000b, Bytes{1, 0});
    extension(extensions, 0x0017, {});
    extension(extensions, 0x0010, alpn_http11());
    put16(body, extensions.size());
    append(body, extensions);
    return handshake(2, body);
}

Bytes certificate_message(Rng& rng, std::string_view server_name) {
    const Bytes leaf = certificate(rng, server_name);
    const Bytes intermediate = certificate(rng, "Example TLS CA R1");
    Bytes body;
    wire::put24(body, leaf.size() + intermediate.size() + 6);
    for (const Bytes* cert : {&leaf, &intermediate}) {
        wire::put24(body, cert->size());
        append(body, *cert);
    }
    return handshake(11, body);
}

Bytes server_key_exchange(Rng& rng) {
    Bytes body{3, 0x00, 0x1d, 32};  // named_curve x25519, 32-byte public key
    append(body, random_bytes(rng, 32));
    put16(body, 0x0401);  // rsa_pkcs1_sha256
    put16(body, 256);
    append(body, random_bytes(rng, 256));
    return handshake(12, body);
}

Bytes client_key_exchange(Rng& rng) {
    Bytes body{32};
    append(body, random_bytes(rng, 32));
    return handshake(16, body);
}

// Records of application data (or an encrypted alert), produced as the stream is consumed.
class EncryptedRecords final : public Message {
  public:
    EncryptedRecords(bool from_client, std::uint8_t type, std::size_t plaintext_size)
        : Message(from_client), type_(type), plaintext_left_(plaintext_size) {}

    std::size_t remaining() const override {
        const std::size_t full = plaintext_left_ / kMaxPlaintext;
        const std::size_t rest = plaintext_left_ % kMaxPlaintext;
        const std::size_t pending =
            full * (5 + kGcmOverhead + kMaxPlaintext) + (rest > 0 ? 5 + kGcmOverhead + rest : 0);
        return current_.size() - offset_ + pending;
    }

    void take(std::size_t count, Rng& rng, Bytes& out) override {
        while (count > 0 && remaining() > 0) {
            if (offset_ == current_.size()) start_record(rng);
            const std::size_t n = std::min(count, current_.size() - offset_);
            out.insert(out.end(), current_.begin() + static_cast<std::ptrdiff_t>(offset_),
                       current_.begin() + static_cast<std::ptrdiff_t>(offset_ + n));
            offset_ += n;
            count -= n;
        }
    }

  private:
    void start_record(Rng& rng) {
        const std::size_t plaintext = std::min(plaintext_left_, kMaxPlaintext);
        plaintext_left_ -= plaintext;
        current_ = record(type_, random_bytes(rng, plaintext + kGcmOverhead));
        offset_ = 0;
    }

    std::uint8_t type_;
    std::size_t plaintext_left_;
    Bytes current_;
    std::size_t offset_ = 0;
};

class TlsConversation final : public Conversation {
  public:
    TlsConversation(Rng& rng, std::string server_name)
        : server_name_(std::move(server_name)),
          rounds_left_(rng.between(1, 3)),
          close_notify_(rng.percent(60)) {}

    std::unique_ptr<Message> next(Rng& rng) override {
        switch (step_++) {
            case 0:
                return stored_message(
                    true, record(kRecordHandshake, client_hello(rng, server_name_), 0x0301));
            case 1:
                return server_flight(rng);
            case 2:
                return client_finish(rng);
            case 3:
                return server_finish(rng);
            default:
                break;
        }
        if (rounds_left_ > 0) {
            // Requests and responses alternate; a round ends with its response.
            in_round_ = !in_round_;
            if (in_round_) {
                return std::make_unique<EncryptedRecords>(true, kRecordApplicationData,
                                                          rng.between(100, 800));
            }
            --rounds_left_;
            return std::make_unique<EncryptedRecords>(false, kRecordApplicationData,
                                                      rng.log_uniform(200, 200000));
        }
        if (close_notify_) {
            close_notify_ = false;
            return std::make_unique<EncryptedRecords>(true, kRecordAlert, 2);
        }
        return nullptr;
    }

  private:
    std::unique_ptr<Message> server_flight(Rng& rng) const {
        Bytes flight = record(kRecordHandshake, server_hello(rng));
        append(flight, record(kRecordHandshake, certificate_message(rng, server_name_)));
        append(flight, record(kRecordHandshake, server_key_exchange(rng)));
        append(flight, record(kRecordHandshake, handshake(14, {})));  // ServerHelloDone
        return stored_message(false, std::move(flight));
    }

    static std::unique_ptr<Message> client_finish(Rng& rng) {
        Bytes flight = record(kRecordHandshake, client_key_exchange(rng));
        append(flight, record(kRecordChangeCipherSpec, Bytes{1}));
        append(flight, record(kRecordHandshake, random_bytes(rng, 40)));  // encrypted Finished
        return stored_message(true, std::move(flight));
    }

    static std::unique_ptr<Message> server_finish(Rng& rng) {
        Bytes flight = record(kRecordChangeCipherSpec, Bytes{1});
        append(flight, record(kRecordHandshake, random_bytes(rng, 40)));
        return stored_message(false, std::move(flight));
    }

    std::string server_name_;
    int step_ = 0;
    bool in_round_ = false;  // a request was sent and its response is due
    std::uint64_t rounds_left_;
    bool close_notify_;
};

}  // namespace

std::unique_ptr<Conversation> tls_conversation(Rng& rng, std::string server_name) {
    return std::make_unique<TlsConversation>(rng, std::move(server_name));
}

}  // namespace tocsin::gencap
