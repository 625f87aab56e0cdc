// Writers for capture files, done by hand so tests control every byte (and can corrupt them).
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "support/packet_builder.h"

namespace tocsin::testsupport {

// Linktypes (DLT_* / LINKTYPE_* values as stored in capture files).
inline constexpr std::uint32_t kLinktypeNull = 0;
inline constexpr std::uint32_t kLinktypeEthernet = 1;
inline constexpr std::uint32_t kLinktypeRaw = 101;
inline constexpr std::uint32_t kLinktypeLinuxSll = 113;
inline constexpr std::uint32_t kLinktypeLinuxSll2 = 276;

// Classic libpcap format, little-endian, magic a1b2c3d4 (microseconds) or a1b23c4d (nanoseconds).
// Throws std::runtime_error when the file cannot be opened or written.
class PcapWriter {
  public:
    explicit PcapWriter(const std::string& path, std::uint32_t linktype = kLinktypeEthernet,
                        std::uint32_t snaplen = 262144, bool nanosecond = false);
    PcapWriter(const PcapWriter&) = delete;
    PcapWriter& operator=(const PcapWriter&) = delete;

    // ts_frac is microseconds or nanoseconds depending on the file's resolution. Data longer than
    // the snaplen is truncated; orig_len 0 means data.size().
    void write(std::int64_t ts_sec, std::uint32_t ts_frac, std::span<const std::uint8_t> data,
               std::uint32_t orig_len = 0);
    // Appends bytes as they are, for crafting corrupt files in tests.
    void write_raw(std::span<const std::uint8_t> bytes);
    void flush();

    std::uint64_t packets() const { return packets_; }
    std::uint64_t bytes() const { return bytes_; }            // captured packet bytes
    std::uint64_t file_bytes() const { return file_bytes_; }  // including all headers

  private:
    void put(std::span<const std::uint8_t> bytes);

    // The stream buffer must outlive the stream, so it is declared first.
    std::unique_ptr<char[]> buffer_;
    std::ofstream out_;
    std::string path_;
    std::uint32_t snaplen_;
    std::uint64_t packets_ = 0;
    std::uint64_t bytes_ = 0;
    std::uint64_t file_bytes_ = 0;
};

// The 24-byte classic pcap file header and one 16-byte record header, little-endian.
Bytes pcap_file_header(std::uint32_t linktype = kLinktypeEthernet, std::uint32_t snaplen = 262144,
                       bool nanosecond = false);
Bytes pcap_record_header(std::int64_t ts_sec, std::uint32_t ts_frac, std::uint32_t incl_len,
                         std::uint32_t orig_len);

// A whole small pcap in memory (same format as PcapWriter). Frame i is stamped
// start_sec + i milliseconds.
Bytes pcap_file_bytes(const std::vector<Bytes>& frames, std::uint32_t linktype = kLinktypeEthernet,
                      std::int64_t start_sec = 1700000000);

// Minimal pcapng: a Section Header Block, one Interface Description Block (microsecond
// timestamps) and one Enhanced Packet Block per frame, little-endian, timestamps as above.
Bytes pcapng_file_bytes(const std::vector<Bytes>& frames, std::uint16_t linktype = 1,
                        std::int64_t start_sec = 1700000000);
void write_pcapng(const std::string& path, const std::vector<Bytes>& frames,
                  std::uint16_t linktype = 1, std::int64_t start_sec = 1700000000);

}  // namespace tocsin::testsupport
