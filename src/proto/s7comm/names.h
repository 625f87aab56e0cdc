// Names of S7comm and S7comm-plus codes, for records and rule keywords. Names are snake_case
// forms of the terms the public protocol descriptions use; an unknown code has no name ("").
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tocsin::proto::s7comm {

std::string_view rosctr_name(std::uint8_t rosctr);
std::string_view function_name(std::uint8_t function);
std::string_view area_name(std::uint8_t area);
std::string_view transport_size_name(std::uint8_t size);       // S7ANY item types
std::string_view data_transport_size_name(std::uint8_t size);  // data items
std::string_view return_code_name(std::uint8_t code);
std::string_view error_class_name(std::uint8_t error_class);
std::string_view userdata_type_name(std::uint8_t type);
std::string_view group_name(std::uint8_t group);
std::string_view subfunction_name(std::uint8_t group, std::uint8_t subfunction);
std::string_view plus_opcode_name(std::uint8_t opcode);
std::string_view plus_function_name(std::uint16_t function);
std::string_view pi_service_description(std::string_view service);

// The code a name stands for (case-insensitive; '_', '-' and ' ' alike); nullopt if none.
std::optional<std::uint8_t> rosctr_code(std::string_view name);
std::optional<std::uint8_t> function_code(std::string_view name);
std::optional<std::uint8_t> area_code(std::string_view name);
std::optional<std::uint8_t> group_code(std::string_view name);

// Whether `name` equals `canonical` under the rule above.
bool same_name(std::string_view name, std::string_view canonical);

}  // namespace tocsin::proto::s7comm
