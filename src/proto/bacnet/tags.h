// BACnet tagged encoding (ASHRAE 135 clause 20.2): the tag octet(s), lengths, opening and
// closing tags, and the primitive application data types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/cursor.h"

namespace tocsin::proto::bacnet {

// 20.2.1: one tag with its content octets.
struct Tag {
    enum class Kind : std::uint8_t { primitive, opening, closing };
    Kind kind = Kind::primitive;
    bool context = false;     // class bit: context specific (else application)
    std::uint8_t number = 0;  // tag number (extended when the 4 bits are 15)
    std::uint8_t lvt = 0;     // application boolean: its value
    ByteSpan data;            // primitive content octets
};

// Reads one tag; nullopt (and `in` failed) when the octets are not a whole tag.
std::optional<Tag> read_tag(ByteCursor& in);

// Application tag numbers (20.2.1.4).
enum class AppTag : std::uint8_t {
    null = 0,
    boolean = 1,
    unsigned_int = 2,
    signed_int = 3,
    real = 4,
    double_real = 5,
    octet_string = 6,
    character_string = 7,
    bit_string = 8,
    enumerated = 9,
    date = 10,
    time = 11,
    object_id = 12,
};

struct ObjectId {
    std::uint16_t type = 0;      // 10 bits
    std::uint32_t instance = 0;  // 22 bits
};
inline constexpr std::uint32_t kWildcardInstance = 0x3FFFFF;  // 4194303: "any device"

// A decoded value: an application-tagged primitive, or a context-tagged one whose type only
// the service's grammar knows (kept as its octets).
struct Value {
    enum class Kind : std::uint8_t {
        null,
        boolean,
        unsigned_int,
        signed_int,
        real,
        double_real,
        octet_string,
        character_string,
        bit_string,
        enumerated,
        date,
        time,
        object_id,
        context,
    };
    Kind kind = Kind::null;
    std::uint8_t context_tag = 0;  // Kind::context
    std::uint64_t u = 0;           // boolean, unsigned, enumerated
    std::int64_t i = 0;            // signed
    double d = 0;                  // real, double
    std::string text;  // strings (UTF-8), octets/context (hex), bits ("1010"), date, time
    ObjectId object;
};

// Decoding of primitive contents (20.2.3 .. 20.2.14); false when the length is wrong.
bool decode_unsigned(ByteSpan data, std::uint64_t& out);  // 1..8 octets, big endian
bool decode_signed(ByteSpan data, std::int64_t& out);     // two's complement
bool decode_object_id(ByteSpan data, ObjectId& out);
// The value of an application-tagged primitive; nullopt when its contents are malformed.
std::optional<Value> decode_application(const Tag& tag);
// A context-tagged primitive kept as hex.
Value context_value(const Tag& tag);

std::string hex(ByteSpan data);

}  // namespace tocsin::proto::bacnet
