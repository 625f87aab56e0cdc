// tocsin-gencap: writes a reproducible pcap of mixed traffic for benchmarks and the sample.
//
// Thousands of flows are active at once. Each step picks one of them at random and writes its
// next packet, so the capture interleaves flows the way a busy link does, and is streamed to
// disk with only the few in-flight packets of every flow held in memory.
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gencap/flows.h"
#include "gencap/rng.h"
#include "support/pcap_writer.h"

namespace tocsin::gencap {
namespace {

constexpr std::int64_t kStartSeconds = 1700000000;  // 2023-11-14 22:13:20 UTC
constexpr std::uint64_t kWireOverheadBytes = 24;    // preamble, start delimiter, FCS, gap
constexpr std::uint64_t kBytesPerActiveFlow = 200000;
constexpr std::uint64_t kMinAutoFlows = 16;
constexpr std::uint64_t kMaxAutoFlows = 5000;

struct Options {
    std::string out;
    std::uint64_t bytes = 0;
    std::uint64_t seed = 1;
    std::uint64_t flows = 0;  // 0: scale with the capture size
    std::uint64_t mbps = 1500;
    std::uint64_t loss_ppm = 5000;      // 0.5 % of plain TCP segments are never written
    std::uint64_t reorder_ppm = 10000;  // 1 % are swapped with the next segment of their flow
    std::optional<std::uint64_t> tls_percent;  // of web flows; empty: the classic mix
};

void print_usage() {
    std::fputs(
        "usage: tocsin-gencap --out FILE --bytes N[k|M|G] --seed S [--flows K] [--mbps R]\n        "
        "             [--tls-percent P]\n"
        "  --bytes  approximate size of the capture file (k/M/G are powers of 1000)\n"
        "  --seed   the same seed always produces the same file\n"
        "  --flows  flows active at once (default: size/200k, between 16 and 5000)\n"
        "  --mbps   simulated link rate for timestamps (default 1500)\n"
        "  --loss-ppm, --reorder-ppm  TCP segments lost / reordered per million\n"
        "           (defaults 5000 and 10000; 0 gives a capture without gaps)\n"
        "  --tls-percent P  web flows that are TLS rather than HTTP (default: the classic\n"
        "           mix, 26 of 58 web flows, about half the bytes cleartext HTTP bodies)\n",
        stderr);
}

std::optional<std::uint64_t> parse_number(std::string_view text) {
    std::uint64_t multiplier = 1;
    if (!text.empty()) {
        switch (text.back()) {
            case 'k':
            case 'K':
                multiplier = 1000;
                break;
            case 'm':
            case 'M':
                multiplier = 1000 * 1000;
                break;
            case 'g':
            case 'G':
                multiplier = 1000 * 1000 * 1000;
                break;
            default:
                break;
        }
        if (multiplier != 1) text.remove_suffix(1);
    }
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value * multiplier;
}

std::optional<Options> parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        if (flag == "--help" || flag == "-h" || i + 1 >= argc) return std::nullopt;
        const std::string_view value = argv[++i];
        if (flag == "--out") {
            options.out = value;
            continue;
        }
        const auto number = parse_number(value);
        if (!number) return std::nullopt;
        if (flag == "--bytes") {
            options.bytes = *number;
        } else if (flag == "--seed") {
            options.seed = *number;
        } else if (flag == "--flows") {
            options.flows = *number;
        } else if (flag == "--mbps") {
            options.mbps = *number;
        } else if (flag == "--loss-ppm") {
            options.loss_ppm = *number;
        } else if (flag == "--reorder-ppm") {
            options.reorder_ppm = *number;
        } else if (flag == "--tls-percent") {
            options.tls_percent = *number;
        } else {
            return std::nullopt;
        }
    }
    if (options.out.empty() || options.bytes == 0 || options.mbps == 0 ||
        options.loss_ppm > 1000000 || options.reorder_ppm > 1000000 ||
        options.tls_percent.value_or(0) > 100) {
        return std::nullopt;
    }
    if (options.flows == 0) {
        options.flows =
            std::clamp(options.bytes / kBytesPerActiveFlow, kMinAutoFlows, kMaxAutoFlows);
    }
    return options;
}

struct Stats {
    std::uint64_t flows = 0;
    std::uint64_t lost = 0;
    std::uint64_t reordered = 0;
};

class Generator {
  public:
    explicit Generator(const Options& options)
        : options_(options),
          rng_(options.seed),
          writer_(options.out),
          factory_(options.tls_percent
                       ? FlowFactory(static_cast<std::uint32_t>(*options.tls_percent))
                       : FlowFactory()),
          slots_(options.flows) {}

    void run() {
        while (writer_.file_bytes() < options_.bytes) step();
        writer_.flush();
    }

    void print_summary() const {
        const std::uint64_t elapsed_us = now_ns_ / 1000;
        std::printf("packets: %llu\nbytes: %llu\nfile_bytes: %llu\nflows: %llu\n",
                    as_ull(writer_.packets()), as_ull(writer_.bytes()),
                    as_ull(writer_.file_bytes()), as_ull(stats_.flows));
        std::printf(
            "lost_segments: %llu\nreordered_segments: %llu\nsimulated_seconds: %llu.%06llu\n",
            as_ull(stats_.lost), as_ull(stats_.reordered), as_ull(elapsed_us / 1000000),
            as_ull(elapsed_us % 1000000));
    }

  private:
    struct Slot {
        std::unique_ptr<Flow> flow;
        std::deque<Packet> pending;
    };

    static unsigned long long as_ull(std::uint64_t value) { return value; }

    void step() {
        const std::size_t index = rng_.below(slots_.size());
        Slot& slot = slots_[index];
        if (!slot.flow) {
            slot.flow = factory_.make(rng_, index);
            ++stats_.flows;
        }
        if (!refill(slot)) {
            slot.flow.reset();  // finished; the slot gets a new flow the next time it is picked
            return;
        }
        Packet packet = std::move(slot.pending.front());
        slot.pending.pop_front();
        if (packet.plain_segment && rng_.chance_ppm(options_.loss_ppm)) {
            ++stats_.lost;
            return;
        }
        // Reordering: the following segment of the same flow overtakes this one, which is
        // written on the flow's next turn.
        if (packet.plain_segment && rng_.chance_ppm(options_.reorder_ppm) && refill(slot) &&
            slot.pending.front().plain_segment) {
            std::swap(packet, slot.pending.front());
            ++stats_.reordered;
        }
        write(packet.frame);
    }

    // Makes sure the slot has a pending packet; false once its flow has ended.
    bool refill(Slot& slot) {
        while (slot.pending.empty()) {
            if (!slot.flow->next(rng_, slot.pending)) return false;
        }
        return true;
    }

    // Stamps the frame and advances the clock by its time on the wire at the simulated rate,
    // with jitter so inter-arrival times vary.
    void write(const Bytes& frame) {
        writer_.write(kStartSeconds + static_cast<std::int64_t>(now_ns_ / 1000000000),
                      static_cast<std::uint32_t>(now_ns_ % 1000000000 / 1000), frame);
        const std::uint64_t bits = (frame.size() + kWireOverheadBytes) * 8;
        const std::uint64_t jitter_percent = rng_.between(50, 150);
        now_ns_ += bits * 1000 * jitter_percent / (options_.mbps * 100);
    }

    Options options_;
    Rng rng_;
    testsupport::PcapWriter writer_;
    FlowFactory factory_;
    std::vector<Slot> slots_;
    std::uint64_t now_ns_ = 0;
    Stats stats_;
};

}  // namespace
}  // namespace tocsin::gencap

int main(int argc, char** argv) {
    const auto options = tocsin::gencap::parse_options(argc, argv);
    if (!options) {
        tocsin::gencap::print_usage();
        return 2;
    }
    try {
        // Quick starts write into directories such as sample/ that may not exist yet.
        const auto parent = std::filesystem::path(options->out).parent_path();
        if (!parent.empty()) std::filesystem::create_directories(parent);
        tocsin::gencap::Generator generator(*options);
        generator.run();
        generator.print_summary();
    } catch (const std::exception& error) {
        std::fprintf(stderr, "tocsin-gencap: %s\n", error.what());
        return 1;
    }
    return 0;
}
