// Loading threat intelligence: files and folders (recursively, in sorted order, hidden files
// skipped), each recognised by its content:
//   - STIX 2.1: a bundle, a TAXII envelope ({"objects": [...]}) or a bare array of objects,
//     streamed one object at a time; `indicator` objects with pattern_type "stix";
//   - MISP: an event file ({"Event": {...}}), as in a MISP feed folder (manifest.json and one
//     <uuid>.json per event; the manifest and hashes.csv are skipped);
//   - CSV with a header row naming at least `type` and `value`.
// A file that cannot be read is reported and the others load. Every pattern Tocsin cannot
// evaluate is reported with its id and reason; nothing is dropped silently.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "intel/intel.h"
#include "intel/set.h"

namespace tocsin::intel {

struct LoadOptions {
    bool ignore_validity = false;  // intel.validity: ignore
    std::size_t max_indicators = 10'000'000;
    std::size_t max_json_depth = 64;
    std::size_t max_item_bytes = 16 * 1024 * 1024;  // one STIX object, MISP attribute or object
    std::size_t max_csv_record = 1024 * 1024;       // one CSV record (quoted newlines included)
    std::size_t max_reported = 10'000;              // unsupported entries and errors listed

    // intel.validity (packet | ignore) and intel.max-indicators; throws ConfigError.
    static LoadOptions from_config(const Config& config);
};

struct FileReport {
    std::string path;
    std::string format;          // "stix", "misp", "csv"; empty when not recognised
    CategoryCounts loaded{};     // its indicators in the set, by category (category_name)
    std::size_t revoked = 0;     // revoked: true (removes the id)
    std::size_t superseded = 0;  // older versions of an id (here or in a later file)
    std::size_t unsupported = 0;
    std::size_t not_for_ids = 0;  // MISP to_ids false, CSV to_ids column false
    std::size_t deleted = 0;      // MISP deleted
    std::size_t dropped = 0;      // beyond intel.max-indicators
    std::size_t bad = 0;          // objects, attributes or rows with an error
    std::map<std::string, std::size_t> unmatched_types;  // MISP/CSV types Tocsin does not match
    bool failed = false;                                 // could not be read or recognised at all
    bool skipped = false;  // not intelligence (a MISP feed's manifest.json, hashes.csv)

    std::size_t loaded_total() const;
};

struct UnsupportedPattern {
    std::string source;
    std::string id;
    std::string pattern;
    std::string reason;
};

struct LoadReport {
    std::vector<FileReport> files;
    std::vector<UnsupportedPattern> unsupported;  // the first LoadOptions::max_reported
    std::size_t unsupported_total = 0;
    std::vector<std::string> errors;  // "file[:line]: reason", the first max_reported
    std::size_t errors_total = 0;
    CategoryCounts loaded{};  // the set, by category

    bool any_file_failed() const;
};

struct LoadResult {
    std::shared_ptr<const IntelSet> set;  // never null (possibly empty)
    LoadReport report;
};

LoadResult load_intel(const std::vector<std::string>& paths, const LoadOptions& options = {});

// The files `paths` stand for, in load order (folders recursively, sorted, hidden entries
// skipped). A path that does not exist is reported as an error.
std::vector<std::string> intel_files(const std::vector<std::string>& paths,
                                     std::vector<std::string>& errors);

}  // namespace tocsin::intel
