// Names of BACnet enumerations (ASHRAE 135 clause 21 and Annex J), as the standard's ASN.1
// writes them ("readProperty", "analog-input", "present-value"). Each lookup returns "" for a
// value without a name here; the *_by_name lookups ignore case.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tocsin::proto::bacnet {

std::string_view bvlc_function_name(std::uint8_t function);       // Annex J.2
std::string_view bvlc_result_name(std::uint16_t result);          // J.2.1.1
std::string_view network_message_name(std::uint8_t type);         // 6.2.4
std::string_view pdu_type_name(std::uint8_t type);                // 20.1
std::string_view confirmed_service_name(std::uint8_t service);    // BACnetConfirmedServiceChoice
std::string_view unconfirmed_service_name(std::uint8_t service);  // BACnetUnconfirmedServiceChoice
std::string_view object_type_name(std::uint16_t type);            // BACnetObjectType
std::string_view property_name(std::uint32_t property);           // BACnetPropertyIdentifier
std::string_view error_class_name(std::uint32_t error_class);
std::string_view error_code_name(std::uint32_t error_code);
std::string_view reject_reason_name(std::uint8_t reason);
std::string_view abort_reason_name(std::uint8_t reason);
std::string_view segmentation_name(std::uint32_t segmentation);  // BACnetSegmentation
std::string_view reinitialize_state_name(std::uint32_t state);
std::string_view enable_disable_name(std::uint32_t value);  // deviceCommunicationControl
std::string_view vendor_name(std::uint32_t vendor_id);      // a few well-known vendors

// A service by name: which table it is in and its number.
struct ServiceId {
    bool confirmed = true;
    std::uint8_t code = 0;
};
std::optional<ServiceId> service_by_name(std::string_view name);
std::optional<std::uint16_t> object_type_by_name(std::string_view name);
std::optional<std::uint32_t> property_by_name(std::string_view name);

}  // namespace tocsin::proto::bacnet
