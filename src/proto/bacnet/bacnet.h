// BACnet/IP: the application-layer protocol's registration entry (see applayer/protocol.h).
// One datagram per call on UDP 47808: BVLC, NPDU, APDU and the parameters of the common
// services, with confirmed requests paired with their answers by invoke id.
#pragma once

#include <memory>

#include "applayer/protocol.h"

namespace tocsin::proto::bacnet {

const applayer::ProtocolSpec& protocol();
std::unique_ptr<applayer::Parser> make_parser(const applayer::AppLimits& limits);

}  // namespace tocsin::proto::bacnet
