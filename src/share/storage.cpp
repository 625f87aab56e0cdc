#include "share/storage.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace tocsin::share {
namespace {

// Closes a descriptor when the scope ends.
class Descriptor {
  public:
    explicit Descriptor(int fd) : fd_(fd) {}
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    ~Descriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    // Closes now, reporting the result (a deferred write error shows up here).
    bool close() {
        const int fd = std::exchange(fd_, -1);
        return fd < 0 || ::close(fd) == 0;
    }

  private:
    int fd_;
};

std::string system_error(std::string_view what, const std::filesystem::path& path) {
    return fmt::format("{}: {} ({})", path.string(), what, std::strerror(errno));
}

bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

bool sync_folder(const std::filesystem::path& folder) {
    Descriptor dir(::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY));
    return dir.valid() && ::fsync(dir.get()) == 0;
}

}  // namespace

std::filesystem::path temporary_name(const std::filesystem::path& path) {
    // Built by appending: GCC 12 warns (-Wrestrict, falsely) on "." + string + ".tmp".
    std::string name(1, '.');
    name.append(path.filename().string());
    name.append(".tmp");
    return path.parent_path() / name;
}

bool write_file_durably(const std::filesystem::path& path, std::string_view bytes,
                        std::string& error) {
    const auto temporary = temporary_name(path);
    Descriptor file(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!file.valid()) {
        error = system_error("cannot create", temporary);
        return false;
    }
    const bool written = write_all(file.get(), bytes) && ::fsync(file.get()) == 0;
    if (!written || !file.close()) {
        error = system_error("cannot write", temporary);
        ::unlink(temporary.c_str());
        return false;
    }
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        error = system_error("cannot rename into place", path);
        ::unlink(temporary.c_str());
        return false;
    }
    if (!sync_folder(path.parent_path())) {
        error = system_error("cannot sync the folder of", path);
        return false;
    }
    return true;
}

bool append_durably(const std::filesystem::path& path, std::string_view bytes, std::string& error) {
    Descriptor file(::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
    if (!file.valid()) {
        error = system_error("cannot open for appending", path);
        return false;
    }
    if (!write_all(file.get(), bytes) || ::fsync(file.get()) != 0 || !file.close()) {
        error = system_error("cannot append to", path);
        return false;
    }
    return true;
}

bool truncate_durably(const std::filesystem::path& path, std::size_t size, std::string& error) {
    Descriptor file(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!file.valid() || ::ftruncate(file.get(), static_cast<off_t>(size)) != 0 ||
        ::fsync(file.get()) != 0 || !file.close()) {
        error = system_error("cannot cut the torn end of", path);
        return false;
    }
    return true;
}

std::optional<std::string> read_file_bounded(const std::filesystem::path& path,
                                             std::size_t max_bytes, std::string& error) {
    Descriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!file.valid()) {
        error = system_error("cannot open", path);
        return std::nullopt;
    }
    std::string content;
    char buffer[64 * 1024];
    for (;;) {
        const ssize_t n = ::read(file.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            error = system_error("cannot read", path);
            return std::nullopt;
        }
        if (n == 0) break;
        if (content.size() + static_cast<std::size_t>(n) > max_bytes) {
            error = fmt::format("{}: larger than {} bytes", path.string(), max_bytes);
            return std::nullopt;
        }
        content.append(buffer, static_cast<std::size_t>(n));
    }
    return content;
}

std::optional<FolderLock> FolderLock::acquire(const std::filesystem::path& folder,
                                              std::string& error) {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        error = system_error("cannot open the folder", folder);
        return std::nullopt;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        error = fmt::format("{}: another tocsin share is working on this folder", folder.string());
        ::close(fd);
        return std::nullopt;
    }
    return FolderLock(fd);
}

FolderLock::FolderLock(FolderLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

FolderLock& FolderLock::operator=(FolderLock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

FolderLock::~FolderLock() {
    if (fd_ >= 0) ::close(fd_);
}

}  // namespace tocsin::share
