// Reading pcap and pcapng files through libpcap, and ordering several inputs by time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/cursor.h"
#include "core/timestamp.h"

struct pcap;

namespace tocsin::capture {

struct Frame {
    Timestamp ts;
    std::uint32_t wire_len = 0;
    ByteSpan data;  // valid until the next call to next()
};

class PcapFile {
  public:
    enum class Status { frame, end, error };

    // Opens the file; on failure error() says why (in one line) and is_open() is false.
    explicit PcapFile(const std::string& path);
    ~PcapFile();
    PcapFile(const PcapFile&) = delete;
    PcapFile& operator=(const PcapFile&) = delete;

    bool is_open() const { return handle_ != nullptr; }
    // Applies a BPF filter; "" on success, else why.
    std::string set_filter(const std::string& expression);
    Status next(Frame& frame);
    std::uint32_t linktype() const { return linktype_; }
    std::uint32_t snaplen() const { return snaplen_; }
    const std::string& error() const { return error_; }
    const std::string& path() const { return path_; }
    std::uint64_t frames_read() const { return frames_; }

  private:
    std::string path_;
    pcap* handle_ = nullptr;
    std::uint32_t linktype_ = 0;
    std::uint32_t snaplen_ = 0;
    std::string error_;
    std::uint64_t frames_ = 0;
};

struct InputFile {
    std::string path;
    std::optional<Timestamp> first_ts;  // unset when the file has no readable packet
    bool from_folder = false;           // found by listing a folder, not named by the user
};

// Expands folders (their regular files, not recursively) and orders all inputs by the time of
// their first packet, so a folder of rotated captures reads as one timeline. Unreadable files
// stay in the list (at the end, in name order) so the run reports them. Pipes and "-" (stdin)
// are never probed.
std::vector<InputFile> order_inputs(const std::vector<std::string>& paths, std::string& error);

}  // namespace tocsin::capture
