// The Suricata rule grammar: header and option list, as in
//   alert tcp $HOME_NET any -> $EXTERNAL_NET 80 (msg:"x"; content:"a\;b"; sid:1; rev:2;)
// Rule files: '#' comments, blank lines, and rules continued over lines with a trailing '\'.
// This stage checks the grammar, the header and the identity options (sid, rev, gid, msg);
// what each keyword means is the keyword table's business (issue 3, next).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detect/net_expression.h"

namespace tocsin::detect {

enum class RuleAction : std::uint8_t {
    alert,
    pass,
    drop,
    reject,
    rejectsrc,
    rejectdst,
    rejectboth
};

struct RuleOption {
    std::string name;
    std::string value;       // unescaped (\; \" \\ resolved), surrounding quotes kept
    std::string raw_value;   // as written, escapes intact (pcre hands them to PCRE2)
    bool has_value = false;  // "nocase;" has none
};

struct Rule {
    RuleAction action = RuleAction::alert;
    std::string protocol;
    AddressSet source;
    PortSet source_ports;
    AddressSet destination;
    PortSet destination_ports;
    bool bidirectional = false;  // "<>"
    std::vector<RuleOption> options;
    std::uint32_t sid = 0;
    std::uint32_t rev = 0;
    std::uint32_t gid = 1;
    std::string msg;
};

struct RuleParseResult {
    std::optional<Rule> rule;
    std::string error;                 // why not, when rule is empty
    std::optional<std::uint32_t> sid;  // when the text names one, even if the rule failed
};

RuleParseResult parse_rule(std::string_view text, const NetVariables& vars);

// One rule as it stood in its file.
struct RuleSource {
    std::string text;  // continuation lines joined
    std::size_t line;  // where it starts, 1-based
};

// Splits a rules file's text into rules; commented-out rules are not returned.
std::vector<RuleSource> split_rules(std::string_view file_text);

}  // namespace tocsin::detect
