// One Modbus/TCP message: the MBAP header (MODBUS Messaging on TCP/IP Implementation Guide
// V1.0b, 3.1.3) and its PDU decoded per function code (MODBUS Application Protocol
// Specification V1.1b3, section 6). The model follows what Suricata logs for each message
// (access type, function category, error flags, and one of the data shapes below), so eve.cpp
// writes Suricata's `modbus` record from it and the `modbus` keyword matches as Suricata does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/cursor.h"

namespace tocsin::proto::modbus {

// MBAP: transaction id (2), protocol id (2), length (2), unit id (1); the length counts the
// unit id and the PDU. A PDU is at most 253 bytes (spec 4.1), so length is 2..254.
constexpr std::size_t kMbapHeader = 7;
constexpr std::size_t kLengthPrefix = 6;  // transaction id, protocol id, length
constexpr std::uint16_t kMinLength = 2;   // unit id + function code
constexpr std::uint16_t kMaxLength = 254;
constexpr std::size_t kMaxMessage = kLengthPrefix + kMaxLength;
constexpr std::uint8_t kExceptionBit = 0x80;  // spec 7: function code | 0x80 in a response

// Function codes (spec 6; the serial-line era codes 9, 10, 13, 14, 18, 19 from PI-MBUS-300).
namespace fc {
constexpr std::uint8_t read_coils = 1;
constexpr std::uint8_t read_discrete_inputs = 2;
constexpr std::uint8_t read_holding_registers = 3;
constexpr std::uint8_t read_input_registers = 4;
constexpr std::uint8_t write_single_coil = 5;
constexpr std::uint8_t write_single_register = 6;
constexpr std::uint8_t read_exception_status = 7;
constexpr std::uint8_t diagnostics = 8;
constexpr std::uint8_t get_comm_event_counter = 11;
constexpr std::uint8_t get_comm_event_log = 12;
constexpr std::uint8_t write_multiple_coils = 15;
constexpr std::uint8_t write_multiple_registers = 16;
constexpr std::uint8_t report_server_id = 17;
constexpr std::uint8_t read_file_record = 20;
constexpr std::uint8_t write_file_record = 21;
constexpr std::uint8_t mask_write_register = 22;
constexpr std::uint8_t read_write_multiple_registers = 23;
constexpr std::uint8_t read_fifo_queue = 24;
constexpr std::uint8_t encapsulated_interface = 43;  // MEI
}  // namespace fc

// Diagnostics sub-functions (spec 6.8.1) with a meaning for the asset inventory.
namespace diag {
constexpr std::uint16_t restart_communications = 1;
constexpr std::uint16_t force_listen_only = 4;
}  // namespace diag

// MEI types (spec 6.19-6.21).
namespace mei {
constexpr std::uint8_t canopen = 13;
constexpr std::uint8_t read_device_id = 14;
}  // namespace mei

// What a function accesses, as bit flags in Suricata's (sawp-modbus) order, which is also the
// order the EVE `access_type` string lists them in.
namespace access {
constexpr std::uint8_t read = 0x01;
constexpr std::uint8_t write = 0x02;
constexpr std::uint8_t discretes = 0x04;
constexpr std::uint8_t coils = 0x08;
constexpr std::uint8_t input = 0x10;
constexpr std::uint8_t holding = 0x20;
constexpr std::uint8_t single = 0x40;
constexpr std::uint8_t multiple = 0x80;
constexpr std::uint8_t bit_access = discretes | coils;
constexpr std::uint8_t tables = discretes | coils | input | holding;
}  // namespace access

// Function code categories (spec 5.1: public assigned/unassigned, user-defined, reserved).
namespace category {
constexpr std::uint8_t public_assigned = 0x01;
constexpr std::uint8_t public_unassigned = 0x02;
constexpr std::uint8_t user_defined = 0x04;
constexpr std::uint8_t reserved = 0x08;
}  // namespace category

// What was wrong with a message that still parsed (Suricata's error flags).
namespace error {
constexpr std::uint8_t data_value = 0x01;
constexpr std::uint8_t data_length = 0x02;
constexpr std::uint8_t exception_code = 0x04;
constexpr std::uint8_t function_code = 0x08;
constexpr std::uint8_t protocol_id = 0x10;
}  // namespace error

// The shape of what follows the function code.
enum class Body : std::uint8_t {
    empty,           // nothing usable (length out of range, field missing)
    exception,       // exception_code
    diagnostic,      // subfunction, data
    mei,             // mei_type, data
    read_request,    // read.address, read.quantity
    read_response,   // data: the bytes after the byte count
    write_single,    // write.address, write.value (also a multiple write's response: quantity)
    write_multiple,  // write.address, write.quantity, data: the values after the byte count
    write_mask,      // write.address, write.and_mask, write.or_mask
    read_write,      // read (request part) and write_multiple (FC 23 request)
    bytes,           // data: every PDU byte after the function code
};

struct ReadPart {
    std::uint16_t address = 0;
    std::uint16_t quantity = 0;
};

struct WritePart {
    std::uint16_t address = 0;
    std::uint16_t quantity = 0;  // write_multiple, read_write
    std::uint16_t value = 0;     // write_single
    std::uint16_t and_mask = 0;  // write_mask
    std::uint16_t or_mask = 0;
};

// One object of a Read Device Identification response (spec 6.21, table of object ids).
struct DeviceObject {
    std::uint8_t id = 0;
    std::string value;
};

struct Message {
    std::uint16_t transaction_id = 0;
    std::uint16_t protocol_id = 0;
    std::uint16_t length = 0;
    std::uint8_t unit_id = 0;
    std::uint8_t function = 0;  // the raw function byte (with 0x80 on an exception)
    std::uint8_t access = 0;    // access:: flags of the function
    std::uint8_t category = 0;  // category:: flag
    std::uint8_t errors = 0;    // error:: flags
    Body body = Body::empty;
    std::uint8_t exception_code = 0;
    std::uint16_t subfunction = 0;
    std::uint8_t mei_type = 0;
    ReadPart read;
    WritePart write;
    std::vector<std::uint8_t> data;
    // FC 43/14 responses: the identification objects, in the order sent (at most 255, each
    // at most 250 bytes: bounded by the PDU).
    std::vector<DeviceObject> device_objects;

    // The function code without the exception bit.
    std::uint8_t code() const { return function & static_cast<std::uint8_t>(~kExceptionBit); }
    bool is_exception() const { return body == Body::exception; }
};

enum class Side : std::uint8_t { request, response, unknown };

// Decodes one whole message (MBAP header and `length - 1` PDU bytes: the caller frames it).
// `side` decides how the PDU is read, as requests and responses of a function differ.
Message parse_message(ByteSpan bytes, Side side);

// Pairs `response` with `request` (same transaction id, unit, function and access) and checks
// what the response says against what was asked (values echoed, byte counts): a mismatch sets
// error::data_value on the response. False when they are not a pair.
bool validate_pair(Message& response, const Message& request);

// Names as Suricata (sawp-modbus) writes them in EVE: "RdCoils", "IllegalDataAddr",
// "ForceListenOnlyMode", "RdDevId"; "Unknown"/"Reserved" for codes without one.
std::string_view function_name(std::uint8_t code);
std::string_view exception_name(std::uint8_t code);
std::string_view diagnostic_name(std::uint16_t subfunction);
std::string_view mei_name(std::uint8_t type);
// Device identification object names (spec 6.21): "VendorName", "ProductCode"...; "" beyond.
std::string_view device_object_name(std::uint8_t id);

// The category of a raw function code Suricata does not name (spec 5.1 ranges).
std::uint8_t category_of_unknown(std::uint8_t raw);
// Access flags of a function code (0 for functions that access no table).
std::uint8_t access_of(std::uint8_t code);
// Whether Suricata names the function (public assigned codes).
bool known_function(std::uint8_t code);

// Flag sets as Suricata prints them: the names of the set flags joined by " | " (composite
// names included, as sawp's Display lists them), "NONE" when none is set.
std::string access_string(std::uint8_t flags);
std::string category_string(std::uint8_t flags);
std::string error_string(std::uint8_t flags);

// The address range (first, last) a request reads or writes, 1-based as Suricata compares
// keyword addresses; nullopt when the message has none or it would wrap.
std::optional<std::pair<std::uint32_t, std::uint32_t>> address_range(const Message& message);
// The value a write request puts at the 1-based `address` (coils: 0 or 1); nullopt outside.
std::optional<std::uint16_t> written_value(const Message& message, std::uint32_t address);

}  // namespace tocsin::proto::modbus
