// S7comm (Siemens S7 over ISO-on-TCP, protocol id 0x32) with S7comm-plus (0x72) recognised:
// the application-layer protocol's registration entry (see applayer/protocol.h). TPKT/COTP
// framing comes from proto/cotp.
#pragma once

#include <memory>

#include "applayer/protocol.h"

namespace tocsin::proto::s7comm {

const applayer::ProtocolSpec& protocol();
std::unique_ptr<applayer::Parser> make_parser(const applayer::AppLimits& limits);

}  // namespace tocsin::proto::s7comm
