#include "proto/bacnet/tags.h"

#include <algorithm>
#include <bit>
#include <cstdio>

namespace tocsin::proto::bacnet {

namespace {

// Character strings (20.2.9): the first octet is the character set.
constexpr std::uint8_t kUtf8 = 0;
constexpr std::uint8_t kUcs2 = 4;
constexpr std::uint8_t kIso8859_1 = 5;
// Strings in records are cut here (an object name is at most a few dozen characters).
constexpr std::size_t kMaxText = 1024;

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | cp >> 6));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xE0 | cp >> 12));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

std::string character_string(ByteSpan data) {
    ByteCursor in(data);
    const std::uint8_t charset = in.u8();
    std::string out;
    ByteSpan text = in.rest();
    if (text.size() > kMaxText) text = text.first(kMaxText);
    switch (charset) {
        case kUtf8:  // ANSI X3.4 / UTF-8: as is (the JSON writer escapes stray octets)
            out.assign(text.begin(), text.end());
            break;
        case kIso8859_1:
            for (std::uint8_t c : text) append_utf8(out, c);
            break;
        case kUcs2: {
            ByteCursor u(text);
            while (u.has(2)) append_utf8(out, u.u16be());
            break;
        }
        default:  // DBCS, JIS, UCS-4: the octets in hex
            out = hex(text);
    }
    return out;
}

// 20.2.10: the first octet counts the unused bits of the last one.
std::string bit_string(ByteSpan data) {
    ByteCursor in(data);
    const std::uint8_t unused = in.u8() & 0x07;
    const ByteSpan bits = in.rest();
    std::string out;
    for (std::size_t i = 0; i < bits.size() && out.size() < kMaxText; ++i) {
        const int last = i + 1 == bits.size() ? unused : 0;
        for (int b = 7; b >= last; --b) out.push_back((bits[i] >> b & 1) != 0 ? '1' : '0');
    }
    return out;
}

// 20.2.12 date: year - 1900, month, day, day of week; 255 is "unspecified" ('*').
std::string date(ByteSpan data) {
    auto field = [](unsigned v, unsigned width, unsigned offset) {
        if (v == 255) return std::string(width, '*');
        char buf[8];
        std::snprintf(buf, sizeof buf, "%0*u", static_cast<int>(width), v + offset);
        return std::string(buf);
    };
    std::string out = field(data[0], 4, 1900);
    out.append("-").append(field(data[1], 2, 0)).append("-").append(field(data[2], 2, 0));
    return out;
}

// 20.2.13 time: hour, minute, second, hundredths; 255 unspecified.
std::string time_of_day(ByteSpan data) {
    auto field = [](unsigned v) {
        if (v == 255) return std::string("**");
        char buf[8];
        std::snprintf(buf, sizeof buf, "%02u", v);
        return std::string(buf);
    };
    std::string out = field(data[0]);
    out.append(":").append(field(data[1])).append(":").append(field(data[2]));
    out.append(".").append(field(data[3]));
    return out;
}

}  // namespace

std::string hex(ByteSpan data) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    const std::size_t n = std::min(data.size(), kMaxText / 2);
    out.reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(kDigits[data[i] >> 4]);
        out.push_back(kDigits[data[i] & 0x0F]);
    }
    return out;
}

std::optional<Tag> read_tag(ByteCursor& in) {
    const std::uint8_t first = in.u8();
    Tag t;
    t.number = first >> 4;
    t.context = (first & 0x08) != 0;
    t.lvt = first & 0x07;
    if (t.number == 15) t.number = in.u8();  // 20.2.1.2 extended tag number
    if (!in.ok()) return std::nullopt;
    if (t.context && t.lvt == 6) {
        t.kind = Tag::Kind::opening;
        return t;
    }
    if (t.context && t.lvt == 7) {
        t.kind = Tag::Kind::closing;
        return t;
    }
    // An application boolean holds its value in the LVT field and has no content (20.2.3).
    if (!t.context && t.number == static_cast<std::uint8_t>(AppTag::boolean)) return t;
    std::uint32_t length = t.lvt;
    if (t.lvt == 5) {  // 20.2.1.3.1 extended length
        length = in.u8();
        if (length == 254)
            length = in.u16be();
        else if (length == 255)
            length = in.u32be();
    }
    t.data = in.bytes(length);
    if (!in.ok()) return std::nullopt;
    return t;
}

bool decode_unsigned(ByteSpan data, std::uint64_t& out) {
    if (data.empty() || data.size() > 8) return false;
    out = 0;
    for (std::uint8_t b : data) out = out << 8 | b;
    return true;
}

bool decode_signed(ByteSpan data, std::int64_t& out) {
    std::uint64_t u = 0;
    if (!decode_unsigned(data, u)) return false;
    const unsigned bits = static_cast<unsigned>(data.size()) * 8;
    if (bits < 64 && (u >> (bits - 1) & 1) != 0) u |= ~std::uint64_t{0} << bits;  // sign-extend
    out = static_cast<std::int64_t>(u);
    return true;
}

bool decode_object_id(ByteSpan data, ObjectId& out) {
    if (data.size() != 4) return false;
    ByteCursor in(data);
    const std::uint32_t v = in.u32be();
    out.type = static_cast<std::uint16_t>(v >> 22);
    out.instance = v & kWildcardInstance;
    return true;
}

std::optional<Value> decode_application(const Tag& tag) {
    Value v;
    const ByteSpan d = tag.data;
    switch (static_cast<AppTag>(tag.number)) {
        case AppTag::null:
            v.kind = Value::Kind::null;
            return v;
        case AppTag::boolean:
            v.kind = Value::Kind::boolean;
            v.u = tag.lvt != 0 ? 1 : 0;
            return v;
        case AppTag::unsigned_int:
            v.kind = Value::Kind::unsigned_int;
            if (!decode_unsigned(d, v.u)) return std::nullopt;
            return v;
        case AppTag::enumerated:
            v.kind = Value::Kind::enumerated;
            if (!decode_unsigned(d, v.u)) return std::nullopt;
            return v;
        case AppTag::signed_int:
            v.kind = Value::Kind::signed_int;
            if (!decode_signed(d, v.i)) return std::nullopt;
            return v;
        case AppTag::real: {
            if (d.size() != 4) return std::nullopt;
            ByteCursor in(d);
            v.kind = Value::Kind::real;
            v.d = static_cast<double>(std::bit_cast<float>(in.u32be()));
            return v;
        }
        case AppTag::double_real: {
            if (d.size() != 8) return std::nullopt;
            ByteCursor in(d);
            v.kind = Value::Kind::double_real;
            v.d = std::bit_cast<double>(in.u64be());
            return v;
        }
        case AppTag::octet_string:
            v.kind = Value::Kind::octet_string;
            v.text = hex(d);
            return v;
        case AppTag::character_string:
            if (d.empty()) return std::nullopt;
            v.kind = Value::Kind::character_string;
            v.text = character_string(d);
            return v;
        case AppTag::bit_string:
            if (d.empty()) return std::nullopt;
            v.kind = Value::Kind::bit_string;
            v.text = bit_string(d);
            return v;
        case AppTag::date:
            if (d.size() != 4) return std::nullopt;
            v.kind = Value::Kind::date;
            v.text = date(d);
            return v;
        case AppTag::time:
            if (d.size() != 4) return std::nullopt;
            v.kind = Value::Kind::time;
            v.text = time_of_day(d);
            return v;
        case AppTag::object_id:
            v.kind = Value::Kind::object_id;
            if (!decode_object_id(d, v.object)) return std::nullopt;
            return v;
    }
    return std::nullopt;  // reserved tags 13..15
}

Value context_value(const Tag& tag) {
    Value v;
    v.kind = Value::Kind::context;
    v.context_tag = tag.number;
    v.text = hex(tag.data);
    return v;
}

}  // namespace tocsin::proto::bacnet
