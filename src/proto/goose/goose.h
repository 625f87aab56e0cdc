// IEC 61850 GOOSE: the frame protocol's registration entry (see applayer/protocol.h). Frames of
// Ethertype 0x88b8 (also behind 802.1Q tags) are parsed per publisher (source MAC, destination
// MAC, VLANs, APPID): one transaction and one EVE `goose` record per GOOSE PDU.
#pragma once

#include <memory>

#include "applayer/protocol.h"

namespace tocsin::proto::goose {

const applayer::ProtocolSpec& protocol();
// A publisher's parser (tests and the fuzz target use it without the app layer).
std::unique_ptr<applayer::Parser> make_parser(const applayer::AppLimits& limits);

}  // namespace tocsin::proto::goose
