// Bounded reader over packet bytes. Every protocol parser reads through this type, so a parser
// reads like its spec's field table and cannot run past the bytes it was given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace tocsin {

using ByteSpan = std::span<const std::uint8_t>;

// Reads advance the cursor. A read past the end returns zero and marks the cursor failed
// ("sticky failure"): a parser reads a header's fields, then checks ok() once.
class ByteCursor {
  public:
    ByteCursor() = default;
    explicit ByteCursor(ByteSpan data) : data_(data) {}

    std::size_t size() const { return data_.size(); }
    std::size_t offset() const { return pos_; }
    std::size_t remaining() const { return data_.size() - pos_; }
    bool has(std::size_t n) const { return n <= remaining(); }
    bool empty() const { return remaining() == 0; }
    bool ok() const { return !failed_; }

    std::uint8_t u8() {
        if (!take(1)) return 0;
        return data_[pos_ - 1];
    }
    std::uint16_t u16be() {
        if (!take(2)) return 0;
        return static_cast<std::uint16_t>(data_[pos_ - 2] << 8 | data_[pos_ - 1]);
    }
    std::uint16_t u16le() {
        if (!take(2)) return 0;
        return static_cast<std::uint16_t>(data_[pos_ - 1] << 8 | data_[pos_ - 2]);
    }
    std::uint32_t u24be() {
        if (!take(3)) return 0;
        return std::uint32_t{data_[pos_ - 3]} << 16 | std::uint32_t{data_[pos_ - 2]} << 8 |
               data_[pos_ - 1];
    }
    std::uint32_t u32be() {
        if (!take(4)) return 0;
        return load32be(pos_ - 4);
    }
    std::uint32_t u32le() {
        if (!take(4)) return 0;
        return std::uint32_t{data_[pos_ - 1]} << 24 | std::uint32_t{data_[pos_ - 2]} << 16 |
               std::uint32_t{data_[pos_ - 3]} << 8 | data_[pos_ - 4];
    }
    std::uint64_t u64be() {
        std::uint64_t high = u32be();
        return high << 32 | u32be();
    }

    // The next n bytes as a view; empty (and failed) when fewer remain.
    ByteSpan bytes(std::size_t n) {
        if (!take(n)) return {};
        return data_.subspan(pos_ - n, n);
    }
    // Everything not yet read; the cursor ends at the end.
    ByteSpan rest() {
        ByteSpan out = data_.subspan(pos_);
        pos_ = data_.size();
        return out;
    }
    bool skip(std::size_t n) { return take(n); }

    // Look ahead without moving; zero when out of range (does not fail the cursor).
    std::uint8_t peek_u8(std::size_t ahead = 0) const {
        return ahead < remaining() ? data_[pos_ + ahead] : 0;
    }
    std::uint16_t peek_u16be(std::size_t ahead = 0) const {
        return has(ahead + 2)
                   ? static_cast<std::uint16_t>(data_[pos_ + ahead] << 8 | data_[pos_ + ahead + 1])
                   : 0;
    }
    ByteSpan peek_rest() const { return data_.subspan(pos_); }

    // A cursor over the next n bytes, advancing this one past them.
    ByteCursor sub(std::size_t n) { return ByteCursor(bytes(n)); }

  private:
    bool take(std::size_t n) {
        if (failed_ || n > remaining()) {
            failed_ = true;
            return false;
        }
        pos_ += n;
        return true;
    }
    std::uint32_t load32be(std::size_t at) const {
        return std::uint32_t{data_[at]} << 24 | std::uint32_t{data_[at + 1]} << 16 |
               std::uint32_t{data_[at + 2]} << 8 | data_[at + 3];
    }

    ByteSpan data_;
    std::size_t pos_ = 0;
    bool failed_ = false;
};

}  // namespace tocsin
