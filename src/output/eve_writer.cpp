#include "output/eve_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace tocsin::output {

EveWriter::EveWriter(const std::string& path, bool append, std::size_t buffer_size)
    : path_(path), buffer_size_(buffer_size < 4096 ? 4096 : buffer_size) {
    // O_NOFOLLOW: running as root, a planted symlink must not make us truncate another file.
    const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (append ? O_APPEND : O_TRUNC);
    fd_ = ::open(path.c_str(), flags, 0640);
    if (fd_ < 0)
        throw std::runtime_error(path + ": cannot open for writing: " + std::strerror(errno));
    buffer_.reserve(buffer_size_ + 4096);
}

EveWriter::~EveWriter() {
    try {
        flush();
    } catch (const std::exception&) {
        // Already reported by the flush that failed first; a destructor must not throw.
    }
    if (fd_ >= 0) ::close(fd_);
}

void EveWriter::write_line(std::string_view json) {
    buffer_.append(json);
    buffer_.push_back('\n');
    lines_++;
    if (buffer_.size() >= buffer_size_) flush();
}

void EveWriter::flush() {
    std::string pending;
    pending.swap(buffer_);  // a failed write must not be retried forever
    buffer_.reserve(pending.capacity());
    if (!pending.empty()) write_all(pending.data(), pending.size());
}

void EveWriter::write_all(const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd_, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(path_ + ": write failed: " + std::strerror(errno));
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
}

}  // namespace tocsin::output
