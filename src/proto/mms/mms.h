// MMS (ISO 9506, as IEC 61850-8-1 uses it) over ISO-on-TCP: the application-layer protocol's
// registration entry (see applayer/protocol.h). TPKT/COTP framing comes from proto/cotp, the
// session/presentation/ACSE layers from iso.h, the MMS PDUs from pdu.h.
#pragma once

#include <memory>

#include "applayer/protocol.h"

namespace tocsin::proto::mms {

const applayer::ProtocolSpec& protocol();
std::unique_ptr<applayer::Parser> make_parser(const applayer::AppLimits& limits);

}  // namespace tocsin::proto::mms
