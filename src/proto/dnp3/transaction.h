// One DNP3 transaction: a request and the response carrying the same application sequence
// number (addresses reversed), or an unsolicited response alone, or a response whose
// request was not seen. Each side is logged as its own EVE record, as Suricata writes one
// record per request and per response. Shared by the parser, keywords and eve.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "applayer/protocol.h"
#include "proto/dnp3/link.h"
#include "proto/dnp3/objects.h"

namespace tocsin::proto::dnp3 {

// Rule buffers served, in ProtocolSpec::buffers order.
enum class BufferId : std::size_t {
    data,  // dnp3.data / dnp3_data: the reassembled application fragment of the side
    count,
};

// A request or response fragment: its first frame's link header, the application header and
// the objects, plus the reassembled fragment itself (transport headers and CRCs removed).
struct Message {
    applayer::Direction dir = applayer::Direction::to_server;  // the way it travelled
    LinkHeader link;
    ApplicationHeader app;
    std::vector<Object> objects;
    bool complete = false;  // every object decoded
    std::vector<std::uint8_t> data;

    bool unsolicited() const { return app.function == kFunctionUnsolicitedResponse; }
};

class Dnp3Transaction final : public applayer::Transaction {
  public:
    std::optional<ByteSpan> buffer(std::size_t index, std::size_t item) const override;
    std::optional<ByteSpan> buffer_for(applayer::Direction dir, std::size_t index,
                                       std::size_t item) const override;
    std::optional<std::int64_t> number(std::string_view key) const override;
    void describe_devices(applayer::DeviceFacts& out) const override;

    // The message a rule inspecting a packet of `dir` sees: the request on packets to the
    // server, the response on packets to the client (Suricata's per-direction transactions).
    const Message* side(applayer::Direction dir) const;
    // EVE record `n`: the request first when there is one, then the response.
    const Message* record(std::size_t n) const;

    std::optional<Message> request;
    std::optional<Message> response;
};

}  // namespace tocsin::proto::dnp3
