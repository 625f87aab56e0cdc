#include "proto/dnp3/transaction.h"

#include <string>

namespace tocsin::proto::dnp3 {

using applayer::Direction;

namespace {

std::optional<ByteSpan> data_of(const Message* m, std::size_t index, std::size_t item) {
    if (m == nullptr || item != 0 || index != static_cast<std::size_t>(BufferId::data) ||
        m->data.empty())
        return std::nullopt;
    return ByteSpan(m->data);
}

// Functions by which the master operates the outstation's outputs or writes its values
// (IEEE 1815-2012 Table 4-1): WRITE, SELECT, OPERATE, DIRECT_OPERATE(_NR).
bool is_control(std::uint8_t fc) {
    return fc >= 2 && fc <= 6;
}

// Functions that restart, reconfigure or reprogram the outstation: COLD/WARM_RESTART,
// INITIALIZE_DATA, INITIALIZE/START/STOP_APPL, SAVE_CONFIG, the file transfer functions
// (OPEN..ABORT_FILE) and ACTIVATE_CONFIG. ENABLE/DISABLE_UNSOLICITED are not among them:
// every master sends them when a session starts.
bool is_engineering(std::uint8_t fc) {
    return (fc >= 13 && fc <= 19) || (fc >= 25 && fc <= 31);
}

}  // namespace

const Message* Dnp3Transaction::side(Direction dir) const {
    if (request && request->dir == dir) return &*request;
    if (response && response->dir == dir) return &*response;
    return nullptr;
}

const Message* Dnp3Transaction::record(std::size_t n) const {
    if (request) {
        if (n == 0) return &*request;
        return n == 1 && response ? &*response : nullptr;
    }
    return n == 0 && response ? &*response : nullptr;
}

std::optional<ByteSpan> Dnp3Transaction::buffer(std::size_t index, std::size_t item) const {
    return data_of(request ? &*request : response ? &*response : nullptr, index, item);
}

std::optional<ByteSpan> Dnp3Transaction::buffer_for(Direction dir, std::size_t index,
                                                    std::size_t item) const {
    return data_of(side(dir), index, item);
}

std::optional<std::int64_t> Dnp3Transaction::number(std::string_view key) const {
    if (key != "dnp3.func") return std::nullopt;
    const Message* m = request ? &*request : response ? &*response : nullptr;
    if (m == nullptr) return std::nullopt;
    return m->app.function;
}

void Dnp3Transaction::describe_devices(applayer::DeviceFacts& out) const {
    const Message* req = request ? &*request : nullptr;
    const Message* resp = response ? &*response : nullptr;
    if (req == nullptr && resp == nullptr) return;
    // The master sends requests and receives responses; its link address is the request's
    // source (the response's destination).
    const std::uint16_t master = req ? req->link.source : resp->link.destination;
    const std::uint16_t outstation = req ? req->link.destination : resp->link.source;
    const bool master_is_client =
        req ? req->dir == Direction::to_server : resp->dir == Direction::to_client;
    auto& master_fields = master_is_client ? out.client : out.server;
    auto& outstation_fields = master_is_client ? out.server : out.client;
    master_fields.emplace_back("dnp3_address", std::to_string(master));
    outstation_fields.emplace_back("dnp3_address", std::to_string(outstation));
    // Control and engineering describe what the flow's client did to its server.
    if (req == nullptr || !master_is_client) return;
    out.control = is_control(req->app.function);
    out.engineering = is_engineering(req->app.function);
}

}  // namespace tocsin::proto::dnp3
