// One TAXII 2.1 server over HTTPS (or HTTP to this machine): authenticated requests with the
// TAXII media type, bounded answers, bounded retries, and errors people can act on.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "share/credentials.h"
#include "share/endpoint.h"
#include "share/messages.h"

namespace tocsin::share {

struct TransportOptions {
    std::string ca_cert_file;  // PEM; empty: the system's CAs. The name is always checked.
    bool allow_insecure_http = false;
    int tries = 3;  // attempts per request on network errors, 408, 429 and 5xx
    std::chrono::milliseconds first_backoff{1000};  // doubles after each failed attempt
    std::chrono::seconds connect_timeout{10};
    std::chrono::seconds read_timeout{60};       // between two reads
    std::chrono::seconds request_timeout{600};   // a whole answer, however slowly it drips
    std::size_t max_response_bytes = 64u << 20;  // a page or a status; larger ones fail
};

using QueryParameters = std::vector<std::pair<std::string, std::string>>;

struct HttpReply {
    int status = 0;    // HTTP status; 0 when no answer came
    std::string body;  // at most TransportOptions::max_response_bytes
    std::map<std::string, std::string, std::less<>> headers;  // names in lower case
    // Set when the exchange failed after its retries (network, TLS, bound, or a status that is
    // not 2xx with the server's TAXII error shown). Already cleaned for display.
    std::string error;

    bool ok() const { return error.empty(); }
    std::string header(std::string_view lower_case_name) const;
};

class TaxiiClient {
  public:
    // `server`'s scheme, host and port are used (its path is not). Check the transport first
    // (insecure_transport_refusal): the client does not refuse on its own.
    TaxiiClient(Endpoint server, const Credentials& credentials, TransportOptions options,
                const Messages& messages);
    ~TaxiiClient();
    TaxiiClient(const TaxiiClient&) = delete;
    TaxiiClient& operator=(const TaxiiClient&) = delete;

    const Endpoint& server() const;

    // GET `path` (absolute, already encoded) with `query` (encoded here).
    HttpReply get(const std::string& path, const QueryParameters& query = {});
    // POST `body` (a TAXII envelope) to `path`.
    HttpReply post(const std::string& path, const std::string& body);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// "HTTP 403 Forbidden: <title>: <description> (http_status 403, error_id ...)": the TAXII
// error message resource in `body` when there is one, else the start of the body.
std::string describe_http_error(int status, std::string_view reason, std::string_view body);

// An API root as its information resource describes it.
struct ApiRoot {
    Endpoint endpoint;
    std::string title;
    std::uint64_t max_content_length = 0;  // 0: the server named none
};

// Opens `url`, an API root or a discovery resource (then its `default` API root, or its only
// one). Refuses servers that do not speak TAXII 2.1 and API roots on another origin (the key is
// only ever sent where the user pointed it).
std::optional<ApiRoot> open_api_root(TaxiiClient& client, const Endpoint& url,
                                     const Messages& messages, std::string& error);

}  // namespace tocsin::share
