#include "proto/enip/names.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace tocsin::proto::enip {

namespace {

template <typename Code>
struct Entry {
    Code code;
    std::string_view name;
};

template <typename Code, std::size_t N>
std::optional<std::string_view> find(const std::array<Entry<Code>, N>& table, Code code) {
    const auto it = std::find_if(table.begin(), table.end(),
                                 [code](const Entry<Code>& e) { return e.code == code; });
    if (it == table.end()) return std::nullopt;
    return it->name;
}

bool same_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

template <typename Code, std::size_t N>
std::optional<Code> find_code(const std::array<Entry<Code>, N>& table, std::string_view name) {
    for (const Entry<Code>& e : table)
        if (same_ignoring_case(e.name, name)) return e.code;
    return std::nullopt;
}

// ODVA Vol 2 table 2-3.2; names as Suricata derives them from its enum (SendRRData ->
// send_rr_data).
constexpr std::array<Entry<std::uint16_t>, 10> kCommands{{
    {0x0000, "nop"},
    {0x0004, "list_services"},
    {0x0063, "list_identity"},
    {0x0064, "list_interfaces"},
    {0x0065, "register_session"},
    {0x0066, "unregister_session"},
    {0x006F, "send_rr_data"},
    {0x0070, "send_unit_data"},
    {0x0072, "indicate_status"},
    {0x0073, "cancel"},
}};

// Vol 2 table 2-3.3, plus 0x6A which Wireshark knows.
constexpr std::array<Entry<std::uint32_t>, 8> kStatuses{{
    {0x00, "success"},
    {0x01, "invalid_cmd"},
    {0x02, "no_resources"},
    {0x03, "incorrect_data"},
    {0x64, "invalid_session"},
    {0x65, "invalid_length"},
    {0x69, "unsupported_prot_rev"},
    {0x6A, "encap_header_error"},
}};

// Vol 1 appendix A-3 (common services) and the class-specific codes Suricata names. 0x4E,
// 0x52 and 0x54 mean Forward Close, Unconnected Send and Forward Open on the Connection
// Manager; Suricata's record names them after their meaning elsewhere, and so does Tocsin's.
constexpr std::array<Entry<std::uint8_t>, 32> kServices{{
    {0x01, "Get Attributes All"},
    {0x02, "Set Attributes All"},
    {0x03, "Get Attribute List"},
    {0x04, "Set Attribute List"},
    {0x05, "Reset"},
    {0x06, "Start"},
    {0x07, "Stop"},
    {0x08, "Create"},
    {0x09, "Delete"},
    {0x0A, "Multiple Service Packet"},
    {0x0D, "Apply Attributes"},
    {0x0E, "Get Attributes Single"},
    {0x10, "Set Attributes Single"},
    {0x11, "Find Next Object Instance"},
    {0x15, "Restore"},
    {0x16, "Save"},
    {0x17, "No Forward Open"},
    {0x18, "Get Member"},
    {0x19, "Set Member"},
    {0x1A, "Insert Member"},
    {0x1B, "Remove Member"},
    {0x1C, "Group Sync"},
    {0x1D, "Get Connection Point Member List"},
    {0x4B, "Execute PCCC Service"},
    {0x4C, "Read Data"},
    {0x4D, "Write Data"},
    {0x4E, "Read Write Modify Data"},
    {0x52, "Read Data Fragmented"},
    {0x53, "Write Data Fragmented"},
    {0x54, "Forward Open"},
    {0x5B, "Large Forward Open"},
    {0x5C, "Get Connection Owner"},
}};

// Vol 1 appendix B-1 general status codes.
constexpr std::array<Entry<std::uint8_t>, 46> kCipStatuses{{
    {0x00, "Success"},
    {0x01, "Connection Failure"},
    {0x02, "Resource Unavailable"},
    {0x03, "Invalid Parameter Value"},
    {0x04, "Path Segment Error"},
    {0x05, "Path Destination Unknown"},
    {0x06, "Partial Transfer"},
    {0x07, "Connection Lost"},
    {0x08, "Service Not Supported"},
    {0x09, "Invalid Attribute Value"},
    {0x0A, "Attribute List Error"},
    {0x0B, "Already In Requested Mode/State"},
    {0x0C, "Object State Conflict"},
    {0x0D, "Object Already Exists"},
    {0x0E, "Attribute Not Settable"},
    {0x0F, "Privilege Violation"},
    {0x10, "Device State Conflict"},
    {0x11, "Reply Data Too Large"},
    {0x12, "Fragmentation Of A Primitive Value"},
    {0x13, "Not Enough Data"},
    {0x14, "Attribute Not Supported"},
    {0x15, "Too Much Data"},
    {0x16, "Object Does Not Exist"},
    {0x17, "Service Fragmentation Sequence Not In Progress"},
    {0x18, "No Stored Attribute Data"},
    {0x19, "Store Operation Failure"},
    {0x1A, "Routing Failure, Request Packet Too Large"},
    {0x1B, "Routing Failure, Response Packet Too Large"},
    {0x1C, "Missing Attribute List Entry Data"},
    {0x1D, "Invalid Attribute Value List"},
    {0x1E, "Embedded Service Error"},
    {0x1F, "Vendor Specific Error"},
    {0x20, "Invalid Parameter"},
    {0x21, "Write-Once Value Or Medium Already Written"},
    {0x22, "Invalid Reply Received"},
    {0x23, "Buffer Overflow"},
    {0x24, "Invalid Message Format"},
    {0x25, "Key Failure In Path"},
    {0x26, "Path Size Invalid"},
    {0x27, "Unexpected Attribute In List"},
    {0x28, "Invalid Member ID"},
    {0x29, "Member Not Settable"},
    {0x2A, "Group 2 Only Server General Failure"},
    {0x2B, "Unknown Modbus Error"},
    {0x2C, "Attribute Not Gettable"},
    {0xFF, "Still Processing"},
}};

// Vol 1 table 3-5.29: Connection Manager extended status codes (status 0x01).
constexpr std::array<Entry<std::uint16_t>, 30> kExtendedStatuses{{
    {0x0100, "Connection in use or duplicate Forward Open"},
    {0x0103, "Transport class and trigger combination not supported"},
    {0x0106, "Ownership conflict"},
    {0x0107, "Target connection not found"},
    {0x0108, "Invalid network connection parameter"},
    {0x0109, "Invalid connection size"},
    {0x0110, "Target for connection not configured"},
    {0x0111, "RPI not supported"},
    {0x0112, "RPI value(s) not acceptable"},
    {0x0113, "Out of connections"},
    {0x0114, "Vendor ID or product code mismatch"},
    {0x0115, "Device type mismatch"},
    {0x0116, "Revision mismatch"},
    {0x0117, "Invalid produced or consumed application path"},
    {0x0118, "Invalid or inconsistent configuration application path"},
    {0x0119, "Non-listen only connection not opened"},
    {0x011A, "Target object out of connections"},
    {0x011B, "RPI is smaller than the production inhibit time"},
    {0x0127, "Invalid O->T size"},
    {0x0128, "Invalid T->O size"},
    {0x0203, "Connection timed out"},
    {0x0204, "Unconnected request timed out"},
    {0x0205, "Parameter error in unconnected request"},
    {0x0206, "Message too large for UnconnectedSend"},
    {0x0207, "Unconnected acknowledged without reply"},
    {0x0301, "No buffer memory available"},
    {0x0302, "Network bandwidth not available for data"},
    {0x0311, "Port not available"},
    {0x0312, "Link address not valid"},
    {0x0315, "Invalid segment in connection path"},
}};

// Vol 1 table 5-1.1 (object classes) and the network-specific ones.
constexpr std::array<Entry<std::uint32_t>, 52> kClasses{{
    {0x01, "Identity"},
    {0x02, "Message Router"},
    {0x03, "DeviceNet"},
    {0x04, "Assembly"},
    {0x05, "Connection"},
    {0x06, "Connection Manager"},
    {0x07, "Register"},
    {0x08, "Discrete Input Point"},
    {0x09, "Discrete Output Point"},
    {0x0A, "Analog Input Point"},
    {0x0B, "Analog Output Point"},
    {0x0E, "Presence Sensing"},
    {0x0F, "Parameter"},
    {0x10, "Parameter Group"},
    {0x12, "Group"},
    {0x1D, "Discrete Input Group"},
    {0x1E, "Discrete Output Group"},
    {0x1F, "Discrete Group"},
    {0x20, "Analog Input Group"},
    {0x21, "Analog Output Group"},
    {0x22, "Analog Group"},
    {0x23, "Position Sensor"},
    {0x24, "Position Controller Supervisor"},
    {0x25, "Position Controller"},
    {0x26, "Block Sequencer"},
    {0x27, "Command Block"},
    {0x28, "Motor Data"},
    {0x29, "Control Supervisor"},
    {0x2A, "AC/DC Drive"},
    {0x2B, "Acknowledge Handler"},
    {0x2C, "Overload"},
    {0x2D, "Softstart"},
    {0x2E, "Selection"},
    {0x37, "File"},
    {0x41, "Event Log"},
    {0x42, "Motion Device Axis"},
    {0x43, "Time Sync"},
    {0x44, "Modbus"},
    {0x47, "Device Level Ring (DLR)"},
    {0x48, "QoS"},
    {0x5D, "CIP Security"},
    {0x5E, "EtherNet/IP Security"},
    {0x5F, "Certificate Management"},
    {0x67, "PCCC Class"},
    {0xF0, "ControlNet"},
    {0xF1, "ControlNet Keeper"},
    {0xF2, "ControlNet Scheduling"},
    {0xF3, "Connection Configuration"},
    {0xF4, "Port"},
    {0xF5, "TCP/IP Interface"},
    {0xF6, "Ethernet Link"},
    {0xF7, "CompoNet"},
}};

// ODVA vendor ids (the public list) of the vendors most often met on plant floors.
constexpr std::array<Entry<std::uint16_t>, 60> kVendors{{
    {1, "Rockwell Automation/Allen-Bradley"},
    {2, "Namco Controls Corp."},
    {3, "Honeywell Inc."},
    {4, "Parker Hannifin Corp. (Veriflo Division)"},
    {5, "Rockwell Automation/Reliance Elec."},
    {7, "SMC Corporation"},
    {8, "Molex Incorporated"},
    {9, "Western Reserve Controls Corp."},
    {10, "Advanced Micro Controls Inc. (AMCI)"},
    {11, "ASCO Pneumatic Controls"},
    {12, "Banner Engineering Corp."},
    {13, "Belden Wire & Cable Company"},
    {16, "Daniel Woodhead Co. (Woodhead Connectivity)"},
    {26, "Festo Corporation"},
    {37, "Yaskawa Electric America (formerly Magnetek Drives)"},
    {40, "Wago Corporation"},
    {43, "BALLUFF Inc."},
    {44, "Yaskawa Electric America Inc."},
    {45, "Eurotherm Controls Inc"},
    {46, "ABB Industrial Systems"},
    {47, "Omron Corporation"},
    {48, "Turck Inc."},
    {50, "Real Time Automation (C&ID)"},
    {56, "Softing GmbH"},
    {57, "Pepperl + Fuchs"},
    {58, "Spectrum Controls Inc."},
    {68, "Eaton Electrical"},
    {71, "Toshiba International Corp."},
    {74, "Hitachi Ltd."},
    {75, "ABB Robotics Products AB"},
    {77, "Rockwell Software Inc."},
    {81, "IXXAT Automation GmbH"},
    {82, "Mitsubishi Electric Automation Inc."},
    {83, "OPTO-22"},
    {90, "HMS Industrial Networks AB"},
    {94, "Advantech Co. Ltd."},
    {95, "Square D Company"},
    {97, "Danfoss"},
    {108, "Beckhoff Automation GmbH"},
    {109, "National Instruments"},
    {121, "KUKA Roboter GmbH"},
    {143, "GE Industrial Systems"},
    {145, "Siemens Energy & Automation/Drives"},
    {161, "Mitsubishi Electric Corporation"},
    {176, "Red Lion Controls"},
    {181, "Pilz GmbH & Co"},
    {243, "Schneider Automation Inc."},
    {250, "Yokogawa Electric Corporation"},
    {255, "Bosch Rexroth"},
    {256, "Turck"},
    {257, "Control Techniques PLC"},
    {259, "LS Industrial Systems"},
    {283, "Hilscher GmbH"},
    {287, "Bosch Rexroth Corporation, Indramat"},
    {309, "Prosoft Technology"},
    {315, "SEW Eurodrive GmbH"},
    {319, "Fuji Electric Co. Ltd."},
    {326, "GE Fanuc Automation North America Inc."},
    {356, "Fanuc Robotics America"},
    {367, "Keyence Corporation"},
}};

// Vol 1 table 6-7.1 device profiles.
constexpr std::array<Entry<std::uint16_t>, 53> kDeviceTypes{{
    {0, "Generic Device (deprecated)"},
    {1, "Control Station (deprecated)"},
    {2, "AC Drive Device"},
    {3, "Motor Overload"},
    {4, "Limit Switch"},
    {5, "Inductive Proximity Switch"},
    {6, "Photoelectric Sensor"},
    {7, "General Purpose Discrete I/O"},
    {8, "Encoder (deprecated)"},
    {9, "Resolver"},
    {10, "General Purpose Analog I/O (deprecated)"},
    {12, "Communications Adapter"},
    {13, "Barcode Scanner (deprecated)"},
    {14, "Programmable Logic Controller"},
    {16, "Position Controller"},
    {17, "Weigh Scale (deprecated)"},
    {18, "Message Display (deprecated)"},
    {19, "DC Drive"},
    {20, "Servo Drives (deprecated)"},
    {21, "Contactor"},
    {22, "Motor Starter"},
    {23, "Softstart Starter"},
    {24, "Human-Machine Interface"},
    {25, "Pneumatic Valve(s) (deprecated)"},
    {26, "Mass Flow Controller"},
    {27, "Pneumatic Valve(s)"},
    {28, "Vacuum Pressure Gauge"},
    {29, "Process Control Value"},
    {30, "Residual Gas Analyzer"},
    {31, "DC Power Generator"},
    {32, "RF Power Generator"},
    {33, "Turbomolecular Vacuum Pump"},
    {34, "Encoder"},
    {35, "Safety Discrete I/O Device"},
    {36, "Fluid Flow Controller"},
    {37, "CIP Motion Drive"},
    {38, "CompoNet Repeater"},
    {39, "Mass Flow Controller Enhanced"},
    {40, "CIP Modbus Device"},
    {41, "CIP Modbus Translator"},
    {42, "Safety Analog I/O Device"},
    {43, "Generic Device (keyable)"},
    {44, "Managed Ethernet Switch"},
    {45, "CIP Motion Safety Drive Device"},
    {46, "Safety Drive Device"},
    {47, "CIP Motion Encoder"},
    {48, "CIP Motion Converter"},
    {49, "CIP Motion I/O"},
    {50, "ControlNet Physical Layer Component"},
    {100, "In-Sight 2000 Series"},
    {150, "PowerFlex 525"},
    {200, "Embedded Component"},
    {773, "DataMan Series Reader"},
}};

}  // namespace

std::optional<std::string_view> command_name(std::uint16_t command) {
    return find(kCommands, command);
}
std::optional<std::uint16_t> command_from_name(std::string_view name) {
    return find_code(kCommands, name);
}
std::optional<std::string_view> status_name(std::uint32_t status) {
    return find(kStatuses, status);
}
std::optional<std::uint32_t> status_from_name(std::string_view name) {
    return find_code(kStatuses, name);
}
std::optional<std::string_view> cip_service_name(std::uint8_t service) {
    return find(kServices, service);
}
std::optional<std::string_view> cip_status_name(std::uint8_t status) {
    return find(kCipStatuses, status);
}
std::optional<std::string_view> cip_extended_status_name(std::uint16_t status) {
    return find(kExtendedStatuses, status);
}
std::optional<std::string_view> cip_class_name(std::uint32_t cls) {
    return find(kClasses, cls);
}
std::optional<std::string_view> vendor_name(std::uint16_t vendor) {
    return find(kVendors, vendor);
}
std::optional<std::string_view> device_type_name(std::uint16_t type) {
    return find(kDeviceTypes, type);
}

std::string name_or_unknown(std::optional<std::string_view> name, std::uint64_t code) {
    if (name) return std::string(*name);
    return "unknown-" + std::to_string(code);
}

}  // namespace tocsin::proto::enip
