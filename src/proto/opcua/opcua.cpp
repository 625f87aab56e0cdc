// OPC UA binary over TCP (OPC 10000-6 7.1 UA TCP, 6.7 secure conversation, 5.2 binary
// encoding; services of OPC 10000-4). Each direction's bytes are cut into messages by their
// 8-byte header (type, chunk type, size); chunks of one request id are joined (bounded); the
// service's encoding NodeId, request/response header and the fields of a few services are read
// when the channel is unencrypted. Requests and responses pair by request id.
#include "proto/opcua/opcua.h"

#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <map>

#include "core/number_expr.h"
#include "proto/opcua/binary.h"
#include "proto/opcua/eve.h"
#include "proto/opcua/transaction.h"

namespace tocsin::proto::opcua {

namespace {

using applayer::Direction;
using applayer::ParseContext;

constexpr std::size_t kHeaderBytes = 8;
constexpr std::string_view kPolicyNone = "http://opcfoundation.org/UA/SecurityPolicy#None";
constexpr std::size_t kMaxPending = 64;  // requests awaiting a response per flow
constexpr std::size_t kMaxPartial = 8;   // chunked messages being joined per direction
constexpr std::uint32_t kDefaultMaxChunks = 4096;
constexpr std::size_t kMaxItems = 256;  // nodes / calls / results / servers kept
constexpr std::array<std::string_view, 7> kTypes = {"HEL", "ACK", "OPN", "MSG",
                                                    "CLO", "ERR", "RHE"};

bool known_type(ByteSpan three) {
    for (std::string_view t : kTypes)
        if (std::equal(t.begin(), t.end(), three.begin(), three.end())) return true;
    return false;
}

// A plausible UA TCP header: known type, chunk type F (C and A only for the secured types),
// size of at least the header.
bool plausible_header(ByteSpan data, std::size_t max_size) {
    ByteCursor c(data);
    const ByteSpan type = c.bytes(3);
    const std::uint8_t chunk = c.u8();
    const std::uint32_t size = c.u32le();
    if (!c.ok() || !known_type(type)) return false;
    const bool secured = type[0] == 'O' || type[0] == 'M' || type[0] == 'C';
    if (!(chunk == 'F' || (secured && (chunk == 'C' || chunk == 'A')))) return false;
    return size >= kHeaderBytes && size <= max_size;
}

std::string sha1_hex(ByteSpan der) {
    // The sender certificate may be a chain; its first (DER SEQUENCE) certificate is the
    // sender's: thumbprint = SHA-1 of those bytes (OPC 10000-6 6.7.2.3).
    ByteCursor c(der);
    std::size_t length = der.size();
    if (c.u8() == 0x30) {
        const std::uint8_t len = c.u8();
        std::size_t body = len;
        if (len & 0x80) {
            body = 0;
            for (unsigned i = 0; i < (len & 0x7fu) && i < 4; ++i) body = body << 8 | c.u8();
        }
        if (c.ok() && c.offset() + body <= der.size()) length = c.offset() + body;
    }
    std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
    SHA1(der.data(), length, digest.data());
    return hex_text(ByteSpan(digest.data(), digest.size()));
}

// ApplicationDescription (OPC 10000-4 7.2).
Application read_application(UaReader& r) {
    Application a;
    a.application_uri = r.string();
    a.product_uri = r.string();
    r.skip_localized_text(&a.application_name);
    a.application_type = r.u32();
    (void)r.bytes();        // GatewayServerUri
    (void)r.bytes();        // DiscoveryProfileUri
    r.skip_string_array();  // DiscoveryUrls
    return a;
}

// EndpointDescription (OPC 10000-4 7.14): its server and security policy are kept.
void read_endpoints(UaReader& r, Message& m) {
    const std::size_t n = r.array_length();
    for (std::size_t i = 0; i < n && r.ok(); ++i) {
        (void)r.bytes();  // EndpointUrl
        Application server = read_application(r);
        (void)r.bytes();  // ServerCertificate
        (void)r.u32();    // MessageSecurityMode
        std::string policy = r.string();
        const std::size_t tokens = r.array_length();  // UserTokenPolicy[]
        for (std::size_t t = 0; t < tokens && r.ok(); ++t) {
            (void)r.bytes();  // PolicyId
            (void)r.u32();    // TokenType
            (void)r.bytes();  // IssuedTokenType
            (void)r.bytes();  // IssuerEndpointUrl
            (void)r.bytes();  // SecurityPolicyUri
        }
        (void)r.bytes();  // TransportProfileUri
        (void)r.u8();     // SecurityLevel
        if (r.ok() && m.servers.size() < kMaxItems) {
            m.servers.push_back(std::move(server));
            m.endpoint_policies.push_back(std::move(policy));
        }
    }
}

void skip_signature_data(UaReader& r) {
    (void)r.bytes();  // Algorithm
    (void)r.bytes();  // Signature
}

// The identity token's type (its binary encoding id, NodeIds.csv).
std::string_view identity_token_name(std::optional<std::uint32_t> id) {
    if (!id) return "unknown";
    switch (*id) {
        case 321:
            return "AnonymousIdentityToken";
        case 324:
            return "UserNameIdentityToken";
        case 327:
            return "X509IdentityToken";
        case 940:
            return "IssuedIdentityToken";
        default:
            return "unknown";
    }
}

// The service's own fields after its request/response header, for the services whose
// fields matter to the record, rules or asset inventory.
void read_service_fields(std::uint32_t type, UaReader& r, Message& m) {
    switch (type) {
        case 446:           // OpenSecureChannelRequest
            (void)r.u32();  // ClientProtocolVersion
            m.request_type = r.u32();
            m.security_mode = r.u32();
            (void)r.bytes();  // ClientNonce
            m.lifetime = r.u32();
            break;
        case 449:           // OpenSecureChannelResponse
            (void)r.u32();  // ServerProtocolVersion
            m.issued_channel_id = r.u32();
            m.issued_token_id = r.u32();
            (void)r.i64();  // CreatedAt
            m.lifetime = r.u32();
            break;
        case 461: {  // CreateSessionRequest
            m.application = read_application(r);
            (void)r.bytes();  // ServerUri
            std::string url = r.string();
            if (!url.empty()) m.endpoint_url = std::move(url);
            m.session_name = r.string();
            break;
        }
        case 464:  // CreateSessionResponse
            m.session_id = r.node_id().text;
            m.issued_authentication_token = r.node_id().text;
            (void)r.f64();    // RevisedSessionTimeout
            (void)r.bytes();  // ServerNonce
            (void)r.bytes();  // ServerCertificate
            read_endpoints(r, m);
            if (!m.servers.empty()) m.application = m.servers.front();
            break;
        case 467: {  // ActivateSessionRequest
            skip_signature_data(r);
            const std::size_t certs = r.array_length();
            for (std::size_t i = 0; i < certs && r.ok(); ++i) skip_signature_data(r);
            r.skip_string_array();  // LocaleIds
            const UaReader::Extension token = r.extension_object();
            if (!r.ok()) break;
            m.identity_token = identity_token_name(token.type.numeric);
            if (token.type.numeric == 324u && token.body) {
                UaReader body(*token.body);
                (void)body.bytes();  // PolicyId
                m.user_name = body.string();
            }
            break;
        }
        case 431:  // GetEndpointsResponse
            read_endpoints(r, m);
            break;
        case 425: {  // FindServersResponse
            const std::size_t n = r.array_length();
            for (std::size_t i = 0; i < n && r.ok(); ++i) {
                Application a = read_application(r);
                if (r.ok() && m.servers.size() < kMaxItems) m.servers.push_back(std::move(a));
            }
            break;
        }
        case 631: {         // ReadRequest
            (void)r.f64();  // MaxAge
            (void)r.u32();  // TimestampsToReturn
            const std::size_t n = r.array_length();
            for (std::size_t i = 0; i < n && r.ok(); ++i) {
                NodeAttribute node;
                node.node_id = r.node_id().text;
                node.attribute_id = r.u32();
                (void)r.bytes();          // IndexRange
                r.skip_qualified_name();  // DataEncoding
                if (r.ok() && m.nodes.size() < kMaxItems) m.nodes.push_back(std::move(node));
            }
            break;
        }
        case 673: {  // WriteRequest
            const std::size_t n = r.array_length();
            for (std::size_t i = 0; i < n && r.ok(); ++i) {
                NodeAttribute node;
                node.node_id = r.node_id().text;
                node.attribute_id = r.u32();
                (void)r.bytes();  // IndexRange
                r.skip_data_value(0, &node.value);
                if (r.ok() && m.nodes.size() < kMaxItems) m.nodes.push_back(std::move(node));
            }
            break;
        }
        case 712: {  // CallRequest
            const std::size_t n = r.array_length();
            for (std::size_t i = 0; i < n && r.ok(); ++i) {
                MethodCall call;
                call.object_id = r.node_id().text;
                call.method_id = r.node_id().text;
                const std::size_t args = r.array_length();
                for (std::size_t a = 0; a < args && r.ok(); ++a) r.skip_variant();
                if (r.ok() && m.calls.size() < kMaxItems) m.calls.push_back(std::move(call));
            }
            break;
        }
        case 676: {  // WriteResponse: Results StatusCode[]
            const std::size_t n = r.array_length();
            for (std::size_t i = 0; i < n && r.ok(); ++i) {
                const std::uint32_t code = r.u32();
                if (r.ok() && m.results.size() < kMaxItems) m.results.push_back(code);
            }
            break;
        }
        case 715: {  // CallResponse: CallMethodResult[]; their StatusCodes
            const std::size_t n = r.array_length();
            for (std::size_t i = 0; i < n && r.ok(); ++i) {
                const std::uint32_t code = r.u32();
                const std::size_t inputs = r.array_length();
                for (std::size_t k = 0; k < inputs && r.ok(); ++k) (void)r.u32();
                const std::size_t diags = r.array_length();
                for (std::size_t k = 0; k < diags && r.ok(); ++k) r.skip_diagnostic_info();
                const std::size_t outputs = r.array_length();
                for (std::size_t k = 0; k < outputs && r.ok(); ++k) r.skip_variant();
                if (r.ok() && m.results.size() < kMaxItems) m.results.push_back(code);
            }
            break;
        }
        default:
            break;
    }
}

bool is_request_type(std::uint32_t type) {
    return service_name(type).ends_with("Request");
}

// A service message body (after the sequence header): encoding NodeId, request or response
// header, then the service's fields. False when it could not be read at all.
bool read_service(ByteSpan body, Message& m, ParseContext& ctx, applayer::Transaction& tx) {
    UaReader r(body);
    const UaReader::NodeId type = r.node_id(true);
    if (!r.ok()) return false;
    if (type.numeric)
        m.type_id = *type.numeric;
    else
        m.type_node = type.text;
    if (!type.numeric || service_name(*type.numeric).empty()) {
        ctx.event("opcua.unknown_service", &tx);
        return true;
    }
    const std::uint32_t id = *type.numeric;
    if (is_request_type(id)) {
        // RequestHeader (OPC 10000-4 7.32).
        m.authentication_token = r.node_id().text;
        m.timestamp = date_text(r.i64());
        m.request_handle = r.u32();
        (void)r.u32();               // ReturnDiagnostics
        (void)r.bytes();             // AuditEntryId
        (void)r.u32();               // TimeoutHint
        (void)r.extension_object();  // AdditionalHeader
    } else {
        // ResponseHeader (OPC 10000-4 7.33); ServiceFault is one alone.
        m.timestamp = date_text(r.i64());
        m.request_handle = r.u32();
        m.service_result = r.u32();
        r.skip_diagnostic_info();
        r.skip_string_array();       // StringTable
        (void)r.extension_object();  // AdditionalHeader
    }
    if (m.timestamp && m.timestamp->empty()) m.timestamp.reset();
    if (!r.ok()) {
        m.body_truncated = true;
        ctx.event("opcua.malformed_body", &tx);
        return true;
    }
    read_service_fields(id, r, m);
    if (!r.ok()) {
        m.body_truncated = true;
        ctx.event("opcua.malformed_body", &tx);
    }
    return true;
}

// A body a signed-only channel leaves readable starts with a known service's four-byte
// NodeId in namespace 0; an encrypted one almost never does.
bool readable_service(ByteSpan body) {
    UaReader r(body);
    const UaReader::NodeId type = r.node_id(true);
    return r.ok() && type.numeric && !service_name(*type.numeric).empty();
}

// A message being joined from chunks of one request id.
struct Partial {
    Message message;
    std::vector<std::uint8_t> body;
};

class OpcuaParser final : public applayer::Parser {
  public:
    explicit OpcuaParser(const applayer::AppLimits& limits)
        : max_message_(std::max<std::size_t>(limits.max_record_bytes, 1024)) {}

    void parse(Direction dir, ByteSpan data, ParseContext& ctx) override {
        Side& side = sides_[flow::dir_index(dir)];
        // The rest of a message too large to keep: passed over.
        const std::size_t skipped = std::min<std::size_t>(side.skip, data.size());
        side.skip -= skipped;
        data = data.subspan(skipped);
        if (data.empty()) return;
        if (side.buffer.empty()) {
            const std::size_t used = frame(dir, data, ctx);
            keep(side, data.subspan(used));
        } else {
            side.buffer.insert(side.buffer.end(), data.begin(), data.end());
            std::vector<std::uint8_t> held = std::move(side.buffer);
            side.buffer.clear();
            const std::size_t used = frame(dir, ByteSpan(held), ctx);
            keep(side, ByteSpan(held).subspan(used));
        }
    }

    void gap(Direction dir, std::uint64_t length, ParseContext& ctx) override {
        (void)length;
        Side& side = sides_[flow::dir_index(dir)];
        side.buffer.clear();
        side.skip = 0;
        side.lost = true;  // resynchronise on the next plausible header
        side.partials.clear();
        ctx.event("opcua.gap");
    }

    void finish(ParseContext& ctx) override {
        for (auto& tx : ctx.transactions()) {
            auto* t = dynamic_cast<OpcuaTransaction*>(tx.get());
            if (t == nullptr || t->records_ready > 0) continue;
            complete(*t, ctx, Direction::to_client);
        }
    }

  private:
    struct Side {
        std::vector<std::uint8_t> buffer;
        std::size_t skip = 0;
        bool lost = false;
        std::map<std::uint32_t, Partial> partials;  // by request id
    };

    void keep(Side& side, ByteSpan rest) { side.buffer.assign(rest.begin(), rest.end()); }

    // Cuts whole messages off the front of `data`; returns the bytes used.
    std::size_t frame(Direction dir, ByteSpan data, ParseContext& ctx) {
        Side& side = sides_[flow::dir_index(dir)];
        std::size_t at = 0;
        while (data.size() - at >= kHeaderBytes) {
            const ByteSpan rest = data.subspan(at);
            if (side.lost) {
                // After a gap: the next place a plausible header starts.
                std::size_t found = 0;
                while (found + kHeaderBytes <= rest.size() &&
                       !plausible_header(rest.subspan(found), max_message_))
                    ++found;
                at += found;
                if (found + kHeaderBytes > rest.size()) return at;
                side.lost = false;
                continue;
            }
            ByteCursor c(rest);
            const ByteSpan type = c.bytes(3);
            (void)c.u8();
            const std::uint32_t size = c.u32le();
            if (!known_type(type) || size < kHeaderBytes) {
                ctx.event(!known_type(type) ? "opcua.invalid_message_type"
                                            : "opcua.invalid_message_size");
                side.lost = true;
                ++at;
                continue;
            }
            if (size > max_message_) {
                ctx.event("opcua.message_too_large");
                const std::size_t have = std::min<std::size_t>(size, rest.size());
                side.skip = size - have;
                at += have;
                continue;
            }
            if (rest.size() < size) break;
            message(dir, rest.first(size), ctx);
            at += size;
        }
        return at;
    }

    OpcuaTransaction& open(Direction dir, ParseContext& ctx) {
        // A peer that never answers may not make requests pile up: past 64 waiting, or when
        // the flow's transaction bound is near (the app layer would drop the oldest unlogged),
        // the oldest waiting request is logged without its response.
        std::size_t pending = 0;
        for (auto& tx : ctx.transactions())
            if (tx->records_ready == 0) ++pending;
        const bool crowded = ctx.transactions().size() + 1 >= ctx.limits().max_transactions;
        if (pending >= kMaxPending || (crowded && pending > 0)) {
            for (auto& tx : ctx.transactions()) {
                if (tx->records_ready != 0) continue;
                ctx.event("opcua.too_many_pending", tx.get());
                complete(static_cast<OpcuaTransaction&>(*tx), ctx, dir);
                break;
            }
        }
        return ctx.add(std::make_unique<OpcuaTransaction>(), dir);
    }

    static void complete(OpcuaTransaction& tx, ParseContext& ctx, Direction dir) {
        tx.done = {true, true};
        tx.records_ready = 1;
        ctx.touch(tx, dir);
    }

    // The oldest unanswered transaction whose request `matches`.
    template <typename Pred>
    OpcuaTransaction* pending(ParseContext& ctx, Pred matches) {
        for (auto& tx : ctx.transactions()) {
            auto* t = dynamic_cast<OpcuaTransaction*>(tx.get());
            if (t != nullptr && t->records_ready == 0 && t->request && !t->response &&
                matches(*t->request))
                return t;
        }
        return nullptr;
    }

    // A request by its content where it tells (a midstream pickup may take the server for
    // the client): HEL, CLO and RHE open exchanges, ACK and ERR answer, a service says which
    // it is; otherwise the direction decides.
    static bool is_request(const Message& m) {
        if (m.type == "HEL" || m.type == "CLO" || m.type == "RHE") return true;
        if (m.type == "ACK" || m.type == "ERR") return false;
        if (m.type_id && !service_name(*m.type_id).empty()) return is_request_type(*m.type_id);
        return m.dir == Direction::to_server;
    }

    // Places a finished message: a request opens a transaction (CLO and RHE need no answer),
    // a response completes the one it answers.
    OpcuaTransaction& place(Direction dir, Message m, ParseContext& ctx) {
        m.dir = dir;
        const std::string type = m.type;
        if (is_request(m)) {
            OpcuaTransaction& tx = open(dir, ctx);
            const bool alone = type == "CLO" || type == "RHE" || type == "ERR";
            tx.request = std::move(m);
            tx.done[flow::dir_index(dir)] = true;
            if (alone) complete(tx, ctx, dir);
            return tx;
        }
        OpcuaTransaction* tx = nullptr;
        if (type == "ACK") {
            tx = pending(ctx, [](const Message& r) { return r.type == "HEL"; });
        } else if (type == "ERR") {
            // The server's error ends the connection: it answers the oldest open request.
            tx = pending(ctx, [](const Message&) { return true; });
        } else if (m.request_id) {
            const std::uint32_t id = *m.request_id;
            tx = pending(ctx, [&](const Message& r) {
                return r.request_id == id && r.type == (type == "OPN" ? "OPN" : "MSG");
            });
        } else if (m.encrypted) {
            // Encrypted both ways: no request id to read; answered in order.
            tx = pending(ctx, [&](const Message& r) { return r.encrypted && r.type == type; });
        }
        if (tx == nullptr) tx = &open(dir, ctx);
        tx->response = std::move(m);
        complete(*tx, ctx, dir);
        return *tx;
    }

    void message(Direction dir, ByteSpan bytes, ParseContext& ctx) {
        ByteCursor c(bytes);
        Message m;
        const ByteSpan type = c.bytes(3);
        m.type.assign(type.begin(), type.end());
        m.chunk_type = static_cast<char>(c.u8());
        m.size = c.u32le();
        m.chunks = 1;
        UaReader r(c.rest());
        // Events are collected on a scratch transaction and moved to the one the message
        // lands in (known only once it is placed).
        OpcuaTransaction scratch;
        auto event = [&](std::string_view name) { scratch.events.push_back(name); };
        if (m.type == "HEL" || m.type == "ACK") {
            m.version = r.u32();
            m.receive_buffer_size = r.u32();
            m.send_buffer_size = r.u32();
            m.max_message_size = r.u32();
            m.max_chunk_count = r.u32();
            if (m.type == "HEL") m.endpoint_url = r.string();
            if (!r.ok()) event("opcua.malformed_message");
            if (m.max_chunk_count && *m.max_chunk_count != 0)
                max_chunks_ = std::min(max_chunks_, *m.max_chunk_count);
        } else if (m.type == "ERR") {
            m.error = r.u32();
            m.reason = r.string();
            if (!r.ok()) event("opcua.malformed_message");
        } else if (m.type == "RHE") {
            m.server_uri = r.string();
            m.endpoint_url = r.string();
            if (!r.ok()) event("opcua.malformed_message");
        } else {
            secured(dir, r, m, event);
            if (m.chunk_type != 'F') {
                chunk(dir, std::move(m), r, scratch, ctx);
                return;
            }
        }
        finish_message(dir, std::move(m), r, scratch, ctx);
    }

    // OPN / MSG / CLO: secure channel id, security header, and when readable the sequence
    // header (OPC 10000-6 6.7.2).
    template <typename Event>
    void secured(Direction dir, UaReader& r, Message& m, Event&& event) {
        m.secure_channel_id = r.u32();
        bool readable = true;
        if (m.type == "OPN") {
            // Asymmetric security header.
            const auto policy = r.bytes();
            m.security_policy = policy ? std::string(policy->begin(), policy->end()) : "";
            const std::int32_t cert_length = r.peek_i32();
            const auto cert = r.bytes();
            m.sender_certificate_length = cert_length;
            if (cert && !cert->empty()) m.sender_certificate_sha1 = sha1_hex(*cert);
            const std::int32_t thumb_length = r.peek_i32();
            const auto thumb = r.bytes();
            m.receiver_thumbprint_length = thumb_length;
            if (thumb) m.receiver_thumbprint = hex_text(*thumb);
            if (!r.ok()) {
                event("opcua.malformed_message");
                return;
            }
            if (dir == Direction::to_server) policy_ = *m.security_policy;
            // OPN of a secured policy is signed and encrypted whatever the mode.
            readable = *m.security_policy == kPolicyNone || m.security_policy->empty();
        } else {
            m.token_id = r.u32();
            if (!r.ok()) {
                event("opcua.malformed_message");
                return;
            }
            // A secured channel's body: readable only when signed, not encrypted.
            if (!policy_.empty() && policy_ != kPolicyNone) {
                ByteCursor peek(r.cursor().peek_rest());
                readable = peek.skip(8) && readable_service(peek.rest());
            }
        }
        if (!readable) {
            m.encrypted = true;
            return;
        }
        m.sequence_number = r.u32();
        m.request_id = r.u32();
        if (!r.ok()) event("opcua.malformed_message");
    }

    // A chunk of a larger message: kept by request id until its final chunk, or dropped by
    // an abort chunk (which carries an error and reason).
    void chunk(Direction dir, Message m, UaReader& r, OpcuaTransaction& scratch,
               ParseContext& ctx) {
        Side& side = sides_[flow::dir_index(dir)];
        if (m.encrypted || !m.request_id) {
            finish_message(dir, std::move(m), r, scratch, ctx);
            return;
        }
        const std::uint32_t id = *m.request_id;
        auto it = side.partials.find(id);
        if (m.chunk_type == 'A') {
            m.aborted = true;
            if (it != side.partials.end()) {
                m.chunks += it->second.message.chunks;
                m.size += it->second.message.size;
                side.partials.erase(it);
            }
            m.error = r.u32();
            m.reason = r.string();
            scratch.events.push_back("opcua.chunk_aborted");
            place_with_events(dir, std::move(m), scratch, ctx);
            return;
        }
        if (it == side.partials.end()) {
            if (side.partials.size() >= kMaxPartial) {
                scratch.events.push_back("opcua.too_many_chunked_messages");
                side.partials.erase(side.partials.begin());
            }
            it = side.partials.emplace(id, Partial{m, {}}).first;
            it->second.message.chunks = 0;
            it->second.message.size = 0;
        }
        Partial& p = it->second;
        const ByteSpan body = r.cursor().rest();
        ++p.message.chunks;
        p.message.size += m.size;
        if (p.message.chunks > max_chunks_ || p.body.size() + body.size() > max_message_) {
            scratch.events.push_back("opcua.message_too_large");
            Message whole = std::move(p.message);
            side.partials.erase(it);
            whole.body_truncated = true;
            place_with_events(dir, std::move(whole), scratch, ctx);
            return;
        }
        p.body.insert(p.body.end(), body.begin(), body.end());
    }

    void finish_message(Direction dir, Message m, UaReader& r, OpcuaTransaction& scratch,
                        ParseContext& ctx) {
        Side& side = sides_[flow::dir_index(dir)];
        std::vector<std::uint8_t> joined;
        ByteSpan body = r.cursor().rest();
        const bool secured = m.type == "OPN" || m.type == "MSG" || m.type == "CLO";
        if (secured && m.request_id) {
            if (auto it = side.partials.find(*m.request_id); it != side.partials.end()) {
                // The final chunk of a chunked message: its body completes the joined one.
                joined = std::move(it->second.body);
                joined.insert(joined.end(), body.begin(), body.end());
                m.chunks += it->second.message.chunks;
                m.size += it->second.message.size;
                side.partials.erase(it);
                body = ByteSpan(joined);
            }
        }
        // The transaction the message lands in gets the service's events, so read into a
        // copy first and place after.
        if (secured && !m.encrypted && m.request_id && r.ok()) {
            if (!read_service(body, m, ctx, scratch))
                scratch.events.push_back("opcua.malformed_body");
        }
        place_with_events(dir, std::move(m), scratch, ctx);
    }

    void place_with_events(Direction dir, Message m, OpcuaTransaction& scratch, ParseContext& ctx) {
        OpcuaTransaction& target = place(dir, std::move(m), ctx);
        for (std::string_view e : scratch.events) ctx.event(e, &target);
    }

    std::size_t max_message_;
    std::uint32_t max_chunks_ = kDefaultMaxChunks;
    std::string policy_;  // the channel's security policy, from the client's OPN
    std::array<Side, 2> sides_;
};

// ---- Probe --------------------------------------------------------------------------------

applayer::Probe probe(ByteSpan data, Direction dir, bool on_port) {
    (void)dir;
    (void)on_port;
    if (data.size() < kHeaderBytes) {
        // Decide early when the bytes so far cannot begin a header.
        const std::size_t n = std::min<std::size_t>(data.size(), 3);
        for (std::string_view t : kTypes)
            if (std::equal(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n), t.begin()))
                return applayer::Probe::need_more;
        return applayer::Probe::no_match;
    }
    return plausible_header(data, 1u << 24) ? applayer::Probe::match : applayer::Probe::no_match;
}

std::unique_ptr<applayer::Parser> make_opcua_parser(const applayer::AppLimits& limits) {
    return std::make_unique<OpcuaParser>(limits);
}

// ---- Rule keywords ----------------------------------------------------------------------

const OpcuaTransaction* as_opcua(const applayer::Transaction& tx) {
    return dynamic_cast<const OpcuaTransaction*>(&tx);
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '"')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '"')) s.remove_suffix(1);
    return s;
}

// opcua.msgtype:<HEL|ACK|OPN|MSG|CLO|ERR|RHE>: either side's message type.
class MsgTypeTest final : public applayer::TxTest {
  public:
    explicit MsgTypeTest(std::string type) : type_(std::move(type)) {}
    bool matches(const applayer::Transaction& tx, Direction) const override {
        const auto* t = as_opcua(tx);
        if (t == nullptr) return false;
        return (t->request && t->request->type == type_) ||
               (t->response && t->response->type == type_);
    }

  private:
    std::string type_;
};

std::unique_ptr<const applayer::TxTest> compile_msgtype(std::string_view value,
                                                        std::string& error) {
    std::string v(trim(value));
    std::transform(v.begin(), v.end(), v.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    if (std::find(kTypes.begin(), kTypes.end(), v) == kTypes.end()) {
        error = "opcua.msgtype: expected HEL, ACK, OPN, MSG, CLO, ERR or RHE";
        return nullptr;
    }
    return std::make_unique<MsgTypeTest>(std::move(v));
}

// opcua.service:<name or type id>: "ReadRequest" or 631 (either side's encoding id), or the
// service's base name "Read" (its request or its response).
class ServiceTest final : public applayer::TxTest {
  public:
    ServiceTest(std::optional<std::uint32_t> id, std::string base)
        : id_(id), base_(std::move(base)) {}
    bool matches(const applayer::Transaction& tx, Direction) const override {
        const auto* t = as_opcua(tx);
        if (t == nullptr) return false;
        for (const auto* m :
             {t->request ? &*t->request : nullptr, t->response ? &*t->response : nullptr}) {
            if (m == nullptr || !m->type_id) continue;
            if (id_ && *m->type_id == *id_) return true;
            if (!base_.empty()) {
                const std::string_view name = service_name(*m->type_id);
                if (name.starts_with(base_) && (name.substr(base_.size()) == "Request" ||
                                                name.substr(base_.size()) == "Response"))
                    return true;
            }
        }
        return false;
    }

  private:
    std::optional<std::uint32_t> id_;
    std::string base_;
};

std::unique_ptr<const applayer::TxTest> compile_service(std::string_view value,
                                                        std::string& error) {
    const std::string v(trim(value));
    if (v.empty()) {
        error = "opcua.service needs a service name or type id";
        return nullptr;
    }
    if (std::all_of(v.begin(), v.end(), [](unsigned char ch) { return std::isdigit(ch); }))
        return std::make_unique<ServiceTest>(static_cast<std::uint32_t>(std::stoul(v.substr(0, 9))),
                                             "");
    if (auto id = service_id(v); id && service_name(*id) == v)
        return std::make_unique<ServiceTest>(id, "");
    if (service_id(v)) return std::make_unique<ServiceTest>(std::nullopt, v);
    error = "opcua.service: unknown service '";
    error += v;
    error += "'";
    return nullptr;
}

// opcua.status:<number expression or name>: the response's service result (or an ERR's or
// abort chunk's error).
class StatusTest final : public applayer::TxTest {
  public:
    StatusTest(std::optional<NumberExpr> expr, std::optional<std::uint32_t> named)
        : expr_(expr), named_(named) {}
    bool matches(const applayer::Transaction& tx, Direction) const override {
        const auto* t = as_opcua(tx);
        if (t == nullptr) return false;
        for (const auto* m :
             {t->response ? &*t->response : nullptr, t->request ? &*t->request : nullptr}) {
            if (m == nullptr) continue;
            const std::optional<std::uint32_t> code =
                m->service_result ? m->service_result : m->error;
            if (!code) continue;
            if (named_) return (*code & 0xffff0000u) == *named_;
            return expr_->matches(*code);
        }
        return false;
    }

  private:
    std::optional<NumberExpr> expr_;
    std::optional<std::uint32_t> named_;
};

std::unique_ptr<const applayer::TxTest> compile_status(std::string_view value, std::string& error) {
    const std::string v(trim(value));
    if (auto code = status_code(v)) return std::make_unique<StatusTest>(std::nullopt, code);
    if (auto expr = NumberExpr::parse(v)) return std::make_unique<StatusTest>(expr, std::nullopt);
    error = "opcua.status: expected a status code name (BadTimeout) or number expression";
    return nullptr;
}

constexpr applayer::ProtocolKeyword kKeywords[] = {
    {"opcua.msgtype", applayer::ProtocolKeyword::Value::required, compile_msgtype},
    {"opcua.service", applayer::ProtocolKeyword::Value::required, compile_service},
    {"opcua.status", applayer::ProtocolKeyword::Value::required, compile_status},
};

constexpr std::array<std::string_view, static_cast<std::size_t>(BufferId::count)> kBuffers{
    "opcua.endpoint_url",
};

constexpr std::array<std::uint16_t, 1> kPorts{4840};

}  // namespace

std::optional<ByteSpan> OpcuaTransaction::buffer(std::size_t index, std::size_t item) const {
    if (static_cast<BufferId>(index) != BufferId::endpoint_url || item != 0) return std::nullopt;
    for (const auto* m : {request ? &*request : nullptr, response ? &*response : nullptr})
        if (m != nullptr && m->endpoint_url)
            return ByteSpan(reinterpret_cast<const std::uint8_t*>(m->endpoint_url->data()),
                            m->endpoint_url->size());
    return std::nullopt;
}

std::optional<std::int64_t> OpcuaTransaction::number(std::string_view key) const {
    const Message* m = any();
    if (m == nullptr) return std::nullopt;
    if (key == "opcua.request_id" && m->request_id) return *m->request_id;
    if (key == "opcua.secure_channel_id" && m->secure_channel_id) return *m->secure_channel_id;
    return std::nullopt;
}

// The server's identity from its ApplicationDescription (CreateSession response, else the
// first endpoint or server a GetEndpoints/FindServers response lists); the client's from its
// CreateSession request. Write and Call are control.
void OpcuaTransaction::describe_devices(applayer::DeviceFacts& out) const {
    auto describe = [](const Application& a, applayer::DeviceFacts::Fields& fields) {
        if (!a.application_name.empty()) fields.emplace_back("name", a.application_name);
        if (!a.product_uri.empty()) fields.emplace_back("product", a.product_uri);
    };
    // The flow's responder is the OPC UA server unless the flow was picked up reversed.
    auto& server = response && response->dir == Direction::to_server ? out.client : out.server;
    auto& client = &server == &out.server ? out.client : out.server;
    if (response) {
        if (!response->application.empty())
            describe(response->application, server);
        else if (!response->servers.empty())
            describe(response->servers.front(), server);
    }
    if (request && request->type_id == 461u) describe(request->application, client);
    if (request && (request->type_id == 673u || request->type_id == 712u)) out.control = true;
}

const applayer::ProtocolSpec& protocol() {
    static const applayer::ProtocolSpec spec{
        .name = "opcua",
        .tcp = true,
        .ports = kPorts,
        .probe = probe,
        .make_parser = make_opcua_parser,
        .buffers = kBuffers,
        .record_head = record_head,
        .write_record = write_record,
        .write_alert = write_alert,
        .keywords = kKeywords,
        .client_role = "opcua client",
        .server_role = "opcua server",
    };
    return spec;
}

std::unique_ptr<applayer::Parser> make_parser(const applayer::AppLimits& limits) {
    return make_opcua_parser(limits);
}

}  // namespace tocsin::proto::opcua
