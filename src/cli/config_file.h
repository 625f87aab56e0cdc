// `-c tocsin.yaml` and `--set KEY=VALUE`, read the same way by every command that takes them.
#pragma once

#include <string>
#include <vector>

#include "core/config.h"

namespace tocsin::cli {

// Reads `file` (none when empty) into `config`, then applies the `--set` overrides. On a bad
// file or key prints the reason on stderr and returns false (a usage error).
bool load_config(Config& config, const std::string& file, const std::vector<std::string>& sets);

}  // namespace tocsin::cli
