// MMS PDUs (ISO 9506-2, the ASN.1 module of the MMS protocol; IEC 61850-8-1 maps IEC 61850
// onto it) decoded into values through BerReader. What a peer controls is capped by the
// constants below; Data nests at most kMaxDataDepth levels (deeper values are marked
// truncated).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/cursor.h"

namespace tocsin::proto::mms {

constexpr std::size_t kMaxNames = 64;       // variable names / identifiers per PDU
constexpr std::size_t kMaxValues = 256;     // Data values per PDU, nested ones included
constexpr std::size_t kMaxDataDepth = 4;    // structure/array nesting kept
constexpr std::size_t kMaxText = 256;       // characters of a string value or name
constexpr std::size_t kMaxElements = 4096;  // BER elements one PDU may make us visit

namespace pdu {
constexpr std::uint8_t confirmed_request = 0;
constexpr std::uint8_t confirmed_response = 1;
constexpr std::uint8_t confirmed_error = 2;
constexpr std::uint8_t unconfirmed = 3;
constexpr std::uint8_t reject = 4;
constexpr std::uint8_t cancel_request = 5;
constexpr std::uint8_t cancel_response = 6;
constexpr std::uint8_t cancel_error = 7;
constexpr std::uint8_t initiate_request = 8;
constexpr std::uint8_t initiate_response = 9;
constexpr std::uint8_t initiate_error = 10;
constexpr std::uint8_t conclude_request = 11;
constexpr std::uint8_t conclude_response = 12;
constexpr std::uint8_t conclude_error = 13;
}  // namespace pdu

// ObjectName (ISO 9506-2 7.5): vmd-specific, domain-specific {domainId, itemId}, aa-specific.
struct ObjectName {
    enum class Scope : std::uint8_t { vmd, domain, aa };
    Scope scope = Scope::vmd;
    std::string domain;  // domain-specific only
    std::string item;    // the identifier (vmd/aa: the whole name)
};

// One Data value (ISO 9506-2 14.4). `tag` is the Data choice (5 integer, 2 structure...).
struct Value {
    enum class Kind : std::uint8_t { integer, unsigned_integer, real, boolean, text, list, none };
    std::uint32_t tag = 0;
    Kind kind = Kind::none;
    std::int64_t integer = 0;
    std::uint64_t unsigned_integer = 0;
    double real = 0;
    bool boolean = false;
    std::string text;  // strings, hex of octet strings, bits of bit strings, times
    std::vector<Value> children;
    bool truncated = false;  // nested past kMaxDataDepth, or past kMaxValues
};

// AccessResult: failure (DataAccessError) or success (Data); write responses: success alone.
struct AccessResult {
    std::optional<std::int64_t> error;
    std::optional<Value> value;
};

struct ServiceError {
    std::uint32_t error_class = 0;  // errorClass choice tag (7 access...)
    std::int64_t code = 0;
};

struct Reject {
    std::optional<std::uint32_t> original_invoke_id;
    std::uint32_t type = 0;  // rejectReason choice tag
    std::int64_t reason = 0;
};

struct Initiate {
    std::optional<std::int64_t> local_detail;
    std::optional<std::int64_t> max_serv_outstanding_calling;
    std::optional<std::int64_t> max_serv_outstanding_called;
    std::optional<std::int64_t> nesting_level;
    std::optional<std::int64_t> version;
};

struct Message {
    std::uint8_t pdu = 0;  // MMSpdu choice tag
    std::optional<std::uint32_t> invoke_id;
    std::optional<std::uint32_t> service;      // confirmed or unconfirmed service tag
    std::vector<ObjectName> variables;         // variable (or semaphore) names
    std::optional<ObjectName> variable_list;   // a named variable list
    std::vector<Value> values;                 // write request data
    std::vector<AccessResult> results;         // read/write responses, information reports
    std::vector<std::string> identifiers;      // name lists, domain/program/file names
    std::optional<bool> more_follows;          // get name list response
    std::optional<std::int64_t> object_class;  // get name list request
    std::optional<std::string> vendor, model, revision;  // identify response
    std::optional<ServiceError> error;
    std::optional<Reject> reject;
    std::optional<Initiate> initiate;
    bool truncated = false;  // a bound was reached: lists were cut
    bool malformed = false;  // the BER ended early or was not what the service says
};

// Decodes one MMS PDU; nullopt when it is not one (not a context-tagged MMSpdu choice).
std::optional<Message> decode(ByteSpan data);

}  // namespace tocsin::proto::mms
