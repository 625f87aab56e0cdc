// Files that survive a crash or a kill at any instant: a file is either absent, or its previous
// content, or its new content, never a torn mix. Pull and push promise resumption on this.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace tocsin::share {

// Writes `bytes` to `path` through a temporary file in the same folder (".NAME.tmp"): write,
// fsync, rename over `path`, fsync the folder. After `true` the content is on disk under its
// final name. False (with `error`): `path` is unchanged.
bool write_file_durably(const std::filesystem::path& path, std::string_view bytes,
                        std::string& error);

// Appends `bytes` to the existing file `path` in one write and fsyncs it. A crash can leave a
// prefix of `bytes` at the end: a journal written this way ends each record with a newline,
// and its reader drops a last line without one.
bool append_durably(const std::filesystem::path& path, std::string_view bytes, std::string& error);

// Cuts `path` to its first `size` bytes (a torn journal line) and fsyncs it.
bool truncate_durably(const std::filesystem::path& path, std::size_t size, std::string& error);

// The temporary name write_file_durably uses for `path` (left behind only by a crash).
std::filesystem::path temporary_name(const std::filesystem::path& path);

// The whole file when it is at most `max_bytes` long; nullopt with `error` otherwise.
std::optional<std::string> read_file_bounded(const std::filesystem::path& path,
                                             std::size_t max_bytes, std::string& error);

// An exclusive advisory lock (flock) on a folder for as long as the object lives, so two pulls
// into one folder (or two pushes of one log folder) cannot interleave their state updates.
class FolderLock {
  public:
    // nullopt with `error` when the folder cannot be opened or another process holds the lock.
    static std::optional<FolderLock> acquire(const std::filesystem::path& folder,
                                             std::string& error);

    FolderLock(FolderLock&& other) noexcept;
    FolderLock& operator=(FolderLock&& other) noexcept;
    FolderLock(const FolderLock&) = delete;
    FolderLock& operator=(const FolderLock&) = delete;
    ~FolderLock();

  private:
    explicit FolderLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace tocsin::share
