// The BACnet rule keywords (docs/rule-keywords.md): bacnet.service, bacnet.object_type,
// bacnet.property, bacnet.instance.
#pragma once

#include <span>

#include "applayer/protocol.h"

namespace tocsin::proto::bacnet {

std::span<const applayer::ProtocolKeyword> keywords();

}  // namespace tocsin::proto::bacnet
