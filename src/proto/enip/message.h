// EtherNet/IP encapsulation messages and the CIP messages they carry, decoded from bytes.
// References: ODVA "The CIP Networks Library" Vol 2 (EtherNet/IP adaptation) chapter 2
// (encapsulation: header 2-3, commands 2-4, Common Packet Format 2-6) and Vol 1 (CIP):
// 2-4 Message Router request/response, appendix C-1 EPATH segments, 3-5.5 Connection
// Manager services (Forward Open/Close, Unconnected Send), A-4.10 Multiple Service Packet.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/cursor.h"

namespace tocsin::proto::enip {

constexpr std::size_t kHeaderSize = 24;

// Encapsulation commands (Vol 2 table 2-3.2).
namespace command {
constexpr std::uint16_t nop = 0x0000;
constexpr std::uint16_t list_services = 0x0004;
constexpr std::uint16_t list_identity = 0x0063;
constexpr std::uint16_t list_interfaces = 0x0064;
constexpr std::uint16_t register_session = 0x0065;
constexpr std::uint16_t unregister_session = 0x0066;
constexpr std::uint16_t send_rr_data = 0x006F;
constexpr std::uint16_t send_unit_data = 0x0070;
constexpr std::uint16_t indicate_status = 0x0072;
constexpr std::uint16_t cancel = 0x0073;
}  // namespace command

// Common Packet Format item types (Vol 2 table 2-6.3).
namespace item {
constexpr std::uint16_t null_address = 0x0000;
constexpr std::uint16_t identity = 0x000C;
constexpr std::uint16_t connected_address = 0x00A1;
constexpr std::uint16_t connected_data = 0x00B1;
constexpr std::uint16_t unconnected_data = 0x00B2;
constexpr std::uint16_t services = 0x0100;
constexpr std::uint16_t sockaddr_o2t = 0x8000;
constexpr std::uint16_t sockaddr_t2o = 0x8001;
constexpr std::uint16_t sequenced_address = 0x8002;
}  // namespace item

// CIP services with a structure Tocsin reads (Vol 1 appendix A, 3-5.5).
namespace service {
constexpr std::uint8_t get_attributes_all = 0x01;
constexpr std::uint8_t set_attributes_all = 0x02;
constexpr std::uint8_t get_attribute_list = 0x03;
constexpr std::uint8_t set_attribute_list = 0x04;
constexpr std::uint8_t reset = 0x05;
constexpr std::uint8_t start = 0x06;
constexpr std::uint8_t stop = 0x07;
constexpr std::uint8_t multiple_service_packet = 0x0A;
constexpr std::uint8_t get_attribute_single = 0x0E;
constexpr std::uint8_t set_attribute_single = 0x10;
constexpr std::uint8_t set_member = 0x19;
// Connection Manager (class 6) specific.
constexpr std::uint8_t forward_close = 0x4E;
constexpr std::uint8_t unconnected_send = 0x52;
constexpr std::uint8_t forward_open = 0x54;
constexpr std::uint8_t large_forward_open = 0x5B;
}  // namespace service

constexpr std::uint32_t kConnectionManagerClass = 0x06;

struct Header {
    std::uint16_t command = 0;
    std::uint16_t length = 0;  // bytes after the header
    std::uint32_t session = 0;
    std::uint32_t status = 0;
    std::array<std::uint8_t, 8> context{};  // sender context, echoed by the target
    std::uint32_t options = 0;
};

// One EPATH segment (Vol 1 appendix C-1.4). Logical segments keep their first byte as
// `type` (class 0x20/0x21/0x22, instance 0x24.., member 0x28.., connection point 0x2C..,
// attribute 0x30..) and their value; port segments their port and link address; symbolic
// segments their symbol.
struct Segment {
    enum class Kind : std::uint8_t { logical, port, symbolic, data, network, other };
    Kind kind = Kind::other;
    std::uint8_t type = 0;
    std::uint32_t value = 0;  // logical value; port: the port number
    std::string text;         // symbolic: the symbol; port: the link address (dotted bytes)

    // Logical type (bits 2-4): 0 class, 1 instance, 2 member, 3 connection point, 4 attribute.
    int logical_type() const { return kind == Kind::logical ? (type >> 2) & 7 : -1; }
    bool is_class() const { return logical_type() == 0; }
    bool is_instance() const { return logical_type() == 1; }
    bool is_attribute() const { return logical_type() == 4; }
};

struct ForwardOpen {
    bool large = false;
    std::uint32_t o2t_connection_id = 0;
    std::uint32_t t2o_connection_id = 0;
    std::uint16_t connection_serial = 0;
    std::uint16_t originator_vendor = 0;
    std::uint32_t originator_serial = 0;
    std::uint32_t o2t_rpi = 0;  // requested packet interval, microseconds
    std::uint32_t t2o_rpi = 0;
    std::uint8_t transport = 0;  // transport class and trigger
    std::vector<Segment> connection_path;
};

struct ForwardClose {
    std::uint16_t connection_serial = 0;
    std::uint16_t originator_vendor = 0;
    std::uint32_t originator_serial = 0;
    std::vector<Segment> connection_path;
};

// A CIP Message Router request or response (Vol 1 2-4.1, 2-4.2).
struct CipMessage {
    std::uint8_t service = 0;  // without the response bit
    bool response = false;
    // Request.
    std::vector<Segment> path;
    std::vector<std::uint16_t> attribute_list;         // Get_Attribute_List
    std::optional<std::uint16_t> first_set_attribute;  // Set_Attribute_List
    std::optional<ForwardOpen> forward_open;
    std::optional<ForwardClose> forward_close;
    std::vector<Segment> route_path;  // Unconnected Send
    // Response.
    std::uint8_t status = 0;
    std::vector<std::uint8_t> extended_status;  // additional status words, as sent
    // Both.
    std::size_t data_length = 0;       // service data after path / status
    std::vector<CipMessage> multiple;  // Multiple Service Packet: the embedded services
    std::vector<CipMessage> embedded;  // Unconnected Send: the message it carries (0 or 1)
    bool truncated = false;            // the message ended before its fields did

    std::optional<std::uint32_t> last_class() const;
    std::optional<std::uint32_t> first_of(int logical_type) const;
    std::optional<std::uint16_t> extended_status_value() const;  // the first word
};

struct Identity {
    std::uint16_t protocol_version = 0;
    std::uint16_t socket_family = 0;  // sin_family, big-endian on the wire
    std::uint16_t socket_port = 0;
    std::array<std::uint8_t, 4> socket_address{};
    std::uint16_t vendor_id = 0;
    std::uint16_t device_type = 0;
    std::uint16_t product_code = 0;
    std::uint8_t revision_major = 0;
    std::uint8_t revision_minor = 0;
    std::uint16_t status = 0;
    std::uint32_t serial = 0;
    std::string product_name;
    std::uint8_t state = 0;
};

struct ServiceInfo {  // ListServices item (Vol 2 2-4.6.3)
    std::uint16_t protocol_version = 0;
    std::uint16_t capabilities = 0;
    std::string name;  // 16 bytes, NUL padded on the wire; kept whole as Suricata does
};

// One Common Packet Format item.
struct Item {
    std::uint16_t type = 0;
    std::uint16_t length = 0;
    std::optional<std::uint32_t> connection_id;  // connected / sequenced address
    std::optional<std::uint32_t> sequence;       // sequenced address
    std::optional<std::uint16_t> cip_sequence;   // connected data: the sequence count
    std::optional<CipMessage> cip;               // connected / unconnected data
    std::optional<Identity> identity;
    std::optional<ServiceInfo> services;
    bool io = false;                    // connected data that is class 0/1 I/O, not a CIP message
    std::vector<std::uint8_t> io_data;  // its bytes (bounded by kMaxIoData)
};

struct RegisterSession {
    std::uint16_t protocol_version = 0;
    std::uint16_t options = 0;
};

// One encapsulation message.
struct Pdu {
    Header header;
    enum class Payload : std::uint8_t {
        none,
        cip,  // SendRRData / SendUnitData
        list_identity,
        list_services,
        list_interfaces,
        register_session
    } payload = Payload::none;
    std::uint32_t interface_handle = 0;
    std::uint16_t timeout = 0;
    std::vector<Item> items;
    RegisterSession register_session;
    bool invalid = false;  // the command's data did not decode

    const CipMessage* first_cip() const;  // the first data item's message, as Suricata reads
    const Identity* identity() const;     // the first item, when it is an identity item
    const ServiceInfo* service_info() const;
};

// Bounds on what a peer controls.
constexpr std::size_t kMaxItems = 16;
constexpr std::size_t kMaxSegments = 32;
constexpr std::size_t kMaxMultiple = 64;
constexpr std::size_t kMaxAttributes = 64;
constexpr std::size_t kMaxIoData = 512;
constexpr int kMaxNesting = 3;  // Unconnected Send / Multiple Service Packet levels

// The header's fields (no checks); nullopt with fewer than 24 bytes.
std::optional<Header> parse_header(ByteSpan data);
// Whether the header could start an encapsulation message: a known command, options 0, a
// status Tocsin knows, and the length rules of the fixed-size commands.
bool plausible_header(const Header& h);

// The message whose header is `h` and whose data (h.length bytes) is `data`.
Pdu parse_pdu(const Header& h, ByteSpan data);

// A Common Packet Format without encapsulation header: the class 0/1 I/O datagrams on UDP
// 2222 (Vol 2 2-6.2); nullopt when `data` does not have that shape.
std::optional<std::vector<Item>> parse_io_datagram(ByteSpan data);

// One CIP message at `depth` (0 for the one in a data item).
CipMessage parse_cip(ByteSpan data, int depth = 0);
// The segments of an EPATH of `data`'s bytes; stops at the first it cannot read.
std::vector<Segment> parse_path(ByteSpan data, bool* complete = nullptr);

}  // namespace tocsin::proto::enip
