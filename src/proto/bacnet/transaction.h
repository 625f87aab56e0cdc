// A BACnet transaction: one datagram, or a confirmed request and what answers it (segment
// ACKs, the simple/complex ACK, error, reject or abort with the same invoke id), or a BVLC
// request and its result. Each datagram is one EVE record. Shared by the parser, the EVE
// writer and the rule keywords.
#pragma once

#include <vector>

#include "applayer/protocol.h"
#include "proto/bacnet/message.h"

namespace tocsin::proto::bacnet {

struct Entry {
    applayer::Direction dir = applayer::Direction::to_server;
    Message message;
};

class BacnetTransaction final : public applayer::Transaction {
  public:
    // A request, segment ACKs and segments of a segmented answer, the answer.
    static constexpr std::size_t kMaxMessages = 8;

    std::vector<Entry> messages;

    void describe_devices(applayer::DeviceFacts& out) const override;
};

}  // namespace tocsin::proto::bacnet
