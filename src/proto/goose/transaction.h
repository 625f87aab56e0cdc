// One GOOSE transaction: one GOOSE PDU (IEC 61850-8-1 Annex A) of one publisher, with what its
// publisher's previous PDU tells about it (state and sequence numbers). Shared by the parser
// (goose.cpp) and the EVE writer (eve.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "applayer/protocol.h"

namespace tocsin::proto::goose {

// Rule buffers served, in ProtocolSpec::buffers order.
enum class BufferId : std::size_t { gocb_ref, dat_set, go_id, count };

// One allData entry: the MMS Data CHOICE (IEC 61850-8-1 Annex A / ISO 9506-2 Data).
struct DataValue {
    enum class Type : std::uint8_t {
        array,           // [1]
        structure,       // [2]
        boolean,         // [3]
        bit_string,      // [4]
        integer,         // [5]
        unsigned_int,    // [6]
        floating_point,  // [7]
        real,            // [8] (BER REAL)
        octet_string,    // [9]
        visible_string,  // [10]
        binary_time,     // [12]
        bcd,             // [13]
        boolean_array,   // [14]
        obj_id,          // [15]
        mms_string,      // [16]
        utc_time,        // [17]
        unknown,         // any other tag: its number and bytes
    };
    Type type = Type::unknown;
    std::uint32_t tag = 0;             // the context tag as read
    bool boolean = false;              // boolean
    std::int64_t integer = 0;          // integer, bcd
    std::uint64_t unsigned_value = 0;  // unsigned
    double real = 0;                   // floating-point
    bool valid = true;                 // the value's encoding was usable (else `text` is its hex)
    // bit-string / boolean-array: the bits as '0'/'1'; strings: the text; octet-string,
    // obj-id, unknown: lowercase hex; utc-time / binary-time: ISO 8601.
    std::string text;
    std::uint8_t quality = 0;      // utc-time: its quality octet
    std::vector<DataValue> items;  // array, structure
};

// UtcTime (IEC 61850-8-1 8.1.3.7): seconds since 1970, a 24-bit binary fraction, quality.
struct UtcTime {
    std::uint32_t seconds = 0;
    std::uint32_t fraction = 0;  // of 2^24
    std::uint8_t quality = 0;
};

// "2000-01-02T02:46:11.258166Z": seconds since 1970 and microseconds; a UtcTime's fraction
// rounded to microseconds.
std::string iso8601(std::int64_t seconds, std::uint32_t micros);
std::string iso8601(const UtcTime& t);

class GooseTransaction final : public applayer::Transaction {
  public:
    std::optional<ByteSpan> buffer(std::size_t index, std::size_t item) const override;
    std::optional<std::int64_t> number(std::string_view key) const override;
    void describe_devices(applayer::DeviceFacts& out) const override;

    // Frame header (IEC 61850-8-1 Annex C: APPID, Length, Reserved 1, Reserved 2).
    bool header = false;  // the 8 header bytes were present
    std::uint16_t appid = 0;
    std::uint16_t length = 0;
    std::uint16_t reserved1 = 0;
    std::uint16_t reserved2 = 0;
    bool simulated_frame() const { return (reserved1 & 0x8000) != 0; }  // Ed.2 "S" bit

    bool pdu = false;  // a goosePdu [APPLICATION 1] was found
    std::optional<std::string> gocb_ref;
    std::optional<std::int64_t> time_allowed_to_live;  // ms
    std::optional<std::string> dat_set;
    std::optional<std::string> go_id;
    std::optional<UtcTime> t;
    std::optional<std::int64_t> st_num;
    std::optional<std::int64_t> sq_num;
    std::optional<bool> simulation;  // "test" in Ed.1
    std::optional<std::int64_t> conf_rev;
    std::optional<bool> nds_com;
    std::optional<std::int64_t> num_dat_set_entries;
    bool has_all_data = false;
    std::vector<DataValue> all_data;
    std::size_t all_data_count = 0;  // top-level entries, counted even past the bound

    // Against the publisher's previous PDU (none for its first).
    bool has_previous = false;
    bool st_change = false;               // stNum differs from the previous one
    std::optional<std::int64_t> st_jump;  // stNum moved by other than 0/+1: the difference
    bool sq_not_reset = false;            // stNum changed but sqNum is not 0
    bool replay = false;                  // same stNum and t, sqNum not past the previous
    bool ttl_exceeded = false;            // came later than the previous PDU allowed
    std::optional<std::int64_t> gap_ms;   // milliseconds since the previous PDU
    bool dat_set_changed = false;
    bool conf_rev_changed = false;
    bool st_jump_flag() const { return st_jump.has_value(); }
};

}  // namespace tocsin::proto::goose
