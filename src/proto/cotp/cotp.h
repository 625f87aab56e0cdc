// ISO transport over TCP as S7comm and MMS use it: TPKT (RFC 1006 section 6) framing around
// COTP class 0 TPDUs (ISO 8073 / X.224 section 13), with the DT TPDUs of one TSDU joined
// until the one carrying EOT. Not a registered protocol: the s7comm and mms parsers each read
// their flow's two directions through a CotpStream and decide what the TSDUs mean.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/cursor.h"

namespace tocsin::proto::cotp {

// TPDU codes (X.224 table 8, the high nibble of the code octet; CDT bits masked off).
enum class TpduType : std::uint8_t {
    cr = 0xE0,  // connection request
    cc = 0xD0,  // connection confirm
    dr = 0x80,  // disconnect request
    dc = 0xC0,  // disconnect confirm
    dt = 0xF0,  // data
    ed = 0x10,  // expedited data
    ak = 0x60,  // data acknowledgement
    ea = 0x20,  // expedited data acknowledgement
    rj = 0x50,  // reject
    er = 0x70,  // TPDU error
};

// "CR", "DT"...; "unknown" for a code X.224 does not define.
std::string_view tpdu_name(std::uint8_t code);

// One TPDU's header fields (X.224 13.3 to 13.12; class 0 layouts).
struct Tpdu {
    std::uint8_t code = 0;  // TpduType value (high nibble)
    std::uint16_t dst_ref = 0;
    std::uint16_t src_ref = 0;
    std::uint8_t class_option = 0;  // CR/CC: class (high nibble) and options
    std::uint8_t reason = 0;        // DR: reason; ER: reject cause
    bool eot = true;                // DT: last TPDU of the TSDU
    std::uint8_t tpdu_nr = 0;       // DT: send sequence number
    // CR/CC parameters (13.3.4): transport selectors and the TPDU size, when present.
    std::vector<std::uint8_t> calling_tsap;  // 0xC1
    std::vector<std::uint8_t> called_tsap;   // 0xC2
    std::optional<std::uint8_t> tpdu_size;   // 0xC0: log2 of the size in octets
    ByteSpan user_data;                      // what follows the header (DT: TSDU bytes)

    TpduType type() const { return static_cast<TpduType>(code); }
};

// Why a COTP header was rejected.
enum class Error : std::uint8_t {
    none,
    bad_tpkt,      // TPKT version not 3 or length below 7: the byte stream lost its framing
    bad_tpdu,      // length indicator past the TPKT, or a header shorter than its type needs
    tsdu_too_long  // a segmented TSDU grew past the bound: its segments were dropped
};

// Parses one TPDU from a TPKT's payload; nullopt when the header is malformed.
std::optional<Tpdu> parse_tpdu(ByteSpan payload);

// What a CotpStream hands out: a TPDU and, for DT, the complete TSDU it ended; or an error.
struct Unit {
    Error error = Error::none;       // set: no TPDU, only the error to report
    Tpdu tpdu;                       // for DT: the last segment's header
    std::vector<std::uint8_t> data;  // DT: the reassembled TSDU; CR/CC/others: user data
    std::size_t segments = 1;        // DT TPDUs the TSDU came in
};

// One direction of an ISO-on-TCP connection. Bytes go in with push(); complete units come out
// of next(). Memory: the unread bytes of at most one TPKT (65535 octets, RFC 1006 caps the
// length at 16 bits) beyond what the caller pushed, plus at most `max_tsdu` reassembled bytes.
class CotpStream {
  public:
    explicit CotpStream(std::size_t max_tsdu) : max_tsdu_(max_tsdu) {}

    void push(ByteSpan data);
    // The next complete unit or error; nullopt when more bytes are needed or the stream
    // stopped. After a bad_tpkt error the stream stops: what follows cannot be framed again.
    std::optional<Unit> next();
    bool stopped() const { return stopped_; }
    // Lost bytes (a TCP gap): the partial TPKT and TSDU are dropped, and reading resumes at
    // the first plausible TPKT header of what follows (captures often miss a segment, and
    // senders start each segment with a TPKT).
    void gap();
    // Nothing more is read.
    void stop();

  private:
    std::vector<std::uint8_t> buf_;
    std::size_t head_ = 0;  // bytes of buf_ already consumed
    std::vector<std::uint8_t> tsdu_;
    std::size_t segments_ = 0;
    bool discarding_ = false;  // the current TSDU overflowed: skip to its EOT
    bool resync_ = false;      // after a gap: look for a TPKT header
    std::size_t max_tsdu_;
    bool stopped_ = false;
};

// What the first DT TPDU of a direction's bytes carries, for the s7comm and mms probes: whole
// TPKTs are walked, connection TPDUs (CR, CC...) skipped.
enum class FirstData : std::uint8_t {
    not_cotp,     // not TPKT/COTP
    need_more,    // only connection setup so far, or a TPKT cut short
    s7comm,       // protocol id 0x32
    s7comm_plus,  // protocol id 0x72
    iso_session,  // an ISO 8327 SPDU (CONNECT, ACCEPT, GIVE TOKENS + DATA TRANSFER...)
    bare_mms,     // an MMS PDU straight in the TSDU (no session/presentation; test tools)
    other,
};
FirstData classify(ByteSpan data);

// An S7 TSAP (two octets: connection type, then rack * 32 + slot); nullopt for other sizes.
struct S7Tsap {
    std::uint8_t connection_type = 0;  // 1 PG, 2 OP, 3 S7 basic, 0x10.. others
    std::uint8_t rack = 0;
    std::uint8_t slot = 0;
};
std::optional<S7Tsap> s7_tsap(const std::vector<std::uint8_t>& tsap);

// A TSAP for logs: its text when every octet is printable (S7-1200/1500 "SIMATIC-ROOT-HMI"),
// otherwise lowercase hex ("0102").
std::string tsap_text(const std::vector<std::uint8_t>& tsap);

}  // namespace tocsin::proto::cotp
