// Where a TAXII server lives: the URL a user types (`--from https://hub:8443/api1/`), checked
// and split, the rule that keeps API keys off plain-text links, and the local names derived
// from it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tocsin::share {

struct Endpoint {
    std::string scheme;  // "http" or "https"
    std::string host;    // a DNS name, an IPv4 address, or an IPv6 address without brackets
    int port = 0;        // always set (80/443 when the URL names none)
    std::string path;    // begins and ends with '/'

    bool operator==(const Endpoint&) const = default;

    bool is_https() const { return scheme == "https"; }
    // "https://hub:8443" (the port always; IPv6 hosts in brackets): what the HTTP client opens.
    std::string origin() const;
    // The URL as people write it: the port only when it is not the scheme's default.
    std::string url() const;
    // The URL of another `path` (absolute, encoded) on the same origin.
    std::string url_of(std::string_view other_path) const;
    bool same_origin(const Endpoint& other) const;
};

// Accepts "http(s)://host[:port][/path]" and nothing else: no user:password@ (API keys go in
// --key-file), no query or fragment, no control characters or spaces. The path gains a
// trailing '/' when it lacks one (every TAXII URL ends with one).
std::optional<Endpoint> parse_endpoint(std::string_view url, std::string& error);

// "localhost", 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104.
bool is_loopback_host(std::string_view host);

// Why a connection to `endpoint` is refused, or nullopt when it is allowed: https always; plain
// http only to a loopback host unless `allow_insecure_http`, because the API key would cross
// the network in the clear.
std::optional<std::string> insecure_transport_refusal(const Endpoint& endpoint,
                                                      bool allow_insecure_http);

// Resolves a URL a server returned (an API root listed by discovery): absolute, or a path on
// the same origin ("/api1/"), or relative to `base`'s path.
std::optional<Endpoint> resolve_reference(const Endpoint& base, std::string_view reference,
                                          std::string& error);

// Percent-encodes everything outside RFC 3986's unreserved characters, so a collection id or a
// status id from a server can never add path segments ("../") or a query to a request.
std::string encode_path_segment(std::string_view text);

// A folder/file name unique to an API root and a collection, readable and safe in any file
// system: "hub-8443-api1-<collection>" (characters outside [A-Za-z0-9._-] become '-'; names
// longer than 120 characters are cut and end with a hash of the whole).
std::string local_name(const Endpoint& api_root, std::string_view collection);

}  // namespace tocsin::share
