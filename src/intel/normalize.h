// Canonical forms of the values indicators and observations are compared in, so that the
// matcher compares bytes: lower-case domains without a trailing dot, URLs with a lower-case
// scheme and host, lower-case hex digests.
//
// Two flavours: `canonical_*` validate and return a string (loading: may allocate), and
// `normalize_*_into` write into a caller's buffer (matching: no allocation; a value that does
// not fit cannot be an indicator's value, except URLs, which report the length they need).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/address.h"

namespace tocsin::intel {

// The longest domain name (RFC 1035: 253 characters without the trailing dot).
inline constexpr std::size_t kMaxDomain = 253;

// An address or network: "192.0.2.1", "192.0.2.0/24", "2001:db8::/32". Host bits beyond the
// prefix are cleared.
struct IpPrefix {
    IpAddress network;
    std::uint8_t length = 0;  // bits; 32 / 128 for one address

    bool contains(const IpAddress& address) const;
    bool single() const { return length == network.width() * 8; }
    std::string to_string() const;
};
std::optional<IpPrefix> parse_ip_prefix(std::string_view text);

// "Example.COM." -> "example.com"; a leading "*." is dropped (subdomains match anyway).
// Rejects empty names, names longer than 253, and characters no host name carries.
std::optional<std::string> canonical_domain(std::string_view text);
// Lower-cases `text` into `buffer` without the trailing dot; empty when it does not fit.
std::string_view normalize_domain_into(std::string_view text, std::span<char> buffer);

// "HTTP://Example.com:80/a?b#frag" -> "http://example.com/a?b": scheme and host lower-cased,
// the default port (80 http, 443 https) and the fragment dropped, "/" for an empty path; a URL
// without a scheme is an http:// URL. Rejects empty URLs and control characters or spaces.
std::optional<std::string> canonical_url(std::string_view text);
// Writes the same form into `buffer` and returns its length; when that exceeds the buffer's
// size nothing useful was written and the caller retries with a larger one.
std::size_t normalize_url_into(std::string_view text, std::span<char> buffer);

// `digits` hex digits, lower-cased; colons (and with them spaces) are accepted when
// `allow_colons` (certificate fingerprints are printed "AB:CD:...").
std::optional<std::string> canonical_hex(std::string_view text, std::size_t digits,
                                         bool allow_colons = false);
// A JA4 fingerprint ("t13d1516h2_8daaf6152771_e5627efa2ab1"), lower-cased.
std::optional<std::string> canonical_ja4(std::string_view text);
// Lower-cases into `buffer`; empty when it does not fit.
std::string_view lower_into(std::string_view text, std::span<char> buffer);

std::string to_lower(std::string_view text);
bool iequals(std::string_view a, std::string_view b);

}  // namespace tocsin::intel
