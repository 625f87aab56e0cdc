#include "proto/mms/names.h"

#include <array>
#include <cctype>
#include <utility>

namespace tocsin::proto::mms {

namespace {

template <std::size_t N>
std::string_view lookup(const std::array<std::string_view, N>& table, std::int64_t code) {
    return code >= 0 && static_cast<std::uint64_t>(code) < N ? table[static_cast<std::size_t>(code)]
                                                             : std::string_view{};
}

template <std::size_t N>
std::optional<std::size_t> reverse(const std::array<std::string_view, N>& table,
                                   std::string_view name) {
    const auto fold = [](char c) {
        return c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    };
    for (std::size_t i = 0; i < N; ++i) {
        const std::string_view t = table[i];
        if (t.empty() || t.size() != name.size()) continue;
        bool same = true;
        for (std::size_t j = 0; j < t.size() && same; ++j) same = fold(t[j]) == fold(name[j]);
        if (same) return i;
    }
    return std::nullopt;
}

// MMSpdu (ISO 9506-2 clause 7).
constexpr std::array<std::string_view, 14> kPdus{
    "confirmed_request",
    "confirmed_response",
    "confirmed_error",
    "unconfirmed",
    "reject",
    "cancel_request",
    "cancel_response",
    "cancel_error",
    "initiate_request",
    "initiate_response",
    "initiate_error",
    "conclude_request",
    "conclude_response",
    "conclude_error",
};

// ConfirmedServiceRequest (ISO 9506-2 clause 7.3), by context tag.
constexpr std::array<std::string_view, 78> kConfirmed{
    "status",
    "get_name_list",
    "identify",
    "rename",
    "read",
    "write",
    "get_variable_access_attributes",
    "define_named_variable",
    "define_scattered_access",
    "get_scattered_access_attributes",
    "delete_variable_access",
    "define_named_variable_list",
    "get_named_variable_list_attributes",
    "delete_named_variable_list",
    "define_named_type",
    "get_named_type_attributes",
    "delete_named_type",
    "input",
    "output",
    "take_control",
    "relinquish_control",
    "define_semaphore",
    "delete_semaphore",
    "report_semaphore_status",
    "report_pool_semaphore_status",
    "report_semaphore_entry_status",
    "initiate_download_sequence",
    "download_segment",
    "terminate_download_sequence",
    "initiate_upload_sequence",
    "upload_segment",
    "terminate_upload_sequence",
    "request_domain_download",
    "request_domain_upload",
    "load_domain_content",
    "store_domain_content",
    "delete_domain",
    "get_domain_attributes",
    "create_program_invocation",
    "delete_program_invocation",
    "start",
    "stop",
    "resume",
    "reset",
    "kill",
    "get_program_invocation_attributes",
    "obtain_file",
    "define_event_condition",
    "delete_event_condition",
    "get_event_condition_attributes",
    "report_event_condition_status",
    "alter_event_condition_monitoring",
    "trigger_event",
    "define_event_action",
    "delete_event_action",
    "get_event_action_attributes",
    "report_event_action_status",
    "define_event_enrollment",
    "delete_event_enrollment",
    "alter_event_enrollment",
    "report_event_enrollment_status",
    "get_event_enrollment_attributes",
    "acknowledge_event_notification",
    "get_alarm_summary",
    "get_alarm_enrollment_summary",
    "read_journal",
    "write_journal",
    "initialize_journal",
    "report_journal_status",
    "create_journal",
    "delete_journal",
    "get_capability_list",
    "file_open",
    "file_read",
    "file_close",
    "file_rename",
    "file_delete",
    "file_directory",
};

constexpr std::array<std::string_view, 3> kUnconfirmed{"information_report", "unsolicited_status",
                                                       "event_notification"};

constexpr std::array<std::string_view, 12> kDataAccessErrors{
    "object_invalidated",        "hardware_fault",      "temporarily_unavailable",
    "object_access_denied",      "object_undefined",    "invalid_address",
    "type_unsupported",          "type_inconsistent",   "object_attribute_inconsistent",
    "object_access_unsupported", "object_non_existent", "object_value_invalid",
};

constexpr std::array<std::string_view, 13> kErrorClasses{
    "vmd_state",       "application_reference",
    "definition",      "resource",
    "service",         "service_preempt",
    "time_resolution", "access",
    "initiate",        "conclude",
    "cancel",          "file",
    "others",
};

constexpr std::array<std::string_view, 12> kRejectTypes{
    "",
    "confirmed_request",
    "confirmed_response",
    "confirmed_error",
    "unconfirmed",
    "pdu_error",
    "cancel_request",
    "cancel_response",
    "cancel_error",
    "conclude_request",
    "conclude_response",
    "conclude_error",
};

constexpr std::array<std::string_view, 12> kObjectClasses{
    "named_variable", "scattered_access", "named_variable_list", "named_type",
    "semaphore",      "event_condition",  "event_action",        "event_enrollment",
    "journal",        "domain",           "program_invocation",  "operator_station",
};

constexpr std::array<std::string_view, 18> kDataTypes{
    "",
    "array",
    "structure",
    "boolean",
    "bit_string",
    "integer",
    "unsigned",
    "floating_point",
    "real",
    "octet_string",
    "visible_string",
    "generalized_time",
    "binary_time",
    "bcd",
    "boolean_array",
    "obj_id",
    "mms_string",
    "utc_time",
};

}  // namespace

std::string_view pdu_name(std::uint8_t v) {
    return lookup(kPdus, v);
}
std::string_view confirmed_service_name(std::uint32_t v) {
    return lookup(kConfirmed, v);
}
std::string_view unconfirmed_service_name(std::uint32_t v) {
    return lookup(kUnconfirmed, v);
}
std::string_view data_access_error_name(std::int64_t v) {
    return lookup(kDataAccessErrors, v);
}
std::string_view error_class_name(std::uint32_t v) {
    return lookup(kErrorClasses, v);
}
std::string_view reject_type_name(std::uint32_t v) {
    return lookup(kRejectTypes, v);
}
std::string_view object_class_name(std::int64_t v) {
    return lookup(kObjectClasses, v);
}
std::string_view data_type_name(std::uint32_t v) {
    return lookup(kDataTypes, v);
}

std::optional<std::uint8_t> pdu_code(std::string_view name) {
    auto i = reverse(kPdus, name);
    return i ? std::optional<std::uint8_t>(static_cast<std::uint8_t>(*i)) : std::nullopt;
}
std::optional<std::uint32_t> confirmed_service_code(std::string_view name) {
    auto i = reverse(kConfirmed, name);
    return i ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(*i)) : std::nullopt;
}

}  // namespace tocsin::proto::mms
