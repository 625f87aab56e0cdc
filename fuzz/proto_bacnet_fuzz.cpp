// libFuzzer target for the BACnet/IP parser. Input: byte 0 bit 0 says whether the probe is on
// the port; then datagrams, each a 2-byte header (top bit: direction, 15 bits: length) and its
// bytes (not necessarily BVLC: a claimed flow's later datagrams all reach the parser). Every
// transaction is inspected with each rule keyword, asked for its asset facts and
// written after each datagram, as detection, the inventory and output would, and dropped once
// written, as the framework does.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/cursor.h"
#include "fuzz/proto_fuzz.h"
#include "proto/bacnet/bacnet.h"

namespace {

using namespace tocsin;

std::vector<std::unique_ptr<const applayer::TxTest>> compile_keywords() {
    constexpr std::pair<std::string_view, std::string_view> kValues[] = {
        {"bacnet.service", "readProperty"}, {"bacnet.service", "who-Is"},
        {"bacnet.object_type", "device"},   {"bacnet.property", "present-value"},
        {"bacnet.instance", "0-4194303"},
    };
    std::vector<std::unique_ptr<const applayer::TxTest>> tests;
    for (const auto& k : proto::bacnet::protocol().keywords)
        for (const auto& [name, value] : kValues)
            if (k.name == name) {
                std::string error;
                if (auto t = k.compile(value, error)) tests.push_back(std::move(t));
            }
    return tests;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto tests = compile_keywords();
    ByteCursor in(ByteSpan(data, size));
    const std::uint8_t mode = in.u8();
    if (!in.ok()) return 0;
    const applayer::ProtocolSpec& spec = proto::bacnet::protocol();
    applayer::AppLimits limits;
    auto parser = spec.make_parser(limits);
    applayer::Transactions txs;
    std::uint64_t next_id = 0;
    std::vector<std::string_view> events;
    std::uint64_t packet = 0;
    auto inspect = [&] {
        // The framework's bound (app-layer.max-transactions): the oldest are forced complete.
        for (std::size_t i = 0; i + limits.max_transactions < txs.size(); ++i)
            txs[i]->done = {true, true};
        for (const auto& tx : txs) {
            for (const auto& t : tests)
                for (auto dir : {applayer::Direction::to_server, applayer::Direction::to_client})
                    (void)t->matches(*tx, dir);
            applayer::DeviceFacts facts;
            tx->describe_devices(facts);
        }
        tocsin::fuzz::exercise_transactions(spec, txs, {});
    };
    while (in.remaining() >= 2) {
        const std::uint16_t head = in.u16be();
        const auto dir =
            (head & 0x8000) != 0 ? applayer::Direction::to_client : applayer::Direction::to_server;
        const std::size_t length = std::min<std::size_t>(head & 0x7fff, in.remaining());
        const ByteSpan datagram = in.bytes(length);
        // The probe sees the first datagram; once the flow is claimed, every datagram of it
        // reaches the parser, BACnet or not.
        if (packet == 0) (void)spec.probe(datagram, dir, (mode & 1) != 0);
        applayer::ParseContext ctx(txs, next_id, events, limits, ++packet, {});
        parser->parse(dir, datagram, ctx);
        inspect();
        events.clear();
    }
    applayer::ParseContext ctx(txs, next_id, events, limits, ++packet, {});
    parser->finish(ctx);
    inspect();
    return 0;
}
