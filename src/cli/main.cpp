// tocsin command line. Flags follow Suricata's where a Suricata user would look for them.
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "assets/inventory.h"
#include "cli/config_file.h"
#include "cli/hub_command.h"
#include "cli/intel_command.h"
#include "cli/share_command.h"
#include "core/config.h"
#include "detect/rule_loader.h"
#include "pipeline/run.h"

namespace {

constexpr int kExitUsage = 2;

void on_stop_signal(int) {
    tocsin::pipeline::StopRequest::requested = 1;
}

void on_reload_signal(int) {
    tocsin::pipeline::ReloadRequest::requested = 1;
}

void install_signal_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    struct sigaction reload {};
    reload.sa_handler = on_reload_signal;
    sigemptyset(&reload.sa_mask);
    sigaction(SIGUSR2, &reload, nullptr);
}

struct RulesCheckArgs {
    std::vector<std::string> files;
    std::string config_file;
    std::vector<std::string> sets;
    bool quiet = false;
};

// `tocsin rules check FILE...`: every failing rule as FILE:LINE: sid N: reason, then a summary
// of the causes; exit 1 when any rule failed.
int rules_check_command(const RulesCheckArgs& args) {
    tocsin::Config config;
    if (!tocsin::cli::load_config(config, args.config_file, args.sets)) return kExitUsage;
    std::vector<std::string> problems;
    const tocsin::detect::RuleLoadOptions options =
        tocsin::detect::rule_load_options(config, problems);
    for (const auto& p : problems) fmt::print(stderr, "tocsin: {}\n", p);
    const tocsin::detect::RuleSet set = tocsin::detect::load_rules(args.files, options);
    if (!args.quiet)
        for (const auto& e : set.errors) fmt::print("{}\n", tocsin::detect::format_rule_error(e));
    fmt::print("{}", tocsin::detect::format_error_summary(set));
    return set.errors.empty() && problems.empty() ? 0 : 1;
}

struct RunArgs {
    std::vector<std::string> reads;
    std::string interface;
    std::string user = "nobody";
    std::string group;
    std::string bpf_file;
    std::vector<std::string> bpf_words;
    std::vector<std::string> rules;
    std::vector<std::string> intel;
    std::vector<std::string> sets;
    std::string config_file;
    std::string log_dir;
    std::string checksum_mode;
    std::string runmode;
    std::string data_dir;
    unsigned workers = 1;
    bool simulate_ips = false;
    bool quiet = false;
};

int run_command(const RunArgs& args) {
    tocsin::Config config;
    try {
        if (!args.config_file.empty()) config.load_yaml_file(args.config_file);
        if (!args.checksum_mode.empty()) {
            if (args.checksum_mode != "none" && args.checksum_mode != "all") {
                fmt::print(stderr, "tocsin: -k takes 'none' or 'all', not '{}'\n",
                           args.checksum_mode);
                return kExitUsage;
            }
            config.set("checksum-validation", args.checksum_mode == "all" ? "yes" : "no");
        }
        if (!args.data_dir.empty()) config.set("datasets.data-dir", args.data_dir);
        for (const auto& s : args.sets) config.set_override(s);
        // Suricata's stream.inline "auto": inline exactly when running as an IPS.
        if (config.get_string("stream.inline") == "auto")
            config.set("stream.inline", args.simulate_ips ? "yes" : "no");
        tocsin::pipeline::validate_config(config);
    } catch (const tocsin::ConfigError& e) {
        fmt::print(stderr, "tocsin: {}\n", e.what());
        return kExitUsage;
    }
    const auto unknown = config.unknown_keys();
    if (!unknown.empty()) {
        std::string list;
        for (std::size_t i = 0; i < unknown.size() && i < 8; ++i)
            list += (i ? ", " : "") + unknown[i];
        if (unknown.size() > 8) list += fmt::format(" and {} more", unknown.size() - 8);
        fmt::print(stderr,
                   "tocsin: warning: {} configuration key(s) have no meaning in Tocsin and are "
                   "ignored: {}\n",
                   unknown.size(), list);
    }
    for (const auto& rules : args.rules) {
        if (!std::ifstream(rules)) {
            fmt::print(stderr, "tocsin: {}: cannot read rule file\n", rules);
            return 1;
        }
    }
    if (args.simulate_ips && args.rules.empty())
        fmt::print(stderr, "tocsin: warning: --simulate-ips has no effect without rules\n");

    if (args.reads.empty() == args.interface.empty()) {
        fmt::print(stderr, "tocsin: give capture files (-r) or an interface (-i), not both\n");
        return kExitUsage;
    }
    if (std::count(args.reads.begin(), args.reads.end(), "-") > 1) {
        fmt::print(stderr, "tocsin: standard input (-r -) can be read only once\n");
        return kExitUsage;
    }
    if (!args.bpf_file.empty() && !args.bpf_words.empty()) {
        fmt::print(stderr,
                   "tocsin: give the capture filter in -F FILE or on the command line, "
                   "not both\n");
        return kExitUsage;
    }
    std::string bpf;
    for (const auto& word : args.bpf_words) bpf += (bpf.empty() ? "" : " ") + word;
    if (!args.bpf_file.empty()) {
        std::ifstream in(args.bpf_file);
        if (!in) {
            fmt::print(stderr, "tocsin: {}: cannot read the capture filter file\n", args.bpf_file);
            return kExitUsage;
        }
        std::string line;
        bpf.clear();
        while (std::getline(in, line)) {
            if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
            bpf += line + " ";
        }
    }

    tocsin::pipeline::RunOptions options;
    options.inputs = args.reads;
    options.interface = args.interface;
    options.bpf = bpf;
    options.run_as_user = args.user;
    options.run_as_group = args.group;
    options.log_dir = args.log_dir.empty() ? config.get_string("default-log-dir") : args.log_dir;
    options.workers = args.workers;
    options.rule_files = args.rules;
    options.intel_paths = args.intel;
    options.simulate_ips = args.simulate_ips;
    options.progress = isatty(STDERR_FILENO) != 0 && !args.quiet;
    options.summary = !args.quiet;
    install_signal_handlers();
    try {
        return tocsin::pipeline::run_files(options, config).exit_code;
    } catch (const tocsin::ConfigError& e) {
        fmt::print(stderr, "tocsin: {}\n", e.what());
        return kExitUsage;
    } catch (const std::exception& e) {
        fmt::print(stderr, "tocsin: {}\n", e.what());
        return 1;
    }
}

// tocsin assets LOGDIR: the inventory a run left in LOGDIR/assets.json, as a table.
int assets_command(const std::string& log_dir) {
    const std::string path = log_dir + "/assets.json";
    std::ifstream in(path);
    if (!in) {
        fmt::print(stderr, "tocsin: cannot read {} (run `tocsin run -l {}` first)\n", path,
                   log_dir);
        return 1;
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string error;
    const std::string table = tocsin::assets::format_asset_table(text, error);
    if (!error.empty()) {
        fmt::print(stderr, "tocsin: {}: {}\n", path, error);
        return 1;
    }
    fmt::print("{}", table);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Tocsin: network security monitor for IT and industrial networks"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "tocsin 0.1.0");

    RunArgs args;
    auto* run = app.add_subcommand("run", "Inspect traffic from capture files");
    run->add_option("-r,--read", args.reads, "Capture file (pcap/pcapng) or folder; repeatable");
    run->add_option("-i,--interface", args.interface, "Capture live from this interface");
    run->add_option("--user", args.user,
                    "Live: user to run as once the interface is open (default nobody)");
    run->add_option("--group", args.group, "Live: group to run as (default: the user's)");
    run->add_option("-F", args.bpf_file, "Read the capture filter (BPF) from this file");
    run->add_option("bpf", args.bpf_words, "Capture filter (BPF), e.g. 'tcp port 502'");
    run->add_option("-S,--rules", args.rules, "Rule file; repeatable");
    run->add_option("--intel", args.intel,
                    "Threat intelligence: STIX 2.1 bundle, MISP feed or CSV, file or folder; "
                    "repeatable");
    run->add_option("-c,--config", args.config_file, "tocsin.yaml");
    run->add_option("-l,--log-dir", args.log_dir, "Folder that receives eve.json");
    run->add_option("-k,--checksum", args.checksum_mode,
                    "Checksum validation: all or none (default: auto, off when the first 1000 "
                    "packets show offloading)");
    run->add_option("--set", args.sets, "Override a configuration key: KEY=VALUE; repeatable");
    run->add_option("--workers", args.workers, "Worker threads (flow-affine)")
        ->check(CLI::Range(1u, 256u));
    run->add_option("--runmode", args.runmode, "Accepted for Suricata compatibility");
    run->add_flag("--simulate-ips", args.simulate_ips, "Treat the capture as inline traffic");
    run->add_flag("-q,--quiet", args.quiet,
                  "No progress line or summary (warnings and errors still go to stderr)");
    run->add_option("--data-dir", args.data_dir,
                    "Folder for dataset save/state files (datasets.data-dir)");
    // Suricata flags that change nothing here; accepted so existing scripts keep working.
    int verbosity = 0;
    run->add_flag("-v", verbosity, "Accepted for Suricata compatibility (verbosity)");

    RulesCheckArgs check_args;
    auto* rules = app.add_subcommand("rules", "Work with rule files");
    rules->require_subcommand(1);
    auto* check =
        rules->add_subcommand("check", "Load rule files and report every rule that fails");
    check->add_option("files", check_args.files, "Rule files")->required();
    check->add_option("-c,--config", check_args.config_file, "tocsin.yaml (variables, files)");
    check->add_option("--set", check_args.sets, "Override a configuration key: KEY=VALUE");
    check->add_flag("-q,--quiet", check_args.quiet, "Only the summary");

    std::string assets_dir;
    auto* assets = app.add_subcommand("assets", "Print the asset inventory a run wrote");
    assets->add_option("logdir", assets_dir, "The run's log folder (holds assets.json)")
        ->required();

    tocsin::cli::ShareCommand share(app);  // tocsin share pull|push (TAXII 2.1 client)
    tocsin::cli::HubCommand hub(app);      // tocsin hub, tocsin hub partner add|list|revoke
    tocsin::cli::IntelCommand intel(app);  // tocsin intel import|match

    // "tocsin -r x.pcap" as a Suricata user types it: options without a command mean "run".
    std::vector<std::string> words(argv + 1, argv + argc);
    if (!words.empty() && words[0].size() > 1 && words[0][0] == '-' && words[0] != "--help" &&
        words[0] != "-h" && words[0] != "--version")
        words.insert(words.begin(), "run");
    std::reverse(words.begin(), words.end());  // CLI11 takes the arguments last-first

    try {
        app.parse(words);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : kExitUsage;
    }
    if (run->parsed()) return run_command(args);
    if (check->parsed()) return rules_check_command(check_args);
    if (assets->parsed()) return assets_command(assets_dir);
    if (share.parsed()) return share.run();
    if (hub.parsed()) return hub.run();
    if (intel.parsed()) return intel.run();
    return kExitUsage;
}
