// DNP3 application layer (IEEE 1815-2012 clause 4.2.2 and 4.2.2.7): request and response
// headers, object headers (group, variation, qualifier with prefix and range codes) and the
// points of the object groups in the spec's Table 11 that have a fixed or self-described
// size. Pure decoding: no flow state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/cursor.h"

namespace tocsin::proto::dnp3 {

// Application function codes (4.2.2.5) that name a response rather than a request.
constexpr std::uint8_t kFunctionConfirm = 0;
constexpr std::uint8_t kFunctionResponse = 129;
constexpr std::uint8_t kFunctionUnsolicitedResponse = 130;
constexpr std::uint8_t kFunctionAuthenticateResponse = 131;

inline bool is_response_function(std::uint8_t fc) {
    return fc == kFunctionResponse || fc == kFunctionUnsolicitedResponse ||
           fc == kFunctionAuthenticateResponse;
}

// One field of a point as it is decoded: bit fields of a flags octet, numbers, time
// (48-bit milliseconds), text.
enum class FieldKind : std::uint8_t {
    bits,        // one octet split into `bits`, least significant first
    uint,        // unsigned little-endian integer of `size` octets
    sint,        // signed little-endian integer of `size` octets
    real,        // IEEE 754 float of `size` (4 or 8) octets
    time,        // DNP3 time: 48-bit milliseconds since 1970
    chars,       // `length_field` octets (a field decoded before) of text
    chars_rest,  // text filling the point's size prefix
    octets,      // as many octets as the variation number (g110..g113)
    attribute,   // device attribute value (g0): its data type and length precede it
};

struct Bit {
    std::string_view name;
    std::uint8_t width = 1;
};

struct Field {
    FieldKind kind = FieldKind::uint;
    std::string_view name{};
    std::uint8_t size = 0;
    std::span<const Bit> bits{};
    std::string_view length_field{};
};

// A group/variation whose points can be decoded. `packed`: points are bits packed into
// octets (one field of `packed_bits` bits per point), as g1v1, g3v1, g10v1, g12v3, g80v1.
struct ObjectSpec {
    std::uint8_t group = 0;
    std::uint8_t variation = 0;  // 0: any variation
    std::span<const Field> fields{};
    std::uint8_t packed_bits = 0;
};

const ObjectSpec* find_object_spec(std::uint8_t group, std::uint8_t variation);

// Names of the values of a point of `spec`, in decoding order.
std::vector<std::string_view> value_names(const ObjectSpec& spec);

using Value = std::variant<std::int64_t, double, std::string>;

struct Point {
    std::uint32_t prefix = 0;
    std::uint32_t index = 0;
    std::uint32_t size = 0;  // the size prefix (prefix codes 4..6)
    std::vector<Value> values;
};

struct Object {
    std::uint8_t group = 0;
    std::uint8_t variation = 0;
    std::uint8_t qualifier = 0;
    std::uint32_t start = 0;
    std::uint32_t stop = 0;
    std::uint32_t count = 0;
    const ObjectSpec* spec = nullptr;  // null: the points were not decoded
    std::vector<Point> points;

    // Object prefix code and range specifier code (4.2.2.7.3.1, .2).
    std::uint8_t prefix_code() const { return (qualifier >> 4) & 0x7; }
    std::uint8_t range_code() const { return qualifier & 0xf; }
    // Prefix codes 4..6 give each point's size rather than its index.
    bool size_prefix() const { return prefix_code() >= 4 && prefix_code() <= 6; }
};

// Bounds on one application message, and what decoding met.
struct DecodeLimits {
    std::size_t max_objects = 2048;
    std::size_t max_points = 16384;
};

struct DecodeResult {
    bool complete = false;  // every object header and point decoded
    bool unknown_object = false;
    bool too_many_objects = false;
    bool too_many_points = false;
};

// Requests whose object headers name points without carrying their values (READ, the
// immediate freezes, ENABLE/DISABLE_UNSOLICITED, ASSIGN_CLASS; IEEE 1815-2012 4.4).
bool headers_only(std::uint8_t request_function);

// Decodes the object headers and points following the application header (and IIN). With
// `no_values`, objects are headers alone (a READ's ranges name points, they carry none).
DecodeResult decode_objects(ByteSpan data, const DecodeLimits& limits, bool no_values,
                            std::vector<Object>& out);

// A request or response fragment, reassembled from transport segments (4.2.2.1..4.2.2.4).
struct ApplicationHeader {
    std::uint8_t control = 0;
    std::uint8_t function = 0;
    std::optional<std::uint16_t> iin;  // responses: IIN1 (high octet) and IIN2

    bool fir() const { return (control & 0x80) != 0; }
    bool fin() const { return (control & 0x40) != 0; }
    bool con() const { return (control & 0x20) != 0; }
    bool uns() const { return (control & 0x10) != 0; }
    std::uint8_t sequence() const { return control & 0x0f; }
};

// Reads the application header at the start of a fragment; responses carry IIN.
std::optional<ApplicationHeader> read_application_header(ByteSpan fragment);

}  // namespace tocsin::proto::dnp3
