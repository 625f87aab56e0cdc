#include "proto/mms/iso.h"

#include "core/ber.h"

namespace tocsin::proto::mms {

namespace {

using Class = BerElement::Class;

// X.225 8.3: parameter codes of the user data PGIs that carry the presentation PPDU.
constexpr std::uint8_t kUserData = 0xC1;
constexpr std::uint8_t kExtendedUserData = 0xC2;
// Bound on PDV lists / EXTERNALs examined in one PPDU.
constexpr std::size_t kMaxLists = 8;

// An SPDU header: SI, LI (0xFF: two more octets of length), then LI octets of parameters.
// A length past the TSDU (seen from some stacks, by one octet) keeps what is there and
// marks the SPDU short.
struct Spdu {
    std::uint8_t si = 0;
    ByteSpan parameters;
    bool short_length = false;
};
std::optional<Spdu> read_spdu(ByteCursor& in) {
    Spdu s;
    s.si = in.u8();
    std::size_t length = in.u8();
    if (length == 0xFF) length = in.u16be();
    if (!in.ok()) return std::nullopt;
    s.short_length = length > in.remaining();
    s.parameters = in.bytes(std::min(length, in.remaining()));
    return s;
}

// The user data PGI among the parameters; some stacks give it length 0 and put the PPDU
// after it, to the end of the parameters: that is taken too.
std::optional<ByteSpan> user_data(ByteSpan parameters) {
    ByteCursor p(parameters);
    while (p.remaining() >= 2) {
        const std::uint8_t code = p.u8();
        std::size_t length = p.u8();
        if (length == 0xFF) length = p.u16be();
        if (code == kUserData || code == kExtendedUserData) {
            if (length == 0 && !p.empty()) return p.rest();
            return p.bytes(std::min(length, p.remaining()));
        }
        if (!p.skip(length)) return std::nullopt;
    }
    return std::nullopt;
}

std::optional<BerElement> first(ByteSpan value) {
    BerReader r(value);
    return r.next();
}

class Upper {
  public:
    explicit Upper(IsoUnit& u) : u_(u) {}

    // CP-type / CPA-PPDU: SET { mode-selector [0], normal-mode-parameters [2] { ...,
    // user-data [APPLICATION 1] fully-encoded-data } }.
    void connect_ppdu(ByteSpan ppdu) {
        auto set = first(ppdu);
        if (!set || !set->is(Class::universal, 17)) return malformed();
        BerReader r(set->value);
        while (auto e = r.next()) {
            if (!e->is_context(2) || !e->constructed) continue;
            BerReader params(e->value);
            while (auto p = params.next())
                if (p->is(Class::application, 1) && p->constructed) fully_encoded(p->value);
        }
    }

    // P-DATA user data: the TSDU after the session header is fully-encoded-data.
    void data_ppdu(ByteSpan ppdu) {
        auto e = first(ppdu);
        if (!e || !e->is(Class::application, 1) || !e->constructed) return malformed();
        fully_encoded(e->value);
    }

    // Release and abort PPDUs carry the same user data where present (ARU too).
    void other_ppdu(ByteSpan ppdu) {
        auto e = first(ppdu);
        if (!e) return;
        if (e->is(Class::application, 1) && e->constructed) return fully_encoded(e->value);
        if (e->is(Class::universal, 17)) connect_ppdu(ppdu);
    }

  private:
    void malformed() { u_.malformed = true; }

    // SEQUENCE OF PDV-list { transfer-syntax-name OPTIONAL, presentation-context-identifier,
    // presentation-data-values CHOICE { single-ASN1-type [0], octet-aligned [1], ... } }.
    void fully_encoded(ByteSpan value) {
        BerReader lists(value);
        std::size_t n = 0;
        while (auto pdv = lists.next()) {
            if (++n > kMaxLists) break;
            if (!pdv->is(Class::universal, 16)) continue;
            BerReader fields(pdv->value);
            while (auto f = fields.next()) {
                if (f->is_context(0) && f->constructed) embedded(f->value);
                if (f->is_context(1) && !f->constructed) embedded(f->value);
            }
        }
        if (!lists.ok()) malformed();
    }

    // An embedded PDU: ACSE APDUs are [APPLICATION n], MMS PDUs context-tagged.
    void embedded(ByteSpan value) {
        auto e = first(value);
        if (!e) return malformed();
        if (e->cls == Class::context) {
            if (u_.mms.empty()) u_.mms = value;
            return;
        }
        if (e->cls != Class::application || e->tag > 4) return;
        u_.acse = static_cast<std::uint8_t>(e->tag);
        if (e->tag <= 1 && e->constructed) association(*e);
    }

    // AARQ/AARE fields (X.227 / ISO 8650-1 clause 9): application-context-name [1], AP
    // titles and AE qualifiers, result [2] (AARE), authentication value [12] (AARQ), and
    // user-information [30] (SEQUENCE OF EXTERNAL) carrying the MMS initiate PDU.
    void association(const BerElement& apdu) {
        Association a;
        const bool request = apdu.tag == 0;
        BerReader r(apdu.value);
        while (auto f = r.next()) {
            if (f->cls != Class::context) continue;
            auto inner = f->constructed ? first(f->value) : std::nullopt;
            const auto oid = [&]() -> std::string {
                return inner && inner->is(Class::universal, 6) ? oid_text(inner->value)
                                                               : std::string();
            };
            const auto integer = [&]() -> std::optional<std::int64_t> {
                if (!inner || !inner->is(Class::universal, 2)) return std::nullopt;
                return BerReader::integer(inner->value);
            };
            switch (f->tag) {
                case 1:
                    a.application_context = oid();
                    break;
                case 2:
                    if (request)
                        a.called_ap_title = oid();
                    else
                        a.result = integer();
                    break;
                case 3:
                    if (request) a.called_ae_qualifier = integer();
                    break;
                case 4:
                    if (!request) a.responding_ap_title = oid();
                    break;
                case 6:
                    if (request) a.calling_ap_title = oid();
                    break;
                case 7:
                    if (request) a.calling_ae_qualifier = integer();
                    break;
                case 12:
                    if (request) a.authentication = true;
                    break;
                case 30:
                    user_information(f->value);
                    break;
                default:
                    break;
            }
        }
        u_.association = std::move(a);
    }

    // EXTERNAL { direct-reference, indirect-reference, descriptor, encoding CHOICE {
    // single-ASN1-type [0], octet-aligned [1], arbitrary [2] } }.
    void user_information(ByteSpan value) {
        BerReader externals(value);
        std::size_t n = 0;
        while (auto ext = externals.next()) {
            if (++n > kMaxLists) break;
            if (!ext->is(Class::universal, 8) || !ext->constructed) continue;
            BerReader fields(ext->value);
            while (auto f = fields.next()) {
                if (f->is_context(0) && f->constructed) embedded(f->value);
                if (f->is_context(1) && !f->constructed) embedded(f->value);
            }
        }
    }

    IsoUnit& u_;
};

}  // namespace

std::string_view spdu_name(std::uint8_t si) {
    switch (si) {
        case spdu::data_transfer:
            return "data_transfer";
        case spdu::finish:
            return "finish";
        case spdu::disconnect:
            return "disconnect";
        case spdu::refuse:
            return "refuse";
        case spdu::connect:
            return "connect";
        case spdu::accept:
            return "accept";
        case spdu::abort:
            return "abort";
        default:
            return "";
    }
}

std::string_view acse_name(std::uint8_t apdu) {
    switch (apdu) {
        case 0:
            return "aarq";
        case 1:
            return "aare";
        case 2:
            return "rlrq";
        case 3:
            return "rlre";
        case 4:
            return "abrt";
        default:
            return "";
    }
}

std::string oid_text(ByteSpan value) {
    std::string out;
    std::uint64_t arc = 0;
    bool first_arc = true;
    std::size_t arcs = 0;
    for (std::uint8_t b : value) {
        if (arc > (std::uint64_t{1} << 56)) return {};  // absurd arc
        arc = arc << 7 | (b & 0x7Fu);
        if (b & 0x80) continue;
        if (++arcs > 32) break;
        if (first_arc) {
            const std::uint64_t top = arc < 40 ? 0 : arc < 80 ? 1 : 2;
            out = std::to_string(top) + "." + std::to_string(arc - top * 40);
            first_arc = false;
        } else {
            out.push_back('.');
            out.append(std::to_string(arc));
        }
        arc = 0;
    }
    return out;
}

std::optional<IsoUnit> decode_iso(ByteSpan tsdu) {
    ByteCursor in(tsdu);
    auto s = read_spdu(in);
    if (!s) return std::nullopt;
    IsoUnit u;
    u.spdu = s->si;
    u.malformed = s->short_length;
    Upper upper(u);
    switch (s->si) {
        case spdu::data_transfer:
            // GIVE TOKENS then DATA TRANSFER (both SI 1): the user information follows the
            // second header; a lone DATA TRANSFER is accepted as well.
            if (!in.empty()) {
                ByteCursor look = in;
                if (auto dt = read_spdu(look);
                    dt && dt->si == spdu::data_transfer && !dt->short_length)
                    in = look;
            }
            if (!in.empty()) upper.data_ppdu(in.rest());
            break;
        case spdu::connect:
        case spdu::accept:
            if (auto data = user_data(s->parameters))
                upper.connect_ppdu(*data);
            else
                u.malformed = true;
            break;
        case spdu::finish:
        case spdu::disconnect:
        case spdu::refuse:
        case spdu::abort:
            if (auto data = user_data(s->parameters)) upper.other_ppdu(*data);
            break;
        default:
            break;
    }
    return u;
}

}  // namespace tocsin::proto::mms
