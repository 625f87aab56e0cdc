// Micro-benchmarks of the per-packet path, stage by stage: checksum, decode, flow lookup,
// TCP reassembly. Bytes/s and items/s are reported by Google Benchmark; run with
// build/tocsin-microbench (add --benchmark_filter=... to pick one).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "decode/checksum.h"
#include "decode/decoder.h"
#include "flow/flow.h"
#include "stream/tcp.h"
#include "support/packet_builder.h"

namespace {

namespace ts = tocsin::testsupport;
using namespace tocsin;

// A realistic mix: many concurrent TCP sessions exchanging full-size and small segments.
std::vector<ts::Bytes> session_frames(int sessions, int segments_each) {
    std::vector<ts::TcpSession> all;
    for (int i = 0; i < sessions; ++i)
        all.emplace_back("10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1),
                         static_cast<std::uint16_t>(30000 + i), "192.0.2.10", 443);
    std::vector<ts::Bytes> frames;
    for (auto& s : all)
        for (auto& f : s.handshake()) frames.push_back(std::move(f));
    for (int k = 0; k < segments_each; ++k) {
        for (auto& s : all) {
            frames.push_back(s.server_data(ts::Bytes(1448, static_cast<std::uint8_t>(k))));
            if (k % 2 == 1) frames.push_back(s.client_ack());
        }
    }
    return frames;
}

struct NullConsumer : stream::StreamConsumer, flow::FlowEndHandler {
    std::uint64_t bytes = 0;
    void on_data(flow::Flow&, flow::Direction, std::uint64_t, ByteSpan d) override {
        bytes += d.size();
    }
    void on_gap(flow::Flow&, flow::Direction, std::uint64_t, std::uint64_t) override {}
    void on_close(flow::Flow&, flow::Direction) override {}
    void on_flow_end(flow::Flow&, flow::EndReason, Timestamp) override {}
};

std::uint64_t total_bytes(const std::vector<ts::Bytes>& frames) {
    std::uint64_t n = 0;
    for (const auto& f : frames) n += f.size();
    return n;
}

void BM_Checksum(benchmark::State& state) {
    std::vector<std::uint8_t> data(static_cast<std::size_t>(state.range(0)), 0xab);
    for (auto _ : state) benchmark::DoNotOptimize(decode::checksum_add(ByteSpan(data)));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Checksum)->Arg(64)->Arg(1500);

void BM_Decode(benchmark::State& state) {
    const auto frames = session_frames(1000, 8);
    decode::DecodeOptions options;
    options.validate_checksums = state.range(0) != 0;
    decode::Decoder decoder(options);
    std::vector<std::uint8_t> reassembled;
    Packet pkt;
    for (auto _ : state) {
        for (const auto& f : frames) {
            pkt = Packet{};
            pkt.data = ByteSpan(f);
            decoder.decode(1, pkt, reassembled);
            benchmark::DoNotOptimize(pkt.flow_hash);
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * frames.size()));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * total_bytes(frames)));
}
BENCHMARK(BM_Decode)->Arg(0)->Arg(1)->ArgName("checksums");

void BM_DecodeFlowStream(benchmark::State& state) {
    const auto frames = session_frames(static_cast<int>(state.range(0)), 8);
    decode::Decoder decoder{decode::DecodeOptions{}};
    std::vector<Packet> packets(frames.size());
    std::vector<std::uint8_t> reassembled;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        packets[i].data = ByteSpan(frames[i]);
        decoder.decode(1, packets[i], reassembled);
    }
    for (auto _ : state) {
        state.PauseTiming();
        NullConsumer consumer;
        auto table = std::make_unique<flow::FlowTable>(flow::FlowTableOptions{}, consumer);
        stream::TcpTracker tcp{stream::StreamOptions{}};
        state.ResumeTiming();
        for (auto& p : packets) {
            auto found = table->track(p);
            if (found.flow != nullptr) tcp.process(*found.flow, found.direction, p, consumer);
        }
        benchmark::DoNotOptimize(consumer.bytes);
        state.PauseTiming();
        table.reset();
        state.ResumeTiming();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * frames.size()));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * total_bytes(frames)));
}
BENCHMARK(BM_DecodeFlowStream)->Arg(100)->Arg(5000)->ArgName("sessions");

}  // namespace

BENCHMARK_MAIN();
