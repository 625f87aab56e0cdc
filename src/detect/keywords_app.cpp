// Application-state keywords. Legacy value forms become contents on their sticky buffers
// (fileext, filemagic, tls.subject, tls.issuerdn, tls.fingerprint), the rest become
// TxConditions on the transaction's numbers (ssl_version, tls.version, certificate dates and
// validity, dns.opcode/rcode/rrtype, tls.cert_chain_len, filesize). Protocols serve the numbers
// through Transaction::number / number_at under the keys named here.
#include <array>
#include <cctype>
#include <utility>

#include "applayer/protocol.h"
#include "detect/app_keywords.h"
#include "detect/keyword_table.h"
#include "proto/registry.h"

namespace tocsin::detect {

namespace {

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

std::optional<std::int64_t> digits_value(std::string_view s) {
    std::uint64_t n = 0;
    if (!all_digits(s) || !parse_u64(s, n) || n > (~0ULL >> 1)) return std::nullopt;
    return static_cast<std::int64_t>(n);
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// DNS names Suricata accepts for dns.rrtype and dns.rcode values (the common ones, RFC 1035,
// 3596, 2782, 6891, 4034, 6844; rcodes from RFC 1035 and 2136).
std::optional<std::uint64_t> dns_rrtype_name(std::string_view name) {
    static constexpr std::pair<std::string_view, std::uint64_t> kNames[] = {
        {"A", 1},      {"NS", 2},    {"CNAME", 5},   {"SOA", 6},    {"PTR", 12},   {"HINFO", 13},
        {"MX", 15},    {"TXT", 16},  {"AAAA", 28},   {"SRV", 33},   {"NAPTR", 35}, {"DS", 43},
        {"RRSIG", 46}, {"NSEC", 47}, {"DNSKEY", 48}, {"NSEC3", 50}, {"TLSA", 52},  {"SVCB", 64},
        {"HTTPS", 65}, {"SPF", 99},  {"OPT", 41},    {"TKEY", 249}, {"TSIG", 250}, {"IXFR", 251},
        {"AXFR", 252}, {"ANY", 255}, {"CAA", 257},   {"NULL", 10},  {"WKS", 11},   {"DNAME", 39}};
    for (const auto& [n, v] : kNames)
        if (iequals(n, name)) return v;
    return std::nullopt;
}

std::optional<std::uint64_t> dns_rcode_name(std::string_view name) {
    static constexpr std::pair<std::string_view, std::uint64_t> kNames[] = {
        {"NOERROR", 0}, {"FORMERR", 1}, {"SERVFAIL", 2}, {"NXDOMAIN", 3},
        {"NOTIMP", 4},  {"REFUSED", 5}, {"YXDOMAIN", 6}, {"YXRRSET", 7},
        {"NXRRSET", 8}, {"NOTAUTH", 9}, {"NOTZONE", 10}};
    for (const auto& [n, v] : kNames)
        if (iequals(n, name)) return v;
    return std::nullopt;
}

std::optional<std::uint64_t> no_names(std::string_view) {
    return std::nullopt;
}

// A keyword of one protocol makes the rule about it (an "alert tcp" rule with ssl_version is
// a TLS rule, as in Suricata); a rule already about another protocol is an error.
std::string claim_protocol(SignatureBuilder& b, std::string_view protocol) {
    std::string& app = b.sig().app_proto;
    if (app.empty()) app = protocol;
    if (app != protocol)
        return std::string(b.keyword->name) + " is a " + std::string(protocol) +
               " keyword in a rule for " + app;
    return "";
}

// ---- Legacy value forms -------------------------------------------------------------------

// fileext:"pdf" (name ends in ".pdf", any case), filemagic:"PDF" (file.magic, any case),
// tls.subject / tls.issuerdn:"CN=x" (part of the certificate field, exact case),
// tls.fingerprint:"aa:bb.." (any case). A leading '!' negates. The content goes to the
// keyword's buffer without making it sticky: later contents stay on the payload.
std::string setup_legacy_value(SignatureBuilder& b, std::string_view value) {
    std::string_view v = trim(value);
    ContentMatch content;
    if (!v.empty() && v.front() == '!') {
        content.negated = true;
        v = trim(v.substr(1));
    }
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    if (v.empty()) return std::string(b.keyword->name) + " needs a value";
    const std::string_view name = b.keyword->name;
    if (name == "fileext") {
        content.bytes.push_back('.');
        content.bytes.append(v);
        content.endswith = true;
        content.nocase = true;
    } else {
        content.bytes = std::string(v);
        content.nocase = name == "filemagic" || name == "tls.fingerprint";
    }
    BufferMatches& list = b.list_for(static_cast<BufferId>(b.keyword->param));
    list.matches.emplace_back(std::move(content));
    return "";
}

// ---- Numbers of the transaction ------------------------------------------------------------

// tls.version:1.2 | tls1.2 | 0x0303: the negotiated version.
std::optional<std::uint16_t> tls_version_value(std::string_view name) {
    static constexpr std::pair<std::string_view, std::uint16_t> kNames[] = {
        {"sslv2", 0x0200},  {"sslv3", 0x0300},  {"ssl3", 0x0300},   {"3.0", 0x0300},
        {"tls1.0", 0x0301}, {"tls1.1", 0x0302}, {"tls1.2", 0x0303}, {"tls1.3", 0x0304},
        {"1.0", 0x0301},    {"1.1", 0x0302},    {"1.2", 0x0303},    {"1.3", 0x0304}};
    for (const auto& [n, v] : kNames)
        if (iequals(n, name)) return v;
    std::uint64_t hex = 0;
    if (name.size() > 2 && (name.substr(0, 2) == "0x" || name.substr(0, 2) == "0X") &&
        parse_u64(name, hex) && hex <= 0xffff)
        return static_cast<std::uint16_t>(hex);
    return std::nullopt;
}

std::string_view unquote(std::string_view v) {
    v = trim(v);
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = trim(v.substr(1, v.size() - 2));
    return v;
}

// ssl_version: the version each side announced (the client's on packets to the server, the
// server's on packets to the client), as Suricata compares it.
std::string setup_ssl_version(SignatureBuilder& b, std::string_view value) {
    SslVersionTest test;
    if (std::string e = parse_ssl_version(unquote(value), test); !e.empty()) return e;
    if (std::string e = claim_protocol(b, "tls"); !e.empty()) return e;
    b.sig().tx_conditions.emplace_back(
        [test](const applayer::Transaction& tx, flow::Direction dir, Timestamp) {
            const auto have = tx.number(dir == flow::Direction::to_server ? "tls.client_version"
                                                                          : "tls.server_version");
            return have && *have > 0 && test.matches(static_cast<std::uint16_t>(*have));
        });
    return "";
}

std::string setup_tls_version(SignatureBuilder& b, std::string_view value) {
    std::string_view v = unquote(value);
    const bool negated = !v.empty() && v.front() == '!';
    if (negated) v = trim(v.substr(1));
    const std::optional<std::uint16_t> want = tls_version_value(v);
    if (!want) return "unknown TLS version '" + std::string(v) + "'";
    if (std::string e = claim_protocol(b, "tls"); !e.empty()) return e;
    b.sig().tx_conditions.emplace_back(
        [want = *want, negated](const applayer::Transaction& tx, flow::Direction, Timestamp) {
            const auto have = tx.number("tls.version");
            if (!have || *have <= 0) return false;
            // SSLv2 travels as 0x0002 in the record and 0x0200 in Suricata's name for it.
            const bool equal = *have == want || (want == 0x0200 && *have == 0x0002);
            return equal != negated;
        });
    return "";
}

// tls_cert_notbefore / tls_cert_notafter: the date of the certificate the inspected side sent.
std::string setup_cert_date(SignatureBuilder& b, std::string_view value) {
    DateTest test;
    if (std::string e = parse_date_test(unquote(value), test); !e.empty())
        return std::string(b.keyword->name) + ": " + e;
    if (std::string e = claim_protocol(b, "tls"); !e.empty()) return e;
    const bool not_after = b.keyword->name == "tls_cert_notafter";
    b.sig().tx_conditions.emplace_back(
        [test, not_after](const applayer::Transaction& tx, flow::Direction dir, Timestamp) {
            const bool client = dir == flow::Direction::to_server;
            const std::string_view key =
                not_after ? (client ? "tls.client_cert_notafter" : "tls.cert_notafter")
                          : (client ? "tls.client_cert_notbefore" : "tls.cert_notbefore");
            const auto have = tx.number(key);
            return have && test.matches(*have);
        });
    return "";
}

// tls.cert_expired: the certificate's notAfter is before the packet's time; tls.cert_valid:
// the packet's time is within [notBefore, notAfter].
std::string setup_cert_validity(SignatureBuilder& b, std::string_view value) {
    if (!trim(value).empty()) return std::string(b.keyword->name) + " takes no value";
    if (std::string e = claim_protocol(b, "tls"); !e.empty()) return e;
    const bool expired = b.keyword->name == "tls.cert_expired";
    b.sig().tx_conditions.emplace_back([expired](const applayer::Transaction& tx,
                                                 flow::Direction dir, Timestamp now) {
        const bool client = dir == flow::Direction::to_server;
        const auto before = tx.number(client ? "tls.client_cert_notbefore" : "tls.cert_notbefore");
        const auto after = tx.number(client ? "tls.client_cert_notafter" : "tls.cert_notafter");
        if (!before || !after) return false;
        if (expired) return *after < now.sec;
        return *before <= now.sec && now.sec <= *after;
    });
    return "";
}

// dns.opcode, dns.rcode, dns.rrtype, tls.cert_chain_len, filesize: integer keywords, with
// Suricata 8's multi-integer index on those with several values (dns.rrtype, filesize).
std::string setup_app_integer(SignatureBuilder& b, std::string_view value) {
    const std::string_view name = b.keyword->name;
    std::uint64_t max = ~0ULL >> 1;
    std::optional<std::uint64_t> (*names)(std::string_view) = no_names;
    if (name == "dns.opcode") max = 15;
    if (name == "dns.rcode") {
        max = 4095;
        names = dns_rcode_name;
    }
    if (name == "dns.rrtype") {
        max = 65535;
        names = dns_rrtype_name;
    }
    MultiInteger test;
    if (std::string e = parse_multi_integer(unquote(value), max, names, test); !e.empty())
        return std::string(name) + ": " + e;
    const bool multi = name == "dns.rrtype" || name == "filesize";
    if (!multi && test.index.mode != MultiIndex::Mode::any)
        return std::string(name) + " takes one value, not an index";
    if (name != "filesize") {
        const std::string_view protocol = name.starts_with("dns.") ? "dns" : "tls";
        if (std::string e = claim_protocol(b, protocol); !e.empty()) return e;
    }
    b.sig().tx_conditions.emplace_back(
        [test, key = std::string(name)](const applayer::Transaction& tx, flow::Direction,
                                        Timestamp) {
            return multi_integer_matches(test,
                                         [&](std::size_t item) { return tx.number_at(key, item); });
        });
    return "";
}

// absent | absent:or_else, after an application sticky buffer (Suricata 8).
std::string setup_absent(SignatureBuilder& b, std::string_view value) {
    const std::string_view v = trim(value);
    if (!b.has_sticky()) return "absent needs a sticky buffer before it";
    const BufferSpec& spec = buffer_spec(b.sticky());
    if (spec.source != BufferSource::app || spec.name == "base64_data")
        return "absent needs an application buffer, not " + std::string(spec.name);
    BufferMatches& list = b.current_list();
    if (list.absent != BufferMatches::Absent::no) return "absent given twice";
    if (!list.matches.empty() || !list.transforms.empty())
        return "absent must come right after its buffer";
    if (v.empty())
        list.absent = BufferMatches::Absent::only;
    else if (v == "or_else")
        list.absent = BufferMatches::Absent::or_else;
    else
        return "absent takes no value or or_else";
    return "";
}

}  // namespace

// ---- Parsers --------------------------------------------------------------------------------

std::string parse_multi_integer(
    std::string_view text, std::uint64_t max_value,
    const std::function<std::optional<std::uint64_t>(std::string_view)>& name_value,
    MultiInteger& out) {
    text = trim(text);
    MultiInteger result;
    if (text.starts_with("count") &&
        (text.size() == 5 || !std::isalnum(static_cast<unsigned char>(text[5])))) {
        result.index.mode = MultiIndex::Mode::count;
        if (std::string e = result.index.count.parse(trim(text.substr(5)), ~0ULL >> 1); !e.empty())
            return e;
        out = result;
        return "";
    }
    const std::size_t comma = text.find(',');
    std::string_view value = trim(text.substr(0, comma));
    // A name stands for its number ("A", "!NXDOMAIN").
    const bool negated = value.starts_with('!');
    const std::string_view bare = negated ? trim(value.substr(1)) : value;
    std::string resolved;
    if (!bare.empty() && std::isalpha(static_cast<unsigned char>(bare.front()))) {
        const std::optional<std::uint64_t> number = name_value(bare);
        if (!number) return "unknown name '" + std::string(bare) + "'";
        if (negated) resolved.push_back('!');
        resolved.append(std::to_string(*number));
        value = resolved;
    }
    if (std::string e = result.value.parse(value, max_value); !e.empty()) return e;
    if (comma != std::string_view::npos) {
        const std::string_view index = trim(text.substr(comma + 1));
        MultiIndex& mi = result.index;
        std::int64_t n = 0;
        if (index == "any") {
            mi.mode = MultiIndex::Mode::any;
        } else if (index == "all") {
            mi.mode = MultiIndex::Mode::all;
        } else if (index == "all_or_absent") {
            mi.mode = MultiIndex::Mode::all_or_absent;
        } else if (index == "or_absent") {
            mi.mode = MultiIndex::Mode::or_absent;
        } else if (index.starts_with("nb")) {
            mi.mode = MultiIndex::Mode::count_matching;
            if (std::string e = mi.count.parse(trim(index.substr(2)), ~0ULL >> 1); !e.empty())
                return e;
        } else if (index.starts_with("oob_or")) {
            mi.mode = MultiIndex::Mode::oob_or;
            if (!parse_i64(trim(index.substr(6)), n)) return "oob_or needs an index";
            mi.position = n;
        } else if (parse_i64(index, n)) {
            mi.mode = MultiIndex::Mode::index;
            mi.position = n;
        } else {
            return "unknown index '" + std::string(index) + "'";
        }
    }
    out = result;
    return "";
}

bool multi_integer_matches(const MultiInteger& test, const ValueAt& value_at) {
    // Values are bounded by the protocol (questions/answers/files per transaction); a cap still
    // keeps a misbehaving source from looping for long.
    constexpr std::size_t kMaxValues = 65536;
    std::size_t count = 0, matching = 0;
    std::optional<std::int64_t> at;  // the value at a non-negative position
    const MultiIndex& mi = test.index;
    auto passes = [&](std::int64_t v) {
        return v >= 0 && test.value.matches(static_cast<std::uint64_t>(v));
    };
    for (; count < kMaxValues; ++count) {
        const std::optional<std::int64_t> v = value_at(count);
        if (!v) break;
        if (passes(*v)) {
            ++matching;
            if (mi.mode == MultiIndex::Mode::any || mi.mode == MultiIndex::Mode::or_absent)
                return true;
        }
        if (mi.position >= 0 && static_cast<std::size_t>(mi.position) == count) at = v;
    }
    switch (mi.mode) {
        case MultiIndex::Mode::any:
            return false;
        case MultiIndex::Mode::or_absent:
            return count == 0;
        case MultiIndex::Mode::all:
            return count > 0 && matching == count;
        case MultiIndex::Mode::all_or_absent:
            return matching == count;
        case MultiIndex::Mode::count_matching:
            return mi.count.matches(matching);
        case MultiIndex::Mode::count:
            return mi.count.matches(count);
        case MultiIndex::Mode::index:
        case MultiIndex::Mode::oob_or: {
            std::optional<std::int64_t> chosen = at;
            if (mi.position < 0) {
                const auto back = static_cast<std::size_t>(-mi.position);
                if (back <= count) chosen = value_at(count - back);
            }
            if (!chosen) return mi.mode == MultiIndex::Mode::oob_or;
            return passes(*chosen);
        }
    }
    return false;
}

std::optional<std::int64_t> parse_cert_date(std::string_view text) {
    text = trim(text);
    if (all_digits(text) && text.size() > 4) return digits_value(text);
    // YYYY[-MM[-DD[THH[:MM[:SS]]]]]
    auto field = [&](std::size_t at, std::size_t width) -> std::optional<unsigned> {
        if (text.size() < at + width) return std::nullopt;
        const auto v = digits_value(text.substr(at, width));
        if (!v) return std::nullopt;
        return static_cast<unsigned>(*v);
    };
    static constexpr std::array<std::size_t, 6> kLengths = {4, 7, 10, 13, 16, 19};
    static constexpr std::array<char, 6> kSeparators = {'\0', '-', '-', 'T', ':', ':'};
    std::array<unsigned, 6> parts = {1970, 1, 1, 0, 0, 0};
    std::size_t fields = 0;
    for (std::size_t i = 0; i < kLengths.size(); ++i) {
        const std::size_t start = i == 0 ? 0 : kLengths[i - 1] + 1;
        if (text.size() < kLengths[i]) break;
        if (i > 0 && text[kLengths[i - 1]] != kSeparators[i]) return std::nullopt;
        const auto v = field(start, i == 0 ? 4 : 2);
        if (!v) return std::nullopt;
        parts[i] = *v;
        fields = i + 1;
    }
    if (fields == 0 || text.size() != kLengths[fields - 1]) return std::nullopt;
    if (parts[1] < 1 || parts[1] > 12 || parts[2] < 1 || parts[2] > 31 || parts[3] > 23 ||
        parts[4] > 59 || parts[5] > 60)
        return std::nullopt;
    return days_from_civil(parts[0], parts[1], parts[2]) * 86400 + parts[3] * 3600 + parts[4] * 60 +
           parts[5];
}

bool DateTest::matches(std::int64_t seconds) const {
    switch (op) {
        case Op::eq:
            return seconds == a;
        case Op::lt:
            return seconds < a;
        case Op::gt:
            return seconds > a;
        case Op::range:
            return seconds > a && seconds < b;
    }
    return false;
}

std::string parse_date_test(std::string_view text, DateTest& out) {
    text = trim(text);
    DateTest t;
    std::optional<std::int64_t> a, b;
    if (const std::size_t r = text.find("<>"); r != std::string_view::npos) {
        t.op = DateTest::Op::range;
        a = parse_cert_date(text.substr(0, r));
        b = parse_cert_date(text.substr(r + 2));
        if (!a || !b) return "bad date in '" + std::string(text) + "'";
        if (*a >= *b) return "empty date range";
        t.b = *b;
    } else {
        if (text.starts_with('<')) t.op = DateTest::Op::lt;
        if (text.starts_with('>')) t.op = DateTest::Op::gt;
        a = parse_cert_date(t.op == DateTest::Op::eq ? text : text.substr(1));
        if (!a) return "bad date '" + std::string(text) + "'";
    }
    t.a = *a;
    out = t;
    return "";
}

bool SslVersionTest::matches(std::uint16_t version) const {
    // SSLv2 travels as 0x0002 in a record and as 0x0200 in Suricata's table.
    if (version == 0x0002) version = 0x0200;
    bool listed = false;
    for (std::uint16_t v : versions) listed |= v == version;
    return listed != negated;
}

std::string parse_ssl_version(std::string_view text, SslVersionTest& out) {
    SslVersionTest t;
    for (std::string_view item : split_list(text, ',')) {
        if (item.starts_with('!')) {
            t.negated = true;
            item = trim(item.substr(1));
        }
        static constexpr std::pair<std::string_view, std::uint16_t> kNames[] = {
            {"sslv2", 0x0200},  {"sslv3", 0x0300},  {"tls1.0", 0x0301},
            {"tls1.1", 0x0302}, {"tls1.2", 0x0303}, {"tls1.3", 0x0304}};
        bool known = false;
        for (const auto& [n, v] : kNames)
            if (iequals(n, item)) {
                t.versions.push_back(v);
                known = true;
            }
        if (!known) return "unknown ssl_version '" + std::string(item) + "'";
    }
    if (t.versions.empty()) return "ssl_version needs a version";
    out = std::move(t);
    return "";
}

// ---- Keywords protocols evaluate themselves ----------------------------------------------

namespace {

// KeywordSpec::param of a protocol keyword: its protocol's position in the registry and its own
// position in the protocol's list.
constexpr int kKeywordsPerProtocol = 1024;

std::string setup_protocol_keyword(SignatureBuilder& b, std::string_view value) {
    const auto protocols = proto::registered_protocols();
    const applayer::ProtocolSpec& spec =
        *protocols[static_cast<std::size_t>(b.keyword->param / kKeywordsPerProtocol)];
    const applayer::ProtocolKeyword& keyword =
        spec.keywords[static_cast<std::size_t>(b.keyword->param % kKeywordsPerProtocol)];
    std::string error;
    std::shared_ptr<const applayer::TxTest> test = keyword.compile(value, error);
    if (test == nullptr) return error.empty() ? "invalid value" : error;
    if (std::string e = claim_protocol(b, spec.name); !e.empty()) return e;
    b.sig().tx_conditions.emplace_back([test](const applayer::Transaction& tx, flow::Direction dir,
                                              Timestamp) { return test->matches(tx, dir); });
    return "";
}

}  // namespace

void register_protocol_keywords(KeywordTable& table) {
    const auto protocols = proto::registered_protocols();
    for (std::size_t p = 0; p < protocols.size(); ++p) {
        const auto& keywords = protocols[p]->keywords;
        for (std::size_t k = 0; k < keywords.size() && k < kKeywordsPerProtocol; ++k) {
            using V = applayer::ProtocolKeyword::Value;
            const KeywordValue value = keywords[k].value == V::none       ? KeywordValue::none
                                       : keywords[k].value == V::optional ? KeywordValue::optional
                                                                          : KeywordValue::required;
            table.add({keywords[k].name, value, setup_protocol_keyword,
                       static_cast<int>(p) * kKeywordsPerProtocol + static_cast<int>(k)});
        }
    }
}

void register_app_keywords(KeywordTable& table) {
    auto buffer = [](std::string_view name) { return find_buffer(name); };
    table.add({"fileext", KeywordValue::required, setup_legacy_value, buffer("file.name")});
    table.add({"filemagic", KeywordValue::required, setup_legacy_value, buffer("file.magic")});
    table.add(
        {"tls.subject", KeywordValue::required, setup_legacy_value, buffer("tls.cert_subject")});
    table.add(
        {"tls.issuerdn", KeywordValue::required, setup_legacy_value, buffer("tls.cert_issuer")});
    table.add({"tls.fingerprint", KeywordValue::required, setup_legacy_value,
               buffer("tls.cert_fingerprint")});
    table.add({"ssl_version", KeywordValue::required, setup_ssl_version});
    table.add({"absent", KeywordValue::optional, setup_absent});
    table.add({"tls.version", KeywordValue::required, setup_tls_version});
    table.add({"tls_cert_notbefore", KeywordValue::required, setup_cert_date});
    table.add({"tls_cert_notafter", KeywordValue::required, setup_cert_date});
    table.add({"tls.cert_expired", KeywordValue::optional, setup_cert_validity});
    table.add({"tls.cert_valid", KeywordValue::optional, setup_cert_validity});
    for (std::string_view name :
         {"dns.opcode", "dns.rcode", "dns.rrtype", "tls.cert_chain_len", "filesize"})
        table.add({name, KeywordValue::required, setup_app_integer});
}

}  // namespace tocsin::detect
