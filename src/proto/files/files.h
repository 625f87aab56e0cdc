// Files carried by application protocols (HTTP bodies now, SMTP attachments and SMB reads
// later): one `File` per transferred file tracks its size, gaps, md5/sha1/sha256, libmagic
// type, the first bytes rules inspect (file.data) and, when configured, its copy on disk named
// by SHA-256 as Suricata's filestore v2 does. `write_fileinfo` writes the EVE "fileinfo" object.
//
// A protocol creates a File when a file starts, appends its bytes in order (or reports lost
// bytes with gap()), and closes it as complete or truncated. Nothing here parses bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "applayer/protocol.h"
#include "core/cursor.h"

namespace tocsin::output {
class JsonWriter;
}

namespace tocsin::proto::files {

enum class FileState : std::uint8_t { open, closed, truncated, error };

// EVE's name of a state: "CLOSED", "TRUNCATED", "ERROR"; an open file is "UNKNOWN".
std::string_view state_name(FileState state);

struct FileOptions {
    applayer::FileDigests digests = applayer::FileDigests::all();  // computed for every file
    bool magic = true;                    // libmagic description of the first bytes
    std::string store_dir;                // "" = not stored; else <dir>/<sha256[0:2]>/<sha256>
    std::size_t inspect_limit = 1 << 20;  // bytes kept in memory for file.data

    // From the app-layer limits: the larger body limit bounds the inspection window (0, which
    // Suricata reads as "unlimited", keeps the default bound). A protocol with per-direction
    // limits may lower inspect_limit for each file itself.
    static FileOptions from(const applayer::AppLimits& limits);
};

// One file carried by a protocol. Movable, not copyable (it owns hash contexts and, when
// storing, an open temporary file that is removed if the File is destroyed unfinished).
class File {
  public:
    File(std::string name, const FileOptions& options);
    ~File();
    File(File&& other) noexcept;
    File& operator=(File&& other) noexcept;
    File(const File&) = delete;
    File& operator=(const File&) = delete;

    // The next bytes of the file: counted, hashed, sampled for magic, stored, and kept while
    // the inspection window has room. Ignored once the file is closed.
    void append(ByteSpan data);
    // `length` bytes were lost: gaps() becomes true, the hashes are dropped (they could not be
    // the file's), the file cannot be stored under its hash, and its size still counts them.
    void gap(std::uint64_t length);
    // The file ends: `closed` (complete) or `truncated` (cut short: stream depth, body limit,
    // flow end) or `error`. A file with gaps always ends truncated. `open` counts as truncated.
    // Finalises the hashes and moves the stored copy to its final name. Idempotent.
    void close(FileState state);
    // The byte range of the whole resource this file carries (HTTP Content-Range), logged as
    // fileinfo start/end.
    void set_range(std::uint64_t start, std::uint64_t end);

    const std::string& name() const { return name_; }
    std::uint64_t size() const { return size_; }
    FileState state() const { return state_; }
    bool gaps() const { return gaps_; }
    // The first inspect_limit bytes of the file (the file.data buffer).
    ByteSpan data() const { return data_; }

    // libmagic's description of the first bytes; "" until known or when disabled.
    const std::string& magic() const { return magic_; }
    // Lower-case hex digests, "" when not available: md5 and sha1 only for a file closed
    // complete without gaps, sha256 also for a truncated file without gaps (as Suricata logs
    // them, so a truncated stored file is still named by the hash of what it holds).
    const std::string& md5() const { return md5_; }
    const std::string& sha1() const { return sha1_; }
    const std::string& sha256() const { return sha256_; }
    // Written to the filestore under its SHA-256; file_id numbers the stored files of this
    // thread from 1 (0 when not stored).
    bool stored() const { return stored_; }
    std::uint64_t file_id() const { return file_id_; }
    struct Range {
        std::uint64_t start = 0;
        std::uint64_t end = 0;
    };
    const std::optional<Range>& range() const { return range_; }

  private:
    struct Hashes;
    struct Store;

    void sample_magic(ByteSpan data);
    void lookup_magic();
    void finish_store();

    std::string name_;
    std::size_t inspect_limit_ = 0;
    bool want_magic_ = false;
    std::uint64_t size_ = 0;
    FileState state_ = FileState::open;
    bool gaps_ = false;
    std::vector<std::uint8_t> data_;          // the inspection window
    std::vector<std::uint8_t> magic_sample_;  // only when the window is smaller than a sample
    bool magic_done_ = false;
    std::string magic_;
    std::unique_ptr<Hashes> hashes_;  // null when disabled or dropped by a gap
    std::unique_ptr<Store> store_;    // null when not storing (or the store failed)
    std::string md5_;
    std::string sha1_;
    std::string sha256_;
    bool stored_ = false;
    std::uint64_t file_id_ = 0;
    std::optional<Range> range_;
};

// Writes the "fileinfo": {...} object of an EVE fileinfo record.
void write_fileinfo(const File& file, std::uint64_t tx_id, output::JsonWriter& out);

}  // namespace tocsin::proto::files
