#include "detect/transforms.h"
#include "detect/text.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <functional>
#include <optional>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <openssl/evp.h>
#include <pcre2.h>

namespace tocsin::detect {

using Bytes = std::vector<std::uint8_t>;

namespace {

struct PcreCodeFree {
    void operator()(pcre2_code* code) const { pcre2_code_free(code); }
};
using PcreCode = std::unique_ptr<pcre2_code, PcreCodeFree>;

}  // namespace

struct Transform::Regex {
    PcreCode code;
};

namespace {

// ---------------------------------------------------------------------------------------------
// Keyword table

enum class Takes : std::uint8_t { nothing, value, optional_value };

struct KeywordInfo {
    std::string_view name;
    TransformKind kind;
    Takes takes;
};

constexpr std::array kKeywords{
    KeywordInfo{"to_lowercase", TransformKind::to_lowercase, Takes::nothing},
    KeywordInfo{"to_uppercase", TransformKind::to_uppercase, Takes::nothing},
    KeywordInfo{"compress_whitespace", TransformKind::compress_whitespace, Takes::nothing},
    KeywordInfo{"strip_whitespace", TransformKind::strip_whitespace, Takes::nothing},
    KeywordInfo{"strip_pseudo_headers", TransformKind::strip_pseudo_headers, Takes::nothing},
    KeywordInfo{"header_lowercase", TransformKind::header_lowercase, Takes::nothing},
    KeywordInfo{"dotprefix", TransformKind::dotprefix, Takes::nothing},
    KeywordInfo{"domain", TransformKind::domain, Takes::nothing},
    KeywordInfo{"tld", TransformKind::tld, Takes::nothing},
    KeywordInfo{"url_decode", TransformKind::url_decode, Takes::nothing},
    KeywordInfo{"from_base64", TransformKind::from_base64, Takes::optional_value},
    KeywordInfo{"xor", TransformKind::xor_key, Takes::value},
    KeywordInfo{"pcrexform", TransformKind::pcrexform, Takes::value},
    KeywordInfo{"to_md5", TransformKind::to_md5, Takes::nothing},
    KeywordInfo{"to_sha1", TransformKind::to_sha1, Takes::nothing},
    KeywordInfo{"to_sha256", TransformKind::to_sha256, Takes::nothing},
};

constexpr std::string_view kLuaxform = "luaxform";

constexpr auto kKeywordNames = [] {
    std::array<std::string_view, kKeywords.size() + 1> names{};
    for (std::size_t i = 0; i < kKeywords.size(); ++i) names[i] = kKeywords[i].name;
    names.back() = kLuaxform;
    return names;
}();

const KeywordInfo* find_keyword(std::string_view name) {
    for (const auto& k : kKeywords)
        if (k.name == name) return &k;
    return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Small byte helpers. Locale-free on purpose: rules and traffic are bytes, not text.

bool is_space(std::uint8_t c) {  // C isspace() in the "C" locale
    return c == ' ' || (c >= '\t' && c <= '\r');
}
std::uint8_t lower(std::uint8_t c) {
    return c >= 'A' && c <= 'Z' ? static_cast<std::uint8_t>(c + 32) : c;
}
std::uint8_t upper(std::uint8_t c) {
    return c >= 'a' && c <= 'z' ? static_cast<std::uint8_t>(c - 32) : c;
}
int hex_value(std::uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
int hex_at(ByteSpan in, std::size_t i) {
    return i < in.size() ? hex_value(in[i]) : -1;
}

bool is_quoted(std::string_view s) {
    return s.size() >= 2 && s.front() == '"' && s.back() == '"';
}

// True when view points into v's storage: writing v would then destroy the view's bytes.
bool points_into(ByteSpan view, const Bytes& v) {
    if (view.empty() || v.capacity() == 0) return false;
    const std::less<const std::uint8_t*> before;
    const std::uint8_t* begin = v.data();
    return !before(view.data(), begin) && before(view.data(), begin + v.capacity());
}

void copy_bytes(ByteSpan in, Bytes& out) {
    out.assign(in.begin(), in.end());
}

// ---------------------------------------------------------------------------------------------
// Byte-for-byte and shrinking transforms

template <typename F>
void map_bytes(ByteSpan in, Bytes& out, F f) {
    out.resize(in.size());
    std::transform(in.begin(), in.end(), out.begin(), f);
}

// Keeps the first whitespace byte of each run as it is (a tab stays a tab), as Suricata does:
// content written for the raw buffer's usual single spaces keeps matching.
void compress_whitespace(ByteSpan in, Bytes& out) {
    out.resize(in.size());
    std::size_t n = 0;
    bool after_space = false;
    for (const std::uint8_t c : in) {
        const bool space = is_space(c);
        if (!space || !after_space) out[n++] = c;
        after_space = space;
    }
    out.resize(n);
}

void strip_whitespace(ByteSpan in, Bytes& out) {
    out.resize(in.size());
    const auto end = std::remove_copy_if(in.begin(), in.end(), out.begin(), is_space);
    out.resize(static_cast<std::size_t>(end - out.begin()));
}

// The header buffers hold "name: value" lines; HTTP/2 pseudo-headers (":method: GET") start
// with ':' and are dropped with their line ending.
void strip_pseudo_headers(ByteSpan in, Bytes& out) {
    out.resize(in.size());
    std::size_t n = 0;
    for (std::size_t start = 0; start < in.size();) {
        const auto nl = std::find(in.begin() + static_cast<std::ptrdiff_t>(start), in.end(), '\n');
        const std::size_t end =
            nl == in.end() ? in.size() : static_cast<std::size_t>(nl - in.begin()) + 1;
        if (in[start] != ':') {
            std::copy(in.begin() + static_cast<std::ptrdiff_t>(start),
                      in.begin() + static_cast<std::ptrdiff_t>(end),
                      out.begin() + static_cast<std::ptrdiff_t>(n));
            n += end - start;
        }
        start = end;
    }
    out.resize(n);
}

// Lowercases each line up to its first ':' (the header name); values keep their case. A
// pseudo-header's leading ':' ends its name at once, as in Suricata; HTTP/2 sends those in
// lowercase anyway.
void header_lowercase(ByteSpan in, Bytes& out) {
    out.resize(in.size());
    bool in_value = false;
    for (std::size_t i = 0; i < in.size(); ++i) {
        const std::uint8_t c = in[i];
        out[i] = in_value ? c : lower(c);
        if (in_value) {
            in_value = c != '\n';
        } else {
            in_value = c == ':';
        }
    }
}

void dotprefix(ByteSpan in, Bytes& out) {
    out.resize(in.size() + 1);
    out[0] = '.';
    std::copy(in.begin(), in.end(), out.begin() + 1);
}

// %XX decodes; '+' is a space (form encoding). A broken escape is copied verbatim up to and
// including the byte that broke it ("%4G" stays "%4G", "%%41" stays "%%41"), as Suricata does,
// so that decoding never invents bytes the sender did not encode.
void url_decode(ByteSpan in, Bytes& out) {
    out.resize(in.size());
    std::size_t n = 0;
    for (std::size_t i = 0; i < in.size();) {
        const std::uint8_t c = in[i];
        if (c != '%') {
            out[n++] = c == '+' ? ' ' : c;
            ++i;
            continue;
        }
        const int hi = hex_at(in, i + 1);
        const int lo = hi < 0 ? -1 : hex_at(in, i + 2);
        if (lo >= 0) {
            out[n++] = static_cast<std::uint8_t>(hi << 4 | lo);
            i += 3;
            continue;
        }
        const std::size_t end = std::min(in.size(), i + (hi < 0 ? 2 : 3));
        while (i < end) out[n++] = in[i++];
    }
    out.resize(n);
}

void xor_with(std::span<const std::uint8_t> key, ByteSpan in, Bytes& out) {
    out.resize(in.size());
    if (key.empty()) {  // parse_transform never makes one; a default Transform has none
        std::copy(in.begin(), in.end(), out.begin());
        return;
    }
    std::size_t k = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
        out[i] = in[i] ^ key[k];
        if (++k == key.size()) k = 0;
    }
}

// ---------------------------------------------------------------------------------------------
// domain / tld without the Public Suffix List (Suricata embeds it; that is a large table kept
// up to date by someone). The suffix is the last label, or the last two when the last is a
// two-letter country code and the one before is a well-known registry category ("co.uk",
// "com.au", "ne.jp"). Private suffixes ("github.io") are not known: there the result is one
// label shorter than Suricata's.

constexpr std::array<std::string_view, 24> kSecondLevelCategories{
    "ac",  "co",  "com", "edu", "gov", "govt", "mil", "net", "org",  "ne",  "or",     "go",
    "gob", "nic", "ltd", "plc", "sch", "nhs",  "gen", "biz", "info", "nom", "police", "me"};

bool equals_ignoring_case(ByteSpan a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](std::uint8_t x, char y) {
               return lower(x) == static_cast<std::uint8_t>(y);
           });
}

bool is_country_code(ByteSpan label) {
    return label.size() == 2 && std::all_of(label.begin(), label.end(), [](std::uint8_t c) {
               return lower(c) >= 'a' && lower(c) <= 'z';
           });
}

struct DomainSplit {
    std::size_t domain_start;  // the registrable domain: one label before the suffix
    std::size_t suffix_start;
};

// Where each label starts, counting from the end: starts[0] is the last label's.
std::optional<std::array<std::size_t, 3>> last_label_starts(ByteSpan host) {
    if (host.empty() || host.front() == '.' || host.back() == '.') return std::nullopt;
    std::array<std::size_t, 3> starts{0, 0, 0};
    std::size_t found = 0;
    for (std::size_t i = host.size(); i-- > 0;) {
        if (host[i] != '.') continue;
        if (host[i + 1] == '.') return std::nullopt;  // an empty label: not a host name
        if (found < starts.size()) starts[found++] = i + 1;
    }
    // Labels not closed by a dot start at 0; ones that do not exist are marked by the same 0.
    return starts;
}

std::optional<DomainSplit> split_domain(ByteSpan host) {
    const auto starts = last_label_starts(host);
    if (!starts || (*starts)[0] == 0) return std::nullopt;  // one label: a bare suffix
    const auto [last, second, third] = *starts;
    const ByteSpan tld = host.subspan(last);
    const ByteSpan sld = host.subspan(second, last - 1 - second);
    const bool two_level =
        is_country_code(tld) &&
        std::any_of(kSecondLevelCategories.begin(), kSecondLevelCategories.end(),
                    [&](std::string_view cat) { return equals_ignoring_case(sld, cat); });
    if (!two_level) return DomainSplit{second, last};
    if (second == 0) return std::nullopt;  // "co.uk" itself: nothing registrable
    return DomainSplit{third, second};
}

void domain(ByteSpan in, Bytes& out) {
    const auto split = split_domain(in);
    if (split)
        copy_bytes(in.subspan(split->domain_start), out);
    else
        out.clear();
}

void tld(ByteSpan in, Bytes& out) {
    const auto split = split_domain(in);
    if (split)
        copy_bytes(in.subspan(split->suffix_start), out);
    else
        out.clear();
}

// ---------------------------------------------------------------------------------------------
// from_base64

int base64_value(std::uint8_t c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

// Up to four characters. Sextets after the first '=' do not count: "QQ==" and "QQ" both carry
// two sextets, which make one byte.
struct Quantum {
    std::uint32_t bits = 0;
    std::uint8_t chars = 0;
    std::uint8_t sextets = 0;
    bool padded = false;

    void add(int value) {  // value < 0: '='
        if (value < 0) padded = true;
        if (!padded) {
            bits |= static_cast<std::uint32_t>(value) << (18 - 6 * sextets);
            ++sextets;
        }
        ++chars;
    }
    std::size_t flush(std::uint8_t* out) {
        const std::size_t n = sextets >= 2 ? sextets - 1u : 0u;
        for (std::size_t i = 0; i < n; ++i)
            out[i] = static_cast<std::uint8_t>(bits >> (16 - 8 * i));
        *this = Quantum{};
        return n;
    }
};

// Output never exceeds the input: a quantum of k characters gives at most k - 1 bytes.
void decode_base64(ByteSpan in, Base64Mode mode, Bytes& out) {
    out.resize(in.size());
    std::size_t n = 0;
    Quantum q;
    for (const std::uint8_t c : in) {
        const int v = base64_value(c);
        if (v < 0 && c != '=') {
            if (mode == Base64Mode::rfc2045) continue;
            if (mode == Base64Mode::strict) return out.clear();
            break;  // rfc4648: what follows is not base64
        }
        q.add(v);
        if (q.chars == 4) n += q.flush(out.data() + n);
    }
    // MIME (rfc2045) leaves an incomplete last quantum undecoded, as Suricata does; the other
    // modes decode it as if it were padded.
    if (mode != Base64Mode::rfc2045) n += q.flush(out.data() + n);
    out.resize(n);
}

// offset or bytes reaching past the buffer leave it as it is (Suricata does the same; bytes
// equal to what is left decodes all of it, as the documentation's default does).
void from_base64(const Transform& t, ByteSpan in, Bytes& out) {
    ByteSpan data = in;
    if (t.base64_offset() > 0) {
        if (t.base64_offset() >= in.size()) return copy_bytes(in, out);
        data = data.subspan(t.base64_offset());
    }
    if (t.base64_bytes() > 0) {
        if (t.base64_bytes() > data.size()) return copy_bytes(in, out);
        data = data.first(t.base64_bytes());
    }
    decode_base64(data, t.base64_mode(), out);
}

// ---------------------------------------------------------------------------------------------
// Hashes (OpenSSL EVP). The digests are fetched once; each thread keeps one context, so a
// warm hash does not allocate.

struct MdFree {
    void operator()(EVP_MD* md) const { EVP_MD_free(md); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

const EVP_MD* digest_for(TransformKind kind) {
    static const std::unique_ptr<EVP_MD, MdFree> md5(EVP_MD_fetch(nullptr, "MD5", nullptr));
    static const std::unique_ptr<EVP_MD, MdFree> sha1(EVP_MD_fetch(nullptr, "SHA1", nullptr));
    static const std::unique_ptr<EVP_MD, MdFree> sha256(EVP_MD_fetch(nullptr, "SHA256", nullptr));
    switch (kind) {
        case TransformKind::to_md5:
            return md5.get();
        case TransformKind::to_sha1:
            return sha1.get();
        case TransformKind::to_sha256:
            return sha256.get();
        default:
            return nullptr;
    }
}

std::size_t digest_size(TransformKind kind) {
    switch (kind) {
        case TransformKind::to_md5:
            return 16;
        case TransformKind::to_sha1:
            return 20;
        default:
            return 32;
    }
}

// Leaves out empty when OpenSSL fails (no digest, out of memory): nothing then matches.
void hash(TransformKind kind, ByteSpan in, Bytes& out) {
    thread_local const std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    const EVP_MD* md = digest_for(kind);
    const std::size_t size = digest_size(kind);
    // Final writes EVP_MD_get_size bytes; sized exactly, a warm buffer is never regrown.
    if (md == nullptr || ctx == nullptr || EVP_MD_get_size(md) != static_cast<int>(size))
        return out.clear();
    out.resize(size);
    unsigned int len = 0;
    const bool ok = EVP_DigestInit_ex(ctx.get(), md, nullptr) == 1 &&
                    EVP_DigestUpdate(ctx.get(), in.data(), in.size()) == 1 &&
                    EVP_DigestFinal_ex(ctx.get(), out.data(), &len) == 1 && len == size;
    if (!ok) out.clear();
}

// ---------------------------------------------------------------------------------------------
// pcrexform

// Backtracking cap: a pathological pattern costs at most this many steps per buffer instead
// of PCRE2's default ten million. A match that hits it counts as no match.
constexpr std::uint32_t kPcreMatchLimit = 1'000'000;

struct MatchResources {
    struct DataFree {
        void operator()(pcre2_match_data* d) const { pcre2_match_data_free(d); }
    };
    struct ContextFree {
        void operator()(pcre2_match_context* c) const { pcre2_match_context_free(c); }
    };
    // Two pairs: the whole match and the first group, all pcrexform reads.
    std::unique_ptr<pcre2_match_data, DataFree> data{pcre2_match_data_create(2, nullptr)};
    std::unique_ptr<pcre2_match_context, ContextFree> context{make_context()};

    static pcre2_match_context* make_context() {
        pcre2_match_context* c = pcre2_match_context_create(nullptr);
        if (c != nullptr) pcre2_set_match_limit(c, kPcreMatchLimit);
        return c;
    }
};

// The first group's bytes; the buffer as it is when the pattern does not match or the group
// took no part, as in Suricata.
void pcrexform(const pcre2_code* code, ByteSpan in, Bytes& out) {
    thread_local const MatchResources match;
    if (code == nullptr || match.data == nullptr) return copy_bytes(in, out);
    static const std::uint8_t kEmpty = 0;  // PCRE2 before 10.43 rejects a null subject
    const PCRE2_SPTR subject = in.empty() ? &kEmpty : in.data();
    const int rc =
        pcre2_match(code, subject, in.size(), 0, 0, match.data.get(), match.context.get());
    if (rc < 0) return copy_bytes(in, out);  // rc == 0: more groups than pairs, still fine
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(match.data.get());
    const PCRE2_SIZE start = ov[2];
    const PCRE2_SIZE end = ov[3];
    if (start == PCRE2_UNSET || start > end || end > in.size()) return copy_bytes(in, out);
    copy_bytes(in.subspan(start, end - start), out);
}

// ---------------------------------------------------------------------------------------------
// Parsing

std::string parse_xor_key(std::string_view value, Bytes& key) {
    if (is_quoted(value)) value = value.substr(1, value.size() - 2);
    if (value.empty()) return "xor needs a hex key, e.g. xor:\"0d0ac8ff\"";
    if (value.size() % 2 != 0)
        return "xor key '" + std::string(value) + "' has an odd number of hex digits";
    if (value.size() / 2 > 255) return "xor key longer than 255 bytes";
    key.clear();
    for (std::size_t i = 0; i < value.size(); i += 2) {
        const int hi = hex_value(static_cast<std::uint8_t>(value[i]));
        const int lo = hex_value(static_cast<std::uint8_t>(value[i + 1]));
        if (hi < 0 || lo < 0) return "xor key '" + std::string(value) + "' is not hexadecimal";
        key.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
    }
    return {};
}

std::string pcre_error_text(int code) {
    std::array<PCRE2_UCHAR, 256> buffer{};
    const int n = pcre2_get_error_message(code, buffer.data(), buffer.size());
    if (n < 0) return "error " + std::to_string(code);
    return std::string(reinterpret_cast<const char*>(buffer.data()), static_cast<std::size_t>(n));
}

// Compiles a pcrexform pattern (no flags, as Suricata) and checks it has a group to output.
std::string compile_pattern(const std::string& pattern, PcreCode& code) {
    int error_code = 0;
    PCRE2_SIZE error_offset = 0;
    code.reset(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), 0,
                             &error_code, &error_offset, nullptr));
    if (!code)
        return "pcrexform pattern does not compile at offset " + std::to_string(error_offset) +
               ": " + pcre_error_text(error_code);
    std::uint32_t groups = 0;
    pcre2_pattern_info(code.get(), PCRE2_INFO_CAPTURECOUNT, &groups);
    if (groups < 1) return "pcrexform pattern has no capture group (the first group is the output)";
    // Without JIT (unsupported platform, no executable memory) the interpreter runs it.
    pcre2_jit_compile(code.get(), PCRE2_JIT_COMPLETE);
    return {};
}

std::string parse_u16(std::string_view name, std::string_view text, std::uint16_t& out) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value > 65535)
        return "from_base64 " + std::string(name) + " must be a number from 0 to 65535, not '" +
               std::string(text) + "'";
    out = static_cast<std::uint16_t>(value);
    return {};
}

std::optional<Base64Mode> base64_mode(std::string_view text) {
    if (text == "rfc4648") return Base64Mode::rfc4648;
    if (text == "rfc2045") return Base64Mode::rfc2045;
    if (text == "strict") return Base64Mode::strict;
    return std::nullopt;
}

struct Base64Options {
    Base64Mode mode = Base64Mode::rfc4648;
    std::uint16_t offset = 0;
    std::uint16_t bytes = 0;
    std::uint8_t given = 0;  // bit per option name, to refuse one given twice
};

std::uint8_t base64_option_bit(std::string_view name) {
    if (name == "bytes") return 1;
    if (name == "offset") return 2;
    if (name == "mode") return 4;
    return 0;
}

// One "name value" item of from_base64's comma-separated list.
std::string parse_base64_item(std::string_view item, Base64Options& opts) {
    item = trim(item);
    const auto space = std::find_if(item.begin(), item.end(),
                                    [](char c) { return is_space(static_cast<std::uint8_t>(c)); });
    const std::string_view name = item.substr(0, static_cast<std::size_t>(space - item.begin()));
    const std::string_view value = trim(item.substr(name.size()));
    const std::uint8_t bit = base64_option_bit(name);
    if (bit == 0)
        return "from_base64: unknown option '" + std::string(name) +
               "' (expected bytes, offset or mode)";
    if ((opts.given & bit) != 0) return "from_base64: " + std::string(name) + " given twice";
    opts.given |= bit;
    if (name == "bytes") return parse_u16(name, value, opts.bytes);
    if (name == "offset") return parse_u16(name, value, opts.offset);
    const auto mode = base64_mode(value);
    if (!mode)
        return "from_base64 mode must be rfc4648, rfc2045 or strict, not '" + std::string(value) +
               "'";
    opts.mode = *mode;
    return {};
}

std::string parse_base64_options(std::string_view value, Base64Options& opts) {
    if (trim(value).empty()) return {};  // "from_base64:" alone: the defaults
    while (true) {
        const auto comma = value.find(',');
        const std::string error = parse_base64_item(value.substr(0, comma), opts);
        if (!error.empty()) return error;
        if (comma == std::string_view::npos) return {};
        value.remove_prefix(comma + 1);
    }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public API

std::string_view Transform::keyword() const {
    for (const auto& k : kKeywords)
        if (k.kind == kind_) return k.name;
    return {};
}

bool operator==(const Transform& a, const Transform& b) {
    return a.kind_ == b.kind_ && a.base64_mode_ == b.base64_mode_ &&
           a.base64_offset_ == b.base64_offset_ && a.base64_bytes_ == b.base64_bytes_ &&
           a.key_ == b.key_ && a.pattern_ == b.pattern_;
}

std::span<const std::string_view> transform_keywords() {
    return kKeywordNames;
}

bool is_transform_keyword(std::string_view keyword) {
    return std::find(kKeywordNames.begin(), kKeywordNames.end(), keyword) != kKeywordNames.end();
}

namespace {

std::string check_value_presence(const KeywordInfo& k, std::string_view value, bool has_value) {
    const std::string name(k.name);
    if (k.takes == Takes::nothing && has_value) return name + " takes no value";
    if (k.takes == Takes::value && (!has_value || trim(value).empty()))
        return name + " needs a value";
    return {};
}

}  // namespace

std::string parse_transform(std::string_view keyword, std::string_view value, bool has_value,
                            Transform& out) {
    if (keyword == kLuaxform) return "luaxform is not supported (Tocsin runs no Lua)";
    const KeywordInfo* k = find_keyword(keyword);
    if (k == nullptr) return "unknown transform '" + std::string(keyword) + "'";
    if (auto error = check_value_presence(*k, value, has_value); !error.empty()) return error;
    value = trim(value);

    Transform t;
    t.kind_ = k->kind;
    switch (k->kind) {
        case TransformKind::xor_key:
            if (auto error = parse_xor_key(value, t.key_); !error.empty()) return error;
            break;
        case TransformKind::from_base64: {
            Base64Options opts;
            if (auto error = parse_base64_options(value, opts); !error.empty()) return error;
            t.base64_mode_ = opts.mode;
            t.base64_offset_ = opts.offset;
            t.base64_bytes_ = opts.bytes;
            break;
        }
        case TransformKind::pcrexform: {
            if (!is_quoted(value))
                return "pcrexform needs a quoted pattern, e.g. pcrexform:\"^(\\w+)\"";
            t.pattern_ = std::string(value.substr(1, value.size() - 2));
            if (t.pattern_.empty()) return "pcrexform needs a non-empty pattern";
            auto regex = std::make_shared<Transform::Regex>();
            if (auto error = compile_pattern(t.pattern_, regex->code); !error.empty()) return error;
            t.regex_ = std::move(regex);
            break;
        }
        case TransformKind::to_md5:
        case TransformKind::to_sha1:
        case TransformKind::to_sha256:
            if (digest_for(k->kind) == nullptr)
                return std::string(k->name) + ": OpenSSL offers no such digest here (FIPS mode?)";
            break;
        default:
            break;
    }
    out = std::move(t);
    return {};
}

void apply(const Transform& t, ByteSpan input, std::vector<std::uint8_t>& output) {
    if (points_into(input, output)) {
        const Bytes copy(input.begin(), input.end());
        apply(t, copy, output);
        return;
    }
    switch (t.kind_) {
        case TransformKind::none:
            return copy_bytes(input, output);
        case TransformKind::to_lowercase:
            return map_bytes(input, output, lower);
        case TransformKind::to_uppercase:
            return map_bytes(input, output, upper);
        case TransformKind::compress_whitespace:
            return compress_whitespace(input, output);
        case TransformKind::strip_whitespace:
            return strip_whitespace(input, output);
        case TransformKind::strip_pseudo_headers:
            return strip_pseudo_headers(input, output);
        case TransformKind::header_lowercase:
            return header_lowercase(input, output);
        case TransformKind::dotprefix:
            return dotprefix(input, output);
        case TransformKind::domain:
            return domain(input, output);
        case TransformKind::tld:
            return tld(input, output);
        case TransformKind::url_decode:
            return url_decode(input, output);
        case TransformKind::from_base64:
            return from_base64(t, input, output);
        case TransformKind::xor_key:
            return xor_with(t.key_, input, output);
        case TransformKind::pcrexform:
            return pcrexform(t.regex_ ? t.regex_->code.get() : nullptr, input, output);
        case TransformKind::to_md5:
        case TransformKind::to_sha1:
        case TransformKind::to_sha256:
            return hash(t.kind_, input, output);
    }
    copy_bytes(input, output);  // unreachable with a valid kind
}

std::size_t max_output_size(const Transform& t, std::size_t input_size) {
    switch (t.kind()) {
        case TransformKind::dotprefix:
            return input_size + 1;
        case TransformKind::to_md5:
        case TransformKind::to_sha1:
        case TransformKind::to_sha256:
            return digest_size(t.kind());
        default:
            return input_size;
    }
}

ByteSpan apply_chain(std::span<const Transform> chain, ByteSpan input,
                     std::vector<std::uint8_t>& scratch_a, std::vector<std::uint8_t>& scratch_b) {
    ByteSpan current = input;
    for (const Transform& t : chain) {
        // Write where current does not live, so no step reads bytes it is overwriting.
        Bytes& dest = points_into(current, scratch_a) ? scratch_b : scratch_a;
        apply(t, current, dest);
        current = dest;
    }
    return current;
}

}  // namespace tocsin::detect
