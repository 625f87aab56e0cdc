#include "support/pcap_writer.h"

#include <algorithm>
#include <stdexcept>

namespace tocsin::testsupport {
namespace {

constexpr std::uint32_t kMagicMicro = 0xa1b2c3d4;
constexpr std::uint32_t kMagicNano = 0xa1b23c4d;
constexpr std::size_t kWriteBufferSize = 1 << 20;  // large writes keep the generator fast

constexpr std::uint32_t kBlockSectionHeader = 0x0a0d0d0a;
constexpr std::uint32_t kBlockInterface = 1;
constexpr std::uint32_t kBlockEnhancedPacket = 6;
constexpr std::uint32_t kByteOrderMagic = 0x1a2b3c4d;

void put16le(Bytes& out, std::uint16_t value) {
    out.push_back(static_cast<std::uint8_t>(value));
    out.push_back(static_cast<std::uint8_t>(value >> 8));
}

void put32le(Bytes& out, std::uint32_t value) {
    put16le(out, static_cast<std::uint16_t>(value));
    put16le(out, static_cast<std::uint16_t>(value >> 16));
}

void put64le(Bytes& out, std::uint64_t value) {
    put32le(out, static_cast<std::uint32_t>(value));
    put32le(out, static_cast<std::uint32_t>(value >> 32));
}

// Frame i of an in-memory capture is stamped start + i milliseconds.
std::uint64_t frame_time_micros(std::int64_t start_sec, std::size_t index) {
    return static_cast<std::uint64_t>(start_sec) * 1000000u + index * 1000u;
}

// A pcapng block: type, total length, body padded to 32 bits, total length again.
void put_block(Bytes& out, std::uint32_t type, const Bytes& body) {
    const std::size_t padded = (body.size() + 3) / 4 * 4;
    const auto total = static_cast<std::uint32_t>(12 + padded);
    put32le(out, type);
    put32le(out, total);
    out.insert(out.end(), body.begin(), body.end());
    out.resize(out.size() + padded - body.size(), 0);
    put32le(out, total);
}

}  // namespace

Bytes pcap_file_header(std::uint32_t linktype, std::uint32_t snaplen, bool nanosecond) {
    Bytes out;
    put32le(out, nanosecond ? kMagicNano : kMagicMicro);
    put16le(out, 2);  // version 2.4
    put16le(out, 4);
    put32le(out, 0);  // thiszone
    put32le(out, 0);  // sigfigs
    put32le(out, snaplen);
    put32le(out, linktype);
    return out;
}

Bytes pcap_record_header(std::int64_t ts_sec, std::uint32_t ts_frac, std::uint32_t incl_len,
                         std::uint32_t orig_len) {
    Bytes out;
    put32le(out, static_cast<std::uint32_t>(ts_sec));
    put32le(out, ts_frac);
    put32le(out, incl_len);
    put32le(out, orig_len);
    return out;
}

PcapWriter::PcapWriter(const std::string& path, std::uint32_t linktype, std::uint32_t snaplen,
                       bool nanosecond)
    : buffer_(new char[kWriteBufferSize]), path_(path), snaplen_(snaplen) {
    // The buffer has to be installed before open() to take effect with libstdc++.
    out_.rdbuf()->pubsetbuf(buffer_.get(), kWriteBufferSize);
    out_.open(path, std::ios::binary | std::ios::trunc);
    if (!out_) throw std::runtime_error("cannot create " + path);
    put(pcap_file_header(linktype, snaplen, nanosecond));
}

void PcapWriter::put(std::span<const std::uint8_t> bytes) {
    out_.write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    if (!out_) throw std::runtime_error("write failed: " + path_);
    file_bytes_ += bytes.size();
}

void PcapWriter::write(std::int64_t ts_sec, std::uint32_t ts_frac,
                       std::span<const std::uint8_t> data, std::uint32_t orig_len) {
    const auto captured = static_cast<std::uint32_t>(std::min<std::size_t>(data.size(), snaplen_));
    if (orig_len == 0) orig_len = static_cast<std::uint32_t>(data.size());
    put(pcap_record_header(ts_sec, ts_frac, captured, orig_len));
    put(data.first(captured));
    ++packets_;
    bytes_ += captured;
}

void PcapWriter::write_raw(std::span<const std::uint8_t> bytes) {
    put(bytes);
}

void PcapWriter::flush() {
    out_.flush();
    if (!out_) throw std::runtime_error("write failed: " + path_);
}

Bytes pcap_file_bytes(const std::vector<Bytes>& frames, std::uint32_t linktype,
                      std::int64_t start_sec) {
    Bytes out = pcap_file_header(linktype);
    for (std::size_t i = 0; i < frames.size(); ++i) {
        const std::uint64_t micros = frame_time_micros(start_sec, i);
        const auto length = static_cast<std::uint32_t>(frames[i].size());
        const Bytes record =
            pcap_record_header(static_cast<std::int64_t>(micros / 1000000),
                               static_cast<std::uint32_t>(micros % 1000000), length, length);
        out.insert(out.end(), record.begin(), record.end());
        out.insert(out.end(), frames[i].begin(), frames[i].end());
    }
    return out;
}

Bytes pcapng_file_bytes(const std::vector<Bytes>& frames, std::uint16_t linktype,
                        std::int64_t start_sec) {
    Bytes out;
    Bytes section;
    put32le(section, kByteOrderMagic);
    put16le(section, 1);  // version 1.0
    put16le(section, 0);
    put64le(section, ~std::uint64_t{0});  // section length unknown
    put_block(out, kBlockSectionHeader, section);

    Bytes interface;
    put16le(interface, linktype);
    put16le(interface, 0);  // reserved
    put32le(interface, 262144);
    put_block(out, kBlockInterface, interface);

    for (std::size_t i = 0; i < frames.size(); ++i) {
        const std::uint64_t micros = frame_time_micros(start_sec, i);
        const auto length = static_cast<std::uint32_t>(frames[i].size());
        Bytes packet;
        put32le(packet, 0);  // interface id
        put32le(packet, static_cast<std::uint32_t>(micros >> 32));
        put32le(packet, static_cast<std::uint32_t>(micros));
        put32le(packet, length);
        put32le(packet, length);
        packet.insert(packet.end(), frames[i].begin(), frames[i].end());
        put_block(out, kBlockEnhancedPacket, packet);
    }
    return out;
}

void write_pcapng(const std::string& path, const std::vector<Bytes>& frames, std::uint16_t linktype,
                  std::int64_t start_sec) {
    const Bytes bytes = pcapng_file_bytes(frames, linktype, start_sec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace tocsin::testsupport
