#include "intel/compile.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "intel/types.h"

namespace tocsin::intel {

ObservableKind observable_of(Field field) {
    switch (field) {
        case Field::domain:
            return ObservableKind::domain;
        case Field::url:
            return ObservableKind::url;
        case Field::md5:
            return ObservableKind::md5;
        case Field::sha1:
            return ObservableKind::sha1;
        case Field::sha256:
            return ObservableKind::sha256;
        case Field::ja3:
            return ObservableKind::ja3;
        case Field::ja3s:
            return ObservableKind::ja3s;
        case Field::ja4:
            return ObservableKind::ja4;
        case Field::x509_sha1:
            return ObservableKind::x509_sha1;
        default:
            return ObservableKind::none;
    }
}

std::string_view category_name(Category category) {
    switch (category) {
        case Category::ipv4:
            return "ipv4";
        case Category::ipv6:
            return "ipv6";
        case Category::domain:
            return "domain";
        case Category::url:
            return "url";
        case Category::md5:
            return "md5";
        case Category::sha1:
            return "sha1";
        case Category::sha256:
            return "sha256";
        case Category::ja3:
            return "ja3";
        case Category::ja3s:
            return "ja3s";
        case Category::ja4:
            return "ja4";
        case Category::x509_sha1:
            return "x509-sha1";
        case Category::network:
            return "network";
        case Category::mixed:
            return "mixed";
    }
    return "";
}

bool domain_within(std::string_view name, std::string_view parent) {
    if (name.size() < parent.size() || name.substr(name.size() - parent.size()) != parent)
        return false;
    return name.size() == parent.size() || name[name.size() - parent.size() - 1] == '.';
}

namespace {

constexpr std::size_t kMaxAtoms = 4096;

// Thrown inside the compiler, caught at its entry: a pattern is unsupported for one reason.
struct Unsupported {
    std::string reason;
};

std::string_view field_label(Field f) {
    switch (f) {
        case Field::address:
            return "address";
        case Field::server_address:
            return "network-traffic:dst_ref.value";
        case Field::client_address:
            return "network-traffic:src_ref.value";
        case Field::server_port:
            return "network-traffic:dst_port";
        case Field::client_port:
            return "network-traffic:src_port";
        case Field::protocol:
            return "network-traffic:protocols";
        case Field::server_ref_type:
            return "network-traffic:dst_ref.type";
        case Field::client_ref_type:
            return "network-traffic:src_ref.type";
        case Field::domain:
            return "domain-name";
        case Field::url:
            return "url";
        case Field::md5:
            return "file MD5";
        case Field::sha1:
            return "file SHA-1";
        case Field::sha256:
            return "file SHA-256";
        case Field::ja3:
            return "JA3";
        case Field::ja3s:
            return "JA3S";
        case Field::ja4:
            return "JA4";
        case Field::x509_sha1:
            return "certificate SHA-1";
    }
    return "";
}

bool is_address(Field f) {
    return f == Field::address || f == Field::server_address || f == Field::client_address;
}
bool is_port(Field f) {
    return f == Field::server_port || f == Field::client_port;
}

// Lower is more selective: the anchor of an AND is its child with the lowest rank.
constexpr int kRankScan = 5;
int rank_of(const Atom& a) {
    switch (a.field) {
        case Field::domain:
            return 1;
        case Field::address:
        case Field::server_address:
        case Field::client_address:
            return std::all_of(a.prefixes.begin(), a.prefixes.end(),
                               [](const IpPrefix& p) { return p.single(); })
                       ? 2
                       : 3;
        case Field::server_port:
        case Field::client_port:
            return std::all_of(a.ports.begin(), a.ports.end(),
                               [](const PortRange& r) { return r.low == r.high; })
                       ? 4
                       : kRankScan;
        case Field::protocol:
        case Field::server_ref_type:
        case Field::client_ref_type:
            return kRankScan;
        default:
            return 0;  // hashes, fingerprints, URLs
    }
}

Category category_of(const Atom& a) {
    switch (a.field) {
        case Field::address:
        case Field::server_address:
        case Field::client_address: {
            bool v4 = false, v6 = false;
            for (const IpPrefix& p : a.prefixes) (p.network.family == 4 ? v4 : v6) = true;
            return v4 && v6 ? Category::mixed : v6 ? Category::ipv6 : Category::ipv4;
        }
        case Field::domain:
            return Category::domain;
        case Field::url:
            return Category::url;
        case Field::md5:
            return Category::md5;
        case Field::sha1:
            return Category::sha1;
        case Field::sha256:
            return Category::sha256;
        case Field::ja3:
            return Category::ja3;
        case Field::ja3s:
            return Category::ja3s;
        case Field::ja4:
            return Category::ja4;
        case Field::x509_sha1:
            return Category::x509_sha1;
        default:
            return Category::network;
    }
}

// Which atoms can prove a sub-expression possible, how selective they are, and whether the
// sub-expression can hold only on an observation carrying one observable.
struct Anchoring {
    bool ok = false;
    std::vector<std::uint32_t> atoms;
    int rank = 0;
    bool needs_observable = false;
    ObservableKind observable = ObservableKind::none;  // the one it needs, if a single one
};

class Compiler {
  public:
    CompiledPattern run(const Pattern& pattern) {
        out_.root = observation(pattern.root);
        const Anchoring a = anchor(out_.root);
        if (!a.ok)
            throw Unsupported{
                "no positive comparison to index: a pattern of only negations, or an OR with a "
                "branch that has no address, port, domain, URL, hash or fingerprint to look up"};
        out_.anchors = a.atoms;
        out_.scan = a.rank >= kRankScan;
        out_.direct = !out_.scan && plain_alternatives(out_.root);
        out_.category = category_of(out_.atoms[out_.anchors.front()]);
        for (std::uint32_t i : out_.anchors)
            if (category_of(out_.atoms[i]) != out_.category) out_.category = Category::mixed;
        return std::move(out_);
    }

  private:
    std::uint32_t add_node(ExprNode::Kind kind, const std::vector<std::uint32_t>& children) {
        ExprNode node;
        node.kind = kind;
        node.first = static_cast<std::uint32_t>(out_.edges.size());
        node.count = static_cast<std::uint32_t>(children.size());
        out_.edges.insert(out_.edges.end(), children.begin(), children.end());
        out_.nodes.push_back(node);
        return static_cast<std::uint32_t>(out_.nodes.size() - 1);
    }

    std::uint32_t observation(const ObservationExpr& e) {
        if (!e.qualifiers.empty()) {
            const auto kind = e.qualifiers.front().kind;
            throw Unsupported{fmt::format(
                "qualifier {} is not evaluated (Tocsin matches one observation at a time)",
                kind == Qualifier::Kind::within    ? "WITHIN"
                : kind == Qualifier::Kind::repeats ? "REPEATS"
                                                   : "START/STOP")};
        }
        switch (e.kind) {
            case ObservationExpr::Kind::observation:
                return comparison(e.comparison, {});
            case ObservationExpr::Kind::all_of:
                throw Unsupported{
                    "observation expressions joined by AND ([A] AND [B]) need two observations "
                    "together; Tocsin matches one at a time"};
            case ObservationExpr::Kind::followed_by:
                throw Unsupported{
                    "FOLLOWEDBY is not evaluated (it needs a sequence of "
                    "observations)"};
            case ObservationExpr::Kind::any_of: {
                std::vector<std::uint32_t> children;
                for (const ObservationExpr& child : e.children)
                    children.push_back(observation(child));
                return add_node(ExprNode::Kind::any_of, children);
            }
        }
        throw Unsupported{"unknown observation expression"};
    }

    std::uint32_t comparison(const ComparisonExpr& e, std::string_view misp_type) {
        if (e.kind == ComparisonExpr::Kind::test) return test(e.test, misp_type);
        if (e.kind == ComparisonExpr::Kind::any_of) {
            std::vector<std::uint32_t> children;
            for (const ComparisonExpr& child : e.children)
                children.push_back(comparison(child, misp_type));
            return add_node(ExprNode::Kind::any_of, children);
        }
        // MISP's STIX export of types STIX has no object for:
        // [x-misp-attribute:type = 'ja3-fingerprint-md5' AND x-misp-attribute:value = '...'].
        std::string type(misp_type);
        const ComparisonExpr* type_test = nullptr;
        for (const ComparisonExpr& child : e.children) {
            if (child.kind != ComparisonExpr::Kind::test) continue;
            const Comparison& c = child.test;
            if (iequals(c.path.object_type, "x-misp-attribute") && c.path.steps.size() == 1 &&
                iequals(c.path.steps[0].name, "type") && c.op == CompareOp::eq && !c.negated &&
                c.values.size() == 1 && c.values[0].kind == ConstantKind::string) {
                type = c.values[0].text;
                type_test = &child;
            }
        }
        std::vector<std::uint32_t> children;
        for (const ComparisonExpr& child : e.children)
            if (&child != type_test) children.push_back(comparison(child, type));
        if (children.size() == 1) return children.front();
        return add_node(ExprNode::Kind::all_of, children);
    }

    static bool hash_name(std::string_view name, std::string_view want) {
        std::string bare;
        for (char c : name)
            if (c != '-' && c != '_')
                bare += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return bare == want;
    }

    // The field an object path names, or Unsupported. `family` is set for ipvN-addr:value.
    static Field resolve(const Comparison& c, std::string_view misp_type, int& family) {
        const ObjectPath& p = c.path;
        const std::string type = to_lower(p.object_type);
        const std::size_t n = p.steps.size();
        auto prop = [&](std::size_t i, std::string_view name) {
            return i < n && p.steps[i].kind == PathStep::Kind::property &&
                   iequals(p.steps[i].name, name);
        };
        auto not_observed = [&]() {
            return Unsupported{fmt::format("{} is not observed by Tocsin", p.text())};
        };
        if (type == "ipv4-addr" || type == "ipv6-addr") {
            if (n == 1 && prop(0, "value")) {
                family = type == "ipv4-addr" ? 4 : 6;
                return Field::address;
            }
            throw not_observed();
        }
        if (type == "domain-name" || type == "url") {
            if (n == 1 && prop(0, "value")) return type == "url" ? Field::url : Field::domain;
            throw not_observed();
        }
        if (type == "file" || type == "x509-certificate") {
            if (n != 2 || !prop(0, "hashes") || p.steps[1].kind != PathStep::Kind::property)
                throw not_observed();
            const std::string& algo = p.steps[1].name;
            if (type == "x509-certificate") {
                if (hash_name(algo, "SHA1")) return Field::x509_sha1;
                throw Unsupported{
                    fmt::format("certificate hash {} is not computed by Tocsin (SHA-1 is)", algo)};
            }
            if (hash_name(algo, "MD5")) return Field::md5;
            if (hash_name(algo, "SHA1")) return Field::sha1;
            if (hash_name(algo, "SHA256")) return Field::sha256;
            throw Unsupported{fmt::format(
                "file hash {} is not computed by Tocsin (MD5, SHA-1 and SHA-256 are)", algo)};
        }
        if (type == "network-traffic") {
            for (const char* side : {"dst_ref", "src_ref"}) {
                if (n == 2 && prop(0, side) && prop(1, "value"))
                    return side[0] == 'd' ? Field::server_address : Field::client_address;
                if (n == 2 && prop(0, side) && prop(1, "type"))
                    return side[0] == 'd' ? Field::server_ref_type : Field::client_ref_type;
            }
            if (n == 1 && prop(0, "dst_port")) return Field::server_port;
            if (n == 1 && prop(0, "src_port")) return Field::client_port;
            if (n == 2 && prop(0, "protocols") && p.steps[1].kind != PathStep::Kind::property)
                return Field::protocol;
            // No STIX object holds JA3/JA4; feeds put them in a network-traffic extension
            // ('x-tls-ext', 'tls-ext', 'x-ja3-ext'...): any extension's ja3/ja3s/ja4 counts.
            if (n == 3 && prop(0, "extensions") && p.steps[1].kind == PathStep::Kind::property) {
                if (prop(2, "ja3")) return Field::ja3;
                if (prop(2, "ja3s")) return Field::ja3s;
                if (prop(2, "ja4")) return Field::ja4;
            }
            throw not_observed();
        }
        if (type == "x-ja3" || type == "x-ja3s" || type == "x-ja4") {
            if (n == 1 && prop(0, "value"))
                return type == "x-ja3" ? Field::ja3 : type == "x-ja3s" ? Field::ja3s : Field::ja4;
            throw not_observed();
        }
        if (type == "x-misp-attribute") {
            if (n == 1 && prop(0, "value")) {
                if (misp_type.empty())
                    throw Unsupported{
                        "x-misp-attribute:value without x-misp-attribute:type in the same AND"};
                if (auto f = field_for_misp_type(misp_type)) return *f;
                throw Unsupported{
                    fmt::format("MISP type '{}' is not matched by Tocsin", misp_type)};
            }
            throw not_observed();
        }
        throw Unsupported{fmt::format("object type '{}' is not observed by Tocsin", p.object_type)};
    }

    static const std::string& string_value(const Constant& v, Field field) {
        if (v.kind != ConstantKind::string)
            throw Unsupported{
                fmt::format("{} is compared with a string, not this constant", field_label(field))};
        return v.text;
    }

    static std::string canonical(Field field, const std::string& text) {
        std::optional<std::string> value;
        switch (field) {
            case Field::domain:
                value = canonical_domain(text);
                break;
            case Field::url:
                value = canonical_url(text);
                break;
            case Field::md5:
            case Field::ja3:
            case Field::ja3s:
                value = canonical_hex(text, 32);
                break;
            case Field::sha1:
                value = canonical_hex(text, 40);
                break;
            case Field::sha256:
                value = canonical_hex(text, 64);
                break;
            case Field::x509_sha1:
                value = canonical_hex(text, 40, true);
                break;
            case Field::ja4:
                value = canonical_ja4(text);
                break;
            default:
                value = to_lower(text);
                break;
        }
        if (!value)
            throw Unsupported{
                fmt::format("'{}' is not a valid {} value", text, field_label(field))};
        return std::move(*value);
    }

    static void port_values(Atom& atom, CompareOp op, const std::vector<Constant>& values) {
        for (const Constant& v : values) {
            if (v.kind != ConstantKind::integer)
                throw Unsupported{"a port is compared with an integer"};
            const std::int64_t p = v.integer;
            std::int64_t low = 0, high = 65535;
            switch (op) {
                case CompareOp::eq:
                case CompareOp::in:
                    if (p < 0 || p > 65535)
                        throw Unsupported{fmt::format("port {} out of range", p)};
                    low = high = p;
                    break;
                case CompareOp::lt:
                    high = p - 1;
                    break;
                case CompareOp::le:
                    high = p;
                    break;
                case CompareOp::gt:
                    low = p + 1;
                    break;
                case CompareOp::ge:
                    low = p;
                    break;
                default:
                    break;
            }
            low = std::max<std::int64_t>(low, 0);
            high = std::min<std::int64_t>(high, 65535);
            if (low <= high)
                atom.ports.push_back(
                    {static_cast<std::uint16_t>(low), static_cast<std::uint16_t>(high)});
        }
    }

    std::uint32_t test(const Comparison& c, std::string_view misp_type) {
        if (c.op == CompareOp::like || c.op == CompareOp::matches || c.op == CompareOp::exists ||
            c.op == CompareOp::issuperset)
            throw Unsupported{
                fmt::format("operator {} is not evaluated by Tocsin", compare_op_name(c.op))};
        int family = 0;
        Atom atom;
        atom.field = resolve(c, misp_type, family);
        atom.negated = c.negated;
        CompareOp op = c.op;
        if (op == CompareOp::ne) {
            op = CompareOp::eq;
            atom.negated = !atom.negated;
        }
        const bool ordering = op == CompareOp::lt || op == CompareOp::le || op == CompareOp::gt ||
                              op == CompareOp::ge;
        if (ordering && !is_port(atom.field))
            throw Unsupported{fmt::format("operator {} does not apply to {}", compare_op_name(op),
                                          c.path.text())};
        if (op == CompareOp::issubset && !is_address(atom.field))
            throw Unsupported{fmt::format("ISSUBSET applies to addresses, not {}", c.path.text())};
        if (c.values.empty()) throw Unsupported{"an empty set never matches"};

        if (is_port(atom.field)) {
            port_values(atom, op, c.values);
        } else if (is_address(atom.field)) {
            for (const Constant& v : c.values) {
                const std::string& text = string_value(v, atom.field);
                const auto prefix = parse_ip_prefix(text);
                if (!prefix) throw Unsupported{fmt::format("'{}' is not an address or CIDR", text)};
                if (family != 0 && prefix->network.family != family)
                    throw Unsupported{fmt::format("'{}' is not an IPv{} address", text, family)};
                atom.prefixes.push_back(*prefix);
            }
        } else {
            for (const Constant& v : c.values)
                atom.texts.push_back(canonical(atom.field, string_value(v, atom.field)));
        }
        if (out_.atoms.size() >= kMaxAtoms)
            throw Unsupported{fmt::format("more than {} comparisons", kMaxAtoms)};
        out_.atoms.push_back(std::move(atom));
        ExprNode node;
        node.kind = ExprNode::Kind::atom;
        node.first = static_cast<std::uint32_t>(out_.atoms.size() - 1);
        out_.nodes.push_back(node);
        return static_cast<std::uint32_t>(out_.nodes.size() - 1);
    }

    Anchoring anchor(std::uint32_t index) const {
        const ExprNode& node = out_.nodes[index];
        Anchoring result;
        if (node.kind == ExprNode::Kind::atom) {
            const Atom& a = out_.atoms[node.first];
            if (a.negated) return result;
            result.ok = true;
            result.atoms.push_back(node.first);
            result.rank = rank_of(a);
            result.observable = observable_of(a.field);
            result.needs_observable = result.observable != ObservableKind::none;
            return result;
        }
        std::vector<Anchoring> children;
        for (std::uint32_t i = 0; i < node.count; ++i)
            children.push_back(anchor(out_.edges[node.first + i]));
        if (node.kind == ExprNode::Kind::any_of) {
            result.ok = true;
            result.needs_observable = true;
            for (std::size_t i = 0; i < children.size(); ++i) {
                const Anchoring& c = children[i];
                if (!c.ok) return Anchoring{};
                result.atoms.insert(result.atoms.end(), c.atoms.begin(), c.atoms.end());
                result.rank = std::max(result.rank, c.rank);
                result.needs_observable = result.needs_observable && c.needs_observable;
                if (i == 0) result.observable = c.observable;
                if (c.observable != result.observable) result.observable = ObservableKind::none;
            }
            return result;
        }
        // AND: one observation shows one observable, so two different ones never hold together.
        const Anchoring* needing = nullptr;
        for (const Anchoring& c : children) {
            if (!c.needs_observable || c.observable == ObservableKind::none) continue;
            if (needing != nullptr && needing->observable != c.observable)
                throw Unsupported{fmt::format(
                    "compares {} and {} in one observation; Tocsin sees one of them at a time",
                    field_label(out_.atoms[needing->atoms.front()].field),
                    field_label(out_.atoms[c.atoms.front()].field))};
            needing = &c;
        }
        const bool need = std::any_of(children.begin(), children.end(),
                                      [](const Anchoring& c) { return c.needs_observable; });
        const Anchoring* best = nullptr;
        for (const Anchoring& c : children) {
            if (!c.ok || (need && !c.needs_observable)) continue;
            if (best == nullptr || c.rank < best->rank ||
                (c.rank == best->rank && c.atoms.size() < best->atoms.size()))
                best = &c;
        }
        if (best == nullptr) return result;
        result = *best;
        result.needs_observable = need;
        if (needing != nullptr) result.observable = needing->observable;
        return result;
    }

    // An OR-tree of positive atoms: any of its atoms holding makes the pattern hold.
    bool plain_alternatives(std::uint32_t index) const {
        const ExprNode& node = out_.nodes[index];
        if (node.kind == ExprNode::Kind::atom) return !out_.atoms[node.first].negated;
        if (node.kind == ExprNode::Kind::all_of) return false;
        for (std::uint32_t i = 0; i < node.count; ++i)
            if (!plain_alternatives(out_.edges[node.first + i])) return false;
        return true;
    }

    CompiledPattern out_;
};

bool protocol_matches(std::string_view name, const Observation& o) {
    if (name == "ipv4") return o.server.family == 4;
    if (name == "ipv6") return o.server.family == 6;
    if (name == "tcp") return o.ip_proto == 6;
    if (name == "udp") return o.ip_proto == 17;
    if (name == "icmp") return o.ip_proto == 1 || o.ip_proto == 58;
    if (name == "icmpv6" || name == "ipv6-icmp") return o.ip_proto == 58;
    if (name == "sctp") return o.ip_proto == 132;
    if (o.app_proto.empty()) return false;
    // IANA service names where Tocsin names the protocol otherwise.
    if (name == "domain") return iequals(o.app_proto, "dns");
    if (name == "ssl" || name == "https") return iequals(o.app_proto, "tls");
    return iequals(name, o.app_proto);
}

bool ref_type_matches(std::string_view type, const IpAddress& address) {
    return (type == "ipv4-addr" && address.family == 4) ||
           (type == "ipv6-addr" && address.family == 6);
}

bool evaluate_atom(const Atom& a, const Observation& o, std::string_view value) {
    bool hit = false;
    const auto any_prefix = [&](const IpAddress& addr) {
        return std::any_of(a.prefixes.begin(), a.prefixes.end(),
                           [&](const IpPrefix& p) { return p.contains(addr); });
    };
    const auto any_port = [&](std::uint16_t port) {
        return std::any_of(a.ports.begin(), a.ports.end(),
                           [&](const PortRange& r) { return port >= r.low && port <= r.high; });
    };
    switch (a.field) {
        case Field::address:
            hit = any_prefix(o.client) || any_prefix(o.server);
            break;
        case Field::server_address:
            hit = any_prefix(o.server);
            break;
        case Field::client_address:
            hit = any_prefix(o.client);
            break;
        case Field::server_port:
            hit = any_port(o.server_port);
            break;
        case Field::client_port:
            hit = any_port(o.client_port);
            break;
        case Field::protocol:
            for (const std::string& t : a.texts) hit = hit || protocol_matches(t, o);
            break;
        case Field::server_ref_type:
            for (const std::string& t : a.texts) hit = hit || ref_type_matches(t, o.server);
            break;
        case Field::client_ref_type:
            for (const std::string& t : a.texts) hit = hit || ref_type_matches(t, o.client);
            break;
        case Field::domain:
            if (o.kind == ObservableKind::domain)
                for (const std::string& t : a.texts) hit = hit || domain_within(value, t);
            break;
        default:
            if (o.kind == observable_of(a.field))
                hit = std::find(a.texts.begin(), a.texts.end(), value) != a.texts.end();
            break;
    }
    return hit != a.negated;
}

bool evaluate_node(const CompiledPattern& p, std::uint32_t index, const Observation& o,
                   std::string_view value) {
    const ExprNode& node = p.nodes[index];
    switch (node.kind) {
        case ExprNode::Kind::atom:
            return evaluate_atom(p.atoms[node.first], o, value);
        case ExprNode::Kind::all_of:
            for (std::uint32_t i = 0; i < node.count; ++i)
                if (!evaluate_node(p, p.edges[node.first + i], o, value)) return false;
            return true;
        case ExprNode::Kind::any_of:
            for (std::uint32_t i = 0; i < node.count; ++i)
                if (evaluate_node(p, p.edges[node.first + i], o, value)) return true;
            return false;
    }
    return false;
}

}  // namespace

CompileOutcome compile_pattern(const Pattern& pattern) {
    CompileOutcome outcome;
    try {
        Compiler compiler;
        outcome.compiled = compiler.run(pattern);
    } catch (const Unsupported& u) {
        outcome.unsupported = u.reason;
    }
    return outcome;
}

CompileOutcome compile_pattern_text(std::string_view text, const PatternLimits& limits) {
    const PatternParse parsed = parse_pattern(text, limits);
    if (!parsed.ok()) {
        CompileOutcome outcome;
        outcome.unsupported = "syntax error " + parsed.error.to_string();
        return outcome;
    }
    return compile_pattern(*parsed.pattern);
}

bool evaluate(const CompiledPattern& pattern, const Observation& observation,
              std::string_view value) {
    return evaluate_node(pattern, pattern.root, observation, value);
}

}  // namespace tocsin::intel
