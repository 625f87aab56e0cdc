#include "proto/dnp3/objects.h"

#include <array>
#include <bit>
#include <cstdio>

namespace tocsin::proto::dnp3 {

namespace {

// Flag octets (IEEE 1815-2012 clause 11, "flag octet" of each point type), least significant
// bit first. Names follow Suricata's EVE output so records match it field for field.
constexpr Bit kBinaryFlags[] = {{"online"},        {"restart"},      {"comm_lost"},
                                {"remote_forced"}, {"local_forced"}, {"chatter_filter"},
                                {"reserved"},      {"state"}};
constexpr Bit kDoubleBitFlags[] = {{"online"},        {"restart"},      {"comm_lost"},
                                   {"remote_forced"}, {"local_forced"}, {"chatter_filter"},
                                   {"state", 2}};
constexpr Bit kOutputFlags[] = {{"online"},       {"restart"},   {"comm_lost"}, {"remote_forced"},
                                {"local_forced"}, {"reserved0"}, {"reserved1"}, {"state"}};
// Counters: three reserved-bit layouts exist for the same seven meanings.
constexpr Bit kCounterFlags[] = {{"online"},        {"restart"},      {"comm_lost"},
                                 {"remote_forced"}, {"local_forced"}, {"rollover"},
                                 {"discontinuity"}, {"reserved0"}};
constexpr Bit kCounterFlagsNoDisc[] = {{"online"},        {"restart"},      {"comm_lost"},
                                       {"remote_forced"}, {"local_forced"}, {"rollover"},
                                       {"reserved0"},     {"reserved1"}};
constexpr Bit kCounterFlagsDisc1[] = {{"online"},        {"restart"},      {"comm_lost"},
                                      {"remote_forced"}, {"local_forced"}, {"rollover"},
                                      {"discontinuity"}, {"reserved1"}};
constexpr Bit kAnalogFlags[] = {{"online"},        {"restart"},      {"comm_lost"},
                                {"remote_forced"}, {"local_forced"}, {"over_range"},
                                {"reference_err"}, {"reserved0"}};
constexpr Bit kSecurityStatFlags[] = {{"online"},        {"restart"},      {"comm_lost"},
                                      {"remote_forced"}, {"local_forced"}, {"reserved0"},
                                      {"discontinuity"}, {"reserved1"}};
// CROB control code (11.9.12): operation type, queue, clear, trip-close code.
constexpr Bit kCrobControl[] = {{"op_type", 4}, {"qu"}, {"cr"}, {"tcc", 2}};
constexpr Bit kCrobStatus[] = {{"status_code", 7}, {"reserved"}};
constexpr Bit kCommandEventStatus[] = {{"status_code", 7}, {"commanded_state"}};
constexpr Bit kAnalogCommandStatus[] = {{"status_code", 7}, {"reserved0"}};
constexpr Bit kFragmentStatus[] = {{"fill_percentage", 7}, {"overflow_state"}};
constexpr Bit kPointAttributes[] = {{"rd"}, {"wr"},       {"st"},       {"ev"},
                                    {"df"}, {"padding0"}, {"padding1"}, {"padding2"}};

constexpr Field flags(std::span<const Bit> bits) {
    return {FieldKind::bits, {}, 1, bits};
}
constexpr Field u(std::string_view name, std::uint8_t size) {
    return {FieldKind::uint, name, size};
}
constexpr Field s(std::string_view name, std::uint8_t size) {
    return {FieldKind::sint, name, size};
}
constexpr Field f(std::string_view name, std::uint8_t size) {
    return {FieldKind::real, name, size};
}
constexpr Field t(std::string_view name) {
    return {FieldKind::time, name, 6};
}
constexpr Field text(std::string_view name, std::string_view length_field) {
    return {FieldKind::chars, name, 0, {}, length_field};
}
constexpr Field text_rest(std::string_view name) {
    return {FieldKind::chars_rest, name};
}

// Point layouts, one array per distinct layout.
constexpr Field kState1[] = {{FieldKind::bits, "state", 1}};
constexpr Field kPoint1[] = {{FieldKind::bits, "point", 1}};
constexpr Field kStateOctet[] = {u("state", 1)};
constexpr Field kBinary[] = {flags(kBinaryFlags)};
constexpr Field kBinaryTime[] = {flags(kBinaryFlags), t("timestamp")};
constexpr Field kBinaryRelTime[] = {flags(kBinaryFlags), u("timestamp", 2)};
constexpr Field kDoubleBit[] = {flags(kDoubleBitFlags)};
constexpr Field kDoubleBitTime[] = {flags(kDoubleBitFlags), t("timestamp")};
constexpr Field kDoubleBitRelTime[] = {flags(kDoubleBitFlags), u("relative_time_ms", 2)};
constexpr Field kOutput[] = {flags(kOutputFlags)};
constexpr Field kOutputTime[] = {flags(kOutputFlags), t("timestamp")};
constexpr Field kCrob[] = {flags(kCrobControl), u("count", 1), u("ontime", 4), u("offtime", 4),
                           flags(kCrobStatus)};
constexpr Field kCommandEvent[] = {flags(kCommandEventStatus)};
constexpr Field kCommandEventTime[] = {flags(kCommandEventStatus), t("timestamp")};
constexpr Field kCounter32[] = {flags(kCounterFlags), u("count", 4)};
constexpr Field kCounter16[] = {flags(kCounterFlags), u("count", 2)};
constexpr Field kCounter32NoDisc[] = {flags(kCounterFlagsNoDisc), u("count", 4)};
constexpr Field kCounter16NoDisc[] = {flags(kCounterFlagsNoDisc), u("count", 2)};
constexpr Field kCounter32Time[] = {flags(kCounterFlags), u("count", 4), t("timestamp")};
constexpr Field kCounter16Time[] = {flags(kCounterFlags), u("count", 2), t("timestamp")};
constexpr Field kCounter32Disc1Time[] = {flags(kCounterFlagsDisc1), u("count", 4), t("timestamp")};
constexpr Field kCounter16Disc1Time[] = {flags(kCounterFlagsDisc1), u("count", 2), t("timestamp")};
constexpr Field kCounter32NoDiscTime[] = {flags(kCounterFlagsNoDisc), u("count", 4),
                                          t("timestamp")};
constexpr Field kCounter16NoDiscTime[] = {flags(kCounterFlagsNoDisc), u("count", 2),
                                          t("timestamp")};
constexpr Field kCount32[] = {u("count", 4)};
constexpr Field kCount16[] = {u("count", 2)};
constexpr Field kAnalog32[] = {flags(kAnalogFlags), s("value", 4)};
constexpr Field kAnalog16[] = {flags(kAnalogFlags), s("value", 2)};
constexpr Field kAnalogFloat[] = {flags(kAnalogFlags), f("value", 4)};
constexpr Field kAnalogDouble[] = {flags(kAnalogFlags), f("value", 8)};
constexpr Field kAnalog32Time[] = {flags(kAnalogFlags), s("value", 4), t("timestamp")};
constexpr Field kAnalog16Time[] = {flags(kAnalogFlags), s("value", 2), t("timestamp")};
constexpr Field kAnalogFloatTime[] = {flags(kAnalogFlags), f("value", 4), t("timestamp")};
constexpr Field kAnalogDoubleTime[] = {flags(kAnalogFlags), f("value", 8), t("timestamp")};
constexpr Field kValue32[] = {s("value", 4)};
constexpr Field kValue16[] = {s("value", 2)};
constexpr Field kDeadband16[] = {u("deadband_value", 2)};
constexpr Field kDeadband32[] = {u("deadband_value", 4)};
constexpr Field kDeadbandFloat[] = {f("deadband_value", 4)};
constexpr Field kOutputBlock32[] = {s("value", 4), u("control_status", 1)};
constexpr Field kOutputBlock16[] = {s("value", 2), u("control_status", 1)};
constexpr Field kOutputBlockFloat[] = {f("value", 4), u("control_status", 1)};
constexpr Field kOutputBlockDouble[] = {f("value", 8), u("control_status", 1)};
constexpr Field kAnalogCmd32[] = {flags(kAnalogCommandStatus), s("commanded_value", 4)};
constexpr Field kAnalogCmd16[] = {flags(kAnalogCommandStatus), s("commanded_value", 2)};
constexpr Field kAnalogCmdFloat[] = {flags(kAnalogCommandStatus), f("commanded_value", 4)};
constexpr Field kAnalogCmdDouble[] = {flags(kAnalogCommandStatus), f("commanded_value", 8)};
constexpr Field kAnalogCmd32Time[] = {flags(kAnalogCommandStatus), s("commanded_value", 4),
                                      t("timestamp")};
constexpr Field kAnalogCmd16Time[] = {flags(kAnalogCommandStatus), s("commanded_value", 2),
                                      t("timestamp")};
constexpr Field kAnalogCmdFloatTime[] = {flags(kAnalogCommandStatus), f("commanded_value", 4),
                                         t("timestamp")};
constexpr Field kAnalogCmdDoubleTime[] = {flags(kAnalogCommandStatus), f("commanded_value", 8),
                                          t("timestamp")};
constexpr Field kTime[] = {t("timestamp")};
constexpr Field kTimeInterval[] = {t("timestamp"), u("interval", 4)};
constexpr Field kTimeIntervalUnits[] = {t("timestamp"), u("interval_count", 4),
                                        u("interval_units", 1)};
constexpr Field kDelaySecs[] = {u("delay_secs", 2)};
constexpr Field kDelayMs[] = {u("delay_ms", 2)};
// File control (11.9.51): file identifier, authentication, command, status, transport.
constexpr Field kFileIdentifier[] = {u("filename_size", 2),  u("filetype_code", 1),
                                     u("attribute_code", 1), u("start_record", 2),
                                     u("end_record", 2),     u("file_size", 4),
                                     t("created_timestamp"), u("permission", 2),
                                     u("file_id", 4),        u("owner_id", 4),
                                     u("group_id", 4),       u("file_function_code", 1),
                                     u("status_code", 1),    text("filename", "filename_size"),
                                     u("data_size", 2),      text("data", "data_size")};
constexpr Field kFileAuthentication[] = {
    u("username_offset", 2),          u("username_size", 2),
    u("password_offset", 2),          u("password_size", 2),
    u("authentication_key", 4),       text("username", "username_size"),
    text("password", "password_size")};
constexpr Field kFileCommand[] = {u("filename_offset", 2),
                                  u("filename_size", 2),
                                  t("created"),
                                  u("permissions", 2),
                                  u("authentication_key", 4),
                                  u("file_size", 4),
                                  u("operational_mode", 2),
                                  u("maximum_block_size", 2),
                                  u("request_id", 2),
                                  text("filename", "filename_size")};
constexpr Field kFileCommandStatus[] = {u("file_handle", 4),        u("file_size", 4),
                                        u("maximum_block_size", 2), u("request_id", 2),
                                        u("status_code", 1),        text_rest("optional_text")};
constexpr Field kFileTransport[] = {u("file_handle", 4), u("block_number", 4),
                                    text_rest("file_data")};
constexpr Field kFileTransportStatus[] = {u("file_handle", 4), u("block_number", 4),
                                          u("status_code", 1), text_rest("optional_text")};
constexpr Field kFileDescriptor[] = {u("filename_offset", 2), u("filename_size", 2),
                                     u("file_type", 2),       u("file_size", 4),
                                     t("created_timestamp"),  u("permissions", 2),
                                     u("request_id", 2),      text("filename", "filename_size")};
constexpr Field kFileSpecification[] = {text_rest("file_specification")};
constexpr Field kFragmentStatusFields[] = {flags(kFragmentStatus), u("group", 1),
                                           u("variation", 1)};
constexpr Field kPointAttributeFields[] = {flags(kPointAttributes)};
constexpr Field kBcdSmall[] = {u("value", 1)};
constexpr Field kSecurityStat[] = {flags(kSecurityStatFlags), u("association_id", 2),
                                   u("count_value", 4)};
constexpr Field kSecurityStatTime[] = {flags(kSecurityStatFlags), u("association_id", 2),
                                       u("count_value", 4), t("timestamp")};
// Not in Suricata's table (it stops there with unknown_object): device attributes (g0,
// 11.9.1: data type code, length, value) and octet strings (g110..g113, the variation is
// the length), decoded because their size is self-described.
constexpr Field kDeviceAttribute[] = {
    u("data_type_code", 1), u("length", 1), {FieldKind::attribute, "value"}};
constexpr Field kOctetString[] = {{FieldKind::octets, "value"}};

constexpr ObjectSpec kSpecs[] = {
    {0, 0, kDeviceAttribute},
    {1, 1, kState1, 1},
    {1, 2, kBinary},
    {2, 1, kStateOctet},  // one octet per point, logged whole as its state (as Suricata)
    {2, 2, kBinaryTime},
    {2, 3, kBinaryRelTime},
    {3, 1, kState1, 2},
    {3, 2, kDoubleBit},
    {4, 1, kDoubleBit},
    {4, 2, kDoubleBitTime},
    {4, 3, kDoubleBitRelTime},
    {10, 1, kState1, 1},
    {10, 2, kOutput},
    {11, 1, kOutput},
    {11, 2, kOutputTime},
    {12, 1, kCrob},
    {12, 2, kCrob},
    {12, 3, kPoint1, 1},
    {13, 1, kCommandEvent},
    {13, 2, kCommandEventTime},
    {20, 1, kCounter32},
    {20, 2, kCounter16},
    {20, 3, kCounter32NoDisc},
    {20, 4, kCounter16NoDisc},
    {20, 5, kCount32},
    {20, 6, kCount16},
    {20, 7, kCount32},
    {20, 8, kCount16},
    {21, 1, kCounter32},
    {21, 2, kCounter16},
    {21, 3, kCounter32NoDisc},
    {21, 4, kCounter16NoDisc},
    {21, 5, kCounter32Disc1Time},
    {21, 6, kCounter16Disc1Time},
    {21, 7, kCounter32NoDiscTime},
    {21, 8, kCounter16NoDiscTime},
    {21, 9, kCount32},
    {21, 10, kCount16},
    {21, 11, kCount32},
    {21, 12, kCount16},
    {22, 1, kCounter32},
    {22, 2, kCounter16},
    {22, 3, kCounter32NoDisc},
    {22, 4, kCounter16NoDisc},
    {22, 5, kCounter32NoDiscTime},
    {22, 6, kCounter16Time},
    {22, 7, kCounter32NoDiscTime},
    {22, 8, kCounter16NoDiscTime},
    {23, 1, kCounter32},
    {23, 2, kCounter16NoDisc},
    {23, 3, kCounter32NoDisc},
    {23, 4, kCounter16NoDisc},
    {23, 5, kCounter32Time},
    {23, 6, kCounter16Time},
    {23, 7, kCounter32NoDiscTime},
    {23, 8, kCounter16NoDiscTime},
    {30, 1, kAnalog32},
    {30, 2, kAnalog16},
    {30, 3, kValue32},
    {30, 4, kValue16},
    {30, 5, kAnalogFloat},
    {30, 6, kAnalogDouble},
    {31, 1, kAnalog32},
    {31, 2, kAnalog16},
    {31, 3, kAnalog32Time},
    {31, 4, kAnalog16Time},
    {31, 5, kValue32},
    {31, 6, kValue16},
    {31, 7, kAnalogFloat},
    {31, 8, kAnalogDouble},
    {32, 1, kAnalog32},
    {32, 2, kAnalog16},
    {32, 3, kAnalog32Time},
    {32, 4, kAnalog16Time},
    {32, 5, kAnalogFloat},
    {32, 6, kAnalogDouble},
    {32, 7, kAnalogFloatTime},
    {32, 8, kAnalogDoubleTime},
    {33, 1, kAnalog32},
    {33, 2, kAnalog16},
    {33, 3, kAnalog32Time},
    {33, 4, kAnalog16Time},
    {33, 5, kAnalogFloat},
    {33, 6, kAnalogDouble},
    {33, 7, kAnalogFloatTime},
    {33, 8, kAnalogDoubleTime},
    {34, 1, kDeadband16},
    {34, 2, kDeadband32},
    {34, 3, kDeadbandFloat},
    {40, 1, kAnalog32},
    {40, 2, kAnalog16},
    {40, 3, kAnalogFloat},
    {40, 4, kAnalogDouble},
    {41, 1, kOutputBlock32},
    {41, 2, kOutputBlock16},
    {41, 3, kOutputBlockFloat},
    {41, 4, kOutputBlockDouble},
    {42, 1, kAnalog32},
    {42, 2, kAnalog16},
    {42, 3, kAnalog32Time},
    {42, 4, kAnalog16Time},
    {42, 5, kAnalogFloat},
    {42, 6, kAnalogDouble},
    {42, 7, kAnalogFloatTime},
    {42, 8, kAnalogDoubleTime},
    {43, 1, kAnalogCmd32},
    {43, 2, kAnalogCmd16},
    {43, 3, kAnalogCmd32Time},
    {43, 4, kAnalogCmd16Time},
    {43, 5, kAnalogCmdFloat},
    {43, 6, kAnalogCmdDouble},
    {43, 7, kAnalogCmdFloatTime},
    {43, 8, kAnalogCmdDoubleTime},
    {50, 1, kTime},
    {50, 2, kTimeInterval},
    {50, 3, kTime},
    {50, 4, kTimeIntervalUnits},
    {51, 1, kTime},
    {51, 2, kTime},
    {52, 1, kDelaySecs},
    {52, 2, kDelayMs},
    {70, 1, kFileIdentifier},
    {70, 2, kFileAuthentication},
    {70, 3, kFileCommand},
    {70, 4, kFileCommandStatus},
    {70, 5, kFileTransport},
    {70, 6, kFileTransportStatus},
    {70, 7, kFileDescriptor},
    {70, 8, kFileSpecification},
    {80, 1, kState1, 1},
    {81, 1, kFragmentStatusFields},
    {86, 2, kPointAttributeFields},
    {102, 1, kBcdSmall},
    {110, 0, kOctetString},
    {111, 0, kOctetString},
    {112, 0, kOctetString},
    {113, 0, kOctetString},
    {121, 1, kSecurityStat},
    {122, 1, kSecurityStat},
    {122, 2, kSecurityStatTime},
};

// Text fields as Suricata writes them: printable ASCII kept, other octets as \xNN.
std::string printable(ByteSpan bytes) {
    std::string out;
    out.reserve(bytes.size());
    for (const std::uint8_t b : bytes) {
        if (b >= 0x20 && b < 0x7f) {
            out.push_back(static_cast<char>(b));
        } else {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02x", b);
            out.append(hex);
        }
    }
    return out;
}

std::uint64_t read_le(ByteCursor& in, std::size_t size) {
    std::uint64_t v = 0;
    const ByteSpan b = in.bytes(size);
    for (std::size_t i = b.size(); i-- > 0;) v = v << 8 | b[i];
    return v;
}

std::int64_t sign_extend(std::uint64_t v, std::size_t size) {
    const unsigned shift = 64 - static_cast<unsigned>(size) * 8;
    return static_cast<std::int64_t>(v << shift) >> shift;
}

double read_real(ByteCursor& in, std::size_t size) {
    if (size == 4) return std::bit_cast<float>(static_cast<std::uint32_t>(read_le(in, 4)));
    return std::bit_cast<double>(read_le(in, 8));
}

// The prefix of a point (4.2.2.7.3.1): index or size, of 1, 2 or 4 octets.
std::uint32_t read_prefix(ByteCursor& in, std::uint8_t prefix_code) {
    switch (prefix_code) {
        case 1:
        case 4:
            return in.u8();
        case 2:
        case 5:
            return in.u16le();
        case 3:
        case 6:
            return in.u32le();
        default:
            return 0;
    }
}

// The integer value decoded earlier in this point under `name`.
std::optional<std::int64_t> earlier_value(const ObjectSpec& spec, const Point& point,
                                          std::string_view name) {
    const std::vector<std::string_view> names = value_names(spec);
    for (std::size_t i = 0; i < point.values.size() && i < names.size(); ++i)
        if (names[i] == name)
            if (const auto* v = std::get_if<std::int64_t>(&point.values[i])) return *v;
    return std::nullopt;
}

// A device attribute value (11.9.1.2 data types): 1 visible string, 2 unsigned, 3 signed
// integer, 4 float; others as text.
Value attribute_value(ByteCursor& in, std::int64_t type, std::size_t length) {
    if ((type == 2 || type == 3) && length >= 1 && length <= 8) {
        const std::uint64_t raw = read_le(in, length);
        return type == 3 ? sign_extend(raw, length) : static_cast<std::int64_t>(raw);
    }
    if (type == 4 && (length == 4 || length == 8)) return read_real(in, length);
    return printable(in.bytes(length));
}

bool decode_field(ByteCursor& in, const Field& field, const ObjectSpec& spec, const Object& object,
                  std::size_t point_start, Point& point) {
    switch (field.kind) {
        case FieldKind::bits: {
            const std::uint8_t octet = in.u8();
            unsigned shift = 0;
            for (const Bit& bit : field.bits) {
                const unsigned mask = (1u << bit.width) - 1;
                point.values.emplace_back(std::int64_t{(octet >> shift) & mask});
                shift += bit.width;
            }
            return in.ok();
        }
        case FieldKind::uint:
        case FieldKind::time:
            point.values.emplace_back(static_cast<std::int64_t>(read_le(in, field.size)));
            return in.ok();
        case FieldKind::sint:
            point.values.emplace_back(sign_extend(read_le(in, field.size), field.size));
            return in.ok();
        case FieldKind::real:
            point.values.emplace_back(read_real(in, field.size));
            return in.ok();
        case FieldKind::chars: {
            const auto length = earlier_value(spec, point, field.length_field);
            if (!length || *length < 0) return false;
            const ByteSpan bytes = in.bytes(static_cast<std::size_t>(*length));
            point.values.emplace_back(printable(bytes));
            return in.ok();
        }
        case FieldKind::chars_rest: {
            // The size prefix covers the point; the text is what the fields before left.
            if (!object.size_prefix()) return false;
            const std::size_t used = in.offset() - point_start;
            if (point.size < used) return false;
            point.values.emplace_back(printable(in.bytes(point.size - used)));
            return in.ok();
        }
        case FieldKind::octets:
            point.values.emplace_back(printable(in.bytes(object.variation)));
            return in.ok();
        case FieldKind::attribute: {
            const auto type = earlier_value(spec, point, "data_type_code");
            const auto length = earlier_value(spec, point, "length");
            if (!type || !length) return false;
            point.values.push_back(attribute_value(in, *type, static_cast<std::size_t>(*length)));
            return in.ok();
        }
    }
    return false;
}

// Prefix codes 1..3 give the point's index; 4..6 its size (then the index counts from start).
Point make_point(const Object& object, std::uint32_t prefix, std::uint32_t position) {
    Point p;
    p.prefix = prefix;
    p.index = position;
    const std::uint8_t code = object.prefix_code();
    if (code >= 1 && code <= 3) p.index = prefix;
    if (code >= 4 && code <= 6) p.size = prefix;
    return p;
}

// Packed points (1 or 2 bits each); one prefix before the octets, if any.
bool decode_packed(ByteCursor& in, const ObjectSpec& spec, Object& object) {
    const std::uint32_t prefix = read_prefix(in, object.prefix_code());
    const unsigned per_octet = 8 / spec.packed_bits;
    const unsigned mask = (1u << spec.packed_bits) - 1;
    std::uint32_t index = object.start;
    std::uint32_t left = object.count;
    while (left > 0) {
        const std::uint8_t octet = in.u8();
        if (!in.ok()) return false;
        for (unsigned k = 0; k < per_octet && left > 0; ++k, --left) {
            Point p = make_point(object, prefix, index++);
            p.values.emplace_back(std::int64_t{(octet >> (k * spec.packed_bits)) & mask});
            object.points.push_back(std::move(p));
        }
    }
    return true;
}

bool decode_points(ByteCursor& in, const ObjectSpec& spec, Object& object) {
    if (spec.packed_bits != 0) return decode_packed(in, spec, object);
    std::uint32_t index = object.start;
    for (std::uint32_t i = 0; i < object.count; ++i) {
        const std::uint32_t prefix = read_prefix(in, object.prefix_code());
        if (!in.ok()) return false;
        Point p = make_point(object, prefix, index++);
        const std::size_t start = in.offset();
        for (const Field& field : spec.fields)
            if (!decode_field(in, field, spec, object, start, p)) return false;
        object.points.push_back(std::move(p));
    }
    return true;
}

// An object this decoder does not know, skipped point by point when each carries its size.
bool skip_sized_points(ByteCursor& in, const Object& object) {
    if (!object.size_prefix()) return false;
    for (std::uint32_t i = 0; i < object.count; ++i) {
        const std::uint32_t size = read_prefix(in, object.prefix_code());
        if (!in.ok() || !in.skip(size)) return false;
    }
    return true;
}

// Range field (4.2.2.7.3.2, Table 4-5); false for reserved range codes.
bool read_range(ByteCursor& in, Object& object) {
    switch (object.range_code()) {
        case 0x0:
        case 0x3:
            object.start = in.u8();
            object.stop = in.u8();
            break;
        case 0x1:
        case 0x4:
            object.start = in.u16le();
            object.stop = in.u16le();
            break;
        case 0x2:
        case 0x5:
            object.start = in.u32le();
            object.stop = in.u32le();
            break;
        case 0x6:  // all points, no range field
            object.count = 0;
            return true;
        case 0x7:
        case 0xb:  // free-format: a count of 1 octet
            object.count = in.u8();
            return true;
        case 0x8:
            object.count = in.u16le();
            return true;
        case 0x9:
            object.count = in.u32le();
            return true;
        default:
            return false;
    }
    // Start/stop ranges: count wraps as a 32-bit number when stop < start, as in Suricata;
    // the points then run out of data.
    object.count = object.stop - object.start + 1;
    return true;
}

}  // namespace

const ObjectSpec* find_object_spec(std::uint8_t group, std::uint8_t variation) {
    for (const ObjectSpec& spec : kSpecs)
        if (spec.group == group && (spec.variation == variation || spec.variation == 0))
            return &spec;
    return nullptr;
}

std::vector<std::string_view> value_names(const ObjectSpec& spec) {
    std::vector<std::string_view> names;
    for (const Field& field : spec.fields) {
        if (field.kind == FieldKind::bits && !field.bits.empty()) {
            for (const Bit& bit : field.bits) names.push_back(bit.name);
        } else {
            names.push_back(field.name);
        }
    }
    return names;
}

bool headers_only(std::uint8_t request_function) {
    switch (request_function) {
        case 1:   // READ
        case 7:   // IMMED_FREEZE
        case 8:   // IMMED_FREEZE_NR
        case 9:   // FREEZE_CLEAR
        case 10:  // FREEZE_CLEAR_NR
        case 20:  // ENABLE_UNSOLICITED
        case 21:  // DISABLE_UNSOLICITED
        case 22:  // ASSIGN_CLASS
            return true;
        default:
            return false;
    }
}

DecodeResult decode_objects(ByteSpan data, const DecodeLimits& limits, bool no_values,
                            std::vector<Object>& out) {
    DecodeResult result;
    ByteCursor in(data);
    std::size_t points = 0;
    bool clean = true;
    while (!in.empty()) {
        if (out.size() >= limits.max_objects) {
            result.too_many_objects = true;
            return result;
        }
        // Object header: group, variation, qualifier, range (4.2.2.7).
        if (!in.has(3)) return result;
        Object object;
        object.group = in.u8();
        object.variation = in.u8();
        object.qualifier = in.u8();
        const bool range_known = read_range(in, object);
        if (!in.ok()) return result;  // the range field is cut short
        out.push_back(object);
        if (!range_known) return result;
        Object& current = out.back();
        // Variation 0 asks for any variation and "all points" carries none.
        if (current.variation == 0 || current.count == 0) continue;
        // A READ names points by range; only objects whose points carry their own size (a
        // READ of file data, g70v5) hold values there.
        if (no_values && !current.size_prefix()) continue;
        if (current.count > limits.max_points - std::min(points, limits.max_points)) {
            result.too_many_points = true;
            return result;
        }
        const ObjectSpec* spec = find_object_spec(current.group, current.variation);
        if (spec == nullptr) {
            // Suricata stops at an unknown object; when each point carries its size it can be
            // stepped over, and what follows is still decoded (not complete either way).
            result.unknown_object = true;
            clean = false;
            if (!skip_sized_points(in, current)) return result;
            continue;
        }
        current.spec = spec;
        const bool ok = decode_points(in, *spec, current);
        points += current.points.size();
        if (!ok) {
            result.unknown_object = true;  // Suricata's event for a point that does not decode
            return result;
        }
    }
    result.complete = clean;
    return result;
}

std::optional<ApplicationHeader> read_application_header(ByteSpan fragment) {
    ByteCursor in(fragment);
    ApplicationHeader h;
    h.control = in.u8();
    h.function = in.u8();
    if (!in.ok()) return std::nullopt;
    if (is_response_function(h.function)) {
        const std::uint16_t iin = in.u16be();  // IIN1 then IIN2 (4.2.2.6)
        if (!in.ok()) return std::nullopt;
        h.iin = iin;
    }
    return h;
}

}  // namespace tocsin::proto::dnp3
