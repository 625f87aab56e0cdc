#include "proto/files/files.h"

#include <magic.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <utility>

#include "output/json_writer.h"

namespace tocsin::proto::files {

namespace {

namespace fs = std::filesystem;

// libmagic recognises common formats from their first bytes; a few KiB keep the lookup cheap.
constexpr std::size_t kMagicSample = 4096;

// ---- libmagic ---------------------------------------------------------------------------

struct MagicCloser {
    void operator()(magic_set* cookie) const { magic_close(cookie); }
};
using MagicCookie = std::unique_ptr<magic_set, MagicCloser>;

// What each worker thread keeps for its files. A libmagic handle may not be shared between
// threads, and magic_load parses the whole compiled database (tens of milliseconds), far too
// slow per file; so each thread loads one handle on first use and reuses it. It is a cache:
// no result depends on which thread's handle answered. The store counter numbers the files
// this thread stored (EVE file_id), as Suricata numbers stored files from 1.
class ThreadFileContext {
  public:
    static ThreadFileContext& get() {
        thread_local ThreadFileContext context;
        return context;
    }

    std::string describe(ByteSpan sample) {
        magic_set* cookie = cookie_handle();
        if (cookie == nullptr || sample.empty()) return {};
        const char* text = magic_buffer(cookie, sample.data(), sample.size());
        return text != nullptr ? std::string(text) : std::string();
    }
    std::uint64_t next_store_id() { return ++stored_files_; }

  private:
    magic_set* cookie_handle() {
        if (!load_tried_) {
            load_tried_ = true;
            MagicCookie cookie(magic_open(MAGIC_NONE));
            if (cookie && magic_load(cookie.get(), nullptr) == 0) cookie_ = std::move(cookie);
        }
        return cookie_.get();
    }

    MagicCookie cookie_;
    bool load_tried_ = false;
    std::uint64_t stored_files_ = 0;
};

// ---- hashes -----------------------------------------------------------------------------

struct DigestFreer {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using DigestContext = std::unique_ptr<EVP_MD_CTX, DigestFreer>;

// A started digest of `type`, or null when OpenSSL refuses it (e.g. md5 under FIPS).
DigestContext start_digest(const EVP_MD* type) {
    DigestContext ctx(EVP_MD_CTX_new());
    if (ctx && EVP_DigestInit_ex(ctx.get(), type, nullptr) != 1) ctx.reset();
    return ctx;
}

std::string to_hex(std::span<const unsigned char> bytes) {
    static constexpr std::string_view kDigits = "0123456789abcdef";
    std::string hex;
    hex.reserve(bytes.size() * 2);
    for (unsigned char b : bytes) {
        hex.push_back(kDigits[b >> 4]);
        hex.push_back(kDigits[b & 0x0f]);
    }
    return hex;
}

// The hex digest of `ctx` ("" when absent or failed); the context cannot be used afterwards.
std::string finish_digest(const DigestContext& ctx) {
    if (!ctx) return {};
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx.get(), digest.data(), &length) != 1) return {};
    return to_hex(std::span(digest).first(length));
}

// ---- filestore --------------------------------------------------------------------------

class UniqueFd {
  public:
    explicit UniqueFd(int fd = -1) : fd_(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const { return fd_; }
    // Closes the descriptor; false when close reports a failed write-back.
    bool reset() {
        if (fd_ < 0) return true;
        const int rc = ::close(std::exchange(fd_, -1));
        return rc == 0;
    }

  private:
    int fd_;
};

bool write_all(int fd, ByteSpan data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data = data.subspan(static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace

// The digests asked for; sha256 also whenever the file is stored, since the stored copy is
// named by it.
struct File::Hashes {
    DigestContext md5;
    DigestContext sha1;
    DigestContext sha256;

    void update(ByteSpan data) {
        for (const DigestContext* ctx : {&md5, &sha1, &sha256}) {
            if (*ctx) EVP_DigestUpdate(ctx->get(), data.data(), data.size());
        }
    }
};

// The file's bytes on disk while it is open: <dir>/tmp/file.XXXXXX, renamed to
// <dir>/<sha256[0:2]>/<sha256> when it ends with a hash; removed otherwise (also when the
// Store is destroyed before that).
struct File::Store {
    fs::path dir;
    fs::path temp;
    UniqueFd fd;

    Store() = default;
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;
    ~Store() { discard(); }

    // A store under `dir`, or null when its temporary file cannot be created.
    static std::unique_ptr<Store> open(const std::string& dir) {
        std::error_code ec;
        const fs::path tmp_dir = fs::path(dir) / "tmp";
        fs::create_directories(tmp_dir, ec);
        if (ec) return nullptr;
        std::string pattern = (tmp_dir / "file.XXXXXX").string();
        UniqueFd fd(::mkstemp(pattern.data()));
        if (fd.get() < 0) return nullptr;
        auto store = std::make_unique<Store>();
        store->dir = dir;
        store->temp = pattern;
        store->fd = std::move(fd);
        return store;
    }

    bool write(ByteSpan data) { return write_all(fd.get(), data); }

    // Moves the bytes to their final name; true when they are there.
    bool commit(const std::string& sha256) {
        if (!fd.reset()) return false;
        std::error_code ec;
        const fs::path final_dir = dir / sha256.substr(0, 2);
        fs::create_directories(final_dir, ec);
        if (ec) return false;
        // A file already stored under this hash has the same bytes: replacing it is harmless.
        fs::rename(temp, final_dir / sha256, ec);
        if (ec) return false;
        temp.clear();
        return true;
    }

    void discard() {
        fd.reset();
        if (temp.empty()) return;
        std::error_code ec;
        fs::remove(temp, ec);
        temp.clear();
    }
};

std::string_view state_name(FileState state) {
    switch (state) {
        case FileState::closed:
            return "CLOSED";
        case FileState::truncated:
            return "TRUNCATED";
        case FileState::error:
            return "ERROR";
        case FileState::open:
            break;
    }
    return "UNKNOWN";
}

FileOptions FileOptions::from(const applayer::AppLimits& limits) {
    FileOptions options;
    options.digests = limits.file_digests;
    options.magic = limits.file_magic;
    options.store_dir = limits.filestore_dir;
    const std::size_t body_limit = std::max(limits.request_body_limit, limits.response_body_limit);
    if (body_limit != 0) options.inspect_limit = body_limit;
    if (!limits.keep_bodies) options.inspect_limit = 0;  // no rule reads file.data
    return options;
}

File::File(std::string name, const FileOptions& options)
    : name_(std::move(name)), inspect_limit_(options.inspect_limit), want_magic_(options.magic) {
    const bool storing = !options.store_dir.empty();
    if (options.digests.any() || storing) {
        hashes_ = std::make_unique<Hashes>();
        if (options.digests.md5) hashes_->md5 = start_digest(EVP_md5());
        if (options.digests.sha1) hashes_->sha1 = start_digest(EVP_sha1());
        if (options.digests.sha256 || storing) hashes_->sha256 = start_digest(EVP_sha256());
    }
    if (storing) store_ = Store::open(options.store_dir);
}

File::~File() = default;
File::File(File&& other) noexcept = default;
File& File::operator=(File&& other) noexcept = default;

void File::append(ByteSpan data) {
    if (state_ != FileState::open || data.empty()) return;
    size_ += data.size();
    if (hashes_) hashes_->update(data);
    if (store_ && !store_->write(data)) store_.reset();  // a failed write: not stored
    // The window holds the file's first bytes; after a gap it would no longer be contiguous.
    if (!gaps_ && data_.size() < inspect_limit_) {
        const std::size_t room = std::min(data.size(), inspect_limit_ - data_.size());
        data_.insert(data_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(room));
    }
    sample_magic(data);
}

void File::gap(std::uint64_t length) {
    if (state_ != FileState::open || length == 0) return;
    gaps_ = true;
    size_ += length;
    hashes_.reset();
    store_.reset();
    // The bytes before the gap are the only contiguous start libmagic will ever see.
    lookup_magic();
}

void File::close(FileState state) {
    if (state_ != FileState::open) return;
    if (state == FileState::open || (state == FileState::closed && gaps_)) {
        state = FileState::truncated;
    }
    state_ = state;
    lookup_magic();
    if (hashes_ && state_ != FileState::error) {
        if (state_ == FileState::closed) {
            md5_ = finish_digest(hashes_->md5);
            sha1_ = finish_digest(hashes_->sha1);
        }
        sha256_ = finish_digest(hashes_->sha256);
    }
    hashes_.reset();
    finish_store();
}

void File::set_range(std::uint64_t start, std::uint64_t end) {
    range_ = Range{start, end};
}

void File::sample_magic(ByteSpan data) {
    if (!want_magic_ || magic_done_ || gaps_) return;
    if (inspect_limit_ >= kMagicSample) {
        if (data_.size() >= kMagicSample) lookup_magic();
        return;
    }
    const std::size_t room = std::min(data.size(), kMagicSample - magic_sample_.size());
    magic_sample_.insert(magic_sample_.end(), data.begin(),
                         data.begin() + static_cast<std::ptrdiff_t>(room));
    if (magic_sample_.size() >= kMagicSample) lookup_magic();
}

void File::lookup_magic() {
    if (!want_magic_ || magic_done_) return;
    magic_done_ = true;
    ByteSpan sample = inspect_limit_ >= kMagicSample ? ByteSpan(data_) : ByteSpan(magic_sample_);
    sample = sample.first(std::min(sample.size(), kMagicSample));
    if (!sample.empty()) magic_ = ThreadFileContext::get().describe(sample);
    magic_sample_ = {};  // release the sample's memory
}

void File::finish_store() {
    if (!store_) return;
    // A gapped file has no hash to be named by (its store was already dropped); an error
    // leaves nothing worth keeping.
    if (state_ != FileState::error && !sha256_.empty() && store_->commit(sha256_)) {
        stored_ = true;
        file_id_ = ThreadFileContext::get().next_store_id();
    }
    store_.reset();
}

void write_fileinfo(const File& file, std::uint64_t tx_id, output::JsonWriter& out) {
    out.begin_object("fileinfo");
    out.field("filename", file.name());
    if (!file.magic().empty()) out.field("magic", file.magic());
    out.field("gaps", file.gaps());
    out.field("state", state_name(file.state()));
    if (!file.md5().empty()) out.field("md5", file.md5());
    if (!file.sha1().empty()) out.field("sha1", file.sha1());
    if (!file.sha256().empty()) out.field("sha256", file.sha256());
    out.field("stored", file.stored());
    if (file.stored()) out.field("file_id", file.file_id());
    out.field("size", file.size());
    if (const auto& range = file.range()) {
        out.field("start", range->start);
        out.field("end", range->end);
    }
    out.field("tx_id", tx_id);
    out.end_object();
}

}  // namespace tocsin::proto::files
