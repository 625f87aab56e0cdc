// Every line pull and push show passes through here, so the API key can never reach a terminal
// or a log, not even when a server echoes the Authorization header back in an error body, and
// a hostile server cannot drive the terminal with escape sequences or flood it.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::share {

class Messages {
  public:
    enum class Kind { progress, warning };
    using Sink = std::function<void(Kind kind, std::string_view line)>;

    // `secrets`: every form of the key that could come back (the key, the Basic credentials).
    explicit Messages(Sink sink, std::vector<std::string> secrets = {});

    void say(std::string_view line) const;   // progress: what was fetched, written, sent
    void warn(std::string_view line) const;  // retries, skipped data, server oddities
    // `text` with the secrets replaced by "[redacted]", control characters by '?', and cut at
    // `max_length` bytes (text from servers is shown, never trusted).
    std::string clean(std::string_view text, std::size_t max_length = 2000) const;

  private:
    Sink sink_;
    std::vector<std::string> secrets_;
};

}  // namespace tocsin::share
