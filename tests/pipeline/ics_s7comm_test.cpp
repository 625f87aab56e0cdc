// Tocsin's EVE `s7comm` records against tshark's S7comm dissector on the captures in
// ../shared/corpora/ics-captures/s7 (pcap and pcapng), message by message. Skipped when
// tshark or the corpus is absent.
//
// Field mapping (tshark field -> Tocsin EVE, per S7comm PDU; a Tocsin record holds the
// request and the response of one exchange, each message object counts as one PDU):
//
// | tshark                          | Tocsin EVE `s7comm`                                   |
// |---------------------------------|-------------------------------------------------------|
// | s7comm.header.rosctr            | <message>.rosctr_code                                 |
// | s7comm.header.pduref            | <message>.pdu_ref                                     |
// | s7comm.param.func               | <message>.function_code (job / ack_data)              |
// | s7comm.param.itemcount          | <message>.item_count                                  |
// | s7comm.data.userdata.szl_id     | <message>.userdata.szl_id                             |
// | s7comm.param.item.area/db/      | items[].area_code, .db (DB/DI areas; tshark's db of   |
// |   address (raw 24-bit)          |   other areas is normalised to 0), .address "byte.bit"|
// |                                 |   (byte * 8 + bit) or "n" for timers/counters         |
//
// Each field is compared per capture as a multiset of keys: a key agrees as often as both
// tools report it. Captures are read mid-stream (several start after the handshake) with
// checksums off (several were taken with offloading).
//
// Known difference: in S7Comm/s7comm_clean.pcap twelve ack_data responses sit in segments
// tshark flags "TCP Spurious Retransmission" (the receiver had acknowledged the sequence
// range, but the original segment is not in the capture, so they are the only copy): tshark
// does not dissect them, Tocsin's reassembly fills the hole with them and pairs each with its
// job. They are the only Tocsin-only keys (rosctr/pdu_ref/function and item counts).
//
// S7comm-plus: this tshark has no dissector for it; the number of S7comm-plus messages
// Tocsin logs is compared with the number of COTP DT TPDUs whose data starts with 0x72
// (counted by tshark's COTP dissector).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/harness.h"

namespace tocsin::testing {
namespace {

using Multiset = std::map<std::string, std::size_t>;

const std::filesystem::path kCorpus =
    std::filesystem::path(TOCSIN_SOURCE_DIR) / "../shared/corpora/ics-captures/s7";

struct Tally {
    std::size_t tshark = 0;
    std::size_t tocsin = 0;
    std::size_t common = 0;
    std::vector<std::string> examples;

    void add(const Multiset& theirs, const Multiset& ours, const std::string& pcap) {
        for (const auto& [value, n] : theirs) {
            tshark += n;
            const auto it = ours.find(value);
            const std::size_t both = it == ours.end() ? 0 : std::min(n, it->second);
            common += both;
            if (both < n && examples.size() < 15)
                examples.push_back("tshark only: " + value + " x" + std::to_string(n - both) +
                                   " in " + pcap);
        }
        for (const auto& [value, n] : ours) {
            tocsin += n;
            const auto it = theirs.find(value);
            const std::size_t theirs_n = it == theirs.end() ? 0 : it->second;
            if (theirs_n < n && examples.size() < 30)
                examples.push_back("tocsin only: " + value + " x" + std::to_string(n - theirs_n) +
                                   " in " + pcap);
        }
    }
    double agreement() const {
        const std::size_t larger = std::max(tshark, tocsin);
        return larger == 0 ? 100.0
                           : 100.0 * static_cast<double>(common) / static_cast<double>(larger);
    }
};

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    std::istringstream in(s);
    while (std::getline(in, cur, sep)) out.push_back(cur);
    return out;
}

unsigned long number(const std::string& s) {
    return std::stoul(s, nullptr, 0);
}

struct Keys {
    Multiset header, items, counts, szl, plus;
};

// tshark: one line per frame, fields separated by '|', repeated values by ','.
Keys tshark_keys(const std::string& pcap) {
    Keys k;
    const auto r = run_command(
        "{ tshark -n -r " + shell_quote(pcap) +
        " -o tcp.check_checksum:FALSE -Y s7comm -T fields -E separator='|' -E occurrence=a"
        " -E aggregator=, -e s7comm.header.rosctr -e s7comm.header.pduref -e s7comm.param.func"
        " -e s7comm.param.itemcount -e s7comm.data.userdata.szl_id -e s7comm.param.item.area"
        " -e s7comm.param.item.db -e s7comm.param.item.address 2>/dev/null; }");
    for (const std::string& line : split(r.output, '\n')) {
        if (line.empty()) continue;
        auto f = split(line, '|');
        f.resize(8);
        const auto rosctr = split(f[0], ',');
        const auto pduref = split(f[1], ',');
        const auto func = split(f[2], ',');
        const auto counts = split(f[3], ',');
        // Several PDUs in one frame: the header lists zip; a function only when it is
        // unambiguous which PDU it belongs to.
        for (std::size_t i = 0; i < rosctr.size() && i < pduref.size(); ++i) {
            std::string fn;
            if (func.size() == rosctr.size()) fn = std::to_string(number(func[i]));
            k.header[rosctr[i] + "/" + pduref[i] + "/" + fn]++;
        }
        for (const auto& c : counts) k.counts[c]++;
        for (const auto& s : split(f[4], ',')) k.szl[std::to_string(number(s))]++;
        const auto area = split(f[5], ',');
        const auto db = split(f[6], ',');
        const auto address = split(f[7], ',');
        for (std::size_t i = 0; i < area.size() && i < db.size() && i < address.size(); ++i) {
            const unsigned long a = number(area[i]);
            const unsigned long d = (a == 0x84 || a == 0x85) ? number(db[i]) : 0;
            k.items[std::to_string(a) + "/" + std::to_string(d) + "/" +
                    std::to_string(number(address[i]))]++;
        }
    }
    // COTP DT TPDUs whose data starts with the S7comm-plus protocol id: payload octet 7
    // after TPKT (4) and the class 0 DT header (3), one per frame (the corpus has no frame
    // carrying two).
    const auto plus =
        run_command("{ tshark -n -r " + shell_quote(pcap) +
                    " -o tcp.check_checksum:FALSE -Y 'cotp.type == 0x0f && tcp.len > 8 && "
                    "tcp.payload[7] == 0x72' -T fields -e frame.number 2>/dev/null; }");
    for (const std::string& line : split(plus.output, '\n'))
        if (!line.empty()) k.plus["s7comm-plus"]++;
    return k;
}

void add_message(const nlohmann::json& m, Keys& k) {
    const std::string fn = m.contains("function_code")
                               ? std::to_string(m["function_code"].get<unsigned>())
                               : std::string();
    k.header[std::to_string(m.value("rosctr_code", 0u)) + "/" +
             std::to_string(m.value("pdu_ref", 0u)) + "/" + fn]++;
    if (m.contains("item_count")) k.counts[std::to_string(m["item_count"].get<unsigned>())]++;
    // Cyclic data subscriptions count their items in the userdata (tshark: param.itemcount).
    if (m.contains("userdata") && m["userdata"].contains("item_count"))
        k.counts[std::to_string(m["userdata"]["item_count"].get<unsigned>())]++;
    if (m.contains("userdata") && m["userdata"].contains("szl_id"))
        k.szl[std::to_string(m["userdata"]["szl_id"].get<unsigned>())]++;
}

// One run per capture: several captures share addresses and ports, and one run over all of
// them would join their flows.
Keys tocsin_keys(const std::string& pcap) {
    TempDir dir;
    const auto r = run_tocsin({"run", "-q", "-k", "none", "--set", "stream.midstream=true", "-l",
                               dir.path().string(), "-r", pcap});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    Keys k;
    for (const auto& e : of_type(read_eve(dir.file("eve.json")), "s7comm")) {
        const auto& s = e["s7comm"];
        if (s.contains("s7comm_plus")) {
            for (const auto& [role, m] : s["s7comm_plus"].items()) {
                (void)role;
                (void)m;
                k.plus["s7comm-plus"]++;
            }
            continue;
        }
        for (const char* role : {"request", "response", "push"})
            if (s.contains(role)) add_message(s[role], k);
        if (!s.contains("items")) continue;
        for (const auto& item : s["items"]) {
            if (!item.contains("area_code") || !item.contains("address")) continue;
            const unsigned area = item["area_code"].get<unsigned>();
            const std::string address = item["address"].get<std::string>();
            const auto dot = address.find('.');
            const unsigned long raw =
                dot == std::string::npos
                    ? std::stoul(address)
                    : std::stoul(address.substr(0, dot)) * 8 + std::stoul(address.substr(dot + 1));
            k.items[std::to_string(area) + "/" + std::to_string(item.value("db", 0u)) + "/" +
                    std::to_string(raw)]++;
        }
    }
    return k;
}

std::vector<std::string> captures() {
    std::vector<std::string> files;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(kCorpus, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        const auto ext = it->path().extension().string();
        if (ext == ".pcap" || ext == ".pcapng") files.push_back(it->path().string());
    }
    std::sort(files.begin(), files.end());
    return files;
}

TEST(IcsS7comm, AgreesWithTshark) {
    if (run_command("command -v tshark").exit_code != 0) GTEST_SKIP() << "tshark not installed";
    const auto files = captures();
    if (files.empty()) GTEST_SKIP() << "../shared/corpora/ics-captures/s7 not present";
    Tally header, items, counts, szl, plus;
    for (const auto& pcap : files) {
        const Keys theirs = tshark_keys(pcap);
        const Keys mine = tocsin_keys(pcap);
        const std::string name = std::filesystem::path(pcap).filename().string();
        header.add(theirs.header, mine.header, name);
        items.add(theirs.items, mine.items, name);
        counts.add(theirs.counts, mine.counts, name);
        szl.add(theirs.szl, mine.szl, name);
        plus.add(theirs.plus, mine.plus, name);
    }
    const auto report = [](const char* what, const Tally& t) {
        std::printf("s7comm %-28s tshark %6zu tocsin %6zu common %6zu agreement %6.2f%%\n", what,
                    t.tshark, t.tocsin, t.common, t.agreement());
        for (const auto& e : t.examples) std::printf("    %s\n", e.c_str());
    };
    report("rosctr/pdu_ref/function", header);
    report("items area/db/address", items);
    report("item counts", counts);
    report("szl ids", szl);
    report("s7comm-plus messages", plus);
    EXPECT_GT(header.tshark, 1000u);
    EXPECT_GE(header.agreement(), 99.9);
    EXPECT_GE(items.agreement(), 99.9);
    EXPECT_GE(counts.agreement(), 99.9);
    EXPECT_GE(szl.agreement(), 99.9);
    EXPECT_GE(plus.agreement(), 99.9);
}

}  // namespace
}  // namespace tocsin::testing
