// Shared pieces of the share tests: a temporary folder, captured messages, fast transport
// settings, and reading back what a pull wrote.
#pragma once

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "share/messages.h"
#include "share/taxii_client.h"

namespace tocsin::share::testing {

class TempFolder {
  public:
    TempFolder() {
        std::string pattern = (std::filesystem::temp_directory_path() / "tocsin-share-XXXXXX");
        if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempFolder() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

// Every line the code under test said, whatever its kind.
struct CapturedMessages {
    explicit CapturedMessages(std::vector<std::string> secrets = {})
        : lines(std::make_shared<std::vector<std::string>>()),
          messages(
              [lines = lines](Messages::Kind, std::string_view line) { lines->emplace_back(line); },
              std::move(secrets)) {}

    std::string all() const {
        std::string out;
        for (const auto& line : *lines) out += line + "\n";
        return out;
    }

    std::shared_ptr<std::vector<std::string>> lines;
    Messages messages;
};

// Retries without the production back-off, so failure tests take milliseconds.
inline TransportOptions fast_transport() {
    TransportOptions transport;
    transport.tries = 3;
    transport.first_backoff = std::chrono::milliseconds(5);
    transport.connect_timeout = std::chrono::seconds(5);
    transport.read_timeout = std::chrono::seconds(5);
    return transport;
}

inline std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The regular files of `folder`, sorted by name.
inline std::vector<std::filesystem::path> files_in(const std::filesystem::path& folder) {
    std::vector<std::filesystem::path> files;
    if (!std::filesystem::exists(folder)) return files;
    for (const auto& entry : std::filesystem::directory_iterator(folder))
        if (entry.is_regular_file()) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace tocsin::share::testing
