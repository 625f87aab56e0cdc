// libFuzzer target for the IEC 60870-5-104 parser. Input: byte 0 bit 0 says whether the probe
// is on the port; then chunks (an empty one is a gap), each a 2-byte header (top bit:
// direction, 15 bits: length) and its bytes. Every transaction is inspected with each rule
// keyword and written after each chunk, as detection and output would, and dropped once
// written, as the framework does.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/cursor.h"
#include "fuzz/proto_fuzz.h"
#include "proto/iec104/iec104.h"

namespace {

using namespace tocsin;

// One compiled test per keyword, with values that select something.
std::vector<std::unique_ptr<const applayer::TxTest>> compile_keywords() {
    constexpr std::pair<std::string_view, std::string_view> kValues[] = {
        {"iec104.typeid", "C_SC_NA_1"},      {"iec104.cot", "actcon"},
        {"iec104.ioa", "1-100000"},          {"iec104.apci", "u"},
        {"iec104.u_function", "testfr_act"}, {"iec104.common_address", ">0"},
    };
    std::vector<std::unique_ptr<const applayer::TxTest>> tests;
    for (const auto& k : proto::iec104::protocol().keywords)
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
    const applayer::ProtocolSpec& spec = proto::iec104::protocol();
    applayer::AppLimits limits;
    // A lower transaction bound than the default keeps each input fast (every chunk writes
    // every retained transaction) while still exercising forced completion.
    limits.max_transactions = 32;
    auto parser = spec.make_parser(limits);
    applayer::Transactions txs;
    std::uint64_t next_id = 0;
    std::vector<std::string_view> events;
    std::uint64_t packet = 0;
    (void)spec.probe(in.peek_rest(), applayer::Direction::to_server, (mode & 1) != 0);
    auto inspect = [&] {
        // The framework's bound (app-layer.max-transactions): the oldest are forced complete.
        for (std::size_t i = 0; i + limits.max_transactions < txs.size(); ++i)
            txs[i]->done = {true, true};
        for (const auto& tx : txs)
            for (const auto& t : tests)
                for (auto dir : {applayer::Direction::to_server, applayer::Direction::to_client})
                    (void)t->matches(*tx, dir);
        for (const auto& tx : txs) {
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
        const ByteSpan chunk = in.bytes(length);
        applayer::ParseContext ctx(txs, next_id, events, limits, ++packet, {});
        if (chunk.empty())
            parser->gap(dir, 1, ctx);
        else
            parser->parse(dir, chunk, ctx);
        inspect();
        events.clear();
    }
    applayer::ParseContext ctx(txs, next_id, events, limits, ++packet, {});
    parser->finish(ctx);
    inspect();
    return 0;
}
