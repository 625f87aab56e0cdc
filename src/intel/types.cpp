#include "intel/types.h"

#include <charconv>

#include <fmt/format.h>

namespace tocsin::intel {

namespace {

// What a type name stands for, before its value is looked at.
enum class TypeShape : std::uint8_t {
    unknown,
    address,       // ip-src, ip-dst, ip, cidr
    address_port,  // ip-src|port, ip-dst|port
    domain,        // domain, hostname
    domain_ip,     // domain|ip: the domain (the address is a resolution of the moment)
    domain_port,   // hostname|port, domain|port
    url,
    md5,
    sha1,
    sha256,
    filename_hash,  // filename|md5, filename|sha1, filename|sha256: the hash
    ja3,
    ja3s,
    ja4,
    x509_sha1,
    stix,  // CSV: the value is a STIX pattern
};

struct TypeName {
    std::string_view name;
    TypeShape shape;
    char side = 0;  // 's' source, 'd' destination (MISP's |port types)
};

constexpr TypeName kTypes[] = {
    {"ip-src", TypeShape::address},
    {"ip-dst", TypeShape::address},
    {"ip", TypeShape::address},
    {"ipv4", TypeShape::address},
    {"ipv6", TypeShape::address},
    {"cidr", TypeShape::address},
    {"ip-src|port", TypeShape::address_port, 's'},
    {"ip-dst|port", TypeShape::address_port, 'd'},
    {"domain", TypeShape::domain},
    {"hostname", TypeShape::domain},
    {"fqdn", TypeShape::domain},
    {"domain|ip", TypeShape::domain_ip},
    {"hostname|port", TypeShape::domain_port},
    {"domain|port", TypeShape::domain_port},
    {"url", TypeShape::url},
    {"md5", TypeShape::md5},
    {"sha1", TypeShape::sha1},
    {"sha256", TypeShape::sha256},
    {"filename|md5", TypeShape::filename_hash},
    {"filename|sha1", TypeShape::filename_hash},
    {"filename|sha256", TypeShape::filename_hash},
    {"ja3-fingerprint-md5", TypeShape::ja3},
    {"ja3", TypeShape::ja3},
    {"ja3s-fingerprint-md5", TypeShape::ja3s},
    {"ja3s", TypeShape::ja3s},
    {"ja4-fingerprint", TypeShape::ja4},
    {"ja4", TypeShape::ja4},
    {"x509-fingerprint-sha1", TypeShape::x509_sha1},
    {"x509-sha1", TypeShape::x509_sha1},
    {"stix", TypeShape::stix},
};

const TypeName* find_type(std::string_view type) {
    for (const TypeName& t : kTypes)
        if (iequals(t.name, type)) return &t;
    return nullptr;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || port > 65535)
        return std::nullopt;
    return static_cast<std::uint16_t>(port);
}

std::string address_comparison(const IpPrefix& prefix) {
    return fmt::format("ipv{}-addr:value = {}", prefix.network.family,
                       stix_quote(prefix.to_string()));
}

TypedPattern bad(std::string problem) {
    TypedPattern t;
    t.problem = std::move(problem);
    return t;
}

TypedPattern good(std::string pattern) {
    TypedPattern t;
    t.pattern = std::move(pattern);
    return t;
}

struct HashSpec {
    std::size_t digits = 0;
    std::string_view path;
};

HashSpec hash_spec(TypeShape shape) {
    switch (shape) {
        case TypeShape::md5:
            return {32, "file:hashes.MD5"};
        case TypeShape::sha1:
            return {40, "file:hashes.'SHA-1'"};
        case TypeShape::sha256:
            return {64, "file:hashes.'SHA-256'"};
        case TypeShape::ja3:
            return {32, "network-traffic:extensions.'x-tls-ext'.ja3"};
        case TypeShape::ja3s:
            return {32, "network-traffic:extensions.'x-tls-ext'.ja3s"};
        case TypeShape::x509_sha1:
            return {40, "x509-certificate:hashes.'SHA-1'"};
        default:
            return {};
    }
}

TypedPattern hash_pattern(TypeShape shape, std::string_view value) {
    const HashSpec spec = hash_spec(shape);
    const auto hex = canonical_hex(value, spec.digits, shape == TypeShape::x509_sha1);
    if (!hex) return bad(fmt::format("'{}' is not {} hex digits", value, spec.digits));
    return good(fmt::format("[{} = '{}']", spec.path, *hex));
}

}  // namespace

std::string stix_quote(std::string_view text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    out += '\'';
    return out;
}

std::optional<Field> field_for_misp_type(std::string_view type) {
    const TypeName* t = find_type(type);
    if (t == nullptr) return std::nullopt;
    switch (t->shape) {
        case TypeShape::address:
            return Field::address;
        case TypeShape::domain:
            return Field::domain;
        case TypeShape::url:
            return Field::url;
        case TypeShape::md5:
            return Field::md5;
        case TypeShape::sha1:
            return Field::sha1;
        case TypeShape::sha256:
            return Field::sha256;
        case TypeShape::ja3:
            return Field::ja3;
        case TypeShape::ja3s:
            return Field::ja3s;
        case TypeShape::ja4:
            return Field::ja4;
        case TypeShape::x509_sha1:
            return Field::x509_sha1;
        default:
            return std::nullopt;
    }
}

TypedPattern pattern_for_typed_value(std::string_view type, std::string_view value) {
    const TypeName* t = find_type(type);
    if (t == nullptr) {
        TypedPattern unknown;
        unknown.unknown_type = true;
        return unknown;
    }
    const std::size_t bar = value.rfind('|');
    switch (t->shape) {
        case TypeShape::unknown:
            break;
        case TypeShape::address: {
            const auto prefix = parse_ip_prefix(value);
            if (!prefix) return bad(fmt::format("'{}' is not an address or CIDR", value));
            return good(fmt::format("[{}]", address_comparison(*prefix)));
        }
        case TypeShape::address_port: {
            if (bar == std::string_view::npos) return bad("expected ADDRESS|PORT");
            const auto prefix = parse_ip_prefix(value.substr(0, bar));
            const auto port = parse_port(value.substr(bar + 1));
            if (!prefix || !port) return bad(fmt::format("'{}' is not ADDRESS|PORT", value));
            const char* side = t->side == 's' ? "src" : "dst";
            return good(
                fmt::format("[network-traffic:{}_ref.value = {} AND network-traffic:{}_port = {}]",
                            side, stix_quote(prefix->to_string()), side, *port));
        }
        case TypeShape::domain:
        case TypeShape::domain_ip:
        case TypeShape::domain_port: {
            const std::string_view name =
                t->shape == TypeShape::domain ? value : value.substr(0, bar);
            if (t->shape != TypeShape::domain && bar == std::string_view::npos)
                return bad(fmt::format("expected {}", t->shape == TypeShape::domain_ip
                                                          ? "DOMAIN|ADDRESS"
                                                          : "DOMAIN|PORT"));
            const auto domain = canonical_domain(name);
            if (!domain) return bad(fmt::format("'{}' is not a domain name", name));
            if (t->shape != TypeShape::domain_port)
                return good(fmt::format("[domain-name:value = {}]", stix_quote(*domain)));
            const auto port = parse_port(value.substr(bar + 1));
            if (!port) return bad(fmt::format("'{}' is not DOMAIN|PORT", value));
            return good(fmt::format("[domain-name:value = {} AND network-traffic:dst_port = {}]",
                                    stix_quote(*domain), *port));
        }
        case TypeShape::url: {
            const auto url = canonical_url(value);
            if (!url) return bad(fmt::format("'{}' is not a URL", value));
            return good(fmt::format("[url:value = {}]", stix_quote(*url)));
        }
        case TypeShape::filename_hash: {
            if (bar == std::string_view::npos) return bad("expected FILENAME|HASH");
            const std::string_view algo = type.substr(type.find('|') + 1);
            const TypeShape shape = iequals(algo, "md5")    ? TypeShape::md5
                                    : iequals(algo, "sha1") ? TypeShape::sha1
                                                            : TypeShape::sha256;
            return hash_pattern(shape, value.substr(bar + 1));
        }
        case TypeShape::md5:
        case TypeShape::sha1:
        case TypeShape::sha256:
        case TypeShape::ja3:
        case TypeShape::ja3s:
        case TypeShape::x509_sha1:
            return hash_pattern(t->shape, value);
        case TypeShape::ja4: {
            const auto ja4 = canonical_ja4(value);
            if (!ja4) return bad(fmt::format("'{}' is not a JA4 fingerprint", value));
            return good(
                fmt::format("[network-traffic:extensions.'x-tls-ext'.ja4 = {}]", stix_quote(*ja4)));
        }
        case TypeShape::stix:
            return good(std::string(value));
    }
    return bad("unknown type");
}

}  // namespace tocsin::intel
