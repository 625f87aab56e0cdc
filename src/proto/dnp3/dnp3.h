// DNP3 (IEEE 1815-2012) over TCP and UDP port 20000: the application-layer protocol's
// registration entry (see applayer/protocol.h).
#pragma once

#include <memory>

#include "applayer/protocol.h"

namespace tocsin::proto::dnp3 {

const applayer::ProtocolSpec& protocol();

std::unique_ptr<applayer::Parser> make_parser(const applayer::AppLimits& limits);

// Rule keywords (keywords.cpp): dnp3_func, dnp3_ind, dnp3_obj and their dnp3.* spellings.
std::span<const applayer::ProtocolKeyword> keywords();

}  // namespace tocsin::proto::dnp3
