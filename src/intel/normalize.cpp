#include "intel/normalize.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace tocsin::intel {

namespace {

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::string_view trim(std::string_view s) {
    while (!s.empty() &&
           (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
        s.remove_prefix(1);
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

// Counts what it would write past the end of the buffer, so the caller learns the size.
class BoundedWriter {
  public:
    explicit BoundedWriter(std::span<char> out) : out_(out) {}
    void put(char c) {
        if (size_ < out_.size()) out_[size_] = c;
        ++size_;
    }
    void put(std::string_view s) {
        for (char c : s) put(c);
    }
    void put_lower(std::string_view s) {
        for (char c : s) put(lower(c));
    }
    std::size_t size() const { return size_; }

  private:
    std::span<char> out_;
    std::size_t size_ = 0;
};

bool scheme_char(char c, bool first) {
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (first) return alpha;
    return alpha || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

std::string to_lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = lower(c);
    return out;
}

bool IpPrefix::contains(const IpAddress& address) const {
    if (address.family != network.family) return false;
    const std::size_t full_bytes = length / 8;
    for (std::size_t i = 0; i < full_bytes; ++i)
        if (address.bytes[i] != network.bytes[i]) return false;
    const unsigned rest = length % 8;
    if (rest == 0) return true;
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    return (address.bytes[full_bytes] & mask) == network.bytes[full_bytes];
}

std::string IpPrefix::to_string() const {
    return single() ? network.to_string() : fmt::format("{}/{}", network.to_string(), length);
}

std::optional<IpPrefix> parse_ip_prefix(std::string_view text) {
    text = trim(text);
    const std::size_t slash = text.find('/');
    const auto address = IpAddress::parse(text.substr(0, slash));
    if (!address) return std::nullopt;
    IpPrefix prefix;
    prefix.network = *address;
    const unsigned width = static_cast<unsigned>(address->width() * 8);
    unsigned length = width;
    if (slash != std::string_view::npos) {
        const std::string_view digits = text.substr(slash + 1);
        const auto [end, ec] =
            std::from_chars(digits.data(), digits.data() + digits.size(), length);
        if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() ||
            length > width)
            return std::nullopt;
    }
    prefix.length = static_cast<std::uint8_t>(length);
    for (unsigned bit = length; bit < width; ++bit)
        prefix.network.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
    return prefix;
}

std::optional<std::string> canonical_domain(std::string_view text) {
    text = trim(text);
    if (text.size() >= 2 && text.substr(0, 2) == "*.") text.remove_prefix(2);
    if (!text.empty() && text.back() == '.') text.remove_suffix(1);
    if (text.empty() || text.size() > kMaxDomain || text.front() == '.') return std::nullopt;
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || u >= 0x80;
        if (!ok) return std::nullopt;
        out += lower(c);
    }
    if (out.find("..") != std::string::npos) return std::nullopt;
    return out;
}

std::string_view normalize_domain_into(std::string_view text, std::span<char> buffer) {
    if (!text.empty() && text.back() == '.') text.remove_suffix(1);
    return lower_into(text, buffer);
}

std::string_view lower_into(std::string_view text, std::span<char> buffer) {
    if (text.empty() || text.size() > buffer.size()) return {};
    for (std::size_t i = 0; i < text.size(); ++i) buffer[i] = lower(text[i]);
    return {buffer.data(), text.size()};
}

std::size_t normalize_url_into(std::string_view text, std::span<char> buffer) {
    BoundedWriter out(buffer);
    std::string_view scheme = "http";
    std::string_view rest = text;
    const std::size_t sep = text.find("://");
    if (sep != std::string_view::npos && sep > 0) {
        bool valid = true;
        for (std::size_t i = 0; i < sep; ++i) valid = valid && scheme_char(text[i], i == 0);
        if (valid) {
            scheme = text.substr(0, sep);
            rest = text.substr(sep + 3);
        }
    }
    const std::size_t authority_end = std::min(rest.find_first_of("/?#"), rest.size());
    std::string_view authority = rest.substr(0, authority_end);
    std::string_view tail = rest.substr(authority_end);
    if (const std::size_t hash = tail.find('#'); hash != std::string_view::npos)
        tail = tail.substr(0, hash);

    std::string_view userinfo;
    if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
        userinfo = authority.substr(0, at + 1);
        authority = authority.substr(at + 1);
    }
    // The port follows the last ':' that is not inside an IPv6 literal's brackets.
    std::string_view host = authority;
    std::string_view port;
    const std::size_t colon = authority.rfind(':');
    const std::size_t bracket = authority.rfind(']');
    if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (!host.empty() && host.back() == '.') host.remove_suffix(1);
    const bool default_port =
        (iequals(scheme, "http") && port == "80") || (iequals(scheme, "https") && port == "443");

    out.put_lower(scheme);
    out.put("://");
    out.put(userinfo);
    out.put_lower(host);
    if (!port.empty() && !default_port) {
        out.put(':');
        out.put(port);
    }
    if (tail.empty() || tail.front() == '?') out.put('/');
    out.put(tail);
    return out.size();
}

std::optional<std::string> canonical_url(std::string_view text) {
    text = trim(text);
    if (text.empty()) return std::nullopt;
    for (char c : text)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return std::nullopt;
    std::string out(text.size() + 16, '\0');
    std::size_t size = normalize_url_into(text, out);
    if (size > out.size()) {
        out.assign(size, '\0');
        size = normalize_url_into(text, out);
    }
    out.resize(size);
    // "http:///path" has no host: not a URL anyone requested.
    if (out.find(":///") != std::string::npos) return std::nullopt;
    return out;
}

std::optional<std::string> canonical_hex(std::string_view text, std::size_t digits,
                                         bool allow_colons) {
    text = trim(text);
    std::string out;
    out.reserve(digits);
    for (char c : text) {
        if (allow_colons && (c == ':' || c == ' ')) continue;
        if (!is_hex(c) || out.size() == digits) return std::nullopt;
        out += lower(c);
    }
    if (out.size() != digits) return std::nullopt;
    return out;
}

std::optional<std::string> canonical_ja4(std::string_view text) {
    text = trim(text);
    if (text.empty() || text.size() > 512) return std::nullopt;
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        const char l = lower(c);
        if (!((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '_' || l == ','))
            return std::nullopt;
        out += l;
    }
    return out;
}

}  // namespace tocsin::intel
