// libFuzzer target for the S7comm parser (with TPKT/COTP). Input: byte 0 says whether the
// probe is on the port (bit 0); then chunks (an empty one is a gap), each a 2-byte header (top
// bit: direction, 15 bits: length) and its bytes. Every transaction is inspected and written
// after each chunk, as detection and output would, and dropped once written, as the
// framework does; the keywords are compiled and evaluated on each too.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/cursor.h"
#include "fuzz/proto_fuzz.h"
#include "proto/s7comm/s7comm.h"

namespace {

using namespace tocsin;

constexpr std::string_view kNumbers[] = {"s7comm.rosctr", "s7comm.function", "s7comm.szl_id"};
constexpr std::pair<std::string_view, std::string_view> kKeywords[] = {
    {"s7comm.rosctr", "ack_data"},  {"s7comm.function", "write_var"},
    {"s7comm.userdata_group", "4"}, {"s7comm.userdata_subfunction", "read_szl"},
    {"s7comm.szl_id", "0x11"},      {"s7comm.area", "DB"},
    {"s7comm.db", "1<>100"},
};

// The keywords compiled once per input, as a rule set would be.
std::vector<std::unique_ptr<const applayer::TxTest>> compile_keywords(
    const applayer::ProtocolSpec& spec) {
    std::vector<std::unique_ptr<const applayer::TxTest>> tests;
    for (const auto& [name, value] : kKeywords)
        for (const auto& k : spec.keywords) {
            if (k.name != name) continue;
            std::string error;
            if (auto test = k.compile(value, error)) tests.push_back(std::move(test));
        }
    return tests;
}

void exercise_keywords(const std::vector<std::unique_ptr<const applayer::TxTest>>& tests,
                       const applayer::Transactions& txs) {
    for (const auto& tx : txs) {
        for (const auto& test : tests) {
            (void)test->matches(*tx, applayer::Direction::to_server);
            (void)test->matches(*tx, applayer::Direction::to_client);
        }
        applayer::DeviceFacts facts;
        tx->describe_devices(facts);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ByteCursor in(ByteSpan(data, size));
    const std::uint8_t mode = in.u8();
    if (!in.ok()) return 0;
    const applayer::ProtocolSpec& spec = proto::s7comm::protocol();
    applayer::AppLimits limits;
    limits.max_record_bytes = 4096;  // small, so the reassembly bound is reached
    auto parser = spec.make_parser(limits);
    const auto tests = compile_keywords(spec);
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
        exercise_keywords(tests, txs);
        tocsin::fuzz::exercise_transactions(spec, txs, kNumbers);
        events.clear();
    }
    applayer::ParseContext ctx(txs, next_id, events, limits, ++packet, {});
    parser->finish(ctx);
    exercise_keywords(tests, txs);
    tocsin::fuzz::exercise_transactions(spec, txs, kNumbers);
    return 0;
}
