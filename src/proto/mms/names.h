// Names of MMS codes (ISO 9506-2 ASN.1 identifiers, snake_case), for records and keywords.
// An unknown code has no name ("").
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tocsin::proto::mms {

std::string_view pdu_name(std::uint8_t pdu);  // MMSpdu choice: confirmed_request...
std::string_view confirmed_service_name(std::uint32_t service);  // ConfirmedServiceRequest choice
std::string_view unconfirmed_service_name(std::uint32_t service);
std::string_view data_access_error_name(std::int64_t code);
std::string_view error_class_name(std::uint32_t error_class);  // ServiceError errorClass choice
std::string_view reject_type_name(std::uint32_t type);         // RejectPDU rejectReason choice
std::string_view object_class_name(std::int64_t object_class);
std::string_view data_type_name(std::uint32_t tag);  // Data choice: "integer"...

std::optional<std::uint8_t> pdu_code(std::string_view name);
std::optional<std::uint32_t> confirmed_service_code(std::string_view name);

}  // namespace tocsin::proto::mms
