// Buffered, line-oriented writer for eve.json. One writer per run; only the output thread
// writes, so EVE lines are never interleaved with each other or with diagnostics.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tocsin::output {

class EveWriter {
  public:
    // Throws std::runtime_error when the file cannot be opened.
    EveWriter(const std::string& path, bool append, std::size_t buffer_size);
    ~EveWriter();
    EveWriter(const EveWriter&) = delete;
    EveWriter& operator=(const EveWriter&) = delete;

    void write_line(std::string_view json);
    void flush();
    std::uint64_t lines() const { return lines_; }
    const std::string& path() const { return path_; }

  private:
    void write_all(const char* data, std::size_t size);

    std::string path_;
    int fd_ = -1;
    std::string buffer_;
    std::size_t buffer_size_;
    std::uint64_t lines_ = 0;
};

}  // namespace tocsin::output
