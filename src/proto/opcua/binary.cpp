#include "proto/opcua/binary.h"

#include <cstdio>

namespace tocsin::proto::opcua {

namespace {

// Concatenation by appending (GCC 12 warns falsely on `"literal" + std::string`).
std::string join(std::initializer_list<std::string_view> parts) {
    std::string out;
    for (std::string_view p : parts) out.append(p);
    return out;
}

std::string base64(ByteSpan b) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    const std::size_t n = std::min<std::size_t>(b.size(), 192);
    for (std::size_t i = 0; i < n; i += 3) {
        const std::uint32_t v = std::uint32_t{b[i]} << 16 |
                                (i + 1 < n ? std::uint32_t{b[i + 1]} << 8 : 0) |
                                (i + 2 < n ? b[i + 2] : 0);
        out.push_back(kAlphabet[v >> 18 & 63]);
        out.push_back(kAlphabet[v >> 12 & 63]);
        out.push_back(i + 1 < n ? kAlphabet[v >> 6 & 63] : '=');
        out.push_back(i + 2 < n ? kAlphabet[v & 63] : '=');
    }
    return out;
}

}  // namespace

std::string hex_text(ByteSpan b, std::size_t max) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < b.size() && i < max; ++i) {
        out.push_back(kHex[b[i] >> 4]);
        out.push_back(kHex[b[i] & 0xf]);
    }
    return out;
}

std::string guid_text(ByteSpan b) {
    if (b.size() != 16) return {};
    ByteCursor c(b);
    const std::uint32_t d1 = c.u32le();
    const std::uint16_t d2 = c.u16le();
    const std::uint16_t d3 = c.u16le();
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-", d1, d2, d3);
    return join({buf, hex_text(b.subspan(8, 2)), "-", hex_text(b.subspan(10, 6))});
}

std::string date_text(std::int64_t ticks) {
    // 1601-01-01 to 1970-01-01: 11644473600 s. Dates before 1970 or past 9999 are shown as
    // absent, as the encoding treats its extremes.
    constexpr std::int64_t kEpochTicks = 116444736000000000LL;
    constexpr std::int64_t kMaxTicks = 2650467743999999999LL;  // 9999-12-31T23:59:59
    if (ticks <= kEpochTicks || ticks > kMaxTicks) return {};
    const std::int64_t micros = (ticks - kEpochTicks) / 10;
    const std::int64_t seconds = micros / 1000000;
    const std::int64_t days = seconds / 86400;
    const std::int64_t rem = seconds % 86400;
    const std::int64_t z = days + 719468;
    const std::int64_t era = z / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
    const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    char buf[128];
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%06lldZ",
                  static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                  static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                  static_cast<long long>(rem % 60), static_cast<long long>(micros % 1000000));
    return buf;
}

UaReader::NodeId UaReader::node_id(bool expanded) {
    NodeId id;
    const std::uint8_t encoding = u8();
    std::uint32_t ns = 0;
    std::string body;
    switch (encoding & 0x0f) {
        case 0x00: {  // two-byte: namespace 0, id < 256
            const std::uint32_t v = u8();
            id.numeric = v;
            body = join({"i=", std::to_string(v)});
            break;
        }
        case 0x01: {  // four-byte: namespace < 256, id < 65536
            ns = u8();
            const std::uint32_t v = u16();
            if (ns == 0) id.numeric = v;
            body = join({"i=", std::to_string(v)});
            break;
        }
        case 0x02: {
            ns = u16();
            const std::uint32_t v = u32();
            if (ns == 0) id.numeric = v;
            body = join({"i=", std::to_string(v)});
            break;
        }
        case 0x03:
            ns = u16();
            body = join({"s=", string()});
            break;
        case 0x04:
            ns = u16();
            body = join({"g=", guid_text(c_.bytes(16))});
            break;
        case 0x05: {
            ns = u16();
            const auto b = bytes();
            body = join({"b=", b ? base64(*b) : std::string()});
            break;
        }
        default:
            fail();
            return id;
    }
    id.text = ns != 0 ? join({"ns=", std::to_string(ns), ";", body}) : body;
    if (expanded) {
        // 0x80: a NamespaceUri replaces the index; 0x40: a ServerIndex follows.
        if (encoding & 0x80) {
            const std::string uri = string();
            id.text = join({"nsu=", uri, ";", body});
            id.numeric.reset();
        }
        if (encoding & 0x40) {
            const std::uint32_t server = u32();
            if (server != 0) {
                id.text = join({"svr=", std::to_string(server), ";", id.text});
                id.numeric.reset();
            }
        }
    } else if ((encoding & 0xc0) != 0) {
        fail();
    }
    return id;
}

void UaReader::skip_localized_text(std::string* text) {
    const std::uint8_t mask = u8();
    if (mask & 0x01) (void)bytes();  // Locale
    if (mask & 0x02) {
        const std::string t = string();
        if (text != nullptr) *text = t;
    }
}

UaReader::Extension UaReader::extension_object() {
    Extension e;
    e.type = node_id();
    const std::uint8_t encoding = u8();
    if (encoding == 1 || encoding == 2)
        e.body = bytes();
    else if (encoding != 0)
        fail();
    return e;
}

void UaReader::skip_diagnostic_info(int depth) {
    if (depth > kMaxDepth) return fail();
    const std::uint8_t mask = u8();
    // SymbolicId, NamespaceUri, Locale, LocalizedText (Int32 each), AdditionalInfo,
    // InnerStatusCode, InnerDiagnosticInfo (5.2.2.12).
    for (std::uint8_t bit : {0x01, 0x02, 0x08, 0x04})
        if (mask & bit) (void)i32();
    if (mask & 0x10) (void)bytes();
    if (mask & 0x20) (void)u32();
    if (mask & 0x40) skip_diagnostic_info(depth + 1);
}

void UaReader::skip_data_value(int depth, std::string* value) {
    if (depth > kMaxDepth) return fail();
    const std::uint8_t mask = u8();
    if (mask & 0x01) skip_variant(depth + 1, value);
    if (mask & 0x02) (void)u32();
    if (mask & 0x04) (void)i64();
    if (mask & 0x10) (void)u16();
    if (mask & 0x08) (void)i64();
    if (mask & 0x20) (void)u16();
}

void UaReader::skip_variant(int depth, std::string* value) {
    if (depth > kMaxDepth) return fail();
    const std::uint8_t mask = u8();
    const std::uint8_t type = mask & 0x3f;
    if (mask & 0x80) {
        const std::size_t n = array_length();
        for (std::size_t i = 0; i < n && ok(); ++i) skip_scalar(type, depth, nullptr);
        if (mask & 0x40) {
            const std::size_t dims = array_length();
            for (std::size_t i = 0; i < dims && ok(); ++i) (void)i32();
        }
        if (value != nullptr && ok()) *value = join({"[", std::to_string(n), " values]"});
        return;
    }
    skip_scalar(type, depth, value);
}

void UaReader::skip_scalar(std::uint8_t type, int depth, std::string* value) {
    std::string text;
    switch (type) {
        case 0:  // null
            break;
        case 1:
            text = u8() != 0 ? "true" : "false";
            break;
        case 2:
            text = std::to_string(static_cast<std::int8_t>(u8()));
            break;
        case 3:
            text = std::to_string(u8());
            break;
        case 4:
            text = std::to_string(static_cast<std::int16_t>(u16()));
            break;
        case 5:
            text = std::to_string(u16());
            break;
        case 6:
            text = std::to_string(i32());
            break;
        case 7:
            text = std::to_string(u32());
            break;
        case 8:
            text = std::to_string(i64());
            break;
        case 9:
            text = std::to_string(static_cast<std::uint64_t>(i64()));
            break;
        case 10: {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%g", static_cast<double>(f32()));
            text = buf;
            break;
        }
        case 11: {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%g", f64());
            text = buf;
            break;
        }
        case 12:  // String
            text = string();
            break;
        case 13:
            text = date_text(i64());
            break;
        case 14:
            text = guid_text(c_.bytes(16));
            break;
        case 15:    // ByteString
        case 16: {  // XmlElement
            const auto b = bytes();
            if (b) text = hex_text(*b);
            break;
        }
        case 17:
            text = node_id().text;
            break;
        case 18:
            text = node_id(true).text;
            break;
        case 19:
            text = std::to_string(u32());
            break;
        case 20:
            skip_qualified_name();
            break;
        case 21:
            skip_localized_text(&text);
            break;
        case 22:
            (void)extension_object();
            break;
        case 23:
            skip_data_value(depth + 1, nullptr);
            break;
        case 24:
            skip_variant(depth + 1, nullptr);
            break;
        case 25:
            skip_diagnostic_info(depth + 1);
            break;
        default:
            fail();
            return;
    }
    if (value != nullptr && ok()) *value = std::move(text);
}

}  // namespace tocsin::proto::opcua
