// libFuzzer target for the Modbus/TCP parser. Input: byte 0 picks whether the probe is on the
// port (bit 0) and the flow's transaction limit (bits 1-7: 1 + value, so floods are reached);
// then chunks (an empty one is a gap), each a 2-byte header (top bit: direction, 15 bits:
// length) and its bytes. Every transaction is inspected, written and matched by a few `modbus`
// keywords after each chunk, as detection and output would, and dropped once written.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/cursor.h"
#include "fuzz/proto_fuzz.h"
#include "proto/modbus/keyword.h"
#include "proto/modbus/modbus.h"
#include "proto/modbus/transaction.h"

namespace {

using namespace tocsin;

constexpr std::string_view kNumbers[] = {"modbus.function", "modbus.unit"};
constexpr std::array<std::string_view, 5> kRules = {
    "function assigned",
    "function 8, subfunction 4",
    "unit >9, access read coils, address 0<>2",
    "access write holding, address 10, value >5",
    "access write coils, address 20, value 1",
};

void match_rules(const applayer::Transactions& txs) {
    static const auto tests = [] {
        std::array<std::unique_ptr<const applayer::TxTest>, kRules.size()> out;
        std::string error;
        for (std::size_t i = 0; i < kRules.size(); ++i)
            out[i] = proto::modbus::compile_modbus_keyword(kRules[i], error);
        return out;
    }();
    for (const auto& tx : txs)
        for (const auto& test : tests)
            if (test != nullptr) (void)test->matches(*tx, applayer::Direction::to_server);
}

void describe(const applayer::Transactions& txs) {
    for (const auto& tx : txs) {
        applayer::DeviceFacts facts;
        tx->describe_devices(facts);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ByteCursor in(ByteSpan(data, size));
    const std::uint8_t mode = in.u8();
    if (!in.ok()) return 0;
    const applayer::ProtocolSpec& spec = proto::modbus::protocol();
    applayer::AppLimits limits;
    limits.max_transactions = 1 + (mode >> 1);
    auto parser = spec.make_parser(limits);
    applayer::Transactions txs;
    std::uint64_t next_id = 0;
    std::vector<std::string_view> events;
    std::uint64_t packet = 0;
    (void)spec.probe(in.peek_rest(), applayer::Direction::to_server, (mode & 1) != 0);
    (void)spec.probe(in.peek_rest(), applayer::Direction::to_client, (mode & 1) != 0);
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
        match_rules(txs);
        describe(txs);
        tocsin::fuzz::exercise_transactions(spec, txs, kNumbers);
        events.clear();
    }
    applayer::ParseContext ctx(txs, next_id, events, limits, ++packet, {});
    parser->finish(ctx);
    match_rules(txs);
    describe(txs);
    tocsin::fuzz::exercise_transactions(spec, txs, kNumbers);
    return 0;
}
