// OPC UA binary against ICSNPP's Zeek logs (../shared/corpora/icsnpp/opcua-binary, the
// captures MAPPING.txt names), and every OPC UA capture of the corpora runs without a crash.
// Skips when ../shared is absent. Runs with checksums off ("-k none"): the captures are
// loopback traffic with offloaded checksums, and Zeek's tests run with -C; and with
// stream.midstream on, as Zeek picks up sessions without their handshake (no-handshake test).
//
// The baselines carry no "#fields" line; their columns are those of ICSNPP's
// OPCUA_Binary::Info_Log (icsnpp-opcua-binary scripts/types.zeek at the commit of
// PROVENANCE.txt), numbered from 1 below. Field mapping, Zeek column -> EVE opcua member:
//   msg_type(7), is_final(8)  -> request.message_type / chunk_type (ACK rows: response)
//   total_size(9)             -> request.size + response.size
//   error(10), reason(11)     -> <ERR side>.error.code / reason
//   version .. endpoint_url(12-17) -> HEL request / ACK response fields
//   sec_channel_id(18)        -> the set of request/response secure_channel_id ("0,3")
//   sec_policy_uri_len(19), sec_policy_uri(20), snd_cert_len(21), rcv_cert_len(23)
//                             -> request.security_policy (its length), sender_certificate_length,
//                                receiver_thumbprint_length
//   request_id(25)            -> request.request_id (the pairing key)
//   req_msg_size(26), req_seq_number(27), req_identifier(30), req_identifier_str(31)
//                             -> request.size, sequence_number, service.type_id, service.name
//   req_hdr_node_id_*(32-37)  -> request.authentication_token (NodeId text)
//   req_hdr_request_handle(39)-> request.request_handle
//   res_msg_size(45), res_seq_number(46), res_identifier(49), res_identifier_str(50),
//   res_hdr_request_handle(52)-> response.size, sequence_number, service.type_id, service.name,
//                                request_handle
// Column 53 is a link into opcua_binary_status_code_detail.log, not the status: the service
// results are compared with that log's ResponseHeader rows (and Write results with its Write
// rows) as multisets per capture.
// The data-gap captures: a segment arriving after its ACK is a gap to Zeek, whose analyzer
// then stops (it logs the CreateSession request without its response and nothing after);
// Tocsin's reassembly keeps the segment, as Suricata's does, so it logs the response and the
// exchanges after it. There Zeek's rows must all be found in Tocsin's, not the reverse, and
// a response Zeek lacks is counted apart ("response past Zeek's gap").
// Guid NodeIds: Zeek prints a Guid's 16 bytes in wire order; Tocsin (and tshark) print the
// standard form (Data1..3 little endian, OPC 10000-6 5.2.2.7): compared after reordering.
// Read/Write node lists and CreateSession session ids are compared per capture as multisets.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/harness.h"
#include "pipeline/zeek_log.h"

namespace tocsin::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Row = std::vector<std::string>;  // columns, 0-based (column n of the comment is [n-1])

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
        else if (examples.size() < 4)
            examples.push_back(what);
    }
};

// Rows of a headerless Zeek log; "-" and "(empty)" become "".
std::vector<Row> read_rows(const fs::path& path) {
    std::vector<Row> rows;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        Row row = split_tabs(line);
        for (auto& v : row)
            if (v == "-" || v == "(empty)") v.clear();
        rows.push_back(std::move(row));
    }
    return rows;
}

std::string col(const Row& r, std::size_t n) {
    return n - 1 < r.size() ? r[n - 1] : "";
}

std::vector<json> opcua_records(const std::string& pcap, const TempDir& dir, int* exit_code) {
    const std::string out = dir.file("out-" + std::to_string(std::hash<std::string>{}(pcap)));
    fs::create_directories(out);
    const CommandResult r =
        run_tocsin({"run", "-k", "none", "--set", "stream.midstream=true", "-r", pcap, "-l", out});
    if (exit_code != nullptr) *exit_code = r.exit_code;
    return of_type(read_eve(out + "/eve.json"), "opcua");
}

std::string num(const json& o, const char* key) {
    return o.is_object() && o.contains(key) && o[key].is_number()
               ? std::to_string(o[key].get<std::int64_t>())
               : std::string();
}

std::string str(const json& o, const char* key) {
    return o.is_object() && o.contains(key) && o[key].is_string() ? o[key].get<std::string>()
                                                                  : std::string();
}

// Standard Guid text -> Zeek's (the 16 bytes in wire order).
std::string wire_order_guid(const std::string& g) {
    if (g.size() != 36) return g;
    auto swap = [](const std::string& hex) {
        std::string out;
        for (std::size_t i = hex.size(); i >= 2; i -= 2) out += hex.substr(i - 2, 2);
        return out;
    };
    return swap(g.substr(0, 8)) + "-" + swap(g.substr(9, 4)) + "-" + swap(g.substr(14, 4)) +
           g.substr(18);
}

// Zeek's NodeId columns (type, namespace, numeric, string, guid) as Tocsin's NodeId text.
std::string zeek_node_id(const Row& r, std::size_t type_col) {
    const std::string type = col(r, type_col);
    if (type.empty()) return "";
    const std::string ns = col(r, type_col + 1);
    const std::string prefix = ns.empty() || ns == "0" ? "" : "ns=" + ns + ";";
    if (type == "0x00" || type == "0x01" || type == "0x02")
        return prefix + "i=" + col(r, type_col + 2);
    if (type == "0x03") return prefix + "s=" + col(r, type_col + 3);
    if (type == "0x04") return prefix + "g=" + col(r, type_col + 4);
    return "?";
}

// Tocsin's NodeId text with its Guid in Zeek's byte order.
std::string zeek_form(const std::string& node_id) {
    const std::size_t g = node_id.find("g=");
    if (g == std::string::npos) return node_id;
    return node_id.substr(0, g + 2) + wire_order_guid(node_id.substr(g + 2));
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

const json* find_record(const std::vector<json>& records, const Row& z,
                        std::map<std::string, std::size_t>& hel_seen) {
    const std::string type = col(z, 7);
    const std::string cport = col(z, 4), sport = col(z, 6);
    const std::string key = cport + ">" + sport + type;
    std::size_t nth = 0;
    const std::size_t want =
        (type == "HEL" || type == "ACK" || type == "ERR") ? hel_seen[key]++ : 0;
    for (const json& e : records) {
        if (std::to_string(e.value("src_port", 0)) != cport &&
            std::to_string(e.value("dest_port", 0)) != cport)
            continue;
        const json& o = e["opcua"];
        const json req = o.value("request", json::object());
        const json res = o.value("response", json::object());
        if (type == "HEL" || type == "ACK" || type == "ERR") {
            const json& side = type == "HEL" ? req : res;
            if (str(side, "message_type") == type && nth++ == want) return &e;
            continue;
        }
        // A response whose request preceded the capture (no-handshake): a response alone.
        const bool response_only = col(z, 26).empty() && !col(z, 45).empty();
        const json& side = response_only ? res : req;
        if (response_only && !req.empty()) continue;
        if (str(side, "message_type") == type && num(side, "request_id") == col(z, 25)) return &e;
    }
    return nullptr;
}

void compare_main_log(const std::vector<Row>& rows, const std::vector<json>& records,
                      const std::string& test, std::map<std::string, Tally>& t) {
    std::map<std::string, std::size_t> hel_seen;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const Row& z = rows[i];
        const std::string where = test + " #" + std::to_string(i) + " " + col(z, 7);
        const json* e = find_record(records, z, hel_seen);
        t["records"].add(e != nullptr, where + " request_id " + col(z, 25));
        if (e == nullptr) continue;
        const json& o = (*e)["opcua"];
        const json req = o.value("request", json::object());
        const json res = o.value("response", json::object());
        const std::string type = col(z, 7);
        const bool response_only = col(z, 26).empty() && !col(z, 45).empty();
        const json& main = type == "ACK" || type == "ERR" || response_only ? res : req;
        auto check = [&](const std::string& field, const std::string& zeek,
                         const std::string& ours) {
            t[field].add(zeek == ours, where + ": zeek '" + zeek + "' tocsin '" + ours + "'");
        };
        check("msg_type", type, str(main, "message_type"));
        check("is_final", col(z, 8), str(main, "chunk_type"));
        std::int64_t total = 0;
        const bool gap_lost_response =
            col(z, 45).empty() && test.find("data-gap") != std::string::npos;
        for (const json* side : {&req, &res})
            if (side->contains("size") && (((type == "OPN" || type == "MSG" || type == "CLO") &&
                                            !(side == &res && gap_lost_response)) ||
                                           side == &main))
                total += (*side)["size"].get<std::int64_t>();
        check("total_size", col(z, 9), std::to_string(total));
        if (type == "ERR") {
            check("error", col(z, 10), main.contains("error") ? num(main["error"], "code") : "");
            check("reason", col(z, 11), str(main, "reason"));
        }
        if (type == "HEL" || type == "ACK") {
            check("version", col(z, 12), num(main, "version"));
            check("rcv_buf_size", col(z, 13), num(main, "receive_buffer_size"));
            check("snd_buf_size", col(z, 14), num(main, "send_buffer_size"));
            check("max_msg_size", col(z, 15), num(main, "max_message_size"));
            check("max_chunk_cnt", col(z, 16), num(main, "max_chunk_count"));
            check("endpoint_url", col(z, 17), str(main, "endpoint_url"));
            continue;
        }
        if (type != "OPN" && type != "MSG" && type != "CLO") continue;
        std::set<std::int64_t> channels;
        for (const json* side : {&req, &res})
            if (side->contains("secure_channel_id"))
                channels.insert((*side)["secure_channel_id"].get<std::int64_t>());
        std::string channel_text;
        for (std::int64_t c : channels) {
            if (!channel_text.empty()) channel_text.push_back(',');
            channel_text += std::to_string(c);
        }
        check("sec_channel_id", col(z, 18), channel_text);
        if (type == "OPN") {
            const std::string policy = str(req, "security_policy");
            check("sec_policy_uri_len", col(z, 19), std::to_string(policy.size()));
            check("sec_policy_uri", col(z, 20), policy);
            check("snd_cert_len", col(z, 21), num(req, "sender_certificate_length"));
            check("rcv_cert_len", col(z, 23), num(req, "receiver_thumbprint_length"));
        }
        check("request_id", col(z, 25), num(main, "request_id"));
        check("req_msg_size", col(z, 26), num(req, "size"));
        check("req_seq_number", col(z, 27), num(req, "sequence_number"));
        const json rs = req.value("service", json::object());
        check("req_identifier", col(z, 30), num(rs, "type_id"));
        check("req_identifier_str", col(z, 31), str(rs, "name"));
        check("req_hdr_node_id (auth token)", zeek_node_id(z, 32),
              zeek_form(str(req, "authentication_token")));
        check("req_hdr_request_handle", col(z, 39), num(req, "request_handle"));
        if (col(z, 45).empty() && !res.empty() && test.find("data-gap") != std::string::npos) {
            t["response past Zeek's gap (info)"].add(true, where);
            continue;
        }
        if (col(z, 45).empty() && res.empty()) continue;  // no response (CLO)
        check("res_msg_size", col(z, 45), num(res, "size"));
        check("res_seq_number", col(z, 46), num(res, "sequence_number"));
        const json ss = res.value("service", json::object());
        check("res_identifier", col(z, 49), num(ss, "type_id"));
        check("res_identifier_str", col(z, 50), str(ss, "name"));
        check("res_hdr_request_handle", col(z, 52), num(res, "request_handle"));
    }
}

// Node/attribute pairs of Read (or Write) requests: Zeek's rows against Tocsin's records.
// Zeek's items must each be among Tocsin's; Tocsin's extra ones count as disagreement except
// past a gap Zeek did not recover from (`subset`).
void compare_multisets(const std::multiset<std::string>& theirs, std::multiset<std::string> ours,
                       bool subset, const std::string& field, std::map<std::string, Tally>& t) {
    for (const std::string& v : theirs) {
        const auto it = ours.find(v);
        t[field].add(it != ours.end(), "zeek " + v + " not in tocsin");
        if (it != ours.end()) ours.erase(it);
    }
    for (const std::string& v : ours)
        t[subset ? field + " past Zeek's gap (info)" : field].add(subset,
                                                                  "tocsin " + v + " not in zeek");
}

void compare_nodes(const fs::path& log, const std::vector<json>& records, std::uint32_t service,
                   const std::string& field, bool subset, std::map<std::string, Tally>& t) {
    if (!fs::exists(log)) return;
    std::multiset<std::string> theirs, ours;
    for (const Row& r : read_rows(log)) {
        if (col(r, 7) != "T") continue;  // request rows
        theirs.insert(zeek_node_id(r, 12) + " attr " + col(r, 18));
    }
    for (const json& e : records) {
        const json req = e["opcua"].value("request", json::object());
        if (num(req.value("service", json::object()), "type_id") != std::to_string(service))
            continue;
        for (const json& n : req.value("nodes", json::array()))
            ours.insert(zeek_form(n.value("node_id", "")) + " attr " + num(n, "attribute_id"));
    }
    compare_multisets(theirs, std::move(ours), subset, field, t);
}

// Service results: the status_code_detail log's ResponseHeader rows (column 13 names the
// source, 15 the code in hex) against every response's status; its Write rows against the
// WriteResponse results.
void compare_status(const fs::path& log, const std::vector<json>& records, bool subset,
                    std::map<std::string, Tally>& t) {
    if (!fs::exists(log)) return;
    std::multiset<std::string> header_theirs, header_ours, write_theirs, write_ours;
    auto hex = [](std::int64_t v) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "0x%08llx", static_cast<unsigned long long>(v));
        return std::string(buf);
    };
    for (const Row& r : read_rows(log)) {
        if (col(r, 13) == "ResponseHeader") header_theirs.insert(col(r, 15));
        if (col(r, 13) == "Write") write_theirs.insert(col(r, 15));
    }
    for (const json& e : records) {
        const json res = e["opcua"].value("response", json::object());
        if (res.contains("status"))
            header_ours.insert(hex(res["status"]["code"].get<std::int64_t>()));
        if (num(res.value("service", json::object()), "type_id") == "676")
            for (const json& r : res.value("results", json::array()))
                write_ours.insert(hex(r["code"].get<std::int64_t>()));
    }
    compare_multisets(header_theirs, std::move(header_ours), subset, "service result", t);
    compare_multisets(write_theirs, std::move(write_ours), subset, "write results", t);
}

void compare_sessions(const fs::path& log, const std::vector<json>& records, bool subset,
                      std::map<std::string, Tally>& t) {
    if (!fs::exists(log)) return;
    std::multiset<std::string> theirs, ours;
    for (const Row& r : read_rows(log)) {
        const std::string id = zeek_node_id(r, 28);  // response rows: the session id
        if (col(r, 7) == "F" && !id.empty()) theirs.insert(id);
    }
    for (const json& e : records) {
        const json res = e["opcua"].value("response", json::object());
        if (res.contains("session_id")) ours.insert(zeek_form(res["session_id"]));
    }
    compare_multisets(theirs, std::move(ours), subset, "session_id", t);
}

TEST(IcsOpcua, AgreesWithZeekBaselines) {
    const fs::path root = corpora() / "icsnpp" / "opcua-binary";
    const auto tests = mapping(root);
    if (tests.empty()) GTEST_SKIP() << "../shared/corpora/icsnpp/opcua-binary not present";
    TempDir dir;
    std::map<std::string, Tally> t;
    std::size_t baselines = 0;
    for (const auto& [test, pcap] : tests) {
        const fs::path base = root / "tests" / "baseline" / test;
        const fs::path capture = root / "tests" / "traces" / pcap;
        if (!fs::exists(base / "opcua_binary.log") || !fs::exists(capture)) continue;
        ++baselines;
        int exit_code = -1;
        const std::vector<json> records = opcua_records(capture.string(), dir, &exit_code);
        t["runs"].add(exit_code == 0, test);
        compare_main_log(read_rows(base / "opcua_binary.log"), records, test, t);
        const bool gap = test.find("data-gap") != std::string::npos;
        compare_nodes(base / "opcua_binary_read_nodes_to_read.log", records, 631, "read nodes", gap,
                      t);
        compare_nodes(base / "opcua_binary_write.log", records, 673, "write nodes", gap, t);
        compare_sessions(base / "opcua_binary_create_session.log", records, gap, t);
        compare_status(base / "opcua_binary_status_code_detail.log", records, gap, t);
    }
    if (baselines == 0) GTEST_SKIP() << "no OPC UA baselines found";
    std::printf("OPC UA vs ICSNPP Zeek logs (%zu baselines):\n", baselines);
    for (const auto& [field, tally] : t) {
        std::printf("  %-30s %4zu / %4zu\n", field.c_str(), tally.matched, tally.total);
        for (const auto& e : tally.examples) std::printf("      %s\n", e.c_str());
    }
    for (const auto& [field, tally] : t) EXPECT_EQ(tally.matched, tally.total) << field;
}

TEST(IcsOpcua, EveryCaptureRunsWithoutACrash) {
    std::vector<std::string> files;
    for (const fs::path& d :
         {corpora() / "icsnpp" / "opcua-binary", corpora() / "ics-captures" / "OPC"}) {
        std::error_code ec;
        if (!fs::is_directory(d, ec)) continue;
        for (const auto& e : fs::recursive_directory_iterator(d, ec)) {
            const std::string ext = e.path().extension().string();
            if (e.is_regular_file(ec) && (ext == ".pcap" || ext == ".pcapng"))
                files.push_back(e.path().string());
        }
    }
    if (files.empty()) GTEST_SKIP() << "../shared/corpora OPC UA captures not present";
    std::sort(files.begin(), files.end());
    TempDir dir;
    std::size_t records = 0, failures = 0;
    for (const std::string& pcap : files) {
        int exit_code = -1;
        records += opcua_records(pcap, dir, &exit_code).size();
        if (exit_code != 0) {
            ++failures;
            std::printf("  failed: %s (exit %d)\n", pcap.c_str(), exit_code);
        }
    }
    std::printf("OPC UA captures: %zu, opcua records: %zu, failed runs: %zu\n", files.size(),
                records, failures);
    EXPECT_EQ(failures, 0u);
    EXPECT_GT(records, 0u);
}

}  // namespace
}  // namespace tocsin::testing
