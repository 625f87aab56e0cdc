// An EtherNet/IP transaction, as Suricata 8 forms them: one encapsulation message and, when
// one arrives, the reply paired with it (same command and session; for connected messages
// the same CIP sequence count). Class 0/1 I/O datagrams (UDP 2222) are transactions of one
// datagram. Shared by the parser (enip.cpp), keywords (keywords.cpp) and EVE (eve.cpp).
#pragma once

#include <optional>
#include <vector>

#include "applayer/protocol.h"
#include "proto/enip/message.h"

namespace tocsin::proto::enip {

// Rule buffers served, in ProtocolSpec::buffers order.
enum class BufferId : std::size_t {
    product_name,  // enip.product_name: the ListIdentity reply's product name
    service_name,  // enip.service_name: the ListServices reply's service name
    count,
};

class EnipTransaction final : public applayer::Transaction {
  public:
    std::optional<ByteSpan> buffer(std::size_t index, std::size_t item) const override;
    void describe_devices(applayer::DeviceFacts& out) const override;
    void describe(applayer::DeviceFacts& out) const;  // as if the flow were not reversed

    // The message a packet of `dir` carried: the request for the client's packets, the
    // reply for the server's.
    const Pdu* side(applayer::Direction dir) const {
        const bool from_client = (dir == applayer::Direction::to_server) != reversed;
        const auto& p = from_client ? request : response;
        return p ? &*p : nullptr;
    }

    std::optional<Pdu> request;
    std::optional<Pdu> response;
    std::optional<std::vector<Item>> io;  // a class 0/1 I/O datagram
    applayer::Direction io_dir = applayer::Direction::to_server;
    // The flow's initiator is the server: a capture that began mid-session with a reply
    // (the Quickdraw captures). Requests then travel to_client.
    bool reversed = false;
};

}  // namespace tocsin::proto::enip
