// Tiny big-endian serialisation helpers shared by the application payload builders.
//
// They are deliberately out of line: inlined into builders that start from empty vectors, GCC 12
// reports false -Wstringop-overflow/-Warray-bounds positives, and speed does not matter here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "support/packet_builder.h"

namespace tocsin::gencap::wire {

using testsupport::Bytes;

void put8(Bytes& out, std::uint64_t value);
void put16(Bytes& out, std::uint64_t value);
void put24(Bytes& out, std::uint64_t value);
void put32(Bytes& out, std::uint64_t value);
void put16le(Bytes& out, std::uint64_t value);  // DNP3 is little-endian
void append(Bytes& out, std::span<const std::uint8_t> data);
void append(Bytes& out, std::string_view text);

// For prefix-length structures whose size is only known once their content is written:
// open_length appends a zero field of `width` bytes and returns its position, close_length
// stores the number of bytes written after it.
std::size_t open_length(Bytes& out, int width);
void close_length(Bytes& out, std::size_t at, int width);

}  // namespace tocsin::gencap::wire
