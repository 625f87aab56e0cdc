// Flows of the capture generator: each one turns an application conversation into Ethernet
// frames (TCP with handshake, delayed ACKs and FIN/RST close, or a UDP exchange).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>

#include "gencap/rng.h"
#include "support/packet_builder.h"

namespace tocsin::gencap {

using testsupport::Bytes;

struct Packet {
    Bytes frame;
    // A TCP data segment or pure ACK. Only these are lost or reordered, so every flow still
    // shows its handshake and its end (the analysis tools get something definite to check).
    bool plain_segment = false;
};

class Flow {
  public:
    virtual ~Flow() = default;
    // Appends the flow's next packet or packets; returns false once the flow has ended.
    virtual bool next(Rng& rng, std::deque<Packet>& out) = 0;
};

// Draws new flows from a fixed mix of protocols, address families and VLAN tagging.
class FlowFactory {
  public:
    FlowFactory() = default;
    // Web flows (HTTP or TLS, 58% of all flows) are TLS with this probability instead of the
    // classic mix's 26 in 58, which puts about half of the bytes in cleartext HTTP bodies.
    explicit FlowFactory(std::uint32_t tls_percent) : tls_percent_(tls_percent) {}

    // `slot` identifies the concurrency slot the flow will run in (flows of one slot never
    // overlap in time). Industrial devices are addressed by slot so that, as on a real plant
    // network, a controller never has two connections to the same device at once.
    std::unique_ptr<Flow> make(Rng& rng, std::size_t slot) const;

  private:
    std::optional<std::uint32_t> tls_percent_;  // empty: the classic mix
};

}  // namespace tocsin::gencap
