#include "share/endpoint.h"

#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "core/address.h"

namespace tocsin::share {
namespace {

constexpr std::size_t kMaxHostLength = 253;
constexpr std::size_t kMaxUrlLength = 2048;
constexpr std::size_t kMaxLocalName = 120;
constexpr std::size_t kLocalNamePrefix = 100;

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && lower(text.substr(0, prefix.size())) == prefix;
}

int default_port(std::string_view scheme) {
    return scheme == "https" ? 443 : 80;
}

bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

bool is_path_char(char c) {
    return c > 0x20 && c < 0x7f && c != '\\';
}

bool is_unreserved(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
           c == '~';
}

std::optional<int> parse_port(std::string_view text) {
    int port = 0;
    if (text.empty() || text.size() > 5) return std::nullopt;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (ec != std::errc{} || end != text.data() + text.size() || port < 1 || port > 65535)
        return std::nullopt;
    return port;
}

// Splits "host[:port]" or "[v6][:port]" into the endpoint's host and port.
bool parse_authority(std::string_view authority, Endpoint& endpoint, std::string& error) {
    std::string_view host = authority;
    std::string_view port_text;
    bool bracketed = false;
    bool has_port = false;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            error = "unterminated '[' in the host";
            return false;
        }
        host = authority.substr(1, close - 1);
        const std::string_view rest = authority.substr(close + 1);
        if (!rest.empty() && rest.front() != ':') {
            error = "unexpected characters after ']'";
            return false;
        }
        has_port = !rest.empty();
        if (has_port) port_text = rest.substr(1);
        bracketed = true;
    } else if (const auto colon = authority.find(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port_text = authority.substr(colon + 1);
        has_port = true;
    }
    if (host.empty() || host.size() > kMaxHostLength) {
        error = "no host";
        return false;
    }
    if (bracketed) {
        const auto address = IpAddress::parse(host);
        if (!address || address->family != 6) {
            error = "not an IPv6 address between '[' and ']'";
            return false;
        }
    } else if (!std::all_of(host.begin(), host.end(), is_name_char)) {
        error = "the host may hold only letters, digits, '-', '.' and '_'";
        return false;
    }
    endpoint.host = lower(host);
    endpoint.port = default_port(endpoint.scheme);
    if (has_port) {
        const auto port = parse_port(port_text);
        if (!port) {
            error = "the port must be a number from 1 to 65535";
            return false;
        }
        endpoint.port = *port;
    }
    return true;
}

std::string hex(std::span<const unsigned char> bytes) {
    std::string out;
    for (const unsigned char b : bytes) out += fmt::format("{:02x}", b);
    return out;
}

// Characters outside [A-Za-z0-9._-] become '-', runs of '-' collapse, and no name starts with
// '.' or '-' (hidden files, options).
std::string sanitize_name(std::string_view text) {
    std::string out;
    for (const char c : text) {
        const char kept = is_name_char(c) ? c : '-';
        if (kept == '-' && (out.empty() || out.back() == '-')) continue;
        out += kept;
    }
    while (!out.empty() && (out.front() == '.' || out.front() == '-')) out.erase(out.begin());
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out;
}

}  // namespace

std::string Endpoint::origin() const {
    const bool v6 = host.find(':') != std::string::npos;
    return fmt::format("{}://{}{}{}:{}", scheme, v6 ? "[" : "", host, v6 ? "]" : "", port);
}

std::string Endpoint::url() const {
    const bool v6 = host.find(':') != std::string::npos;
    const std::string port_part =
        port == default_port(scheme) ? std::string() : fmt::format(":{}", port);
    return fmt::format("{}://{}{}{}{}{}", scheme, v6 ? "[" : "", host, v6 ? "]" : "", port_part,
                       path);
}

std::string Endpoint::url_of(std::string_view other_path) const {
    Endpoint other = *this;
    other.path = std::string(other_path);
    return other.url();
}

bool Endpoint::same_origin(const Endpoint& other) const {
    return scheme == other.scheme && host == other.host && port == other.port;
}

std::optional<Endpoint> parse_endpoint(std::string_view url, std::string& error) {
    if (url.size() > kMaxUrlLength) {
        error = "the URL is too long";
        return std::nullopt;
    }
    Endpoint endpoint;
    std::string_view rest;
    if (starts_with_nocase(url, "https://")) {
        endpoint.scheme = "https";
        rest = url.substr(8);
    } else if (starts_with_nocase(url, "http://")) {
        endpoint.scheme = "http";
        rest = url.substr(7);
    } else {
        error = "the URL must start with https:// (or http:// for a hub on this machine)";
        return std::nullopt;
    }
    if (rest.find_first_of("?#") != std::string_view::npos) {
        error = "the URL may not carry a query or a fragment";
        return std::nullopt;
    }
    const auto slash = rest.find('/');
    const std::string_view authority = rest.substr(0, slash);
    if (authority.find('@') != std::string_view::npos) {
        error = "the URL may not carry a user or password (use --key-file and --user)";
        return std::nullopt;
    }
    if (!parse_authority(authority, endpoint, error)) return std::nullopt;
    const std::string_view path = slash == std::string_view::npos ? "/" : rest.substr(slash);
    if (!std::all_of(path.begin(), path.end(), is_path_char)) {
        error = "the URL's path holds spaces or control characters";
        return std::nullopt;
    }
    endpoint.path = std::string(path);
    if (endpoint.path.back() != '/') endpoint.path += '/';
    return endpoint;
}

bool is_loopback_host(std::string_view host) {
    if (lower(host) == "localhost") return true;
    const auto address = IpAddress::parse(host);
    if (!address) return false;
    if (address->family == 4) return address->bytes[0] == 127;
    static constexpr std::array<std::uint8_t, 16> kV6Loopback = {0, 0, 0, 0, 0, 0, 0, 0,
                                                                 0, 0, 0, 0, 0, 0, 0, 1};
    if (address->bytes == kV6Loopback) return true;
    // ::ffff:127.x.y.z, an IPv4 loopback address written as IPv6.
    const bool mapped = std::all_of(address->bytes.begin(), address->bytes.begin() + 10,
                                    [](std::uint8_t b) { return b == 0; }) &&
                        address->bytes[10] == 0xff && address->bytes[11] == 0xff;
    return mapped && address->bytes[12] == 127;
}

std::optional<std::string> insecure_transport_refusal(const Endpoint& endpoint,
                                                      bool allow_insecure_http) {
    if (endpoint.is_https() || allow_insecure_http || is_loopback_host(endpoint.host))
        return std::nullopt;
    return fmt::format(
        "refusing plain http:// to {}: the API key and the data would cross the network "
        "unencrypted; use https:// (or --allow-insecure-http on a network you trust)",
        endpoint.host);
}

std::optional<Endpoint> resolve_reference(const Endpoint& base, std::string_view reference,
                                          std::string& error) {
    if (starts_with_nocase(reference, "https://") || starts_with_nocase(reference, "http://"))
        return parse_endpoint(reference, error);
    if (reference.empty()) {
        error = "an empty URL";
        return std::nullopt;
    }
    if (reference.starts_with("//")) {
        error = "a scheme-relative URL";
        return std::nullopt;
    }
    std::string path = reference.front() == '/'
                           ? std::string(reference)
                           : base.path.substr(0, base.path.rfind('/') + 1) + std::string(reference);
    return parse_endpoint(base.origin() + path, error);
}

std::string encode_path_segment(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (is_unreserved(c))
            out += c;
        else
            out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
    return out;
}

std::string local_name(const Endpoint& api_root, std::string_view collection) {
    std::string raw = api_root.host;
    if (api_root.port != default_port(api_root.scheme)) raw += fmt::format("-{}", api_root.port);
    raw += api_root.path;  // '/' separators become '-'
    raw += collection;
    std::string name = sanitize_name(raw);
    if (name.empty()) name = "taxii";  // a host and path of dots only
    if (name.size() <= kMaxLocalName) return name;
    const std::string identity = api_root.url() + '\n' + std::string(collection);
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
    SHA256(reinterpret_cast<const unsigned char*>(identity.data()), identity.size(), digest.data());
    name.resize(kLocalNamePrefix);
    while (!name.empty() && name.back() == '-') name.pop_back();
    return name + '-' + hex(std::span(digest).first(8));
}

}  // namespace tocsin::share
