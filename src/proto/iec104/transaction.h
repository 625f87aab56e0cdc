// An IEC 104 transaction: one APDU, or a command and its confirmation and termination
// (C_* act → actcon → actterm on the same type id, common address and first IOA), or a U-format
// act and its con. Each APDU is one EVE record. Shared by the parser, the EVE writer and the
// rule keywords.
#pragma once

#include <vector>

#include "applayer/protocol.h"
#include "proto/iec104/apdu.h"

namespace tocsin::proto::iec104 {

struct Message {
    applayer::Direction dir = applayer::Direction::to_server;
    Apdu apdu;
};

class Iec104Transaction final : public applayer::Transaction {
  public:
    // At most a request, its confirmation and its termination.
    static constexpr std::size_t kMaxMessages = 3;

    std::vector<Message> messages;

    void describe_devices(applayer::DeviceFacts& out) const override;
};

}  // namespace tocsin::proto::iec104
