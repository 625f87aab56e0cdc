// Suricata's rule transforms ("http.uri; url_decode; to_lowercase; content:..."): each one
// rewrites the inspected buffer before the content keywords after it look at it. This is a pure
// library: parse a transform keyword once when the rule is loaded, apply it to each buffer.
//
// Every transform is a total function on bytes: any input (empty, binary, malformed) gives some
// output and never fails loudly. Output never outgrows its input by more than a fixed amount
// (see max_output_size), so a chain cannot blow up memory.
//
// Suricata skips transforms on an empty buffer (an empty buffer never matches there). Here
// apply() is defined on empty input too (to_md5 of "" is md5(""), dotprefix of "" is "."), so
// the engine should not inspect empty buffers if it wants Suricata's alerts exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/cursor.h"

namespace tocsin::detect {

enum class TransformKind : std::uint8_t {
    none,  // a default-constructed Transform: copies its input
    to_lowercase,
    to_uppercase,
    compress_whitespace,
    strip_whitespace,
    strip_pseudo_headers,
    header_lowercase,
    dotprefix,
    domain,
    tld,
    url_decode,
    from_base64,
    xor_key,  // the keyword "xor"
    pcrexform,
    to_md5,
    to_sha1,
    to_sha256,
};

enum class Base64Mode : std::uint8_t {
    rfc4648,  // stop at the first byte outside the alphabet; decode what came before
    rfc2045,  // skip bytes outside the alphabet (MIME bodies carry line breaks and spaces)
    strict,   // any byte outside the alphabet fails the whole decode (empty output)
};

// One parsed transform. A value type: cheap to copy (a compiled regex is shared, immutable) and
// safe to apply from many threads at once.
class Transform {
  public:
    Transform() = default;

    TransformKind kind() const { return kind_; }
    std::string_view keyword() const;  // as written in rules; "" for none

    // from_base64 options; zero bytes means "to the end of the buffer".
    Base64Mode base64_mode() const { return base64_mode_; }
    std::uint16_t base64_offset() const { return base64_offset_; }
    std::uint16_t base64_bytes() const { return base64_bytes_; }
    // xor key, 1 to 255 bytes.
    std::span<const std::uint8_t> xor_key() const { return key_; }
    // pcrexform pattern, quotes removed.
    std::string_view pattern() const { return pattern_; }

    // Same keyword and options: two rules with equal chains may share one transformed buffer.
    friend bool operator==(const Transform& a, const Transform& b);

  private:
    friend std::string parse_transform(std::string_view, std::string_view, bool, Transform&);
    friend void apply(const Transform&, ByteSpan, std::vector<std::uint8_t>&);

    struct Regex;  // a compiled pcre2 pattern; defined in transforms.cpp

    TransformKind kind_ = TransformKind::none;
    Base64Mode base64_mode_ = Base64Mode::rfc4648;
    std::uint16_t base64_offset_ = 0;
    std::uint16_t base64_bytes_ = 0;
    std::vector<std::uint8_t> key_;
    std::string pattern_;
    std::shared_ptr<const Regex> regex_;
};

// The keywords parse_transform knows. "luaxform" is listed only so that a rule naming it gets
// a precise "not supported" reason rather than "unknown keyword".
std::span<const std::string_view> transform_keywords();
bool is_transform_keyword(std::string_view keyword);

// Parses one transform option ("to_lowercase", "xor:\"0d0a\"", "from_base64:mode rfc2045").
// value is the option value as the rule parser gives it (trimmed, surrounding quotes kept),
// has_value whether a ':' was present. Returns "" on success and fills out; otherwise the
// reason, and out is left as it was.
//   xor:        a quoted (or bare) hex key, an even number of digits, 1 to 255 bytes.
//   pcrexform:  a quoted PCRE2 pattern, no /slashes/ or flags, with at least one capture group
//               (the first is the output).
//   from_base64 (value optional): "bytes N, offset N, mode rfc4648|rfc2045|strict", any order,
//               each at most once; N from 0 to 65535.
std::string parse_transform(std::string_view keyword, std::string_view value, bool has_value,
                            Transform& out);

// Replaces output with t applied to input. input should not point into output (that works,
// through a copy, but costs an allocation). Once output's capacity has reached
// max_output_size no allocation happens (except inside PCRE2 when it cannot use its JIT).
void apply(const Transform& t, ByteSpan input, std::vector<std::uint8_t>& output);

// An upper bound of apply's output size for an input of input_size bytes.
std::size_t max_output_size(const Transform& t, std::size_t input_size);

// Applies the chain in order, ping-ponging between the two scratch buffers, and returns a view
// of the result (into one of them, or input itself when the chain is empty). The view is valid
// until the scratch buffers are next changed. input may be a view into either scratch buffer.
ByteSpan apply_chain(std::span<const Transform> chain, ByteSpan input,
                     std::vector<std::uint8_t>& scratch_a, std::vector<std::uint8_t>& scratch_b);

}  // namespace tocsin::detect
