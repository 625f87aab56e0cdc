// Live capture from a network interface through libpcap, and dropping root privileges once the
// interface is open.
#pragma once

#include <cstdint>
#include <string>

#include "capture/pcap_file.h"

namespace tocsin::capture {

struct LiveOptions {
    std::string interface;
    std::uint32_t snaplen = 262144;
    bool promiscuous = true;
    std::uint32_t buffer_bytes = 64u << 20;  // kernel ring
    int timeout_ms = 100;                    // how long a read may wait for packets
    std::string bpf;                         // capture filter; empty = everything
};

struct LiveStats {
    std::uint64_t received = 0;  // seen by the kernel
    std::uint64_t dropped = 0;   // dropped for want of buffer space
    std::uint64_t if_dropped = 0;
};

class PcapLive {
  public:
    enum class Status { frame, timeout, error };

    // Opens and activates the interface; on failure error() says why in one line.
    explicit PcapLive(const LiveOptions& options);
    ~PcapLive();
    PcapLive(const PcapLive&) = delete;
    PcapLive& operator=(const PcapLive&) = delete;

    bool is_open() const { return handle_ != nullptr; }
    Status next(Frame& frame);
    std::uint32_t linktype() const { return linktype_; }
    LiveStats stats() const;
    const std::string& error() const { return error_; }

  private:
    pcap* handle_ = nullptr;
    std::uint32_t linktype_ = 0;
    int fd_ = -1;
    int timeout_ms_ = 100;
    std::string error_;
};

// Applies a BPF capture filter to an open libpcap handle (files too); "" on success, else why.
std::string apply_filter(pcap* handle, const std::string& expression);

// When running as root: switch to `user` (and its group, or `group` when given) for good.
// Returns "" on success or when not root, else a one-line reason.
std::string drop_privileges(const std::string& user, const std::string& group_name);

}  // namespace tocsin::capture
