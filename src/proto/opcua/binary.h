// Reader for the OPC UA Binary encoding (OPC 10000-6 5.2): little-endian numbers, Int32-length
// strings and arrays (-1 is null), NodeIds in six encodings, and the nested built-in types
// (Variant, DataValue, DiagnosticInfo, ExtensionObject) that a parser must step over to reach
// later fields. Reads through ByteCursor; nesting is bounded by kMaxDepth and array sizes by
// what remains (an element takes at least one byte).
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <optional>
#include <string>

#include "core/cursor.h"

namespace tocsin::proto::opcua {

class UaReader {
  public:
    static constexpr int kMaxDepth = 8;
    static constexpr std::size_t kMaxText = 1024;  // characters kept of one string

    explicit UaReader(ByteSpan data) : c_(data) {}

    bool ok() const { return c_.ok() && ok_; }
    bool empty() const { return c_.empty(); }
    std::size_t remaining() const { return c_.remaining(); }
    ByteCursor& cursor() { return c_; }

    std::uint8_t u8() { return c_.u8(); }
    std::uint16_t u16() { return c_.u16le(); }
    std::uint32_t u32() { return c_.u32le(); }
    std::int32_t i32() { return static_cast<std::int32_t>(c_.u32le()); }
    std::int64_t i64() {
        const std::uint64_t low = c_.u32le();
        return static_cast<std::int64_t>(std::uint64_t{c_.u32le()} << 32 | low);
    }
    double f64() {
        const std::uint64_t low = c_.u32le();
        return std::bit_cast<double>(std::uint64_t{c_.u32le()} << 32 | low);
    }
    float f32() { return std::bit_cast<float>(c_.u32le()); }
    // The next Int32 without reading it (-1 when fewer than 4 bytes remain).
    std::int32_t peek_i32() const {
        if (!c_.has(4)) return -1;
        return static_cast<std::int32_t>(
            std::uint32_t{c_.peek_u8(0)} | std::uint32_t{c_.peek_u8(1)} << 8 |
            std::uint32_t{c_.peek_u8(2)} << 16 | std::uint32_t{c_.peek_u8(3)} << 24);
    }

    // ByteString / String / XmlElement: Int32 length (-1: null), then the bytes.
    std::optional<ByteSpan> bytes() {
        const std::int32_t n = i32();
        if (!c_.ok() || n < -1) return fail_empty();
        if (n == -1) return std::nullopt;
        const ByteSpan b = c_.bytes(static_cast<std::size_t>(n));
        if (!c_.ok()) return fail_empty();
        return b;
    }
    // A String's text, at most kMaxText characters kept; "" when null.
    std::string string() {
        const auto b = bytes();
        if (!b) return {};
        return std::string(reinterpret_cast<const char*>(b->data()), std::min(b->size(), kMaxText));
    }
    // An array's length: -1 (null) is 0; a count no remaining bytes could hold fails.
    std::size_t array_length() {
        const std::int32_t n = i32();
        if (!c_.ok() || n < -1 ||
            static_cast<std::int64_t>(n) > static_cast<std::int64_t>(c_.remaining())) {
            ok_ = false;
            return 0;
        }
        return n < 0 ? 0 : static_cast<std::size_t>(n);
    }

    // NodeId (5.2.2.9), and ExpandedNodeId (5.2.2.10) with its namespace URI and server
    // index flags. Text in the standard's form: "i=5", "ns=1;s=name", "ns=1;g=<guid>",
    // "ns=1;b=<base64>"; numeric namespace-0 ids also as `numeric`.
    struct NodeId {
        std::string text;
        std::optional<std::uint32_t> numeric;  // namespace 0, numeric
    };
    NodeId node_id(bool expanded = false);

    // Step over the built-in types; a Variant may also yield a short text of its scalar value.
    void skip_localized_text(std::string* text = nullptr);
    void skip_qualified_name() {
        (void)u16();
        (void)bytes();
    }
    // ExtensionObject (5.2.2.15): its type NodeId and body (encoding 1: ByteString).
    struct Extension {
        NodeId type;
        std::optional<ByteSpan> body;
    };
    Extension extension_object();
    void skip_diagnostic_info(int depth = 0);
    void skip_variant(int depth = 0, std::string* value = nullptr);
    void skip_data_value(int depth = 0, std::string* value = nullptr);
    // StatusCode[] and String[] (arrays of fixed and simple types).
    void skip_string_array() {
        for (std::size_t i = 0, n = array_length(); i < n && ok(); ++i) (void)bytes();
    }

    void fail() { ok_ = false; }

  private:
    std::optional<ByteSpan> fail_empty() {
        ok_ = false;
        return std::nullopt;
    }
    void skip_scalar(std::uint8_t type, int depth, std::string* value);

    ByteCursor c_;
    bool ok_ = true;
};

// "39121615-46f3-6d34-fecf-fcbfbacb4c14" from the 16 bytes of a Guid (5.2.2.7: Data1-3 little
// endian, Data4 as is).
std::string guid_text(ByteSpan b);
// DateTime (5.2.2.5: 100 ns ticks since 1601-01-01 UTC) as ISO 8601 with microseconds; empty
// for 0 and out-of-range values (the encoding's "null" date).
std::string date_text(std::int64_t ticks);
std::string hex_text(ByteSpan b, std::size_t max = 64);

}  // namespace tocsin::proto::opcua
