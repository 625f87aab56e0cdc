// The IEC 104 rule keywords (docs/rule-keywords.md): iec104.typeid, iec104.cot, iec104.ioa,
// iec104.apci, iec104.u_function, iec104.common_address.
#pragma once

#include <span>

#include "applayer/protocol.h"

namespace tocsin::proto::iec104 {

std::span<const applayer::ProtocolKeyword> keywords();

}  // namespace tocsin::proto::iec104
