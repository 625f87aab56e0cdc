// Byte-level payload keywords: byte_test, byte_jump, byte_extract, byte_math, isdataat.
// Each reads numbers out of the inspected buffer at an absolute position or relative to the
// previous match, as Suricata does; byte_extract and byte_math store results in the rule's
// variables, which later keywords (offset, depth, byte_test values, ...) may name.
//
// Parsing follows Suricata 7/8 (limits, defaults, which combinations are errors); where
// Suricata's documentation is silent we follow what Suricata does, and say so next to the code.
// Matching never reads outside the buffer: anything out of bounds is simply no match.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "core/cursor.h"

namespace tocsin::detect {

// Up to this many byte_extract / byte_math variables per rule (Suricata allows the same order).
constexpr std::size_t kMaxByteVariables = 16;
using ByteVariables = std::array<std::uint64_t, kMaxByteVariables>;

// A number in a keyword, or the name of a variable resolved when the rule is built.
struct ValueOrVariable {
    std::int64_t value = 0;
    std::int8_t variable = -1;  // index into ByteVariables, -1: a literal
    bool is_variable() const { return variable >= 0; }
    // Variables hold unsigned 64-bit values; saturating keeps a huge one from turning negative.
    std::int64_t resolve(const ByteVariables& vars) const {
        if (variable < 0) return value;
        const std::uint64_t v = vars[static_cast<std::size_t>(variable)];
        constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
        return static_cast<std::int64_t>(std::min(v, kMax));
    }
};

// An unsigned operand (byte_test's value, byte_math's rvalue), which may use all 64 bits.
struct UnsignedOrVariable {
    std::uint64_t value = 0;
    std::int8_t variable = -1;  // index into ByteVariables, -1: a literal
    bool is_variable() const { return variable >= 0; }
    std::uint64_t resolve(const ByteVariables& vars) const {
        return variable < 0 ? value : vars[static_cast<std::size_t>(variable)];
    }
};

enum class NumberBase : std::uint8_t { binary, dec, hex, oct };  // binary: raw big/little endian

// What every keyword that reads a number shares: how many bytes, where, and how to decode them.
struct ByteRead {
    ValueOrVariable bytes;   // how many; 0 with a string base: every digit from the start on
    ValueOrVariable offset;  // from the buffer start, or from the cursor when relative
    bool relative = false;
    bool little_endian = false;  // "little", or "dce" (see dce)
    // "dce": Suricata takes the byte order from the DCE/RPC header, which this library does not
    // see; it reads little-endian, the order nearly all DCE/RPC traffic uses.
    bool dce = false;
    NumberBase base = NumberBase::binary;
    bool has_bitmask = false;
    std::uint32_t bitmask = 0;   // ANDed in, then shifted right by its trailing zero bits
    std::uint8_t max_bytes = 8;  // the largest byte count allowed (checks variable counts)
};

enum class ByteTestOp : std::uint8_t {
    less,           // <
    greater,        // >
    equal,          // =  (also "!" alone, meaning not equal)
    less_equal,     // <=
    greater_equal,  // >=
    bit_and,        // &  matches when value & operand is non-zero
    bit_xor,        // ^  documented as "bitwise OR"; Suricata matches when value ^ operand != 0
};

struct ByteTest : ByteRead {
    ByteTestOp op = ByteTestOp::equal;
    bool negated = false;  // "!" before the operator
    UnsignedOrVariable value;
};

struct ByteJump : ByteRead {
    std::uint16_t multiplier = 1;
    bool align = false;  // round the jump up to a multiple of 4
    bool from_beginning = false;
    bool from_end = false;
    std::int32_t post_offset = 0;
};

struct ByteExtract : ByteRead {
    std::uint16_t multiplier = 1;
    std::uint8_t align = 0;     // 0 (none), 2 or 4: round the value up to a multiple of it
    std::int8_t variable = -1;  // where the value goes
};

enum class ByteMathOp : std::uint8_t { add, subtract, multiply, divide, shift_left, shift_right };

struct ByteMath : ByteRead {
    ByteMathOp op = ByteMathOp::add;
    UnsignedOrVariable rvalue;
    std::int8_t result = -1;  // the variable that receives the result
};

struct IsDataAt {
    ValueOrVariable position;
    bool negated = false;
    bool relative = false;
    bool rawbytes = false;  // accepted for Snort compatibility; no effect, as in Suricata
};

// Resolves a variable name to its index (-1 when the rule has no such variable) and declares
// new ones (-1 when the table is full). Implemented by the signature builder.
class ByteVariableNames {
  public:
    virtual ~ByteVariableNames() = default;
    virtual int find(std::string_view name) const = 0;
    virtual int declare(std::string_view name) = 0;
};

// Inspection state the byte keywords read and move: the buffer, the end of the previous match
// (the anchor of relative keywords) and the rule's variables.
struct ByteMatchState {
    ByteSpan buffer;
    std::size_t cursor = 0;
    ByteVariables* variables = nullptr;
};

// Parsers take the keyword's value (the text after the colon) and return "" on success or why
// the value is wrong; `out` is only written on success, and a variable is only declared then.
std::string parse_byte_test(std::string_view value, ByteVariableNames& names, ByteTest& out);
std::string parse_byte_jump(std::string_view value, ByteVariableNames& names, ByteJump& out);
std::string parse_byte_extract(std::string_view value, ByteVariableNames& names, ByteExtract& out);
std::string parse_byte_math(std::string_view value, ByteVariableNames& names, ByteMath& out);
std::string parse_isdataat(std::string_view value, ByteVariableNames& names, IsDataAt& out);

// Matchers. byte_jump moves the cursor to the jump target; byte_extract and byte_math store
// their variable and move the cursor past the bytes they read (as Suricata does); byte_test
// and isdataat leave it. A keyword that does not match leaves the state as it was.
bool match(const ByteTest& test, ByteMatchState& state);
bool match(const ByteJump& jump, ByteMatchState& state);
bool match(const ByteExtract& extract, ByteMatchState& state);
bool match(const ByteMath& math, ByteMatchState& state);
bool match(const IsDataAt& isdataat, ByteMatchState& state);

}  // namespace tocsin::detect
