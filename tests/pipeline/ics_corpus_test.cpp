// Every capture of the industrial corpus (../shared/corpora/ics-captures: ~370 captures of DNP3,
// Modbus, EtherNet/IP, S7, IEC 104, IEC 61850, BACnet, OPC UA and protocols Tocsin does not
// parse) runs through `tocsin run` without a crash. CI runs this test in the ASan+UBSan build too,
// where a memory error aborts the child and fails it. Skipped when the corpus is absent.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "pipeline/harness.h"

namespace tocsin::testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> corpus_captures() {
    const fs::path root =
        fs::path(TOCSIN_SOURCE_DIR) / ".." / "shared" / "corpora" / "ics-captures";
    std::vector<std::string> files;
    std::error_code ec;
    if (!fs::is_directory(root, ec)) return files;
    for (const auto& entry : fs::recursive_directory_iterator(root, ec)) {
        if (!entry.is_regular_file()) continue;
        const std::string ext = entry.path().extension().string();
        if (ext == ".pcap" || ext == ".pcapng" || ext == ".cap")
            files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    return files;
}

TEST(IcsCorpus, EveryCaptureRunsWithoutACrash) {
    const std::vector<std::string> files = corpus_captures();
    if (files.empty()) GTEST_SKIP() << "../shared/corpora/ics-captures not present";
    std::map<std::string, std::size_t> records;  // EVE records per event type, for the log
    std::size_t failed = 0;
    for (const std::string& file : files) {
        TempDir dir;
        const CommandResult r = run_tocsin({"run", "-q", "-r", file, "-l", dir.path().string()});
        const bool sanitizer = r.output.find("Sanitizer") != std::string::npos ||
                               r.output.find("runtime error:") != std::string::npos;
        // Exit 0, or 1 for a capture that is itself broken (message on stderr): never a signal.
        if (r.exit_code < 0 || r.exit_code > 1 || sanitizer) {
            ADD_FAILURE() << file << " (exit " << r.exit_code << "):\n" << r.output;
            ++failed;
            continue;
        }
        for (const auto& e : read_eve(dir.file("eve.json")))
            ++records[e.value("event_type", std::string("?"))];
    }
    std::printf("ics-captures: %zu captures, %zu failed; records:", files.size(), failed);
    for (const auto& [type, n] : records) std::printf(" %s %zu", type.c_str(), n);
    std::printf("\n");
}

}  // namespace
}  // namespace tocsin::testing
