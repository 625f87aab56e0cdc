// libFuzzer target for the DNP3 parser. Input: byte 0 says whether the probe is on the port
// (bit 0), whether to finish the flow at the end (bit 1) and whether to leave the CRCs as
// they are (bit 2; otherwise every frame's CRCs are recomputed, so mutations reach the
// transport and application layers instead of stopping at a CRC check); then chunks (an empty one
// is a gap), each a 2-byte header (top bit: direction, 15 bits: length) and its bytes. Every
// transaction is inspected, its keywords evaluated and its records written after each chunk,
// as detection and output would, and dropped once written, as the framework does.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/cursor.h"
#include "fuzz/proto_fuzz.h"
#include "proto/dnp3/dnp3.h"
#include "proto/dnp3/link.h"

namespace {

using namespace tocsin;

constexpr std::string_view kNumbers[] = {"dnp3.func"};

// Keyword tests compiled once: each kind of keyword over a few values.
const std::vector<std::unique_ptr<const applayer::TxTest>>& keyword_tests() {
    static const auto tests = [] {
        std::vector<std::unique_ptr<const applayer::TxTest>> out;
        const std::pair<std::string_view, std::string_view> values[] = {
            {"dnp3_func", "read"},     {"dnp3_func", "129"},
            {"dnp3_ind", "need_time"}, {"dnp3.ind", "device_restart,!need_time"},
            {"dnp3.ind", "!0"},        {"dnp3_obj", "12,1"},
            {"dnp3.obj", "70,3"},
        };
        for (const auto& [name, value] : values)
            for (const auto& k : proto::dnp3::keywords())
                if (k.name == name) {
                    std::string error;
                    if (auto t = k.compile(value, error)) out.push_back(std::move(t));
                }
        return out;
    }();
    return tests;
}

// Rewrites the header and block CRCs of the frames laid end to end in `bytes`.
void fix_crcs(std::vector<std::uint8_t>& bytes) {
    std::size_t at = 0;
    while (at + proto::dnp3::kHeaderSize <= bytes.size()) {
        if (bytes[at] != proto::dnp3::kStart0 || bytes[at + 1] != proto::dnp3::kStart1) {
            ++at;
            continue;
        }
        auto put_crc = [&](std::size_t from, std::size_t n) {
            const std::uint16_t crc = proto::dnp3::crc16(ByteSpan(bytes).subspan(from, n));
            bytes[from + n] = static_cast<std::uint8_t>(crc & 0xff);
            bytes[from + n + 1] = static_cast<std::uint8_t>(crc >> 8);
        };
        put_crc(at, 8);
        const std::size_t length = bytes[at + 2];
        std::size_t left = length < 5 ? 0 : length - 5;
        std::size_t pos = at + proto::dnp3::kHeaderSize;
        while (left > 0 && pos < bytes.size()) {
            const std::size_t n = std::min<std::size_t>(left, 16);
            if (pos + n + 2 > bytes.size()) break;
            put_crc(pos, n);
            pos += n + 2;
            left -= n;
        }
        at = pos;
    }
}

void evaluate_keywords(const applayer::Transactions& txs) {
    for (const auto& tx : txs)
        for (const auto& test : keyword_tests())
            for (auto dir : {applayer::Direction::to_server, applayer::Direction::to_client})
                (void)test->matches(*tx, dir);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ByteCursor in(ByteSpan(data, size));
    const std::uint8_t mode = in.u8();
    if (!in.ok()) return 0;
    const applayer::ProtocolSpec& spec = proto::dnp3::protocol();
    applayer::AppLimits limits;
    auto parser = proto::dnp3::make_parser(limits);
    applayer::Transactions txs;
    std::uint64_t next_id = 0;
    std::vector<std::string_view> events;
    std::uint64_t packet = 0;
    (void)spec.probe(in.peek_rest(), applayer::Direction::to_server, (mode & 1) != 0);
    (void)proto::dnp3::crc16(in.peek_rest());
    while (in.remaining() >= 2) {
        const std::uint16_t head = in.u16be();
        const auto dir =
            (head & 0x8000) != 0 ? applayer::Direction::to_client : applayer::Direction::to_server;
        const std::size_t length = std::min<std::size_t>(head & 0x7fff, in.remaining());
        const ByteSpan raw = in.bytes(length);
        std::vector<std::uint8_t> chunk(raw.begin(), raw.end());
        if ((mode & 4) == 0) fix_crcs(chunk);
        applayer::ParseContext ctx(txs, next_id, events, limits, ++packet, {});
        if (chunk.empty())
            parser->gap(dir, 1, ctx);
        else
            parser->parse(dir, chunk, ctx);
        evaluate_keywords(txs);
        tocsin::fuzz::exercise_transactions(spec, txs, kNumbers);
        events.clear();
    }
    if ((mode & 2) != 0) {
        applayer::ParseContext ctx(txs, next_id, events, limits, ++packet, {});
        parser->finish(ctx);
        evaluate_keywords(txs);
        tocsin::fuzz::exercise_transactions(spec, txs, kNumbers);
    }
    return 0;
}
