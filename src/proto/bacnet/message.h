// One BACnet/IP datagram decoded: BVLC (ASHRAE 135 Annex J), NPDU (clause 6.2) and APDU
// (clause 20.1) with the parameters of the common services (clauses 13–17, 21). A pure
// function of the datagram, shared by the parser, the EVE writer and the rule keywords.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cursor.h"
#include "proto/bacnet/tags.h"

namespace tocsin::proto::bacnet {

inline constexpr std::uint8_t kBvlcTypeIp = 0x81;  // BACnet/IP (Annex J)
inline constexpr std::size_t kBvlcHeader = 4;      // type, function, length (2)

// Bounds on what one message may list (a datagram is at most 1497 octets of APDU anyway).
inline constexpr std::size_t kMaxObjects = 64;
inline constexpr std::size_t kMaxProperties = 128;  // over all objects of a message
inline constexpr std::size_t kMaxValues = 32;       // per property
inline constexpr std::size_t kMaxDepth = 8;         // opening tags nested inside a value

enum class PduType : std::uint8_t {
    confirmed_request = 0,
    unconfirmed_request = 1,
    simple_ack = 2,
    complex_ack = 3,
    segment_ack = 4,
    error = 5,
    reject = 6,
    abort = 7,
};

struct ErrorInfo {
    std::uint32_t error_class = 0;
    std::uint32_t error_code = 0;
};

struct Property {
    std::uint32_t id = 0;
    std::optional<std::uint32_t> array_index;
    std::vector<Value> values;
    std::optional<std::uint8_t> priority;  // writeProperty(Multiple)
    std::optional<ErrorInfo> error;        // readPropertyMultiple-ACK: the property's error
};

struct ObjectRef {
    ObjectId id;
    std::vector<Property> properties;
};

// A service parameter besides objects and properties: I-Am's vendor, Who-Is limits, a
// reinitialize state ... `text` for names and strings, else `number`.
struct Param {
    std::string_view name;
    std::int64_t number = 0;
    std::string text;
    bool is_text = false;
};

struct Bvlc {
    std::uint8_t function = 0;
    std::uint16_t length = 0;
    std::optional<std::uint16_t> result;                 // BVLC-Result
    std::optional<std::array<std::uint8_t, 6>> address;  // Forwarded-NPDU originator, FDT entry
    std::optional<std::uint16_t> ttl;                    // Register-Foreign-Device
};

struct Npdu {
    std::uint8_t version = 0;
    std::uint8_t control = 0;
    std::optional<std::uint16_t> dnet;
    std::string dadr;  // hex; empty: broadcast on DNET
    std::optional<std::uint16_t> snet;
    std::string sadr;
    std::optional<std::uint8_t> hop_count;
    std::optional<std::uint8_t> message_type;  // network layer message
    std::optional<std::uint16_t> vendor_id;    // proprietary network message (type >= 0x80)
    bool network_message() const { return (control & 0x80) != 0; }
    bool expecting_reply() const { return (control & 0x04) != 0; }
    std::uint8_t priority() const { return control & 0x03; }
};

struct Apdu {
    PduType type = PduType::confirmed_request;
    std::uint8_t flags = 0;  // the low nibble of the first octet (SEG, MOR, SA / NAK, SRV)
    std::optional<std::uint8_t> invoke_id;
    std::optional<std::uint8_t> service;          // service (ack) choice, or the error's service
    std::optional<std::uint8_t> max_segments;     // confirmed request: encoded bits
    std::optional<std::uint8_t> max_apdu;         // confirmed request: encoded bits
    std::optional<std::uint8_t> sequence_number;  // segmented PDUs, segment ACK
    std::optional<std::uint8_t> window_size;
    std::vector<ObjectRef> objects;
    std::vector<Param> params;
    std::optional<ErrorInfo> error;      // Error PDU
    std::optional<std::uint8_t> reason;  // Reject / Abort

    bool segmented() const {
        return (type == PduType::confirmed_request || type == PduType::complex_ack) &&
               (flags & 0x08) != 0;
    }
    bool more_follows() const {
        return (type == PduType::confirmed_request || type == PduType::complex_ack) &&
               (flags & 0x04) != 0;
    }
    bool server() const {  // SRV bit of segment ACK and abort: sent by the server
        return (type == PduType::segment_ack || type == PduType::abort) && (flags & 0x01) != 0;
    }
    // The service's name: confirmed or unconfirmed table by PDU type.
    std::string_view service_name() const;
    std::size_t property_count() const;
};

// What went wrong; names are the app-layer events ("bacnet.<name>").
enum class Problem : std::uint8_t {
    none,
    invalid_bvlc,         // not a BACnet/IP BVLC (type octet not 0x81, header cut short)
    invalid_bvlc_length,  // BVLC length not the datagram's
    invalid_npdu,         // version not 1, or the NPDU header is cut short
    invalid_apdu,         // unknown PDU type or a header cut short
    malformed_service,    // the service parameters do not follow the service's grammar
    too_many_items,       // more objects/properties/values than the bounds: the rest skipped
};

struct Message {
    Bvlc bvlc;
    std::optional<Npdu> npdu;
    std::optional<Apdu> apdu;
    Problem problem = Problem::none;
};

Message decode_message(ByteSpan datagram);
std::string_view problem_event(Problem problem);

}  // namespace tocsin::proto::bacnet
