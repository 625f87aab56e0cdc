// IEC 60870-5-104 APDUs: the APCI (IEC 60870-5-104 clause 5) and the ASDU it carries
// (IEC 60870-5-101 clause 7, with the 104 field sizes of IEC 60870-5-104 clause 9: two-octet
// cause of transmission, two-octet common address, three-octet information object address).
// Decoding is a pure function of one APDU's bytes, shared by the parser, the EVE writer and the
// rule keywords.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/cursor.h"

namespace tocsin::proto::iec104 {

// APDU framing (clause 5.1): start octet, length of the rest (control field + ASDU).
inline constexpr std::uint8_t kStartByte = 0x68;
inline constexpr std::size_t kMinApduLength = 4;     // the control field alone (S and U)
inline constexpr std::size_t kMaxApduLength = 253;   // clause 5.1: at most 253
inline constexpr std::size_t kAsduHeaderLength = 6;  // type, VSQ, COT(2), common address(2)

enum class ApciType : std::uint8_t { i, s, u };

// U-format functions (clause 5.3): one bit of the first control octet each.
enum class UFunction : std::uint8_t {
    startdt_act = 0x04,
    startdt_con = 0x08,
    stopdt_act = 0x10,
    stopdt_con = 0x20,
    testfr_act = 0x40,
    testfr_con = 0x80,
};

// How an information element's quality octet is read (IEC 60870-5-101 7.2.6).
enum class QualityKind : std::uint8_t {
    none,
    siq_diq,  // SIQ/DIQ: BL SB NT IV in bits 4..7
    qds,      // QDS: OV in bit 0, BL SB NT IV in bits 4..7
};

// CP56Time2a (7.2.6.18) or CP24Time2a (7.2.6.19).
struct TimeTag {
    bool full = true;                // CP56 (date and time) or CP24 (minutes and milliseconds only)
    std::uint16_t milliseconds = 0;  // 0..59999: seconds * 1000 + ms
    std::uint8_t minute = 0;
    std::uint8_t hour = 0;
    std::uint8_t day = 0;
    std::uint8_t day_of_week = 0;  // 1..7, 0 unused
    std::uint8_t month = 0;
    std::uint8_t year = 0;  // 0..99, years since 2000
    bool invalid = false;   // IV
    bool summer = false;    // SU
    // ISO 8601: "2009-08-13T10:04:05.123" (CP56) or "04:05.123" (CP24: minutes:seconds).
    std::string iso() const;
};

// A value of an information element: integer, IEEE 754 float, or none.
using Value = std::variant<std::monostate, std::int64_t, double>;

// A named element of an object besides its value; `flag` ones are written as booleans.
struct Field {
    std::string_view name;
    std::int64_t value = 0;
    bool flag = false;
};

// One information object (7.3): its address and what its elements say.
struct InfoObject {
    std::uint32_t ioa = 0;
    Value value;
    QualityKind quality_kind = QualityKind::none;
    std::uint8_t quality = 0;
    // Further elements by name: a command's select/execute and qualifier, a counter's sequence
    // number, QOI, QCC, ... (names are static strings).
    std::vector<Field> fields;
    std::optional<TimeTag> time;
};

struct Asdu {
    std::uint8_t type_id = 0;
    bool sq = false;  // VSQ bit 8: the objects' addresses follow the first one's
    std::uint8_t num_objects = 0;
    std::uint8_t cot = 0;   // cause of transmission, 6 bits
    bool negative = false;  // P/N
    bool test = false;      // T
    std::uint8_t originator = 0;
    std::uint16_t common_address = 0;
    std::vector<InfoObject> objects;
    bool known_type = true;  // false: the elements could not be sized, objects is empty
    // Octets of the data unit identifier present: 6, or fewer in a truncated APDU (then only
    // the fields within them are set: type id 1, VSQ 2, COT 3, originator 4, common address 6).
    std::uint8_t header_octets = kAsduHeaderLength;
};

struct Apdu {
    ApciType type = ApciType::i;
    std::uint16_t send_seq = 0;  // N(S), I format
    std::uint16_t recv_seq = 0;  // N(R), I and S formats
    std::uint8_t u_bits = 0;     // U format: the function bits of the first control octet
    std::optional<Asdu> asdu;    // I format with a readable ASDU header
};

// What went wrong decoding one APDU; the names are the app-layer events ("iec104.<name>").
enum class Problem : std::uint8_t {
    none,
    invalid_control,  // S/U control field with bits where the format has zeros, U with != 1 fn
    invalid_length,   // S/U with an ASDU, I without a complete ASDU header
    unknown_type,     // type id without a known element layout: objects not parsed
    truncated_asdu,   // fewer octets than the objects need
    trailing_data,    // octets left after the objects
    no_objects,       // VSQ number of objects 0
};

struct Decoded {
    Apdu apdu;
    Problem problem = Problem::none;
};

// Decodes the control field and ASDU of one APDU (the `length` octets after start and
// length octets). Never fails outright: what could be read is returned with the first problem.
Decoded decode_apdu(ByteSpan body);

// Names: the standard mnemonics ("M_SP_NA_1"), "" for an unknown type id.
std::string_view type_name(std::uint8_t type_id);
std::optional<std::uint8_t> type_by_name(std::string_view name);  // case-insensitive
// Cause of transmission names ("spont", "actcon", "inro3"), "" for unassigned values.
std::string_view cot_name(std::uint8_t cot);
std::optional<std::uint8_t> cot_by_name(std::string_view name);
// U functions: "startdt_act" ...; "" when the bits are not exactly one function.
std::string_view u_function_name(std::uint8_t u_bits);
std::optional<std::uint8_t> u_function_by_name(std::string_view name);
std::string_view problem_event(Problem problem);

// Type-id classes for pairing and the asset inventory.
bool is_command(std::uint8_t type_id);    // C_*: process (45..64) and system (100..107) commands
bool is_parameter(std::uint8_t type_id);  // P_* (110..113)

// Common addresses with a special meaning: 0 unused, 0xFFFF the global (broadcast) address.
inline constexpr std::uint16_t kGlobalCommonAddress = 0xFFFF;

}  // namespace tocsin::proto::iec104
