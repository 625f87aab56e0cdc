#include "proto/s7comm/names.h"

#include <array>
#include <cctype>
#include <utility>

namespace tocsin::proto::s7comm {

namespace {

template <typename Code, std::size_t N>
std::string_view lookup(const std::array<std::pair<Code, std::string_view>, N>& table, Code code) {
    for (const auto& [c, name] : table)
        if (c == code) return name;
    return {};
}

template <typename Code, std::size_t N>
std::optional<Code> reverse(const std::array<std::pair<Code, std::string_view>, N>& table,
                            std::string_view name) {
    for (const auto& [c, n] : table)
        if (same_name(name, n)) return c;
    return std::nullopt;
}

using P8 = std::pair<std::uint8_t, std::string_view>;
using P16 = std::pair<std::uint16_t, std::string_view>;

constexpr std::array kRosctr{P8{1, "job"}, P8{2, "ack"}, P8{3, "ack_data"}, P8{7, "userdata"}};

constexpr std::array kFunctions{
    P8{0x00, "cpu_services"},     P8{0x04, "read_var"},       P8{0x05, "write_var"},
    P8{0x1A, "request_download"}, P8{0x1B, "download_block"}, P8{0x1C, "download_ended"},
    P8{0x1D, "start_upload"},     P8{0x1E, "upload"},         P8{0x1F, "end_upload"},
    P8{0x28, "plc_control"},      P8{0x29, "plc_stop"},       P8{0xF0, "setup_communication"},
};

// Memory areas of an S7ANY address.
constexpr std::array kAreas{
    P8{0x03, "SI"}, P8{0x05, "SF"}, P8{0x06, "AI"},    P8{0x07, "AQ"},
    P8{0x1C, "C"},  P8{0x1D, "T"},  P8{0x1E, "IEC_C"}, P8{0x1F, "IEC_T"},
    P8{0x80, "P"},  P8{0x81, "I"},  P8{0x82, "Q"},     P8{0x83, "M"},
    P8{0x84, "DB"}, P8{0x85, "DI"}, P8{0x86, "L"},     P8{0x87, "V"},
};

constexpr std::array kTransportSizes{
    P8{0x01, "BIT"},           P8{0x02, "BYTE"},       P8{0x03, "CHAR"},  P8{0x04, "WORD"},
    P8{0x05, "INT"},           P8{0x06, "DWORD"},      P8{0x07, "DINT"},  P8{0x08, "REAL"},
    P8{0x09, "DATE"},          P8{0x0A, "TOD"},        P8{0x0B, "TIME"},  P8{0x0C, "S5TIME"},
    P8{0x0F, "DATE_AND_TIME"}, P8{0x1C, "COUNTER"},    P8{0x1D, "TIMER"}, P8{0x1E, "IEC_TIMER"},
    P8{0x1F, "IEC_COUNTER"},   P8{0x20, "HS_COUNTER"},
};

constexpr std::array kDataTransportSizes{
    P8{0x00, "NULL"},     P8{0x03, "BIT"},  P8{0x04, "BYTE/WORD/DWORD"}, P8{0x05, "INTEGER"},
    P8{0x06, "DINTEGER"}, P8{0x07, "REAL"}, P8{0x09, "OCTET STRING"},
};

constexpr std::array kReturnCodes{
    P8{0x00, "reserved"},
    P8{0x01, "hardware_error"},
    P8{0x03, "access_denied"},
    P8{0x05, "invalid_address"},
    P8{0x06, "data_type_not_supported"},
    P8{0x07, "data_type_inconsistent"},
    P8{0x0A, "object_does_not_exist"},
    P8{0xFF, "success"},
};

constexpr std::array kErrorClasses{
    P8{0x00, "no_error"},     P8{0x81, "application_relationship"}, P8{0x82, "object_definition"},
    P8{0x83, "no_resources"}, P8{0x84, "service_processing"},       P8{0x85, "supplies"},
    P8{0x87, "access"},
};

constexpr std::array kUserdataTypes{P8{0x0, "push"}, P8{0x4, "request"}, P8{0x8, "response"}};

constexpr std::array kGroups{
    P8{0x0, "mode_transition"}, P8{0x1, "programmer_commands"}, P8{0x2, "cyclic_data"},
    P8{0x3, "block_functions"}, P8{0x4, "cpu_functions"},       P8{0x5, "security"},
    P8{0x6, "pbc_bsend_brecv"}, P8{0x7, "time_functions"},      P8{0xF, "nc_programming"},
};

// Mode transition: the subfunction is the new CPU mode.
constexpr std::array kModes{
    P8{0x00, "stop"},          P8{0x01, "warm_restart"}, P8{0x02, "run"},
    P8{0x03, "hot_restart"},   P8{0x04, "hold"},         P8{0x06, "cold_restart"},
    P8{0x09, "run_redundant"}, P8{0x0B, "link_up"},      P8{0x0C, "update"},
};
constexpr std::array kProgrammer{
    P8{0x01, "request_diag_data_1"}, P8{0x02, "vartab"},           P8{0x0C, "erase"},
    P8{0x0E, "read_diag_data"},      P8{0x0F, "remove_diag_data"}, P8{0x10, "forces"},
    P8{0x13, "request_diag_data_2"},
};
constexpr std::array kCyclic{P8{0x01, "cyclic_transfer"}, P8{0x04, "unsubscribe"},
                             P8{0x05, "change_driven_transfer"},
                             P8{0x07, "change_driven_transfer_modify"}};
constexpr std::array kBlock{P8{0x01, "list_blocks"}, P8{0x02, "list_blocks_of_type"},
                            P8{0x03, "get_block_info"}};
constexpr std::array kCpu{
    P8{0x01, "read_szl"},
    P8{0x02, "message_service"},
    P8{0x03, "diag_message"},
    P8{0x05, "alarm8_indication"},
    P8{0x06, "notify_indication"},
    P8{0x07, "alarm8_lock"},
    P8{0x08, "alarm8_unlock"},
    P8{0x09, "scan_indication"},
    P8{0x0B, "alarm_ack"},
    P8{0x0C, "alarm_ack_indication"},
    P8{0x0D, "alarm_lock_indication"},
    P8{0x0E, "alarm_unlock_indication"},
    P8{0x11, "alarm_sq_indication"},
    P8{0x12, "alarm_s_indication"},
    P8{0x13, "alarm_query"},
    P8{0x16, "notify8_indication"},
};
constexpr std::array kSecurity{P8{0x01, "plc_password"}, P8{0x02, "clean_session"}};
constexpr std::array kTime{P8{0x01, "read_clock"}, P8{0x02, "set_clock"},
                           P8{0x03, "read_clock_following"}, P8{0x04, "set_clock_2"}};

constexpr std::array kPlusOpcodes{P8{0x31, "request"}, P8{0x32, "response"},
                                  P8{0x33, "notification"}, P8{0x02, "response2"}};

constexpr std::array kPlusFunctions{
    P16{0x04BB, "Explore"},
    P16{0x04CA, "CreateObject"},
    P16{0x04D4, "DeleteObject"},
    P16{0x04F2, "SetVariable"},
    P16{0x04FC, "GetVariable"},
    P16{0x0506, "AddLink"},
    P16{0x051A, "RemoveLink"},
    P16{0x0524, "GetLink"},
    P16{0x0542, "SetMultiVariables"},
    P16{0x054C, "GetMultiVariables"},
    P16{0x0556, "BeginSequence"},
    P16{0x0560, "EndSequence"},
    P16{0x056B, "Invoke"},
    P16{0x057C, "SetVarSubStreamed"},
    P16{0x0586, "GetVarSubStreamed"},
    P16{0x0590, "GetVariablesAddress"},
    P16{0x059A, "Abort"},
    P16{0x05A9, "Error"},
    P16{0x05B3, "InitSsl"},
};

// PI services of PLC control / stop, as the public descriptions name them.
constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kPiServices{{
    {"_INSE", "activate a downloaded block"},
    {"_DELE", "delete a block"},
    {"P_PROGRAM", "program invocation (start/stop)"},
    {"_MODU", "compress memory"},
    {"_GARB", "compress memory"},
    {"_N_LOGIN_", "login"},
    {"_N_LOGOUT", "logout"},
    {"_N_CANCEL", "cancel NC alarm"},
    {"_N_DASAVE", "copy RAM to ROM"},
    {"_N_DIGIOF", "turn off digitizing"},
    {"_N_DIGION", "turn on digitizing"},
    {"_EXEC", "execute"},
}};

}  // namespace

bool same_name(std::string_view name, std::string_view canonical) {
    if (name.size() != canonical.size()) return false;
    const auto fold = [](char c) -> char {
        if (c == '-' || c == ' ') return '_';
        return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    };
    for (std::size_t i = 0; i < name.size(); ++i)
        if (fold(name[i]) != fold(canonical[i])) return false;
    return true;
}

std::string_view rosctr_name(std::uint8_t v) {
    return lookup(kRosctr, v);
}
std::string_view function_name(std::uint8_t v) {
    return lookup(kFunctions, v);
}
std::string_view area_name(std::uint8_t v) {
    return lookup(kAreas, v);
}
std::string_view transport_size_name(std::uint8_t v) {
    return lookup(kTransportSizes, v);
}
std::string_view data_transport_size_name(std::uint8_t v) {
    return lookup(kDataTransportSizes, v);
}
std::string_view return_code_name(std::uint8_t v) {
    return lookup(kReturnCodes, v);
}
std::string_view error_class_name(std::uint8_t v) {
    return lookup(kErrorClasses, v);
}
std::string_view userdata_type_name(std::uint8_t v) {
    return lookup(kUserdataTypes, v);
}
std::string_view group_name(std::uint8_t v) {
    return lookup(kGroups, v);
}
std::string_view plus_opcode_name(std::uint8_t v) {
    return lookup(kPlusOpcodes, v);
}
std::string_view plus_function_name(std::uint16_t v) {
    return lookup(kPlusFunctions, v);
}

std::string_view subfunction_name(std::uint8_t g, std::uint8_t sub) {
    switch (g) {
        case 0x0:
            return lookup(kModes, sub);
        case 0x1:
            return lookup(kProgrammer, sub);
        case 0x2:
            return lookup(kCyclic, sub);
        case 0x3:
            return lookup(kBlock, sub);
        case 0x4:
            return lookup(kCpu, sub);
        case 0x5:
            return lookup(kSecurity, sub);
        case 0x7:
            return lookup(kTime, sub);
        default:
            return {};
    }
}

std::string_view pi_service_description(std::string_view service) {
    for (const auto& [name, what] : kPiServices)
        if (name == service) return what;
    return {};
}

std::optional<std::uint8_t> rosctr_code(std::string_view n) {
    return reverse(kRosctr, n);
}
std::optional<std::uint8_t> function_code(std::string_view n) {
    return reverse(kFunctions, n);
}
std::optional<std::uint8_t> area_code(std::string_view n) {
    return reverse(kAreas, n);
}
std::optional<std::uint8_t> group_code(std::string_view n) {
    return reverse(kGroups, n);
}

}  // namespace tocsin::proto::s7comm
