// Rule keywords of s7comm (ProtocolSpec::keywords): s7comm.rosctr, s7comm.function,
// s7comm.userdata_group, s7comm.userdata_subfunction, s7comm.szl_id, s7comm.area, s7comm.db.
#pragma once

#include <span>

#include "applayer/protocol.h"

namespace tocsin::proto::s7comm {

std::span<const applayer::ProtocolKeyword> keywords();

}  // namespace tocsin::proto::s7comm
