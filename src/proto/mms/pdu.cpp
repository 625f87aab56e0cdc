#include "proto/mms/pdu.h"

#include <cstdio>
#include <cstring>
#include <ctime>

#include "core/ber.h"

namespace tocsin::proto::mms {

namespace {

using Class = BerElement::Class;

// Universal tags met inside MMS PDUs.
constexpr std::uint32_t kInteger = 2;
constexpr std::uint32_t kSequence = 16;
constexpr std::uint32_t kVisibleString = 26;

// Walks one PDU: counts the elements visited and the values kept, so a PDU of many tiny
// elements cannot make the decoder work or keep without bound.
class Decoder {
  public:
    explicit Decoder(Message& m) : m_(m) {}

    // The elements of a constructed value; stops (and marks the message) past the budget.
    std::vector<BerElement> children(ByteSpan value) {
        std::vector<BerElement> out;
        BerReader r(value);
        while (auto e = r.next()) {
            if (++elements_ > kMaxElements) {
                m_.truncated = true;
                break;
            }
            out.push_back(*e);
        }
        if (!r.ok()) m_.malformed = true;
        return out;
    }
    std::optional<BerElement> first(ByteSpan value) {
        auto c = children(value);
        if (c.empty()) return std::nullopt;
        return c.front();
    }

    static std::string text(ByteSpan v) {
        std::string s;
        for (std::size_t i = 0; i < v.size() && i < kMaxText; ++i)
            s.push_back(v[i] >= 0x20 && v[i] < 0x7F ? static_cast<char>(v[i]) : '.');
        return s;
    }
    static std::string hex(ByteSpan v) {
        static constexpr char kHex[] = "0123456789abcdef";
        std::string s;
        for (std::size_t i = 0; i < v.size() && i < kMaxText / 2; ++i) {
            s.push_back(kHex[v[i] >> 4]);
            s.push_back(kHex[v[i] & 0xF]);
        }
        return s;
    }
    std::optional<std::int64_t> integer(const BerElement& e) {
        auto v = BerReader::integer(e.value);
        if (!v) m_.malformed = true;
        return v;
    }

    // ObjectName: [0] vmd-specific, [1] domain-specific {domainId, itemId}, [2] aa-specific.
    std::optional<ObjectName> object_name(const BerElement& e) {
        if (e.cls != Class::context) return std::nullopt;
        ObjectName n;
        switch (e.tag) {
            case 0:
            case 2:
                if (e.constructed) return std::nullopt;
                n.scope = e.tag == 0 ? ObjectName::Scope::vmd : ObjectName::Scope::aa;
                n.item = text(e.value);
                return n;
            case 1: {
                if (!e.constructed) return std::nullopt;
                auto parts = children(e.value);
                if (parts.size() != 2 || parts[0].constructed || parts[1].constructed)
                    return std::nullopt;
                n.scope = ObjectName::Scope::domain;
                n.domain = text(parts[0].value);
                n.item = text(parts[1].value);
                return n;
            }
            default:
                return std::nullopt;
        }
    }
    void add_variable(const BerElement& e) {
        auto n = object_name(e);
        if (!n) {
            m_.malformed = true;
            return;
        }
        if (m_.variables.size() == kMaxNames) {
            m_.truncated = true;
            return;
        }
        m_.variables.push_back(std::move(*n));
    }
    void add_identifier(std::string s) {
        if (m_.identifiers.size() == kMaxNames) {
            m_.truncated = true;
            return;
        }
        m_.identifiers.push_back(std::move(s));
    }

    // VariableAccessSpecification: [0] listOfVariable (SEQUENCE OF {variableSpecification,
    // alternateAccess}) or [1] variableListName (ObjectName).
    void access_specification(const BerElement& e) {
        if (e.cls != Class::context || !e.constructed) return;
        if (e.tag == 1) {
            if (auto inner = first(e.value)) {
                if (auto n = object_name(*inner))
                    m_.variable_list = std::move(*n);
                else
                    m_.malformed = true;
            }
            return;
        }
        if (e.tag != 0) return;
        for (const BerElement& entry : children(e.value)) {
            auto spec = first(entry.value);
            // variableSpecification: name [0] ObjectName; addresses and descriptions are not
            // names.
            if (!spec || !spec->is_context(0) || !spec->constructed) continue;
            if (auto inner = first(spec->value)) add_variable(*inner);
        }
    }

    // Data (ISO 9506-2 14.4.1).
    Value data(const BerElement& e, std::size_t depth) {
        Value v;
        v.tag = e.tag;
        if (++values_ > kMaxValues) {
            v.truncated = true;
            m_.truncated = true;
            return v;
        }
        if (e.cls != Class::context) {
            m_.malformed = true;
            return v;
        }
        const ByteSpan b = e.value;
        switch (e.tag) {
            case 1:  // array
            case 2:  // structure
                v.kind = Value::Kind::list;
                if (depth + 1 >= kMaxDataDepth) {
                    v.truncated = true;
                    break;
                }
                for (const BerElement& c : children(b)) v.children.push_back(data(c, depth + 1));
                break;
            case 3:  // boolean
                v.kind = Value::Kind::boolean;
                v.boolean = !b.empty() && b[0] != 0;
                break;
            case 4:  // bit-string: unused-bit count, then the bits
                v.kind = Value::Kind::text;
                v.text = bits(b);
                break;
            case 5:     // integer
            case 13: {  // bcd
                v.kind = Value::Kind::integer;
                if (auto i = BerReader::integer(b)) v.integer = *i;
                break;
            }
            case 6:  // unsigned
                v.kind = Value::Kind::unsigned_integer;
                if (auto u = BerReader::unsigned_integer(b)) v.unsigned_integer = *u;
                break;
            case 7:  // floating-point: exponent width, then IEEE 754 single or double
                if (auto r = floating_point(b)) {
                    v.kind = Value::Kind::real;
                    v.real = *r;
                } else {
                    v.kind = Value::Kind::text;
                    v.text = hex(b);
                }
                break;
            case 10:  // visible-string
            case 11:  // generalized-time
            case 16:  // MMSString (UTF-8)
                v.kind = Value::Kind::text;
                v.text = text(b);
                break;
            case 12:  // binary-time
                v.kind = Value::Kind::text;
                v.text = binary_time(b);
                break;
            case 17:  // utc-time
                v.kind = Value::Kind::text;
                v.text = utc_time(b);
                break;
            default:  // octet-string (9), objId, booleanArray...: their octets
                v.kind = Value::Kind::text;
                v.text = hex(b);
                break;
        }
        return v;
    }

    // AccessResult: failure [0] IMPLICIT DataAccessError, or success Data.
    void access_results(ByteSpan list) {
        for (const BerElement& c : children(list)) {
            AccessResult r;
            if (c.is_context(0) && !c.constructed)
                r.error = integer(c);
            else
                r.value = data(c, 0);
            if (m_.results.size() == kMaxNames) {
                m_.truncated = true;
                return;
            }
            m_.results.push_back(std::move(r));
        }
    }

    void request(std::uint32_t service, const BerElement& e);
    void response(std::uint32_t service, const BerElement& e);
    void information_report(const BerElement& e);
    std::optional<ServiceError> service_error(ByteSpan value);
    Initiate initiate(ByteSpan value);
    // Names of services this decoder does not model: domain-specific ObjectNames ([1] with
    // two primitive parts) found within a bounded depth.
    void scan_names(ByteSpan value, std::size_t depth);

  private:
    static std::string bits(ByteSpan b) {
        if (b.empty()) return {};
        const unsigned unused = b[0] & 7u;
        std::string s;
        for (std::size_t i = 1; i < b.size() && s.size() < kMaxText; ++i)
            for (int bit = 7; bit >= 0; --bit) {
                if (i + 1 == b.size() && static_cast<unsigned>(bit) < unused) break;
                s.push_back((b[i] >> bit) & 1 ? '1' : '0');
            }
        return s;
    }
    static std::optional<double> floating_point(ByteSpan b) {
        if (b.size() == 5) {
            std::uint32_t u = 0;
            for (std::size_t i = 1; i < 5; ++i) u = u << 8 | b[i];
            float f;
            std::memcpy(&f, &u, sizeof f);
            return static_cast<double>(f);
        }
        if (b.size() == 9) {
            std::uint64_t u = 0;
            for (std::size_t i = 1; i < 9; ++i) u = u << 8 | b[i];
            double d;
            std::memcpy(&d, &u, sizeof d);
            return d;
        }
        return std::nullopt;
    }
    static std::string format_time(std::int64_t seconds, unsigned fraction_us, bool with_date) {
        const std::time_t t = static_cast<std::time_t>(seconds);
        std::tm tm{};
        gmtime_r(&t, &tm);
        char out[64];
        if (with_date)
            std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900,
                          tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                          fraction_us % 1000000u);
        else
            std::snprintf(out, sizeof out, "%02d:%02d:%02d.%06u", tm.tm_hour, tm.tm_min, tm.tm_sec,
                          fraction_us % 1000000u);
        return out;
    }
    // TimeOfDay: milliseconds since midnight, then (6-octet form) days since 1984-01-01.
    static std::string binary_time(ByteSpan b) {
        if (b.size() != 4 && b.size() != 6) return hex(b);
        const std::uint32_t ms =
            std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3];
        std::int64_t seconds = ms / 1000;
        if (b.size() == 6) {
            constexpr std::int64_t k1984 = 441763200;  // 1984-01-01T00:00:00Z
            seconds += k1984 + std::int64_t{static_cast<std::uint16_t>(b[4] << 8 | b[5])} * 86400;
        }
        return format_time(seconds, (ms % 1000) * 1000, b.size() == 6);
    }
    // UtcTime (IEC 61850-8-1 8.1.3.7): seconds since 1970, a 24-bit binary fraction of a
    // second, and a time quality octet.
    static std::string utc_time(ByteSpan b) {
        if (b.size() != 8) return hex(b);
        const std::uint32_t seconds =
            std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3];
        const std::uint32_t fraction = std::uint32_t{b[4]} << 16 | std::uint32_t{b[5]} << 8 | b[6];
        const auto us = static_cast<unsigned>((std::uint64_t{fraction} * 1000000u) >> 24);
        return format_time(seconds, us, true);
    }

    Message& m_;
    std::size_t elements_ = 0;
    std::size_t values_ = 0;
};

std::optional<std::string> identifier(const BerElement& e) {
    if (e.constructed) return std::nullopt;
    return Decoder::text(e.value);
}

// A FileName: SEQUENCE OF GraphicString, joined with '/'.
std::string file_name(Decoder& d, ByteSpan value) {
    std::string out;
    for (const BerElement& part : d.children(value)) {
        if (part.constructed) continue;
        if (!out.empty()) out.push_back('/');
        out.append(Decoder::text(part.value));
    }
    return out;
}

void Decoder::request(std::uint32_t service, const BerElement& e) {
    auto parts = e.constructed ? children(e.value) : std::vector<BerElement>{};
    switch (service) {
        case 1:  // getNameList: objectClass [0], objectScope [1], continueAfter [2]
            for (const BerElement& p : parts) {
                if (p.is_context(0)) {
                    if (auto c = first(p.value); c && !c->constructed)
                        m_.object_class = integer(*c);
                } else if (p.is_context(1)) {
                    // domainSpecific [1] Identifier names the domain listed.
                    if (auto s = first(p.value); s && s->is_context(1) && !s->constructed)
                        add_identifier(text(s->value));
                }
            }
            return;
        case 4:  // read: specificationWithResult [0], variableAccessSpecification [1]
            for (const BerElement& p : parts)
                if (p.is_context(1))
                    if (auto vas = first(p.value)) access_specification(*vas);
            return;
        case 5:  // write: variableAccessSpecification, listOfData [0]
            for (std::size_t i = 0; i < parts.size(); ++i) {
                if (i == 0) {
                    access_specification(parts[i]);
                } else if (parts[i].is_context(0)) {
                    for (const BerElement& c : children(parts[i].value)) {
                        if (m_.values.size() == kMaxNames) {
                            m_.truncated = true;
                            break;
                        }
                        m_.values.push_back(data(c, 0));
                    }
                }
            }
            return;
        case 6:  // getVariableAccessAttributes: name [0] ObjectName
            if (!parts.empty() && parts[0].is_context(0))
                if (auto inner = first(parts[0].value)) add_variable(*inner);
            return;
        case 11:  // defineNamedVariableList: variableListName, listOfVariable [0]
            if (!parts.empty()) {
                if (auto n = object_name(parts[0])) m_.variable_list = std::move(*n);
                if (parts.size() > 1) access_specification(parts[1]);
            }
            return;
        case 12:  // getNamedVariableListAttributes: ObjectName
            if (!parts.empty())
                if (auto n = object_name(parts[0])) m_.variable_list = std::move(*n);
            return;
        case 13:  // deleteNamedVariableList: scope [0], list names [1], domain [2]
            for (const BerElement& p : parts) {
                if (p.is_context(1))
                    for (const BerElement& n : children(p.value)) add_variable(n);
                if (p.is_context(2) && !p.constructed) add_identifier(text(p.value));
            }
            return;
        case 19:  // takeControl: semaphoreName [0] ObjectName, ...
        case 20:  // relinquishControl
            if (!parts.empty() && parts[0].is_context(0) && parts[0].constructed)
                if (auto inner = first(parts[0].value)) add_variable(*inner);
            return;
        case 26:  // initiateDownloadSequence: domainName, ...
        case 28:  // terminateDownloadSequence
        case 40:  // start: programInvocationName, ...
        case 41:  // stop
        case 42:  // resume
        case 43:  // reset
        case 44:  // kill
        case 38:  // createProgramInvocation
            if (!parts.empty())
                if (auto s = identifier(parts[0])) add_identifier(*s);
            return;
        case 29:  // initiateUploadSequence: IMPLICIT Identifier (domain)
        case 36:  // deleteDomain
        case 37:  // getDomainAttributes
        case 39:  // deleteProgramInvocation
        case 45:  // getProgramInvocationAttributes
            if (!e.constructed) add_identifier(text(e.value));
            return;
        case 72:  // fileOpen: fileName [0], initialPosition [1]
        case 77:  // fileDirectory: fileSpecification [0], continueAfter [1]
            for (const BerElement& p : parts)
                if (p.is_context(0) && p.constructed) add_identifier(file_name(*this, p.value));
            return;
        case 76:  // fileDelete: IMPLICIT FileName
            if (e.constructed) add_identifier(file_name(*this, e.value));
            return;
        case 46:  // obtainFile: sourceFile [1], destinationFile [2]
        case 75:  // fileRename: currentFileName [0], newFileName [1]
            for (const BerElement& p : parts)
                if (p.cls == Class::context && p.constructed && p.tag <= 2)
                    add_identifier(file_name(*this, p.value));
            return;
        default:
            if (e.constructed) scan_names(e.value, 0);
            return;
    }
}

void Decoder::response(std::uint32_t service, const BerElement& e) {
    auto parts = e.constructed ? children(e.value) : std::vector<BerElement>{};
    switch (service) {
        case 1:  // getNameList: listOfIdentifier [0], moreFollows [1]
            for (const BerElement& p : parts) {
                if (p.is_context(0))
                    for (const BerElement& id : children(p.value))
                        if (auto s = identifier(id)) add_identifier(*s);
                if (p.is_context(1) && !p.value.empty()) m_.more_follows = p.value[0] != 0;
            }
            return;
        case 2:  // identify: vendorName [0], modelName [1], revision [2]
            for (const BerElement& p : parts) {
                if (p.constructed) continue;
                if (p.is_context(0)) m_.vendor = text(p.value);
                if (p.is_context(1)) m_.model = text(p.value);
                if (p.is_context(2)) m_.revision = text(p.value);
            }
            return;
        case 4:  // read: variableAccessSpecification [0] OPTIONAL, listOfAccessResult [1]
            for (const BerElement& p : parts) {
                if (p.is_context(0))
                    if (auto vas = first(p.value)) access_specification(*vas);
                if (p.is_context(1)) access_results(p.value);
            }
            return;
        case 5:  // write: SEQUENCE OF CHOICE {failure [0] DataAccessError, success [1] NULL}
            for (const BerElement& p : parts) {
                AccessResult r;
                if (p.is_context(0)) r.error = integer(p);
                if (m_.results.size() == kMaxNames) {
                    m_.truncated = true;
                    return;
                }
                m_.results.push_back(std::move(r));
            }
            return;
        case 12:  // getNamedVariableListAttributes: mmsDeletable [0], listOfVariable [1]
            for (const BerElement& p : parts)
                if (p.is_context(1)) {
                    BerElement list = p;
                    list.tag = 0;  // same shape as VariableAccessSpecification's listOfVariable
                    access_specification(list);
                }
            return;
        default:
            if (e.constructed) scan_names(e.value, 0);
            return;
    }
}

void Decoder::scan_names(ByteSpan value, std::size_t depth) {
    if (depth >= kMaxDataDepth) return;
    for (const BerElement& c : children(value)) {
        if (!c.constructed) continue;
        if (c.is_context(1)) {
            auto parts = children(c.value);
            if (parts.size() == 2 && !parts[0].constructed && !parts[1].constructed &&
                parts[0].is(Class::universal, kVisibleString) &&
                parts[1].is(Class::universal, kVisibleString)) {
                add_variable(c);
                continue;
            }
        }
        scan_names(c.value, depth + 1);
    }
}

// InformationReport: variableAccessSpecification, listOfAccessResult [0].
void Decoder::information_report(const BerElement& e) {
    auto parts = children(e.value);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i == 0)
            access_specification(parts[i]);
        else if (parts[i].is_context(0))
            access_results(parts[i].value);
    }
}

// ServiceError: errorClass [0] CHOICE {vmd-state [0] ... others [12]}, additional fields.
std::optional<ServiceError> Decoder::service_error(ByteSpan value) {
    for (const BerElement& p : children(value)) {
        if (!p.is_context(0)) continue;
        auto c = first(p.value);
        if (!c || c->cls != Class::context || c->constructed) return std::nullopt;
        ServiceError err;
        err.error_class = c->tag;
        err.code = integer(*c).value_or(0);
        return err;
    }
    return std::nullopt;
}

// Initiate-Request/ResponsePDU: localDetail [0], maxServOutstanding calling [1] / called
// [2], dataStructureNestingLevel [3], init detail [4] {version [0], ...}.
Initiate Decoder::initiate(ByteSpan value) {
    Initiate in;
    for (const BerElement& p : children(value)) {
        if (p.cls != Class::context) continue;
        if (p.constructed) {
            if (p.tag == 4)
                if (auto v = first(p.value); v && v->is_context(0) && !v->constructed)
                    in.version = integer(*v);
            continue;
        }
        switch (p.tag) {
            case 0:
                in.local_detail = integer(p);
                break;
            case 1:
                in.max_serv_outstanding_calling = integer(p);
                break;
            case 2:
                in.max_serv_outstanding_called = integer(p);
                break;
            case 3:
                in.nesting_level = integer(p);
                break;
            default:
                break;
        }
    }
    return in;
}

std::optional<std::uint32_t> unsigned32(const std::optional<std::int64_t>& v) {
    if (!v || *v < 0 || *v > 0xFFFFFFFF) return std::nullopt;
    return static_cast<std::uint32_t>(*v);
}

}  // namespace

std::optional<Message> decode(ByteSpan data) {
    BerReader r(data);
    auto top = r.next();
    if (!top || top->cls != Class::context || top->tag > pdu::conclude_error) return std::nullopt;
    Message m;
    m.pdu = static_cast<std::uint8_t>(top->tag);
    Decoder d(m);
    switch (m.pdu) {
        case pdu::confirmed_request:
        case pdu::confirmed_response: {
            // invokeID, [listOfModifier SEQUENCE], service choice.
            for (const BerElement& p : d.children(top->value)) {
                if (p.is(Class::universal, kInteger) && !m.invoke_id) {
                    m.invoke_id = unsigned32(d.integer(p));
                } else if (p.is(Class::universal, kSequence)) {
                    continue;  // modifiers
                } else if (p.cls == Class::context && !m.service && p.tag != 79) {
                    m.service = p.tag;
                    if (m.pdu == pdu::confirmed_request)
                        d.request(p.tag, p);
                    else
                        d.response(p.tag, p);
                }
            }
            break;
        }
        case pdu::confirmed_error:
            // invokeID [0], modifierPosition [1], serviceError [2].
            for (const BerElement& p : d.children(top->value)) {
                if (p.is_context(0) && !p.constructed) m.invoke_id = unsigned32(d.integer(p));
                if (p.is_context(2) && p.constructed) m.error = d.service_error(p.value);
            }
            break;
        case pdu::unconfirmed:
            if (auto s = d.first(top->value); s && s->cls == Class::context) {
                m.service = s->tag;
                if (s->tag == 0 && s->constructed) d.information_report(*s);
            }
            break;
        case pdu::reject: {
            // originalInvokeID [0], rejectReason choice [1..11] INTEGER.
            Reject rej;
            for (const BerElement& p : d.children(top->value)) {
                if (p.cls != Class::context || p.constructed) continue;
                if (p.tag == 0) {
                    rej.original_invoke_id = unsigned32(d.integer(p));
                } else {
                    rej.type = p.tag;
                    rej.reason = d.integer(p).value_or(0);
                }
            }
            m.invoke_id = rej.original_invoke_id;
            m.reject = rej;
            break;
        }
        case pdu::cancel_request:
        case pdu::cancel_response:
            if (!top->constructed) m.invoke_id = unsigned32(d.integer(*top));
            break;
        case pdu::cancel_error:
            for (const BerElement& p : d.children(top->value)) {
                if (p.is_context(0) && !p.constructed) m.invoke_id = unsigned32(d.integer(p));
                if (p.is_context(1) && p.constructed) m.error = d.service_error(p.value);
            }
            break;
        case pdu::initiate_request:
        case pdu::initiate_response:
            m.initiate = d.initiate(top->value);
            break;
        case pdu::initiate_error:
        case pdu::conclude_error:
            m.error = d.service_error(top->value);
            break;
        default:  // conclude request/response: NULL
            break;
    }
    return m;
}

}  // namespace tocsin::proto::mms
