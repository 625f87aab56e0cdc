#include "proto/registry.h"

#include "proto/dnp3/dnp3.h"
#include "proto/dns/dns.h"
#include "proto/enip/enip.h"
#include "proto/http/http.h"
#include "proto/modbus/modbus.h"
#include "proto/ssh/ssh.h"
#include "proto/tls/tls.h"

namespace tocsin::proto {

// Adding a protocol: its folder under src/proto/, its library in CMakeLists.txt, one line here.
std::span<const applayer::ProtocolSpec* const> registered_protocols() {
    static const applayer::ProtocolSpec* const protocols[] = {
        &http::protocol(),
        &tls::protocol(),
        &ssh::protocol(),
        &dns::protocol(),
        &dnp3::protocol(),
        &enip::protocol(),
        &modbus::protocol(),
    };
    return protocols;
}

}  // namespace tocsin::proto
