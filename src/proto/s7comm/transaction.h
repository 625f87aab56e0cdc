// One S7comm exchange: a job and its ack/ack_data (paired by PDU reference), a userdata
// request and its response (PDU reference), an S7comm-plus request and its response
// (sequence number), or a message standing alone (push, notification, unmatched response).
// Shared by the parser (s7comm.cpp), the keywords (keywords.cpp) and the EVE writer (eve.cpp).
#pragma once

#include <array>
#include <optional>
#include <vector>

#include "applayer/protocol.h"
#include "proto/s7comm/pdu.h"

namespace tocsin::proto::s7comm {

// The ISO transport connection's setup (COTP CR/CC), logged on the flow's first transaction.
struct Connection {
    std::vector<std::uint8_t> calling_tsap;  // the client's
    std::vector<std::uint8_t> called_tsap;   // the PLC's: connection type, rack and slot
    std::optional<std::uint8_t> tpdu_size;
    bool confirmed = false;  // CC seen
};

class S7Transaction final : public applayer::Transaction {
  public:
    void describe_devices(applayer::DeviceFacts& out) const override;
    std::optional<std::int64_t> number(std::string_view key) const override;

    // By direction (dir_index): [0] the client's message, [1] the PLC's.
    std::array<std::optional<Pdu>, 2> pdus;
    std::array<std::optional<PlusPdu>, 2> plus;
    std::optional<Connection> connection;
    bool is_plus() const { return plus[0] || plus[1]; }
    // The message sent in `dir`, or null.
    const Pdu* pdu(applayer::Direction dir) const {
        const auto& p = pdus[applayer::dir_index(dir)];
        return p ? &*p : nullptr;
    }
    // The job or ack_data function of either message.
    std::optional<std::uint8_t> function() const;
    // What the asset inventory learns: the client programs or controls the PLC.
    bool engineering() const;
    bool control() const;
};

}  // namespace tocsin::proto::s7comm
