// Names of EtherNet/IP and CIP codes as Suricata 8's EVE `enip` records write them (so
// consumers built for Suricata read Tocsin's records unchanged), and the reverse lookups the
// rule keywords need (enip_command:list_identity, enip.status:success).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tocsin::proto::enip {

// Encapsulation commands (ODVA Vol 2, 2-3.2) in Suricata's snake_case: "list_identity",
// "send_rr_data"; nullopt for a code that is not a command.
std::optional<std::string_view> command_name(std::uint16_t command);
std::optional<std::uint16_t> command_from_name(std::string_view name);  // any case

// Encapsulation status codes (Vol 2, 2-3.3): "success", "invalid_cmd", ...
std::optional<std::string_view> status_name(std::uint32_t status);
std::optional<std::uint32_t> status_from_name(std::string_view name);

// CIP service (without the response bit), general status, extended status (Vol 1, App. B),
// object class, vendor and device type, as Suricata names them.
std::optional<std::string_view> cip_service_name(std::uint8_t service);
std::optional<std::string_view> cip_status_name(std::uint8_t status);
std::optional<std::string_view> cip_extended_status_name(std::uint16_t status);
std::optional<std::string_view> cip_class_name(std::uint32_t cls);
std::optional<std::string_view> vendor_name(std::uint16_t vendor);
std::optional<std::string_view> device_type_name(std::uint16_t type);

// `name` when known, else Suricata's "unknown-<code>".
std::string name_or_unknown(std::optional<std::string_view> name, std::uint64_t code);

}  // namespace tocsin::proto::enip
