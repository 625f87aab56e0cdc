// EtherNet/IP and CIP: the application-layer protocol's registration entry (see
// applayer/protocol.h). Encapsulation messages over TCP and UDP 44818, their Common Packet
// Format items and the CIP messages inside; class 0/1 I/O datagrams on UDP 2222.
#pragma once

#include "applayer/protocol.h"

namespace tocsin::proto::enip {

const applayer::ProtocolSpec& protocol();

}  // namespace tocsin::proto::enip
