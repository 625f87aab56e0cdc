#include "cli/intel_command.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/config_file.h"
#include "core/config.h"
#include "core/rfc3339.h"
#include "intel/compile.h"
#include "intel/load.h"
#include "intel/normalize.h"

namespace tocsin::cli {

namespace {

namespace fs = std::filesystem;

constexpr int kExitUsage = 2;
constexpr std::size_t kShownPattern = 160;  // longer patterns are cut in listings

using IntelArgs = IntelCommand::Args;

std::string shorten(std::string_view text) {
    if (text.size() <= kShownPattern) return std::string(text);
    return fmt::format("{}... ({} bytes)", text.substr(0, kShownPattern), text.size());
}

// "ipv4 3, domain 2"; empty when nothing.
std::string by_category(const intel::CategoryCounts& counts) {
    std::string out;
    for (std::size_t c = 0; c < intel::kCategories; ++c) {
        if (counts[c] == 0) continue;
        if (!out.empty()) out += ", ";
        out +=
            fmt::format("{} {}", intel::category_name(static_cast<intel::Category>(c)), counts[c]);
    }
    return out;
}

std::string file_line(const intel::FileReport& f) {
    if (f.skipped) return fmt::format("{}: skipped (a MISP feed's index)", f.path);
    std::string line = fmt::format("{}: {}", f.path, f.format.empty() ? "unrecognised" : f.format);
    if (f.failed) line += ", FAILED";
    const std::size_t loaded = f.loaded_total();
    line += fmt::format(", {} indicator{}", loaded, loaded == 1 ? "" : "s");
    if (loaded != 0) line += " (" + by_category(f.loaded) + ")";
    const std::pair<const char*, std::size_t> counts[] = {
        {"unsupported", f.unsupported}, {"revoked", f.revoked}, {"superseded", f.superseded},
        {"not for IDS", f.not_for_ids}, {"deleted", f.deleted}, {"dropped (limit)", f.dropped},
        {"with errors", f.bad},
    };
    for (const auto& [label, n] : counts)
        if (n != 0) line += fmt::format("; {} {}", label, n);
    if (!f.unmatched_types.empty()) {
        line += "; types Tocsin does not match:";
        bool first = true;
        for (const auto& [type, n] : f.unmatched_types) {
            line += fmt::format("{} {} {}", first ? "" : ",", type, n);
            first = false;
        }
    }
    return line;
}

// The accepted files, and where each goes in the store: a file named on the command line by
// its name, a file found in a folder by its path inside that folder.
int store_files(const IntelArgs& args, const intel::LoadReport& report) {
    std::set<std::string> accepted;
    for (const intel::FileReport& f : report.files)
        if (!f.failed && !f.skipped && !f.format.empty()) accepted.insert(f.path);
    std::error_code ec;
    fs::create_directories(args.store, ec);
    if (ec) {
        fmt::print(stderr, "tocsin: {}: {}\n", args.store, ec.message());
        return 1;
    }
    int status = 0;
    std::size_t copied = 0;
    for (const std::string& path : args.paths) {
        std::vector<std::string> ignored;
        const bool folder = fs::is_directory(path, ec);
        for (const std::string& file : intel::intel_files({path}, ignored)) {
            if (accepted.count(file) == 0) continue;
            const fs::path relative =
                folder ? fs::relative(file, path, ec) : fs::path(file).filename();
            const fs::path target = fs::path(args.store) / relative;
            if (fs::exists(target, ec) && fs::equivalent(file, target, ec)) continue;
            fs::create_directories(target.parent_path(), ec);
            fs::copy_file(file, target, fs::copy_options::overwrite_existing, ec);
            if (ec) {
                fmt::print(stderr, "tocsin: cannot copy {} to {}: {}\n", file, target.string(),
                           ec.message());
                status = 1;
                continue;
            }
            ++copied;
        }
    }
    fmt::print("stored {} file{} in {}\n", copied, copied == 1 ? "" : "s", args.store);
    return status;
}

int import_command(const IntelArgs& args) {
    Config config;
    if (!load_config(config, args.config_file, args.sets)) return kExitUsage;
    intel::LoadOptions options;
    try {
        options = intel::LoadOptions::from_config(config);
    } catch (const ConfigError& e) {
        fmt::print(stderr, "tocsin: {}\n", e.what());
        return kExitUsage;
    }
    const auto started = std::chrono::steady_clock::now();
    const intel::LoadResult result = intel::load_intel(args.paths, options);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const intel::LoadReport& report = result.report;
    if (!args.quiet)
        for (const intel::FileReport& f : report.files) fmt::print("{}\n", file_line(f));
    const std::string kinds = by_category(report.loaded);
    fmt::print("total: {} indicator{}{} from {} file{} in {:.2f} s; {} unsupported, {} error{}\n",
               result.set->size(), result.set->size() == 1 ? "" : "s",
               kinds.empty() ? "" : " (" + kinds + ")", report.files.size(),
               report.files.size() == 1 ? "" : "s", seconds, report.unsupported_total,
               report.errors_total, report.errors_total == 1 ? "" : "s");
    if (!args.quiet) {
        for (const intel::UnsupportedPattern& u : report.unsupported)
            fmt::print("unsupported: {}: {}: {}: {}\n", u.source, u.id, shorten(u.pattern),
                       u.reason);
        if (report.unsupported_total > report.unsupported.size())
            fmt::print("unsupported: ... and {} more\n",
                       report.unsupported_total - report.unsupported.size());
    }
    for (const std::string& e : report.errors) fmt::print(stderr, "tocsin: intel: {}\n", e);
    if (report.errors_total > report.errors.size())
        fmt::print(stderr, "tocsin: intel: ... and {} more errors\n",
                   report.errors_total - report.errors.size());
    int status = result.set->size() > 0 && !report.any_file_failed() ? 0 : 1;
    if (!args.store.empty() && store_files(args, report) != 0) status = 1;
    return status;
}

std::optional<intel::ObservableKind> kind_named(std::string_view name) {
    using K = intel::ObservableKind;
    const std::pair<std::string_view, K> names[] = {
        {"domain", K::domain},       {"url", K::url}, {"md5", K::md5},   {"sha1", K::sha1},
        {"sha256", K::sha256},       {"ja3", K::ja3}, {"ja3s", K::ja3s}, {"ja4", K::ja4},
        {"x509-sha1", K::x509_sha1}, {"ip", K::none},
    };
    for (const auto& [n, k] : names)
        if (n == name) return k;
    return std::nullopt;
}

// The kinds a value could be, when --kind does not say.
std::vector<intel::ObservableKind> guess_kinds(std::string_view value) {
    using K = intel::ObservableKind;
    if (intel::parse_ip_prefix(value)) return {K::none};
    if (value.find("://") != std::string_view::npos) return {K::url};
    if (intel::canonical_hex(value, 32)) return {K::md5, K::ja3, K::ja3s};
    if (intel::canonical_hex(value, 40, true)) return {K::sha1, K::x509_sha1};
    if (intel::canonical_hex(value, 64)) return {K::sha256};
    if (value.find('_') != std::string_view::npos && intel::canonical_ja4(value)) return {K::ja4};
    if (value.find('/') != std::string_view::npos) return {K::url};
    return {K::domain};
}

int match_command(const IntelArgs& args) {
    Config config;
    if (!load_config(config, args.config_file, args.sets)) return kExitUsage;
    std::vector<intel::ObservableKind> kinds;
    if (!args.kind.empty()) {
        const auto k = kind_named(args.kind);
        if (!k) {
            fmt::print(stderr,
                       "tocsin: --kind takes ip, domain, url, md5, sha1, sha256, ja3, "
                       "ja3s, ja4 or x509-sha1\n");
            return kExitUsage;
        }
        kinds.push_back(*k);
    } else {
        kinds = guess_kinds(args.value);
    }
    Timestamp when = Timestamp::from_micros(std::chrono::duration_cast<std::chrono::microseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
    if (!args.time.empty()) {
        const auto t = parse_rfc3339(args.time);
        if (!t) {
            fmt::print(stderr, "tocsin: --time takes an RFC 3339 UTC time, not '{}'\n", args.time);
            return kExitUsage;
        }
        when = *t;
    }
    intel::LoadResult result;
    try {
        result = intel::load_intel(args.paths, intel::LoadOptions::from_config(config));
    } catch (const ConfigError& e) {
        fmt::print(stderr, "tocsin: {}\n", e.what());
        return kExitUsage;
    }
    for (const std::string& e : result.report.errors) fmt::print(stderr, "tocsin: intel: {}\n", e);
    std::size_t fired = 0;
    for (const intel::ObservableKind kind : kinds) {
        intel::Observation o;
        o.time = when;
        if (kind == intel::ObservableKind::none) {
            const auto address = IpAddress::parse(args.value);
            if (!address) {
                fmt::print(stderr, "tocsin: '{}' is not an address\n", args.value);
                return kExitUsage;
            }
            o.client = o.server = *address;  // either end of a flow
        } else {
            o.kind = kind;
            o.value = args.value;
        }
        intel::Hits hits;
        result.set->match(o, hits);
        for (const std::uint32_t h : hits) {
            const intel::IndicatorInfo& info = result.set->indicator(h);
            fmt::print("{}\t{}\t{}\t{}\t{}\n", info.id, info.name,
                       info.tlp == intel::Tlp::none ? "-" : intel::tlp_name(info.tlp),
                       shorten(info.pattern), info.source);
        }
        fired += hits.size();
    }
    return fired > 0 ? 0 : 1;
}

}  // namespace

IntelCommand::IntelCommand(CLI::App& app) {
    auto* intel = app.add_subcommand("intel", "Threat intelligence: STIX 2.1, MISP feeds, CSV");
    intel->require_subcommand(1);

    import_ = intel->add_subcommand(
        "import", "Load intelligence files or folders, report what loads and what does not");
    import_
        ->add_option("paths", import_args_.paths,
                     "STIX bundle, MISP feed folder or event, CSV; files or folders")
        ->required();
    import_->add_option("--store", import_args_.store,
                        "Copy the accepted files into this folder (what intel.store names)");
    import_->add_option("-c,--config", import_args_.config_file, "tocsin.yaml");
    import_->add_option("--set", import_args_.sets, "Override a configuration key: KEY=VALUE");
    import_->add_flag("-q,--quiet", import_args_.quiet, "Only the totals and errors");

    match_ = intel->add_subcommand("match", "Which indicators a value fires");
    match_->add_option("paths", match_args_.paths, "Intelligence files or folders")->required();
    match_->add_option("--value", match_args_.value, "An address, domain, URL, hash or fingerprint")
        ->required();
    match_->add_option("--kind", match_args_.kind,
                       "ip, domain, url, md5, sha1, sha256, ja3, ja3s, ja4, x509-sha1 "
                       "(default: guessed from the value)");
    match_->add_option("--time", match_args_.time,
                       "Check validity at this RFC 3339 time (default: now)");
    match_->add_option("-c,--config", match_args_.config_file, "tocsin.yaml");
    match_->add_option("--set", match_args_.sets, "Override a configuration key: KEY=VALUE");
}

bool IntelCommand::parsed() const {
    return import_->parsed() || match_->parsed();
}

int IntelCommand::run() const {
    if (import_->parsed()) return import_command(import_args_);
    if (match_->parsed()) return match_command(match_args_);
    return kExitUsage;
}

}  // namespace tocsin::cli
