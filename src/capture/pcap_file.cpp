#include "capture/pcap_file.h"

#include "capture/pcap_live.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace tocsin::capture {

PcapFile::PcapFile(const std::string& path) : path_(path) {
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        error_ = "is a directory";
        return;
    }
    if (std::filesystem::exists(path, ec) && std::filesystem::file_size(path, ec) == 0) {
        error_ = "empty file, not a capture";
        return;
    }
    handle_ =
        pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_MICRO, errbuf);
    if (handle_ == nullptr) {
        error_ = errbuf;
        return;
    }
    linktype_ = static_cast<std::uint32_t>(pcap_datalink(handle_));
    snaplen_ = static_cast<std::uint32_t>(pcap_snapshot(handle_));
}

std::string PcapFile::set_filter(const std::string& expression) {
    return handle_ == nullptr ? "" : apply_filter(handle_, expression);
}

PcapFile::~PcapFile() {
    if (handle_ != nullptr) pcap_close(handle_);
}

PcapFile::Status PcapFile::next(Frame& frame) {
    if (handle_ == nullptr) return Status::error;
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    const int rc = pcap_next_ex(handle_, &header, &data);
    if (rc == 1) {
        frames_++;
        frame.ts = Timestamp{static_cast<std::int64_t>(header->ts.tv_sec),
                             static_cast<std::uint32_t>(header->ts.tv_usec % 1000000)};
        frame.wire_len = header->len;
        frame.data = ByteSpan(data, header->caplen);
        return Status::frame;
    }
    if (rc == PCAP_ERROR_BREAK) return Status::end;
    error_ = pcap_geterr(handle_);
    return Status::error;
}

std::vector<InputFile> order_inputs(const std::vector<std::string>& paths, std::string& error) {
    std::vector<InputFile> inputs;
    for (const auto& p : paths) {
        std::error_code ec;
        if (std::filesystem::is_directory(p, ec)) {
            std::vector<std::string> inside;
            for (const auto& entry : std::filesystem::directory_iterator(p, ec)) {
                if (entry.is_regular_file(ec)) inside.push_back(entry.path().string());
            }
            if (ec) {
                error = p + ": cannot list folder: " + ec.message();
                return {};
            }
            std::sort(inside.begin(), inside.end());
            for (auto& f : inside) inputs.push_back(InputFile{std::move(f), std::nullopt, true});
        } else {
            inputs.push_back(InputFile{p, std::nullopt, false});
        }
    }
    if (inputs.size() < 2) return inputs;
    for (auto& in : inputs) {
        // Only regular files are probed: peeking into a pipe or stdin would consume it.
        std::error_code ec;
        if (!std::filesystem::is_regular_file(in.path, ec)) continue;
        PcapFile probe(in.path);
        Frame frame;
        if (probe.is_open() && probe.next(frame) == PcapFile::Status::frame) in.first_ts = frame.ts;
    }
    // Files without a readable first packet keep their place after the timed ones.
    std::stable_sort(inputs.begin(), inputs.end(), [](const InputFile& a, const InputFile& b) {
        if (a.first_ts.has_value() != b.first_ts.has_value()) return a.first_ts.has_value();
        return a.first_ts.has_value() && *a.first_ts < *b.first_ts;
    });
    return inputs;
}

}  // namespace tocsin::capture
