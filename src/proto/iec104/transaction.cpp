#include "proto/iec104/transaction.h"

#include <string>

namespace tocsin::proto::iec104 {

// The controlled station is known by its common address (the station address of 101 7.2.4):
// every ASDU of the flow names it, in both directions. The global address 0xFFFF (a broadcast
// command) and the unused 0 say nothing about the station.
//
// Roles: process commands (C_SC..C_BO, 45..64), clock synchronization (103: it sets the
// station's clock) and parameter loading (P_*, 110..113: it changes what the station reports)
// sent by the client are control; reset process (105) restarts the station's application,
// which only an engineering tool does. Interrogation, read and test commands are neither.
void Iec104Transaction::describe_devices(applayer::DeviceFacts& out) const {
    bool identified = false;
    for (const Message& m : messages) {
        if (!m.apdu.asdu) continue;
        const Asdu& a = *m.apdu.asdu;
        if (!identified && a.common_address != 0 && a.common_address != kGlobalCommonAddress) {
            out.server.emplace_back("common_address", std::to_string(a.common_address));
            identified = true;
        }
        if (m.dir != applayer::Direction::to_server) continue;
        if (a.cot != 6 && a.cot != 8) continue;  // act / deact: a request, not its echo
        const std::uint8_t t = a.type_id;
        if ((t >= 45 && t <= 64) || t == 103 || is_parameter(t)) out.control = true;
        if (t == 105) out.engineering = true;
    }
}

}  // namespace tocsin::proto::iec104
