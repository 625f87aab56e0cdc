// Names of standard OPC UA numbers: the binary encoding NodeIds of the services (OPC 10000-4
// services; NodeIds.csv "<Type>_Encoding_DefaultBinary"), common StatusCodes (OPC 10000-4 7.38,
// StatusCodes.csv) and the attribute ids (OPC 10000-6 A.1). Facts of the standard, listed here
// so records and rules can name them.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "proto/opcua/transaction.h"

namespace tocsin::proto::opcua {

namespace {

using Entry = std::pair<std::uint32_t, std::string_view>;

constexpr Entry kServices[] = {
    {397, "ServiceFault"},
    {410, "TestStackRequest"},
    {413, "TestStackResponse"},
    {416, "TestStackExRequest"},
    {419, "TestStackExResponse"},
    {422, "FindServersRequest"},
    {425, "FindServersResponse"},
    {428, "GetEndpointsRequest"},
    {431, "GetEndpointsResponse"},
    {437, "RegisterServerRequest"},
    {440, "RegisterServerResponse"},
    {446, "OpenSecureChannelRequest"},
    {449, "OpenSecureChannelResponse"},
    {452, "CloseSecureChannelRequest"},
    {455, "CloseSecureChannelResponse"},
    {461, "CreateSessionRequest"},
    {464, "CreateSessionResponse"},
    {467, "ActivateSessionRequest"},
    {470, "ActivateSessionResponse"},
    {473, "CloseSessionRequest"},
    {476, "CloseSessionResponse"},
    {479, "CancelRequest"},
    {482, "CancelResponse"},
    {488, "AddNodesRequest"},
    {491, "AddNodesResponse"},
    {494, "AddReferencesRequest"},
    {497, "AddReferencesResponse"},
    {500, "DeleteNodesRequest"},
    {503, "DeleteNodesResponse"},
    {506, "DeleteReferencesRequest"},
    {509, "DeleteReferencesResponse"},
    {527, "BrowseRequest"},
    {530, "BrowseResponse"},
    {533, "BrowseNextRequest"},
    {536, "BrowseNextResponse"},
    {554, "TranslateBrowsePathsToNodeIdsRequest"},
    {557, "TranslateBrowsePathsToNodeIdsResponse"},
    {560, "RegisterNodesRequest"},
    {563, "RegisterNodesResponse"},
    {566, "UnregisterNodesRequest"},
    {569, "UnregisterNodesResponse"},
    {615, "QueryFirstRequest"},
    {618, "QueryFirstResponse"},
    {621, "QueryNextRequest"},
    {624, "QueryNextResponse"},
    {631, "ReadRequest"},
    {634, "ReadResponse"},
    {664, "HistoryReadRequest"},
    {667, "HistoryReadResponse"},
    {673, "WriteRequest"},
    {676, "WriteResponse"},
    {700, "HistoryUpdateRequest"},
    {703, "HistoryUpdateResponse"},
    {712, "CallRequest"},
    {715, "CallResponse"},
    {751, "CreateMonitoredItemsRequest"},
    {754, "CreateMonitoredItemsResponse"},
    {763, "ModifyMonitoredItemsRequest"},
    {766, "ModifyMonitoredItemsResponse"},
    {769, "SetMonitoringModeRequest"},
    {772, "SetMonitoringModeResponse"},
    {775, "SetTriggeringRequest"},
    {778, "SetTriggeringResponse"},
    {781, "DeleteMonitoredItemsRequest"},
    {784, "DeleteMonitoredItemsResponse"},
    {787, "CreateSubscriptionRequest"},
    {790, "CreateSubscriptionResponse"},
    {793, "ModifySubscriptionRequest"},
    {796, "ModifySubscriptionResponse"},
    {799, "SetPublishingModeRequest"},
    {802, "SetPublishingModeResponse"},
    {826, "PublishRequest"},
    {829, "PublishResponse"},
    {832, "RepublishRequest"},
    {835, "RepublishResponse"},
    {841, "TransferSubscriptionsRequest"},
    {844, "TransferSubscriptionsResponse"},
    {847, "DeleteSubscriptionsRequest"},
    {850, "DeleteSubscriptionsResponse"},
    {12208, "FindServersOnNetworkRequest"},
    {12209, "FindServersOnNetworkResponse"},
    {12211, "RegisterServer2Request"},
    {12212, "RegisterServer2Response"},
};

constexpr Entry kStatus[] = {
    {0x00000000, "Good"},
    {0x40000000, "Uncertain"},
    {0x80000000, "Bad"},
    {0x80010000, "BadUnexpectedError"},
    {0x80020000, "BadInternalError"},
    {0x80030000, "BadOutOfMemory"},
    {0x80040000, "BadResourceUnavailable"},
    {0x80050000, "BadCommunicationError"},
    {0x80060000, "BadEncodingError"},
    {0x80070000, "BadDecodingError"},
    {0x80080000, "BadEncodingLimitsExceeded"},
    {0x80090000, "BadUnknownResponse"},
    {0x800A0000, "BadTimeout"},
    {0x800B0000, "BadServiceUnsupported"},
    {0x800C0000, "BadShutdown"},
    {0x800D0000, "BadServerNotConnected"},
    {0x800E0000, "BadServerHalted"},
    {0x800F0000, "BadNothingToDo"},
    {0x80100000, "BadTooManyOperations"},
    {0x80110000, "BadDataTypeIdUnknown"},
    {0x80120000, "BadCertificateInvalid"},
    {0x80130000, "BadSecurityChecksFailed"},
    {0x80140000, "BadCertificateTimeInvalid"},
    {0x801A0000, "BadCertificateUntrusted"},
    {0x801D0000, "BadCertificateRevoked"},
    {0x801F0000, "BadUserAccessDenied"},
    {0x80200000, "BadIdentityTokenInvalid"},
    {0x80210000, "BadIdentityTokenRejected"},
    {0x80220000, "BadSecureChannelIdInvalid"},
    {0x80230000, "BadInvalidTimestamp"},
    {0x80240000, "BadNonceInvalid"},
    {0x80250000, "BadSessionIdInvalid"},
    {0x80260000, "BadSessionClosed"},
    {0x80270000, "BadSessionNotActivated"},
    {0x80280000, "BadSubscriptionIdInvalid"},
    {0x802A0000, "BadRequestHeaderInvalid"},
    {0x802B0000, "BadTimestampsToReturnInvalid"},
    {0x802C0000, "BadRequestCancelledByClient"},
    {0x80310000, "BadNoCommunication"},
    {0x80320000, "BadWaitingForInitialData"},
    {0x80330000, "BadNodeIdInvalid"},
    {0x80340000, "BadNodeIdUnknown"},
    {0x80350000, "BadAttributeIdInvalid"},
    {0x80360000, "BadIndexRangeInvalid"},
    {0x80370000, "BadIndexRangeNoData"},
    {0x80380000, "BadDataEncodingInvalid"},
    {0x80390000, "BadDataEncodingUnsupported"},
    {0x803A0000, "BadNotReadable"},
    {0x803B0000, "BadNotWritable"},
    {0x803C0000, "BadOutOfRange"},
    {0x803D0000, "BadNotSupported"},
    {0x803E0000, "BadNotFound"},
    {0x803F0000, "BadObjectDeleted"},
    {0x80400000, "BadNotImplemented"},
    {0x80410000, "BadMonitoringModeInvalid"},
    {0x80420000, "BadMonitoredItemIdInvalid"},
    {0x80530000, "BadRequestTypeInvalid"},
    {0x80540000, "BadSecurityModeRejected"},
    {0x80550000, "BadSecurityPolicyRejected"},
    {0x80560000, "BadTooManySessions"},
    {0x80570000, "BadUserSignatureInvalid"},
    {0x80580000, "BadApplicationSignatureInvalid"},
    {0x805A0000, "BadRequestCancelledByRequest"},
    {0x80740000, "BadTypeMismatch"},
    {0x80750000, "BadMethodInvalid"},
    {0x80760000, "BadArgumentsMissing"},
    {0x80770000, "BadTooManySubscriptions"},
    {0x80780000, "BadTooManyPublishRequests"},
    {0x80790000, "BadNoSubscription"},
    {0x807A0000, "BadSequenceNumberUnknown"},
    {0x807B0000, "BadMessageNotAvailable"},
    {0x807D0000, "BadTcpServerTooBusy"},
    {0x807E0000, "BadTcpMessageTypeInvalid"},
    {0x807F0000, "BadTcpSecureChannelUnknown"},
    {0x80800000, "BadTcpMessageTooLarge"},
    {0x80810000, "BadTcpNotEnoughResources"},
    {0x80820000, "BadTcpInternalError"},
    {0x80830000, "BadTcpEndpointUrlInvalid"},
    {0x80840000, "BadRequestInterrupted"},
    {0x80850000, "BadRequestTimeout"},
    {0x80860000, "BadSecureChannelClosed"},
    {0x80870000, "BadSecureChannelTokenUnknown"},
    {0x80880000, "BadSequenceNumberInvalid"},
    {0x80AB0000, "BadInvalidArgument"},
    {0x80AC0000, "BadConnectionRejected"},
    {0x80AD0000, "BadDisconnect"},
    {0x80AE0000, "BadConnectionClosed"},
    {0x80AF0000, "BadInvalidState"},
    {0x80B80000, "BadRequestTooLarge"},
    {0x80B90000, "BadResponseTooLarge"},
    {0x80BE0000, "BadProtocolVersionUnsupported"},
    {0x80DB0000, "BadTooManyMonitoredItems"},
    {0x80E60000, "BadSecurityModeInsufficient"},
    {0x80EE0000, "BadServerTooBusy"},
    {0x81110000, "BadNotExecutable"},
};

constexpr std::array<std::string_view, 28> kAttributes = {
    "",
    "NodeId",
    "NodeClass",
    "BrowseName",
    "DisplayName",
    "Description",
    "WriteMask",
    "UserWriteMask",
    "IsAbstract",
    "Symmetric",
    "InverseName",
    "ContainsNoLoops",
    "EventNotifier",
    "Value",
    "DataType",
    "ValueRank",
    "ArrayDimensions",
    "AccessLevel",
    "UserAccessLevel",
    "MinimumSamplingInterval",
    "Historizing",
    "Executable",
    "UserExecutable",
    "DataTypeDefinition",
    "RolePermissions",
    "UserRolePermissions",
    "AccessRestrictions",
    "AccessLevelEx",
};

template <std::size_t N>
std::string_view find_name(const Entry (&table)[N], std::uint32_t value) {
    for (const auto& [number, name] : table)
        if (number == value) return name;
    return {};
}

template <std::size_t N>
std::optional<std::uint32_t> find_number(const Entry (&table)[N], std::string_view name) {
    for (const auto& [number, known] : table)
        if (known == name) return number;
    return std::nullopt;
}

}  // namespace

std::string_view service_name(std::uint32_t type_id) {
    return find_name(kServices, type_id);
}

std::optional<std::uint32_t> service_id(std::string_view name) {
    if (auto id = find_number(kServices, name)) return id;
    // "Read" names the service: its request.
    for (const auto& [number, known] : kServices)
        if (known.size() == name.size() + 7 && known.starts_with(name) &&
            known.ends_with("Request"))
            return number;
    return std::nullopt;
}

// The code's top 16 bits name it; the low bits are info flags (OPC 10000-4 7.38.1).
std::string_view status_name(std::uint32_t code) {
    return find_name(kStatus, code & 0xffff0000u);
}

std::optional<std::uint32_t> status_code(std::string_view name) {
    return find_number(kStatus, name);
}

std::string_view attribute_name(std::uint32_t id) {
    return id < kAttributes.size() ? kAttributes[id] : std::string_view{};
}

}  // namespace tocsin::proto::opcua
