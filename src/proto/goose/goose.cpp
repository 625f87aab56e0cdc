// IEC 61850 GOOSE (IEC 61850-8-1 Annex A and C). A frame is: APPID(2) Length(2) Reserved1(2)
// Reserved2(2), then the APDU, a BER goosePdu [APPLICATION 1] whose members are context tags
// [0] gocbRef .. [11] allData. The parser is per publisher (applayer's FrameKey), so it keeps
// the previous PDU's stNum/sqNum/t to judge the next one.
#include "proto/goose/goose.h"

#include <array>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/ber.h"
#include "core/number_expr.h"
#include "proto/goose/eve.h"
#include "proto/goose/transaction.h"

namespace tocsin::proto::goose {

namespace {

using applayer::Direction;
using Class = BerElement::Class;

constexpr std::size_t kHeaderBytes = 8;
// allData bounds: nesting (structure in array in ...) and values per PDU.
constexpr std::size_t kMaxDepth = 8;
constexpr std::size_t kMaxValues = 1024;
constexpr std::size_t kMaxText = 1024;  // bytes of one string kept

std::string hex(ByteSpan bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    const std::size_t n = std::min(bytes.size(), kMaxText);
    out.reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(kHex[bytes[i] >> 4]);
        out.push_back(kHex[bytes[i] & 0xf]);
    }
    return out;
}

std::string text(ByteSpan bytes) {
    const std::size_t n = std::min(bytes.size(), kMaxText);
    return std::string(reinterpret_cast<const char*>(bytes.data()), n);
}

// BIT STRING contents (X.690 8.6): the count of unused bits of the last octet, then the bits.
bool bits(ByteSpan v, std::string& out) {
    ByteCursor c(v);
    const std::uint8_t unused = c.u8();
    if (!c.ok() || unused > 7 || (c.empty() && unused != 0)) return false;
    const ByteSpan octets = c.rest();
    const std::size_t count = std::min(octets.size() * 8 - unused, kMaxText);
    for (std::size_t i = 0; i < count; ++i)
        out.push_back((octets[i / 8] >> (7 - i % 8)) & 1 ? '1' : '0');
    return true;
}

}  // namespace

std::string iso8601(std::int64_t seconds, std::uint32_t micros) {
    const std::int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
    const std::int64_t rem = seconds - days * 86400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    const std::int64_t z = days + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
    const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    char buf[128];  // room for any int64 fields (the compiler checks)
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%06uZ",
                  static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                  static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                  static_cast<long long>(rem % 60), micros);
    return buf;
}

std::string iso8601(const UtcTime& t) {
    // A fraction of 2^24 is finer than a microsecond: rounded, carried into the seconds.
    const std::uint64_t us = (std::uint64_t{t.fraction} * 1000000 + (1u << 23)) >> 24;
    return iso8601(std::int64_t{t.seconds} + static_cast<std::int64_t>(us / 1000000),
                   static_cast<std::uint32_t>(us % 1000000));
}

namespace {

// UtcTime (IEC 61850-8-1 8.1.3.7): 4 bytes seconds, 3 bytes fraction, 1 byte quality.
std::optional<UtcTime> utc_time(ByteSpan v) {
    if (v.size() != 8) return std::nullopt;
    ByteCursor c(v);
    UtcTime t;
    t.seconds = c.u32be();
    t.fraction = c.u24be();
    t.quality = c.u8();
    return t;
}

// TimeOfDay / binary-time (ISO 9506-2): milliseconds since midnight (4 bytes), and with 6
// bytes the days since 1984-01-01.
std::optional<std::string> binary_time(ByteSpan v) {
    if (v.size() != 4 && v.size() != 6) return std::nullopt;
    ByteCursor c(v);
    const std::uint32_t ms = c.u32be();
    const std::int64_t days = v.size() == 6 ? c.u16be() : 0;
    constexpr std::int64_t k1984 = 441763200;  // 1984-01-01T00:00:00Z
    const std::int64_t seconds = (v.size() == 6 ? k1984 + days * 86400 : 0) + ms / 1000;
    return iso8601(seconds, ms % 1000 * 1000);
}

// FloatingPoint (ISO 9506-2): the exponent width octet (8: IEEE single, 11: double), then the
// IEEE 754 value.
std::optional<double> floating_point(ByteSpan v) {
    if (v.size() == 5) {
        ByteCursor c(v.subspan(1));
        return static_cast<double>(std::bit_cast<float>(c.u32be()));
    }
    if (v.size() == 9) {
        ByteCursor c(v.subspan(1));
        return std::bit_cast<double>(c.u64be());
    }
    return std::nullopt;
}

// REAL (X.690 8.5): empty is 0; 01xxxxxx a special value; 1SBBFFEE binary (sign, base 2/8/16,
// scale F, exponent length) with exponent and mantissa; 00xxxxxx decimal (ISO 6093 text).
std::optional<double> ber_real(ByteSpan v) {
    if (v.empty()) return 0.0;
    ByteCursor c(v);
    const std::uint8_t first = c.u8();
    if ((first & 0xc0) == 0x40) {
        switch (first) {
            case 0x40:
                return HUGE_VAL;
            case 0x41:
                return -HUGE_VAL;
            case 0x42:
                return std::nan("");
            case 0x43:
                return -0.0;
            default:
                return std::nullopt;
        }
    }
    if ((first & 0x80) == 0) {
        const int form = first & 0x3f;
        if (form < 1 || form > 3 || c.remaining() > 64) return std::nullopt;
        const std::string digits = text(c.rest());
        char* end = nullptr;
        const double d = std::strtod(digits.c_str(), &end);
        if (end == digits.c_str()) return std::nullopt;
        return d;
    }
    static constexpr int kBaseBits[] = {1, 3, 4, 0};  // base 2, 8, 16, reserved
    const int base_bits = kBaseBits[(first >> 4) & 3];
    if (base_bits == 0) return std::nullopt;
    const int scale = (first >> 2) & 3;
    std::size_t exponent_length = (first & 3) + 1u;
    if (exponent_length == 4) exponent_length = c.u8();
    if (!c.ok() || exponent_length == 0 || exponent_length > 3) return std::nullopt;
    const auto exponent = BerReader::integer(c.bytes(exponent_length));
    const ByteSpan mantissa_bytes = c.rest();
    if (!exponent || mantissa_bytes.empty() || mantissa_bytes.size() > 8) return std::nullopt;
    std::uint64_t mantissa = 0;
    for (std::uint8_t b : mantissa_bytes) mantissa = mantissa << 8 | b;
    const double value =
        std::ldexp(static_cast<double>(mantissa), static_cast<int>(*exponent) * base_bits + scale);
    return (first & 0x40) != 0 ? -value : value;
}

class DataReader {
  public:
    explicit DataReader(std::vector<std::string_view>& problems) : problems_(problems) {}

    // The SEQUENCE OF Data in `value` into `out`; depth-bounded, count-bounded.
    void read_list(ByteSpan value, std::vector<DataValue>& out, std::size_t depth,
                   std::size_t* top_count) {
        BerReader r(value);
        while (auto e = r.next()) {
            if (top_count != nullptr) ++*top_count;
            if (count_ >= kMaxValues) {
                problems_.push_back("goose.too_many_values");
                return;
            }
            ++count_;
            out.push_back(read_one(*e, depth));
        }
        if (!r.ok()) problems_.push_back("goose.malformed_data");
    }

  private:
    DataValue read_one(const BerElement& e, std::size_t depth) {
        using T = DataValue::Type;
        DataValue d;
        d.tag = e.tag;
        if (e.cls != Class::context) {
            d.type = T::unknown;
            d.text = hex(e.value);
            problems_.push_back("goose.malformed_data");
            return d;
        }
        switch (e.tag) {
            case 1:
            case 2:
                d.type = e.tag == 1 ? T::array : T::structure;
                if (depth >= kMaxDepth) {
                    problems_.push_back("goose.data_too_deep");
                    d.valid = false;
                    d.text = hex(e.value);
                } else {
                    read_list(e.value, d.items, depth + 1, nullptr);
                }
                return d;
            case 3:
                d.type = T::boolean;
                d.valid = e.value.size() == 1;
                d.boolean = d.valid && e.value[0] != 0;
                break;
            case 4:
                d.type = T::bit_string;
                d.valid = bits(e.value, d.text);
                break;
            case 5:
            case 13:
                d.type = e.tag == 5 ? T::integer : T::bcd;
                if (auto v = BerReader::integer(e.value))
                    d.integer = *v;
                else
                    d.valid = false;
                break;
            case 6:
                d.type = T::unsigned_int;
                if (auto v = BerReader::unsigned_integer(e.value))
                    d.unsigned_value = *v;
                else
                    d.valid = false;
                break;
            case 7:
                d.type = T::floating_point;
                if (auto v = floating_point(e.value))
                    d.real = *v;
                else
                    d.valid = false;
                break;
            case 8:
                d.type = T::real;
                if (auto v = ber_real(e.value))
                    d.real = *v;
                else
                    d.valid = false;
                break;
            case 9:
            case 15:
                d.type = e.tag == 9 ? T::octet_string : T::obj_id;
                d.text = hex(e.value);
                return d;
            case 10:
            case 16:
                d.type = e.tag == 10 ? T::visible_string : T::mms_string;
                d.text = text(e.value);
                return d;
            case 12:
                d.type = T::binary_time;
                if (auto v = binary_time(e.value))
                    d.text = *v;
                else
                    d.valid = false;
                break;
            case 14:
                d.type = T::boolean_array;
                d.valid = bits(e.value, d.text);
                break;
            case 17:
                d.type = T::utc_time;
                if (auto t = utc_time(e.value)) {
                    d.text = iso8601(*t);
                    d.quality = t->quality;
                } else {
                    d.valid = false;
                }
                break;
            default:
                d.type = T::unknown;
                d.text = hex(e.value);
                return d;
        }
        if (!d.valid) {
            d.text = hex(e.value);
            problems_.push_back("goose.invalid_data");
        }
        return d;
    }

    std::vector<std::string_view>& problems_;
    std::size_t count_ = 0;
};

std::optional<std::int64_t> integer(const BerElement& e) {
    return e.constructed ? std::nullopt : BerReader::integer(e.value);
}

std::optional<bool> boolean(const BerElement& e) {
    if (e.constructed || e.value.size() != 1) return std::nullopt;
    return e.value[0] != 0;
}

// The header of the BER element at the cursor claims more bytes than there are: a frame cut
// short (as opposed to a malformed encoding).
bool claims_past_end(ByteSpan data) {
    ByteCursor c(data);
    const std::uint8_t first = c.u8();
    if ((first & 0x1f) == 0x1f) return false;
    const std::uint8_t len = c.u8();
    std::size_t length = len;
    if (len & 0x80) {
        const unsigned octets = len & 0x7f;
        if (octets == 0 || octets > 4) return false;
        length = 0;
        for (unsigned i = 0; i < octets; ++i) length = length << 8 | c.u8();
    }
    return c.ok() && length > c.remaining();
}

// The goosePdu's members (IEC 61850-8-1 Annex A, IECGoosePdu).
void read_pdu(ByteSpan value, GooseTransaction& tx, applayer::ParseContext& ctx) {
    std::vector<std::string_view> problems;
    BerReader r(value);
    bool bad_member = false;
    while (auto e = r.next()) {
        if (e->cls != Class::context) {
            bad_member = true;
            break;
        }
        const bool primitive = !e->constructed;
        switch (e->tag) {
            case 0:
                if (primitive) tx.gocb_ref = text(e->value);
                break;
            case 1:
                tx.time_allowed_to_live = integer(*e);
                break;
            case 2:
                if (primitive) tx.dat_set = text(e->value);
                break;
            case 3:
                if (primitive) tx.go_id = text(e->value);
                break;
            case 4:
                tx.t = primitive ? utc_time(e->value) : std::nullopt;
                break;
            case 5:
                tx.st_num = integer(*e);
                break;
            case 6:
                tx.sq_num = integer(*e);
                break;
            case 7:
                tx.simulation = boolean(*e);
                break;
            case 8:
                tx.conf_rev = integer(*e);
                break;
            case 9:
                tx.nds_com = boolean(*e);
                break;
            case 10:
                tx.num_dat_set_entries = integer(*e);
                break;
            case 11:
                if (!e->constructed) {
                    bad_member = true;
                    break;
                }
                tx.has_all_data = true;
                DataReader(problems).read_list(e->value, tx.all_data, 0, &tx.all_data_count);
                break;
            case 12:
                break;  // security: optional signature bytes, not interpreted
            default:
                ctx.event("goose.unknown_tag", &tx);
                break;
        }
        if (bad_member) break;
    }
    if (bad_member || !r.ok()) ctx.event("goose.malformed", &tx);
    for (std::string_view p : problems) ctx.event(p, &tx);
    const bool required_missing = !tx.gocb_ref || !tx.time_allowed_to_live || !tx.dat_set ||
                                  !tx.t || !tx.st_num || !tx.sq_num || !tx.simulation ||
                                  !tx.conf_rev || !tx.nds_com || !tx.num_dat_set_entries;
    if (required_missing && !bad_member && r.ok()) ctx.event("goose.missing_field", &tx);
    if (!tx.has_all_data && !bad_member && r.ok()) ctx.event("goose.missing_all_data", &tx);
    if (tx.has_all_data && tx.num_dat_set_entries &&
        *tx.num_dat_set_entries != static_cast<std::int64_t>(tx.all_data_count))
        ctx.event("goose.entries_mismatch", &tx);
}

// What the publisher's previous PDU was, to judge the next.
struct PreviousPdu {
    std::int64_t st_num = 0;
    std::int64_t sq_num = 0;
    std::optional<UtcTime> t;
    std::optional<std::int64_t> ttl;
    std::optional<std::string> dat_set;
    std::optional<std::int64_t> conf_rev;
    Timestamp seen;
};

bool same_time(const std::optional<UtcTime>& a, const std::optional<UtcTime>& b) {
    if (!a || !b) return !a && !b;
    return a->seconds == b->seconds && a->fraction == b->fraction;
}

class GooseParser final : public applayer::Parser {
  public:
    void parse(Direction dir, ByteSpan data, applayer::ParseContext& ctx) override {
        (void)dir;
        auto owned = std::make_unique<GooseTransaction>();
        GooseTransaction& tx = ctx.add(std::move(owned), Direction::to_server);
        read_frame(data, tx, ctx);
        judge(tx, ctx);
        tx.done = {true, true};
        tx.records_ready = 1;
    }

  private:
    static void read_frame(ByteSpan data, GooseTransaction& tx, applayer::ParseContext& ctx) {
        ByteCursor c(data);
        tx.appid = c.u16be();
        tx.length = c.u16be();
        tx.reserved1 = c.u16be();
        tx.reserved2 = c.u16be();
        if (!c.ok()) {
            ctx.event("goose.truncated", &tx);
            return;
        }
        tx.header = true;
        // Length counts from APPID; what follows it in the frame is Ethernet padding.
        if (tx.length < kHeaderBytes) {
            ctx.event("goose.invalid_length", &tx);
            return;
        }
        ByteSpan apdu = c.rest();
        if (tx.length - kHeaderBytes > apdu.size()) {
            ctx.event("goose.truncated", &tx);
        } else {
            apdu = apdu.first(tx.length - kHeaderBytes);
        }
        BerReader r(apdu);
        const auto pdu = r.next();
        if (!pdu) {
            ctx.event(claims_past_end(apdu) ? "goose.truncated" : "goose.malformed", &tx);
            return;
        }
        // [APPLICATION 1] goosePdu; [APPLICATION 0] would be GSE management, not parsed.
        if (!pdu->is(Class::application, 1) || !pdu->constructed) {
            ctx.event("goose.malformed", &tx);
            return;
        }
        tx.pdu = true;
        read_pdu(pdu->value, tx, ctx);
    }

    // Against the previous PDU of this publisher: IEC 61850-7-2 18.2.3.4-5 (stNum increments
    // by one on each state change, sqNum restarts at 0 then counts retransmissions) and
    // 8-1 18.1.2.5 (timeAllowedtoLive: the next message is due within it).
    void judge(GooseTransaction& tx, applayer::ParseContext& ctx) {
        if (!tx.st_num || !tx.sq_num) return;
        const std::int64_t st = *tx.st_num;
        const std::int64_t sq = *tx.sq_num;
        if (previous_) {
            const PreviousPdu& p = *previous_;
            tx.has_previous = true;
            const std::int64_t gap_us = ctx.now().micros() - p.seen.micros();
            tx.gap_ms = gap_us / 1000;
            if (p.ttl && *p.ttl >= 0 && gap_us > *p.ttl * 1000) {
                tx.ttl_exceeded = true;
                ctx.event("goose.ttl_expired", &tx);
            }
            // stNum is INT32U and wraps from its maximum to 1 (0 is used only before the
            // first change); the same holds for sqNum's retransmission count.
            constexpr std::int64_t kMax = 0xffffffffLL;
            const bool wrapped = p.st_num == kMax && (st == 0 || st == 1);
            if (st != p.st_num) {
                tx.st_change = true;
                if (!wrapped && st != p.st_num + 1) {
                    tx.st_jump = st - p.st_num;
                    ctx.event(st < p.st_num ? "goose.st_backwards" : "goose.st_jump", &tx);
                }
                if (sq != 0) {
                    tx.sq_not_reset = true;
                    ctx.event("goose.sq_not_reset", &tx);
                }
            } else if (sq <= p.sq_num && !(p.sq_num == kMax && sq <= 1) && same_time(tx.t, p.t)) {
                // The same state (stNum and t) again with an old or repeated sqNum.
                tx.replay = true;
                ctx.event("goose.replay", &tx);
            }
            if (tx.dat_set && p.dat_set && *tx.dat_set != *p.dat_set) {
                tx.dat_set_changed = true;
                ctx.event("goose.dataset_changed", &tx);
            }
            if (tx.conf_rev && p.conf_rev && *tx.conf_rev != *p.conf_rev) {
                tx.conf_rev_changed = true;
                ctx.event("goose.confrev_changed", &tx);
            }
        }
        previous_ =
            PreviousPdu{st, sq, tx.t, tx.time_allowed_to_live, tx.dat_set, tx.conf_rev, ctx.now()};
    }

    std::optional<PreviousPdu> previous_;
};

std::unique_ptr<applayer::Parser> make_goose_parser(const applayer::AppLimits& limits) {
    (void)limits;
    return std::make_unique<GooseParser>();
}

// ---- Rule keywords ----------------------------------------------------------------------

const GooseTransaction* as_goose(const applayer::Transaction& tx) {
    return dynamic_cast<const GooseTransaction*>(&tx);
}

// goose.stnum / sqnum / confrev / appid: a number expression on one field.
class NumberTest final : public applayer::TxTest {
  public:
    NumberTest(std::string_view key, NumberExpr expr) : key_(key), expr_(expr) {}
    bool matches(const applayer::Transaction& tx, Direction) const override {
        const auto* g = as_goose(tx);
        if (g == nullptr) return false;
        const auto v = g->number(key_);
        return v && *v >= 0 && expr_.matches(static_cast<std::uint64_t>(*v));
    }

  private:
    std::string_view key_;
    NumberExpr expr_;
};

template <const char* kKey>
std::unique_ptr<const applayer::TxTest> compile_number(std::string_view value, std::string& error) {
    auto expr = NumberExpr::parse(value);
    if (!expr) {
        error = std::string(kKey) + ": expected a number expression (5, !5, >5, <5, 1<>10)";
        return nullptr;
    }
    return std::make_unique<NumberTest>(kKey, *expr);
}

constexpr char kStNum[] = "goose.stnum";
constexpr char kSqNum[] = "goose.sqnum";
constexpr char kConfRev[] = "goose.confrev";
constexpr char kAppid[] = "goose.appid";

class FlagTest final : public applayer::TxTest {
  public:
    FlagTest(bool (*get)(const GooseTransaction&), bool want) : get_(get), want_(want) {}
    bool matches(const applayer::Transaction& tx, Direction) const override {
        const auto* g = as_goose(tx);
        return g != nullptr && get_(*g) == want_;
    }

  private:
    bool (*get_)(const GooseTransaction&);
    bool want_;
};

std::unique_ptr<const applayer::TxTest> compile_st_jump(std::string_view value,
                                                        std::string& error) {
    if (!value.empty()) {
        error = "goose.stnum_jump takes no value";
        return nullptr;
    }
    return std::make_unique<FlagTest>([](const GooseTransaction& g) { return g.st_jump_flag(); },
                                      true);
}

// goose.simulation[:true|false]: the PDU's simulation (test) flag or the frame's Ed.2
// simulate bit (Reserved 1, bit 15).
std::unique_ptr<const applayer::TxTest> compile_simulation(std::string_view value,
                                                           std::string& error) {
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    bool want = true;
    if (value == "false")
        want = false;
    else if (!value.empty() && value != "true") {
        error = "goose.simulation: expected true or false";
        return nullptr;
    }
    return std::make_unique<FlagTest>(
        [](const GooseTransaction& g) {
            return g.simulation.value_or(false) || g.simulated_frame();
        },
        want);
}

using V = applayer::ProtocolKeyword::Value;
constexpr applayer::ProtocolKeyword kKeywords[] = {
    {kStNum, V::required, compile_number<kStNum>},
    {kSqNum, V::required, compile_number<kSqNum>},
    {kConfRev, V::required, compile_number<kConfRev>},
    {kAppid, V::required, compile_number<kAppid>},
    {"goose.stnum_jump", V::none, compile_st_jump},
    {"goose.simulation", V::optional, compile_simulation},
};

constexpr std::array<std::string_view, static_cast<std::size_t>(BufferId::count)> kBuffers{
    "goose.gocbref",
    "goose.datset",
    "goose.goid",
};

ByteSpan bytes_of(const std::string& s) {
    return ByteSpan(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

}  // namespace

std::optional<ByteSpan> GooseTransaction::buffer(std::size_t index, std::size_t item) const {
    if (item != 0) return std::nullopt;
    const std::optional<std::string>* field = nullptr;
    switch (static_cast<BufferId>(index)) {
        case BufferId::gocb_ref:
            field = &gocb_ref;
            break;
        case BufferId::dat_set:
            field = &dat_set;
            break;
        case BufferId::go_id:
            field = &go_id;
            break;
        default:
            return std::nullopt;
    }
    if (!*field) return std::nullopt;
    return bytes_of(**field);
}

std::optional<std::int64_t> GooseTransaction::number(std::string_view key) const {
    if (key == kStNum) return st_num;
    if (key == kSqNum) return sq_num;
    if (key == kConfRev) return conf_rev;
    if (key == kAppid && header) return appid;
    return std::nullopt;
}

// The publisher is an IED; its name is the logical device of the control block reference
// ("GEDeviceF650" of "GEDeviceF650/LLN0$GO$gcb01": IED name + LD instance, IEC 61850-8-1
// 8.1.3.3 object references). The inventory keys it by its source MAC (the flow's
// FlowApp::frame), there being no IP.
void GooseTransaction::describe_devices(applayer::DeviceFacts& out) const {
    out.client.emplace_back("device_type", "IED");
    if (gocb_ref) {
        const std::size_t slash = gocb_ref->find('/');
        if (slash != std::string::npos && slash > 0)
            out.client.emplace_back("name", gocb_ref->substr(0, slash));
    }
}

const applayer::ProtocolSpec& protocol() {
    static const applayer::ProtocolSpec spec{
        .name = "goose",
        .ethertype = 0x88b8,
        .make_parser = make_goose_parser,
        .buffers = kBuffers,
        .record_head = record_head,
        .write_record = write_record,
        .write_alert = write_alert,
        .keywords = kKeywords,
        .client_role = "goose publisher",
    };
    return spec;
}

std::unique_ptr<applayer::Parser> make_parser(const applayer::AppLimits& limits) {
    return make_goose_parser(limits);
}

}  // namespace tocsin::proto::goose
