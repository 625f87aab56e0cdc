#include "detect/net_expression.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

namespace tocsin::detect {
namespace {

constexpr int kMaxDepth = 32;  // nesting of lists, negations and variables together

U128 next(U128 v) {
    return v.lo == ~0ULL ? U128{v.hi + 1, 0} : U128{v.hi, v.lo + 1};
}
U128 prev(U128 v) {
    return v.lo == 0 ? U128{v.hi - 1, ~0ULL} : U128{v.hi, v.lo - 1};
}
std::uint32_t next(std::uint32_t v) {
    return v + 1;
}
std::uint32_t prev(std::uint32_t v) {
    return v - 1;
}

template <typename T>
struct Span {
    T first;
    T last;
};
template <typename T>
using Spans = std::vector<Span<T>>;

// Sorted, merged (overlapping or adjacent spans become one).
template <typename T>
void normalize(Spans<T>& s, T max) {
    std::sort(s.begin(), s.end(),
              [](const Span<T>& a, const Span<T>& b) { return a.first < b.first; });
    Spans<T> out;
    for (const auto& x : s) {
        if (!out.empty() && (x.first <= out.back().last ||
                             (out.back().last != max && next(out.back().last) == x.first))) {
            out.back().last = std::max(out.back().last, x.last);
        } else {
            out.push_back(x);
        }
    }
    s.swap(out);
}

template <typename T>
Spans<T> subtract(const Spans<T>& a, const Spans<T>& b) {
    Spans<T> out;
    for (Span<T> x : a) {
        bool gone = false;
        for (const auto& y : b) {
            if (y.last < x.first || y.first > x.last) continue;
            if (y.first > x.first) out.push_back({x.first, prev(y.first)});
            if (y.last >= x.last) {
                gone = true;
                break;
            }
            x.first = next(y.last);
        }
        if (!gone) out.push_back(x);
    }
    return out;
}

template <typename T>
void append(Spans<T>& to, const Spans<T>& from) {
    to.insert(to.end(), from.begin(), from.end());
}

const U128 kMaxV4{0, 0xffffffffULL};
const U128 kMaxV6{~0ULL, ~0ULL};
constexpr std::uint32_t kMaxPort = 65535;

U128 to_u128(const IpAddress& a) {
    U128 v;
    if (a.family == 4) {
        v.lo = std::uint64_t{a.bytes[0]} << 24 | std::uint64_t{a.bytes[1]} << 16 |
               std::uint64_t{a.bytes[2]} << 8 | a.bytes[3];
        return v;
    }
    for (int i = 0; i < 8; ++i) v.hi = v.hi << 8 | a.bytes[i];
    for (int i = 8; i < 16; ++i) v.lo = v.lo << 8 | a.bytes[i];
    return v;
}

// Host bits of a /prefix in a `width`-bit space.
U128 host_mask(int width, int prefix) {
    const int host = width - prefix;
    U128 m;
    if (host >= 64) {
        m.lo = ~0ULL;
        m.hi = host >= 128 ? ~0ULL : (host == 64 ? 0 : (~0ULL >> (128 - host)));
    } else {
        m.lo = host == 0 ? 0 : (~0ULL >> (64 - host));
    }
    return m;
}

}  // namespace

// The value of an expression: both families for addresses, or ports.
struct NetValue {
    Spans<U128> v4, v6;
    Spans<std::uint32_t> ports;
};

class NetParser {
  public:
    enum class Kind { address, port };

    NetParser(std::string_view text, const NetVariables& vars, Kind kind, int depth,
              std::set<std::string>& expanding)
        : text_(text), vars_(vars), kind_(kind), depth_(depth), expanding_(expanding) {}

    // The whole text as one expression; negation at the top is applied against "any".
    bool parse_all(NetValue& out, std::string& error) {
        bool negated = false;
        if (!item(out, negated)) {
            error = error_;
            return false;
        }
        skip_space();
        if (pos_ != text_.size()) {
            error = "unexpected '" + std::string(text_.substr(pos_, 1)) + "' at offset " +
                    std::to_string(pos_);
            return false;
        }
        if (negated) out = complement(out);
        return true;
    }

  private:
    NetValue full() const {
        NetValue v;
        if (kind_ == Kind::address) {
            v.v4 = {{U128{}, kMaxV4}};
            v.v6 = {{U128{}, kMaxV6}};
        } else {
            v.ports = {{0, kMaxPort}};
        }
        return v;
    }
    NetValue complement(const NetValue& v) const { return minus(full(), v); }
    static NetValue minus(const NetValue& a, const NetValue& b) {
        return {subtract(a.v4, b.v4), subtract(a.v6, b.v6), subtract(a.ports, b.ports)};
    }
    static bool is_empty(const NetValue& v) {
        return v.v4.empty() && v.v6.empty() && v.ports.empty();
    }

    void skip_space() {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    }
    bool fail(std::string why) {
        error_ = std::move(why);
        return false;
    }

    // One item: !item | [list] | $VAR | any | literal. `negated` says whether the caller must
    // subtract it rather than add it.
    bool item(NetValue& out, bool& negated) {
        if (++depth_ > kMaxDepth) return fail("expression nested too deeply");
        skip_space();
        if (pos_ >= text_.size()) return fail("missing value");
        const char c = text_[pos_];
        bool ok = false;
        if (c == '!') {
            ++pos_;
            ok = item(out, negated);
            negated = !negated;
            if (ok && negated && out.v4.size() == 1 && out.v6.size() == 1 && out.ports.empty() &&
                kind_ == Kind::address && is_full(out))
                return fail("'!any' matches nothing");
            if (ok && negated && kind_ == Kind::port && out.ports.size() == 1 &&
                out.ports[0].first == 0 && out.ports[0].last == kMaxPort)
                return fail("'!any' matches nothing");
        } else if (c == '[') {
            ++pos_;
            ok = list(out);
            negated = false;
        } else if (c == '$') {
            ok = variable(out, negated);
        } else {
            ok = literal(out);
            negated = false;
        }
        --depth_;
        return ok;
    }

    bool is_full(const NetValue& v) const {
        return v.v4[0].first == U128{} && v.v4[0].last == kMaxV4 && v.v6[0].first == U128{} &&
               v.v6[0].last == kMaxV6;
    }

    bool list(NetValue& out) {
        NetValue plus, minus_set;
        bool any_plain = false;
        while (true) {
            NetValue v;
            bool negated = false;
            if (!item(v, negated)) return false;
            NetValue& into = negated ? minus_set : plus;
            append(into.v4, v.v4);
            append(into.v6, v.v6);
            append(into.ports, v.ports);
            any_plain = any_plain || !negated;
            skip_space();
            if (pos_ >= text_.size()) return fail("unbalanced '[': missing ']'");
            if (text_[pos_] == ',') {
                ++pos_;
                continue;
            }
            if (text_[pos_] == ']') {
                ++pos_;
                break;
            }
            return fail("expected ',' or ']' at offset " + std::to_string(pos_));
        }
        normalize(plus.v4, kMaxV4);
        normalize(plus.v6, kMaxV6);
        normalize(plus.ports, kMaxPort);
        normalize(minus_set.v4, kMaxV4);
        normalize(minus_set.v6, kMaxV6);
        normalize(minus_set.ports, kMaxPort);
        out = minus(any_plain ? plus : full(), minus_set);
        if (is_empty(out)) return fail("list matches nothing");
        return true;
    }

    bool variable(NetValue& out, bool& negated) {
        std::size_t end = pos_ + 1;
        while (end < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[end])) ||
                                      text_[end] == '_' || text_[end] == '-'))
            ++end;
        const std::string name(text_.substr(pos_ + 1, end - pos_ - 1));
        pos_ = end;
        const auto& table = kind_ == Kind::address ? vars_.addresses : vars_.ports;
        const auto it = table.find(name);
        if (it == table.end())
            return fail("unknown " + std::string(kind_ == Kind::address ? "address" : "port") +
                        " variable $" + name);
        if (!expanding_.insert(name).second) return fail("variable $" + name + " refers to itself");
        NetParser inner(it->second, vars_, kind_, depth_, expanding_);
        negated = false;
        const bool ok = inner.item(out, negated) && inner.at_end();
        expanding_.erase(name);
        if (!ok)
            return fail("$" + name + ": " +
                        (inner.error_.empty() ? "trailing text" : inner.error_));
        return true;
    }

    bool at_end() {
        skip_space();
        return pos_ == text_.size();
    }

    std::string_view token() {
        const std::size_t start = pos_;
        while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != ']' &&
               !std::isspace(static_cast<unsigned char>(text_[pos_])))
            ++pos_;
        return text_.substr(start, pos_ - start);
    }

    bool literal(NetValue& out) {
        const std::string_view t = token();
        if (t.empty()) return fail("missing value at offset " + std::to_string(pos_));
        if (t == "any") {
            out = full();
            return true;
        }
        return kind_ == Kind::address ? address(t, out) : port(t, out);
    }

    bool address(std::string_view t, NetValue& out) {
        auto add = [&out](const IpAddress& a, U128 first, U128 last) {
            (a.family == 4 ? out.v4 : out.v6).push_back({first, last});
        };
        if (const auto slash = t.find('/'); slash != std::string_view::npos) {
            const auto a = IpAddress::parse(t.substr(0, slash));
            if (!a) return fail("invalid address '" + std::string(t) + "'");
            const int width = a->family == 4 ? 32 : 128;
            const std::string_view rest = t.substr(slash + 1);
            int prefix = -1;
            if (const auto mask = IpAddress::parse(rest);
                mask && mask->family == 4 && a->family == 4) {
                // A dotted netmask (255.255.255.0): it must be contiguous ones.
                const std::uint64_t m = to_u128(*mask).lo;
                const int ones = __builtin_popcountll(m);
                if (ones != 32 && (m & ((1ULL << (32 - ones)) - 1)) != 0)
                    return fail("non-contiguous netmask '" + std::string(rest) + "'");
                prefix = ones;
            } else {
                auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), prefix);
                if (ec != std::errc{} || end != rest.data() + rest.size() || prefix < 0 ||
                    prefix > width)
                    return fail("invalid prefix length in '" + std::string(t) + "'");
            }
            const U128 host = host_mask(width, prefix);
            const U128 v = to_u128(*a);
            add(*a, U128{v.hi & ~host.hi, v.lo & ~host.lo}, U128{v.hi | host.hi, v.lo | host.lo});
            return true;
        }
        if (const auto dash = t.find('-'); dash != std::string_view::npos) {
            const auto a = IpAddress::parse(t.substr(0, dash));
            const auto b = IpAddress::parse(t.substr(dash + 1));
            if (!a || !b || a->family != b->family)
                return fail("invalid address range '" + std::string(t) + "'");
            if (to_u128(*b) < to_u128(*a))
                return fail("address range runs backwards: '" + std::string(t) + "'");
            add(*a, to_u128(*a), to_u128(*b));
            return true;
        }
        const auto a = IpAddress::parse(t);
        if (!a) return fail("invalid address '" + std::string(t) + "'");
        add(*a, to_u128(*a), to_u128(*a));
        return true;
    }

    bool port_number(std::string_view t, std::uint32_t& value) {
        auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
        return ec == std::errc{} && end == t.data() + t.size() && value <= kMaxPort;
    }

    bool port(std::string_view t, NetValue& out) {
        std::uint32_t first = 0, last = kMaxPort;
        const auto colon = t.find(':');
        if (colon == std::string_view::npos) {
            if (!port_number(t, first)) return fail("invalid port '" + std::string(t) + "'");
            last = first;
        } else {
            const std::string_view lo = t.substr(0, colon), hi = t.substr(colon + 1);
            if (lo.empty() && hi.empty()) return fail("invalid port range ':'");
            if (!lo.empty() && !port_number(lo, first))
                return fail("invalid port '" + std::string(t) + "'");
            if (!hi.empty() && !port_number(hi, last))
                return fail("invalid port '" + std::string(t) + "'");
            if (last < first) return fail("port range runs backwards: '" + std::string(t) + "'");
        }
        out.ports.push_back({first, last});
        return true;
    }

    std::string_view text_;
    const NetVariables& vars_;
    Kind kind_;
    int depth_;
    std::set<std::string>& expanding_;
    std::size_t pos_ = 0;
    std::string error_;
};

NetVariables NetVariables::from_config(const Config& config) {
    NetVariables v;
    v.addresses = {
        {"HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]"},
        {"EXTERNAL_NET", "!$HOME_NET"},
        {"HTTP_SERVERS", "$HOME_NET"},
        {"SMTP_SERVERS", "$HOME_NET"},
        {"SQL_SERVERS", "$HOME_NET"},
        {"DNS_SERVERS", "$HOME_NET"},
        {"TELNET_SERVERS", "$HOME_NET"},
        {"AIM_SERVERS", "$EXTERNAL_NET"},
        {"DC_SERVERS", "$HOME_NET"},
        {"DNP3_SERVER", "$HOME_NET"},
        {"DNP3_CLIENT", "$HOME_NET"},
        {"MODBUS_CLIENT", "$HOME_NET"},
        {"MODBUS_SERVER", "$HOME_NET"},
        {"ENIP_CLIENT", "$HOME_NET"},
        {"ENIP_SERVER", "$HOME_NET"},
    };
    v.ports = {
        {"HTTP_PORTS", "80"},
        {"SHELLCODE_PORTS", "!80"},
        {"ORACLE_PORTS", "1521"},
        {"SSH_PORTS", "22"},
        {"DNP3_PORTS", "20000"},
        {"MODBUS_PORTS", "502"},
        {"FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]"},
        {"FTP_PORTS", "21"},
        {"GENEVE_PORTS", "6081"},
        {"VXLAN_PORTS", "4789"},
        {"TEREDO_PORTS", "3544"},
    };
    for (auto& [name, value] : config.with_prefix("vars.address-groups."))
        v.addresses[name] = value;
    for (auto& [name, value] : config.with_prefix("vars.port-groups.")) v.ports[name] = value;
    return v;
}

AddressSet AddressSet::any() {
    AddressSet s;
    s.v4_ = {{U128{}, kMaxV4}};
    s.v6_ = {{U128{}, kMaxV6}};
    return s;
}

bool AddressSet::contains(const IpAddress& address) const {
    const auto& ranges = address.family == 4 ? v4_ : v6_;
    const U128 v = to_u128(address);
    auto it = std::upper_bound(ranges.begin(), ranges.end(), v,
                               [](const U128& x, const Range& r) { return x < r.first; });
    return it != ranges.begin() && v <= std::prev(it)->last;
}

AddressSet::Parsed AddressSet::parse(std::string_view text, const NetVariables& vars) {
    std::set<std::string> expanding;
    NetParser p(text, vars, NetParser::Kind::address, 0, expanding);
    NetValue v;
    Parsed out;
    if (!p.parse_all(v, out.error)) return out;
    normalize(v.v4, kMaxV4);
    normalize(v.v6, kMaxV6);
    if (v.v4.empty() && v.v6.empty()) {
        out.error = "address expression matches nothing";
        return out;
    }
    AddressSet s;
    for (const auto& r : v.v4) s.v4_.push_back({r.first, r.last});
    for (const auto& r : v.v6) s.v6_.push_back({r.first, r.last});
    out.set = std::move(s);
    return out;
}

PortSet PortSet::any() {
    PortSet s;
    s.ranges_ = {{0, 65535}};
    return s;
}

bool PortSet::contains(std::uint16_t port) const {
    for (const auto& r : ranges_)
        if (port >= r.first && port <= r.last) return true;
    return false;
}

PortSet::Parsed PortSet::parse(std::string_view text, const NetVariables& vars) {
    std::set<std::string> expanding;
    NetParser p(text, vars, NetParser::Kind::port, 0, expanding);
    NetValue v;
    Parsed out;
    if (!p.parse_all(v, out.error)) return out;
    normalize(v.ports, kMaxPort);
    if (v.ports.empty()) {
        out.error = "port expression matches nothing";
        return out;
    }
    PortSet s;
    for (const auto& r : v.ports)
        s.ranges_.push_back(
            {static_cast<std::uint16_t>(r.first), static_cast<std::uint16_t>(r.last)});
    out.set = std::move(s);
    return out;
}

}  // namespace tocsin::detect
