// libFuzzer target over decode + flow tracking + TCP reassembly, the per-packet path of
// `tocsin run`. Memory caps are tiny so eviction and memcap paths run too. The stream consumer
// checks the reassembly contract (in-order, no overlap, gaps explicit) and aborts if broken.
#include <cstdlib>
#include <map>
#include <vector>

#include "core/config.h"
#include "decode/decoder.h"
#include "flow/flow.h"
#include "fuzz/fuzz_input.h"
#include "stream/tcp.h"

namespace {

using namespace tocsin;

class CheckingConsumer : public stream::StreamConsumer, public flow::FlowEndHandler {
  public:
    explicit CheckingConsumer(stream::TcpTracker& tcp) : tcp_(tcp) {}
    void on_data(flow::Flow& f, flow::Direction d, std::uint64_t offset, ByteSpan data) override {
        expect(f, d, offset);
        next_[{f.flow_id, flow::dir_index(d)}] = offset + data.size();
    }
    void on_gap(flow::Flow& f, flow::Direction d, std::uint64_t offset,
                std::uint64_t length) override {
        expect(f, d, offset);
        if (length == 0) std::abort();
        next_[{f.flow_id, flow::dir_index(d)}] = offset + length;
    }
    void on_close(flow::Flow&, flow::Direction) override {}
    void on_flow_end(flow::Flow& f, flow::EndReason, Timestamp) override {
        tcp_.finish(f, *this);
        next_.erase({f.flow_id, 0});
        next_.erase({f.flow_id, 1});
    }

  private:
    void expect(const flow::Flow& f, flow::Direction d, std::uint64_t offset) {
        auto it = next_.find({f.flow_id, flow::dir_index(d)});
        const std::uint64_t want = it == next_.end() ? 0 : it->second;
        // The first chunk of a direction may start anywhere (midstream); later ones continue.
        if (it != next_.end() && offset != want) std::abort();
    }
    stream::TcpTracker& tcp_;
    std::map<std::pair<std::uint64_t, std::size_t>, std::uint64_t> next_;
};

Config fuzz_config() {
    Config c;
    c.set("stream.midstream", "true");
    c.set("flow.memcap", "64kb");
    c.set("stream.reassembly.memcap", "16kb");
    c.set("stream.reassembly.depth", "4kb");
    c.set("stream.reassembly.max-ooo-segments", "16");
    c.set("defrag.memcap", "16kb");
    c.set("defrag.trackers", "8");
    c.set("flow.hash-size", "64");
    return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    // Options are parsed once: per-input work should be the packet path, not config lookups.
    static const Config config = fuzz_config();
    static const decode::DecodeOptions decode_options = decode::DecodeOptions::from_config(config);
    static const stream::StreamOptions stream_options =
        stream::StreamOptions::from_config(config, 1);
    static const flow::FlowTableOptions flow_options =
        flow::FlowTableOptions::from_config(config, 1);
    const std::uint32_t linktype = fuzz::kFuzzLinkTypes[data[0] % fuzz::kFuzzLinkTypes.size()];

    decode::DecodeOptions options = decode_options;
    options.validate_checksums = (data[0] & 0x80) != 0;
    decode::Decoder decoder(options);
    stream::TcpTracker tcp(stream_options);
    CheckingConsumer consumer(tcp);
    flow::FlowTable table(flow_options, consumer);

    ByteCursor input(ByteSpan(data + 1, size - 1));
    std::vector<std::uint8_t> reassembled;
    Timestamp now{1700000000, 0};
    std::uint64_t position = 0;
    while (input.has(2)) {
        const std::uint16_t length = input.u16be();
        ByteSpan frame = input.bytes(std::min<std::size_t>(length, input.remaining()));
        position++;
        now = Timestamp::from_micros(now.micros() + (position % 64 == 0 ? 40'000'000 : 1000));
        Packet pkt;
        pkt.ts = now;
        pkt.pcap_cnt = position;
        pkt.data = frame;
        Packet carrier;
        if (decoder.decode(linktype, pkt, reassembled, &carrier) && carrier.has_flow_key)
            table.track(carrier);
        if (position % 64 == 0) {
            decoder.expire(now);
            table.expire(now);
        }
        if (!pkt.has_flow_key) continue;
        // As the pipeline's worker does: a reused port pair ends the old flow first.
        if (pkt.ip_proto == kProtoTcp && pkt.has_l4) {
            flow::Flow* old = table.find(pkt);
            if (old != nullptr && tcp.is_port_reuse(*old, pkt))
                table.end(*old, flow::EndReason::forced, now);
        }
        auto found = table.track(pkt);
        if (found.flow == nullptr) continue;
        if (pkt.ip_proto == kProtoTcp && pkt.has_l4 && !pkt.checksum_bad)
            tcp.process(*found.flow, found.direction, pkt, consumer);
    }
    table.end_all(flow::EndReason::shutdown, now);
    if (tcp.memory_in_use() != 0) std::abort();  // every held segment was released
    return 0;
}
