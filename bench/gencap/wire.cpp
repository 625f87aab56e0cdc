#include "gencap/wire.h"

namespace tocsin::gencap::wire {

void put8(Bytes& out, std::uint64_t value) {
    out.push_back(static_cast<std::uint8_t>(value));
}

void put16(Bytes& out, std::uint64_t value) {
    put8(out, value >> 8);
    put8(out, value);
}

void put24(Bytes& out, std::uint64_t value) {
    put8(out, value >> 16);
    put16(out, value);
}

void put32(Bytes& out, std::uint64_t value) {
    put16(out, value >> 16);
    put16(out, value);
}

void put16le(Bytes& out, std::uint64_t value) {
    put8(out, value);
    put8(out, value >> 8);
}

void append(Bytes& out, std::span<const std::uint8_t> data) {
    out.insert(out.end(), data.begin(), data.end());
}

void append(Bytes& out, std::string_view text) {
    out.insert(out.end(), text.begin(), text.end());
}

std::size_t open_length(Bytes& out, int width) {
    const std::size_t at = out.size();
    out.insert(out.end(), static_cast<std::size_t>(width), 0);
    return at;
}

void close_length(Bytes& out, std::size_t at, int width) {
    std::size_t length = out.size() - at - static_cast<std::size_t>(width);
    for (int i = width - 1; i >= 0; --i, length >>= 8) {
        out[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(length);
    }
}

}  // namespace tocsin::gencap::wire
