// The OSI upper layers under MMS: ISO 8327-1 / X.225 session SPDUs, ISO 8823-1 / X.226
// presentation PPDUs (CP, CPA and P-DATA user data: fully-encoded-data) and ISO 8650-1 /
// X.227 ACSE APDUs (AARQ, AARE, RLRQ, RLRE, ABRT). What this yields: which SPDU and APDU a
// TSDU carries, the association's names, and the embedded MMS PDU's bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/cursor.h"

namespace tocsin::proto::mms {

namespace spdu {
constexpr std::uint8_t data_transfer = 0x01;  // also GIVE TOKENS, which precedes it
constexpr std::uint8_t finish = 0x09;
constexpr std::uint8_t disconnect = 0x0A;
constexpr std::uint8_t refuse = 0x0C;
constexpr std::uint8_t connect = 0x0D;
constexpr std::uint8_t accept = 0x0E;
constexpr std::uint8_t abort = 0x19;
}  // namespace spdu

std::string_view spdu_name(std::uint8_t si);
std::string_view acse_name(std::uint8_t apdu);  // "aarq", "aare", "rlrq", "rlre", "abrt"

struct Association {
    std::string application_context;  // OID, dotted ("1.0.9506.2.3": MMS)
    std::string called_ap_title;      // AARQ
    std::string calling_ap_title;     // AARQ
    std::string responding_ap_title;  // AARE
    std::optional<std::int64_t> called_ae_qualifier;
    std::optional<std::int64_t> calling_ae_qualifier;
    std::optional<std::int64_t> result;  // AARE: 0 accepted, 1 rejected (permanent)...
    bool authentication = false;         // AARQ carried an authentication value (not logged)
};

struct IsoUnit {
    std::uint8_t spdu = 0;             // the session SPDU identifier
    std::optional<std::uint8_t> acse;  // ACSE APDU (application tag), when one was carried
    std::optional<Association> association;
    ByteSpan mms;  // the MMS PDU (empty when none); a view into the TSDU
    bool malformed = false;
};

// Decodes one TSDU; nullopt when it is not a session SPDU.
std::optional<IsoUnit> decode_iso(ByteSpan tsdu);

// An OBJECT IDENTIFIER's content as dotted text.
std::string oid_text(ByteSpan value);

}  // namespace tocsin::proto::mms
