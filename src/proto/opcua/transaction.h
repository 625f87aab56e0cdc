// One OPC UA binary transaction: a request message and its response (HEL/ACK, OPN, MSG paired
// by request id, CLO alone, ERR/RHE alone or answering a HEL). Shared by the parser
// (opcua.cpp) and the EVE writer (eve.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "applayer/protocol.h"

namespace tocsin::proto::opcua {

// Rule buffers served, in ProtocolSpec::buffers order.
enum class BufferId : std::size_t { endpoint_url, count };

// A node and attribute of a Read or Write request (ReadValueId / WriteValue).
struct NodeAttribute {
    std::string node_id;  // "i=2258", "ns=1;s=the.answer", "ns=1;g=<guid>", "ns=2;b=<hex>"
    std::uint32_t attribute_id = 0;
    std::string value;  // Write: the written value when it is a simple scalar
};

// A method a Call request invokes (CallMethodRequest).
struct MethodCall {
    std::string object_id;
    std::string method_id;
};

// An ApplicationDescription (OPC 10000-4 7.2): who a client or server says it is.
struct Application {
    std::string application_uri;
    std::string product_uri;
    std::string application_name;
    std::optional<std::uint32_t> application_type;  // 0 server, 1 client, 2 both, 3 discovery
    bool empty() const {
        return application_uri.empty() && product_uri.empty() && application_name.empty();
    }
};

// One message of either side: UA TCP header, secure conversation headers and, unencrypted,
// the service's type and headers.
struct Message {
    std::string type;  // "HEL", "ACK", "OPN", "MSG", "CLO", "ERR", "RHE"
    applayer::Direction dir = applayer::Direction::to_server;  // as the flow sees it
    char chunk_type = 'F';
    std::uint64_t size = 0;  // bytes of all its chunks
    std::uint32_t chunks = 0;
    bool aborted = false;  // an 'A' chunk ended it

    // HEL / ACK (OPC 10000-6 7.1.2.3-4).
    std::optional<std::uint32_t> version, receive_buffer_size, send_buffer_size, max_message_size,
        max_chunk_count;
    std::optional<std::string> endpoint_url;
    std::optional<std::string> server_uri;  // RHE

    // ERR and abort chunks: StatusCode and reason.
    std::optional<std::uint32_t> error;
    std::optional<std::string> reason;

    // Secure conversation (OPC 10000-6 6.7.2).
    std::optional<std::uint32_t> secure_channel_id, token_id, sequence_number, request_id;
    std::optional<std::string> security_policy;
    std::optional<std::int32_t> sender_certificate_length;
    std::string sender_certificate_sha1;  // hex SHA-1 of the certificate (its thumbprint)
    std::optional<std::int32_t> receiver_thumbprint_length;
    std::string receiver_thumbprint;  // hex
    bool encrypted = false;           // the body could not be read (a secured channel)

    // Service (when readable).
    std::optional<std::uint32_t> type_id;  // the encoding NodeId's numeric id (namespace 0)
    std::string type_node;                 // the encoding NodeId as text, when not numeric ns 0
    std::string authentication_token;      // RequestHeader
    std::optional<std::string> timestamp;  // Request/ResponseHeader, ISO 8601
    std::optional<std::uint32_t> request_handle;
    std::optional<std::uint32_t> service_result;  // ResponseHeader
    bool body_truncated = false;                  // the service's own fields ended early

    // Service details.
    std::vector<NodeAttribute> nodes;                // Read / Write requests
    std::vector<MethodCall> calls;                   // Call requests
    std::vector<std::uint32_t> results;              // Write / Call responses
    std::optional<std::uint32_t> request_type;       // OPN: 0 issue, 1 renew
    std::optional<std::uint32_t> security_mode;      // OPN request: 1 none, 2 sign, 3 both
    std::optional<std::uint32_t> lifetime;           // OPN: requested / revised lifetime
    std::optional<std::uint32_t> issued_channel_id;  // OPN response: SecurityToken
    std::optional<std::uint32_t> issued_token_id;
    std::string session_name;                 // CreateSession request
    std::string session_id;                   // CreateSession response
    std::string issued_authentication_token;  // CreateSession response
    Application application;                  // CreateSession: client (request) / server (response)
    std::vector<Application> servers;         // GetEndpoints / CreateSession endpoints
    std::vector<std::string> endpoint_policies;  // their security policy URIs
    std::string identity_token;                  // ActivateSession: the token's type name
    std::string user_name;                       // UserNameIdentityToken
};

class OpcuaTransaction final : public applayer::Transaction {
  public:
    std::optional<ByteSpan> buffer(std::size_t index, std::size_t item) const override;
    std::optional<std::int64_t> number(std::string_view key) const override;
    void describe_devices(applayer::DeviceFacts& out) const override;

    std::optional<Message> request;   // the client's (to_server, unless picked up midstream)
    std::optional<Message> response;  // the server's
    // The message whose service and status describe the exchange (the request's service, the
    // response's status).
    const Message* any() const { return request ? &*request : response ? &*response : nullptr; }
};

// Names of the standard services' encoding ids (NodeIds.csv "<X>_Encoding_DefaultBinary"),
// status codes (StatusCodes.csv) and attribute ids (OPC 10000-6 A.1); "" when unknown.
std::string_view service_name(std::uint32_t type_id);
std::optional<std::uint32_t> service_id(std::string_view name);  // by name, request first
std::string_view status_name(std::uint32_t code);
std::optional<std::uint32_t> status_code(std::string_view name);
std::string_view attribute_name(std::uint32_t id);

}  // namespace tocsin::proto::opcua
