// One Modbus transaction: a request and the response paired with it by MBAP transaction id,
// unit and function (either may be missing: an unanswered request, an unsolicited response).
// Shared by the parser (modbus.cpp), the keyword (keyword.cpp) and the EVE writer (eve.cpp).
#pragma once

#include <optional>

#include "applayer/protocol.h"
#include "proto/modbus/message.h"

namespace tocsin::proto::modbus {

class ModbusTransaction final : public applayer::Transaction {
  public:
    // Device identification objects (FC 43/14) of the response; writes and programming
    // functions of the request (see README.md for the choices).
    void describe_devices(applayer::DeviceFacts& out) const override;
    // "modbus.function" (the request's function code without the exception bit) and
    // "modbus.unit" (its unit id), of the response when there is no request.
    std::optional<std::int64_t> number(std::string_view key) const override;

    // The message rules inspect, as Suricata does: the request, else the response.
    const Message* inspected() const {
        if (request) return &*request;
        return response ? &*response : nullptr;
    }

    std::optional<Message> request;
    std::optional<Message> response;
};

}  // namespace tocsin::proto::modbus
