// Tocsin's EtherNet/IP against independent references, skipped when ../shared is absent:
//
// 1. ICSNPP's Zeek logs (cisagov/icsnpp-enip baselines in ../shared/corpora/icsnpp/enip, the
//    captures named by its MAPPING.txt), field by field, through this mapping:
//
// | Zeek log (columns from the     | column                 | Tocsin EVE `enip` | |  package's
// main.zeek records)  |                        |                                        |
// |--------------------------------|------------------------|----------------------------------------|
// | enip.log: one row per          | is_orig                | T: request (sent by the client), | |
// encapsulation message         |                        |  F: response                           |
// |                                | enip_command_code      | <side>.command via kCommands (ODVA |
// |                                |                        |  Vol 2 table 2-3.2) | | | length |
// <side>.length                          | |                                | session_handle |
// <side>.session as 0x%08x               | |                                | enip_status |
// <side>.status via kStatuses            | |                                | sender_context | "0x"
// + <side>.sender_context           | |                                | options                |
// <side>.options as 0x%08x (absent: 0)   | | cip.log: one row per CIP       | direction | request /
// response side                | |  message: the data item's,     | cip_sequence_count     |
// <side>.cip.sequence (the parent's for  | |  then each one a Multiple      | |  embedded messages)
// | |  Service Packet carries        | cip_service_code       | cip.service_code (0x%02x) | | |
// cip_status_code        | cip.status_code (responses)            | | | class_id               |
// first path segment "class"             | |                                | instance_id | first
// path segment "instance"          | |                                | attribute_id           |
// first path segment "attribute"         | | cip_identity.log               | encapsulation_version
// | response.identity.protocol_version     | |                                | socket_address /
// _port | identity.socket_address / socket_port  | |                                | vendor_id,
// vendor_name | identity.vendor_code, identity.vendor_id| |                                |
// device_type_id / _name | identity.device_type_code / device_type| | | product_code, revision |
// identity.product_code, identity.revision| |                                | device_status |
// identity.status as 0x%04x              | |                                | serial_number |
// identity.serial as 0x%08x              | |                                | product_name |
// identity.product_name                  | |                                | device_state |
// identity.state as 0x%04x               | | cip_io.log: one row per class  | connection_id |
// io.connection_id as 0x%08x             | |  0/1 I/O datagram              | sequence_number |
// io.sequence                            | |                                | data_length, io_data
// | io.length, io.data                     |
//
//    Rows are compared in order within each connection and direction (the baselines' times
//    are masked).
//
// 2. The Quickdraw rules (../shared/corpora/quickdraw/Suricata/enip-rules): all load, and each
//    CL5000EIP capture fires the rule its name describes (the table in QuickdrawCaptures).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness.h"
#include "zeek_log.h"

namespace tocsin::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kShared = fs::path(TOCSIN_SOURCE_DIR) / ".." / "shared" / "corpora";

// Encapsulation commands by Suricata's name (ODVA Vol 2 table 2-3.2).
const std::map<std::string, unsigned> kCommands{
    {"nop", 0x00},
    {"list_services", 0x04},
    {"list_identity", 0x63},
    {"list_interfaces", 0x64},
    {"register_session", 0x65},
    {"unregister_session", 0x66},
    {"send_rr_data", 0x6F},
    {"send_unit_data", 0x70},
    {"indicate_status", 0x72},
    {"cancel", 0x73},
};
// Encapsulation status: Suricata's name -> ICSNPP's (consts.zeek enip_statuses).
const std::map<std::string, std::string> kStatuses{
    {"success", "Success"},
    {"invalid_cmd", "Invalid Command"},
    {"no_resources", "Insufficient Memory"},
    {"incorrect_data", "Incorrect Data"},
    {"invalid_session", "Invalid Session Handle"},
    {"invalid_length", "Invalid Length"},
    {"unsupported_prot_rev", "Unsupported Protocol Version"},
};

std::string hexfmt(const char* format, std::uint64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, format, static_cast<unsigned long long>(v));
    return buf;
}

using Row = std::map<std::string, std::string>;
// Rows per (connection, direction): "orig_h orig_p resp_h resp_p T|F".
using Groups = std::map<std::string, std::vector<Row>>;

std::string key_of(const std::string& oh, const std::string& op, const std::string& rh,
                   const std::string& rp, bool orig) {
    return oh + " " + op + " " + rh + " " + rp + (orig ? " T" : " F");
}

// Zeek's columns, the ICSNPP version of the baselines (is_orig and the source/destination
// pairs after the conn id).
const std::vector<std::string> kConn{"ts",      "uid",   "orig_h", "orig_p", "resp_h", "resp_p",
                                     "is_orig", "src_h", "src_p",  "dst_h",  "dst_p"};

std::vector<Row> read_headerless(const fs::path& path, std::vector<std::string> columns) {
    std::vector<std::string> all = kConn;
    all.insert(all.end(), columns.begin(), columns.end());
    std::vector<Row> rows;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line.front() == '#') continue;
        const auto values = split_tabs(line);
        Row row;
        for (std::size_t i = 0; i < all.size() && i < values.size(); ++i)
            row[all[i]] = values[i] == "-" ? "" : values[i];
        rows.push_back(std::move(row));
    }
    return rows;
}

Groups group_zeek(const std::vector<Row>& rows) {
    Groups g;
    for (const Row& r : rows)
        g[key_of(r.at("orig_h"), r.at("orig_p"), r.at("resp_h"), r.at("resp_p"),
                 r.at("is_orig") == "T")]
            .push_back(r);
    return g;
}

struct Tally {
    std::map<std::string, std::pair<int, int>> fields;  // matched, total
    void compare(const Groups& zeek, const Groups& ours, const std::vector<std::string>& names) {
        for (const auto& [key, zrows] : zeek) {
            const auto it = ours.find(key);
            const std::vector<Row> empty;
            const std::vector<Row>& orows = it == ours.end() ? empty : it->second;
            const std::size_t n = std::max(zrows.size(), orows.size());
            for (std::size_t i = 0; i < n; ++i)
                for (const std::string& f : names) {
                    auto& [matched, total] = fields[f];
                    ++total;
                    if (i < zrows.size() && i < orows.size() && zrows[i].count(f) &&
                        orows[i].count(f) && zrows[i].at(f) == orows[i].at(f))
                        ++matched;
                    else if (i < zrows.size() && i < orows.size())
                        ADD_FAILURE() << key << " row " << i << " field " << f << ": zeek '"
                                      << (zrows[i].count(f) ? zrows[i].at(f) : "?") << "' tocsin '"
                                      << (orows[i].count(f) ? orows[i].at(f) : "?") << "'";
                }
        }
    }
    void print(const std::string& log) const {
        for (const auto& [f, mt] : fields)
            std::printf("  %-22s %-18s %d / %d\n", log.c_str(), f.c_str(), mt.first, mt.second);
    }
    bool all_agree() const {
        for (const auto& [f, mt] : fields)
            if (mt.first != mt.second) return false;
        return true;
    }
};

struct Ours {
    Groups enip, cip, identity, io;
};

std::string path_value(const json& cip, const std::string& type) {
    if (!cip.contains("path")) return "";
    for (const json& seg : cip["path"])
        if (seg.value("segment_type", "") == type) return hexfmt("0x%02llx", seg["value"]);
    return "";
}

void add_cip_rows(const json& cip, bool request, const std::string& sequence,
                  std::vector<Row>& out) {
    Row r;
    r["direction"] = request ? "request" : "response";
    r["cip_sequence_count"] = sequence;
    r["cip_service_code"] = hexfmt("0x%02llx", cip.value("service_code", 0u));
    if (request) {
        r["class_id"] = path_value(cip, "class");
        r["instance_id"] = path_value(cip, "instance");
        r["attribute_id"] = path_value(cip, "attribute");
        r["cip_status_code"] = "";
    } else {
        r["class_id"] = r["instance_id"] = r["attribute_id"] = "";
        r["cip_status_code"] = hexfmt("0x%02llx", cip.value("status_code", 0u));
    }
    out.push_back(r);
    if (cip.contains("multiple"))
        for (const json& e : cip["multiple"]) add_cip_rows(e, request, sequence, out);
}

Ours collect(const std::vector<json>& events) {
    Ours ours;
    for (const json& e : events) {
        if (e.value("event_type", "") != "enip") continue;
        const json& enip = e["enip"];
        const std::string sh = e["src_ip"], dh = e["dest_ip"];
        const std::string sp = std::to_string(e["src_port"].get<int>());
        const std::string dp = std::to_string(e["dest_port"].get<int>());
        if (enip.contains("io")) {
            const json& io = enip["io"];
            Row r;
            r["connection_id"] = hexfmt("0x%08llx", io["connection_id"]);
            r["sequence_number"] = std::to_string(io["sequence"].get<std::uint64_t>());
            r["data_length"] = std::to_string(io["length"].get<std::uint64_t>());
            r["io_data"] = io["data"];
            // Zeek's connection runs from the first datagram's sender; both sides use 2222.
            ours.io[sh + " " + sp].push_back(r);
            continue;
        }
        for (const bool request : {true, false}) {
            const char* side = request ? "request" : "response";
            if (!enip.contains(side)) continue;
            const json& m = enip[side];
            const std::string key = key_of(sh, sp, dh, dp, request);
            Row r;
            const std::string command = m["command"];
            r["enip_command_code"] =
                kCommands.count(command) ? hexfmt("0x%02llx", kCommands.at(command)) : command;
            r["length"] = std::to_string(m["length"].get<std::uint64_t>());
            r["session_handle"] = hexfmt("0x%08llx", m["session"]);
            const std::string status = m["status"];
            r["enip_status"] = kStatuses.count(status) ? kStatuses.at(status) : status;
            r["sender_context"] = "0x" + m["sender_context"].get<std::string>();
            r["options"] = hexfmt("0x%08llx", m.value("options", 0u));
            ours.enip[key].push_back(r);
            if (m.contains("cip")) {
                const json& cip = m["cip"];
                const std::string seq =
                    cip.contains("sequence") ? std::to_string(cip["sequence"].get<int>()) : "";
                add_cip_rows(cip, request, seq, ours.cip[key]);
            }
            if (m.contains("identity")) {
                const json& id = m["identity"];
                Row i;
                i["encapsulation_version"] = std::to_string(id["protocol_version"].get<int>());
                i["socket_address"] = id["socket_address"];
                i["socket_port"] = std::to_string(id["socket_port"].get<int>());
                i["vendor_id"] = std::to_string(id["vendor_code"].get<int>());
                i["vendor_name"] = id["vendor_id"];
                i["device_type_id"] = std::to_string(id["device_type_code"].get<int>());
                i["device_type_name"] = id["device_type"];
                i["product_code"] = std::to_string(id["product_code"].get<int>());
                i["revision"] = id["revision"];
                i["device_status"] = hexfmt("0x%04llx", id["status"]);
                i["serial_number"] = hexfmt("0x%08llx", id["serial"]);
                i["product_name"] = id["product_name"];
                i["device_state"] = hexfmt("0x%04llx", id["state"]);
                ours.identity[key].push_back(i);
            }
        }
    }
    return ours;
}

// Test name -> capture, from MAPPING.txt ("name -> capture").
std::map<std::string, std::string> read_mapping(const fs::path& file) {
    std::map<std::string, std::string> out;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line.front() == '#') continue;
        const auto arrow = line.find(" -> ");
        if (arrow == std::string::npos) continue;
        std::string capture = line.substr(arrow + 4);
        while (!capture.empty() && (capture.back() == ' ' || capture.back() == '\r'))
            capture.pop_back();
        if (!capture.empty()) out[line.substr(0, arrow)] = capture;
    }
    return out;
}

TEST(IcsEnip, AgreesWithIcsnppZeekLogs) {
    const fs::path root = kShared / "icsnpp" / "enip";
    const auto mapping = read_mapping(root / "MAPPING.txt");
    if (mapping.empty()) GTEST_SKIP() << "../shared/corpora/icsnpp/enip not present";
    Tally enip, cip, identity, io;
    for (const auto& [test, capture] : mapping) {
        const fs::path baseline = root / "tests" / "baseline" / test;
        const fs::path trace = root / "tests" / "traces" / capture;
        if (!fs::exists(trace)) continue;
        TempDir dir;
        const auto r = run_tocsin({"run", "-k", "none", "--set", "stream.midstream=true", "-r",
                                   trace.string(), "-l", dir.path().string()});
        ASSERT_EQ(r.exit_code, 0) << r.output;
        const Ours ours = collect(read_eve(dir.file("eve.json")));
        SCOPED_TRACE(test);
        enip.compare(group_zeek(read_headerless(
                         baseline / "enip.log",
                         {"enip_command_code", "enip_command", "length", "session_handle",
                          "enip_status", "sender_context", "options"})),
                     ours.enip,
                     {"enip_command_code", "length", "session_handle", "enip_status",
                      "sender_context", "options"});
        cip.compare(
            group_zeek(read_headerless(
                baseline / "cip.log",
                {"cip_sequence_count", "direction", "cip_service_code", "cip_service",
                 "cip_status_code", "cip_status", "cip_extended_status_code", "cip_extended_status",
                 "class_id", "class_name", "instance_id", "attribute_id"})),
            ours.cip,
            {"cip_sequence_count", "direction", "cip_service_code", "cip_status_code", "class_id",
             "instance_id", "attribute_id"});
        if (fs::exists(baseline / "cip_identity.log"))
            identity.compare(
                group_zeek(read_headerless(
                    baseline / "cip_identity.log",
                    {"encapsulation_version", "socket_address", "socket_port", "vendor_id",
                     "vendor_name", "device_type_id", "device_type_name", "product_code",
                     "revision", "device_status", "serial_number", "product_name",
                     "device_state"})),
                ours.identity,
                {"encapsulation_version", "socket_address", "socket_port", "vendor_id",
                 "vendor_name", "device_type_id", "device_type_name", "product_code", "revision",
                 "device_status", "serial_number", "product_name", "device_state"});
        if (fs::exists(baseline / "cip_io.log")) {
            Groups zio;
            for (Row& row :
                 read_headerless(baseline / "cip_io.log",
                                 {"connection_id", "sequence_number", "data_length", "io_data"}))
                zio[row["src_h"] + " " + row["src_p"]].push_back(row);
            io.compare(zio, ours.io,
                       {"connection_id", "sequence_number", "data_length", "io_data"});
        }
    }
    std::printf("ICSNPP agreement (matched / total rows per field):\n");
    enip.print("enip.log");
    cip.print("cip.log");
    identity.print("cip_identity.log");
    io.print("cip_io.log");
    EXPECT_GE(enip.fields["length"].second, 269);
    EXPECT_GE(cip.fields["cip_service_code"].second, 1171);
    EXPECT_TRUE(enip.all_agree());
    EXPECT_TRUE(cip.all_agree());
    EXPECT_TRUE(identity.all_agree());
    EXPECT_TRUE(io.all_agree());
}

// Which Quickdraw rule each capture fires (a part of its msg). Upstream ships identical bytes
// under two names twice: Lock_PLC_Attempt is Unlock_PLC_Attempt (only service 0x4C, Unlock,
// occurs: no 0x4D/0x4E for the Lock rules) and Software_Download is Reboot_or_Restart. The
// set has no Firmware, Download or Control Protocol rule: Firmware_Change ends with an
// Identity Reset (service 5: "Reboot or Restart"), Control_Protocol_Change_Attempt stops the
// controller and then sends Rockwell's 0x4C ("Remote Mode Change" after "Stop").
const std::vector<std::pair<std::string, std::vector<std::string>>> kQuickdraw{
    {"Reboot_or_Restart", {"Reboot or Restart"}},
    {"Software_Download", {"Reboot or Restart"}},
    {"Unlock_PLC_Attempt", {"Unlock Rockwell PLC Attempt"}},
    {"Lock_PLC_Attempt", {"Unlock Rockwell PLC Attempt"}},
    {"Remote_Mode_Change_Attempt", {"Stop Detected", "Remote Mode Change Attempt"}},
    {"Software_Upload", {"Software Upload"}},
    {"Firmware_Change", {"Reboot or Restart"}},
    {"Control_Protocol_Change_Attempt", {"Stop Detected", "Remote Mode Change Attempt"}},
};

TEST(IcsEnip, QuickdrawRulesFireOnTheirCaptures) {
    const fs::path dir = kShared / "quickdraw" / "Suricata";
    const fs::path rules = dir / "enip-rules";
    if (!fs::exists(rules)) GTEST_SKIP() << "../shared/corpora/quickdraw not present";
    const auto check = run_tocsin({"rules", "check", rules.string()});
    EXPECT_EQ(check.exit_code, 0) << check.output;
    EXPECT_NE(check.output.find("20 of 20 rules loaded, 0 failed"), std::string::npos)
        << check.output;
    for (const auto& [name, wanted] : kQuickdraw) {
        const fs::path capture = dir / ("CL5000EIP-" + name + ".pcap");
        if (!fs::exists(capture)) continue;
        SCOPED_TRACE(name);
        TempDir out;
        // The captures start mid-session, with NIC-offloaded checksums, and the firmware
        // transfer runs past the default 1 MiB reassembly depth.
        const auto r = run_tocsin({"run", "-k", "none", "--set", "stream.midstream=true", "--set",
                                   "stream.reassembly.depth=0", "--set",
                                   "vars.address-groups.ENIP_CLIENT=192.168.10.105", "--set",
                                   "vars.address-groups.ENIP_SERVER=any", "-S", rules.string(),
                                   "-r", capture.string(), "-l", out.path().string()});
        ASSERT_EQ(r.exit_code, 0) << r.output;
        std::map<std::string, int> fired;
        for (const json& a : of_type(read_eve(out.file("eve.json")), "alert"))
            ++fired[a["alert"]["signature"].get<std::string>()];
        std::string seen;
        for (const auto& [msg, n] : fired) seen += msg + " x" + std::to_string(n) + "\n";
        std::printf("%s:\n%s", name.c_str(), seen.c_str());
        for (const std::string& part : wanted) {
            bool found = false;
            for (const auto& [msg, n] : fired) found = found || msg.find(part) != std::string::npos;
            EXPECT_TRUE(found) << "no alert with '" << part << "'; fired:\n" << seen;
        }
    }
}

// Every EtherNet/IP capture of the corpus runs without a crash and yields records.
TEST(IcsEnip, CorpusCapturesRun) {
    const fs::path root = kShared / "ics-captures";
    if (!fs::exists(root)) GTEST_SKIP() << "../shared/corpora/ics-captures not present";
    std::vector<fs::path> captures;
    for (const char* sub : {"EthernetIP", "CIP", "openics", "quickdraw"}) {
        if (!fs::exists(root / sub)) continue;
        for (const auto& entry : fs::directory_iterator(root / sub)) {
            const std::string n = entry.path().filename().string();
            const bool wanted = std::string(sub) == "openics"     ? n.starts_with("EIP")
                                : std::string(sub) == "quickdraw" ? n.starts_with("CL5000EIP")
                                                                  : n.ends_with(".pcap");
            if (wanted) captures.push_back(entry.path());
        }
    }
    std::size_t records = 0;
    for (const fs::path& capture : captures) {
        TempDir out;
        const auto r = run_tocsin({"run", "-k", "none", "--set", "stream.midstream=true", "-r",
                                   capture.string(), "-l", out.path().string()});
        EXPECT_EQ(r.exit_code, 0) << capture << "\n" << r.output;
        records += of_type(read_eve(out.file("eve.json")), "enip").size();
    }
    std::printf("%zu captures, %zu enip records\n", captures.size(), records);
    EXPECT_GT(records, 30000u);
}

}  // namespace
}  // namespace tocsin::testing
