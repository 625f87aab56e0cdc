#include "intel/load.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "intel/loader_context.h"

namespace tocsin::intel {

namespace fs = std::filesystem;

LoadOptions LoadOptions::from_config(const Config& config) {
    LoadOptions options;
    const std::string validity = config.get_string("intel.validity");
    if (validity == "ignore") {
        options.ignore_validity = true;
    } else if (validity != "packet") {
        throw ConfigError(
            fmt::format("intel.validity: '{}' is neither 'packet' nor 'ignore'", validity));
    }
    const std::int64_t max = config.get_int("intel.max-indicators");
    if (max < 0) throw ConfigError("intel.max-indicators: must not be negative");
    options.max_indicators = static_cast<std::size_t>(max);
    return options;
}

std::size_t FileReport::loaded_total() const {
    std::size_t total = 0;
    for (std::size_t n : loaded) total += n;
    return total;
}

bool LoadReport::any_file_failed() const {
    return std::any_of(files.begin(), files.end(), [](const FileReport& f) { return f.failed; });
}

void LoadContext::error(FileReport& file, std::string_view where, std::string_view message) {
    ++file.bad;
    ++report.errors_total;
    if (report.errors.size() < options.max_reported)
        report.errors.push_back(fmt::format("{}: {}", where, message));
}

void LoadContext::account(FileReport& file, const AddResult& result, std::string_view id,
                          std::string_view pattern) {
    if (result.loser_source < report.files.size()) ++report.files[result.loser_source].superseded;
    switch (result.outcome) {
        case AddOutcome::added:
        case AddOutcome::replaced:
            break;
        case AddOutcome::stale:
            ++file.superseded;
            break;
        case AddOutcome::revoked:
            ++file.revoked;
            break;
        case AddOutcome::dropped:
            ++file.dropped;
            break;
        case AddOutcome::unsupported:
            ++file.unsupported;
            ++report.unsupported_total;
            if (report.unsupported.size() < options.max_reported)
                report.unsupported.push_back(UnsupportedPattern{
                    file.path, std::string(id), std::string(pattern), result.reason});
            break;
    }
}

namespace {

bool hidden(const fs::path& p) {
    const std::string name = p.filename().string();
    return !name.empty() && name.front() == '.';
}

// A MISP feed's index files: the events are loaded from their own files.
bool misp_feed_index(const fs::path& p) {
    const std::string name = p.filename().string();
    if (name == "manifest.json") return true;
    return name == "hashes.csv" && fs::exists(p.parent_path() / "manifest.json");
}

// The first bytes that are not a byte-order mark or white space.
char first_meaningful_byte(std::istream& in) {
    char buffer[4096];
    in.read(buffer, sizeof buffer);
    const std::size_t n = static_cast<std::size_t>(in.gcount());
    std::size_t i = 0;
    if (n >= 3 && static_cast<unsigned char>(buffer[0]) == 0xef &&
        static_cast<unsigned char>(buffer[1]) == 0xbb &&
        static_cast<unsigned char>(buffer[2]) == 0xbf)
        i = 3;
    while (i < n &&
           (buffer[i] == ' ' || buffer[i] == '\t' || buffer[i] == '\r' || buffer[i] == '\n'))
        ++i;
    in.clear();
    in.seekg(0);
    return i < n ? buffer[i] : '\0';
}

void load_file(const std::string& path, std::uint32_t source, LoadContext& context) {
    FileReport& file = context.report.files[source];
    if (misp_feed_index(path)) {
        file.skipped = true;
        return;
    }
    std::vector<char> buffer(1 << 20);
    std::ifstream in;
    in.rdbuf()->pubsetbuf(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    in.open(path, std::ios::binary);
    if (!in) {
        file.failed = true;
        context.error(file, path, "cannot read");
        return;
    }
    const char first = first_meaningful_byte(in);
    if (first == '\0') {
        file.failed = true;
        context.error(file, path, "empty file");
        return;
    }
    if (first == '{' || first == '[')
        load_stix_or_misp(in, source, context);
    else
        load_csv(in, source, context);
}

}  // namespace

std::vector<std::string> intel_files(const std::vector<std::string>& paths,
                                     std::vector<std::string>& errors) {
    std::vector<std::string> files;
    for (const std::string& path : paths) {
        std::error_code ec;
        if (fs::is_regular_file(path, ec)) {
            files.push_back(path);
            continue;
        }
        if (!fs::is_directory(path, ec)) {
            errors.push_back(fmt::format("{}: no such file or folder", path));
            continue;
        }
        std::vector<std::string> found;
        fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied,
                                            ec);
        for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (hidden(it->path())) {
                if (it->is_directory(ec)) it.disable_recursion_pending();
                continue;
            }
            if (it->is_regular_file(ec)) found.push_back(it->path().string());
        }
        if (ec) errors.push_back(fmt::format("{}: {}", path, ec.message()));
        std::sort(found.begin(), found.end());
        files.insert(files.end(), found.begin(), found.end());
    }
    return files;
}

LoadResult load_intel(const std::vector<std::string>& paths, const LoadOptions& options) {
    LoadResult result;
    LoadReport& report = result.report;
    SetOptions set_options;
    set_options.ignore_validity = options.ignore_validity;
    set_options.max_indicators = options.max_indicators;
    IntelSetBuilder builder(set_options);
    LoadContext context{options, builder, report, {}, {}};

    for (const std::string& path : paths) {
        std::vector<std::string> problems;
        const std::vector<std::string> files = intel_files({path}, problems);
        for (const std::string& problem : problems) {
            FileReport failed;
            failed.path = path;
            failed.failed = true;
            report.files.push_back(failed);
            builder.add_source(path);
            ++report.errors_total;
            if (report.errors.size() < options.max_reported) report.errors.push_back(problem);
        }
        for (const std::string& file_path : files) {
            FileReport file;
            file.path = file_path;
            report.files.push_back(file);
            load_file(file_path, builder.add_source(file_path), context);
        }
    }
    for (const auto& [id, refs] : context.unresolved_markings) {
        Tlp tlp = Tlp::none;
        for (const std::string& ref : refs)
            if (const auto it = context.custom_markings.find(ref);
                it != context.custom_markings.end())
                tlp = most_restrictive(tlp, it->second);
        if (tlp != Tlp::none) builder.raise_tlp(id, tlp);
    }
    std::vector<CategoryCounts> loaded;
    result.set = builder.build(&loaded);
    for (std::size_t i = 0; i < report.files.size() && i < loaded.size(); ++i) {
        report.files[i].loaded = loaded[i];
        for (std::size_t c = 0; c < kCategories; ++c) report.loaded[c] += loaded[i][c];
    }
    return result;
}

}  // namespace tocsin::intel
