#include "output/json_writer.h"

#include <charconv>
#include <cmath>

namespace tocsin::output {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_unicode_escape(std::string& out, unsigned char c) {
    out.append("\\u00");
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
}

// Length of the valid UTF-8 sequence starting at text[i], or 0 when it is not valid.
std::size_t utf8_sequence(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char c = byte(i);
    std::size_t length = 0;
    if (c >= 0xc2 && c <= 0xdf) {
        length = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        length = 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
        length = 4;
    } else {
        return 0;
    }
    if (i + length > text.size()) return 0;
    for (std::size_t k = 1; k < length; ++k)
        if ((byte(i + k) & 0xc0) != 0x80) return 0;
    // Overlong forms and surrogates are not valid UTF-8 (RFC 3629).
    if (c == 0xe0 && byte(i + 1) < 0xa0) return 0;
    if (c == 0xed && byte(i + 1) > 0x9f) return 0;
    if (c == 0xf0 && byte(i + 1) < 0x90) return 0;
    if (c == 0xf4 && byte(i + 1) > 0x8f) return 0;
    return length;
}

}  // namespace

void JsonWriter::append_string(std::string& out, std::string_view text) {
    out.push_back('"');
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            // Copy the run of plain characters in one go.
            std::size_t j = i + 1;
            while (j < text.size()) {
                const auto d = static_cast<unsigned char>(text[j]);
                if (d < 0x20 || d >= 0x80 || d == '"' || d == '\\') break;
                ++j;
            }
            out.append(text.substr(i, j - i));
            i = j;
            continue;
        }
        switch (c) {
            case '"':
                out.append("\\\"");
                break;
            case '\\':
                out.append("\\\\");
                break;
            case '\n':
                out.append("\\n");
                break;
            case '\r':
                out.append("\\r");
                break;
            case '\t':
                out.append("\\t");
                break;
            case '\b':
                out.append("\\b");
                break;
            case '\f':
                out.append("\\f");
                break;
            default:
                if (c < 0x20) {
                    append_unicode_escape(out, c);
                } else if (std::size_t n = utf8_sequence(text, i); n > 0) {
                    out.append(text.substr(i, n));
                    i += n;
                    continue;
                } else {
                    append_unicode_escape(out, c);  // a stray byte, read as Latin-1
                }
        }
        ++i;
    }
    out.push_back('"');
}

void JsonWriter::number(std::uint64_t v) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, end);
}

void JsonWriter::number(std::int64_t v) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, end);
}

void JsonWriter::number(double v) {
    if (!std::isfinite(v)) {
        out_.append("null");  // JSON has no NaN or infinity
        return;
    }
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, end);
}

}  // namespace tocsin::output
