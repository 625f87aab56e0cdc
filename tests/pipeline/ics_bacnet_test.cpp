// Independent check of the BACnet/IP parser: Tocsin's `bacnet` records against tshark's
// dissection (`tshark -T fields`) of the BACnet captures in ../shared/corpora/ics-captures
// (every capture whose name says BACnet; a scan of the whole corpus with `tshark -Y bvlc` found
// no BACnet elsewhere when this was written). Skipped when tshark or the corpus is absent.
//
// Each datagram becomes one signature per field: the BVLC function (and result), the APDU
// type, the service (confirmed or unconfirmed table), the invoke id, the object identifiers
// it names (as references or as values, sorted) and the property identifiers (sorted). Per
// capture each field is compared as a multiset, and so is the whole message.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pipeline/harness.h"

namespace tocsin::testing {
namespace {

using Multiset = std::map<std::string, std::size_t>;

// Concatenation by appending (GCC 12 warns wrongly about `"literal" + std::string`).
template <typename... Parts>
std::string cat(const Parts&... parts) {
    std::string out;
    (out.append(parts), ...);
    return out;
}

struct Message {
    std::string bvlc, apdu_type, service, invoke_id, objects, properties;
    std::string whole() const {
        return cat("bvlc=", bvlc, " apdu=", apdu_type, " service=", service, " invoke=", invoke_id,
                   " objects=", objects, " properties=", properties);
    }
};

const char* const kFields[] = {"bvlc",    "apdu_type",  "service", "invoke_id",
                               "objects", "properties", "message"};

std::string field(const Message& m, const std::string& name) {
    if (name == "bvlc") return m.bvlc;
    if (name == "apdu_type") return m.apdu_type;
    if (name == "service") return m.service;
    if (name == "invoke_id") return m.invoke_id;
    if (name == "objects") return m.objects;
    if (name == "properties") return m.properties;
    return m.whole();
}

struct Tally {
    std::size_t tshark = 0, tocsin = 0, common = 0;
    std::vector<std::string> examples;
    void add(const Multiset& theirs, const Multiset& ours, const std::string& pcap) {
        for (const auto& [v, n] : theirs) {
            tshark += n;
            const auto it = ours.find(v);
            const std::size_t both = it == ours.end() ? 0 : std::min(n, it->second);
            common += both;
            if (both < n && examples.size() < 10)
                examples.push_back(cat("tshark only: ", v, " (", pcap, ")"));
        }
        for (const auto& [v, n] : ours) {
            tocsin += n;
            const auto it = theirs.find(v);
            if ((it == theirs.end() || it->second < n) && examples.size() < 20)
                examples.push_back(cat("tocsin only: ", v, " (", pcap, ")"));
        }
    }
    double agreement() const {
        const std::size_t larger = std::max(tshark, tocsin);
        return larger == 0 ? 100.0 : 100.0 * static_cast<double>(common) / larger;
    }
};

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    std::istringstream in(s);
    while (std::getline(in, cur, sep))
        if (!cur.empty()) out.push_back(cur);
    return out;
}

std::string sorted_list(std::vector<std::string> items) {
    std::sort(items.begin(), items.end());
    std::string out;
    for (const auto& i : items) out.append(out.empty() ? "" : ",").append(i);
    return out;
}

unsigned number(const std::string& s) {
    return static_cast<unsigned>(std::stoul(s, nullptr, 0));
}

std::vector<Message> tshark_messages(const std::string& pcap) {
    const auto r = run_command(
        "tshark -n -r " + shell_quote(pcap) +
        " -Y bvlc -T fields -E occurrence=a -E aggregator=, -e bvlc.function -e bvlc.result"
        " -e bacapp.type -e bacapp.confirmed_service -e bacapp.unconfirmed_service"
        " -e bacapp.invoke_id -e bacapp.objectType -e bacapp.instance_number"
        " -e bacapp.property_identifier 2>/dev/null");
    std::vector<Message> out;
    std::istringstream in(r.output);
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("Running as user") || line.starts_with("tshark:")) continue;
        std::vector<std::string> col;
        std::string cur;
        for (char c : line) {
            if (c == '\t') {
                col.push_back(cur);
                cur.clear();
            } else {
                cur.push_back(c);
            }
        }
        col.push_back(cur);
        col.resize(9);
        Message m;
        m.bvlc = std::to_string(number(col[0]));
        if (!col[1].empty()) m.bvlc.append("/").append(std::to_string(number(col[1])));
        m.apdu_type = col[2];
        if (!col[3].empty()) m.service = cat("confirmed:", col[3]);
        if (!col[4].empty()) m.service = cat("unconfirmed:", col[4]);
        m.invoke_id = col[5];
        const auto types = split(col[6], ',');
        const auto instances = split(col[7], ',');
        std::vector<std::string> objects;
        for (std::size_t i = 0; i < types.size() && i < instances.size(); ++i)
            objects.push_back(cat(types[i], ":", instances[i]));
        m.objects = sorted_list(objects);
        m.properties = sorted_list(split(col[8], ','));
        out.push_back(m);
    }
    return out;
}

std::vector<Message> tocsin_messages(const std::string& pcap, const std::string& outdir) {
    std::filesystem::remove(outdir + "/eve.json");
    const auto r = run_tocsin({"run", "-q", "-k", "none", "-r", pcap, "-l", outdir});
    EXPECT_EQ(r.exit_code, 0) << pcap << ": " << r.output;
    std::vector<Message> out;
    auto object = [](const nlohmann::json& o) {
        return cat(std::to_string(o.value("type_code", 0u)), ":",
                   std::to_string(o.value("instance", 0u)));
    };
    for (const auto& e : read_eve(outdir + "/eve.json")) {
        if (e.value("event_type", "") != "bacnet") continue;
        const auto& x = e["bacnet"];
        Message m;
        m.bvlc = std::to_string(x["bvlc"].value("function_code", 0u));
        if (x["bvlc"].contains("result_code"))
            m.bvlc.append("/").append(std::to_string(x["bvlc"].value("result_code", 0u)));
        if (x.contains("apdu")) {
            const auto& a = x["apdu"];
            const unsigned type = a.value("type_code", 0u);
            m.apdu_type = std::to_string(type);
            if (a.contains("service_code"))
                m.service = cat(type == 1 ? "unconfirmed:" : "confirmed:",
                                std::to_string(a.value("service_code", 0u)));
            if (a.contains("invoke_id")) m.invoke_id = std::to_string(a.value("invoke_id", 0u));
            std::vector<std::string> objects, properties;
            if (a.contains("objects")) {
                for (const auto& o : a["objects"]) {
                    objects.push_back(object(o));
                    if (!o.contains("properties")) continue;
                    for (const auto& p : o["properties"]) {
                        properties.push_back(std::to_string(p.value("id", 0u)));
                        if (!p.contains("values")) continue;
                        for (const auto& v : p["values"])
                            if (v.value("type", "") == "object_id")
                                objects.push_back(object(v["object"]));
                    }
                }
            }
            m.objects = sorted_list(objects);
            m.properties = sorted_list(properties);
        }
        out.push_back(m);
    }
    return out;
}

std::vector<std::string> captures() {
    const std::filesystem::path root =
        std::filesystem::path(TOCSIN_SOURCE_DIR) / ".." / "shared" / "corpora" / "ics-captures";
    std::vector<std::string> files;
    std::error_code ec;
    if (!std::filesystem::is_directory(root, ec)) return files;
    for (const auto& e : std::filesystem::recursive_directory_iterator(root, ec)) {
        std::string path = e.path().string();
        std::string lower = path;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        const auto ext = e.path().extension().string();
        if (lower.find("bacnet") != std::string::npos &&
            (ext == ".pcap" || ext == ".pcapng" || ext == ".cap"))
            files.push_back(path);
    }
    std::sort(files.begin(), files.end());
    return files;
}

TEST(IcsBacnet, MessagesAgreeWithTshark) {
    if (run_command("command -v tshark").exit_code != 0) GTEST_SKIP() << "tshark not installed";
    const auto files = captures();
    if (files.empty()) GTEST_SKIP() << "../shared/corpora/ics-captures BACnet captures absent";
    TempDir dir;
    std::map<std::string, Tally> tallies;
    for (const auto& pcap : files) {
        const auto theirs = tshark_messages(pcap);
        const auto ours = tocsin_messages(pcap, dir.path().string());
        const std::string name = std::filesystem::path(pcap).filename().string();
        for (const std::string f : kFields) {
            Multiset a, b;
            for (const auto& m : theirs) a[field(m, f)]++;
            for (const auto& m : ours) b[field(m, f)]++;
            tallies[f].add(a, b, name);
        }
    }
    std::printf("BACnet agreement with tshark over %zu captures:\n", files.size());
    for (const std::string f : kFields) {
        const Tally& t = tallies[f];
        std::printf("  %-11s tshark %4zu  tocsin %4zu  both %4zu  agreement %.1f%%\n", f.c_str(),
                    t.tshark, t.tocsin, t.common, t.agreement());
        for (const auto& e : t.examples) std::printf("      %s\n", e.c_str());
    }
    // Every datagram agreed when the test was written (22 in bacnet_test.pcap); the floors
    // leave room for one.
    for (const std::string f : kFields) EXPECT_GE(tallies[f].agreement(), 95.0) << f;
}

// ---- datagrams built from the standard, dissected by both tools ----------------------

// ASHRAE 135 encodings: tags (20.2.1: number << 4, class bit 0x08, LVT; opening 6, closing 7).
class Bytes {
  public:
    Bytes& u8(unsigned v) {
        data.push_back(static_cast<std::uint8_t>(v));
        return *this;
    }
    Bytes& u16(unsigned v) { return u8(v >> 8).u8(v & 0xff); }
    Bytes& u32(std::uint32_t v) { return u16(v >> 16).u16(v & 0xffff); }
    Bytes& append(const Bytes& b) {
        data.insert(data.end(), b.data.begin(), b.data.end());
        return *this;
    }
    Bytes& ctx_u8(unsigned n, unsigned v) { return u8(n << 4 | 0x09).u8(v); }
    Bytes& ctx_object(unsigned n, unsigned type, unsigned instance) {
        return u8(n << 4 | 0x0C).u32(type << 22 | instance);
    }
    Bytes& open(unsigned n) { return u8(n << 4 | 0x0E); }
    Bytes& close(unsigned n) { return u8(n << 4 | 0x0F); }
    Bytes& app_u8(unsigned v) { return u8(0x21).u8(v); }
    Bytes& app_u16(unsigned v) { return u8(0x22).u16(v); }
    Bytes& app_real(std::uint32_t bits) { return u8(0x44).u32(bits); }
    Bytes& app_enum(unsigned v) { return u8(0x91).u8(v); }
    Bytes& app_object(unsigned type, unsigned instance) {
        return u8(0xC4).u32(type << 22 | instance);
    }
    Bytes& app_string(const std::string& s) {
        u8(0x75).u8(static_cast<unsigned>(s.size() + 1)).u8(0);
        data.insert(data.end(), s.begin(), s.end());
        return *this;
    }
    std::vector<std::uint8_t> data;
};

constexpr std::uint32_t kReal21_5 = 0x41AC0000;  // IEEE 754 single 21.5
constexpr std::uint32_t kReal1 = 0x3F800000;     // 1.0

// BVLC `function` around an NPDU (version 1, `control`, `npdu_extra`) and `apdu`.
Bytes bvlc(unsigned function, const Bytes& apdu, unsigned control = 0,
           const Bytes& npdu_extra = {}) {
    Bytes b;
    b.u8(0x81).u8(function).u16(0);
    b.u8(1).u8(control).append(npdu_extra).append(apdu);
    b.data[2] = static_cast<std::uint8_t>(b.data.size() >> 8);
    b.data[3] = static_cast<std::uint8_t>(b.data.size() & 0xff);
    return b;
}

struct Datagram {
    bool from_client;
    Bytes payload;
};

std::vector<Datagram> synthetic_datagrams() {
    std::vector<Datagram> d;
    auto req = [](unsigned invoke, unsigned service) {
        return Bytes().u8(0x02).u8(0x05).u8(invoke).u8(service);
    };
    auto ack = [](unsigned invoke, unsigned service) {
        return Bytes().u8(0x30).u8(invoke).u8(service);
    };
    // readPropertyMultiple (14): analog-input 1 {present-value, status-flags}, device 500
    // {model-name}; its ACK with a property error.
    Bytes rpm = req(1, 14);
    rpm.ctx_object(0, 0, 1).open(1).ctx_u8(0, 85).ctx_u8(0, 111).close(1);
    rpm.ctx_object(0, 8, 500).open(1).ctx_u8(0, 70).close(1);
    d.push_back({true, bvlc(0x0A, rpm, 0x04)});
    Bytes rpma = ack(1, 14);
    rpma.ctx_object(0, 0, 1).open(1).ctx_u8(2, 85).open(4).app_real(kReal21_5).close(4);
    rpma.ctx_u8(2, 111).open(4).u8(0x82).u8(0x04).u8(0x00).close(4).close(1);
    rpma.ctx_object(0, 8, 500).open(1).ctx_u8(2, 70).open(5).app_enum(2).app_enum(32);
    rpma.close(5).close(1);
    d.push_back({false, bvlc(0x0A, rpma)});
    // writeProperty (15) analog-value 2 present-value 1.0 priority 8; SimpleACK.
    Bytes wp = req(2, 15);
    wp.ctx_object(0, 2, 2).ctx_u8(1, 85).open(3).app_real(kReal1).close(3).ctx_u8(4, 8);
    d.push_back({true, bvlc(0x0A, wp, 0x04)});
    d.push_back({false, bvlc(0x0A, Bytes().u8(0x20).u8(2).u8(15))});
    // writePropertyMultiple (16): binary-output 3 present-value active; analog-value 4.
    Bytes wpm = req(3, 16);
    wpm.ctx_object(0, 4, 3).open(1).ctx_u8(0, 85).open(2).app_enum(1).close(2).close(1);
    wpm.ctx_object(0, 2, 4).open(1).ctx_u8(0, 85).open(2).app_real(kReal1).close(2);
    wpm.ctx_u8(3, 16).close(1);
    d.push_back({true, bvlc(0x0A, wpm, 0x04)});
    d.push_back({false, bvlc(0x0A, Bytes().u8(0x20).u8(3).u8(16))});
    // readProperty (12) with an array index; Error object/unknown-object; Reject; Abort.
    Bytes rp = req(4, 12);
    rp.ctx_object(0, 8, 500).ctx_u8(1, 76).ctx_u8(2, 3);
    d.push_back({true, bvlc(0x0A, rp, 0x04)});
    Bytes rpa = ack(4, 12);
    rpa.ctx_object(0, 8, 500).ctx_u8(1, 76).ctx_u8(2, 3).open(3).app_object(0, 7).close(3);
    d.push_back({false, bvlc(0x0A, rpa)});
    Bytes rp2 = req(5, 12);
    rp2.ctx_object(0, 0, 99).ctx_u8(1, 85);
    d.push_back({true, bvlc(0x0A, rp2, 0x04)});
    d.push_back({false, bvlc(0x0A, Bytes().u8(0x50).u8(5).u8(12).app_enum(1).app_enum(31))});
    Bytes rp3 = req(6, 12);
    rp3.ctx_object(0, 0, 1).ctx_u8(1, 85);
    d.push_back({true, bvlc(0x0A, rp3, 0x04)});
    d.push_back({false, bvlc(0x0A, Bytes().u8(0x60).u8(6).u8(9))});
    d.push_back({true, bvlc(0x0A, Bytes().u8(0x70).u8(7).u8(0))});
    // i-Am (0) broadcast, who-Is (8) with limits, who-Has (7) by object, i-Have (1).
    Bytes iam = Bytes().u8(0x10).u8(0);
    iam.app_object(8, 1234).app_u16(1476).app_enum(3).app_u8(5);
    d.push_back({false, bvlc(0x0B, iam)});
    Bytes whois = Bytes().u8(0x10).u8(8);
    whois.ctx_u8(0, 100).ctx_u8(1, 200);
    d.push_back({true, bvlc(0x0B, whois)});
    Bytes whohas = Bytes().u8(0x10).u8(7);
    whohas.ctx_object(2, 0, 5);
    d.push_back({true, bvlc(0x0B, whohas)});
    Bytes ihave = Bytes().u8(0x10).u8(1);
    ihave.app_object(8, 1234).app_object(0, 5).app_string("AI-5");
    d.push_back({false, bvlc(0x0B, ihave)});
    // unconfirmedCOVNotification (2): device 1234, analog-input 5, present-value.
    Bytes cov = Bytes().u8(0x10).u8(2);
    cov.ctx_u8(0, 1).ctx_object(1, 8, 1234).ctx_object(2, 0, 5).ctx_u8(3, 0);
    cov.open(4).ctx_u8(0, 85).open(2).app_real(kReal21_5).close(2).close(4);
    d.push_back({false, bvlc(0x0A, cov)});
    // subscribeCOV (5), reinitializeDevice (20), deviceCommunicationControl (17),
    // deleteObject (11).
    Bytes sub = req(8, 5);
    sub.ctx_u8(0, 1).ctx_object(1, 0, 5).ctx_u8(2, 0).ctx_u8(3, 60);
    d.push_back({true, bvlc(0x0A, sub, 0x04)});
    Bytes reinit = req(9, 20);
    reinit.ctx_u8(0, 1);
    d.push_back({true, bvlc(0x0A, reinit, 0x04)});
    Bytes dcc = req(10, 17);
    dcc.ctx_u8(0, 5).ctx_u8(1, 1);
    d.push_back({true, bvlc(0x0A, dcc, 0x04)});
    Bytes del = req(11, 11);
    del.app_object(2, 9);
    d.push_back({true, bvlc(0x0A, del, 0x04)});
    // Routed: DNET 2, DADR 0x05, SNET absent, hop count 255; readProperty device 77.
    Bytes routed = req(12, 12);
    routed.ctx_object(0, 8, 77).ctx_u8(1, 121);
    d.push_back({true, bvlc(0x0A, routed, 0x24, Bytes().u16(2).u8(1).u8(5).u8(255))});
    // BVLC only: Register-Foreign-Device TTL 60, BVLC-Result success.
    d.push_back({true, Bytes().u8(0x81).u8(0x05).u16(6).u16(60)});
    d.push_back({false, Bytes().u8(0x81).u8(0x00).u16(6).u16(0)});
    return d;
}

// A classic pcap of the datagrams between 10.0.0.1 and 10.0.0.2, both on UDP 47808.
std::vector<std::uint8_t> pcap_of(const std::vector<Datagram>& datagrams) {
    Bytes f;
    auto le32 = [&](std::uint32_t v) {
        f.u8(v & 0xff).u8(v >> 8 & 0xff).u8(v >> 16 & 0xff).u8(v >> 24);
    };
    auto le16 = [&](unsigned v) { f.u8(v & 0xff).u8(v >> 8); };
    le32(0xa1b2c3d4);
    le16(2);
    le16(4);
    le32(0);
    le32(0);
    le32(65535);
    le32(1);  // Ethernet
    std::uint32_t second = 1'700'000'000;
    for (const Datagram& d : datagrams) {
        Bytes frame;
        const unsigned client = 1, server = 2;
        const unsigned src = d.from_client ? client : server, dst = d.from_client ? server : client;
        frame.u16(0x0200).u16(0).u16(dst).u16(0x0200).u16(0).u16(src).u16(0x0800);
        const auto udp_length = static_cast<unsigned>(8 + d.payload.data.size());
        Bytes ip;
        ip.u8(0x45).u8(0).u16(20 + udp_length).u16(0).u16(0).u8(64).u8(17).u16(0);
        ip.u8(10).u8(0).u8(0).u8(src).u8(10).u8(0).u8(0).u8(dst);
        std::uint32_t sum = 0;  // IPv4 header checksum (RFC 791)
        for (std::size_t i = 0; i < ip.data.size(); i += 2) sum += ip.data[i] << 8 | ip.data[i + 1];
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
        ip.data[10] = static_cast<std::uint8_t>(~sum >> 8);
        ip.data[11] = static_cast<std::uint8_t>(~sum);
        frame.append(ip).u16(47808).u16(47808).u16(udp_length).u16(0).append(d.payload);
        le32(second++);
        le32(0);
        le32(static_cast<std::uint32_t>(frame.data.size()));
        le32(static_cast<std::uint32_t>(frame.data.size()));
        f.append(frame);
    }
    return f.data;
}

TEST(IcsBacnet, ServicesBuiltFromTheStandardAgreeWithTshark) {
    if (run_command("command -v tshark").exit_code != 0) GTEST_SKIP() << "tshark not installed";
    TempDir dir;
    const std::string pcap = dir.file("bacnet-services.pcap");
    const auto datagrams = synthetic_datagrams();
    write_bytes(pcap, pcap_of(datagrams));
    const auto theirs = tshark_messages(pcap);
    const auto ours = tocsin_messages(pcap, dir.path().string());
    ASSERT_EQ(theirs.size(), datagrams.size());
    EXPECT_EQ(ours.size(), datagrams.size());
    std::size_t agree = 0;
    for (std::size_t i = 0; i < theirs.size() && i < ours.size(); ++i) {
        if (theirs[i].whole() == ours[i].whole())
            ++agree;
        else
            std::printf("  datagram %zu\n    tshark %s\n    tocsin %s\n", i,
                        theirs[i].whole().c_str(), ours[i].whole().c_str());
    }
    std::printf("BACnet services built from the standard: %zu of %zu datagrams agree\n", agree,
                datagrams.size());
    EXPECT_EQ(agree, datagrams.size());
}

// The keywords end to end over the datagrams above: each rule fires once per transaction side
// that names what it asks for, counted from how the datagrams were built.
TEST(IcsBacnet, KeywordRulesFireOnTheBuiltDatagrams) {
    TempDir dir;
    const std::string pcap = dir.file("bacnet-services.pcap");
    write_bytes(pcap, pcap_of(synthetic_datagrams()));
    const std::string rules = dir.file("bacnet.rules");
    {
        std::ofstream out(rules);
        out << "alert bacnet any any -> any any (msg:\"write\"; flow:to_server; "
               "bacnet.service:writeProperty; sid:1;)\n"
               "alert bacnet any any -> any any (msg:\"analog inputs asked\"; flow:to_server; "
               "bacnet.object_type:analog-input; sid:2;)\n"
               "alert bacnet any any -> any any (msg:\"present values told\"; flow:to_client; "
               "bacnet.property:present-value; sid:3;)\n"
               "alert bacnet any any -> any any (msg:\"device 1234 speaks\"; flow:to_client; "
               "bacnet.instance:1234; sid:4;)\n"
               "alert bacnet any any -> any any (msg:\"who-is\"; bacnet.service:who-Is; sid:5;)\n";
    }
    const auto r =
        run_tocsin({"run", "-q", "-k", "none", "-S", rules, "-r", pcap, "-l", dir.path().string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::map<int, std::size_t> fired;
    for (const auto& e : read_eve(dir.file("eve.json")))
        if (e.value("event_type", "") == "alert") ++fired[e["alert"].value("signature_id", 0)];
    // 1: the writeProperty request. 2: readPropertyMultiple, the two readProperty requests on
    // analog inputs, who-Has and subscribeCOV. 3: the readPropertyMultiple ACK and the COV
    // notification. 4: I-Am, I-Have and the COV notification. 5: the Who-Is.
    const std::map<int, std::size_t> expected = {{1, 1}, {2, 5}, {3, 2}, {4, 3}, {5, 1}};
    for (const auto& [sid, n] : expected) EXPECT_EQ(fired[sid], n) << "sid " << sid;
}

}  // namespace
}  // namespace tocsin::testing
