// Internal to the loaders (load.cpp, stix_loader.cpp, misp_loader.cpp, csv_loader.cpp): the
// state one load_intel call shares between files.
#pragma once

#include <istream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "intel/load.h"
#include "intel/set.h"
#include "intel/tlp.h"

namespace tocsin::intel {

struct LoadContext {
    const LoadOptions& options;
    IntelSetBuilder& builder;
    LoadReport& report;
    // marking-definition objects of the bundles read so far: id -> TLP.
    std::unordered_map<std::string, Tlp> custom_markings;
    // Indicators referring to markings not known when they were read: resolved at the end.
    std::vector<std::pair<std::string, std::vector<std::string>>> unresolved_markings;

    // `where` is "file" or "file:line".
    void error(FileReport& file, std::string_view where, std::string_view message);
    // Counts what became of an indicator and lists unsupported patterns.
    void account(FileReport& file, const AddResult& result, std::string_view id,
                 std::string_view pattern);
};

// One file each; `source` is the file's number in the builder and the report.
void load_stix_or_misp(std::istream& in, std::uint32_t source, LoadContext& context);
void load_csv(std::istream& in, std::uint32_t source, LoadContext& context);

}  // namespace tocsin::intel
