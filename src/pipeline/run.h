// `tocsin run` on capture files: the reader decodes, workers track flows and streams, the
// writer merges their records in capture order into eve.json.
#pragma once

#include <atomic>
#include <csignal>
#include <string>
#include <vector>

#include "core/config.h"
#include "output/eve.h"

namespace tocsin::pipeline {

struct RunOptions {
    std::vector<std::string> inputs;  // files or folders
    std::string interface;            // live capture instead of files
    std::string bpf;                  // capture filter, files and live
    std::string run_as_user;          // live: user to switch to once the interface is open
    std::string run_as_group;
    std::string log_dir = ".";
    unsigned workers = 1;
    bool progress = false;          // progress line on stderr
    bool summary = true;            // summary on stderr at the end
    std::size_t batch_size = 2048;  // packets per batch
    std::vector<std::string> rule_files;
    bool simulate_ips = false;  // drop/reject rules drop packets (inline mode)
    // Threat intelligence (files or folders) besides `intel.store`: STIX, MISP, CSV.
    std::vector<std::string> intel_paths;
};

// Set from a signal handler; read by the reader. The one piece of process-wide state.
struct StopRequest {
    static volatile std::sig_atomic_t requested;
};

// Set from the SIGUSR2 handler: live runs reload their rules without stopping.
struct ReloadRequest {
    static volatile std::sig_atomic_t requested;
};

struct RunResult {
    int exit_code = 0;
    output::RunStats stats;
    std::string eve_path;
    std::size_t assets = 0;           // devices in assets.json
    std::size_t indicators = 0;       // threat-intelligence indicators loaded
    std::size_t intel_sightings = 0;  // indicators sighted (sightings.json)
};

// Reads every configuration value a run will use; throws ConfigError naming the first bad one,
// so a typo is a usage error before any output is touched, not a failure at the end of a run.
void validate_config(const Config& config);

// Runs the pipeline; diagnostics go to stderr, events to LOGDIR/eve.json.
RunResult run_files(const RunOptions& options, const Config& config);

}  // namespace tocsin::pipeline
