// OPC UA binary (UA TCP, OPC 10000-6): the application-layer protocol's registration entry (see
// applayer/protocol.h). TCP port 4840 and any port by content; one transaction per request and
// its response, one EVE `opcua` record each.
#pragma once

#include <memory>

#include "applayer/protocol.h"

namespace tocsin::proto::opcua {

const applayer::ProtocolSpec& protocol();
// A flow's parser (tests and the fuzz target use it without the app layer).
std::unique_ptr<applayer::Parser> make_parser(const applayer::AppLimits& limits);

}  // namespace tocsin::proto::opcua
