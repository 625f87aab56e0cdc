// `tocsin intel import FILE|DIR... [--store DIR]`: loads threat intelligence (STIX 2.1, MISP
// feeds, CSV), prints what loaded per file and per kind, every pattern Tocsin cannot evaluate
// and every error, and with --store copies the accepted files into the folder `intel.store`
// names. `tocsin intel match FILE|DIR... --value X`: which indicators a value fires.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace tocsin::cli {

class IntelCommand {
  public:
    // Registers `intel` with its `import` and `match` subcommands on `app`.
    explicit IntelCommand(CLI::App& app);
    // CLI11 keeps pointers into this object.
    IntelCommand(const IntelCommand&) = delete;
    IntelCommand& operator=(const IntelCommand&) = delete;

    bool parsed() const;
    // Runs the parsed subcommand. import: 0 when something loaded and no file failed, 1
    // otherwise; match: 0 when an indicator fired, 1 when none; 2 usage errors.
    int run() const;

    struct Args {
        std::vector<std::string> paths;
        std::string config_file;
        std::vector<std::string> sets;
        bool quiet = false;  // import
        std::string store;   // import
        std::string value;   // match
        std::string kind;    // match
        std::string time;    // match
    };

  private:
    Args import_args_;
    Args match_args_;
    CLI::App* import_ = nullptr;
    CLI::App* match_ = nullptr;
};

}  // namespace tocsin::cli
