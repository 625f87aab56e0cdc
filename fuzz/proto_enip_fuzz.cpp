// libFuzzer target for the EtherNet/IP parser. Input: byte 0 says whether the probe is on the
// port (bit 0); then chunks (an empty one is a gap), each a 2-byte header (top bit: direction,
// 15 bits: length) and its bytes. After each chunk every transaction is inspected with each
// rule keyword in both directions, described for the asset inventory and written, as
// detection, assets and output would, and dropped once written, as the framework does.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/cursor.h"
#include "fuzz/proto_fuzz.h"
#include "proto/enip/enip.h"

namespace {

using namespace tocsin;

// One compiled test per keyword, with a value that needs the field to be present.
std::vector<std::unique_ptr<const applayer::TxTest>> compile_keywords(
    const applayer::ProtocolSpec& spec) {
    std::vector<std::unique_ptr<const applayer::TxTest>> tests;
    for (const auto& k : spec.keywords) {
        std::string error;
        const std::string_view value = k.name == "cip_service" ? "1,1,1" : ">0";
        if (auto t = k.compile(value, error)) tests.push_back(std::move(t));
    }
    return tests;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ByteCursor in(ByteSpan(data, size));
    const std::uint8_t mode = in.u8();
    if (!in.ok()) return 0;
    const applayer::ProtocolSpec& spec = proto::enip::protocol();
    static const auto tests = compile_keywords(spec);
    applayer::AppLimits limits;
    auto parser = spec.make_parser(limits);
    applayer::Transactions txs;
    std::uint64_t next_id = 0;
    std::vector<std::string_view> events;
    std::uint64_t packet = 0;
    (void)spec.probe(in.peek_rest(), applayer::Direction::to_server, (mode & 1) != 0);
    auto inspect = [&] {
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
