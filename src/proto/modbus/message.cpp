#include "proto/modbus/message.h"

#include <array>
#include <span>

namespace tocsin::proto::modbus {

namespace {

// Quantity limits of spec 6.1-6.4 and 6.11/6.12 (Suricata applies the read limits to writes).
constexpr std::uint16_t kMaxBits = 2000;
constexpr std::uint16_t kMaxWords = 125;
// A read response's byte count (spec 6.1-6.4): 1..250.
constexpr std::uint8_t kMaxReadCount = 250;

// Suricata's names (sawp-modbus FunctionCode), indexed by function code; "" = not named.
constexpr std::array<std::string_view, 25> kFunctionNames{
    "",
    "RdCoils",
    "RdDiscreteInputs",
    "RdHoldRegs",
    "RdInputRegs",
    "WrSingleCoil",
    "WrSingleReg",
    "RdExcStatus",
    "Diagnostic",
    "Program484",
    "Poll484",
    "GetCommEventCtr",
    "GetCommEventLog",
    "ProgramController",
    "PollController",
    "WrMultCoils",
    "WrMultRegs",
    "ReportServerID",
    "Program884",
    "ResetCommLink",
    "RdFileRec",
    "WrFileRec",
    "MaskWrReg",
    "RdWrMultRegs",
    "RdFIFOQueue",
};

// Spec 6.8.1 sub-function codes 0-4 and 10-21; 5-9 and 22 on are reserved.
constexpr std::array<std::string_view, 22> kDiagnosticNames{
    "RetQueryData",
    "RestartCommOpt",
    "RetDiagReg",
    "ChangeInputDelimiter",
    "ForceListenOnlyMode",
    "",
    "",
    "",
    "",
    "",
    "ClearCtrDiagReg",
    "RetBusMsgCount",
    "RetBusCommErrCount",
    "RetBusExcErrCount",
    "RetServerMsgCount",
    "RetServerNoRespCount",
    "RetServerNAKCount",
    "RetServerBusyCount",
    "RetBusCharOverrunCount",
    "RetOverrunErrCount",
    "ClearOverrunCounterFlag",
    "GetClearPlusStats",
};

// Spec 7, exception codes 1-8, 10, 11.
constexpr std::array<std::string_view, 12> kExceptionNames{
    "",
    "IllegalFunction",
    "IllegalDataAddr",
    "IllegalDataValue",
    "ServerDeviceFail",
    "Ack",
    "ServerDeviceBusy",
    "NegAck",
    "MemParityErr",
    "",
    "GatewayPathUnavailable",
    "GatewayTargetFailToResp",
};

// Spec 6.21: basic (0-2) and regular (3-6) identification objects.
constexpr std::array<std::string_view, 7> kDeviceObjectNames{
    "VendorName",  "ProductCode", "MajorMinorRevision",  "VendorUrl",
    "ProductName", "ModelName",   "UserApplicationName",
};

std::string flag_string(std::uint8_t flags,
                        std::span<const std::pair<std::uint8_t, std::string_view>> names) {
    std::string out;
    for (const auto& [bits, name] : names) {
        if ((flags & bits) != bits) continue;
        if (!out.empty()) out += " | ";
        out += name;
    }
    return out.empty() ? "NONE" : out;
}

bool reads_bits(const Message& m) {
    return (m.access & access::bit_access) != 0;
}

// Bytes a read of `quantity` items returns: packed bits, or two bytes per register.
std::size_t read_bytes(const Message& request, std::uint16_t quantity) {
    return reads_bits(request) ? (quantity + 7u) / 8u : 2u * quantity;
}

class PduReader {
  public:
    // `in` is positioned after the function code.
    PduReader(Message& m, ByteCursor& in) : m_(m), in_(in), whole_(in.peek_rest()) {}

    void request() {
        switch (m_.code()) {
            case fc::diagnostics:
                if (m_.length != 6) m_.errors |= error::data_length;  // sub-function + 2 bytes
                diagnostic();
                check_diagnostic_request();
                return;
            case fc::encapsulated_interface:
                return mei_body();
            case fc::read_file_record:
            case fc::write_file_record:
                if (pdu_left() == 0) m_.errors |= error::data_length;
                return bytes();
            case fc::read_exception_status:
            case fc::get_comm_event_counter:
            case fc::get_comm_event_log:
            case fc::report_server_id:
                if (pdu_left() > 0) m_.errors |= error::data_length;  // no request data
                return bytes();
            case fc::read_fifo_queue:
                if (pdu_left() != 2) m_.errors |= error::data_length;  // FIFO pointer address
                return bytes();
            default:
                break;
        }
        if (m_.function == 0 || (m_.function & kExceptionBit) != 0)
            m_.errors |= error::function_code;
        if ((m_.access & access::read) != 0) {
            read_request();
            if ((m_.access & access::write) != 0) write_multiple_request();
            return;
        }
        if ((m_.access & access::write) != 0) return write_request();
        bytes();
    }

    void response() {
        if ((m_.function & kExceptionBit) != 0) return exception();
        switch (m_.code()) {
            case fc::diagnostics:
                return diagnostic();
            case fc::encapsulated_interface:
                mei_body();
                device_id_response();
                return;
            case fc::read_exception_status:  // one status byte (spec 6.7)
                if (pdu_left() != 1) m_.errors |= error::data_length;
                return bytes();
            case fc::get_comm_event_counter:  // status and event count (spec 6.9)
                if (pdu_left() != 4) m_.errors |= error::data_length;
                return bytes();
            default:
                break;
        }
        if ((m_.access & access::read) != 0) return read_response();
        if ((m_.access & access::write) != 0) return write_response();
        bytes();
    }

    // Without knowing the side only what has one shape either way is decoded.
    void unknown() {
        if ((m_.function & kExceptionBit) != 0) return exception();
        if (m_.code() == fc::diagnostics) return diagnostic();
        if (m_.code() == fc::encapsulated_interface) return mei_body();
        bytes();
    }

  private:
    std::size_t pdu_left() const { return in_.remaining(); }

    // A field is missing: the PDU is shorter than the function needs.
    void truncated() {
        m_.errors |= error::data_length;
        if (m_.body == Body::empty) {
            m_.body = Body::bytes;
            m_.data.assign(whole_.begin(), whole_.end());
        }
    }

    void rest_into_data() {
        const ByteSpan rest = in_.rest();
        m_.data.assign(rest.begin(), rest.end());
    }

    void bytes() {
        m_.body = Body::bytes;
        rest_into_data();
    }

    // Spec 7: exception code (1). Codes 2 and 3 make no sense for the functions that take no
    // address or value (7-14, 17-19); 8 only for the file record functions.
    void exception() {
        if (!in_.has(1)) return truncated();
        m_.body = Body::exception;
        m_.exception_code = in_.u8();
        const std::uint8_t code = m_.code();
        const bool no_operands = (code > 6 && code < 15) || (code > 16 && code < 20);
        switch (m_.exception_code) {
            case 2:
                if (no_operands) m_.errors |= error::exception_code;
                break;
            case 3:
                if (no_operands && code != fc::diagnostics) m_.errors |= error::exception_code;
                break;
            case 8:
                if (code != fc::read_file_record && code != fc::write_file_record)
                    m_.errors |= error::exception_code;
                break;
            default:
                if (exception_name(m_.exception_code) == "Unknown")
                    m_.errors |= error::exception_code;
                break;
        }
    }

    // Spec 6.8: sub-function (2), data (request: 2 bytes; response: echo or counters).
    void diagnostic() {
        if (pdu_left() < 2) {
            m_.errors |= error::data_length;
            return;
        }
        m_.body = Body::diagnostic;
        m_.subfunction = in_.u16be();
        rest_into_data();
    }

    // Spec 6.8.1: the request data each sub-function expects.
    void check_diagnostic_request() {
        if (m_.body != Body::diagnostic || m_.data.size() != 2) return;
        const std::uint8_t hi = m_.data[0];
        const std::uint8_t lo = m_.data[1];
        switch (m_.subfunction) {
            case 0:  // Return Query Data: any data, echoed
            case diag::force_listen_only:
                return;
            case diag::restart_communications:  // FF00 clears the event log, 0000 keeps it
                if (lo != 0 || (hi != 0 && hi != 0xff)) m_.errors |= error::data_value;
                return;
            case 3:  // Change ASCII Input Delimiter: CHAR 00
                if (lo != 0) m_.errors |= error::data_value;
                return;
            default:
                if (diagnostic_name(m_.subfunction) == "Reserved") return;
                if (hi != 0 || lo != 0) m_.errors |= error::data_value;  // 0000
                return;
        }
    }

    // Spec 6.19: MEI type (1), type-specific data.
    void mei_body() {
        if (pdu_left() < 1) {
            m_.errors |= error::data_length;
            return;
        }
        m_.body = Body::mei;
        m_.mei_type = in_.u8();
        rest_into_data();
    }

    // Spec 6.21 response: Read Device ID code (1), conformity level (1), more follows (1),
    // next object id (1), number of objects (1), then per object: id (1), length (1), value.
    // The objects feed the asset inventory; like Suricata, a malformed list sets no flag (the
    // MEI data is logged as it came).
    void device_id_response() {
        if (m_.body != Body::mei || m_.mei_type != mei::read_device_id) return;
        ByteCursor c(m_.data);
        c.skip(4);
        const std::uint8_t count = c.u8();
        for (std::uint8_t i = 0; i < count && c.ok(); ++i) {
            const std::uint8_t id = c.u8();
            const ByteSpan value = c.bytes(c.u8());
            if (!c.ok()) break;
            m_.device_objects.push_back({id, std::string(value.begin(), value.end())});
        }
    }

    // Spec 6.1-6.4 and the read part of 6.17: starting address (2), quantity (2).
    void read_request() {
        if (!in_.has(4)) return truncated();
        m_.read.address = in_.u16be();
        m_.read.quantity = in_.u16be();
        m_.body = Body::read_request;
        const std::uint16_t q = m_.read.quantity;
        if (q == 0 || q > (reads_bits(m_) ? kMaxBits : kMaxWords)) m_.errors |= error::data_value;
    }

    void write_request() {
        if ((m_.access & access::single) != 0) return write_single_request();
        if ((m_.access & access::multiple) != 0) return write_multiple_request();
        write_mask();
    }

    // Spec 6.5/6.6: output address (2), value (2); a coil is FF00 (on) or 0000 (off).
    void write_single_request() {
        if (!in_.has(4)) return truncated();
        m_.write.address = in_.u16be();
        m_.write.value = in_.u16be();
        m_.body = Body::write_single;
        if ((m_.access & access::coils) != 0 && m_.write.value != 0 && m_.write.value != 0xff00)
            m_.errors |= error::data_value;
    }

    // Spec 6.11/6.12 and the write part of 6.17: starting address (2), quantity (2), byte
    // count (1), values (byte count).
    void write_multiple_request() {
        if (!in_.has(5)) return truncated();
        m_.write.address = in_.u16be();
        m_.write.quantity = in_.u16be();
        const std::uint8_t count = in_.u8();
        const std::uint16_t q = m_.write.quantity;
        if (q == 0 || in_.remaining() != count) m_.errors |= error::data_length;
        const bool bits = reads_bits(m_);
        const std::size_t expected = bits ? (q + 7u) / 8u : 2u * q;
        if (q > (bits ? kMaxBits : kMaxWords) || count != expected) m_.errors |= error::data_value;
        m_.body = m_.body == Body::read_request ? Body::read_write : Body::write_multiple;
        rest_into_data();
    }

    // Spec 6.16: reference address (2), AND mask (2), OR mask (2); the response echoes them.
    void write_mask() {
        if (!in_.has(6)) return truncated();
        m_.write.address = in_.u16be();
        m_.write.and_mask = in_.u16be();
        m_.write.or_mask = in_.u16be();
        m_.body = Body::write_mask;
    }

    // Spec 6.1-6.4, 6.17: byte count (1), values.
    void read_response() {
        if (!in_.has(1)) {
            m_.errors |= error::data_length;
            return;
        }
        const std::uint8_t count = in_.u8();
        if (count < 1 || count > kMaxReadCount || in_.remaining() != count)
            m_.errors |= error::data_value;
        m_.body = Body::read_response;
        rest_into_data();
    }

    // Spec 6.5/6.6 echo the request; 6.11/6.12 answer address (2) and quantity (2).
    void write_response() {
        if ((m_.access & (access::single | access::multiple)) == 0) return write_mask();
        if (!in_.has(4)) return truncated();
        m_.write.address = in_.u16be();
        m_.write.value = in_.u16be();
        m_.body = Body::write_single;
        if ((m_.access & access::multiple) == 0) return;
        const std::uint16_t q = m_.write.value;
        if (q == 0 || q > (reads_bits(m_) ? kMaxBits : kMaxWords)) m_.errors |= error::data_value;
    }

    Message& m_;
    ByteCursor& in_;
    ByteSpan whole_;  // the PDU after the function code
};

}  // namespace

std::string_view function_name(std::uint8_t code) {
    if (code < kFunctionNames.size() && !kFunctionNames[code].empty()) return kFunctionNames[code];
    if (code == fc::encapsulated_interface) return "MEI";
    return "Unknown";
}

bool known_function(std::uint8_t code) {
    return function_name(code) != "Unknown";
}

std::string_view exception_name(std::uint8_t code) {
    if (code < kExceptionNames.size() && !kExceptionNames[code].empty())
        return kExceptionNames[code];
    return "Unknown";
}

std::string_view diagnostic_name(std::uint16_t subfunction) {
    if (subfunction < kDiagnosticNames.size() && !kDiagnosticNames[subfunction].empty())
        return kDiagnosticNames[subfunction];
    return "Reserved";
}

std::string_view mei_name(std::uint8_t type) {
    if (type == mei::canopen) return "CANOpenGenRefReqResp";
    if (type == mei::read_device_id) return "RdDevId";
    return "Unknown";
}

std::string_view device_object_name(std::uint8_t id) {
    return id < kDeviceObjectNames.size() ? kDeviceObjectNames[id] : std::string_view{};
}

std::uint8_t category_of_unknown(std::uint8_t raw) {
    // Spec 5.1: user-defined 65-72 and 100-110; reserved (legacy products) 9-14, 41, 42,
    // 90, 91, 125-127; the rest of 1-127 public (unassigned when not named).
    if (raw == 0 || raw >= 128) return 0;
    if (raw < 9) return category::public_unassigned;
    if (raw < 15) return category::reserved;
    if (raw < 41) return category::public_unassigned;
    if (raw < 43) return category::reserved;
    if (raw < 65) return category::public_unassigned;
    if (raw < 73) return category::user_defined;
    if (raw < 90) return category::public_unassigned;
    if (raw < 92) return category::reserved;
    if (raw < 100) return category::public_unassigned;
    if (raw < 111) return category::user_defined;
    if (raw < 125) return category::public_unassigned;
    return category::reserved;
}

std::uint8_t access_of(std::uint8_t code) {
    using namespace access;
    switch (code) {
        case fc::read_coils:
            return coils | read;
        case fc::read_discrete_inputs:
            return discretes | read;
        case fc::read_holding_registers:
            return holding | read;
        case fc::read_input_registers:
            return input | read;
        case fc::write_single_coil:
            return coils | write | single;
        case fc::write_single_register:
            return holding | write | single;
        case fc::write_multiple_coils:
            return coils | write | multiple;
        case fc::write_multiple_registers:
            return holding | write | multiple;
        case fc::mask_write_register:
            return holding | write;
        case fc::read_write_multiple_registers:
            return holding | read | write | multiple;
        default:
            return 0;
    }
}

namespace {

// Suricata's category of a parsed message: diagnostics and MEI by their sub-code, other named
// functions public assigned, the rest by range.
std::uint8_t category_of(const Message& m) {
    const std::uint8_t code = m.code();
    if (code == fc::diagnostics) {
        if (m.body != Body::diagnostic) return 0;
        return diagnostic_name(m.subfunction) == "Reserved" ? category::reserved
                                                            : category::public_assigned;
    }
    if (code == fc::encapsulated_interface) {
        if (m.body != Body::mei) return 0;
        return mei_name(m.mei_type) == "Unknown" ? category::reserved : category::public_assigned;
    }
    if (known_function(code)) return category::public_assigned;
    return category_of_unknown(m.function);
}

}  // namespace

Message parse_message(ByteSpan bytes, Side side) {
    Message m;
    ByteCursor in(bytes);
    m.transaction_id = in.u16be();
    m.protocol_id = in.u16be();
    m.length = in.u16be();
    if (m.protocol_id != 0) m.errors |= error::protocol_id;  // 0 = Modbus (guide 3.1.3)
    if (m.length < kMinLength || m.length > kMaxLength || !in.has(m.length)) {
        m.errors |= error::data_length;
        return m;
    }
    ByteCursor pdu = in.sub(m.length);
    m.unit_id = pdu.u8();
    m.function = pdu.u8();
    m.access = access_of(m.code());
    PduReader reader(m, pdu);
    switch (side) {
        case Side::request:
            reader.request();
            break;
        case Side::response:
            reader.response();
            break;
        case Side::unknown:
            reader.unknown();
            break;
    }
    if (!pdu.empty()) m.errors |= error::data_length;  // bytes the function does not use
    m.category = category_of(m);
    return m;
}

bool validate_pair(Message& response, const Message& request) {
    if (response.transaction_id != request.transaction_id || response.unit_id != request.unit_id ||
        response.code() != request.code() || response.access != request.access)
        return false;
    // Functions without a definition cannot be checked; neither can exceptions.
    if (response.category != category::public_assigned) return true;
    if (response.is_exception() || request.is_exception()) return true;
    const Body rsp = response.body;
    const Body req = request.body;
    if (rsp == Body::bytes || req == Body::bytes) {
        if (rsp == req) return true;
        return rsp == Body::bytes ? (response.errors & error::data_length) != 0
                                  : (request.errors & error::data_length) != 0;
    }
    auto mismatch_if = [&](bool differs) {
        if (differs) response.errors |= error::data_value;
        return true;
    };
    switch (rsp) {
        case Body::read_response:
            if (req == Body::read_request)
                return mismatch_if(response.data.size() !=
                                   read_bytes(request, request.read.quantity));
            if (req == Body::read_write)
                return mismatch_if(response.data.size() != 2u * request.read.quantity);
            return false;
        case Body::write_single:
            if (req == Body::write_single)
                return mismatch_if(response.write.address != request.write.address ||
                                   response.write.value != request.write.value);
            if (req == Body::write_multiple)
                return mismatch_if(response.write.address != request.write.address ||
                                   response.write.value != request.write.quantity);
            return false;
        case Body::write_mask:
            if (req != Body::write_mask) return false;
            return mismatch_if(response.write.address != request.write.address ||
                               response.write.and_mask != request.write.and_mask ||
                               response.write.or_mask != request.write.or_mask);
        case Body::diagnostic:
            return req == Body::diagnostic && response.subfunction == request.subfunction;
        case Body::mei:
            return req == Body::mei && response.mei_type == request.mei_type;
        default:
            return false;
    }
}

std::string access_string(std::uint8_t flags) {
    using namespace access;
    // Single flags, then sawp's composite names (BIT_ACCESS_MASK, FUNC_MASK, WRITE_SINGLE,
    // WRITE_MULTIPLE), each listed when all of its bits are set.
    static constexpr std::pair<std::uint8_t, std::string_view> kNames[] = {
        {read, "READ"},
        {write, "WRITE"},
        {discretes, "DISCRETES"},
        {coils, "COILS"},
        {input, "INPUT"},
        {holding, "HOLDING"},
        {single, "SINGLE"},
        {multiple, "MULTIPLE"},
        {bit_access, "BIT_ACCESS_MASK"},
        {tables, "FUNC_MASK"},
        {write | single, "WRITE_SINGLE"},
        {write | multiple, "WRITE_MULTIPLE"},
    };
    return flag_string(flags, kNames);
}

std::string category_string(std::uint8_t flags) {
    static constexpr std::pair<std::uint8_t, std::string_view> kNames[] = {
        {category::public_assigned, "PUBLIC_ASSIGNED"},
        {category::public_unassigned, "PUBLIC_UNASSIGNED"},
        {category::user_defined, "USER_DEFINED"},
        {category::reserved, "RESERVED"},
    };
    return flag_string(flags, kNames);
}

std::string error_string(std::uint8_t flags) {
    static constexpr std::pair<std::uint8_t, std::string_view> kNames[] = {
        {error::data_value, "DATA_VALUE"},   {error::data_length, "DATA_LENGTH"},
        {error::exception_code, "EXC_CODE"}, {error::function_code, "FUNC_CODE"},
        {error::protocol_id, "PROTO_ID"},
    };
    return flag_string(flags, kNames);
}

std::optional<std::pair<std::uint32_t, std::uint32_t>> address_range(const Message& m) {
    // Suricata numbers coils and registers from 1 (the PDU address + 1) when it compares.
    switch (m.body) {
        case Body::write_single:
        case Body::write_mask:
            return std::pair<std::uint32_t, std::uint32_t>{m.write.address + 1u,
                                                           m.write.address + 1u};
        case Body::read_request:
        case Body::write_multiple:
        case Body::read_write: {
            const bool reads = m.body == Body::read_request;
            const std::uint32_t address = reads ? m.read.address : m.write.address;
            const std::uint32_t quantity = reads ? m.read.quantity : m.write.quantity;
            if (quantity == 0 || address + quantity > 0xffff) return std::nullopt;
            return std::pair<std::uint32_t, std::uint32_t>{address + 1, address + quantity};
        }
        default:
            return std::nullopt;
    }
}

std::optional<std::uint16_t> written_value(const Message& m, std::uint32_t address) {
    const auto range = address_range(m);
    if (!range || address < range->first || address > range->second) return std::nullopt;
    if (m.body == Body::write_single) {
        if ((m.access & access::coils) != 0) return static_cast<std::uint16_t>(m.write.value != 0);
        return m.write.value;
    }
    if (m.body != Body::write_multiple && m.body != Body::read_write) return std::nullopt;
    const std::size_t index = address - range->first;
    if ((m.access & access::coils) != 0) {
        // Spec 6.11: coil values packed LSB first, the first coil in bit 0 of the first byte.
        if (index / 8 >= m.data.size()) return std::nullopt;
        return static_cast<std::uint16_t>((m.data[index / 8] >> (index % 8)) & 1u);
    }
    if (2 * index + 1 >= m.data.size()) return std::nullopt;
    return static_cast<std::uint16_t>(m.data[2 * index] << 8 | m.data[2 * index + 1]);
}

}  // namespace tocsin::proto::modbus
