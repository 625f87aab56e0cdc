#include "detect/packet_keywords.h"
#include "detect/text.h"

#include <array>
#include <cctype>
#include <iterator>
#include <limits>
#include <optional>

namespace tocsin::detect {
namespace {

// ---- Text helpers ----------------------------------------------------------------------------

bool is_space(char c) {
    return c == ' ' || c == '\t';
}

void skip_spaces(std::string_view& s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
}

bool consume(std::string_view& s, std::string_view prefix) {
    if (!s.starts_with(prefix)) return false;
    s.remove_prefix(prefix.size());
    return true;
}

bool consume_ci(std::string_view& s, std::string_view prefix) {
    if (s.size() < prefix.size() || !iequals(s.substr(0, prefix.size()), prefix)) return false;
    s.remove_prefix(prefix.size());
    return true;
}

// ---- Numbers ---------------------------------------------------------------------------------

std::optional<int> digit_value(char c, int base) {
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    if (v < 0 || v >= base) return std::nullopt;
    return v;
}

// Reads digits of `base` from the front of s; nullopt when there are none or they overflow.
std::optional<std::uint64_t> take_digits(std::string_view& s, int base, std::string& error) {
    std::uint64_t value = 0;
    std::size_t n = 0;
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    for (; n < s.size(); ++n) {
        const auto d = digit_value(s[n], base);
        if (!d) break;
        const auto ubase = static_cast<std::uint64_t>(base);
        if (value > (kMax - static_cast<std::uint64_t>(*d)) / ubase) {
            error = "number too large";
            return std::nullopt;
        }
        value = value * ubase + static_cast<std::uint64_t>(*d);
    }
    if (n == 0) {
        error = "expected a number";
        return std::nullopt;
    }
    s.remove_prefix(n);
    return value;
}

// The size multipliers Suricata's integer keywords accept after a decimal number.
std::uint64_t take_unit(std::string_view& s) {
    static constexpr std::pair<std::string_view, std::uint64_t> kUnits[] = {
        {"kib", 1ull << 10}, {"kb", 1ull << 10},  {"mib", 1ull << 20},
        {"mb", 1ull << 20},  {"gib", 1ull << 30}, {"gb", 1ull << 30},
    };
    for (const auto& [name, factor] : kUnits)
        if (consume_ci(s, name)) return factor;
    return 1;
}

// A decimal (with optional unit) or 0x-prefixed hex number from the front of s, at most max.
std::optional<std::uint64_t> take_number(std::string_view& s, std::uint64_t max,
                                         std::string& error) {
    std::optional<std::uint64_t> value;
    if (consume_ci(s, "0x")) {
        value = take_digits(s, 16, error);
    } else if ((value = take_digits(s, 10, error))) {
        const std::uint64_t unit = take_unit(s);
        if (unit > 1 && *value > std::numeric_limits<std::uint64_t>::max() / unit) {
            error = "number too large";
            return std::nullopt;
        }
        *value *= unit;
    }
    if (value && *value > max) {
        error = "number " + std::to_string(*value) + " above the maximum " + std::to_string(max);
        return std::nullopt;
    }
    return value;
}

using Op = NumberTest::Op;

// "&M=V" or "&M!=V" (the '&' already consumed).
std::string parse_mask(std::string_view s, std::uint64_t max, NumberTest& t) {
    std::string error;
    skip_spaces(s);
    const auto mask = take_number(s, max, error);
    if (!mask) return error;
    skip_spaces(s);
    const bool negated = consume(s, "!");
    if (!consume(s, "=")) return "expected '=' or '!=' after the mask";
    skip_spaces(s);
    const auto value = take_number(s, max, error);
    if (!value) return error;
    if (!trim(s).empty()) return "unexpected " + quoted(s);
    if ((*value & *mask) != *value) return "the value has bits outside the mask";
    t = NumberTest{negated ? Op::mask_ne : Op::mask_eq, *mask, *value};
    return {};
}

// The comparison operator at the front of s, if any.
std::optional<Op> take_operator(std::string_view& s) {
    static constexpr std::pair<std::string_view, Op> kOps[] = {
        {">=", Op::ge}, {"<=", Op::le}, {"!=", Op::ne}, {">", Op::gt},
        {"<", Op::lt},  {"!", Op::ne},  {"=", Op::eq},
    };
    for (const auto& [text, op] : kOps)
        if (consume(s, text)) return op;
    return std::nullopt;
}

// "N-M" / "N<>M" after the low end (and an optional '!') were read.
std::string finish_range(std::string_view s, std::uint64_t low, bool negated, std::uint64_t max,
                         NumberTest& t) {
    std::string error;
    skip_spaces(s);
    const auto high = take_number(s, max, error);
    if (!high) return error;
    if (!trim(s).empty()) return "unexpected " + quoted(s);
    // Ranges exclude their ends, so one needs a value strictly between them.
    if (*high <= low || *high - low < 2) return "empty range: nothing lies strictly between";
    t = NumberTest{negated ? Op::not_range : Op::range, low, *high};
    return {};
}

// Tests Suricata rejects because they hold for every value or for none.
std::string check_useful(Op op, std::uint64_t a, std::uint64_t max) {
    if ((op == Op::lt && a == 0) || (op == Op::gt && a == max)) return "can never match";
    if ((op == Op::ge && a == 0) || (op == Op::le && a == max)) return "always matches";
    return {};
}

std::string parse_comparison(std::string_view s, std::uint64_t max, NumberTest& t) {
    // Of the operators only '!' may precede a range ("!1-4": outside it).
    const bool bare_bang = s.starts_with('!') && !s.starts_with("!=");
    const std::optional<Op> op = take_operator(s);
    skip_spaces(s);
    std::string error;
    const auto a = take_number(s, max, error);
    if (!a) return error;
    skip_spaces(s);
    if ((!op || bare_bang) && (consume(s, "-") || consume(s, "<>")))
        return finish_range(s, *a, bare_bang, max, t);
    if (!s.empty()) return "unexpected " + quoted(s);
    const Op final_op = op.value_or(Op::eq);
    if (auto why = check_useful(final_op, *a, max); !why.empty()) return why;
    t = NumberTest{final_op, *a, 0};
    return {};
}

}  // namespace

std::string NumberTest::parse(std::string_view text, std::uint64_t max_value) {
    std::string_view s = trim(text);
    if (s.empty()) return "a number is required";
    NumberTest t;
    const std::string error =
        consume(s, "&") ? parse_mask(s, max_value, t) : parse_comparison(s, max_value, t);
    if (!error.empty()) return error + " in " + quoted(text);
    *this = t;
    return {};
}

bool NumberTest::matches(std::uint64_t value) const {
    switch (op) {
        case Op::eq:
            return value == a;
        case Op::ne:
            return value != a;
        case Op::lt:
            return value < a;
        case Op::le:
            return value <= a;
        case Op::gt:
            return value > a;
        case Op::ge:
            return value >= a;
        case Op::range:
            return value > a && value < b;
        case Op::not_range:
            return value <= a || value >= b;
        case Op::mask_eq:
            return (value & a) == b;
        case Op::mask_ne:
            return (value & a) != b;
    }
    return false;
}

namespace {

// ---- Keyword parsers -------------------------------------------------------------------------

using Parser = std::string (*)(std::string_view value, PacketCondition& c);

template <std::uint64_t kMax>
std::string parse_number(std::string_view value, PacketCondition& c) {
    return c.number.parse(value, kMax);
}

std::string parse_sameip(std::string_view value, PacketCondition&) {
    return value.empty() ? std::string{} : "sameip takes no value";
}

// tos: [!]decimal, or hex written x12 / X12 (Suricata's form) or 0x12.
std::string parse_tos(std::string_view value, PacketCondition& c) {
    std::string_view s = value;
    const bool negated = consume(s, "!");
    skip_spaces(s);
    const bool hex = consume_ci(s, "0x") || consume_ci(s, "x");
    const std::size_t max_digits = hex ? 2 : 3;
    std::string error;
    const std::size_t digits_before = s.size();
    const auto tos = take_digits(s, hex ? 16 : 10, error);
    if (!tos) return error + " in " + quoted(value);
    if (digits_before - s.size() > max_digits || !s.empty() || *tos > 255)
        return quoted(value) + " is not a value from 0 to 255";
    c.number = NumberTest{negated ? NumberTest::Op::ne : NumberTest::Op::eq, *tos, 0};
    return {};
}

struct ProtoName {
    std::string_view name;
    std::uint8_t number;
};

// IANA protocol keywords (as in /etc/protocols), the names ip_proto accepts besides numbers.
constexpr ProtoName kProtoNames[] = {
    {"hopopt", 0},     {"icmp", 1},
    {"igmp", 2},       {"ggp", 3},
    {"ipv4", 4},       {"ipencap", 4},
    {"st", 5},         {"tcp", 6},
    {"egp", 8},        {"igp", 9},
    {"pup", 12},       {"udp", 17},
    {"hmp", 20},       {"xns-idp", 22},
    {"rdp", 27},       {"iso-tp4", 29},
    {"dccp", 33},      {"xtp", 36},
    {"ddp", 37},       {"idpr-cmtp", 38},
    {"ipv6", 41},      {"ipv6-route", 43},
    {"ipv6-frag", 44}, {"idrp", 45},
    {"rsvp", 46},      {"gre", 47},
    {"esp", 50},       {"ah", 51},
    {"skip", 57},      {"ipv6-icmp", 58},
    {"icmpv6", 58},    {"ipv6-nonxt", 59},
    {"ipv6-opts", 60}, {"rspf", 73},
    {"vmtp", 81},      {"eigrp", 88},
    {"ospf", 89},      {"ospfigp", 89},
    {"ax.25", 93},     {"ipip", 94},
    {"etherip", 97},   {"encap", 98},
    {"pim", 103},      {"ipcomp", 108},
    {"vrrp", 112},     {"l2tp", 115},
    {"isis", 124},     {"sctp", 132},
    {"fc", 133},       {"mobility-header", 135},
    {"udplite", 136},  {"mpls-in-ip", 137},
    {"manet", 138},    {"hip", 139},
    {"shim6", 140},    {"wesp", 141},
    {"rohc", 142},     {"ethernet", 143},
};

std::optional<std::uint8_t> proto_by_name(std::string_view name) {
    for (const ProtoName& p : kProtoNames)
        if (iequals(p.name, name)) return p.number;
    return std::nullopt;
}

// ip_proto: [!<>] then a protocol number or name.
std::string parse_ip_proto(std::string_view value, PacketCondition& c) {
    std::string_view s = value;
    NumberTest::Op op = NumberTest::Op::eq;
    if (consume(s, "!"))
        op = NumberTest::Op::ne;
    else if (consume(s, "<"))
        op = NumberTest::Op::lt;
    else if (consume(s, ">"))
        op = NumberTest::Op::gt;
    skip_spaces(s);
    if (s.empty()) return "a protocol number or name is required";
    std::optional<std::uint8_t> proto = proto_by_name(s);
    if (!proto && digit_value(s.front(), 10)) {
        std::string_view digits = s;
        std::string error;
        const auto n = take_number(digits, 255, error);
        if (!n || !digits.empty()) return quoted(s) + " is not a number from 0 to 255";
        proto = static_cast<std::uint8_t>(*n);
    }
    if (!proto) return "unknown protocol " + quoted(s);
    if (auto why = check_useful(op, *proto, 255); !why.empty()) return why;
    c.number = NumberTest{op, *proto, 0};
    return {};
}

struct OptionName {
    std::string_view name;
    std::uint16_t bits;
};

// "lsrre" is Snort's name for loose source routing too; "any" is every option.
constexpr OptionName kIpOptionNames[] = {
    {"rr", kIpOptRr},       {"eol", kIpOptEol},     {"nop", kIpOptNop},   {"ts", kIpOptTs},
    {"sec", kIpOptSec},     {"esec", kIpOptEsec},   {"lsrr", kIpOptLsrr}, {"lsrre", kIpOptLsrr},
    {"ssrr", kIpOptSsrr},   {"satid", kIpOptSatid}, {"qs", kIpOptQs},     {"rtralt", kIpOptRtrAlt},
    {"cipso", kIpOptCipso}, {"any", 0xffff},
};

std::string parse_ipopts(std::string_view value, PacketCondition& c) {
    for (const OptionName& o : kIpOptionNames) {
        if (!iequals(o.name, value)) continue;
        c.bits = o.bits;
        return {};
    }
    return "unknown option " + quoted(value) + " (one of rr, eol, nop, ts, sec, esec, " +
           "lsrr, lsrre, ssrr, satid, qs, rtralt, cipso, any)";
}

std::optional<BitsModifier> modifier_of(char ch) {
    switch (ch) {
        case '+':
            return BitsModifier::plus;
        case '*':
            return BitsModifier::any;
        case '!':
            return BitsModifier::not_all;
        default:
            return std::nullopt;
    }
}

std::optional<std::uint8_t> fragbit_of(char ch) {
    switch (ch) {
        case 'M':
            return kIpFragMf;
        case 'D':
            return kIpFragDf;
        case 'R':
            return kIpFragRb;
        default:
            return std::nullopt;
    }
}

// fragbits: [+*!] then M, D, R. Suricata reads the bits up to the first other character and
// ignores the rest, so a Snort-style "M+D" means exactly M there; it is read alike here so such
// rules alert as they do in Suricata.
std::string parse_fragbits(std::string_view value, PacketCondition& c) {
    std::string_view s = value;
    if (!s.empty()) {
        if (auto m = modifier_of(s.front())) {
            c.modifier = *m;
            s.remove_prefix(1);
        }
    }
    skip_spaces(s);
    for (; !s.empty() && fragbit_of(s.front()); s.remove_prefix(1))
        c.bits |= *fragbit_of(s.front());
    if (c.bits == 0) return "expected M, D or R in " + quoted(value);
    return {};
}

std::optional<std::uint8_t> tcp_flag_of(char ch) {
    switch (ch) {
        case 'F':
            return kTcpFin;
        case 'S':
            return kTcpSyn;
        case 'R':
            return kTcpRst;
        case 'P':
            return kTcpPsh;
        case 'A':
            return kTcpAck;
        case 'U':
            return kTcpUrg;
        case 'C':
        case '1':  // the reserved-bit names of RFC 793 era rules
            return kTcpCwr;
        case 'E':
        case '2':
            return kTcpEce;
        default:
            return std::nullopt;
    }
}

// The tested flags of "flags": letters, '0' for none, and one modifier before or among them.
std::string parse_tested_flags(std::string_view s, PacketCondition& c) {
    bool zero = false;
    bool modifier_seen = false;
    for (char ch : s) {
        if (auto m = modifier_of(ch)) {
            if (modifier_seen) return "only one of the modifiers + * ! is allowed";
            modifier_seen = true;
            c.modifier = *m;
        } else if (ch == '0') {
            zero = true;
        } else if (auto f = tcp_flag_of(ch)) {
            c.bits |= *f;
        } else if (!is_space(ch)) {
            return "unknown flag " + quoted(std::string_view(&ch, 1));
        }
    }
    if (zero && c.bits != 0) return "'0' (no flags) cannot be combined with flags";
    if (!zero && c.bits == 0) return "no flags given";
    return {};
}

std::string parse_ignored_flags(std::string_view s, PacketCondition& c) {
    s = trim(s);
    if (s.empty()) return "no flags after ','";
    for (char ch : s) {
        const auto f = tcp_flag_of(ch);
        if (!f) return "unknown flag to ignore " + quoted(std::string_view(&ch, 1));
        c.flags_ignored |= *f;
    }
    return {};
}

// flags / tcp.flags: [+*!]<FSRPAUCE0 12>[,<flags to ignore>].
std::string parse_flags(std::string_view value, PacketCondition& c) {
    const std::size_t comma = value.find(',');
    std::string error = parse_tested_flags(value.substr(0, comma), c);
    if (error.empty() && comma != std::string_view::npos)
        error = parse_ignored_flags(value.substr(comma + 1), c);
    return error.empty() ? error : error + " in " + quoted(value);
}

struct KeywordSpec {
    std::string_view name;
    PacketKeyword keyword;
    Parser parse;
};

constexpr std::uint64_t kU8 = 0xff;
constexpr std::uint64_t kU16 = 0xffff;
constexpr std::uint64_t kU32 = 0xffffffff;

constexpr KeywordSpec kSpecs[] = {
    {"ttl", PacketKeyword::ttl, parse_number<kU8>},
    {"ip_proto", PacketKeyword::ip_proto, parse_ip_proto},
    {"id", PacketKeyword::id, parse_number<kU16>},
    {"tos", PacketKeyword::tos, parse_tos},
    {"ipopts", PacketKeyword::ipopts, parse_ipopts},
    {"fragbits", PacketKeyword::fragbits, parse_fragbits},
    {"fragoffset", PacketKeyword::fragoffset, parse_number<kU16>},
    {"dsize", PacketKeyword::dsize, parse_number<kU16>},
    {"flags", PacketKeyword::flags, parse_flags},
    {"tcp.flags", PacketKeyword::flags, parse_flags},
    {"seq", PacketKeyword::seq, parse_number<kU32>},
    {"ack", PacketKeyword::ack, parse_number<kU32>},
    {"window", PacketKeyword::window, parse_number<kU16>},
    {"itype", PacketKeyword::itype, parse_number<kU8>},
    {"icode", PacketKeyword::icode, parse_number<kU8>},
    {"icmp_id", PacketKeyword::icmp_id, parse_number<kU16>},
    {"icmp_seq", PacketKeyword::icmp_seq, parse_number<kU16>},
    {"sameip", PacketKeyword::sameip, parse_sameip},
    {"tcp.mss", PacketKeyword::tcp_mss, parse_number<kU16>},
    {"tcp.wscale", PacketKeyword::tcp_wscale, parse_number<kU8>},
};

constexpr auto kNames = [] {
    std::array<std::string_view, std::size(kSpecs)> names{};
    for (std::size_t i = 0; i < names.size(); ++i) names[i] = kSpecs[i].name;
    return names;
}();

const KeywordSpec* find_spec(std::string_view keyword) {
    for (const KeywordSpec& spec : kSpecs)
        if (iequals(spec.name, keyword)) return &spec;
    return nullptr;
}

// Values may be quoted ("300"), as Suricata allows for these keywords.
std::optional<std::string_view> strip_quotes(std::string_view value) {
    const bool opens = value.starts_with('"');
    const bool closes = value.size() >= 2 && value.ends_with('"');
    if (opens != closes) return std::nullopt;
    return opens ? trim(value.substr(1, value.size() - 2)) : value;
}

// ---- Matching --------------------------------------------------------------------------------

bool is_ipv4(const Packet& pkt) {
    return pkt.ip_version == 4;
}

bool is_tcp(const Packet& pkt) {
    return pkt.has_l4 && pkt.ip_proto == kProtoTcp;
}

bool is_icmp(const Packet& pkt) {
    return pkt.has_l4 && (pkt.ip_proto == kProtoIcmp || pkt.ip_proto == kProtoIcmpv6);
}

// ICMP messages that carry an identifier and sequence number: echo, timestamp, information
// and address mask requests and replies (ICMPv6: echo only).
bool icmp_has_id(const Packet& pkt) {
    if (!pkt.has_l4) return false;
    if (pkt.ip_proto == kProtoIcmpv6) return pkt.icmp_type == 128 || pkt.icmp_type == 129;
    if (pkt.ip_proto != kProtoIcmp) return false;
    switch (pkt.icmp_type) {
        case 0:
        case 8:
        case 13:
        case 14:
        case 15:
        case 16:
        case 17:
        case 18:
            return true;
        default:
            return false;
    }
}

bool bits_match(BitsModifier m, std::uint8_t have, std::uint8_t want) {
    switch (m) {
        case BitsModifier::exact:
            return have == want;
        case BitsModifier::plus:
            return (have & want) == want;
        case BitsModifier::any:
            return (have & want) != 0;
        case BitsModifier::not_all:
            return (have & want) != want;
    }
    return false;
}

bool fragbits_match(const PacketCondition& c, const Packet& pkt) {
    if (!is_ipv4(pkt)) return false;
    const auto want = static_cast<std::uint8_t>(c.bits);
    // Suricata's '+' asks for at least one bit besides the named ones.
    if (c.modifier == BitsModifier::plus && pkt.frag_flags == want) return false;
    return bits_match(c.modifier, pkt.frag_flags, want);
}

bool flags_match(const PacketCondition& c, const Packet& pkt) {
    if (!is_tcp(pkt)) return false;
    const std::uint8_t have = pkt.tcp.flags;
    if (c.bits == 0) {
        // "0": no flag at all, the ignore mask notwithstanding (as in Suricata); "!0": any flag.
        if (c.modifier == BitsModifier::not_all) return have != 0;
        return c.modifier != BitsModifier::any && have == 0;
    }
    const auto kept = static_cast<std::uint8_t>(have & ~c.flags_ignored);
    return bits_match(c.modifier, kept, static_cast<std::uint8_t>(c.bits));
}

// Suricata compares the IPv4 offset field as written (8-byte units) but an IPv6 Fragment
// header's offset in bytes; both are kept so rules match what they match there.
bool fragoffset_match(const PacketCondition& c, const Packet& pkt) {
    if (is_ipv4(pkt)) return c.number.matches(pkt.frag_offset);
    if (pkt.ip_version == 6 && pkt.ipv6_frag_header)
        return c.number.matches(std::uint64_t{pkt.frag_offset} * 8);
    return false;
}

bool ip_match(const PacketCondition& c, const Packet& pkt) {
    switch (c.keyword) {
        case PacketKeyword::ttl:
            return pkt.ip_version != 0 && c.number.matches(pkt.ttl);
        case PacketKeyword::ip_proto:
            return pkt.ip_version != 0 && c.number.matches(pkt.ip_proto);
        case PacketKeyword::id:
            return is_ipv4(pkt) && c.number.matches(pkt.ip_id);
        case PacketKeyword::tos:
            return is_ipv4(pkt) && c.number.matches(pkt.ip_tos);
        case PacketKeyword::ipopts:
            return is_ipv4(pkt) && (pkt.ipv4_options & c.bits) != 0;
        case PacketKeyword::fragbits:
            return fragbits_match(c, pkt);
        case PacketKeyword::fragoffset:
            return fragoffset_match(c, pkt);
        case PacketKeyword::sameip:
            return pkt.ip_version != 0 && pkt.src == pkt.dst;
        default:
            return false;
    }
}

bool tcp_match(const PacketCondition& c, const Packet& pkt) {
    if (!is_tcp(pkt)) return false;
    switch (c.keyword) {
        case PacketKeyword::seq:
            return c.number.matches(pkt.tcp.seq);
        case PacketKeyword::ack:
            return c.number.matches(pkt.tcp.ack);
        case PacketKeyword::window:
            return c.number.matches(pkt.tcp.window);
        case PacketKeyword::tcp_mss:
            return pkt.tcp.has_mss && c.number.matches(pkt.tcp.mss);
        case PacketKeyword::tcp_wscale:
            return pkt.tcp.has_wscale && c.number.matches(pkt.tcp.wscale_raw);
        default:
            return false;
    }
}

bool icmp_match(const PacketCondition& c, const Packet& pkt) {
    switch (c.keyword) {
        case PacketKeyword::itype:
            return is_icmp(pkt) && c.number.matches(pkt.icmp_type);
        case PacketKeyword::icode:
            return is_icmp(pkt) && c.number.matches(pkt.icmp_code);
        case PacketKeyword::icmp_id:
            return icmp_has_id(pkt) && c.number.matches(pkt.icmp_id);
        case PacketKeyword::icmp_seq:
            return icmp_has_id(pkt) && c.number.matches(pkt.icmp_seq);
        default:
            return false;
    }
}

}  // namespace

std::span<const std::string_view> packet_condition_keywords() {
    return kNames;
}

std::string parse_packet_condition(std::string_view keyword, std::string_view value,
                                   PacketCondition& out) {
    const KeywordSpec* spec = find_spec(keyword);
    if (spec == nullptr) return quoted(keyword) + " is not a packet header keyword";
    const auto text = strip_quotes(trim(value));
    const std::string name(spec->name);
    if (!text) return name + ": unbalanced quotes in " + quoted(value);
    if (text->empty() && spec->keyword != PacketKeyword::sameip) return name + " needs a value";
    PacketCondition c;
    c.keyword = spec->keyword;
    if (std::string error = spec->parse(*text, c); !error.empty()) return name + ": " + error;
    out = c;
    return {};
}

bool matches(const PacketCondition& c, const Packet& pkt) {
    switch (c.keyword) {
        case PacketKeyword::flags:
            return flags_match(c, pkt);
        case PacketKeyword::dsize:
            // Suricata's "dsize:!N" is about packets that carry data: an empty packet is not
            // a payload of a different size (suricata-verify test-dsize-values).
            if (c.number.op == NumberTest::Op::ne && pkt.payload.empty()) return false;
            return c.number.matches(pkt.payload.size());
        case PacketKeyword::seq:
        case PacketKeyword::ack:
        case PacketKeyword::window:
        case PacketKeyword::tcp_mss:
        case PacketKeyword::tcp_wscale:
            return tcp_match(c, pkt);
        case PacketKeyword::itype:
        case PacketKeyword::icode:
        case PacketKeyword::icmp_id:
        case PacketKeyword::icmp_seq:
            return icmp_match(c, pkt);
        default:
            return ip_match(c, pkt);
    }
}

}  // namespace tocsin::detect
