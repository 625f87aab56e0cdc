// Loading STIX bundles, TAXII envelopes, MISP feeds and CSV files written by the tests; the
// expected counts, ids, markings and error lines are read off the files by hand.
#include "intel/load.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/rfc3339.h"
#include "intel_test_util.h"

namespace tocsin::intel {
namespace {

using test::fired;
using test::flow;
using test::Ids;
using test::observe;
using test::TempDir;

std::size_t category(const FileReport& f, Category c) {
    return f.loaded[static_cast<std::size_t>(c)];
}

Observation at(Observation o, const char* when) {
    o.time = parse_rfc3339(when).value();
    return o;
}

bool has_error(const LoadReport& r, std::string_view part) {
    for (const std::string& e : r.errors)
        if (e.find(part) != std::string::npos) return true;
    return false;
}

std::string indicator(std::string_view id_tail, std::string_view pattern,
                      std::string_view extra = "",
                      std::string_view modified = "2024-01-01T00:00:00.000Z") {
    return fmt::format(
        R"({{"type":"indicator","spec_version":"2.1","id":"indicator--{}","created":"2024-01-01T00:00:00.000Z","modified":"{}","pattern":"{}","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"{}}})",
        id_tail, modified, pattern, extra);
}

constexpr const char* kId1 = "00000000-0000-4000-8000-000000000001";
constexpr const char* kId2 = "00000000-0000-4000-8000-000000000002";
constexpr const char* kId3 = "00000000-0000-4000-8000-000000000003";
constexpr const char* kId5 = "00000000-0000-4000-8000-000000000005";
constexpr const char* kId6 = "00000000-0000-4000-8000-000000000006";
constexpr const char* kId7 = "00000000-0000-4000-8000-000000000007";

TEST(LoadStix, BundleWithMarkingsUnsupportedAndErrors) {
    TempDir dir;
    const std::string bundle = fmt::format(
        R"({{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[
{{"type":"identity","spec_version":"2.1","id":"identity--023d105b-752e-4e3c-941c-7d3f3cb15e9e","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"CERT","identity_class":"organization"}},
{},
{},
{},
{},
{},
{{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--aaaaaaaa-0000-4000-8000-000000000001","created":"2024-01-01T00:00:00.000Z","name":"TLP:RED","extensions":{{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":{{"extension_type":"property-extension","tlp_2_0":"red"}}}}}},
{},
{},
{{"type":"relationship","spec_version":"2.1","id":"relationship--00000000-0000-4000-8000-00000000000a","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","relationship_type":"indicates","source_ref":"indicator--{}","target_ref":"malware--00000000-0000-4000-8000-00000000000b"}}
]}})",
        indicator(
            kId1, "[ipv4-addr:value = '198.51.100.7']",
            R"(,"name":"C2 address","indicator_types":["malicious-activity"],"object_marking_refs":["marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"])"),
        indicator(
            kId2, "[domain-name:value = 'c2.test']",
            R"(,"valid_until":"2024-06-01T00:00:00Z","object_marking_refs":["marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"])"),
        indicator(kId3, "[file:name = 'x.exe']"),
        R"({"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-000000000004","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","pattern":"title: x","pattern_type":"sigma","valid_from":"2024-01-01T00:00:00Z"})",
        indicator(
            kId5, "[url:value = 'http://c2.test/gate']",
            R"(,"object_marking_refs":["marking-definition--aaaaaaaa-0000-4000-8000-000000000001","marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"])"),
        indicator(kId6, "[ipv4-addr:value = '198.51.100.8']", R"(,"revoked":true)"),
        R"({"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-000000000007","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '198.51.100.9']","pattern_type":"stix","valid_from":"yesterday"})",
        kId1);
    const std::string path = dir.write("a.json", bundle);
    const LoadResult r = load_intel({path});
    ASSERT_EQ(r.report.files.size(), 1u);
    const FileReport& f = r.report.files[0];
    EXPECT_EQ(f.format, "stix");
    EXPECT_FALSE(f.failed);
    EXPECT_EQ(f.loaded_total(), 3u);
    EXPECT_EQ(category(f, Category::ipv4), 1u);
    EXPECT_EQ(category(f, Category::domain), 1u);
    EXPECT_EQ(category(f, Category::url), 1u);
    EXPECT_EQ(f.unsupported, 2u);
    EXPECT_EQ(f.revoked, 1u);
    EXPECT_EQ(f.bad, 1u);
    ASSERT_EQ(r.report.unsupported.size(), 2u);
    EXPECT_EQ(r.report.unsupported_total, 2u);
    EXPECT_EQ(r.report.unsupported[0].id, std::string("indicator--") + kId3);
    EXPECT_EQ(r.report.unsupported[0].pattern, "[file:name = 'x.exe']");
    EXPECT_EQ(r.report.unsupported[0].source, path);
    EXPECT_NE(r.report.unsupported[0].reason.find("file:name is not observed"), std::string::npos);
    EXPECT_NE(r.report.unsupported[1].reason.find("pattern_type 'sigma'"), std::string::npos);
    EXPECT_TRUE(
        has_error(r.report, std::string("indicator--") + kId7 + ": a timestamp is not RFC 3339"));

    const IntelSet& set = *r.set;
    ASSERT_EQ(set.size(), 3u);
    EXPECT_EQ(set.indicator(0).id, std::string("indicator--") + kId1);
    EXPECT_EQ(set.indicator(0).name, "C2 address");
    EXPECT_EQ(set.indicator(0).types, (std::vector<std::string>{"malicious-activity"}));
    EXPECT_EQ(set.indicator(0).tlp, Tlp::amber_strict);
    EXPECT_EQ(set.indicator(0).source, path);
    EXPECT_EQ(set.indicator(0).valid_from_us, 1704067200LL * 1000000);  // 2024-01-01
    EXPECT_EQ(set.indicator(1).tlp, Tlp::clear);                        // TLP 1.0 WHITE
    EXPECT_EQ(set.indicator(2).tlp, Tlp::red);  // a marking defined after its use; red > green

    EXPECT_EQ(fired(set, at(flow("192.0.2.1", "198.51.100.7"), "2024-03-01T00:00:00Z")),
              (Ids{std::string("indicator--") + kId1}));
    EXPECT_EQ(fired(set, at(flow("192.0.2.1", "198.51.100.7"), "2023-12-31T23:59:59Z")), Ids{});
    EXPECT_EQ(fired(set, at(flow("192.0.2.1", "198.51.100.8"), "2024-03-01T00:00:00Z")), Ids{});
    const Observation dom = observe(ObservableKind::domain, "x.c2.test");
    EXPECT_EQ(fired(set, at(dom, "2024-05-31T00:00:00Z")),
              (Ids{std::string("indicator--") + kId2}));
    EXPECT_EQ(fired(set, at(dom, "2024-06-01T00:00:00Z")), Ids{});
    LoadOptions ignore;
    ignore.ignore_validity = true;
    EXPECT_EQ(fired(*load_intel({path}, ignore).set, at(dom, "2030-01-01T00:00:00Z")).size(), 1u);
}

TEST(LoadStix, EnvelopeAndBareArray) {
    TempDir dir;
    const std::string envelope =
        dir.write("envelope.json", fmt::format(R"({{"more":false,"objects":[{}]}})",
                                               indicator(kId1, "[domain-name:value = 'a.test']")));
    const std::string array = dir.write(
        "array.json", fmt::format("[{}, {}]", indicator(kId2, "[domain-name:value = 'b.test']"),
                                  indicator(kId3, "[domain-name:value = 'c.test']")));
    const LoadResult r = load_intel({envelope, array});
    EXPECT_EQ(r.set->size(), 3u);
    EXPECT_EQ(r.report.files[0].format, "stix");
    EXPECT_EQ(r.report.files[1].format, "stix");
    EXPECT_TRUE(r.report.errors.empty());
}

TEST(LoadStix, LatestModifiedWinsAcrossFilesInAnyOrder) {
    for (const bool newer_first : {false, true}) {
        TempDir dir;
        const std::string old_file =
            indicator(kId1, "[ipv4-addr:value = '192.0.2.1']", "", "2024-01-01T00:00:00.000Z");
        const std::string new_file =
            indicator(kId1, "[ipv4-addr:value = '192.0.2.2']", "", "2024-02-01T00:00:00.000Z");
        dir.write("a.json", "[" + (newer_first ? new_file : old_file) + "]");
        dir.write("b.json", "[" + (newer_first ? old_file : new_file) + "]");
        const LoadResult r = load_intel({dir.path().string()});
        ASSERT_EQ(r.set->size(), 1u) << newer_first;
        EXPECT_EQ(fired(*r.set, at(flow("192.0.2.1", "198.51.100.1"), "2024-03-01T00:00:00Z")),
                  Ids{});
        EXPECT_EQ(
            fired(*r.set, at(flow("192.0.2.2", "198.51.100.1"), "2024-03-01T00:00:00Z")).size(),
            1u);
        const FileReport& older = r.report.files[newer_first ? 1 : 0];
        const FileReport& newer = r.report.files[newer_first ? 0 : 1];
        EXPECT_EQ(older.superseded, 1u);
        EXPECT_EQ(older.loaded_total(), 0u);
        EXPECT_EQ(newer.loaded_total(), 1u);
    }
}

TEST(LoadStix, RevocationInALaterFileRemoves) {
    TempDir dir;
    dir.write("1.json", "[" + indicator(kId1, "[ipv4-addr:value = '192.0.2.1']") + "]");
    dir.write("2.json", "[" +
                            indicator(kId1, "[ipv4-addr:value = '192.0.2.1']", R"(,"revoked":true)",
                                      "2024-05-01T00:00:00.000Z") +
                            "]");
    const LoadResult r = load_intel({dir.path().string()});
    EXPECT_EQ(r.set->size(), 0u);
    EXPECT_EQ(r.report.files[1].revoked, 1u);
}

TEST(LoadStix, LimitsOnDepthAndItemSize) {
    TempDir dir;
    const std::string deep =
        dir.write("deep.json", R"({"type":"bundle","objects":[)" + std::string(100, '[') +
                                   std::string(100, ']') + "]}");
    std::string big = indicator(kId1, "[domain-name:value = 'a.test']",
                                ",\"description\":\"" + std::string(5000, 'x') + "\"");
    const std::string sized = dir.write(
        "sized.json", "[" + big + "," + indicator(kId2, "[domain-name:value = 'b.test']") + "]");
    LoadOptions options;
    options.max_item_bytes = 1000;
    const LoadResult r = load_intel({deep, sized}, options);
    EXPECT_TRUE(r.report.files[0].failed);
    EXPECT_TRUE(has_error(r.report, "nested deeper than 64"));
    EXPECT_FALSE(r.report.files[1].failed);
    EXPECT_TRUE(has_error(r.report, "larger than 1000 bytes was skipped"));
    EXPECT_EQ(r.set->size(), 1u);
}

TEST(LoadStix, MaxIndicatorsCountsTheRest) {
    TempDir dir;
    const std::string path = dir.write(
        "three.json", fmt::format("[{},{},{}]", indicator(kId1, "[domain-name:value = 'a.test']"),
                                  indicator(kId2, "[domain-name:value = 'b.test']"),
                                  indicator(kId3, "[domain-name:value = 'c.test']")));
    LoadOptions options;
    options.max_indicators = 2;
    const LoadResult r = load_intel({path}, options);
    EXPECT_EQ(r.set->size(), 2u);
    EXPECT_EQ(r.report.files[0].dropped, 1u);
}

constexpr const char* kMispEvent = R"({"Event": {
  "uuid": "5e5e5e5e-0000-4000-8000-000000000001",
  "info": "Emotet wave",
  "date": "2024-01-01",
  "Attribute": [
    {"uuid": "a0000000-0000-4000-8000-000000000001", "type": "ip-dst", "category": "Network activity", "value": "203.0.113.10", "to_ids": true, "timestamp": "1704067200", "comment": "C2"},
    {"uuid": "a0000000-0000-4000-8000-000000000002", "type": "domain", "category": "Network activity", "value": "emotet.test", "to_ids": true, "Tag": [{"name": "tlp:red"}]},
    {"uuid": "a0000000-0000-4000-8000-000000000003", "type": "url", "value": "http://emotet.test/gate.php", "to_ids": true},
    {"uuid": "a0000000-0000-4000-8000-000000000004", "type": "md5", "value": "900150983cd24fb0d6963f7d28e17f72", "to_ids": true},
    {"uuid": "a0000000-0000-4000-8000-000000000005", "type": "ip-dst|port", "value": "203.0.113.11|8443", "to_ids": true},
    {"uuid": "a0000000-0000-4000-8000-000000000006", "type": "ja3-fingerprint-md5", "value": "e7d705a3286e19ea42f587b344ee6865", "to_ids": true},
    {"uuid": "a0000000-0000-4000-8000-000000000007", "type": "ip-dst", "value": "203.0.113.99", "to_ids": false},
    {"uuid": "a0000000-0000-4000-8000-000000000008", "type": "ip-dst", "value": "203.0.113.98", "to_ids": true, "deleted": true},
    {"uuid": "a0000000-0000-4000-8000-000000000009", "type": "filename", "value": "a.exe", "to_ids": true},
    {"uuid": "a0000000-0000-4000-8000-000000000010", "type": "ip-src", "value": "bogus", "to_ids": true}
  ],
  "Object": [{"name": "file", "uuid": "b0000000-0000-4000-8000-000000000001", "Attribute": [
    {"uuid": "a0000000-0000-4000-8000-000000000011", "type": "sha256", "object_relation": "sha256", "value": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "to_ids": true},
    {"uuid": "a0000000-0000-4000-8000-000000000012", "type": "x509-fingerprint-sha1", "value": "a9993e364706816aba3e25717850c26c9cd0d89d", "to_ids": "1"}
  ]}],
  "Tag": [{"name": "tlp:amber"}, {"name": "malware:emotet"}]
}})";

TEST(LoadMisp, FeedFolder) {
    TempDir dir;
    dir.write(
        "feed/manifest.json",
        R"({"5e5e5e5e-0000-4000-8000-000000000001": {"info": "Emotet wave", "timestamp": "1704067200"}})");
    dir.write("feed/hashes.csv",
              "900150983cd24fb0d6963f7d28e17f72,5e5e5e5e-0000-4000-8000-000000000001\n");
    const std::string event =
        dir.write("feed/5e5e5e5e-0000-4000-8000-000000000001.json", kMispEvent);
    const LoadResult r = load_intel({(dir.path() / "feed").string()});
    ASSERT_EQ(r.report.files.size(), 3u);  // sorted: the event, hashes.csv, manifest.json
    const FileReport& f = r.report.files[0];
    EXPECT_EQ(f.path, event);
    EXPECT_EQ(f.format, "misp");
    EXPECT_TRUE(r.report.files[1].skipped);
    EXPECT_TRUE(r.report.files[2].skipped);
    EXPECT_FALSE(r.report.any_file_failed());
    EXPECT_EQ(f.loaded_total(), 8u);
    EXPECT_EQ(category(f, Category::ipv4), 2u);
    EXPECT_EQ(category(f, Category::domain), 1u);
    EXPECT_EQ(category(f, Category::url), 1u);
    EXPECT_EQ(category(f, Category::md5), 1u);
    EXPECT_EQ(category(f, Category::sha256), 1u);
    EXPECT_EQ(category(f, Category::ja3), 1u);
    EXPECT_EQ(category(f, Category::x509_sha1), 1u);
    EXPECT_EQ(f.not_for_ids, 1u);
    EXPECT_EQ(f.deleted, 1u);
    EXPECT_EQ(f.unmatched_types, (std::map<std::string, std::size_t>{{"filename", 1}}));
    EXPECT_EQ(f.bad, 1u);
    EXPECT_TRUE(has_error(
        r.report, "attribute a0000000-0000-4000-8000-000000000010: 'bogus' is not an address"));

    const IntelSet& set = *r.set;
    const IndicatorInfo& first = set.indicator(0);
    EXPECT_EQ(first.id, "indicator--a0000000-0000-4000-8000-000000000001");
    EXPECT_EQ(first.name, "Emotet wave (ip-dst: C2)");
    EXPECT_EQ(first.pattern, "[ipv4-addr:value = '203.0.113.10']");
    EXPECT_EQ(first.types, (std::vector<std::string>{"Network activity"}));
    EXPECT_EQ(first.tlp, Tlp::amber);  // the event's tag, though listed after the attributes
    EXPECT_EQ(set.indicator(1).tlp, Tlp::red);  // the attribute's own tag is stricter
    EXPECT_EQ(set.indicator(6).name, "Emotet wave (file/sha256)");

    auto ids = [&](const Observation& o) { return fired(set, o); };
    EXPECT_EQ(ids(flow("192.0.2.1", "203.0.113.10")),
              (Ids{"indicator--a0000000-0000-4000-8000-000000000001"}));
    EXPECT_EQ(ids(flow("192.0.2.1", "203.0.113.11", 5000, 8443)),
              (Ids{"indicator--a0000000-0000-4000-8000-000000000005"}));
    EXPECT_EQ(ids(flow("192.0.2.1", "203.0.113.11", 5000, 443)), Ids{});
    EXPECT_EQ(ids(flow("192.0.2.1", "203.0.113.99")), Ids{});
    EXPECT_EQ(ids(observe(ObservableKind::domain, "www.emotet.test")),
              (Ids{"indicator--a0000000-0000-4000-8000-000000000002"}));
    EXPECT_EQ(ids(observe(ObservableKind::url, "http://emotet.test/gate.php")).size(), 1u);
    EXPECT_EQ(ids(observe(ObservableKind::md5, "900150983cd24fb0d6963f7d28e17f72")).size(), 1u);
    EXPECT_EQ(ids(observe(ObservableKind::ja3, "e7d705a3286e19ea42f587b344ee6865")).size(), 1u);
    EXPECT_EQ(
        ids(observe(ObservableKind::x509_sha1, "a9993e364706816aba3e25717850c26c9cd0d89d")).size(),
        1u);

    // A single event file loads the same way.
    EXPECT_EQ(load_intel({event}).set->size(), 8u);
}

TEST(LoadCsv, QuotingBadRowsAndLineNumbers) {
    for (const char* eol : {"\n", "\r\n"}) {
        TempDir dir;
        std::string text;
        for (const char* line : {
                 "# Tocsin test list",
                 "type,value,name,tlp,valid_until",
                 "ip,192.0.2.200,\"Scanner, noisy\",green,",
                 "domain,phish.test,\"Line one",
                 "line two\",TLP:AMBER,2030-01-01T00:00:00Z",
                 "url,\"http://phish.test/login?a=1,2\",\"He said \"\"hi\"\"\",,",
                 "ip,999.1.1.1,bad address,,",
                 "domain,ok.test,bad tlp,purple,",
                 "btc,1BoatSLRHtKNngkdXEeobR76b53LETtpyT,unknown type,,",
                 "md5,900150983cd24fb0d6963f7d28e17f72,too,many,fields,here",
                 "sha256,ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad,,,not-a-"
                 "time",
                 "",
             })
            text += std::string(line) + eol;
        const std::string path = dir.write("list.csv", text);
        const LoadResult r = load_intel({path});
        const FileReport& f = r.report.files[0];
        EXPECT_EQ(f.format, "csv");
        EXPECT_FALSE(f.failed);
        EXPECT_EQ(f.loaded_total(), 3u);
        EXPECT_EQ(f.unmatched_types, (std::map<std::string, std::size_t>{{"btc", 1}}));
        EXPECT_EQ(f.bad, 4u);
        EXPECT_EQ(r.report.errors, (std::vector<std::string>{
                                       path + ":7: '999.1.1.1' is not an address or CIDR",
                                       path + ":8: 'purple' is not a TLP level",
                                       path + ":10: 6 fields where the header names 5",
                                       path + ":11: valid_until is not RFC 3339",
                                   }));
        const IntelSet& set = *r.set;
        ASSERT_EQ(set.size(), 3u);
        EXPECT_EQ(set.indicator(0).name, "Scanner, noisy");
        EXPECT_EQ(set.indicator(0).tlp, Tlp::green);
        EXPECT_EQ(set.indicator(1).name, "Line one\nline two");
        EXPECT_EQ(set.indicator(1).tlp, Tlp::amber);
        EXPECT_EQ(set.indicator(1).valid_until_us, 1893456000LL * 1000000);  // 2030-01-01
        // id: uuidv5(Tocsin namespace, "csv|" + pattern), computed with Python's uuid.uuid5.
        EXPECT_EQ(set.indicator(1).id, "indicator--89ff08f3-06d7-58e8-bf62-7559ca298ca0");
        EXPECT_EQ(set.indicator(2).name, "He said \"hi\"");
        EXPECT_EQ(set.indicator(2).pattern, "[url:value = 'http://phish.test/login?a=1,2']");
        EXPECT_EQ(fired(set, observe(ObservableKind::url, "http://phish.test/login?a=1,2")).size(),
                  1u);
        EXPECT_EQ(fired(set, flow("192.0.2.200", "198.51.100.1")).size(), 1u);
    }
}

TEST(LoadCsv, IdsToIdsAndTypesColumns) {
    TempDir dir;
    const std::string path =
        dir.write("ids.csv",
                  "Type , Value,id,to_ids,category\n"
                  "domain,a.test,row-17,1,Network activity;C2\n"
                  "domain,b.test,indicator--00000000-0000-4000-8000-0000000000bb,,\n"
                  "domain,c.test,,0,\n");
    const LoadResult r = load_intel({path});
    ASSERT_EQ(r.set->size(), 2u);
    EXPECT_EQ(r.set->indicator(0).id, "indicator--4033c6af-0855-5d51-9e68-2a5b9f579781");
    EXPECT_EQ(r.set->indicator(0).types, (std::vector<std::string>{"Network activity", "C2"}));
    EXPECT_EQ(r.set->indicator(1).id, "indicator--00000000-0000-4000-8000-0000000000bb");
    EXPECT_EQ(r.report.files[0].not_for_ids, 1u);
}

TEST(LoadCsv, UnclosedQuoteStopsTheFileWithItsLine) {
    TempDir dir;
    const std::string path =
        dir.write("q.csv", "type,value\ndomain,a.test\ndomain,\"b.test\ndomain,c.test\n");
    const LoadResult r = load_intel({path});
    EXPECT_EQ(r.set->size(), 1u);
    EXPECT_EQ(r.report.errors,
              (std::vector<std::string>{path + ":3: a quoted field is not closed"}));
}

TEST(LoadCsv, LongRecordStopsTheFile) {
    TempDir dir;
    const std::string path =
        dir.write("long.csv", "type,value\ndomain,a.test\ndomain," + std::string(5000, 'b') +
                                  "\ndomain,c.test\n");
    LoadOptions options;
    options.max_csv_record = 100;
    const LoadResult r = load_intel({path}, options);
    EXPECT_EQ(r.set->size(), 1u);
    EXPECT_EQ(r.report.errors,
              (std::vector<std::string>{path + ":3: a record longer than 100 bytes"}));
}

TEST(Load, BadFilesAreReportedAndOthersLoad) {
    TempDir dir;
    dir.write("in/good.json", "[" + indicator(kId1, "[domain-name:value = 'a.test']") + "]");
    dir.write("in/broken.json", R"({"type": "bundle", "objects": [ {"type": "indicator", )");
    dir.write("in/notes.txt", "hello world\n");
    dir.write("in/empty.csv", "");
    dir.write("in/.hidden.json", "[" + indicator(kId2, "[domain-name:value = 'b.test']") + "]");
    dir.write("in/.git/x.json", "[" + indicator(kId3, "[domain-name:value = 'c.test']") + "]");
    dir.write("in/sub/z.csv", "type,value\ndomain,d.test\n");
    dir.write("in/plain.json", R"({"hello": "world"})");
    const std::string missing = (dir.path() / "nope").string();
    const LoadResult r = load_intel({(dir.path() / "in").string(), missing});
    std::vector<std::string> names;
    for (const FileReport& f : r.report.files)
        names.push_back(std::filesystem::path(f.path).filename().string());
    EXPECT_EQ(names, (std::vector<std::string>{"broken.json", "empty.csv", "good.json", "notes.txt",
                                               "plain.json", "z.csv", "nope"}));
    EXPECT_TRUE(r.report.files[0].failed);
    EXPECT_TRUE(r.report.files[1].failed);
    EXPECT_FALSE(r.report.files[2].failed);
    EXPECT_TRUE(r.report.files[3].failed);
    EXPECT_TRUE(r.report.files[4].failed);
    EXPECT_FALSE(r.report.files[5].failed);
    EXPECT_TRUE(r.report.files[6].failed);
    EXPECT_TRUE(r.report.any_file_failed());
    EXPECT_TRUE(has_error(r.report, "broken.json: JSON syntax error"));
    EXPECT_TRUE(has_error(r.report, "empty.csv: empty file"));
    EXPECT_TRUE(has_error(r.report, "notes.txt: not STIX, MISP or CSV"));
    EXPECT_TRUE(has_error(r.report, "plain.json: not a STIX bundle"));
    EXPECT_TRUE(has_error(r.report, "nope: no such file or folder"));
    EXPECT_EQ(r.set->size(), 2u);
}

TEST(Load, OptionsFromConfig) {
    Config config;
    LoadOptions defaults = LoadOptions::from_config(config);
    EXPECT_FALSE(defaults.ignore_validity);
    EXPECT_EQ(defaults.max_indicators, 10'000'000u);
    config.set("intel.validity", "ignore");
    config.set("intel.max-indicators", "5");
    const LoadOptions set = LoadOptions::from_config(config);
    EXPECT_TRUE(set.ignore_validity);
    EXPECT_EQ(set.max_indicators, 5u);
    config.set("intel.validity", "sometimes");
    EXPECT_THROW(LoadOptions::from_config(config), ConfigError);
    EXPECT_TRUE(Config().get("intel.store").has_value());
    EXPECT_TRUE(Config().get("sensor.name").has_value());
    EXPECT_TRUE(Config().get("sensor.identity").has_value());
}

}  // namespace
}  // namespace tocsin::intel
