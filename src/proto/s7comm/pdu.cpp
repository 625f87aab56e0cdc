#include "proto/s7comm/pdu.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace tocsin::proto::s7comm {

namespace {

constexpr std::uint8_t kProtocolId = 0x32;
constexpr std::uint8_t kPlusProtocolId = 0x72;
constexpr std::uint8_t kVarSpec = 0x12;  // item head: "variable specification"
// Data transport sizes whose length counts bits (BIT, BYTE/WORD/DWORD, INTEGER).
constexpr std::uint8_t kDataBit = 0x03;
constexpr std::uint8_t kDataByte = 0x04;
constexpr std::uint8_t kDataInt = 0x05;

std::string text(ByteSpan bytes) {
    std::string out;
    for (std::uint8_t b : bytes) {
        if (b == 0) break;
        out.push_back(std::isprint(b) != 0 ? static_cast<char>(b) : '.');
    }
    // SZL strings are padded with blanks.
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

unsigned bcd(std::uint8_t b) {
    return (b >> 4) * 10u + (b & 0x0Fu);
}

// Read var / write var items of the parameter part: var spec, length, syntax id, address.
Problem read_specs(ByteCursor& param, std::uint8_t count, Pdu& pdu) {
    for (unsigned i = 0; i < count; ++i) {
        if (pdu.specs.size() == kMaxItems) return Problem::too_many_items;
        const std::uint8_t head = param.u8();
        const std::uint8_t length = param.u8();
        ByteCursor spec = param.sub(length);
        if (!param.ok()) return Problem::truncated;
        if (head != kVarSpec || length == 0) return Problem::bad_header;
        VarSpec v;
        v.syntax_id = spec.u8();
        if (v.any()) {
            // S7ANY: transport size, length, DB number, area, 3-byte bit address.
            v.transport_size = spec.u8();
            v.length = spec.u16be();
            v.db = spec.u16be();
            v.area = spec.u8();
            v.address = spec.u24be();
            if (!spec.ok()) return Problem::truncated;
        }
        pdu.specs.push_back(v);
    }
    return Problem::none;
}

// Data items: return code, transport size, length, data, a fill byte after odd lengths but
// the last.
Problem read_data_items(ByteCursor& data, std::uint8_t count, Pdu& pdu) {
    for (unsigned i = 0; i < count; ++i) {
        if (pdu.items.size() == kMaxItems) return Problem::too_many_items;
        DataItem item;
        item.return_code = data.u8();
        item.transport_size = data.u8();
        std::uint32_t length = data.u16be();
        if (!data.ok()) return Problem::truncated;
        if (item.transport_size == kDataBit || item.transport_size == kDataByte ||
            item.transport_size == kDataInt)
            length = (length + 7) / 8;
        item.length = static_cast<std::uint16_t>(length);
        const ByteSpan value = data.bytes(std::min<std::size_t>(length, data.remaining()));
        item.data.assign(value.begin(), value.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                            value.size(), kMaxValueBytes)));
        pdu.items.push_back(std::move(item));
        if (value.size() < length) return Problem::truncated;
        if (length % 2 == 1 && i + 1 < count) data.skip(std::min<std::size_t>(1, data.remaining()));
    }
    return Problem::none;
}

// Up/download parameters: function status, two unknown fields, then the file name when the
// function carries one ("_0A00001P"), with its length-prefixed string.
void read_updownload(ByteCursor& param, Pdu& pdu) {
    pdu.function_status = param.u8();
    param.skip(2);
    param.skip(4);  // upload id or reserved
    if (!param.ok() || param.empty()) return;
    const std::uint8_t length = param.u8();
    const ByteSpan name = param.bytes(length);
    if (!param.ok()) return;
    pdu.filename = text(name);
    pdu.block = parse_block_name(pdu.filename);
}

// PLC control (PI service): 7 unknown octets, the parameter block, then the service name.
void read_plc_control(ByteCursor& param, Pdu& pdu) {
    param.skip(7);
    const std::uint16_t block_length = param.u16be();
    ByteCursor block = param.sub(block_length);
    const std::uint8_t name_length = param.u8();
    const ByteSpan name = param.bytes(name_length);
    if (!param.ok()) return;
    pdu.service = text(name);
    // _INSE/_DELE name blocks: a count, an unknown octet, then 8 characters per block.
    if (block_length >= 10 && block.u8() >= 1) {
        block.skip(1);
        pdu.block = parse_block_name(text(block.bytes(8)));
    }
}

void read_plc_stop(ByteCursor& param, Pdu& pdu) {
    param.skip(5);
    const std::uint8_t name_length = param.u8();
    const ByteSpan name = param.bytes(name_length);
    if (param.ok()) pdu.service = text(name);
}

Problem read_job(ByteCursor& param, ByteCursor& data, Pdu& pdu) {
    const std::uint8_t func = param.u8();
    if (!param.ok()) return Problem::truncated;
    pdu.function = func;
    const bool request = pdu.rosctr == static_cast<std::uint8_t>(Rosctr::job);
    switch (func) {
        case function::setup_communication: {
            param.skip(1);
            Setup s;
            s.max_amq_calling = param.u16be();
            s.max_amq_called = param.u16be();
            s.pdu_length = param.u16be();
            if (!param.ok()) return Problem::truncated;
            pdu.setup = s;
            return Problem::none;
        }
        case function::read_var:
        case function::write_var: {
            const std::uint8_t count = param.u8();
            if (!param.ok()) return Problem::truncated;
            pdu.item_count = count;
            if (request) {
                if (auto p = read_specs(param, count, pdu); p != Problem::none) return p;
                if (func == function::write_var) return read_data_items(data, count, pdu);
                return Problem::none;
            }
            if (func == function::read_var) return read_data_items(data, count, pdu);
            // Write var response: one return code per item.
            for (unsigned i = 0; i < count && !data.empty(); ++i) {
                if (pdu.return_codes.size() == kMaxItems) return Problem::too_many_items;
                pdu.return_codes.push_back(data.u8());
            }
            return Problem::none;
        }
        case function::request_download:
        case function::download_block:
        case function::download_ended:
        case function::start_upload:
        case function::upload:
        case function::end_upload:
            if (request || param.remaining() > 0) read_updownload(param, pdu);
            return Problem::none;
        case function::plc_control:
            if (request) read_plc_control(param, pdu);
            return Problem::none;
        case function::plc_stop:
            if (request) read_plc_stop(param, pdu);
            return Problem::none;
        default:
            return Problem::none;
    }
}

// SZL 0x0011/0x0111: 28-byte records: index, order number (20 characters), module type,
// two version words. Index 1 is the module, 6 the basic hardware, 7 the basic firmware.
void module_identification(ByteCursor& in, std::uint16_t length, std::uint16_t count, Szl& szl) {
    for (unsigned i = 0; i < count && i < kMaxSzlRecords; ++i) {
        ByteCursor r = in.sub(length);
        if (!in.ok() || length < 28) return;
        const std::uint16_t index = r.u16be();
        const std::string order = text(r.bytes(20));
        r.skip(2);  // BGTyp
        const std::uint16_t ausbg = r.u16be();
        const std::uint16_t ausbe = r.u16be();
        // "V" in the high octet of the first word marks a version V<major>.<minor>.<patch>.
        char version[32];
        if ((ausbg >> 8) == 'V')
            std::snprintf(version, sizeof version, "V%u.%u.%u", ausbg & 0xFFu, ausbe >> 8u,
                          ausbe & 0xFFu);
        else
            std::snprintf(version, sizeof version, "%u.%u", unsigned{ausbg}, unsigned{ausbe});
        switch (index) {
            case 1:
                szl.fields.emplace_back("order_number", order);
                szl.fields.emplace_back("module_version", version);
                break;
            case 6:
                szl.fields.emplace_back("hardware_order_number", order);
                szl.fields.emplace_back("hardware_version", version);
                break;
            case 7:
                szl.fields.emplace_back("firmware_version", version);
                break;
            default:
                break;
        }
    }
}

// SZL 0x001C/0x011C: 34-byte records: index and 32 characters (index 9 and 0x0A binary).
void component_identification(ByteCursor& in, std::uint16_t length, std::uint16_t count, Szl& szl) {
    for (unsigned i = 0; i < count && i < kMaxSzlRecords; ++i) {
        ByteCursor r = in.sub(length);
        if (!in.ok() || length < 34) return;
        const std::uint16_t index = r.u16be();
        const ByteSpan value = r.bytes(32);
        std::string_view key;
        switch (index) {
            case 1:
                key = "plc_name";
                break;
            case 2:
                key = "module_name";
                break;
            case 3:
                key = "plant_id";
                break;
            case 4:
                key = "copyright";
                break;
            case 5:
                key = "serial_number";
                break;
            case 7:
                key = "module_type_name";
                break;
            case 8:
                key = "memory_card_serial";
                break;
            case 0x0B:
                key = "location";
                break;
            default:
                continue;
        }
        std::string s = text(value.first(index == 8 ? 32 : value.size()));
        if (!s.empty()) szl.fields.emplace_back(key, std::move(s));
    }
}

void read_szl_response(ByteCursor& data, Userdata& ud) {
    Szl szl;
    szl.id = data.u16be();
    szl.index = data.u16be();
    szl.record_length = data.u16be();
    szl.record_count = data.u16be();
    if (!data.ok()) return;
    ud.szl_id = szl.id;
    ud.szl_index = szl.index;
    // The low 8 bits name the list; the high ones select a partial list (0x0111, 0x011C).
    const std::uint16_t list = szl.id & 0x00FF;
    if (list == 0x11) module_identification(data, szl.record_length, szl.record_count, szl);
    if (list == 0x1C) component_identification(data, szl.record_length, szl.record_count, szl);
    ud.szl = std::move(szl);
}

std::string clock_text(ByteCursor& in) {
    in.skip(1);  // reserved
    in.skip(1);  // year, high digits (often 0)
    const unsigned year2 = bcd(in.u8());
    const unsigned month = bcd(in.u8());
    const unsigned day = bcd(in.u8());
    const unsigned hour = bcd(in.u8());
    const unsigned minute = bcd(in.u8());
    const unsigned second = bcd(in.u8());
    const std::uint8_t ms_high = in.u8();
    const std::uint8_t ms_low = in.u8();
    if (!in.ok()) return {};
    const unsigned year = year2 + (year2 < 90 ? 2000 : 1900);
    const unsigned ms = bcd(ms_high) * 10 + (ms_low >> 4);
    char out[32];
    std::snprintf(out, sizeof out, "%04u-%02u-%02u %02u:%02u:%02u.%03u", year % 10000, month % 100,
                  day % 100, hour % 100, minute % 100, second % 100, ms % 1000);
    return out;
}

std::string block_type_name(char a, char b) {
    if (a == '0') {
        switch (b) {
            case '8':
                return "OB";
            case 'A':
                return "DB";
            case 'B':
                return "SDB";
            case 'C':
                return "FC";
            case 'D':
                return "SFC";
            case 'E':
                return "FB";
            case 'F':
                return "SFB";
            default:
                break;
        }
    }
    return std::string{a, b};
}

void read_body(ByteCursor& body, Userdata& ud) {
    const bool request = ud.type == 4;
    const bool response = ud.type == 8;
    switch (ud.group) {
        case group::cpu:
            if (ud.subfunction != 1) return;  // read SZL
            if (request && body.remaining() >= 4) {
                ud.szl_id = body.u16be();
                ud.szl_index = body.u16be();
            } else if (response && body.remaining() >= 8) {
                read_szl_response(body, ud);
            }
            return;
        case group::block:
            if (request && (ud.subfunction == 2 || ud.subfunction == 3) && body.remaining() >= 2) {
                const ByteSpan type = body.bytes(2);
                Block b{block_type_name(static_cast<char>(type[0]), static_cast<char>(type[1])), 0,
                        0};
                if (ud.subfunction == 3 && body.remaining() >= 6) {
                    std::string name(type.begin(), type.end());
                    name.append(text(body.bytes(6)));
                    if (auto named = parse_block_name(name)) b = *named;
                }
                ud.block = std::move(b);
            } else if (response && ud.subfunction == 1) {
                while (body.remaining() >= 4 && ud.block_counts.size() < kMaxBlockCounts) {
                    const ByteSpan type = body.bytes(2);
                    const std::uint16_t count = body.u16be();
                    ud.block_counts.emplace_back(
                        block_type_name(static_cast<char>(type[0]), static_cast<char>(type[1])),
                        count);
                }
            }
            return;
        case group::cyclic:
            // Cyclic and change-driven transfers start with their item count.
            if ((ud.subfunction == 1 || ud.subfunction == 5 || ud.subfunction == 7) &&
                body.remaining() >= 2)
                ud.item_count = body.u16be();
            return;
        case group::time:
            // Read clock response and set clock request carry the 10-byte timestamp.
            if (body.remaining() >= 10) ud.clock = clock_text(body);
            return;
        default:
            return;
    }
}

Problem read_userdata(ByteCursor& param, ByteCursor& data, Pdu& pdu, ByteSpan& body) {
    param.skip(3);  // parameter head 00 01 12
    const std::uint8_t length = param.u8();
    Userdata ud;
    ud.method = param.u8();
    const std::uint8_t type_group = param.u8();
    ud.type = type_group >> 4;
    ud.group = type_group & 0x0F;
    ud.subfunction = param.u8();
    ud.sequence = param.u8();
    if (!param.ok()) return Problem::truncated;
    // Mode-transition pushes (S7-300 CPUs) announce a longer head than they carry: the
    // extension is read only when present.
    if (length >= 8 && param.remaining() >= 4) {
        ud.data_unit_ref = param.u8();
        ud.last_data_unit = param.u8();
        ud.error_code = param.u16be();
        if (!param.ok()) return Problem::truncated;
    }
    ud.return_code = data.u8();
    data.skip(1);  // transport size
    const std::uint16_t body_length = data.u16be();
    if (!data.ok()) {
        ud.return_code.reset();
    } else {
        body = data.bytes(std::min<std::size_t>(body_length, data.remaining()));
        if (ud.last_data_unit.value_or(0) != 1) decode_userdata_body(body, ud);
    }
    pdu.userdata = std::move(ud);
    return Problem::none;
}

}  // namespace

void decode_userdata_body(ByteSpan body, Userdata& ud) {
    ByteCursor in(body);
    read_body(in, ud);
}

std::optional<Block> parse_block_name(std::string_view name) {
    if (name.starts_with('_')) name.remove_prefix(1);
    if (name.size() < 7) return std::nullopt;
    Block b;
    b.type = block_type_name(name[0], name[1]);
    for (char c : name.substr(2, 5)) {
        if (c < '0' || c > '9') return std::nullopt;
        b.number = b.number * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (name.size() >= 8) b.filesystem = name[7];
    return b;
}

std::optional<Decoded> decode(ByteSpan tsdu) {
    ByteCursor in(tsdu);
    if (in.u8() != kProtocolId) return std::nullopt;
    Decoded d;
    Pdu& p = d.pdu;
    p.rosctr = in.u8();
    p.redundancy_id = in.u16be();
    p.pdu_ref = in.u16be();
    p.param_length = in.u16be();
    p.data_length = in.u16be();
    const auto rosctr = static_cast<Rosctr>(p.rosctr);
    if (rosctr == Rosctr::ack || rosctr == Rosctr::ack_data) {
        p.error_class = in.u8();
        p.error_code = in.u8();
    }
    if (!in.ok()) return std::nullopt;
    if (rosctr != Rosctr::job && rosctr != Rosctr::ack && rosctr != Rosctr::ack_data &&
        rosctr != Rosctr::userdata) {
        d.problem = Problem::bad_header;
        return d;
    }
    const bool short_pdu = in.remaining() < std::size_t{p.param_length} + p.data_length;
    ByteCursor param = in.sub(std::min<std::size_t>(p.param_length, in.remaining()));
    ByteCursor data = in.sub(std::min<std::size_t>(p.data_length, in.remaining()));
    if (rosctr == Rosctr::userdata)
        d.problem = read_userdata(param, data, p, d.userdata_body);
    else if (p.param_length > 0)
        d.problem = read_job(param, data, p);
    if (d.problem == Problem::none && short_pdu) d.problem = Problem::truncated;
    return d;
}

std::optional<PlusPdu> decode_plus(ByteSpan tsdu) {
    ByteCursor in(tsdu);
    if (in.u8() != kPlusProtocolId) return std::nullopt;
    PlusPdu p;
    p.version = in.u8();
    p.data_length = in.u16be();
    if (!in.ok()) return std::nullopt;
    // Version 3 puts its integrity part (digest length 32, then the digest) before the data;
    // it is skipped, not checked.
    if (p.version == 3 && in.peek_u8() == 0x20 && in.has(33)) in.skip(33);
    const std::uint8_t opcode = in.u8();
    if (!in.ok()) return p;
    p.opcode = opcode;
    if (opcode != 0x31 && opcode != 0x32 && opcode != 0x02) return p;
    in.skip(2);  // reserved
    const std::uint16_t func = in.u16be();
    in.skip(2);  // reserved
    const std::uint16_t seq = in.u16be();
    if (!in.ok()) return p;
    p.function = func;
    p.sequence = seq;
    if (opcode == 0x31) {
        const std::uint32_t session = in.u32be();
        if (in.ok()) p.session_id = session;
    }
    return p;
}

}  // namespace tocsin::proto::s7comm
