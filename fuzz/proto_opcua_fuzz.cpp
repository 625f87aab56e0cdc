// libFuzzer target for the OPC UA binary parser. Input: byte 0 picks whether the probe runs on
// the port (bit 0) and the record size bound (bit 1: 2 KiB, else the default); then chunks (an
// empty one is a gap), each a 2-byte header (top bit: direction, 15 bits: length) and its
// bytes, as TCP reassembly would deliver them. Every transaction is inspected and written after
// each chunk, as detection and output would, and dropped once written, as the framework does.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/cursor.h"
#include "fuzz/proto_fuzz.h"
#include "proto/opcua/opcua.h"
#include "proto/opcua/transaction.h"

namespace {

using namespace tocsin;

constexpr std::string_view kNumbers[] = {"opcua.request_id", "opcua.secure_channel_id"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ByteCursor in(ByteSpan(data, size));
    const std::uint8_t mode = in.u8();
    if (!in.ok()) return 0;
    const applayer::ProtocolSpec& spec = proto::opcua::protocol();
    applayer::AppLimits limits;
    if ((mode & 2) != 0) limits.max_record_bytes = 2048;
    auto parser = proto::opcua::make_parser(limits);
    applayer::Transactions txs;
    std::uint64_t next_id = 0;
    std::vector<std::string_view> events;
    std::uint64_t packet = 0;
    (void)spec.probe(in.peek_rest(), applayer::Direction::to_server, (mode & 1) != 0);
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
        for (const auto& tx : txs) {
            applayer::DeviceFacts facts;
            tx->describe_devices(facts);
            (void)spec.record_head(*tx, 0);
        }
        tocsin::fuzz::exercise_transactions(spec, txs, kNumbers);
        events.clear();
    }
    applayer::ParseContext ctx(txs, next_id, events, limits, ++packet, {});
    parser->finish(ctx);
    tocsin::fuzz::exercise_transactions(spec, txs, kNumbers);
    return 0;
}
