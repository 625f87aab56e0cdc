// S7comm PDUs (protocol id 0x32) and S7comm-plus headers (0x72) as decoded values. S7comm is
// not publicly specified by Siemens; the layouts follow the public descriptions of the
// protocol (the Wireshark S7comm dissector's documentation, Snap7's and libnodave's notes),
// re-expressed here as field tables. Every list a peer controls is capped (constants below).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/cursor.h"

namespace tocsin::proto::s7comm {

// Bounds on what one PDU may make us keep.
constexpr std::size_t kMaxItems = 64;        // read/write var items (the PDU carries a u8)
constexpr std::size_t kMaxValueBytes = 64;   // bytes of an item's value kept for the record
constexpr std::size_t kMaxSzlRecords = 32;   // SZL list records decoded
constexpr std::size_t kMaxBlockCounts = 16;  // list-blocks entries

enum class Rosctr : std::uint8_t { job = 1, ack = 2, ack_data = 3, userdata = 7 };

namespace function {
constexpr std::uint8_t cpu_services = 0x00;
constexpr std::uint8_t read_var = 0x04;
constexpr std::uint8_t write_var = 0x05;
constexpr std::uint8_t request_download = 0x1A;
constexpr std::uint8_t download_block = 0x1B;
constexpr std::uint8_t download_ended = 0x1C;
constexpr std::uint8_t start_upload = 0x1D;
constexpr std::uint8_t upload = 0x1E;
constexpr std::uint8_t end_upload = 0x1F;
constexpr std::uint8_t plc_control = 0x28;
constexpr std::uint8_t plc_stop = 0x29;
constexpr std::uint8_t setup_communication = 0xF0;
}  // namespace function

namespace group {
constexpr std::uint8_t mode_transition = 0x0;
constexpr std::uint8_t programmer = 0x1;
constexpr std::uint8_t cyclic = 0x2;
constexpr std::uint8_t block = 0x3;
constexpr std::uint8_t cpu = 0x4;
constexpr std::uint8_t security = 0x5;
constexpr std::uint8_t pbc = 0x6;
constexpr std::uint8_t time = 0x7;
constexpr std::uint8_t nc = 0xF;
}  // namespace group

// A variable specification of a read/write var request (S7ANY, syntax id 0x10), or what
// could be read of another syntax (only `syntax_id`).
struct VarSpec {
    std::uint8_t syntax_id = 0;
    std::uint8_t transport_size = 0;  // S7ANY type: 1 BIT, 2 BYTE, 4 WORD, 5 INT...
    std::uint16_t length = 0;         // number of elements of transport_size
    std::uint16_t db = 0;
    std::uint8_t area = 0;      // 0x81 I, 0x82 Q, 0x83 M, 0x84 DB...
    std::uint32_t address = 0;  // bit address: byte * 8 + bit
    bool any() const { return syntax_id == 0x10; }
};

// A data item: read var response, write var request (return code 0 there).
struct DataItem {
    std::uint8_t return_code = 0;     // 0xFF success
    std::uint8_t transport_size = 0;  // data transport size: 3 BIT, 4 BYTE/WORD/DWORD, 7 REAL...
    std::uint16_t length = 0;         // in bytes (converted from bits where the size says so)
    std::vector<std::uint8_t> data;   // at most kMaxValueBytes
};

struct Setup {
    std::uint16_t max_amq_calling = 0;
    std::uint16_t max_amq_called = 0;
    std::uint16_t pdu_length = 0;
};

// A block named by "_0A00001P": type "0A" (DB), number 1, destination file system P.
struct Block {
    std::string type;  // "OB", "DB", "SDB", "FC", "SFC", "FB", "SFB", or the two raw characters
    std::uint32_t number = 0;
    char filesystem = 0;
};
std::optional<Block> parse_block_name(std::string_view name);  // "0A00001P" or "_0A00001P"

// An SZL list (read SZL response): id, index and what the records say.
struct Szl {
    std::uint16_t id = 0;
    std::uint16_t index = 0;
    std::uint16_t record_length = 0;
    std::uint16_t record_count = 0;
    // Decoded fields of SZL 0x0011/0x0111 (module identification) and 0x001C/0x011C
    // (component identification): ("order_number", "6ES7 315-2EH14-0AB0"), ...
    std::vector<std::pair<std::string_view, std::string>> fields;
};

struct Userdata {
    std::uint8_t method = 0;  // 0x11 request, 0x12 response
    std::uint8_t type = 0;    // 0 push, 4 request, 8 response
    std::uint8_t group = 0;   // function group (low nibble)
    std::uint8_t subfunction = 0;
    std::uint8_t sequence = 0;
    std::optional<std::uint8_t> data_unit_ref;
    std::optional<std::uint8_t> last_data_unit;
    std::optional<std::uint16_t> error_code;
    std::optional<std::uint8_t> return_code;  // data part
    std::optional<std::uint16_t> item_count;  // cyclic data: items subscribed or sent
    std::optional<std::uint16_t> szl_id;      // read SZL request/response
    std::optional<std::uint16_t> szl_index;
    std::optional<Szl> szl;
    std::optional<Block> block;                                       // block info request
    std::vector<std::pair<std::string, std::uint16_t>> block_counts;  // list blocks response
    std::string clock;  // time functions: "2016-05-03 12:34:56.789"
};

// One S7comm PDU.
struct Pdu {
    std::uint8_t rosctr = 0;
    std::uint16_t redundancy_id = 0;
    std::uint16_t pdu_ref = 0;
    std::uint16_t param_length = 0;
    std::uint16_t data_length = 0;
    std::optional<std::uint8_t> error_class;  // ack / ack_data
    std::optional<std::uint8_t> error_code;
    std::optional<std::uint8_t> function;  // job / ack_data
    std::optional<std::uint8_t> item_count;
    std::vector<VarSpec> specs;              // read/write var request
    std::vector<DataItem> items;             // read var response / write var request data
    std::vector<std::uint8_t> return_codes;  // write var response
    std::optional<Setup> setup;
    std::optional<std::uint8_t> function_status;  // up/download
    std::string filename;                         // up/download: "_0A00001P"
    std::optional<Block> block;                   // from the filename or PI parameters
    std::string service;                          // PLC control / stop: "_INSE", "P_PROGRAM"
    std::optional<Userdata> userdata;
};

// Why a PDU was not (fully) decoded; names the app-layer event.
enum class Problem : std::uint8_t { none, truncated, bad_header, too_many_items };

struct Decoded {
    Pdu pdu;
    Problem problem = Problem::none;
    // Userdata: the data part after its 4-byte head (a view into the TSDU). A response whose
    // parameters say more fragments follow (last_data_unit 1) is not decoded: the parser joins
    // the fragments and decodes them with decode_userdata_body.
    ByteSpan userdata_body;
};

// Decodes an S7comm PDU (the TSDU starts with 0x32); nullopt when the header is unusable.
std::optional<Decoded> decode(ByteSpan tsdu);

// The function-specific part of a userdata PDU's data (read SZL, block and time functions).
void decode_userdata_body(ByteSpan body, Userdata& ud);

// S7comm-plus (0x72): the header and the first fields of the data part.
struct PlusPdu {
    std::uint8_t version = 0;  // 1, 2, 3 (0xFE: system event)
    std::uint16_t data_length = 0;
    std::optional<std::uint8_t> opcode;  // 0x31 request, 0x32 response, 0x33 notification
    std::optional<std::uint16_t> function;
    std::optional<std::uint16_t> sequence;
    std::optional<std::uint32_t> session_id;  // requests
};
std::optional<PlusPdu> decode_plus(ByteSpan tsdu);

}  // namespace tocsin::proto::s7comm
