// From a STIX pattern's syntax tree to what Tocsin evaluates: comparisons ("atoms") on the
// flow's addresses, ports and protocols or on one observable (domain, URL, hash, JA3/JA4,
// certificate fingerprint), joined by AND/OR. Everything else is unsupported, with a reason.
//
// Indexing: each compiled pattern names its *anchors*, positive atoms such that the pattern can
// only hold when one of them does. The matcher files the indicator under the anchors' values and
// evaluates the whole pattern only when one of them hits. Within an AND the most selective child
// anchors (a hash before a domain before an address before a port); an OR needs every branch
// anchored. A pattern that is an OR of positive indexed atoms is *direct*: an anchor hit alone
// proves it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "intel/intel.h"
#include "intel/normalize.h"
#include "intel/pattern.h"

namespace tocsin::intel {

enum class Field : std::uint8_t {
    address,          // ipv4-addr:value, ipv6-addr:value: the client or the server
    server_address,   // network-traffic:dst_ref.value
    client_address,   // network-traffic:src_ref.value
    server_port,      // network-traffic:dst_port
    client_port,      // network-traffic:src_port
    protocol,         // network-traffic:protocols[*]
    server_ref_type,  // network-traffic:dst_ref.type
    client_ref_type,  // network-traffic:src_ref.type
    domain,
    url,
    md5,
    sha1,
    sha256,
    ja3,
    ja3s,
    ja4,
    x509_sha1,
};
// The observable a field compares (none for flow fields).
ObservableKind observable_of(Field field);

struct PortRange {
    std::uint16_t low = 0;
    std::uint16_t high = 0;
};

// One comparison: true when any value matches (negated: when none does).
struct Atom {
    Field field = Field::address;
    bool negated = false;
    std::vector<IpPrefix> prefixes;  // address fields
    std::vector<PortRange> ports;    // port fields
    std::vector<std::string> texts;  // canonical strings: observables, protocol and type names
};

struct ExprNode {
    enum class Kind : std::uint8_t { atom, all_of, any_of };
    Kind kind = Kind::atom;
    std::uint32_t first = 0;  // atom: the atom's index; otherwise the first of `edges`
    std::uint32_t count = 0;  // children (in `edges[first, first + count)`)
};

// What an indicator is filed as in load reports.
enum class Category : std::uint8_t {
    ipv4,
    ipv6,
    domain,
    url,
    md5,
    sha1,
    sha256,
    ja3,
    ja3s,
    ja4,
    x509_sha1,
    network,  // ports, protocols
    mixed,    // anchors of several kinds
};
inline constexpr std::size_t kCategories = 13;
std::string_view category_name(Category category);  // "ipv4", "x509-sha1", ...

struct CompiledPattern {
    std::vector<Atom> atoms;
    std::vector<ExprNode> nodes;
    std::vector<std::uint32_t> edges;
    std::uint32_t root = 0;
    std::vector<std::uint32_t> anchors;  // atom indices
    bool direct = false;                 // an anchor hit proves the pattern
    bool scan = false;  // anchored on values no index holds (port ranges, protocols)
    Category category = Category::mixed;
};

struct CompileOutcome {
    std::optional<CompiledPattern> compiled;
    std::string unsupported;  // why not, when `compiled` is empty
};

CompileOutcome compile_pattern(const Pattern& pattern);
// Parses and compiles; a syntax error is unsupported as "syntax error at N: ...".
CompileOutcome compile_pattern_text(std::string_view text, const PatternLimits& limits = {});

// Whether the pattern holds for the observation. `value` is the observation's value in
// canonical form (normalize.h), empty for flow observations.
bool evaluate(const CompiledPattern& pattern, const Observation& observation,
              std::string_view value);

// Whether a canonical domain `name` is `parent` or one of its subdomains.
bool domain_within(std::string_view name, std::string_view parent);

}  // namespace tocsin::intel
