#include "cli/config_file.h"

#include <cstdio>

#include <fmt/format.h>

namespace tocsin::cli {

bool load_config(Config& config, const std::string& file, const std::vector<std::string>& sets) {
    try {
        if (!file.empty()) config.load_yaml_file(file);
        for (const auto& s : sets) config.set_override(s);
    } catch (const ConfigError& e) {
        fmt::print(stderr, "tocsin: {}\n", e.what());
        return false;
    }
    return true;
}

}  // namespace tocsin::cli
