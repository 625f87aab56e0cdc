// `tocsin hub -c hub.yaml` (the TAXII 2.1 server) and `tocsin hub partner add|list|revoke`
// (partners and their API keys). src/hub/ does the work.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace tocsin::cli {

class HubCommand {
  public:
    // Registers `hub` and its `partner` subcommands on `app`.
    explicit HubCommand(CLI::App& app);
    // CLI11 keeps pointers into this object.
    HubCommand(const HubCommand&) = delete;
    HubCommand& operator=(const HubCommand&) = delete;

    bool parsed() const;
    // Runs the parsed command: 0 done, 1 failed, 2 usage or configuration error.
    int run() const;

    struct Args {
        std::string config_file;
        std::string name;
        std::string organisation;
        std::string identity;
        std::vector<std::string> read;
        std::vector<std::string> write;
    };

  private:
    Args args_;
    CLI::App* hub_ = nullptr;
    CLI::App* add_ = nullptr;
    CLI::App* list_ = nullptr;
    CLI::App* revoke_ = nullptr;
};

}  // namespace tocsin::cli
