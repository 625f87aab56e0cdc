#include "pipeline/run.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "assets/inventory.h"
#include "capture/pcap_file.h"
#include "capture/pcap_live.h"
#include "decode/decoder.h"
#include "detect/rule_loader.h"
#include "intel/load.h"
#include "intel/sightings.h"
#include "output/eve_writer.h"
#include "pipeline/worker.h"
#include "proto/registry.h"

namespace tocsin::pipeline {

volatile std::sig_atomic_t StopRequest::requested = 0;
volatile std::sig_atomic_t ReloadRequest::requested = 0;

namespace {

using Clock = std::chrono::steady_clock;

// CPU time of all the process's threads. Throughput measured in CPU time stays comparable on a
// machine whose other tenants steal wall-clock time.
double process_cpu_seconds() {
    timespec ts{};
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return 0;
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct PacketSlot {
    std::vector<std::uint8_t> frame;
    std::vector<std::uint8_t> reassembled;
    Packet pkt;
    Packet carrier;  // outer layers, when the frame is tunnelled
};

// A batch of decoded packets, each worker's share of it, and what each worker produced.
// Batches go round a small ring so reading the next overlaps with processing this one.
struct Batch {
    std::vector<PacketSlot> slots;
    std::vector<Packet*> packets;
    std::vector<Packet*> carriers;
    std::size_t count = 0;
    std::vector<std::vector<WorkItem>> work;
    std::vector<std::vector<EventRecord>> events;
    // Each worker's counters as it finished this batch: read by the main thread once the batch
    // is complete, so live runs can report stats without touching a running worker.
    struct WorkerCounters {
        flow::FlowStats flow;
        stream::StreamStats stream;
        std::uint64_t memory_peak = 0;
        applayer::AppStats app;
    };
    std::vector<WorkerCounters> counters;

    std::mutex mutex;
    std::condition_variable cv;
    unsigned pending = 0;

    Batch(std::size_t size, unsigned workers)
        : slots(size),
          packets(size),
          carriers(size),
          work(workers),
          events(workers),
          counters(workers) {
        for (std::size_t i = 0; i < size; ++i) {
            packets[i] = &slots[i].pkt;
            carriers[i] = &slots[i].carrier;
        }
    }
    void reset() {
        // Slots keep their buffers between batches (no allocation per packet), except
        // oversized ones: a capture of maximum-size records must not pin 3 x 2048 x 256 KB.
        for (std::size_t i = 0; i < count; ++i) {
            release_if_large(slots[i].frame);
            release_if_large(slots[i].reassembled);
        }
        count = 0;
        bytes = 0;
        for (auto& w : work) w.clear();
        for (auto& e : events) e.clear();
    }
    static void release_if_large(std::vector<std::uint8_t>& buffer) {
        if (buffer.capacity() > kKeptBufferBytes) std::vector<std::uint8_t>().swap(buffer);
    }
    static constexpr std::size_t kKeptBufferBytes = 16 * 1024;
    static constexpr std::size_t kMaxBatchBytes = 16 * 1024 * 1024;
    std::size_t bytes = 0;  // frame bytes held by this batch
    bool done() {
        std::lock_guard lock(mutex);
        return pending == 0;
    }
    void done_one() {
        std::lock_guard lock(mutex);
        if (--pending == 0) cv.notify_all();
    }
    void wait() {
        std::unique_lock lock(mutex);
        cv.wait(lock, [this] { return pending == 0; });
    }
    bool empty() const {
        return std::all_of(work.begin(), work.end(), [](const auto& w) { return w.empty(); });
    }
};

// The engine workers inspect with; replaced whole when rules are reloaded, so a worker
// switches between two batches and never sees half a rule set.
using EngineSlot = std::atomic<std::shared_ptr<const detect::Engine>>;

// Loads the rule files into an engine, reporting bad rules as `tocsin rules check` does.
std::shared_ptr<const detect::Engine> load_engine(const RunOptions& options, const Config& config) {
    std::vector<std::string> problems;
    const detect::RuleLoadOptions load_options = detect::rule_load_options(config, problems);
    for (const std::string& p : problems) fmt::print(stderr, "tocsin: {}\n", p);
    const auto started = Clock::now();
    detect::RuleSet rules = detect::load_rules(options.rule_files, load_options);
    for (const detect::RuleError& e : rules.errors)
        fmt::print(stderr, "{}\n", detect::format_rule_error(e));
    const std::size_t loaded = rules.signatures.size(), seen = rules.rules_seen,
                      failed = rules.errors.size();
    detect::DetectOptions detect_options = detect::DetectOptions::from_config(config);
    detect_options.simulate_ips = options.simulate_ips;
    detect_options.protocols = proto::registered_protocols();
    std::string error;
    std::shared_ptr<const detect::Engine> engine =
        detect::Engine::build(std::move(rules), detect_options, error);
    if (!engine) {
        fmt::print(stderr, "tocsin: cannot build the rule engine: {}\n", error);
        return nullptr;
    }
    const double secs = std::chrono::duration<double>(Clock::now() - started).count();
    fmt::print(stderr, "tocsin: {} of {} rules loaded ({} failed) in {:.2f} s\n", loaded, seen,
               failed, secs);
    return engine;
}

// The asset inventory: devices are the addresses of `assets.networks` (HOME_NET by default)
// and every peer of an industrial protocol.
std::unique_ptr<assets::Inventory> make_inventory(const Config& config) {
    assets::InventoryOptions options = assets::InventoryOptions::from_config(config);
    const detect::NetVariables vars = detect::NetVariables::from_config(config);
    detect::AddressSet::Parsed networks =
        detect::AddressSet::parse(config.get_string("assets.networks"), vars);
    if (networks.set) {
        options.is_local = [set = std::move(*networks.set)](const IpAddress& ip) {
            return set.contains(ip);
        };
    } else {
        fmt::print(stderr, "tocsin: assets.networks: {}; every address counts\n", networks.error);
    }
    return std::make_unique<assets::Inventory>(std::move(options));
}

// A worker thread fed batches through a queue; a null batch ends it.
class WorkerThread {
  public:
    WorkerThread(unsigned id, const Config& config, unsigned workers, OutputSwitches outputs,
                 const std::vector<std::string>& filenames, const EngineSlot& engine,
                 std::shared_ptr<const intel::IntelSet> intel)
        : id_(id),
          worker_(config, workers, outputs),
          filenames_(filenames),
          engine_(engine),
          thread_([this, intel = std::move(intel)]() mutable {
              worker_.set_intel(std::move(intel));
              loop();
          }) {}
    ~WorkerThread() {
        post(nullptr);
        thread_.join();
    }
    void post(Batch* batch) {
        {
            std::lock_guard lock(mutex_);
            queue_.push_back(batch);
        }
        cv_.notify_one();
    }
    const Worker& worker() const { return worker_; }

  private:
    void loop() {
        while (true) {
            Batch* batch = nullptr;
            {
                std::unique_lock lock(mutex_);
                cv_.wait(lock, [this] { return !queue_.empty(); });
                batch = queue_.front();
                queue_.pop_front();
            }
            if (batch == nullptr) return;
            std::shared_ptr<const detect::Engine> engine = engine_.load();
            if (engine.get() != worker_.engine()) worker_.set_engine(std::move(engine));
            for (const WorkItem& item : batch->work[id_])
                worker_.process(item, batch->packets, batch->carriers, filenames_,
                                batch->events[id_]);
            batch->counters[id_] = {worker_.flow_stats(), worker_.stream_stats(),
                                    worker_.flow_memory_peak(), worker_.app_stats()};
            batch->done_one();
        }
    }

    unsigned id_;
    Worker worker_;
    const std::vector<std::string>& filenames_;
    const EngineSlot& engine_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<Batch*> queue_;
    std::thread thread_;
};

class Runner {
  public:
    Runner(const RunOptions& options, const Config& config)
        : options_(options),
          config_(config),
          decoder_(decode::DecodeOptions::from_config(config)),
          checksum_auto_(config.get_string("checksum-validation") == "auto") {}

    RunResult run();

  private:
    Batch& next_batch();
    void submit(Batch& batch);
    void complete_oldest();
    void add_frame(const capture::Frame& frame, std::uint32_t linktype, std::uint32_t file_index);
    void tick(Timestamp now, std::uint64_t position);
    void read_file(const capture::InputFile& input, std::uint32_t file_index);
    void read_live();
    void write_completed();
    void decide_checksums();
    void collect_stats();
    void progress(bool final_line);
    void summary(const RunResult& result) const;

    const RunOptions& options_;
    const Config& config_;
    decode::Decoder decoder_;
    std::vector<std::string> filenames_;
    // Fed by the workers' sightings, in capture order, on this thread.
    std::unique_ptr<assets::Inventory> inventory_;
    bool asset_records_ = true;  // outputs.eve.types.asset
    void write_assets(RunResult& result) const;
    // Threat intelligence shared by the workers, and what of it the run sighted (fed in
    // capture order on this thread).
    std::shared_ptr<const intel::IntelSet> intel_;
    intel::SightingLog sightings_;
    bool load_intel();
    void write_sightings(RunResult& result) const;
    // Declared before the threads so it outlives them: when an exception unwinds the run,
    // the workers are joined before the batches they may still touch are freed.
    std::vector<std::unique_ptr<Batch>> ring_;
    std::vector<std::unique_ptr<WorkerThread>> threads_;
    std::deque<Batch*> in_flight_;
    Batch* current_ = nullptr;
    std::unique_ptr<output::EveWriter> eve_;
    output::RunStats stats_;
    int exit_code_ = 0;
    std::uint64_t position_ = 0;
    std::int64_t last_tick_sec_ = 0;
    bool ticked_ = false;
    Timestamp last_ts_;
    Clock::time_point started_;
    double cpu_started_ = 0;  // process_cpu_seconds() when inspection started
    Clock::time_point last_progress_;
    bool stopped_ = false;
    bool checksum_auto_ = false;
    std::vector<Batch::WorkerCounters> latest_counters_;
    static constexpr std::uint64_t kChecksumSample = 1000;
    std::vector<EventRecord> merged_;
    EngineSlot engine_;
    std::thread reload_thread_;
    void reload_rules();
};

void Runner::reload_rules() {
    if (options_.rule_files.empty()) return;
    if (reload_thread_.joinable()) reload_thread_.join();
    // Built beside the running engine; workers switch at their next batch, so no packet waits.
    reload_thread_ = std::thread([this] {
        fmt::print(stderr, "tocsin: reloading rules\n");
        std::shared_ptr<const detect::Engine> fresh = load_engine(options_, config_);
        if (fresh)
            engine_.store(std::move(fresh));
        else
            fmt::print(stderr, "tocsin: reload failed; the previous rules stay in force\n");
    });
}

Batch& Runner::next_batch() {
    for (auto& b : ring_) {
        if (std::find(in_flight_.begin(), in_flight_.end(), b.get()) == in_flight_.end()) {
            b->reset();
            return *b;
        }
    }
    complete_oldest();
    return next_batch();
}

void Runner::submit(Batch& batch) {
    if (batch.empty()) return;
    batch.pending = static_cast<unsigned>(threads_.size());
    in_flight_.push_back(&batch);
    for (auto& t : threads_) t->post(&batch);
}

void Runner::complete_oldest() {
    Batch* batch = in_flight_.front();
    in_flight_.pop_front();
    batch->wait();
    merged_.clear();
    for (auto& events : batch->events)
        for (auto& e : events) merged_.push_back(std::move(e));
    for (std::size_t i = 0; i < batch->counters.size(); ++i)
        latest_counters_[i] = batch->counters[i];
    std::stable_sort(merged_.begin(), merged_.end(),
                     [](const EventRecord& a, const EventRecord& b) { return a.key < b.key; });
    for (const auto& e : merged_) {
        if (e.intel_indicator >= 0)
            sightings_.add(static_cast<std::uint32_t>(e.intel_indicator), e.intel_time);
        if (e.json.empty() && e.sighting == nullptr) continue;  // a hit with alerts switched off
        if (e.sighting != nullptr) {
            std::optional<std::string> record = inventory_->record(*e.sighting);
            if (record && asset_records_) eve_->write_line(*record);
            continue;
        }
        eve_->write_line(e.json);
        if (e.kind == EventKind::anomaly) stats_.anomaly_events++;
        if (e.kind == EventKind::alert) stats_.alerts++;
        if (e.kind == EventKind::drop) stats_.drops++;
    }
    batch->reset();
}

void Runner::tick(Timestamp now, std::uint64_t position) {
    // The flow manager's clock: once per second of packet time every worker expires idle
    // flows. Ticks sit at the same capture position for any number of workers.
    for (auto& w : current_->work) w.push_back(WorkItem{WorkItem::Kind::tick, 0, now, position});
    decoder_.expire(now);
    stats_.defrag_memory_peak =
        std::max(stats_.defrag_memory_peak, decoder_.defragmenter().memory_in_use());
}

void Runner::add_frame(const capture::Frame& frame, std::uint32_t linktype,
                       std::uint32_t file_index) {
    position_++;
    if (!ticked_ || frame.ts.sec > last_tick_sec_) {
        if (ticked_) tick(frame.ts, position_);
        ticked_ = true;
        last_tick_sec_ = frame.ts.sec;
    }
    last_ts_ = std::max(last_ts_, frame.ts);

    const std::uint32_t index = static_cast<std::uint32_t>(current_->count++);
    PacketSlot& slot = current_->slots[index];
    slot.frame.assign(frame.data.begin(), frame.data.end());
    slot.pkt = Packet{};
    Packet& pkt = slot.pkt;
    pkt.ts = frame.ts;
    pkt.pcap_cnt = position_;
    pkt.wire_len = frame.wire_len;
    pkt.file_index = file_index;
    pkt.data = ByteSpan(slot.frame);
    const bool tunnelled = decoder_.decode(linktype, pkt, slot.reassembled, &slot.carrier);
    if (checksum_auto_ && decoder_.stats().packets == kChecksumSample) decide_checksums();

    const std::size_t n = current_->work.size();
    if (tunnelled && slot.carrier.has_flow_key) {
        current_->work[slot.carrier.flow_hash % n].push_back(
            WorkItem{WorkItem::Kind::carrier, index, {}, 0});
    }
    // Flow-affine: a flow's packets always reach the same worker. Packets without a flow
    // (non-IP, broken headers) only carry anomalies; spread them by position. Non-IP frames
    // of a frame protocol (GOOSE) go by the hash of their MACs (decoder: set_flow_key).
    const bool keyed = pkt.has_flow_key || (pkt.ether_type != 0 && pkt.flow_hash != 0);
    const std::size_t target = keyed ? pkt.flow_hash % n : position_ % n;
    current_->work[target].push_back(WorkItem{WorkItem::Kind::packet, index, {}, 0});
    current_->bytes += frame.data.size();
    if (current_->count == current_->slots.size() || current_->bytes >= Batch::kMaxBatchBytes) {
        submit(*current_);
        current_ = &next_batch();
    }
}

void Runner::read_file(const capture::InputFile& input, std::uint32_t file_index) {
    capture::PcapFile file(input.path);
    if (!file.is_open() && input.from_folder &&
        file.error().find("unknown file format") != std::string::npos) {
        // A README or checksum file next to the captures: not an input, not an error.
        fmt::print(stderr, "tocsin: {}: not a capture, skipped\n", input.path);
        return;
    }
    stats_.files++;
    if (!file.is_open()) {
        fmt::print(stderr, "tocsin: {}: cannot read capture: {}\n", input.path, file.error());
        stats_.file_errors++;
        exit_code_ = 1;
        return;
    }
    if (!decode::link_type_supported(file.linktype())) {
        fmt::print(stderr, "tocsin: {}: link type {} is not supported\n", input.path,
                   file.linktype());
        stats_.file_errors++;
        exit_code_ = 1;
        return;
    }
    if (std::string e = file.set_filter(options_.bpf); !e.empty()) {
        fmt::print(stderr, "tocsin: {}\n", e);
        exit_code_ = 2;
        stopped_ = true;
        return;
    }
    capture::Frame frame;
    while (!stopped_) {
        if (StopRequest::requested) {
            stopped_ = true;
            fmt::print(stderr, "\ntocsin: interrupted; writing what was processed\n");
            break;
        }
        const auto status = file.next(frame);
        if (status == capture::PcapFile::Status::end) break;
        if (status == capture::PcapFile::Status::error && StopRequest::requested) {
            continue;  // a signal interrupted the read: stop as asked, not as corrupt input
        }
        if (status == capture::PcapFile::Status::error) {
            // Like Suricata, a capture that breaks off (a capture tool killed mid-write, a
            // corrupt record) is processed up to the break and the run succeeds, with a warning.
            fmt::print(stderr,
                       "tocsin: warning: {}: capture breaks off after {} packets ({}); "
                       "those packets are processed\n",
                       input.path, file.frames_read(), file.error());
            stats_.file_errors++;
            break;
        }
        add_frame(frame, file.linktype(), file_index);
        if (options_.progress && (position_ & 0x3fff) == 0) progress(false);
    }
}

void Runner::collect_stats() {
    stats_.decode = decoder_.stats();
    stats_.defrag = decoder_.defrag_stats();
    stats_.defrag_memory_peak =
        std::max(stats_.defrag_memory_peak, decoder_.defragmenter().memory_in_use());
    stats_.flow = {};
    stats_.stream = {};
    stats_.app = {};
    stats_.flow_memory_peak = 0;
    for (const auto& c : latest_counters_) {
        stats_.flow.merge(c.flow);
        stats_.stream.merge(c.stream);
        stats_.app.merge(c.app);
        stats_.flow_memory_peak += c.memory_peak;
    }
    stats_.elapsed_sec = std::chrono::duration<double>(Clock::now() - started_).count();
    stats_.cpu_sec = process_cpu_seconds() - cpu_started_;
}

void Runner::decide_checksums() {
    // Captured on the sending host with checksum offloading, most packets carry checksums the
    // NIC would have filled in later. Validating them would starve every stream.
    checksum_auto_ = false;
    const auto& d = decoder_.stats();
    if (d.checksum_errors * 10 <= d.packets) return;
    decoder_.set_validate_checksums(false);
    fmt::print(stderr,
               "tocsin: warning: {} of the first {} packets have bad checksums (offloading?); "
               "checksum validation is off from here (-k all keeps it on)\n",
               d.checksum_errors, d.packets);
}

void Runner::write_completed() {
    while (!in_flight_.empty() && in_flight_.front()->done()) complete_oldest();
}

void Runner::read_live() {
    capture::LiveOptions live_options;
    live_options.interface = options_.interface;
    live_options.bpf = options_.bpf;
    capture::PcapLive live(live_options);
    if (!live.is_open()) {
        fmt::print(stderr, "tocsin: {}: cannot capture: {}\n", options_.interface, live.error());
        exit_code_ = 1;
        return;
    }
    if (!decode::link_type_supported(live.linktype())) {
        fmt::print(stderr, "tocsin: {}: link type {} is not supported\n", options_.interface,
                   live.linktype());
        exit_code_ = 1;
        return;
    }
    // The interface and eve.json are open: nothing else needs root. Refuse to go on as root if
    // the switch fails, rather than inspect hostile traffic with full privileges.
    if (std::string e = capture::drop_privileges(options_.run_as_user, options_.run_as_group);
        !e.empty()) {
        fmt::print(stderr, "tocsin: {}\n", e);
        exit_code_ = 1;
        return;
    }
    if (geteuid() == 0)
        fmt::print(stderr, "tocsin: warning: inspecting live traffic as root (--user {})\n",
                   options_.run_as_user.empty() ? "\"\"" : options_.run_as_user);
    fmt::print(stderr, "tocsin: capturing on {} (uid {}); SIGINT or SIGTERM stops\n",
               options_.interface, getuid());
    stats_.files = 0;

    capture::Frame frame;
    auto batch_started = Clock::now();
    auto last_packet = Clock::now();
    auto last_flush = Clock::now();
    auto last_stats = Clock::now();
    const auto stats_interval = std::chrono::seconds(config_.get_seconds("stats.interval"));
    Timestamp idle_base;
    while (!StopRequest::requested) {
        if (ReloadRequest::requested) {
            ReloadRequest::requested = 0;
            reload_rules();
        }
        const auto status = live.next(frame);
        const auto now = Clock::now();
        if (status == capture::PcapLive::Status::frame) {
            add_frame(frame, live.linktype(), 0);
            last_packet = now;
            idle_base = last_ts_;
        } else if (status == capture::PcapLive::Status::error) {
            if (StopRequest::requested) break;
            fmt::print(stderr, "tocsin: {}: capture failed: {}\n", options_.interface,
                       live.error());
            exit_code_ = 1;
            break;
        }
        // A quiet link must not hold records back, nor stop flows from timing out: hand
        // over partial batches every 100 ms, and let packet time follow the wall clock
        // while no packet arrives.
        if (ticked_ && now - last_packet >= std::chrono::seconds(1)) {
            const auto idle =
                std::chrono::duration_cast<std::chrono::microseconds>(now - last_packet);
            const Timestamp clock = Timestamp::from_micros(idle_base.micros() + idle.count());
            if (clock.sec > last_tick_sec_) {
                last_tick_sec_ = clock.sec;
                last_ts_ = std::max(last_ts_, clock);
                tick(clock, position_ + 1);
            }
        }
        if (now - batch_started >= std::chrono::milliseconds(100)) {
            if (!current_->empty()) {
                submit(*current_);
                current_ = &next_batch();
            }
            batch_started = now;
        }
        write_completed();
        if (stats_interval.count() > 0 && now - last_stats >= stats_interval &&
            config_.get_bool("outputs.eve.types.stats")) {
            collect_stats();  // counters of the batches completed so far
            eve_->write_line(output::stats_event(stats_, last_ts_));
            last_stats = now;
        }
        if (now - last_flush >= std::chrono::seconds(1)) {
            eve_->flush();
            last_flush = now;
        }
        if (options_.progress && (position_ & 0x3ff) == 0) progress(false);
    }
    if (StopRequest::requested && !stopped_) {
        stopped_ = true;
        fmt::print(stderr, "\ntocsin: stopping; writing what was captured\n");
    }
    const capture::LiveStats ls = live.stats();
    stats_.kernel_packets = ls.received;
    stats_.kernel_drops = ls.dropped + ls.if_dropped;
}

void Runner::progress(bool final_line) {
    const auto now = Clock::now();
    if (!final_line && now - last_progress_ < std::chrono::seconds(1)) return;
    last_progress_ = now;
    const double secs = std::chrono::duration<double>(now - started_).count();
    const auto& d = decoder_.stats();
    fmt::print(stderr, "\rtocsin: {} packets, {:.1f} MB, {:.0f} pkt/s, {:.2f} Gbit/s   ", d.packets,
               static_cast<double>(d.bytes) / 1e6, static_cast<double>(d.packets) / secs,
               static_cast<double>(d.bytes) * 8 / secs / 1e9);
    if (final_line) fmt::print(stderr, "\n");
}

RunResult Runner::run() {
    RunResult result;
    started_ = last_progress_ = Clock::now();

    std::string error;
    const auto inputs = capture::order_inputs(options_.inputs, error);
    if (!error.empty()) {
        fmt::print(stderr, "tocsin: {}\n", error);
        result.exit_code = 1;
        return result;
    }
    std::error_code ec;
    std::filesystem::create_directories(options_.log_dir, ec);
    result.eve_path =
        (std::filesystem::path(options_.log_dir) / config_.get_string("outputs.eve.filename"))
            .string();
    try {
        eve_ = std::make_unique<output::EveWriter>(result.eve_path,
                                                   config_.get_bool("outputs.eve.append"),
                                                   config_.get_size("outputs.eve.buffer-size"));
    } catch (const std::exception& e) {
        fmt::print(stderr, "tocsin: {}\n", e.what());
        result.exit_code = 1;
        return result;
    }

    if (!options_.rule_files.empty()) {
        std::shared_ptr<const detect::Engine> engine = load_engine(options_, config_);
        if (!engine) {
            result.exit_code = 1;
            return result;
        }
        engine_.store(std::move(engine));
    }
    if (!load_intel()) {
        result.exit_code = 1;
        return result;
    }
    for (const auto& in : inputs) filenames_.push_back(in.path);
    if (filenames_.empty()) filenames_.push_back("");  // live: no capture file to name
    inventory_ = make_inventory(config_);
    asset_records_ = config_.get_bool("outputs.eve.types.asset");
    const unsigned workers = std::max(1u, options_.workers);
    OutputSwitches outputs{config_.get_bool("outputs.eve.types.flow"),
                           config_.get_bool("outputs.eve.types.anomaly"),
                           config_.get_bool("outputs.eve.types.alert"),
                           config_.get_bool("outputs.eve.types.drop"),
                           {},
                           output::AlertExtras::from_config(config_)};
    for (const applayer::ProtocolSpec* spec : proto::registered_protocols())
        for (std::string_view type : {spec->name, std::string_view("fileinfo")})
            if (!config_.get_bool("outputs.eve.types." + std::string(type)))
                outputs.app_types_off.emplace_back(type);
    for (unsigned i = 0; i < workers; ++i)
        threads_.push_back(std::make_unique<WorkerThread>(i, config_, workers, outputs, filenames_,
                                                          engine_, intel_));
    latest_counters_.resize(workers);
    for (int i = 0; i < 3; ++i)
        ring_.push_back(
            std::make_unique<Batch>(std::max<std::size_t>(1, options_.batch_size), workers));
    current_ = &next_batch();
    // Rates measure inspection: loading rules and intelligence is reported on its own line.
    started_ = last_progress_ = Clock::now();
    cpu_started_ = process_cpu_seconds();

    if (!options_.interface.empty()) {
        read_live();
    } else {
        for (std::uint32_t i = 0; i < inputs.size() && !stopped_; ++i) read_file(inputs[i], i);
    }

    // End of input: every flow still open ends now, in first-seen order.
    for (auto& w : current_->work)
        w.push_back(WorkItem{WorkItem::Kind::shutdown, 0, last_ts_, position_ + 1});
    submit(*current_);
    while (!in_flight_.empty()) complete_oldest();

    threads_.clear();
    if (reload_thread_.joinable()) reload_thread_.join();
    collect_stats();
    if (config_.get_bool("outputs.eve.types.stats"))
        eve_->write_line(output::stats_event(stats_, last_ts_));
    eve_->flush();
    stats_.events_written = eve_->lines();
    write_assets(result);
    write_sightings(result);
    if (options_.progress) progress(true);

    result.exit_code = exit_code_;
    result.stats = stats_;
    if (options_.summary) summary(result);
    return result;
}

// Loads --intel and intel.store. A file that fails is reported and the others load; the run
// stops only when intelligence was asked for and none of it could be read.
bool Runner::load_intel() {
    std::vector<std::string> paths = options_.intel_paths;
    if (const std::string store = config_.get_string("intel.store"); !store.empty())
        paths.push_back(store);
    if (paths.empty()) return true;
    const auto started = Clock::now();
    intel::LoadResult loaded = intel::load_intel(paths, intel::LoadOptions::from_config(config_));
    for (const std::string& e : loaded.report.errors) fmt::print(stderr, "tocsin: intel: {}\n", e);
    if (loaded.report.errors_total > loaded.report.errors.size())
        fmt::print(stderr, "tocsin: intel: {} more errors\n",
                   loaded.report.errors_total - loaded.report.errors.size());
    const double secs = std::chrono::duration<double>(Clock::now() - started).count();
    fmt::print(stderr,
               "tocsin: {} threat-intelligence indicators loaded in {:.2f} s ({} patterns "
               "not evaluable: `tocsin intel import` lists them)\n",
               loaded.set->size(), secs, loaded.report.unsupported_total);
    if (loaded.set->size() == 0 && loaded.report.any_file_failed()) return false;
    intel_ = std::move(loaded.set);
    return true;
}

// sightings.json beside eve.json: a STIX 2.1 bundle of the run's sightings, one per indicator
// that fired, for `tocsin share push`.
void Runner::write_sightings(RunResult& result) const {
    if (!intel_) return;
    result.indicators = intel_->size();
    result.intel_sightings = sightings_.size();
    const std::filesystem::path path = std::filesystem::path(options_.log_dir) / "sightings.json";
    std::ofstream out(path, std::ios::trunc);
    out << sightings_.bundle_json(
        *intel_, intel::SensorIdentity::from_config(config_),
        Timestamp::from_micros(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count()));
    if (!out) {
        fmt::print(stderr, "tocsin: cannot write {}\n", path.string());
        result.exit_code = 1;
    }
}

// assets.json beside eve.json: the inventory as it stands at the end of the run.
void Runner::write_assets(RunResult& result) const {
    if (!inventory_->enabled()) return;
    const std::filesystem::path path = std::filesystem::path(options_.log_dir) / "assets.json";
    std::ofstream out(path, std::ios::trunc);
    out << inventory_->to_json();
    if (!out) {
        fmt::print(stderr, "tocsin: cannot write {}\n", path.string());
        result.exit_code = 1;
    }
    result.assets = inventory_->size();
}

void Runner::summary(const RunResult& r) const {
    const auto& s = r.stats;
    const double secs = s.elapsed_sec > 0 ? s.elapsed_sec : 1e-9;
    fmt::print(stderr,
               "tocsin: {} packets ({:.1f} MB) from {} in {:.2f} s (CPU {:.2f} s): {:.0f} pkt/s, "
               "{:.2f} Gbit/s\n",
               s.decode.packets, static_cast<double>(s.decode.bytes) / 1e6,
               options_.interface.empty() ? fmt::format("{} file(s)", s.files)
                                          : fmt::format("{} ({} dropped by the kernel)",
                                                        options_.interface, s.kernel_drops),
               secs, s.cpu_sec, static_cast<double>(s.decode.packets) / secs,
               static_cast<double>(s.decode.bytes) * 8 / secs / 1e9);
    fmt::print(stderr,
               "tocsin: flows {} (tcp {}, udp {}, icmp {}, other {}), anomalies {}, "
               "invalid packets {}, checksum errors {}\n",
               s.flow.created, s.flow.tcp, s.flow.udp, s.flow.icmp, s.flow.other, s.anomaly_events,
               s.decode.invalid, s.decode.checksum_errors);
    fmt::print(stderr,
               "tocsin: fragments {} ({} datagrams rebuilt), reassembly gaps {}, "
               "memcap hits: flow {}, stream {}, defrag {}\n",
               s.defrag.ipv4_fragments + s.defrag.ipv6_fragments,
               s.defrag.ipv4_reassembled + s.defrag.ipv6_reassembled, s.stream.gaps,
               s.flow.memcap_evictions + s.flow.memcap_refused, s.stream.memcap_drops,
               s.defrag.memcap_drops);
    std::string protocols;
    for (const auto& [name, n] : s.app.flows)
        protocols += fmt::format("{}{} {}", protocols.empty() ? "" : ", ", name, n);
    std::uint64_t transactions = 0;
    for (const auto& [name, n] : s.app.transactions) transactions += n;
    fmt::print(stderr, "tocsin: app-layer flows {}{}{}, unrecognised {}, transactions {}\n",
               s.app.flows_detected, protocols.empty() ? "" : " (",
               protocols.empty() ? "" : protocols + ")", s.app.failed_tcp + s.app.failed_udp,
               transactions);
    if (!options_.rule_files.empty())
        fmt::print(stderr, "tocsin: alerts {}{}\n", s.alerts,
                   options_.simulate_ips ? fmt::format(", packets dropped by rules {}", s.drops)
                                         : std::string());
    if (inventory_->enabled()) fmt::print(stderr, "tocsin: assets {} (assets.json)\n", r.assets);
    if (intel_)
        fmt::print(stderr,
                   "tocsin: threat intelligence: {} of {} indicators sighted "
                   "(sightings.json)\n",
                   r.intel_sightings, r.indicators);
    fmt::print(stderr, "tocsin: {} events written to {}\n", s.events_written, r.eve_path);
}

}  // namespace

void validate_config(const Config& config) {
    (void)decode::DecodeOptions::from_config(config);
    (void)flow::FlowTableOptions::from_config(config, 1);
    (void)stream::StreamOptions::from_config(config, 1);
    (void)config.get_seconds("stats.interval");
    (void)config.get_size("outputs.eve.buffer-size");
    (void)assets::InventoryOptions::from_config(config);
    (void)intel::LoadOptions::from_config(config);
    (void)intel::SensorIdentity::from_config(config);
    for (const char* key :
         {"outputs.eve.append", "outputs.eve.types.flow", "outputs.eve.types.anomaly",
          "outputs.eve.types.stats", "outputs.eve.types.alert", "outputs.eve.types.drop"})
        (void)config.get_bool(key);
    const std::string checksums = config.get_string("checksum-validation");
    if (checksums != "auto" && !parse_bool(checksums))
        throw ConfigError("checksum-validation: expected yes, no or auto, got '" + checksums + "'");
}

RunResult run_files(const RunOptions& options, const Config& config) {
    Runner runner(options, config);
    return runner.run();
}

}  // namespace tocsin::pipeline
