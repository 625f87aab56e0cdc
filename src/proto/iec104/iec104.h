// IEC 60870-5-104: the application-layer protocol's registration entry (see
// applayer/protocol.h). APDUs over TCP (port 2404): APCI I/S/U frames and the ASDUs of
// IEC 60870-5-101 they carry, with commands paired with their confirmations.
#pragma once

#include <memory>

#include "applayer/protocol.h"

namespace tocsin::proto::iec104 {

const applayer::ProtocolSpec& protocol();
std::unique_ptr<applayer::Parser> make_parser(const applayer::AppLimits& limits);

}  // namespace tocsin::proto::iec104
