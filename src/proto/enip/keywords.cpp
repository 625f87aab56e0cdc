#include "proto/enip/keywords.h"

#include <array>
#include <charconv>
#include <functional>
#include <memory>

#include "core/number_expr.h"
#include "proto/enip/names.h"
#include "proto/enip/transaction.h"

namespace tocsin::proto::enip {

using applayer::Direction;
using applayer::Transaction;
using applayer::TxTest;

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::optional<std::uint64_t> parse_number(std::string_view s, std::uint64_t max) {
    return NumberExpr::number(s, max);
}

// ---- The transaction's values, as Suricata's keywords read them ----------------------------

const EnipTransaction* as_enip(const Transaction& tx) {
    return dynamic_cast<const EnipTransaction*>(&tx);
}

// The first data item's CIP message of one side.
const CipMessage* cip_of(const Pdu* pdu) {
    return pdu != nullptr ? pdu->first_cip() : nullptr;
}

bool any_message(const CipMessage& m, const std::function<bool(const CipMessage&)>& f) {
    if (f(m)) return true;
    for (const CipMessage& e : m.multiple)
        if (any_message(e, f)) return true;
    // Tocsin looks into Unconnected Send as well: a Reset routed through the Connection
    // Manager resets the controller all the same.
    for (const CipMessage& e : m.embedded)
        if (any_message(e, f)) return true;
    return false;
}

bool request_has_attribute(const CipMessage& m, const NumberExpr& t) {
    for (const Segment& s : m.path)
        if (s.is_attribute() && t.matches(s.value)) return true;
    for (std::uint16_t a : m.attribute_list)
        if (t.matches(a)) return true;
    return m.first_set_attribute && t.matches(*m.first_set_attribute);
}

bool service_matches(const CipMessage& m, const CipServiceTest& t) {
    if (m.service != t.service) return false;
    if (!t.cls) return true;
    bool has_class = false;
    for (const Segment& s : m.path) has_class = has_class || (s.is_class() && s.value == *t.cls);
    if (!has_class) return false;
    if (!t.attribute || m.response) return !t.attribute;
    return request_has_attribute(m, NumberExpr::equal(*t.attribute));
}

// ---- Compiled tests --------------------------------------------------------------------------

// A number of the transaction (nullopt: absent) compared with a NumberExpr.
using Getter = std::optional<std::uint64_t> (*)(const EnipTransaction&, Direction);

class NumberTest final : public TxTest {
  public:
    NumberTest(Getter get, NumberExpr test) : get_(get), test_(test) {}
    bool matches(const Transaction& tx, Direction dir) const override {
        const EnipTransaction* t = as_enip(tx);
        if (t == nullptr) return false;
        const auto v = get_(*t, dir);
        return v && test_.matches(*v);
    }

  private:
    Getter get_;
    NumberExpr test_;
};

// A test over the CIP messages of a side.
enum class CipSide : std::uint8_t { packet, request, response };
using CipPredicate = bool (*)(const CipMessage&, const NumberExpr&);

class CipTest final : public TxTest {
  public:
    CipTest(CipSide side, CipPredicate pred, NumberExpr test)
        : side_(side), pred_(pred), test_(test) {}
    bool matches(const Transaction& tx, Direction dir) const override {
        const EnipTransaction* t = as_enip(tx);
        if (t == nullptr) return false;
        const Pdu* pdu = side_ == CipSide::request    ? t->side(Direction::to_server)
                         : side_ == CipSide::response ? t->side(Direction::to_client)
                                                      : t->side(dir);
        const CipMessage* m = cip_of(pdu);
        if (m == nullptr) return false;
        return any_message(*m, [this](const CipMessage& x) { return pred_(x, test_); });
    }

  private:
    CipSide side_;
    CipPredicate pred_;
    NumberExpr test_;
};

class CipServiceTxTest final : public TxTest {
  public:
    explicit CipServiceTxTest(CipServiceTest test) : test_(test) {}
    bool matches(const Transaction& tx, Direction dir) const override {
        const EnipTransaction* t = as_enip(tx);
        if (t == nullptr) return false;
        const CipMessage* m = cip_of(t->side(dir));
        if (m == nullptr) return false;
        return any_message(*m, [this](const CipMessage& x) { return service_matches(x, test_); });
    }

  private:
    CipServiceTest test_;
};

const Identity* identity_of(const EnipTransaction& t) {
    return t.response ? t.response->identity() : nullptr;
}

template <typename F>
std::optional<std::uint64_t> from_identity(const EnipTransaction& t, F field) {
    const Identity* id = identity_of(t);
    if (id == nullptr) return std::nullopt;
    return field(*id);
}

std::optional<std::uint64_t> get_command(const EnipTransaction& t, Direction dir) {
    const Pdu* p = t.side(dir);
    return p ? std::optional<std::uint64_t>(p->header.command) : std::nullopt;
}
std::optional<std::uint64_t> get_status(const EnipTransaction& t, Direction dir) {
    const Pdu* p = t.side(dir);
    return p ? std::optional<std::uint64_t>(p->header.status) : std::nullopt;
}
std::optional<std::uint64_t> get_protocol_version(const EnipTransaction& t, Direction dir) {
    const Pdu* p = t.side(dir);
    if (p == nullptr) return std::nullopt;
    if (p->payload == Pdu::Payload::register_session) return p->register_session.protocol_version;
    if (dir == Direction::to_server) return std::nullopt;
    if (const ServiceInfo* s = p->service_info()) return s->protocol_version;
    if (const Identity* id = p->identity()) return id->protocol_version;
    return std::nullopt;
}
std::optional<std::uint64_t> get_capabilities(const EnipTransaction& t, Direction) {
    const ServiceInfo* s = t.response ? t.response->service_info() : nullptr;
    return s ? std::optional<std::uint64_t>(s->capabilities) : std::nullopt;
}
std::optional<std::uint64_t> get_revision(const EnipTransaction& t, Direction) {
    return from_identity(t, [](const Identity& i) {
        return std::uint64_t{i.revision_major} << 8 | i.revision_minor;
    });
}
std::optional<std::uint64_t> get_identity_status(const EnipTransaction& t, Direction) {
    return from_identity(t, [](const Identity& i) { return std::uint64_t{i.status}; });
}
std::optional<std::uint64_t> get_state(const EnipTransaction& t, Direction) {
    return from_identity(t, [](const Identity& i) { return std::uint64_t{i.state}; });
}
std::optional<std::uint64_t> get_serial(const EnipTransaction& t, Direction) {
    return from_identity(t, [](const Identity& i) { return std::uint64_t{i.serial}; });
}
std::optional<std::uint64_t> get_product_code(const EnipTransaction& t, Direction) {
    return from_identity(t, [](const Identity& i) { return std::uint64_t{i.product_code}; });
}
std::optional<std::uint64_t> get_device_type(const EnipTransaction& t, Direction) {
    return from_identity(t, [](const Identity& i) { return std::uint64_t{i.device_type}; });
}
std::optional<std::uint64_t> get_vendor_id(const EnipTransaction& t, Direction) {
    return from_identity(t, [](const Identity& i) { return std::uint64_t{i.vendor_id}; });
}

bool request_class(const CipMessage& m, const NumberExpr& t) {
    if (m.response) return false;
    for (const Segment& s : m.path)
        if (s.is_class() && t.matches(s.value)) return true;
    return false;
}
bool request_instance(const CipMessage& m, const NumberExpr& t) {
    if (m.response) return false;
    for (const Segment& s : m.path)
        if (s.is_instance() && t.matches(s.value)) return true;
    return false;
}
bool request_attribute(const CipMessage& m, const NumberExpr& t) {
    return !m.response && request_has_attribute(m, t);
}
bool response_status(const CipMessage& m, const NumberExpr& t) {
    return m.response && t.matches(m.status);
}
bool response_extended_status(const CipMessage& m, const NumberExpr& t) {
    const auto v = m.extended_status_value();
    return m.response && v && t.matches(*v);
}

// ---- Compilers ----------------------------------------------------------------------------

using NameLookup = std::optional<std::uint64_t> (*)(std::string_view);

std::optional<std::uint64_t> command_code(std::string_view name) {
    const auto c = command_from_name(name);
    return c ? std::optional<std::uint64_t>(*c) : std::nullopt;
}
std::optional<std::uint64_t> status_code(std::string_view name) {
    const auto s = status_from_name(name);
    return s ? std::optional<std::uint64_t>(*s) : std::nullopt;
}

std::optional<NumberExpr> parse_value(std::string_view value, std::uint64_t max, NameLookup names) {
    value = trim(value);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = trim(value.substr(1, value.size() - 2));
    if (auto t = NumberExpr::parse(value, max)) return t;
    if (names == nullptr) return std::nullopt;
    // Suricata's enum keywords take a name for equality ("list_identity", "success").
    bool negated = false;
    if (!value.empty() && value.front() == '!') {
        negated = true;
        value = trim(value.substr(1));
    }
    const auto code = names(value);
    if (!code) return std::nullopt;
    return negated ? NumberExpr::not_equal(*code) : NumberExpr::equal(*code);
}

template <Getter G, std::uint64_t Max, NameLookup Names = nullptr>
std::unique_ptr<const TxTest> compile_number(std::string_view value, std::string& error) {
    const auto t = parse_value(value, Max, Names);
    if (!t) {
        error = "invalid value '" + std::string(value) + "'";
        return nullptr;
    }
    return std::make_unique<NumberTest>(G, *t);
}

template <CipSide Side, CipPredicate P, std::uint64_t Max>
std::unique_ptr<const TxTest> compile_cip(std::string_view value, std::string& error) {
    const auto t = parse_value(value, Max, nullptr);
    if (!t) {
        error = "invalid value '" + std::string(value) + "'";
        return nullptr;
    }
    return std::make_unique<CipTest>(Side, P, *t);
}

std::unique_ptr<const TxTest> compile_cip_service(std::string_view value, std::string& error) {
    const auto t = parse_cip_service(value);
    if (!t) {
        error = "invalid cip_service '" + std::string(value) + "'";
        return nullptr;
    }
    return std::make_unique<CipServiceTxTest>(*t);
}

constexpr std::uint64_t k8 = 0xFF, k16 = 0xFFFF, k32 = 0xFFFFFFFF;
using V = applayer::ProtocolKeyword::Value;

const std::array kKeywords{
    applayer::ProtocolKeyword{"enip_command", V::required,
                              compile_number<get_command, k16, command_code>},
    applayer::ProtocolKeyword{"cip_service", V::required, compile_cip_service},
    applayer::ProtocolKeyword{"enip.status", V::required,
                              compile_number<get_status, k32, status_code>},
    applayer::ProtocolKeyword{"enip.protocol_version", V::required,
                              compile_number<get_protocol_version, k16>},
    applayer::ProtocolKeyword{"enip.capabilities", V::required,
                              compile_number<get_capabilities, k16>},
    applayer::ProtocolKeyword{"enip.revision", V::required, compile_number<get_revision, k16>},
    applayer::ProtocolKeyword{"enip.identity_status", V::required,
                              compile_number<get_identity_status, k16>},
    applayer::ProtocolKeyword{"enip.state", V::required, compile_number<get_state, k8>},
    applayer::ProtocolKeyword{"enip.serial", V::required, compile_number<get_serial, k32>},
    applayer::ProtocolKeyword{"enip.product_code", V::required,
                              compile_number<get_product_code, k16>},
    applayer::ProtocolKeyword{"enip.device_type", V::required,
                              compile_number<get_device_type, k16>},
    applayer::ProtocolKeyword{"enip.vendor_id", V::required, compile_number<get_vendor_id, k16>},
    applayer::ProtocolKeyword{"enip.cip_class", V::required,
                              compile_cip<CipSide::request, request_class, k32>},
    applayer::ProtocolKeyword{"enip.cip_instance", V::required,
                              compile_cip<CipSide::request, request_instance, k32>},
    applayer::ProtocolKeyword{"enip.cip_attribute", V::required,
                              compile_cip<CipSide::request, request_attribute, k32>},
    applayer::ProtocolKeyword{"enip.cip_status", V::required,
                              compile_cip<CipSide::response, response_status, k8>},
    applayer::ProtocolKeyword{"enip.cip_extendedstatus", V::required,
                              compile_cip<CipSide::response, response_extended_status, k16>},
};

}  // namespace

std::optional<CipServiceTest> parse_cip_service(std::string_view text) {
    CipServiceTest t;
    std::array<std::string_view, 3> parts{};
    std::size_t n = 0;
    for (;;) {
        const auto comma = text.find(',');
        if (n == parts.size()) return std::nullopt;  // more than three values
        parts[n++] = trim(text.substr(0, comma));
        if (comma == std::string_view::npos) break;
        text = text.substr(comma + 1);
    }
    auto digits = [](std::string_view s, std::uint64_t max) -> std::optional<std::uint64_t> {
        if (s.empty() || s.find_first_not_of("0123456789") != std::string_view::npos)
            return std::nullopt;
        return parse_number(s, max);
    };
    const auto service = digits(parts[0], 0x7F);  // a request service: bit 7 clear
    if (!service) return std::nullopt;
    t.service = static_cast<std::uint8_t>(*service);
    if (n >= 2) {
        const auto cls = digits(parts[1], k32);
        if (!cls) return std::nullopt;
        t.cls = static_cast<std::uint32_t>(*cls);
    }
    if (n == 3) {
        std::string_view attr = parts[2];
        const bool negated = attr.starts_with('!');
        if (negated) attr = trim(attr.substr(1));
        const auto a = digits(attr, k32);
        if (!a) return std::nullopt;
        if (!negated) t.attribute = static_cast<std::uint32_t>(*a);
    }
    return t;
}

std::span<const applayer::ProtocolKeyword> keywords() {
    return kKeywords;
}

}  // namespace tocsin::proto::enip
