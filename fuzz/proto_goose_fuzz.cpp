// libFuzzer target for the GOOSE parser. Input: frames of one publisher, each a 2-byte length
// and its bytes (what follows the Ethertype: APPID, Length, Reserved, goosePdu). A frame's
// arrival time advances by its length's low byte in milliseconds, so the timeAllowedtoLive
// check runs too. Every transaction is read and written after each frame, as detection and
// output would, and dropped once written, as the framework does.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/cursor.h"
#include "fuzz/proto_fuzz.h"
#include "proto/goose/goose.h"
#include "proto/goose/transaction.h"

namespace {

using namespace tocsin;

constexpr std::string_view kNumbers[] = {"goose.stnum", "goose.sqnum", "goose.confrev",
                                         "goose.appid"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ByteCursor in(ByteSpan(data, size));
    const applayer::ProtocolSpec& spec = proto::goose::protocol();
    applayer::AppLimits limits;
    auto parser = proto::goose::make_parser(limits);
    applayer::Transactions txs;
    std::uint64_t next_id = 0;
    std::vector<std::string_view> events;
    std::uint64_t packet = 0;
    std::int64_t now_us = 0;
    while (in.remaining() >= 2) {
        const std::uint16_t length = in.u16be();
        const ByteSpan frame = in.bytes(std::min<std::size_t>(length, in.remaining()));
        now_us += (length & 0xff) * 1000;
        applayer::ParseContext ctx(txs, next_id, events, limits, ++packet,
                                   Timestamp::from_micros(now_us));
        parser->parse(applayer::Direction::to_server, frame, ctx);
        for (const auto& tx : txs) {
            applayer::DeviceFacts facts;
            tx->describe_devices(facts);
        }
        tocsin::fuzz::exercise_transactions(spec, txs, kNumbers);
        events.clear();
    }
    applayer::ParseContext ctx(txs, next_id, events, limits, ++packet, {});
    parser->finish(ctx);
    tocsin::fuzz::exercise_transactions(spec, txs, kNumbers);
    return 0;
}
