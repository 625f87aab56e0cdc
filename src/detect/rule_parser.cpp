#include "detect/rule_parser.h"
#include "detect/text.h"

#include <array>
#include <cctype>
#include <charconv>
#include <utility>

namespace tocsin::detect {
namespace {

constexpr std::size_t kMaxRuleLength = 64 * 1024;  // Suricata refuses longer rules too

const std::array<std::pair<std::string_view, RuleAction>, 7> kActions = {{
    {"alert", RuleAction::alert},
    {"pass", RuleAction::pass},
    {"drop", RuleAction::drop},
    {"reject", RuleAction::reject},
    {"rejectsrc", RuleAction::rejectsrc},
    {"rejectdst", RuleAction::rejectdst},
    {"rejectboth", RuleAction::rejectboth},
}};

// Packet-level protocols and the application protocols Suricata rules name; an app-layer
// protocol whose parser is not built yet still loads (its rules simply match nothing yet).
constexpr std::string_view kProtocols[] = {
    "ip",       "tcp",
    "udp",      "icmp",
    "icmpv4",   "icmpv6",
    "sctp",     "pkthdr",
    "tcp-pkt",  "tcp-stream",
    "ipv4",     "ipv6",
    "http",     "http1",
    "http2",    "ftp",
    "ftp-data", "tls",
    "ssl",      "smb",
    "dcerpc",   "smtp",
    "imap",     "pop3",
    "dns",      "doh2",
    "modbus",   "dnp3",
    "enip",     "cip",
    "nfs",      "ntp",
    "tftp",     "ikev2",
    "ike",      "krb5",
    "dhcp",     "snmp",
    "sip",      "rfb",
    "mqtt",     "pgsql",
    "telnet",   "rdp",
    "ssh",      "bittorrent-dht",
    "quic",     "websocket",
    "ldap",     "iec104",
    "s7comm",   "opcua",
    "ether",    "irc",
    "nntp",     "jabber",
    "msn",      "bacnet",
    "mms",      "goose",
};

// Next whitespace-separated word of the header; an address or port list may contain spaces
// inside its brackets.
std::string_view header_word(std::string_view& s) {
    s = trim(s);
    std::size_t i = 0;
    int depth = 0;
    for (; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '[') ++depth;
        if (c == ']') --depth;
        if (depth <= 0 && std::isspace(static_cast<unsigned char>(c))) break;
    }
    const std::string_view word = s.substr(0, i);
    s.remove_prefix(i);
    return word;
}

bool parse_u32(std::string_view text, std::uint32_t& out) {
    text = trim(text);
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size() && !text.empty();
}

// Splits "name:value; name; ..." at semicolons not escaped by a backslash (Suricata's rule:
// quotes do not protect a ';', only '\;' does; quotes are each keyword's to check).
bool split_options(std::string_view body, std::vector<RuleOption>& out, std::string& error) {
    std::string current;
    std::string current_raw;  // the same with its escapes, for pcre
    bool escaped = false;
    auto finish = [&](std::string_view piece, std::string_view raw) -> bool {
        piece = trim(piece);
        raw = trim(raw);
        if (piece.empty()) return true;
        RuleOption o;
        const auto colon = piece.find(':');
        // The name ends at the first ':' (values may contain more).
        o.name = std::string(trim(piece.substr(0, colon)));
        if (colon != std::string_view::npos) {
            o.has_value = true;
            o.value = std::string(trim(piece.substr(colon + 1)));
            const auto raw_colon = raw.find(':');
            o.raw_value = std::string(trim(raw.substr(raw_colon + 1)));
        }
        if (o.name.empty()) {
            error = "option without a name: '" + std::string(piece) + "'";
            return false;
        }
        for (char c : o.name) {
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') {
                error = "invalid option name '" + o.name + "'";
                return false;
            }
        }
        out.push_back(std::move(o));
        return true;
    };
    for (std::size_t i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (escaped) {
            // \; \" \\ stand for the character; other escapes stay for the keyword to judge.
            if (c != ';' && c != '"' && c != '\\') current.push_back('\\');
            current.push_back(c);
            current_raw.push_back(c);
            escaped = false;
        } else if (c == '\\') {
            escaped = true;
            current_raw.push_back(c);
        } else if (c == ';') {
            if (!finish(current, current_raw)) return false;
            current.clear();
            current_raw.clear();
        } else {
            current.push_back(c);
            current_raw.push_back(c);
        }
    }
    if (escaped) {
        error = "option list ends in a lone backslash";
        return false;
    }
    if (!trim(current).empty()) {
        error = "last option not terminated by ';': '" + std::string(trim(current)) + "'";
        return false;
    }
    return true;
}

std::string unquote(const std::string& v) {
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return v.substr(1, v.size() - 2);
    return v;
}

}  // namespace

RuleParseResult parse_rule(std::string_view text, const NetVariables& vars) {
    RuleParseResult result;
    auto fail = [&result](std::string why) {
        result.rule.reset();
        result.error = std::move(why);
        return result;
    };
    if (text.size() > kMaxRuleLength)
        return fail("rule longer than " + std::to_string(kMaxRuleLength) + " bytes");
    text = trim(text);
    const auto open = text.find('(');
    if (open == std::string_view::npos) return fail("no option list: missing '('");
    if (text.back() != ')') return fail("option list not closed: missing ')' at the end");
    std::string_view header = text.substr(0, open);
    const std::string_view body = text.substr(open + 1, text.size() - open - 2);

    // Options first: the sid names the rule in every later error.
    Rule rule;
    std::string option_error;
    if (!split_options(body, rule.options, option_error)) return fail(option_error);
    for (const auto& o : rule.options) {
        if (o.name == "sid") {
            std::uint32_t sid = 0;
            if (!parse_u32(o.value, sid) || sid == 0)
                return fail("sid '" + o.value + "' is not a positive number");
            if (rule.sid != 0) return fail("sid given twice");
            rule.sid = sid;
            result.sid = sid;
        }
    }
    for (const auto& o : rule.options) {
        if (o.name == "rev" && !parse_u32(o.value, rule.rev))
            return fail("rev '" + o.value + "' is not a number");
        if (o.name == "gid" && !parse_u32(o.value, rule.gid))
            return fail("gid '" + o.value + "' is not a number");
        if (o.name == "msg") {
            // Quotes inside other values are their keyword's business (a pcre may hold one).
            if (o.value.size() < 2 || o.value.front() != '"' || o.value.back() != '"')
                return fail("msg must be a quoted string, not '" + o.value + "'");
            rule.msg = unquote(o.value);
        }
    }
    if (rule.sid == 0) return fail("no sid");

    const std::string_view action = header_word(header);
    bool known_action = false;
    for (const auto& [name, value] : kActions) {
        if (name == action) {
            rule.action = value;
            known_action = true;
        }
    }
    if (!known_action) return fail("unknown action '" + std::string(action) + "'");
    const std::string_view protocol = header_word(header);
    bool known_protocol = false;
    for (std::string_view p : kProtocols) known_protocol = known_protocol || p == protocol;
    if (!known_protocol) return fail("unknown protocol '" + std::string(protocol) + "'");
    rule.protocol = std::string(protocol);

    const std::string_view src = header_word(header);
    const std::string_view sport = header_word(header);
    const std::string_view direction = header_word(header);
    const std::string_view dst = header_word(header);
    const std::string_view dport = header_word(header);
    if (dport.empty())
        return fail("incomplete header: want action protocol src sport -> dst dport");
    if (!trim(header).empty())
        return fail("unexpected '" + std::string(trim(header)) + "' in the header");
    // "=>" (Suricata 8): a transactional rule, whose buffers of each side are inspected on
    // that side of one transaction; oriented like "->", and the engine already evaluates a
    // rule on request and response buffers once the response is there.
    if (direction == "<>") {
        rule.bidirectional = true;
    } else if (direction != "->" && direction != "=>") {
        return fail("direction must be '->', '=>' or '<>', not '" + std::string(direction) + "'");
    }
    auto addresses = [&](std::string_view field, const char* what, AddressSet& into) {
        auto parsed = AddressSet::parse(field, vars);
        if (!parsed.set) return std::string(what) + " address: " + parsed.error;
        into = std::move(*parsed.set);
        return std::string();
    };
    auto ports = [&](std::string_view field, const char* what, PortSet& into) {
        auto parsed = PortSet::parse(field, vars);
        if (!parsed.set) return std::string(what) + " port: " + parsed.error;
        into = std::move(*parsed.set);
        return std::string();
    };
    for (std::string e :
         {addresses(src, "source", rule.source), ports(sport, "source", rule.source_ports),
          addresses(dst, "destination", rule.destination),
          ports(dport, "destination", rule.destination_ports)}) {
        if (!e.empty()) return fail(e);
    }
    result.rule = std::move(rule);
    return result;
}

std::vector<RuleSource> split_rules(std::string_view file_text) {
    std::vector<RuleSource> out;
    std::string pending;
    std::size_t pending_line = 0;
    std::size_t line_number = 0;
    while (!file_text.empty()) {
        const auto newline = file_text.find('\n');
        std::string_view line = file_text.substr(0, newline);
        file_text.remove_prefix(newline == std::string_view::npos ? file_text.size() : newline + 1);
        ++line_number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        // A continued line keeps its leading whitespace: only the backslash goes, as in
        // Suricata ("->\" then "  any 80" is "->  any 80").
        std::string_view content = trim(line);
        if (!pending.empty()) {
            content = line;
            while (!content.empty() && (content.back() == ' ' || content.back() == '\t'))
                content.remove_suffix(1);
        }
        if (pending.empty()) {
            if (content.empty() || content.front() == '#') continue;
            pending_line = line_number;
        }
        if (!content.empty() && content.back() == '\\') {
            pending.append(content.substr(0, content.size() - 1));
            continue;  // continued on the next line
        }
        pending.append(content);
        out.push_back({std::move(pending), pending_line});
        pending.clear();
    }
    if (!pending.empty()) out.push_back({std::move(pending), pending_line});
    return out;
}

}  // namespace tocsin::detect
