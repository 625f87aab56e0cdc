// Reads a Zeek log in its tab-separated form (ICSNPP's baselines in ../shared/corpora/icsnpp):
// the "#fields" line names the columns, "#"-lines are metadata, "-" is an unset field and
// "(empty)" an empty one. Each row becomes a map from column name to text.
#pragma once

#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace tocsin::testing {

using ZeekRow = std::map<std::string, std::string>;

inline std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const std::size_t tab = line.find('\t', start);
        out.push_back(
            line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
        if (tab == std::string::npos) return out;
        start = tab + 1;
    }
}

// The rows of the log at `path`; empty when it cannot be read.
inline std::vector<ZeekRow> read_zeek_log(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> columns;
    std::vector<ZeekRow> rows;
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with("#fields\t")) {
            columns = split_tabs(line.substr(8));
            continue;
        }
        if (line.empty() || line.front() == '#') continue;
        const std::vector<std::string> values = split_tabs(line);
        ZeekRow row;
        for (std::size_t i = 0; i < columns.size() && i < values.size(); ++i)
            row[columns[i]] = values[i] == "-" ? "" : values[i] == "(empty)" ? "" : values[i];
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace tocsin::testing
