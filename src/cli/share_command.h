// `tocsin share pull|push`: the TAXII 2.1 client on the command line (src/share/ does the work).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace tocsin::cli {

class ShareCommand {
  public:
    // Registers `share` with its `pull` and `push` subcommands on `app`.
    explicit ShareCommand(CLI::App& app);
    // CLI11 keeps pointers into this object.
    ShareCommand(const ShareCommand&) = delete;
    ShareCommand& operator=(const ShareCommand&) = delete;

    bool parsed() const;
    // Runs the parsed subcommand: 0 done, 1 failed (state kept for a re-run), 2 usage error.
    int run() const;

    struct Args {
        std::string url;
        std::string collection;
        std::string key_file;
        std::string user;
        std::string ca_cert;
        bool allow_insecure_http = false;
        bool quiet = false;
        std::string store;              // pull; empty: the configuration's intel.store
        std::string config_file;        // pull
        std::vector<std::string> sets;  // pull
        unsigned limit = 500;           // pull
        unsigned max_pages = 0;         // pull
        std::string log_dir;            // push
        unsigned batch = 100;           // push
    };

  private:
    Args pull_args_;
    Args push_args_;
    CLI::App* pull_ = nullptr;
    CLI::App* push_ = nullptr;
};

}  // namespace tocsin::cli
