// File tracking: hashes, magic, gaps, filestore, truncation, the inspection window and the
// EVE fileinfo object. Digests below were computed independently with python3 hashlib
// (hashlib.md5/sha1/sha256(data).hexdigest()); magic strings with `file -b` on the same bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/config.h"
#include "output/json_writer.h"
#include "proto/files/files.h"

namespace tocsin::proto::files {
namespace {

namespace fs = std::filesystem;

ByteSpan bytes(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

std::string as_string(ByteSpan data) {
    return {data.begin(), data.end()};
}

constexpr std::string_view kFox = "The quick brown fox jumps over the lazy dog";
// python3: hashlib.*(b'The quick brown fox jumps over the lazy dog').hexdigest()
constexpr std::string_view kFoxMd5 = "9e107d9d372bb6826bd81d3542a419d6";
constexpr std::string_view kFoxSha1 = "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12";
constexpr std::string_view kFoxSha256 =
    "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592";
// python3: hashlib.sha256(b'The quick brown fox').hexdigest()
constexpr std::string_view kFoxPrefixSha256 =
    "5cac4f980fedc3d3f1f99b4be3472c9b30d56523e632d151237ec9309048bda9";

FileOptions no_extras() {
    FileOptions options;
    options.magic = false;
    return options;
}

nlohmann::json fileinfo_json(const File& file, std::uint64_t tx_id) {
    std::string text;
    output::JsonWriter writer(text);
    writer.begin_object();
    write_fileinfo(file, tx_id, writer);
    writer.end_object();
    return nlohmann::json::parse(text).at("fileinfo");
}

// A fresh directory under the system temp dir, removed with its contents afterwards.
class TempDir {
  public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "tocsin-files-XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::size_t count_files(const fs::path& dir) {
    std::size_t n = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (entry.is_regular_file()) ++n;
    }
    return n;
}

TEST(File, HashesOfCompleteFileAppendedInPieces) {
    File file("fox.txt", no_extras());
    file.append(bytes(kFox.substr(0, 10)));
    file.append(bytes(kFox.substr(10, 1)));
    file.append(bytes(kFox.substr(11)));
    EXPECT_EQ(file.state(), FileState::open);
    EXPECT_TRUE(file.sha256().empty());  // only known once closed
    file.close(FileState::closed);
    EXPECT_EQ(file.state(), FileState::closed);
    EXPECT_EQ(file.size(), 43U);
    EXPECT_FALSE(file.gaps());
    EXPECT_EQ(file.md5(), kFoxMd5);
    EXPECT_EQ(file.sha1(), kFoxSha1);
    EXPECT_EQ(file.sha256(), kFoxSha256);
}

TEST(File, HashesOfEmptyFile) {
    File file("empty", no_extras());
    file.close(FileState::closed);
    // python3: hashlib.*(b'').hexdigest()
    EXPECT_EQ(file.md5(), "d41d8cd98f00b204e9800998ecf8427e");
    EXPECT_EQ(file.sha1(), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    EXPECT_EQ(file.sha256(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(file.size(), 0U);
}

TEST(File, HashesOfLargerFile) {
    std::vector<std::uint8_t> data;
    for (int round = 0; round < 40; ++round) {
        for (int b = 0; b < 256; ++b) data.push_back(static_cast<std::uint8_t>(b));
    }
    File file("big", no_extras());
    ByteSpan rest(data);
    while (!rest.empty()) {  // uneven chunks
        const std::size_t n = std::min<std::size_t>(rest.size(), 1000);
        file.append(rest.first(n));
        rest = rest.subspan(n);
    }
    file.close(FileState::closed);
    // python3: hashlib.*(bytes(range(256)) * 40).hexdigest()
    EXPECT_EQ(file.md5(), "c3cd26e07e555c0116db237fbc06d99c");
    EXPECT_EQ(file.sha1(), "36812e99f2d591c5114a7b09519ea9d7daba2380");
    EXPECT_EQ(file.sha256(), "e96760a87768717bcebcfd25ddc7d46b4dbc95a4b0014def080c08539f7d90d0");
    EXPECT_EQ(file.size(), 10240U);
}

TEST(File, HashesDisabled) {
    FileOptions options = no_extras();
    options.digests = {};
    File file("fox", options);
    file.append(bytes(kFox));
    file.close(FileState::closed);
    EXPECT_TRUE(file.md5().empty());
    EXPECT_TRUE(file.sha1().empty());
    EXPECT_TRUE(file.sha256().empty());
}

TEST(File, OnlyTheDigestsAskedForAreComputed) {
    for (const applayer::FileDigests digests :
         {applayer::FileDigests{.md5 = true}, applayer::FileDigests{.sha1 = true},
          applayer::FileDigests{.sha256 = true},
          applayer::FileDigests{.md5 = true, .sha256 = true}}) {
        FileOptions options = no_extras();
        options.digests = digests;
        File file("fox", options);
        file.append(bytes(kFox));
        file.close(FileState::closed);
        EXPECT_EQ(file.md5(), digests.md5 ? kFoxMd5 : "");
        EXPECT_EQ(file.sha1(), digests.sha1 ? kFoxSha1 : "");
        EXPECT_EQ(file.sha256(), digests.sha256 ? kFoxSha256 : "");
        const nlohmann::json info = fileinfo_json(file, 0);
        EXPECT_EQ(info.contains("md5"), digests.md5);
        EXPECT_EQ(info.contains("sha1"), digests.sha1);
        EXPECT_EQ(info.contains("sha256"), digests.sha256);
    }
}

TEST(FileDigests, ForceHashSetting) {
    using applayer::FileDigests;
    EXPECT_EQ(FileDigests::from_force_hash("no"), FileDigests{});
    EXPECT_EQ(FileDigests::from_force_hash("yes"), FileDigests::all());
    EXPECT_EQ(FileDigests::from_force_hash("md5"), FileDigests{.md5 = true});
    // A YAML list [sha256, md5] arrives flattened; --set may keep the brackets and spaces.
    EXPECT_EQ(FileDigests::from_force_hash("sha256,md5"),
              (FileDigests{.md5 = true, .sha256 = true}));
    EXPECT_EQ(FileDigests::from_force_hash("[sha1, sha256]"),
              (FileDigests{.sha1 = true, .sha256 = true}));
    EXPECT_EQ(FileDigests::from_force_hash(""), FileDigests{});
    EXPECT_THROW(FileDigests::from_force_hash("md5,sha512"), ConfigError);
}

TEST(File, TruncatedKeepsOnlySha256OfWhatWasSeen) {
    File file("fox", no_extras());
    file.append(bytes(kFox.substr(0, 19)));
    file.close(FileState::truncated);
    EXPECT_EQ(file.state(), FileState::truncated);
    EXPECT_EQ(file.size(), 19U);
    EXPECT_TRUE(file.md5().empty());
    EXPECT_TRUE(file.sha1().empty());
    EXPECT_EQ(file.sha256(), kFoxPrefixSha256);
}

TEST(File, GapDropsHashesCountsSizeAndTruncates) {
    File file("gappy", no_extras());
    file.append(bytes("abcd"));
    file.gap(10);
    file.append(bytes("efgh"));
    file.close(FileState::closed);  // cannot be complete with a hole
    EXPECT_TRUE(file.gaps());
    EXPECT_EQ(file.state(), FileState::truncated);
    EXPECT_EQ(file.size(), 18U);
    EXPECT_TRUE(file.md5().empty());
    EXPECT_TRUE(file.sha1().empty());
    EXPECT_TRUE(file.sha256().empty());
    // file.data stays the contiguous start: bytes after the hole are not glued on.
    EXPECT_EQ(as_string(file.data()), "abcd");
}

TEST(File, ErrorStateHasNoHashes) {
    File file("bad", no_extras());
    file.append(bytes(kFox));
    file.close(FileState::error);
    EXPECT_EQ(file.state(), FileState::error);
    EXPECT_TRUE(file.sha256().empty());
}

TEST(File, CloseIsFinal) {
    File file("fox", no_extras());
    file.append(bytes(kFox));
    file.close(FileState::closed);
    file.append(bytes("more"));
    file.gap(5);
    file.close(FileState::truncated);
    EXPECT_EQ(file.state(), FileState::closed);
    EXPECT_EQ(file.size(), 43U);
    EXPECT_FALSE(file.gaps());
    EXPECT_EQ(file.sha256(), kFoxSha256);
}

TEST(File, InspectionWindowIsBounded) {
    FileOptions options = no_extras();
    options.inspect_limit = 10;
    File file("fox", options);
    file.append(bytes(kFox.substr(0, 4)));
    file.append(bytes(kFox.substr(4)));
    EXPECT_EQ(as_string(file.data()), "The quick ");
    EXPECT_EQ(file.size(), 43U);
    file.close(FileState::closed);
    EXPECT_EQ(file.sha256(), kFoxSha256);  // hashes cover the whole file, not the window
}

TEST(File, InspectionWindowCanBeEmpty) {
    FileOptions options = no_extras();
    options.inspect_limit = 0;
    File file("fox", options);
    file.append(bytes(kFox));
    EXPECT_TRUE(file.data().empty());
}

// 1x1 RGBA PNG: signature and IHDR chunk (PNG spec 5.2, 11.2.2).
constexpr std::string_view kPng(
    "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    "\x1f\x15\xc4\x89",
    33);

TEST(File, MagicOfPng) {
    FileOptions options;
    File file("pixel.png", options);
    file.append(bytes(kPng.substr(0, 5)));  // split inside the signature
    file.append(bytes(kPng.substr(5)));
    EXPECT_TRUE(file.magic().empty());  // under a full sample: decided at close
    file.close(FileState::closed);
    // file -b on the same 33 bytes
    EXPECT_EQ(file.magic(), "PNG image data, 1 x 1, 8-bit/color RGBA, non-interlaced");
}

TEST(File, MagicOfPdfWithSmallWindow) {
    FileOptions options;
    options.inspect_limit = 4;  // magic keeps its own sample when the window is too small
    File file("doc.pdf", options);
    file.append(bytes("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"));
    file.close(FileState::closed);
    EXPECT_EQ(file.magic(), "PDF document, version 1.4");  // file -b on the same bytes
    EXPECT_EQ(as_string(file.data()), "%PDF");
}

TEST(File, MagicDecidedOnceSampleIsFull) {
    std::string content = "%PDF-1.7\n";
    content.append(5000, ' ');
    File file("doc.pdf", FileOptions{});
    file.append(bytes(content));
    EXPECT_EQ(file.magic(), "PDF document, version 1.7");  // before close
}

TEST(File, MagicDisabled) {
    File file("pixel.png", no_extras());
    file.append(bytes(kPng));
    file.close(FileState::closed);
    EXPECT_TRUE(file.magic().empty());
}

TEST(File, MovedFileKeepsItsState) {
    File first("fox", no_extras());
    first.append(bytes(kFox.substr(0, 20)));
    File second = std::move(first);
    second.append(bytes(kFox.substr(20)));
    second.close(FileState::closed);
    EXPECT_EQ(second.name(), "fox");
    EXPECT_EQ(second.sha256(), kFoxSha256);
}

TEST(Filestore, ClosedFileStoredUnderSha256) {
    TempDir dir;
    FileOptions options = no_extras();
    options.store_dir = dir.path().string();
    options.inspect_limit = 5;  // the stored copy is not bounded by the window
    File file("fox", options);
    file.append(bytes(kFox.substr(0, 7)));
    file.append(bytes(kFox.substr(7)));
    EXPECT_FALSE(file.stored());
    file.close(FileState::closed);
    ASSERT_TRUE(file.stored());
    EXPECT_GE(file.file_id(), 1U);
    const fs::path expected = dir.path() / kFoxSha256.substr(0, 2) / std::string(kFoxSha256);
    ASSERT_TRUE(fs::exists(expected));
    EXPECT_EQ(read_file(expected), kFox);
    EXPECT_EQ(count_files(dir.path()), 1U);  // the temporary file was moved, not copied
}

TEST(Filestore, StoredFilesNumberedInOrder) {
    TempDir dir;
    FileOptions options = no_extras();
    options.store_dir = dir.path().string();
    File first("one", options);
    File second("two", options);
    second.append(bytes("two"));
    first.append(bytes("one"));
    second.close(FileState::closed);  // numbered when stored, not when created
    first.close(FileState::closed);
    ASSERT_TRUE(first.stored());
    ASSERT_TRUE(second.stored());
    EXPECT_EQ(first.file_id(), second.file_id() + 1);
    EXPECT_EQ(count_files(dir.path()), 2U);
}

TEST(Filestore, StoresSha256EvenWithoutHashLogging) {
    TempDir dir;
    FileOptions options = no_extras();
    options.digests = {};
    options.store_dir = dir.path().string();
    File file("fox", options);
    file.append(bytes(kFox));
    file.close(FileState::closed);
    EXPECT_TRUE(file.stored());
    EXPECT_TRUE(file.md5().empty());
    EXPECT_EQ(file.sha256(), kFoxSha256);
    EXPECT_TRUE(fs::exists(dir.path() / "d7" / std::string(kFoxSha256)));
}

TEST(Filestore, TruncatedFileStoredUnderHashOfItsBytes) {
    TempDir dir;
    FileOptions options = no_extras();
    options.store_dir = dir.path().string();
    File file("fox", options);
    file.append(bytes(kFox.substr(0, 19)));
    file.close(FileState::truncated);
    EXPECT_TRUE(file.stored());
    const fs::path expected = dir.path() / "5c" / std::string(kFoxPrefixSha256);
    EXPECT_EQ(read_file(expected), "The quick brown fox");
}

TEST(Filestore, GappedFileIsNotStored) {
    TempDir dir;
    FileOptions options = no_extras();
    options.store_dir = dir.path().string();
    File file("gappy", options);
    file.append(bytes("abcd"));
    file.gap(3);
    file.append(bytes("efgh"));
    file.close(FileState::truncated);
    EXPECT_FALSE(file.stored());
    EXPECT_EQ(count_files(dir.path()), 0U);
}

TEST(Filestore, UnfinishedFileLeavesNothing) {
    TempDir dir;
    FileOptions options = no_extras();
    options.store_dir = dir.path().string();
    {
        File file("fox", options);
        file.append(bytes(kFox));
        EXPECT_EQ(count_files(dir.path()), 1U);  // the temporary copy while open
    }
    EXPECT_EQ(count_files(dir.path()), 0U);
}

TEST(Filestore, ErrorFileIsNotStored) {
    TempDir dir;
    FileOptions options = no_extras();
    options.store_dir = dir.path().string();
    File file("fox", options);
    file.append(bytes(kFox));
    file.close(FileState::error);
    EXPECT_FALSE(file.stored());
    EXPECT_EQ(count_files(dir.path()), 0U);
}

TEST(Filestore, UnwritableDirectoryIsNotStored) {
    TempDir dir;
    const fs::path blocker = dir.path() / "plain-file";
    std::ofstream(blocker) << "x";
    FileOptions options = no_extras();
    options.store_dir = (blocker / "store").string();  // a path through a regular file
    File file("fox", options);
    file.append(bytes(kFox));
    file.close(FileState::closed);
    EXPECT_FALSE(file.stored());
    EXPECT_EQ(file.sha256(), kFoxSha256);
}

TEST(FileOptions, FromAppLimits) {
    applayer::AppLimits limits;
    limits.request_body_limit = 1000;
    limits.response_body_limit = 5000;
    limits.filestore_dir = "/var/store";
    limits.file_digests = {.sha1 = true};
    limits.file_magic = false;
    const FileOptions options = FileOptions::from(limits);
    EXPECT_EQ(options.inspect_limit, 5000U);
    EXPECT_EQ(options.store_dir, "/var/store");
    EXPECT_EQ(options.digests, applayer::FileDigests{.sha1 = true});
    EXPECT_FALSE(options.magic);

    limits.request_body_limit = 0;
    limits.response_body_limit = 0;  // Suricata's "unlimited": keep the default bound
    EXPECT_EQ(FileOptions::from(limits).inspect_limit, FileOptions{}.inspect_limit);
}

TEST(Fileinfo, ClosedFileRecord) {
    TempDir dir;
    FileOptions options;
    options.store_dir = dir.path().string();
    File file("pixel.png", options);
    file.append(bytes(kPng));
    file.close(FileState::closed);
    const nlohmann::json info = fileinfo_json(file, 3);
    EXPECT_EQ(info.at("filename"), "pixel.png");
    EXPECT_EQ(info.at("magic"), "PNG image data, 1 x 1, 8-bit/color RGBA, non-interlaced");
    EXPECT_EQ(info.at("gaps"), false);
    EXPECT_EQ(info.at("state"), "CLOSED");
    EXPECT_EQ(info.at("md5"), file.md5());
    EXPECT_EQ(info.at("sha1"), file.sha1());
    EXPECT_EQ(info.at("sha256"), file.sha256());
    EXPECT_EQ(info.at("md5").get<std::string>().size(), 32U);
    EXPECT_EQ(info.at("sha1").get<std::string>().size(), 40U);
    EXPECT_EQ(info.at("sha256").get<std::string>().size(), 64U);
    EXPECT_EQ(info.at("stored"), true);
    EXPECT_GE(info.at("file_id").get<std::uint64_t>(), 1U);
    EXPECT_EQ(info.at("size"), 33);
    EXPECT_EQ(info.at("tx_id"), 3);
    EXPECT_FALSE(info.contains("start"));
}

TEST(Fileinfo, ExactFoxRecord) {
    File file("fox.txt", no_extras());
    file.append(bytes(kFox));
    file.close(FileState::closed);
    const nlohmann::json expected = {
        {"filename", "fox.txt"}, {"gaps", false},    {"state", "CLOSED"},
        {"md5", kFoxMd5},        {"sha1", kFoxSha1}, {"sha256", kFoxSha256},
        {"stored", false},       {"size", 43},       {"tx_id", 0},
    };
    EXPECT_EQ(fileinfo_json(file, 0), expected);
}

TEST(Fileinfo, GappedTruncatedRecord) {
    File file("a\"b", no_extras());  // a name that needs escaping
    file.append(bytes("abcd"));
    file.gap(66);
    file.close(FileState::truncated);
    const nlohmann::json expected = {
        {"filename", "a\"b"}, {"gaps", true}, {"state", "TRUNCATED"},
        {"stored", false},    {"size", 70},   {"tx_id", 2},
    };
    EXPECT_EQ(fileinfo_json(file, 2), expected);
}

TEST(Fileinfo, RangeAndOpenState) {
    File file("part", no_extras());
    file.set_range(500, 1000);
    file.append(bytes("xyz"));
    const nlohmann::json info = fileinfo_json(file, 1);
    EXPECT_EQ(info.at("state"), "UNKNOWN");
    EXPECT_EQ(info.at("start"), 500);
    EXPECT_EQ(info.at("end"), 1000);
    EXPECT_FALSE(info.contains("sha256"));
}

TEST(Fileinfo, StateNames) {
    EXPECT_EQ(state_name(FileState::closed), "CLOSED");
    EXPECT_EQ(state_name(FileState::truncated), "TRUNCATED");
    EXPECT_EQ(state_name(FileState::error), "ERROR");
    EXPECT_EQ(state_name(FileState::open), "UNKNOWN");
}

}  // namespace
}  // namespace tocsin::proto::files
