// IEC 61850 GOOSE against two independent references:
// 1. ICSNPP's Zeek goose.log baselines (../shared/corpora/icsnpp/iec61850-goose), for the
//    captures MAPPING.txt names, record by record and field by field;
// 2. tshark's GOOSE dissector over every GOOSE capture of the corpora, frame by frame (header
//    members and the allData values), which also shows the runs end without a crash.
// Both skip when ../shared (or tshark) is absent.
//
// Field mapping, Zeek column -> EVE goose member (docs/eve-schema.md "goose"):
//   src_mac, dst_mac -> src_mac, dest_mac (the record's header)
//   appid "0x1" -> appid 1;  length -> length
//   gocb_ref, dataset, go_id -> gocb_ref, dat_set, go_id
//   time_allowed_to_live, st_num, sq_num, conf_rev, num_dat_set_entries -> the same names
//   timestamp (epoch seconds, 6 decimals) -> time (ISO 8601, microseconds)
//   timestamp_quality "0xa" -> time_quality 10
//   simulation, nds_com "T"/"F" -> simulation, nds_com
//   all_data_hash (sha256 of the allData TLV) -> all_data present (Zeek logs no values)
// Where Zeek lacks a member it writes a default ("-", "(empty)", 0 or F): an EVE record that
// lacks the member agrees with any of those defaults.
#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/harness.h"
#include "pipeline/zeek_log.h"

namespace tocsin::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path corpora() {
    return fs::path(TOCSIN_SOURCE_DIR) / ".." / "shared" / "corpora";
}

struct Tally {
    std::size_t matched = 0;
    std::size_t total = 0;
    std::vector<std::string> examples;
    void add(bool ok, const std::string& what) {
        ++total;
        if (ok)
            ++matched;
        else if (examples.size() < 5)
            examples.push_back(what);
    }
    double percent() const { return total == 0 ? 100.0 : 100.0 * matched / total; }
};

void print(const std::string& title, const std::map<std::string, Tally>& tallies) {
    std::printf("%s\n", title.c_str());
    for (const auto& [field, t] : tallies) {
        std::printf("  %-22s %4zu / %4zu  (%.1f%%)\n", field.c_str(), t.matched, t.total,
                    t.percent());
        for (const auto& e : t.examples) std::printf("      %s\n", e.c_str());
    }
}

std::vector<json> goose_records(const std::string& pcap, const TempDir& dir,
                                int* exit_code = nullptr) {
    const std::string out = dir.file("out-" + std::to_string(std::hash<std::string>{}(pcap)));
    fs::create_directories(out);
    const CommandResult r = run_tocsin({"run", "-r", pcap, "-l", out});
    if (exit_code != nullptr) *exit_code = r.exit_code;
    return of_type(read_eve(out + "/eve.json"), "goose");
}

// "2000-01-02T02:46:11.258166Z" -> "946781171.258166".
std::string epoch_text(const std::string& iso) {
    std::tm tm{};
    int micros = 0;
    if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &micros) != 7)
        return "?";
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%lld.%06d", static_cast<long long>(timegm(&tm)), micros);
    return buf;
}

std::string number_text(const json& g, const char* key) {
    return g.contains(key) ? std::to_string(g[key].get<std::int64_t>()) : std::string();
}

std::string bool_text(const json& g, const char* key) {
    return g.contains(key) ? (g[key].get<bool>() ? "T" : "F") : std::string();
}

std::string string_field(const json& g, const char* key) {
    return g.contains(key) ? g[key].get<std::string>() : std::string();
}

// Zeek's default for a member it did not find: our absence ("") agrees with it.
bool agrees(const std::string& zeek, const std::string& ours,
            std::initializer_list<const char*> defaults = {}) {
    if (zeek == ours) return true;
    if (!ours.empty()) return false;
    for (const char* d : defaults)
        if (zeek == d) return true;
    return false;
}

std::vector<std::pair<std::string, std::string>> mapping(const fs::path& root) {
    std::vector<std::pair<std::string, std::string>> out;
    std::ifstream in(root / "MAPPING.txt");
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        const std::size_t arrow = line.find(" -> ");
        if (arrow == std::string::npos) continue;
        std::string pcap = line.substr(arrow + 4);
        while (!pcap.empty() && (pcap.back() == ' ' || pcap.back() == '\r')) pcap.pop_back();
        if (!pcap.empty()) out.emplace_back(line.substr(0, arrow), pcap);
    }
    return out;
}

TEST(IcsGoose, AgreesWithZeekBaselines) {
    const fs::path root = corpora() / "icsnpp" / "iec61850-goose";
    const auto tests = mapping(root);
    if (tests.empty()) GTEST_SKIP() << "../shared/corpora/icsnpp/iec61850-goose not present";
    TempDir dir;
    std::map<std::string, Tally> t;
    std::size_t logs = 0;
    for (const auto& [test, pcap] : tests) {
        const fs::path log = root / "testing" / "Baseline" / test / "goose.log";
        const fs::path capture = root / "testing" / "Traces" / pcap;
        if (!fs::exists(log) || !fs::exists(capture)) continue;
        ++logs;
        const std::vector<ZeekRow> rows = read_zeek_log(log.string());
        const std::vector<json> records = goose_records(capture.string(), dir);
        t["records"].add(rows.size() == records.size(),
                         test + ": zeek " + std::to_string(rows.size()) + " tocsin " +
                             std::to_string(records.size()));
        for (std::size_t i = 0; i < rows.size() && i < records.size(); ++i) {
            const ZeekRow& z = rows[i];
            const json& e = records[i];
            const json& g = e["goose"];
            auto check = [&](const std::string& field, const std::string& zeek,
                             const std::string& ours,
                             std::initializer_list<const char*> defaults = {}) {
                t[field].add(agrees(zeek, ours, defaults), test + " #" + std::to_string(i) +
                                                               ": zeek '" + zeek + "' tocsin '" +
                                                               ours + "'");
            };
            auto zeek = [&](const char* column) {
                const auto it = z.find(column);
                return it == z.end() ? std::string() : it->second;
            };
            check("src_mac", zeek("src_mac"), e.value("src_mac", ""));
            check("dst_mac", zeek("dst_mac"), e.value("dest_mac", ""));
            char appid[16] = "";
            if (g.contains("appid"))
                std::snprintf(appid, sizeof appid, "0x%x", g["appid"].get<unsigned>());
            check("appid", zeek("appid"), appid);
            check("length", zeek("length"), number_text(g, "length"));
            check("gocb_ref", zeek("gocb_ref"), string_field(g, "gocb_ref"));
            check("dataset", zeek("dataset"), string_field(g, "dat_set"));
            check("go_id", zeek("go_id"), string_field(g, "go_id"));
            check("time_allowed_to_live", zeek("time_allowed_to_live"),
                  number_text(g, "time_allowed_to_live"), {"0"});
            check("timestamp", zeek("timestamp"),
                  g.contains("time") ? epoch_text(g["time"]) : std::string());
            char quality[16] = "";
            if (g.contains("time_quality"))
                std::snprintf(quality, sizeof quality, "0x%x", g["time_quality"].get<unsigned>());
            check("timestamp_quality", zeek("timestamp_quality"), quality);
            check("st_num", zeek("st_num"), number_text(g, "st_num"), {"0"});
            check("sq_num", zeek("sq_num"), number_text(g, "sq_num"), {"0"});
            check("simulation", zeek("simulation"), bool_text(g, "simulation"), {"F"});
            check("conf_rev", zeek("conf_rev"), number_text(g, "conf_rev"), {"0"});
            check("nds_com", zeek("nds_com"), bool_text(g, "nds_com"), {"F"});
            check("num_dat_set_entries", zeek("num_dat_set_entries"),
                  number_text(g, "num_dat_set_entries"), {"0"});
            check("all_data present", zeek("all_data_hash").empty() ? "F" : "T",
                  g.contains("all_data") ? "T" : "F");
        }
    }
    if (logs == 0) GTEST_SKIP() << "no GOOSE baselines found";
    print("GOOSE vs ICSNPP Zeek goose.log (" + std::to_string(logs) + " baselines):", t);
    // Every field of every record agreed when this test was written.
    for (const auto& [field, tally] : t) EXPECT_EQ(tally.matched, tally.total) << field;
}

// tshark's allData: the Data CHOICE numbers in document order (nested ones included) and the
// values of some types; ours rebuilt from the typed EVE values the same way.
struct DataWalk {
    std::vector<std::string> choices, booleans, integers, unsigneds, strings;
};

int choice_number(const std::string& type) {
    static const std::map<std::string, int> kChoices = {
        {"array", 1},          {"structure", 2},       {"boolean", 3},        {"bit-string", 4},
        {"integer", 5},        {"unsigned", 6},        {"floating-point", 7}, {"real", 8},
        {"octet-string", 9},   {"visible-string", 10}, {"binary-time", 12},   {"bcd", 13},
        {"boolean-array", 14}, {"obj-id", 15},         {"mms-string", 16},    {"utc-time", 17}};
    const auto it = kChoices.find(type);
    return it == kChoices.end() ? -1 : it->second;
}

void walk(const json& values, DataWalk& out) {
    for (const json& v : values) {
        const std::string type = v["type"];
        out.choices.push_back(
            std::to_string(type == "unknown" ? v["tag"].get<int>() : choice_number(type)));
        if (v.contains("invalid")) continue;
        if (type == "array" || type == "structure") walk(v["value"], out);
        if (type == "boolean") out.booleans.push_back(v["value"].get<bool>() ? "1" : "0");
        if (type == "integer")
            out.integers.push_back(std::to_string(v["value"].get<std::int64_t>()));
        if (type == "unsigned")
            out.unsigneds.push_back(std::to_string(v["value"].get<std::uint64_t>()));
        if (type == "visible-string") out.strings.push_back(v["value"]);
    }
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) {
        if (!out.empty()) out.push_back('|');
        out += s;
    }
    return out;
}

// tshark writes booleans as "True"/"False" or 1/0 depending on its version.
std::string one_zero(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text.compare(i, 4, "True") == 0) {
            out.push_back('1');
            i += 3;
        } else if (text.compare(i, 5, "False") == 0) {
            out.push_back('0');
            i += 4;
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

std::vector<std::string> goose_captures() {
    std::vector<std::string> files;
    for (const fs::path& dir : {corpora() / "icsnpp" / "iec61850-goose" / "testing" / "Traces",
                                corpora() / "ics-captures" / "IEC61850"}) {
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) continue;
        for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
            const std::string ext = e.path().extension().string();
            if (e.is_regular_file(ec) && (ext == ".pcap" || ext == ".pcapng" || ext == ".cap"))
                files.push_back(e.path().string());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

TEST(IcsGoose, AgreesWithTsharkOnEveryGooseCapture) {
    if (run_command("command -v tshark").exit_code != 0) GTEST_SKIP() << "tshark not installed";
    const auto files = goose_captures();
    if (files.empty()) GTEST_SKIP() << "../shared/corpora GOOSE captures not present";
    TempDir dir;
    std::map<std::string, Tally> t;
    std::size_t with_goose = 0;
    for (const std::string& pcap : files) {
        int exit_code = -1;
        const std::vector<json> records = goose_records(pcap, dir, &exit_code);
        t["runs without a crash"].add(exit_code == 0, pcap);
        std::map<std::uint64_t, const json*> by_frame;
        for (const json& r : records) by_frame[r["pcap_cnt"].get<std::uint64_t>()] = &r;
        const CommandResult ts = run_command(
            "tshark -n -r " + shell_quote(pcap) +
            " -Y goose.goosePdu_element -T fields -E separator=/t -E aggregator='|' -e frame.number"
            " -e goose.appid -e goose.gocbRef -e goose.datSet -e goose.goID -e goose.stNum"
            " -e goose.sqNum -e goose.timeAllowedtoLive -e goose.confRev -e goose.simulation"
            " -e goose.ndsCom -e goose.numDatSetEntries -e goose.Data -e goose.boolean"
            " -e goose.integer -e goose.unsigned -e goose.visible_string -e _ws.malformed"
            " -e _ws.expert.severity 2>/dev/null");
        std::istringstream lines(ts.output);
        bool any = false;
        for (std::string line; std::getline(lines, line);) {
            const std::vector<std::string> f = split_tabs(line);
            if (f.size() < 19 || f[0].empty() || !std::isdigit(static_cast<unsigned char>(f[0][0])))
                continue;
            any = true;
            const std::string where = fs::path(pcap).filename().string() + " frame " + f[0];
            // Frames tshark itself finds malformed (cut short, bad BER) are compared with
            // Zeek's baselines above; tshark shows what it could read of them, Tocsin (like
            // Zeek) reports the frame with an event.
            if (!f[17].empty() || f[18].find("8388608") != std::string::npos) {
                t["malformed (not compared)"].add(true, where);
                continue;
            }
            const auto it = by_frame.find(std::stoull(f[0]));
            t["frames logged"].add(it != by_frame.end(), where);
            if (it == by_frame.end()) continue;
            const json& g = (*it->second)["goose"];
            auto check = [&](const std::string& field, const std::string& theirs,
                             const std::string& ours) {
                t[field].add(theirs == ours,
                             where + ": tshark '" + theirs + "' tocsin '" + ours + "'");
            };
            check("appid", f[1].empty() ? "" : std::to_string(std::stoul(f[1], nullptr, 16)),
                  number_text(g, "appid"));
            check("gocbRef", f[2], string_field(g, "gocb_ref"));
            check("datSet", f[3], string_field(g, "dat_set"));
            check("goID", f[4], string_field(g, "go_id"));
            check("stNum", f[5], number_text(g, "st_num"));
            check("sqNum", f[6], number_text(g, "sq_num"));
            check("timeAllowedtoLive", f[7], number_text(g, "time_allowed_to_live"));
            check("confRev", f[8], number_text(g, "conf_rev"));
            auto flag = [](const std::string& s) { return s == "1" || s == "True" ? "T" : "F"; };
            check("simulation", f[9].empty() ? "" : flag(f[9]), bool_text(g, "simulation"));
            check("ndsCom", f[10].empty() ? "" : flag(f[10]), bool_text(g, "nds_com"));
            check("numDatSetEntries", f[11], number_text(g, "num_dat_set_entries"));
            DataWalk ours;
            if (g.contains("all_data")) walk(g["all_data"], ours);
            check("allData choices", f[12], join(ours.choices));
            check("allData booleans", one_zero(f[13]), join(ours.booleans));
            check("allData integers", f[14], join(ours.integers));
            check("allData unsigned", f[15], join(ours.unsigneds));
            check("allData visible", f[16], join(ours.strings));
        }
        if (any) ++with_goose;
    }
    print("GOOSE vs tshark (" + std::to_string(files.size()) + " captures, " +
              std::to_string(with_goose) + " with GOOSE):",
          t);
    EXPECT_GE(with_goose, 1u);
    // Every frame and field agreed when this test was written.
    for (const auto& [field, tally] : t) EXPECT_EQ(tally.matched, tally.total) << field;
}

}  // namespace
}  // namespace tocsin::testing
