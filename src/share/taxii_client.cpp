#include "share/taxii_client.h"

#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>

#include "share/stix.h"

namespace tocsin::share {
namespace {

constexpr std::string_view kUserAgent = "tocsin/0.1.0";

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string with_query(const std::string& path, const QueryParameters& query) {
    std::string out = path;
    char separator = '?';
    for (const auto& [name, value] : query) {
        out += separator;
        out += encode_path_segment(name) + '=' + encode_path_segment(value);
        separator = '&';
    }
    return out;
}

bool is_retryable_status(int status) {
    return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
           status == 504;
}

bool is_retryable_error(httplib::Error error) {
    switch (error) {
        case httplib::Error::Unknown:
        case httplib::Error::Connection:
        case httplib::Error::Read:
        case httplib::Error::Write:
        case httplib::Error::ConnectionTimeout:
        case httplib::Error::SSLConnection:
            return true;
        default:
            return false;
    }
}

std::string text_member(const Json& object, const char* name) {
    const auto it = object.find(name);
    if (it == object.end()) return {};
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number()) return it->dump();
    return {};
}

// Server text on one line (an HTML error page would otherwise spread over the terminal).
std::string one_line(std::string_view text) {
    std::string out(text);
    std::replace_if(
        out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
    return out;
}

// The member `name` of `object`, or null (const operator[] must not be used on absent members).
const Json& member(const Json& object, const char* name) {
    static const Json kNull;
    const auto it = object.find(name);
    return it == object.end() ? kNull : *it;
}

bool is_taxii_21(const Json& versions) {
    if (!versions.is_array()) return false;
    return std::any_of(versions.begin(), versions.end(), [](const Json& v) {
        if (!v.is_string()) return false;
        std::string text = lower(v.get<std::string>());
        std::erase(text, ' ');
        return text == kTaxiiMediaType;
    });
}

}  // namespace

std::string HttpReply::header(std::string_view lower_case_name) const {
    const auto it = headers.find(lower_case_name);
    return it == headers.end() ? std::string() : it->second;
}

std::string describe_http_error(int status, std::string_view reason, std::string_view body) {
    std::string out = fmt::format("HTTP {}", status);
    if (!reason.empty()) out += fmt::format(" {}", reason);
    std::string parse_error;
    const auto error = parse_json(body, parse_error);
    if (error && error->is_object() && error->contains("title")) {
        // The title often repeats the reason phrase ("Unauthorized"): shown once.
        if (const auto title = one_line(text_member(*error, "title")); title != reason)
            out += ": " + title;
        if (const auto description = text_member(*error, "description"); !description.empty())
            out += ": " + one_line(description);
        std::vector<std::string> details;
        for (const char* field : {"http_status", "error_id", "error_code", "external_details"}) {
            if (const auto value = text_member(*error, field); !value.empty())
                details.push_back(fmt::format("{} {}", field, one_line(value)));
        }
        if (!details.empty()) out += fmt::format(" ({})", fmt::join(details, ", "));
    } else if (!body.empty()) {
        out += ": " + one_line(body.substr(0, 300));
    }
    return out;
}

struct TaxiiClient::Impl {
    Impl(Endpoint server_in, TransportOptions options_in, const Messages& messages_in)
        : server(std::move(server_in)),
          options(std::move(options_in)),
          messages(messages_in),
          http(server.origin()) {}

    Endpoint server;
    TransportOptions options;
    const Messages& messages;
    httplib::Client http;

    HttpReply exchange(const std::string& method, const std::string& target,
                       const std::string* body);
    HttpReply attempt(const std::string& method, const std::string& target, const std::string* body,
                      bool& retryable);
    std::string describe_transport_error(httplib::Error error, bool too_big, bool too_slow);
};

HttpReply TaxiiClient::Impl::exchange(const std::string& method, const std::string& target,
                                      const std::string* body) {
    auto backoff = options.first_backoff;
    const int tries = std::max(1, options.tries);
    for (int attempt_number = 1;; ++attempt_number) {
        bool retryable = false;
        HttpReply reply = attempt(method, target, body, retryable);
        if (reply.ok() || !retryable) return reply;
        if (attempt_number >= tries) {
            reply.error += fmt::format(" (gave up after {} tries)", tries);
            return reply;
        }
        messages.warn(fmt::format("tocsin: {} {}: {}; retrying in {} ms ({}/{})", method,
                                  server.url_of(target), reply.error, backoff.count(),
                                  attempt_number + 1, tries));
        std::this_thread::sleep_for(backoff);
        backoff *= 2;
    }
}

HttpReply TaxiiClient::Impl::attempt(const std::string& method, const std::string& target,
                                     const std::string* body, bool& retryable) {
    httplib::Request request;
    request.method = method;
    request.path = target;
    request.set_header("Accept", std::string(kTaxiiMediaType));
    request.set_header("User-Agent", std::string(kUserAgent));
    if (body != nullptr) {
        request.body = *body;
        request.set_header("Content-Type", std::string(kTaxiiMediaType));
    }
    HttpReply reply;
    bool too_big = false;
    bool too_slow = false;
    const auto deadline = std::chrono::steady_clock::now() + options.request_timeout;
    request.content_receiver = [&](const char* data, std::size_t size, std::uint64_t,
                                   std::uint64_t) {
        too_big = reply.body.size() + size > options.max_response_bytes;
        too_slow = std::chrono::steady_clock::now() > deadline;
        if (too_big || too_slow) return false;
        reply.body.append(data, size);
        return true;
    };
    const auto result = http.send(request);
    if (!result) {
        retryable = is_retryable_error(result.error()) && !too_big && !too_slow;
        reply.error = describe_transport_error(result.error(), too_big, too_slow);
        return reply;
    }
    reply.status = result->status;
    for (const auto& [name, value] : result->headers) reply.headers.emplace(lower(name), value);
    if (reply.status < 200 || reply.status > 299) {
        retryable = is_retryable_status(reply.status);
        reply.error = messages.clean(describe_http_error(reply.status, result->reason, reply.body));
    }
    return reply;
}

std::string TaxiiClient::Impl::describe_transport_error(httplib::Error error, bool too_big,
                                                        bool too_slow) {
    const std::string where = fmt::format("{}:{}", server.host, server.port);
    if (too_big)
        return fmt::format("the answer from {} is larger than {} bytes", where,
                           options.max_response_bytes);
    if (too_slow)
        return fmt::format("the answer from {} took longer than {} s", where,
                           options.request_timeout.count());
    switch (error) {
        case httplib::Error::Connection:
            return fmt::format("cannot connect to {}", where);
        case httplib::Error::ConnectionTimeout:
            return fmt::format("timed out connecting to {}", where);
        case httplib::Error::Read:
        case httplib::Error::Write:
            return fmt::format("the connection to {} broke", where);
        case httplib::Error::SSLConnection:
            return fmt::format("the TLS handshake with {} failed", where);
        case httplib::Error::SSLLoadingCerts:
            return fmt::format("cannot load the CA certificates{}",
                               options.ca_cert_file.empty() ? std::string(" of the system")
                                                            : " in " + options.ca_cert_file);
        case httplib::Error::SSLServerVerification: {
            const long verify = http.get_openssl_verify_result();
            const std::string reason = verify == X509_V_OK
                                           ? fmt::format("it is not made out to '{}'", server.host)
                                           : X509_verify_cert_error_string(verify);
            return fmt::format(
                "the certificate of {} is not trusted: {} (--ca-cert names the "
                "CA that issued it)",
                where, reason);
        }
        default:
            return fmt::format("request to {} failed ({})", where, httplib::to_string(error));
    }
}

TaxiiClient::TaxiiClient(Endpoint server, const Credentials& credentials, TransportOptions options,
                         const Messages& messages)
    : impl_(std::make_unique<Impl>(std::move(server), std::move(options), messages)) {
    auto& http = impl_->http;
    const auto& opts = impl_->options;
    http.set_follow_location(false);  // a redirect could carry the key to another host
    http.set_url_encode(false);       // targets are encoded here
    http.set_keep_alive(true);
    // Headers and body leave in separate writes: without this, Nagle's algorithm holds the
    // body until the server's delayed ACK (about 40 ms per POST).
    http.set_tcp_nodelay(true);
    http.set_connection_timeout(opts.connect_timeout);
    http.set_read_timeout(opts.read_timeout);
    http.set_write_timeout(opts.read_timeout);
    if (impl_->server.is_https()) {
        http.enable_server_certificate_verification(true);
        if (!opts.ca_cert_file.empty()) http.set_ca_cert_path(opts.ca_cert_file);
    }
    if (!credentials.user.empty())
        http.set_basic_auth(credentials.user, credentials.key);
    else if (!credentials.key.empty())
        http.set_bearer_token_auth(credentials.key);
}

TaxiiClient::~TaxiiClient() = default;

const Endpoint& TaxiiClient::server() const {
    return impl_->server;
}

HttpReply TaxiiClient::get(const std::string& path, const QueryParameters& query) {
    return impl_->exchange("GET", with_query(path, query), nullptr);
}

HttpReply TaxiiClient::post(const std::string& path, const std::string& body) {
    return impl_->exchange("POST", path, &body);
}

namespace {

// GETs `endpoint` and parses the JSON object it answers with.
std::optional<Json> get_resource(TaxiiClient& client, const Endpoint& endpoint,
                                 std::string& error) {
    const HttpReply reply = client.get(endpoint.path);
    if (!reply.ok()) {
        error = fmt::format("{}: {}", endpoint.url(), reply.error);
        return std::nullopt;
    }
    std::string parse_error;
    auto resource = parse_json(reply.body, parse_error);
    if (!resource || !resource->is_object()) {
        error = fmt::format("{}: not a TAXII resource ({})", endpoint.url(),
                            resource ? "not a JSON object" : parse_error);
        return std::nullopt;
    }
    return resource;
}

// The API root a discovery resource points at: its default, or its only one.
std::optional<Endpoint> api_root_of_discovery(const Json& discovery, const Endpoint& url,
                                              std::string& error) {
    std::string chosen = text_member(discovery, "default");
    const Json& roots = member(discovery, "api_roots");
    if (chosen.empty() && roots.is_array() && roots.size() == 1 && roots[0].is_string())
        chosen = roots[0].get<std::string>();
    if (chosen.empty()) {
        std::vector<std::string> listed;
        if (roots.is_array())
            for (const auto& root : roots)
                if (root.is_string() && listed.size() < 20)
                    listed.push_back(root.get<std::string>());
        error = fmt::format(
            "{} is a discovery resource without a default API root; give one of "
            "its API roots instead: {}",
            url.url(),
            listed.empty() ? "(none listed)" : fmt::format("{}", fmt::join(listed, " ")));
        return std::nullopt;
    }
    std::string resolve_error;
    auto root = resolve_reference(url, chosen, resolve_error);
    if (!root) {
        error = fmt::format("{}: the API root '{}' is not a usable URL: {}", url.url(), chosen,
                            resolve_error);
        return std::nullopt;
    }
    if (!root->same_origin(url)) {
        error = fmt::format(
            "{} points to the API root {} on another server; give that URL "
            "directly if you trust it with the key",
            url.url(), root->url());
        return std::nullopt;
    }
    return root;
}

}  // namespace

std::optional<ApiRoot> open_api_root(TaxiiClient& client, const Endpoint& url,
                                     const Messages& messages, std::string& error) {
    auto resource = get_resource(client, url, error);
    if (!resource) return std::nullopt;
    ApiRoot root{url, {}, 0};
    if (resource->contains("api_roots")) {
        auto endpoint = api_root_of_discovery(*resource, url, error);
        if (!endpoint) return std::nullopt;
        messages.say(fmt::format("tocsin: {} is a discovery resource; using its API root {}",
                                 url.url(), endpoint->url()));
        resource = get_resource(client, *endpoint, error);
        if (!resource) return std::nullopt;
        root.endpoint = *endpoint;
    }
    if (!is_taxii_21(member(*resource, "versions"))) {
        error = fmt::format("{} is not a TAXII 2.1 API root (its 'versions' do not list {})",
                            root.endpoint.url(), kTaxiiMediaType);
        return std::nullopt;
    }
    root.title = messages.clean(text_member(*resource, "title"), 200);
    const Json& max_length = member(*resource, "max_content_length");
    if (max_length.is_number_unsigned()) root.max_content_length = max_length.get<std::uint64_t>();
    return root;
}

}  // namespace tocsin::share
