#include "proto/registry.h"

#include "proto/bacnet/bacnet.h"
#include "proto/dnp3/dnp3.h"
#include "proto/dns/dns.h"
#include "proto/enip/enip.h"
#include "proto/goose/goose.h"
#include "proto/http/http.h"
#include "proto/iec104/iec104.h"
#include "proto/mms/mms.h"
#include "proto/modbus/modbus.h"
#include "proto/opcua/opcua.h"
#include "proto/s7comm/s7comm.h"
#include "proto/ssh/ssh.h"
#include "proto/tls/tls.h"

namespace tocsin::proto {

// Adding a protocol: its folder under src/proto/, its library in CMakeLists.txt, one line here.
std::span<const applayer::ProtocolSpec* const> registered_protocols() {
    static const applayer::ProtocolSpec* const protocols[] = {
        &http::protocol(),   &tls::protocol(),    &ssh::protocol(),   &dns::protocol(),
        &iec104::protocol(), &bacnet::protocol(), &dnp3::protocol(),  &enip::protocol(),
        &modbus::protocol(), &goose::protocol(),  &opcua::protocol(), &s7comm::protocol(),
        &mms::protocol(),
    };
    return protocols;
}

}  // namespace tocsin::proto
