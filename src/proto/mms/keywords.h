// Rule keywords of mms (ProtocolSpec::keywords): mms.service, mms.pdu.
#pragma once

#include <span>

#include "applayer/protocol.h"

namespace tocsin::proto::mms {

std::span<const applayer::ProtocolKeyword> keywords();

}  // namespace tocsin::proto::mms
