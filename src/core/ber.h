// Reader for ASN.1 BER (ITU-T X.690) tag-length-value elements, as IEC 61850 GOOSE, MMS and
// the ISO presentation layer encode them. It reads through ByteCursor, so an element can never
// extend past the bytes it was given; constructed elements are read by opening a new BerReader
// on their value, which keeps nesting in the caller's hands (parsers bound their depth).
//
// Only definite lengths are accepted (X.690 8.1.3.6 indefinite form is not used by GOOSE or
// MMS over ISO-on-TCP); a tag number is limited to 28 bits and a length to 4 bytes.
#pragma once

#include <cstdint>
#include <optional>

#include "core/cursor.h"

namespace tocsin {

struct BerElement {
    enum class Class : std::uint8_t { universal = 0, application = 1, context = 2, priv = 3 };
    Class cls = Class::universal;
    bool constructed = false;
    std::uint32_t tag = 0;  // the tag number within its class
    ByteSpan value;

    bool is(Class c, std::uint32_t number) const { return cls == c && tag == number; }
    bool is_context(std::uint32_t number) const { return is(Class::context, number); }
};

class BerReader {
  public:
    BerReader() = default;
    explicit BerReader(ByteSpan data) : cursor_(data) {}

    bool empty() const { return cursor_.empty(); }
    // False once an element was malformed (bad length, truncated); stays false.
    bool ok() const { return ok_; }
    std::size_t offset() const { return cursor_.offset(); }

    // The next element, or nullopt at the end or on malformed data (then ok() is false).
    std::optional<BerElement> next() {
        if (!ok_ || cursor_.empty()) return std::nullopt;
        BerElement e;
        const std::uint8_t first = cursor_.u8();
        e.cls = static_cast<BerElement::Class>(first >> 6);
        e.constructed = (first & 0x20) != 0;
        e.tag = first & 0x1f;
        if (e.tag == 0x1f) {  // high tag number form: base-128 digits, last without bit 8
            e.tag = 0;
            for (int i = 0;; ++i) {
                const std::uint8_t b = cursor_.u8();
                if (!cursor_.ok() || i == 4) return fail();
                e.tag = e.tag << 7 | (b & 0x7f);
                if ((b & 0x80) == 0) break;
            }
        }
        std::uint8_t len = cursor_.u8();
        std::size_t length = len;
        if (len & 0x80) {
            const unsigned octets = len & 0x7f;
            if (octets == 0 || octets > 4) return fail();  // indefinite or absurd
            length = 0;
            for (unsigned i = 0; i < octets; ++i) length = length << 8 | cursor_.u8();
        }
        if (!cursor_.ok() || !cursor_.has(length)) return fail();
        e.value = cursor_.bytes(length);
        return e;
    }

    // A BER INTEGER's value (two's complement, 1..8 octets).
    static std::optional<std::int64_t> integer(ByteSpan v) {
        if (v.empty() || v.size() > 8) return std::nullopt;
        std::uint64_t n = (v[0] & 0x80) ? ~0ULL : 0;
        for (std::uint8_t b : v) n = n << 8 | b;
        return static_cast<std::int64_t>(n);
    }
    // An unsigned value in 1..9 octets (a leading zero octet keeps a high bit positive).
    static std::optional<std::uint64_t> unsigned_integer(ByteSpan v) {
        if (v.empty() || v.size() > 9 || (v.size() == 9 && v[0] != 0)) return std::nullopt;
        std::uint64_t n = 0;
        for (std::uint8_t b : v) n = n << 8 | b;
        return n;
    }

  private:
    std::optional<BerElement> fail() {
        ok_ = false;
        return std::nullopt;
    }

    ByteCursor cursor_;
    bool ok_ = true;
};

}  // namespace tocsin
