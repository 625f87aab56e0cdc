#include "proto/bacnet/names.h"

#include <algorithm>
#include <span>

namespace tocsin::proto::bacnet {

namespace {

// Dense enumerations: the name of value i at index i ("" for an unassigned value).
std::string_view at(std::span<const std::string_view> table, std::uint64_t value) {
    return value < table.size() ? table[value] : std::string_view{};
}

bool iequals(std::string_view a, std::string_view b) {
    return std::ranges::equal(a, b, [](char x, char y) {
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
        return lower(x) == lower(y);
    });
}

template <typename T>
std::optional<T> find(std::span<const std::string_view> table, std::string_view name) {
    if (name.empty()) return std::nullopt;
    for (std::size_t i = 0; i < table.size(); ++i)
        if (!table[i].empty() && iequals(table[i], name)) return static_cast<T>(i);
    return std::nullopt;
}

constexpr std::string_view kBvlcFunctions[] = {
    "bvlc-result",
    "write-broadcast-distribution-table",
    "read-broadcast-distribution-table",
    "read-broadcast-distribution-table-ack",
    "forwarded-npdu",
    "register-foreign-device",
    "read-foreign-device-table",
    "read-foreign-device-table-ack",
    "delete-foreign-device-table-entry",
    "distribute-broadcast-to-network",
    "original-unicast-npdu",
    "original-broadcast-npdu",
    "secure-bvll",
};

constexpr std::string_view kNetworkMessages[] = {
    "who-is-router-to-network",
    "i-am-router-to-network",
    "i-could-be-router-to-network",
    "reject-message-to-network",
    "router-busy-to-network",
    "router-available-to-network",
    "initialize-routing-table",
    "initialize-routing-table-ack",
    "establish-connection-to-network",
    "disconnect-connection-to-network",
    "challenge-request",
    "security-payload",
    "security-response",
    "request-key-update",
    "update-key-set",
    "update-distribution-key",
    "request-master-key",
    "set-master-key",
    "what-is-network-number",
    "network-number-is",
};

constexpr std::string_view kPduTypes[] = {
    "confirmed-request",
    "unconfirmed-request",
    "simple-ack",
    "complex-ack",
    "segment-ack",
    "error",
    "reject",
    "abort",
};

constexpr std::string_view kConfirmedServices[] = {
    "acknowledgeAlarm",
    "confirmedCOVNotification",
    "confirmedEventNotification",
    "getAlarmSummary",
    "getEnrollmentSummary",
    "subscribeCOV",
    "atomicReadFile",
    "atomicWriteFile",
    "addListElement",
    "removeListElement",
    "createObject",
    "deleteObject",
    "readProperty",
    "readPropertyConditional",
    "readPropertyMultiple",
    "writeProperty",
    "writePropertyMultiple",
    "deviceCommunicationControl",
    "confirmedPrivateTransfer",
    "confirmedTextMessage",
    "reinitializeDevice",
    "vtOpen",
    "vtClose",
    "vtData",
    "authenticate",
    "requestKey",
    "readRange",
    "lifeSafetyOperation",
    "subscribeCOVProperty",
    "getEventInformation",
    "subscribeCOVPropertyMultiple",
    "confirmedCOVNotificationMultiple",
    "confirmedAuditNotification",
    "auditLogQuery",
};

constexpr std::string_view kUnconfirmedServices[] = {
    "i-Am",
    "i-Have",
    "unconfirmedCOVNotification",
    "unconfirmedEventNotification",
    "unconfirmedPrivateTransfer",
    "unconfirmedTextMessage",
    "timeSynchronization",
    "who-Has",
    "who-Is",
    "utcTimeSynchronization",
    "writeGroup",
    "unconfirmedCOVNotificationMultiple",
    "unconfirmedAuditNotification",
    "who-Am-I",
    "you-Are",
};

constexpr std::string_view kObjectTypes[] = {
    "analog-input",
    "analog-output",
    "analog-value",
    "binary-input",
    "binary-output",
    "binary-value",
    "calendar",
    "command",
    "device",
    "event-enrollment",
    "file",
    "group",
    "loop",
    "multi-state-input",
    "multi-state-output",
    "notification-class",
    "program",
    "schedule",
    "averaging",
    "multi-state-value",
    "trend-log",
    "life-safety-point",
    "life-safety-zone",
    "accumulator",
    "pulse-converter",
    "event-log",
    "global-group",
    "trend-log-multiple",
    "load-control",
    "structured-view",
    "access-door",
    "timer",
    "access-credential",
    "access-point",
    "access-rights",
    "access-user",
    "access-zone",
    "credential-data-input",
    "network-security",
    "bitstring-value",
    "characterstring-value",
    "date-pattern-value",
    "date-value",
    "datetime-pattern-value",
    "datetime-value",
    "integer-value",
    "large-analog-value",
    "octetstring-value",
    "positive-integer-value",
    "time-pattern-value",
    "time-value",
    "notification-forwarder",
    "alert-enrollment",
    "channel",
    "lighting-output",
    "binary-lighting-output",
    "network-port",
    "elevator-group",
    "escalator",
    "lift",
    "staging",
    "audit-log",
    "audit-reporter",
    "color",
    "color-temperature",
};

// BACnetPropertyIdentifier 0..206 (the removed 18, 51, 55, 95, 101, 129, 138, 194 unnamed).
constexpr std::string_view kProperties[] = {
    "acked-transitions",
    "ack-required",
    "action",
    "action-text",
    "active-text",
    "active-vt-sessions",
    "alarm-value",
    "alarm-values",
    "all",
    "all-writes-successful",
    "apdu-segment-timeout",
    "apdu-timeout",
    "application-software-version",
    "archive",
    "bias",
    "change-of-state-count",
    "change-of-state-time",
    "notification-class",
    "",
    "controlled-variable-reference",
    "controlled-variable-units",
    "controlled-variable-value",
    "cov-increment",
    "date-list",
    "daylight-savings-status",
    "deadband",
    "derivative-constant",
    "derivative-constant-units",
    "description",
    "description-of-halt",
    "device-address-binding",
    "device-type",
    "effective-period",
    "elapsed-active-time",
    "error-limit",
    "event-enable",
    "event-state",
    "event-type",
    "exception-schedule",
    "fault-values",
    "feedback-value",
    "file-access-method",
    "file-size",
    "file-type",
    "firmware-revision",
    "high-limit",
    "inactive-text",
    "in-process",
    "instance-of",
    "integral-constant",
    "integral-constant-units",
    "",
    "limit-enable",
    "list-of-group-members",
    "list-of-object-property-references",
    "",
    "local-date",
    "local-time",
    "location",
    "low-limit",
    "manipulated-variable-reference",
    "maximum-output",
    "max-apdu-length-accepted",
    "max-info-frames",
    "max-master",
    "max-pres-value",
    "minimum-off-time",
    "minimum-on-time",
    "minimum-output",
    "min-pres-value",
    "model-name",
    "modification-date",
    "notify-type",
    "number-of-apdu-retries",
    "number-of-states",
    "object-identifier",
    "object-list",
    "object-name",
    "object-property-reference",
    "object-type",
    "optional",
    "out-of-service",
    "output-units",
    "event-parameters",
    "polarity",
    "present-value",
    "priority",
    "priority-array",
    "priority-for-writing",
    "process-identifier",
    "program-change",
    "program-location",
    "program-state",
    "proportional-constant",
    "proportional-constant-units",
    "",
    "protocol-object-types-supported",
    "protocol-services-supported",
    "protocol-version",
    "read-only",
    "reason-for-halt",
    "",
    "recipient-list",
    "reliability",
    "relinquish-default",
    "required",
    "resolution",
    "segmentation-supported",
    "setpoint",
    "setpoint-reference",
    "state-text",
    "status-flags",
    "system-status",
    "time-delay",
    "time-of-active-time-reset",
    "time-of-state-count-reset",
    "time-synchronization-recipients",
    "units",
    "update-interval",
    "utc-offset",
    "vendor-identifier",
    "vendor-name",
    "vt-classes-supported",
    "weekly-schedule",
    "attempted-samples",
    "average-value",
    "buffer-size",
    "client-cov-increment",
    "cov-resubscription-interval",
    "",
    "event-time-stamps",
    "log-buffer",
    "log-device-object-property",
    "enable",
    "log-interval",
    "maximum-value",
    "minimum-value",
    "notification-threshold",
    "",
    "protocol-revision",
    "records-since-notification",
    "record-count",
    "start-time",
    "stop-time",
    "stop-when-full",
    "total-record-count",
    "valid-samples",
    "window-interval",
    "window-samples",
    "maximum-value-timestamp",
    "minimum-value-timestamp",
    "variance-value",
    "active-cov-subscriptions",
    "backup-failure-timeout",
    "configuration-files",
    "database-revision",
    "direct-reading",
    "last-restore-time",
    "maintenance-required",
    "member-of",
    "mode",
    "operation-expected",
    "setting",
    "silenced",
    "tracking-value",
    "zone-members",
    "life-safety-alarm-values",
    "max-segments-accepted",
    "profile-name",
    "auto-slave-discovery",
    "manual-slave-address-binding",
    "slave-address-binding",
    "slave-proxy-enable",
    "last-notify-record",
    "schedule-default",
    "accepted-modes",
    "adjust-value",
    "count",
    "count-before-change",
    "count-change-time",
    "cov-period",
    "input-reference",
    "limit-monitoring-interval",
    "logging-object",
    "logging-record",
    "prescale",
    "pulse-rate",
    "scale",
    "scale-factor",
    "update-time",
    "value-before-change",
    "value-set",
    "value-change-time",
    "align-intervals",
    "",
    "interval-offset",
    "last-restart-reason",
    "logging-type",
    "",
    "",
    "",
    "",
    "restart-notification-recipients",
    "time-of-device-restart",
    "time-synchronization-interval",
    "trigger",
    "utc-time-synchronization-recipients",
};

// Later properties that matter to an inventory, outside the dense table.
struct Named {
    std::uint32_t value;
    std::string_view name;
};
constexpr Named kLaterProperties[] = {
    {371, "property-list"},
    {485, "serial-number"},
};

constexpr std::string_view kErrorClasses[] = {
    "device", "object", "property", "resources", "security", "services", "vt", "communication",
};

constexpr std::string_view kErrorCodes[] = {
    "other",
    "authentication-failed",
    "configuration-in-progress",
    "device-busy",
    "dynamic-creation-not-supported",
    "file-access-denied",
    "incompatible-security-levels",
    "inconsistent-parameters",
    "inconsistent-selection-criterion",
    "invalid-data-type",
    "invalid-file-access-method",
    "invalid-file-start-position",
    "invalid-operator-name",
    "invalid-parameter-data-type",
    "invalid-time-stamp",
    "key-generation-error",
    "missing-required-parameter",
    "no-objects-of-specified-type",
    "no-space-for-object",
    "no-space-to-add-list-element",
    "no-space-to-write-property",
    "no-vt-sessions-available",
    "property-is-not-a-list",
    "object-deletion-not-permitted",
    "object-identifier-already-exists",
    "operational-problem",
    "password-failure",
    "read-access-denied",
    "security-not-supported",
    "service-request-denied",
    "timeout",
    "unknown-object",
    "unknown-property",
    "",
    "unknown-vt-class",
    "unknown-vt-session",
    "unsupported-object-type",
    "value-out-of-range",
    "vt-session-already-closed",
    "vt-session-termination-failure",
    "write-access-denied",
    "character-set-not-supported",
    "invalid-array-index",
    "cov-subscription-failed",
    "not-cov-property",
    "optional-functionality-not-supported",
    "invalid-configuration-data",
    "datatype-not-supported",
    "duplicate-name",
    "duplicate-object-id",
    "property-is-not-an-array",
};

constexpr std::string_view kRejectReasons[] = {
    "other",
    "buffer-overflow",
    "inconsistent-parameters",
    "invalid-parameter-data-type",
    "invalid-tag",
    "missing-required-parameter",
    "parameter-out-of-range",
    "too-many-arguments",
    "undefined-enumeration",
    "unrecognized-service",
};

constexpr std::string_view kAbortReasons[] = {
    "other",
    "buffer-overflow",
    "invalid-apdu-in-this-state",
    "preempted-by-higher-priority-task",
    "segmentation-not-supported",
    "security-error",
    "insufficient-security",
    "window-size-out-of-range",
    "application-exceeded-reply-time",
    "out-of-resources",
    "tsm-timeout",
    "apdu-too-long",
};

constexpr std::string_view kSegmentation[] = {
    "segmented-both",
    "segmented-transmit",
    "segmented-receive",
    "no-segmentation",
};

constexpr std::string_view kReinitializeStates[] = {
    "coldstart",    "warmstart",  "startbackup",  "endbackup",
    "startrestore", "endrestore", "abortrestore", "activate-changes",
};

constexpr std::string_view kEnableDisable[] = {"enable", "disable", "disable-initiation"};

// Vendor identifiers ASHRAE assigned to some well-known manufacturers.
constexpr Named kVendors[] = {
    {0, "ASHRAE"},
    {1, "NIST"},
    {2, "The Trane Company"},
    {5, "Johnson Controls, Inc."},
    {7, "Siemens Schweiz AG"},
    {8, "Delta Controls"},
    {9, "Siemens Schweiz AG"},
    {10, "Schneider Electric"},
    {11, "TAC"},
    {16, "United Technologies Carrier"},
    {17, "Honeywell Inc."},
    {18, "Alerton / Honeywell"},
    {24, "Automated Logic Corporation"},
    {28, "KMC Controls, Inc."},
    {35, "Reliable Controls Corporation"},
    {36, "Tridium Inc."},
    {39, "Kieback & Peter GmbH & Co KG"},
};

std::string_view named(std::span<const Named> table, std::uint32_t value) {
    for (const Named& n : table)
        if (n.value == value) return n.name;
    return {};
}

}  // namespace

std::string_view bvlc_function_name(std::uint8_t function) {
    return at(kBvlcFunctions, function);
}

std::string_view bvlc_result_name(std::uint16_t result) {
    switch (result) {
        case 0x0000:
            return "successful-completion";
        case 0x0010:
            return "write-broadcast-distribution-table-nak";
        case 0x0020:
            return "read-broadcast-distribution-table-nak";
        case 0x0030:
            return "register-foreign-device-nak";
        case 0x0040:
            return "read-foreign-device-table-nak";
        case 0x0050:
            return "delete-foreign-device-table-entry-nak";
        case 0x0060:
            return "distribute-broadcast-to-network-nak";
        default:
            return {};
    }
}

std::string_view network_message_name(std::uint8_t type) {
    return at(kNetworkMessages, type);
}
std::string_view pdu_type_name(std::uint8_t type) {
    return at(kPduTypes, type);
}
std::string_view confirmed_service_name(std::uint8_t service) {
    return at(kConfirmedServices, service);
}
std::string_view unconfirmed_service_name(std::uint8_t service) {
    return at(kUnconfirmedServices, service);
}
std::string_view object_type_name(std::uint16_t type) {
    return at(kObjectTypes, type);
}
std::string_view property_name(std::uint32_t property) {
    const std::string_view dense = at(kProperties, property);
    return dense.empty() ? named(kLaterProperties, property) : dense;
}
std::string_view error_class_name(std::uint32_t error_class) {
    return at(kErrorClasses, error_class);
}
std::string_view error_code_name(std::uint32_t error_code) {
    return at(kErrorCodes, error_code);
}
std::string_view reject_reason_name(std::uint8_t reason) {
    return at(kRejectReasons, reason);
}
std::string_view abort_reason_name(std::uint8_t reason) {
    return at(kAbortReasons, reason);
}
std::string_view segmentation_name(std::uint32_t segmentation) {
    return at(kSegmentation, segmentation);
}
std::string_view reinitialize_state_name(std::uint32_t state) {
    return at(kReinitializeStates, state);
}
std::string_view enable_disable_name(std::uint32_t value) {
    return at(kEnableDisable, value);
}
std::string_view vendor_name(std::uint32_t vendor_id) {
    return named(kVendors, vendor_id);
}

std::optional<ServiceId> service_by_name(std::string_view name) {
    if (const auto c = find<std::uint8_t>(kConfirmedServices, name)) return ServiceId{true, *c};
    if (const auto u = find<std::uint8_t>(kUnconfirmedServices, name)) return ServiceId{false, *u};
    return std::nullopt;
}

std::optional<std::uint16_t> object_type_by_name(std::string_view name) {
    return find<std::uint16_t>(kObjectTypes, name);
}

std::optional<std::uint32_t> property_by_name(std::string_view name) {
    if (const auto p = find<std::uint32_t>(kProperties, name)) return p;
    for (const Named& n : kLaterProperties)
        if (iequals(n.name, name)) return n.value;
    return std::nullopt;
}

}  // namespace tocsin::proto::bacnet
