#include "proto/iec104/apdu.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdio>
#include <cstring>

namespace tocsin::proto::iec104 {

namespace {

// The information element layouts of IEC 60870-5-101 7.3, one per group of type ids that share
// them (the time-tagged variants add a time tag after the elements).
enum class Layout : std::uint8_t {
    siq,        // 7.2.6.1 single-point information with quality
    diq,        // 7.2.6.2 double-point information with quality
    vti_qds,    // 7.2.6.5 value with transient state + QDS
    bsi_qds,    // 7.2.6.13 bitstring of 32 bits + QDS
    nva_qds,    // 7.2.6.6 normalized value + QDS
    sva_qds,    // 7.2.6.7 scaled value + QDS
    float_qds,  // 7.2.6.8 short floating point + QDS
    bcr,        // 7.2.6.9 binary counter reading
    sep,        // 7.2.6.10 single event of protection equipment + CP16 elapsed time
    spe,        // 7.2.6.11 start events + QDP + CP16 relay duration
    oci,        // 7.2.6.12 output circuit information + QDP + CP16 relay operation time
    scd_qds,    // 7.2.6.40 status and status change detection + QDS
    nva,        // normalized value without quality (M_ME_ND_1)
    sco,        // 7.2.6.15 single command
    dco,        // 7.2.6.16 double command
    rco,        // 7.2.6.17 regulating step command
    nva_qos,    // set-point, normalized (7.2.6.39 QOS)
    sva_qos,    // set-point, scaled
    float_qos,  // set-point, short float
    bsi,        // bitstring command
    coi,        // 7.2.6.21 cause of initialization
    qoi,        // 7.2.6.22 qualifier of interrogation
    qcc,        // 7.2.6.23 qualifier of counter interrogation
    empty,      // read command: the address alone
    cp56,       // clock synchronization: the time alone
    fbp,        // 7.2.6.14 fixed test bit pattern
    qrp,        // 7.2.6.27 qualifier of reset process
    cp16,       // delay acquisition: CP16Time2a
    tsc,        // test command with time tag: test sequence counter (then CP56)
    nva_qpm,    // parameter of measured values (7.2.6.24 QPM)
    sva_qpm,
    float_qpm,
    qpa,            // 7.2.6.25 qualifier of parameter activation
    file_ready,     // NOF LOF FRQ
    section_ready,  // NOF NOS LOF SRQ
    call_select,    // NOF NOS SCQ
    last_section,   // NOF NOS LSQ CHS
    ack_file,       // NOF NOS AFQ
    segment,        // NOF NOS LOS segment
    directory,      // NOF LOF SOF (then CP56)
    query_log,      // NOF, CP56 start, CP56 stop
};

enum class TimeKind : std::uint8_t { none, cp24, cp56 };

struct TypeInfo {
    std::uint8_t id;
    std::string_view name;
    Layout layout;
    TimeKind time;
};

// IEC 60870-5-101 7.2.1.1 and IEC 60870-5-104 clause 8 (the types 104 admits, with the 101
// ones 104 forbids but devices still send: the CP24 variants).
constexpr TypeInfo kTypes[] = {
    {1, "M_SP_NA_1", Layout::siq, TimeKind::none},
    {2, "M_SP_TA_1", Layout::siq, TimeKind::cp24},
    {3, "M_DP_NA_1", Layout::diq, TimeKind::none},
    {4, "M_DP_TA_1", Layout::diq, TimeKind::cp24},
    {5, "M_ST_NA_1", Layout::vti_qds, TimeKind::none},
    {6, "M_ST_TA_1", Layout::vti_qds, TimeKind::cp24},
    {7, "M_BO_NA_1", Layout::bsi_qds, TimeKind::none},
    {8, "M_BO_TA_1", Layout::bsi_qds, TimeKind::cp24},
    {9, "M_ME_NA_1", Layout::nva_qds, TimeKind::none},
    {10, "M_ME_TA_1", Layout::nva_qds, TimeKind::cp24},
    {11, "M_ME_NB_1", Layout::sva_qds, TimeKind::none},
    {12, "M_ME_TB_1", Layout::sva_qds, TimeKind::cp24},
    {13, "M_ME_NC_1", Layout::float_qds, TimeKind::none},
    {14, "M_ME_TC_1", Layout::float_qds, TimeKind::cp24},
    {15, "M_IT_NA_1", Layout::bcr, TimeKind::none},
    {16, "M_IT_TA_1", Layout::bcr, TimeKind::cp24},
    {17, "M_EP_TA_1", Layout::sep, TimeKind::cp24},
    {18, "M_EP_TB_1", Layout::spe, TimeKind::cp24},
    {19, "M_EP_TC_1", Layout::oci, TimeKind::cp24},
    {20, "M_PS_NA_1", Layout::scd_qds, TimeKind::none},
    {21, "M_ME_ND_1", Layout::nva, TimeKind::none},
    {30, "M_SP_TB_1", Layout::siq, TimeKind::cp56},
    {31, "M_DP_TB_1", Layout::diq, TimeKind::cp56},
    {32, "M_ST_TB_1", Layout::vti_qds, TimeKind::cp56},
    {33, "M_BO_TB_1", Layout::bsi_qds, TimeKind::cp56},
    {34, "M_ME_TD_1", Layout::nva_qds, TimeKind::cp56},
    {35, "M_ME_TE_1", Layout::sva_qds, TimeKind::cp56},
    {36, "M_ME_TF_1", Layout::float_qds, TimeKind::cp56},
    {37, "M_IT_TB_1", Layout::bcr, TimeKind::cp56},
    {38, "M_EP_TD_1", Layout::sep, TimeKind::cp56},
    {39, "M_EP_TE_1", Layout::spe, TimeKind::cp56},
    {40, "M_EP_TF_1", Layout::oci, TimeKind::cp56},
    {45, "C_SC_NA_1", Layout::sco, TimeKind::none},
    {46, "C_DC_NA_1", Layout::dco, TimeKind::none},
    {47, "C_RC_NA_1", Layout::rco, TimeKind::none},
    {48, "C_SE_NA_1", Layout::nva_qos, TimeKind::none},
    {49, "C_SE_NB_1", Layout::sva_qos, TimeKind::none},
    {50, "C_SE_NC_1", Layout::float_qos, TimeKind::none},
    {51, "C_BO_NA_1", Layout::bsi, TimeKind::none},
    {58, "C_SC_TA_1", Layout::sco, TimeKind::cp56},
    {59, "C_DC_TA_1", Layout::dco, TimeKind::cp56},
    {60, "C_RC_TA_1", Layout::rco, TimeKind::cp56},
    {61, "C_SE_TA_1", Layout::nva_qos, TimeKind::cp56},
    {62, "C_SE_TB_1", Layout::sva_qos, TimeKind::cp56},
    {63, "C_SE_TC_1", Layout::float_qos, TimeKind::cp56},
    {64, "C_BO_TA_1", Layout::bsi, TimeKind::cp56},
    {70, "M_EI_NA_1", Layout::coi, TimeKind::none},
    {100, "C_IC_NA_1", Layout::qoi, TimeKind::none},
    {101, "C_CI_NA_1", Layout::qcc, TimeKind::none},
    {102, "C_RD_NA_1", Layout::empty, TimeKind::none},
    {103, "C_CS_NA_1", Layout::cp56, TimeKind::none},
    {104, "C_TS_NA_1", Layout::fbp, TimeKind::none},
    {105, "C_RP_NA_1", Layout::qrp, TimeKind::none},
    {106, "C_CD_NA_1", Layout::cp16, TimeKind::none},
    {107, "C_TS_TA_1", Layout::tsc, TimeKind::cp56},
    {110, "P_ME_NA_1", Layout::nva_qpm, TimeKind::none},
    {111, "P_ME_NB_1", Layout::sva_qpm, TimeKind::none},
    {112, "P_ME_NC_1", Layout::float_qpm, TimeKind::none},
    {113, "P_AC_NA_1", Layout::qpa, TimeKind::none},
    {120, "F_FR_NA_1", Layout::file_ready, TimeKind::none},
    {121, "F_SR_NA_1", Layout::section_ready, TimeKind::none},
    {122, "F_SC_NA_1", Layout::call_select, TimeKind::none},
    {123, "F_LS_NA_1", Layout::last_section, TimeKind::none},
    {124, "F_AF_NA_1", Layout::ack_file, TimeKind::none},
    {125, "F_SG_NA_1", Layout::segment, TimeKind::none},
    {126, "F_DR_TA_1", Layout::directory, TimeKind::cp56},
    {127, "F_SC_NB_1", Layout::query_log, TimeKind::none},
};

const TypeInfo* find_type(std::uint8_t id) {
    for (const TypeInfo& t : kTypes)
        if (t.id == id) return &t;
    return nullptr;
}

// IEC 60870-5-101 7.2.3: causes of transmission.
struct CotName {
    std::uint8_t cot;
    std::string_view name;
};
constexpr CotName kCots[] = {
    {1, "per/cyc"},
    {2, "back"},
    {3, "spont"},
    {4, "init"},
    {5, "req"},
    {6, "act"},
    {7, "actcon"},
    {8, "deact"},
    {9, "deactcon"},
    {10, "actterm"},
    {11, "retrem"},
    {12, "retloc"},
    {13, "file"},
    {20, "inrogen"},
    {21, "inro1"},
    {22, "inro2"},
    {23, "inro3"},
    {24, "inro4"},
    {25, "inro5"},
    {26, "inro6"},
    {27, "inro7"},
    {28, "inro8"},
    {29, "inro9"},
    {30, "inro10"},
    {31, "inro11"},
    {32, "inro12"},
    {33, "inro13"},
    {34, "inro14"},
    {35, "inro15"},
    {36, "inro16"},
    {37, "reqcogen"},
    {38, "reqco1"},
    {39, "reqco2"},
    {40, "reqco3"},
    {41, "reqco4"},
    {44, "unknown_type"},
    {45, "unknown_cause"},
    {46, "unknown_common_address"},
    {47, "unknown_ioa"},
};

struct UName {
    std::uint8_t bits;
    std::string_view name;
};
constexpr UName kUFunctions[] = {
    {0x04, "startdt_act"}, {0x08, "startdt_con"}, {0x10, "stopdt_act"},
    {0x20, "stopdt_con"},  {0x40, "testfr_act"},  {0x80, "testfr_con"},
};

bool iequals(std::string_view a, std::string_view b) {
    return std::ranges::equal(a, b, [](char x, char y) {
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
        return lower(x) == lower(y);
    });
}

// ---- information elements (IEC 60870-5-101 7.2.6); multi-octet values are little endian ----

std::int16_t i16le(ByteCursor& in) {
    return static_cast<std::int16_t>(in.u16le());
}

std::uint32_t u24le(ByteCursor& in) {
    const std::uint32_t low = in.u16le();
    return low | std::uint32_t{in.u8()} << 16;
}

float r32le(ByteCursor& in) {
    return std::bit_cast<float>(in.u32le());
}

// F16 normalized value: -1 .. 1 - 2^-15.
double normalized(std::int16_t raw) {
    return static_cast<double>(raw) / 32768.0;
}

void add(InfoObject& o, std::string_view name, std::int64_t value) {
    o.fields.push_back({name, value, false});
}
void add_flag(InfoObject& o, std::string_view name, bool value) {
    o.fields.push_back({name, value ? 1 : 0, true});
}

void read_qds(ByteCursor& in, InfoObject& o) {
    o.quality_kind = QualityKind::qds;
    o.quality = in.u8();
}

// QOS (set-point commands) 7.2.6.39: QL bits 1..7, S/E bit 8.
void read_qos(ByteCursor& in, InfoObject& o) {
    const std::uint8_t qos = in.u8();
    add(o, "ql", qos & 0x7f);
    add_flag(o, "select", (qos & 0x80) != 0);
}

// QPM 7.2.6.24: KPA bits 1..6, LPC bit 7, POP bit 8.
void read_qpm(ByteCursor& in, InfoObject& o) {
    const std::uint8_t qpm = in.u8();
    add(o, "kpa", qpm & 0x3f);
    add_flag(o, "lpc", (qpm & 0x40) != 0);
    add_flag(o, "pop", (qpm & 0x80) != 0);
}

// A command qualifier octet shared by SCO/DCO/RCO: state bits, QU bits 3..7, S/E bit 8.
void read_command(ByteCursor& in, InfoObject& o, std::uint8_t state_mask) {
    const std::uint8_t c = in.u8();
    o.value = std::int64_t{c & state_mask};
    add(o, "qu", (c >> 2) & 0x1f);
    add_flag(o, "select", (c & 0x80) != 0);
}

// QDP (7.2.6.4) of protection events: EI bit 4 (elapsed time invalid), BL SB NT IV as QDS.
void read_qdp(ByteCursor& in, InfoObject& o) {
    const std::uint8_t qdp = in.u8();
    o.quality_kind = QualityKind::siq_diq;
    o.quality = qdp & 0xf0;
    add_flag(o, "ei", (qdp & 0x08) != 0);
}

TimeTag read_time(ByteCursor& in, bool full) {
    TimeTag t;
    t.full = full;
    t.milliseconds = in.u16le();
    const std::uint8_t minute = in.u8();
    t.minute = minute & 0x3f;
    t.invalid = (minute & 0x80) != 0;
    if (!full) return t;
    const std::uint8_t hour = in.u8();
    t.hour = hour & 0x1f;
    t.summer = (hour & 0x80) != 0;
    const std::uint8_t day = in.u8();
    t.day = day & 0x1f;
    t.day_of_week = day >> 5;
    t.month = in.u8() & 0x0f;
    t.year = in.u8() & 0x7f;
    return t;
}

void read_file_nof(ByteCursor& in, InfoObject& o) {
    add(o, "nof", in.u16le());
}

// The elements of one object of `layout` (everything after the IOA except a trailing time tag).
void read_elements(Layout layout, ByteCursor& in, InfoObject& o) {
    switch (layout) {
        case Layout::siq:
        case Layout::diq: {
            const std::uint8_t q = in.u8();
            o.value = std::int64_t{q & (layout == Layout::siq ? 0x01 : 0x03)};
            o.quality_kind = QualityKind::siq_diq;
            o.quality = q & 0xf0;
            break;
        }
        case Layout::vti_qds: {
            const std::uint8_t vti = in.u8();
            // 7-bit two's complement in bits 1..7, transient state in bit 8.
            const auto raw = static_cast<std::int8_t>(static_cast<std::uint8_t>(vti << 1));
            o.value = std::int64_t{raw / 2};
            add_flag(o, "transient", (vti & 0x80) != 0);
            read_qds(in, o);
            break;
        }
        case Layout::bsi_qds:
            o.value = std::int64_t{in.u32le()};
            read_qds(in, o);
            break;
        case Layout::nva_qds:
        case Layout::nva: {
            const std::int16_t raw = i16le(in);
            o.value = normalized(raw);
            add(o, "raw", raw);
            if (layout == Layout::nva_qds) read_qds(in, o);
            break;
        }
        case Layout::sva_qds:
            o.value = std::int64_t{i16le(in)};
            read_qds(in, o);
            break;
        case Layout::float_qds:
            o.value = static_cast<double>(r32le(in));
            read_qds(in, o);
            break;
        case Layout::bcr: {
            o.value = std::int64_t{static_cast<std::int32_t>(in.u32le())};
            const std::uint8_t s = in.u8();
            add(o, "sequence", s & 0x1f);
            add_flag(o, "carry", (s & 0x20) != 0);
            add_flag(o, "adjusted", (s & 0x40) != 0);
            add_flag(o, "invalid", (s & 0x80) != 0);
            break;
        }
        case Layout::sep: {
            const std::uint8_t sep = in.u8();
            o.value = std::int64_t{sep & 0x03};
            o.quality_kind = QualityKind::siq_diq;
            o.quality = sep & 0xf0;
            add_flag(o, "ei", (sep & 0x08) != 0);
            add(o, "elapsed_ms", in.u16le());
            break;
        }
        case Layout::spe:
        case Layout::oci:
            o.value = std::int64_t{in.u8()};
            read_qdp(in, o);
            add(o, layout == Layout::spe ? "duration_ms" : "operating_ms", in.u16le());
            break;
        case Layout::scd_qds:
            o.value = std::int64_t{in.u16le()};  // ST: the 16 status bits
            add(o, "changes", in.u16le());       // CD: which of them changed
            read_qds(in, o);
            break;
        case Layout::sco:
            read_command(in, o, 0x01);
            break;
        case Layout::dco:
        case Layout::rco:
            read_command(in, o, 0x03);
            break;
        case Layout::nva_qos:
        case Layout::nva_qpm: {
            const std::int16_t raw = i16le(in);
            o.value = normalized(raw);
            add(o, "raw", raw);
            if (layout == Layout::nva_qos)
                read_qos(in, o);
            else
                read_qpm(in, o);
            break;
        }
        case Layout::sva_qos:
        case Layout::sva_qpm:
            o.value = std::int64_t{i16le(in)};
            if (layout == Layout::sva_qos)
                read_qos(in, o);
            else
                read_qpm(in, o);
            break;
        case Layout::float_qos:
        case Layout::float_qpm:
            o.value = static_cast<double>(r32le(in));
            if (layout == Layout::float_qos)
                read_qos(in, o);
            else
                read_qpm(in, o);
            break;
        case Layout::bsi:
            o.value = std::int64_t{in.u32le()};
            break;
        case Layout::coi: {
            const std::uint8_t coi = in.u8();
            o.value = std::int64_t{coi & 0x7f};
            add_flag(o, "parameters_changed", (coi & 0x80) != 0);
            break;
        }
        case Layout::qoi:
            add(o, "qoi", in.u8());
            break;
        case Layout::qcc: {
            const std::uint8_t qcc = in.u8();
            add(o, "rqt", qcc & 0x3f);
            add(o, "frz", qcc >> 6);
            break;
        }
        case Layout::empty:
            break;
        case Layout::cp56:
            o.time = read_time(in, true);
            break;
        case Layout::fbp:
            add(o, "fbp", in.u16le());
            break;
        case Layout::qrp:
            add(o, "qrp", in.u8());
            break;
        case Layout::cp16:
            add(o, "delay_ms", in.u16le());
            break;
        case Layout::tsc:
            add(o, "tsc", in.u16le());
            break;
        case Layout::qpa:
            add(o, "qpa", in.u8());
            break;
        case Layout::file_ready:
            read_file_nof(in, o);
            add(o, "lof", u24le(in));
            add(o, "frq", in.u8());
            break;
        case Layout::section_ready:
            read_file_nof(in, o);
            add(o, "nos", in.u8());
            add(o, "lof", u24le(in));
            add(o, "srq", in.u8());
            break;
        case Layout::call_select:
            read_file_nof(in, o);
            add(o, "nos", in.u8());
            add(o, "scq", in.u8());
            break;
        case Layout::last_section:
            read_file_nof(in, o);
            add(o, "nos", in.u8());
            add(o, "lsq", in.u8());
            add(o, "chs", in.u8());
            break;
        case Layout::ack_file:
            read_file_nof(in, o);
            add(o, "nos", in.u8());
            add(o, "afq", in.u8());
            break;
        case Layout::segment: {
            read_file_nof(in, o);
            add(o, "nos", in.u8());
            const std::uint8_t los = in.u8();
            add(o, "los", los);
            in.skip(los);  // the segment's file data
            break;
        }
        case Layout::directory:
            read_file_nof(in, o);
            add(o, "lof", u24le(in));
            add(o, "sof", in.u8());
            break;
        case Layout::query_log:
            read_file_nof(in, o);
            o.time = read_time(in, true);  // range start; the stop time is read past
            in.skip(7);
            break;
    }
}

// The objects of an ASDU of a known type (7.3): SQ=0 address + elements each; SQ=1 one address
// and `count` element sets at consecutive addresses.
Problem read_objects(const TypeInfo& type, std::uint8_t count, bool sq, ByteCursor& in,
                     std::vector<InfoObject>& out) {
    std::uint32_t address = 0;
    for (std::uint8_t i = 0; i < count; ++i) {
        InfoObject o;
        if (!sq || i == 0)
            address = u24le(in);
        else
            address = (address + 1) & 0xffffff;
        o.ioa = address;
        read_elements(type.layout, in, o);
        if (type.time != TimeKind::none) o.time = read_time(in, type.time == TimeKind::cp56);
        if (!in.ok()) return Problem::truncated_asdu;
        out.push_back(std::move(o));
    }
    return in.empty() ? Problem::none : Problem::trailing_data;
}

}  // namespace

std::string TimeTag::iso() const {
    char buf[40];
    const unsigned seconds = milliseconds / 1000u;
    const unsigned ms = milliseconds % 1000u;
    if (full)
        std::snprintf(buf, sizeof buf, "%04u-%02u-%02uT%02u:%02u:%02u.%03u", 2000u + year,
                      unsigned{month}, unsigned{day}, unsigned{hour}, unsigned{minute}, seconds,
                      ms);
    else
        std::snprintf(buf, sizeof buf, "%02u:%02u.%03u", unsigned{minute}, seconds, ms);
    return buf;
}

Decoded decode_apdu(ByteSpan body) {
    Decoded d;
    ByteCursor in(body);
    const std::uint8_t c1 = in.u8();
    const std::uint8_t c2 = in.u8();
    const std::uint8_t c3 = in.u8();
    const std::uint8_t c4 = in.u8();
    if (!in.ok()) {
        d.problem = Problem::invalid_length;
        return d;
    }
    Apdu& a = d.apdu;
    if ((c1 & 0x01) == 0) {
        // I format (5.2): N(S) in bits 2..16 of octets 1-2, N(R) in bits 2..16 of octets 3-4.
        a.type = ApciType::i;
        a.send_seq = static_cast<std::uint16_t>((c1 | c2 << 8) >> 1);
        a.recv_seq = static_cast<std::uint16_t>((c3 | c4 << 8) >> 1);
        if ((c3 & 0x01) != 0) d.problem = Problem::invalid_control;
    } else if ((c1 & 0x03) == 0x01) {
        // S format (5.3): octets 1-2 are 0x01 0x00, N(R) as in I.
        a.type = ApciType::s;
        a.recv_seq = static_cast<std::uint16_t>((c3 | c4 << 8) >> 1);
        if (c1 != 0x01 || c2 != 0 || (c3 & 0x01) != 0) d.problem = Problem::invalid_control;
    } else {
        // U format (5.4): exactly one function bit, octets 2-4 zero.
        a.type = ApciType::u;
        a.u_bits = c1 & 0xfc;
        if (std::popcount(a.u_bits) != 1 || c2 != 0 || c3 != 0 || c4 != 0)
            d.problem = Problem::invalid_control;
    }
    if (a.type != ApciType::i) {
        if (!in.empty() && d.problem == Problem::none) d.problem = Problem::invalid_length;
        return d;
    }
    if (in.empty()) {
        d.problem = Problem::invalid_length;
        return d;
    }
    // Data unit identifier (101 7.1, 104 clause 9).
    Asdu s;
    if (!in.has(kAsduHeaderLength)) {
        // Truncated: keep the fields present, as a reader of the capture would see them.
        d.problem = Problem::invalid_length;
        s.header_octets = static_cast<std::uint8_t>(in.remaining());
        s.known_type = false;
        s.type_id = in.u8();
        const std::uint8_t vsq = in.u8();
        s.sq = (vsq & 0x80) != 0;
        s.num_objects = vsq & 0x7f;
        const std::uint8_t cot = in.u8();
        s.cot = cot & 0x3f;
        s.negative = (cot & 0x40) != 0;
        s.test = (cot & 0x80) != 0;
        s.originator = in.u8();
        a.asdu = std::move(s);
        return d;
    }
    s.type_id = in.u8();
    const std::uint8_t vsq = in.u8();
    s.sq = (vsq & 0x80) != 0;
    s.num_objects = vsq & 0x7f;
    const std::uint8_t cot = in.u8();
    s.cot = cot & 0x3f;
    s.negative = (cot & 0x40) != 0;
    s.test = (cot & 0x80) != 0;
    s.originator = in.u8();
    s.common_address = in.u16le();
    const TypeInfo* type = find_type(s.type_id);
    Problem problem = d.problem;
    if (type == nullptr) {
        s.known_type = false;
        if (problem == Problem::none) problem = Problem::unknown_type;
    } else if (s.num_objects == 0) {
        if (problem == Problem::none)
            problem = in.empty() ? Problem::no_objects : Problem::trailing_data;
    } else {
        s.objects.reserve(s.num_objects);
        const Problem p = read_objects(*type, s.num_objects, s.sq, in, s.objects);
        if (problem == Problem::none) problem = p;
    }
    d.problem = problem;
    a.asdu = std::move(s);
    return d;
}

std::string_view type_name(std::uint8_t type_id) {
    const TypeInfo* t = find_type(type_id);
    return t != nullptr ? t->name : std::string_view{};
}

std::optional<std::uint8_t> type_by_name(std::string_view name) {
    for (const TypeInfo& t : kTypes)
        if (iequals(t.name, name)) return t.id;
    return std::nullopt;
}

std::string_view cot_name(std::uint8_t cot) {
    for (const CotName& c : kCots)
        if (c.cot == cot) return c.name;
    return {};
}

std::optional<std::uint8_t> cot_by_name(std::string_view name) {
    for (const CotName& c : kCots)
        if (iequals(c.name, name)) return c.cot;
    // "per" and "cyc" alone name cause 1 too.
    if (iequals(name, "per") || iequals(name, "cyc")) return 1;
    return std::nullopt;
}

std::string_view u_function_name(std::uint8_t u_bits) {
    for (const UName& u : kUFunctions)
        if (u.bits == u_bits) return u.name;
    return {};
}

std::optional<std::uint8_t> u_function_by_name(std::string_view name) {
    for (const UName& u : kUFunctions)
        if (iequals(u.name, name)) return u.bits;
    return std::nullopt;
}

std::string_view problem_event(Problem problem) {
    switch (problem) {
        case Problem::none:
            return {};
        case Problem::invalid_control:
            return "iec104.invalid_control";
        case Problem::invalid_length:
            return "iec104.invalid_length";
        case Problem::unknown_type:
            return "iec104.unknown_type";
        case Problem::truncated_asdu:
            return "iec104.truncated_asdu";
        case Problem::trailing_data:
            return "iec104.trailing_data";
        case Problem::no_objects:
            return "iec104.no_objects";
    }
    return {};
}

bool is_command(std::uint8_t type_id) {
    return (type_id >= 45 && type_id <= 64) || (type_id >= 100 && type_id <= 107);
}
bool is_parameter(std::uint8_t type_id) {
    return type_id >= 110 && type_id <= 113;
}

}  // namespace tocsin::proto::iec104
