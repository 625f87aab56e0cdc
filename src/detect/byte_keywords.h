// Byte-level payload keywords: byte_test, byte_jump, byte_extract, byte_math, isdataat.
// Each reads numbers out of the inspected buffer at an absolute position or relative to the
// previous match, as Suricata does; byte_extract and byte_math store results in the rule's
// variables, which later keywords (offset, depth, byte_test values, ...) may name.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
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
    std::int64_t resolve(const ByteVariables& vars) const {
        return variable < 0 ? value : static_cast<std::int64_t>(vars[static_cast<std::size_t>(variable)]);
    }
};

enum class NumberBase : std::uint8_t { binary, dec, hex, oct };  // binary: raw big/little endian

struct ByteTest;
struct ByteJump;
struct ByteExtract;
struct ByteMath;
struct IsDataAt;

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

}  // namespace tocsin::detect
