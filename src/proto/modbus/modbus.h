// Modbus/TCP: the application-layer protocol's registration entry (see applayer/protocol.h).
// MBAP framing over TCP port 502 (or any port, recognised by content), PDUs of every public
// function code, request/response pairing by transaction id, Suricata's `modbus` EVE record
// and rule keyword.
#pragma once

#include <memory>

#include "applayer/protocol.h"

namespace tocsin::proto::modbus {

const applayer::ProtocolSpec& protocol();
std::unique_ptr<applayer::Parser> make_parser(const applayer::AppLimits& limits);

// Transactions held per flow (unanswered, or answered but not yet logged) at which the oldest
// unanswered request is logged unanswered to make room and `modbus.flooded` is raised: Suricata's
// request flood threshold (500), bounded by the flow's transaction limit so the framework never
// has to force one out unlogged.
constexpr std::size_t kRequestFlood = 500;

}  // namespace tocsin::proto::modbus
