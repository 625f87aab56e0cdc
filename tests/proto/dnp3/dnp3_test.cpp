// DNP3 link, transport and application decoding, transactions, keywords and EVE records.
// Frames are built byte by byte from IEEE 1815-2012 (9.2 link frame, 8.2 transport header,
// 4.2.2 application headers, clause 11 object layouts); CRCs come from the bitwise CRC below,
// written independently of the parser's table. Expected EVE field names follow the
// suricata-verify dnp3 expectations.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/config.h"
#include "output/json_writer.h"
#include "proto/dnp3/dnp3.h"
#include "proto/dnp3/link.h"
#include "proto/dnp3/objects.h"
#include "proto/dnp3/transaction.h"

namespace tocsin::proto::dnp3 {
namespace {

using applayer::Direction;
using Bytes = std::vector<std::uint8_t>;

// CRC-16/DNP bit by bit: reflected polynomial 0xA6BC, initial 0, complemented.
std::uint16_t bitwise_crc(const Bytes& data) {
    std::uint16_t crc = 0;
    for (std::uint8_t b : data) {
        crc ^= b;
        for (int i = 0; i < 8; ++i)
            crc = (crc & 1) ? static_cast<std::uint16_t>((crc >> 1) ^ 0xA6BC)
                            : static_cast<std::uint16_t>(crc >> 1);
    }
    return static_cast<std::uint16_t>(~crc);
}

void append_crc(Bytes& out, const Bytes& block) {
    const std::uint16_t crc = bitwise_crc(block);
    out.push_back(crc & 0xff);  // low octet first
    out.push_back(crc >> 8);
}

// A link frame: start, length, control, destination, source, header CRC, then user data in
// 16-octet blocks each followed by its CRC.
Bytes frame(std::uint8_t control, std::uint16_t dst, std::uint16_t src, const Bytes& user) {
    Bytes header{0x05,
                 0x64,
                 static_cast<std::uint8_t>(5 + user.size()),
                 control,
                 static_cast<std::uint8_t>(dst & 0xff),
                 static_cast<std::uint8_t>(dst >> 8),
                 static_cast<std::uint8_t>(src & 0xff),
                 static_cast<std::uint8_t>(src >> 8)};
    Bytes out = header;
    append_crc(out, header);
    for (std::size_t i = 0; i < user.size(); i += 16) {
        Bytes block(user.begin() + static_cast<std::ptrdiff_t>(i),
                    user.begin() + static_cast<std::ptrdiff_t>(std::min(user.size(), i + 16)));
        out.insert(out.end(), block.begin(), block.end());
        append_crc(out, block);
    }
    return out;
}

// Control octets: DIR=1 PRM=1 unconfirmed user data (master), DIR=0 PRM=1 (outstation).
constexpr std::uint8_t kMasterData = 0xC4;
constexpr std::uint8_t kOutstationData = 0x44;
constexpr std::uint16_t kMaster = 1;
constexpr std::uint16_t kOutstation = 10;

// One whole fragment in one segment: transport FIR|FIN with `seq`, then the application data.
Bytes request(std::uint8_t seq, const Bytes& app) {
    Bytes user{static_cast<std::uint8_t>(0xC0 | seq)};
    user.insert(user.end(), app.begin(), app.end());
    return frame(kMasterData, kOutstation, kMaster, user);
}
Bytes response(std::uint8_t seq, const Bytes& app) {
    Bytes user{static_cast<std::uint8_t>(0xC0 | seq)};
    user.insert(user.end(), app.begin(), app.end());
    return frame(kOutstationData, kMaster, kOutstation, user);
}

Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

class Harness {
  public:
    Harness() : parser_(make_parser(limits_)) {}
    explicit Harness(applayer::AppLimits limits)
        : limits_(std::move(limits)), parser_(make_parser(limits_)) {}
    void feed(Direction dir, const Bytes& data) {
        applayer::ParseContext ctx(txs_, next_id_, flow_events_, limits_, ++packet_, {});
        parser_->parse(dir, data, ctx);
    }
    void finish() {
        applayer::ParseContext ctx(txs_, next_id_, flow_events_, limits_, ++packet_, {});
        parser_->finish(ctx);
    }
    std::size_t count() const { return txs_.size(); }
    const Dnp3Transaction& tx(std::size_t i) const {
        return dynamic_cast<const Dnp3Transaction&>(*txs_.at(i));
    }
    nlohmann::json record(std::size_t i, std::size_t n) const {
        std::string out;
        output::JsonWriter w(out);
        w.begin_object();
        protocol().write_record(*txs_.at(i), n, w);
        w.end_object();
        return nlohmann::json::parse(out);
    }
    bool has_event(std::string_view name) const {
        for (const auto& t : txs_)
            for (auto e : t->events)
                if (e == name) return true;
        for (auto e : flow_events_)
            if (e == name) return true;
        return false;
    }
    std::size_t event_count(std::string_view name) const {
        std::size_t n = 0;
        for (const auto& t : txs_)
            for (auto e : t->events) n += e == name;
        return n;
    }

  private:
    applayer::AppLimits limits_;
    std::unique_ptr<applayer::Parser> parser_;
    applayer::Transactions txs_;
    std::uint64_t next_id_ = 0;
    std::vector<std::string_view> flow_events_;
    std::uint64_t packet_ = 0;
};

TEST(Dnp3Crc, MatchesCatalogueCheckValueAndBitwiseCrc) {
    // CRC-16/DNP check value over "123456789" (the CRC catalogue's CRC-16/DNP entry).
    const Bytes digits{'1', '2', '3', '4', '5', '6', '7', '8', '9'};
    EXPECT_EQ(crc16(digits), 0xEA82);
    EXPECT_EQ(bitwise_crc(digits), 0xEA82);
    // A link-reset header (IEEE 1815 examples): 05 64 05 C0 01 00 00 04, CRC E9 21.
    const Bytes reset{0x05, 0x64, 0x05, 0xC0, 0x01, 0x00, 0x00, 0x04};
    EXPECT_EQ(crc16(reset), 0x21E9);
}

TEST(Dnp3Probe, NeedsStartOctetsAndHeaderCrc) {
    const Bytes f = request(0, {0xC0, 0x01, 60, 1, 0x06});
    const auto& spec = protocol();
    EXPECT_EQ(spec.probe(f, Direction::to_server, true), applayer::Probe::match);
    EXPECT_EQ(spec.probe(Bytes(f.begin(), f.begin() + 4), Direction::to_server, true),
              applayer::Probe::need_more);
    Bytes bad = f;
    bad[8] ^= 0xff;  // header CRC
    EXPECT_EQ(spec.probe(bad, Direction::to_server, true), applayer::Probe::no_match);
    EXPECT_EQ(spec.probe(Bytes{'G', 'E', 'T', ' '}, Direction::to_server, false),
              applayer::Probe::no_match);
}

TEST(Dnp3Parser, ReadClass0RequestAndResponsePairBySequence) {
    Harness h;
    // Application control FIR|FIN seq 3, READ (1), object g60v1 qualifier 0x06 (all points).
    h.feed(Direction::to_server, request(5, {0xC3, 0x01, 60, 1, 0x06}));
    ASSERT_EQ(h.count(), 1u);
    EXPECT_FALSE(h.tx(0).complete());
    EXPECT_EQ(h.tx(0).records_ready, 1u);
    const auto req = h.record(0, 0)["dnp3"];
    EXPECT_EQ(req["type"], "request");
    EXPECT_EQ(req["src"], 1);
    EXPECT_EQ(req["dst"], 10);
    EXPECT_EQ(req["control"]["dir"], true);
    EXPECT_EQ(req["control"]["pri"], true);
    EXPECT_EQ(req["control"]["function_code"], 4);
    EXPECT_EQ(req["application"]["control"]["sequence"], 3);
    EXPECT_EQ(req["application"]["function_code"], 1);
    EXPECT_EQ(req["application"]["objects"][0]["group"], 60);
    EXPECT_EQ(req["application"]["objects"][0]["qualifier"], 6);
    EXPECT_EQ(req["application"]["objects"][0]["range_code"], 6);
    EXPECT_EQ(req["application"]["objects"][0]["count"], 0);
    EXPECT_EQ(req["application"]["complete"], true);
    EXPECT_FALSE(req.contains("iin"));

    // RESPONSE (129) seq 3, IIN1 0x80 (device restart) IIN2 0x00; g1v2 qualifier 0x00
    // (1-octet start/stop) 0..2 with flag octets 0x01 (online), 0x81 (online, state), 0x02.
    h.feed(Direction::to_client,
           response(7, {0xC3, 0x81, 0x80, 0x00, 1, 2, 0x00, 0, 2, 0x01, 0x81, 0x02}));
    ASSERT_EQ(h.count(), 1u);
    EXPECT_TRUE(h.tx(0).complete());
    EXPECT_EQ(h.tx(0).records_ready, 2u);
    const auto resp = h.record(0, 1)["dnp3"];
    EXPECT_EQ(resp["type"], "response");
    EXPECT_EQ(resp["src"], 10);
    EXPECT_EQ(resp["iin"]["indicators"], nlohmann::json::array({"device_restart"}));
    const auto& obj = resp["application"]["objects"][0];
    EXPECT_EQ(obj["group"], 1);
    EXPECT_EQ(obj["variation"], 2);
    EXPECT_EQ(obj["start"], 0);
    EXPECT_EQ(obj["stop"], 2);
    EXPECT_EQ(obj["count"], 3);
    ASSERT_EQ(obj["points"].size(), 3u);
    EXPECT_EQ(obj["points"][0]["online"], 1);
    EXPECT_EQ(obj["points"][0]["state"], 0);
    EXPECT_EQ(obj["points"][1]["state"], 1);
    EXPECT_EQ(obj["points"][2]["restart"], 1);
    EXPECT_EQ(obj["points"][2]["index"], 2);
    EXPECT_EQ(obj["points"][2]["prefix"], 0);
    EXPECT_FALSE(obj["points"][0].contains("size"));
}

TEST(Dnp3Parser, CrobSelectWithIndexPrefixAndAnalogValues) {
    Harness h;
    // SELECT (3), g12v1 qualifier 0x28 (2-octet index prefix, 2-octet count) count 1,
    // index 8: control 0x41 (op_type 1 pulse on, tcc 1 close), count 1, on 500 ms, off 0,
    // status 0.
    h.feed(Direction::to_server, request(0, {0xC1, 0x03, 12,   1, 0x28, 1, 0, 8, 0, 0x41,
                                             1,    0xF4, 0x01, 0, 0,    0, 0, 0, 0, 0}));
    const auto crob = h.record(0, 0)["dnp3"]["application"]["objects"][0];
    EXPECT_EQ(crob["prefix_code"], 2);
    EXPECT_EQ(crob["range_code"], 8);
    EXPECT_EQ(crob["count"], 1);
    const auto& p = crob["points"][0];
    EXPECT_EQ(p["prefix"], 8);
    EXPECT_EQ(p["index"], 8);
    EXPECT_EQ(p["op_type"], 1);
    EXPECT_EQ(p["qu"], 0);
    EXPECT_EQ(p["cr"], 0);
    EXPECT_EQ(p["tcc"], 1);
    EXPECT_EQ(p["count"], 1);
    EXPECT_EQ(p["ontime"], 500);
    EXPECT_EQ(p["offtime"], 0);
    EXPECT_EQ(p["status_code"], 0);

    // Response: g30v2 (16-bit analog with flags) 0..0 value -2 (0xFFFE); g32v5 float event
    // with 1-octet index prefix (qualifier 0x17, 1-octet count) index 4 value 1.5.
    h.feed(Direction::to_client,
           response(0, {0xC1, 0x81, 0x00, 0x00, 30, 2, 0x00, 0,    0,    0x01, 0xFE,
                        0xFF, 32,   5,    0x17, 1,  4, 0x01, 0x00, 0x00, 0xC0, 0x3F}));
    const auto objects = h.record(0, 1)["dnp3"]["application"]["objects"];
    EXPECT_EQ(objects[0]["points"][0]["value"], -2);
    EXPECT_EQ(objects[0]["points"][0]["over_range"], 0);
    EXPECT_EQ(objects[1]["points"][0]["index"], 4);
    EXPECT_DOUBLE_EQ(objects[1]["points"][0]["value"].get<double>(), 1.5);
    EXPECT_TRUE(h.tx(0).complete());
}

TEST(Dnp3Parser, UnsolicitedResponseIsItsOwnTransaction) {
    Harness h;
    h.feed(Direction::to_server, request(0, {0xC0, 0x15, 60, 2, 0x06}));  // DISABLE_UNSOLICITED
    // UNSOLICITED_RESPONSE (130), control FIR|FIN|CON|UNS seq 0, IIN 0x80 0x00.
    h.feed(Direction::to_client, response(0, {0xF0, 0x82, 0x80, 0x00}));
    ASSERT_EQ(h.count(), 2u);
    EXPECT_FALSE(h.tx(0).response.has_value());
    const auto u = h.record(1, 0)["dnp3"];
    EXPECT_EQ(u["type"], "unsolicited_response");
    EXPECT_EQ(u["application"]["control"]["uns"], true);
    EXPECT_EQ(u["application"]["control"]["con"], true);
    EXPECT_TRUE(h.tx(1).complete());
    h.finish();
    EXPECT_TRUE(h.tx(0).complete());  // logged without a response at the end
    EXPECT_EQ(h.tx(0).records_ready, 1u);
}

TEST(Dnp3Parser, ConfirmsAndLinkOnlyFramesMakeNoTransaction) {
    Harness h;
    h.feed(Direction::to_server, frame(0xC0, kOutstation, kMaster, {}));  // RESET_LINK_STATES
    h.feed(Direction::to_server, request(1, {0xC0, 0x00}));               // application CONFIRM
    EXPECT_EQ(h.count(), 0u);
    EXPECT_FALSE(h.has_event("dnp3.len_too_small"));
}

TEST(Dnp3Parser, ReassemblesSegmentsSplitAnywhereAcrossChunks) {
    // A READ of g30v2 with 1-octet start/stop 0..39 (a 5-octet object header) repeated, cut
    // into three transport segments: FIR seq 10, middle seq 11, FIN seq 12.
    Bytes app{0xC2, 0x01};
    for (int i = 0; i < 12; ++i) app.insert(app.end(), {30, 2, 0x00, 0, 39});
    ASSERT_EQ(app.size(), 62u);
    const Bytes parts[3] = {Bytes(app.begin(), app.begin() + 20),
                            Bytes(app.begin() + 20, app.begin() + 40),
                            Bytes(app.begin() + 40, app.end())};
    const std::uint8_t th[3] = {0x40 | 10, 11, 0x80 | 12};
    Bytes stream;
    for (int i = 0; i < 3; ++i) {
        Bytes user{th[i]};
        user.insert(user.end(), parts[i].begin(), parts[i].end());
        const Bytes f = frame(kMasterData, kOutstation, kMaster, user);
        stream.insert(stream.end(), f.begin(), f.end());
    }
    Harness h;
    // Chunks cut at odd places: inside a header, inside a block, across frame boundaries.
    const std::size_t cuts[] = {0, 3, 17, 40, 41, 90, stream.size()};
    for (std::size_t i = 0; i + 1 < std::size(cuts); ++i)
        h.feed(Direction::to_server,
               Bytes(stream.begin() + static_cast<std::ptrdiff_t>(cuts[i]),
                     stream.begin() + static_cast<std::ptrdiff_t>(cuts[i + 1])));
    ASSERT_EQ(h.count(), 1u);
    const Message& m = *h.tx(0).request;
    EXPECT_EQ(m.data, app);  // the fragment, transport headers and CRCs removed
    EXPECT_EQ(m.objects.size(), 12u);
    EXPECT_EQ(m.objects[11].stop, 39u);
    EXPECT_TRUE(m.complete);
}

TEST(Dnp3Parser, OutOfSequenceSegmentIsDropped) {
    Harness h;
    Bytes first{0x40 | 1, 0xC0, 0x01, 60, 1};
    Bytes skipped{0x80 | 3, 0x06};  // sequence 3 does not follow 1
    h.feed(Direction::to_server, cat({frame(kMasterData, kOutstation, kMaster, first),
                                      frame(kMasterData, kOutstation, kMaster, skipped)}));
    EXPECT_EQ(h.count(), 0u);
}

TEST(Dnp3Parser, BadCrcsRaiseSuricataEvents) {
    Harness h;
    h.feed(Direction::to_server, request(0, {0xC0, 0x01, 60, 1, 0x06}));
    Bytes bad_block = request(1, {0xC1, 0x01, 60, 1, 0x06});
    bad_block[bad_block.size() - 1] ^= 0x55;  // the data block's CRC
    Bytes bad_header = request(2, {0xC2, 0x01, 60, 1, 0x06});
    bad_header[9] ^= 0x55;  // the header CRC
    h.feed(Direction::to_server,
           cat({bad_block, bad_header, request(3, {0xC3, 0x01, 60, 1, 0x06})}));
    EXPECT_TRUE(h.has_event("dnp3.bad_transport_crc"));
    EXPECT_TRUE(h.has_event("dnp3.bad_link_crc"));
    // The parser resynchronised on the next frame.
    ASSERT_EQ(h.count(), 2u);
    EXPECT_EQ(h.tx(1).request->app.sequence(), 3);
}

TEST(Dnp3Parser, TooLongReassemblyIsCut) {
    Harness h;
    Bytes stream;
    for (int i = 0; i < 70; ++i) {
        Bytes user{static_cast<std::uint8_t>((i == 0 ? 0x40 : 0) | (i % 64))};
        if (i == 0) user.insert(user.end(), {0xC0, 0x02});
        user.resize(250, 0x00);  // the largest segment
        const Bytes f = frame(kMasterData, kOutstation, kMaster, user);
        stream.insert(stream.end(), f.begin(), f.end());
    }
    h.feed(Direction::to_server, stream);
    EXPECT_TRUE(h.has_event("dnp3.too_long_reassembly"));
    ASSERT_EQ(h.count(), 1u);
    EXPECT_FALSE(h.tx(0).request->complete);
    EXPECT_LE(h.tx(0).request->data.size(), 63u * 255u);
}

TEST(Dnp3Parser, TooManyPointsStopsDecoding) {
    Harness h;
    // WRITE g1v1 with 2-octet start/stop 0..65534: 65535 packed points (8192 octets).
    Bytes app{0xC0, 0x02, 1, 1, 0x01, 0x00, 0x00, 0xFE, 0xFF};
    app.resize(app.size() + 8192, 0);
    Bytes stream;
    std::uint8_t seq = 0;
    for (std::size_t off = 0; off < app.size(); off += 249, ++seq) {
        const bool fir = off == 0, fin = off + 249 >= app.size();
        Bytes user{static_cast<std::uint8_t>((fir ? 0x40 : 0) | (fin ? 0x80 : 0) | (seq % 64))};
        user.insert(user.end(), app.begin() + static_cast<std::ptrdiff_t>(off),
                    app.begin() + static_cast<std::ptrdiff_t>(std::min(app.size(), off + 249)));
        const Bytes f = frame(kMasterData, kOutstation, kMaster, user);
        stream.insert(stream.end(), f.begin(), f.end());
    }
    h.feed(Direction::to_server, stream);
    ASSERT_EQ(h.count(), 1u);
    EXPECT_TRUE(h.has_event("dnp3.too_many_points"));
    EXPECT_FALSE(h.tx(0).request->complete);
    EXPECT_EQ(h.tx(0).request->objects.size(), 1u);
    EXPECT_TRUE(h.tx(0).request->objects[0].points.empty());
}

// app-layer.protocols.dnp3.max-objects (Suricata's setting): a READ of class 1, 2 and 3 has
// three object headers; with a limit of two the third is not decoded and the event is raised.
TEST(Dnp3Parser, MaxObjectsSettingBoundsObjectHeaders) {
    const Bytes read_classes{0xC0, 0x01, 60, 2, 0x06, 60, 3, 0x06, 60, 4, 0x06};
    Harness defaults;
    defaults.feed(Direction::to_server, request(0, read_classes));
    ASSERT_EQ(defaults.count(), 1u);
    EXPECT_EQ(defaults.tx(0).request->objects.size(), 3u);
    EXPECT_FALSE(defaults.has_event("dnp3.too_many_objects"));

    applayer::AppLimits limits;
    limits.protocol_settings = {{"dnp3.max-objects", "2"}};
    Harness limited(limits);
    limited.feed(Direction::to_server, request(0, read_classes));
    ASSERT_EQ(limited.count(), 1u);
    EXPECT_EQ(limited.tx(0).request->objects.size(), 2u);
    EXPECT_TRUE(limited.has_event("dnp3.too_many_objects"));
}

// The setting arrives through the configuration like any app-layer.protocols key.
TEST(Dnp3Parser, MaxObjectsComesFromTheConfiguration) {
    Config config;
    config.set("app-layer.protocols.dnp3.max-objects", "7");
    const applayer::AppLimits limits = applayer::AppLimits::from_config(config);
    EXPECT_EQ(limits.protocol_setting("dnp3", "max-objects"), "7");
    EXPECT_EQ(limits.protocol_setting("dnp", "3.max-objects"), "");
    EXPECT_EQ(limits.protocol_setting("dnp3", "max-points"), "");
}

TEST(Dnp3Parser, UnansweredRequestsFloodOnce) {
    Harness h;
    for (int i = 0; i < 34; ++i)
        h.feed(Direction::to_server, request(static_cast<std::uint8_t>(i % 64),
                                             {static_cast<std::uint8_t>(0xC0 | (i % 16)), 0x03}));
    EXPECT_EQ(h.count(), 34u);
    EXPECT_EQ(h.event_count("dnp3.flooded"), 1u);
    EXPECT_TRUE(h.tx(0).complete());  // the oldest closed without a response
}

TEST(Dnp3Parser, UnknownObjectStopsUnlessSized) {
    Harness h;
    // WRITE g200v1 with a 2-octet size prefix (qualifier 0x5B: prefix 5, free-format count 1):
    // size 3, three octets, then g60v1 all.
    h.feed(Direction::to_server,
           request(0, {0xC0, 0x02, 200, 1, 0x5B, 1, 3, 0, 0xAA, 0xBB, 0xCC, 60, 1, 0x06}));
    // g200v1 with 1-octet start/stop: the size is unknown, decoding stops.
    h.feed(Direction::to_server, request(1, {0xC1, 0x02, 200, 1, 0x00, 0, 0, 0xAA, 60, 1, 0x06}));
    ASSERT_EQ(h.count(), 2u);
    EXPECT_EQ(h.tx(0).request->objects.size(), 2u);
    EXPECT_FALSE(h.tx(0).request->complete);
    EXPECT_EQ(h.tx(1).request->objects.size(), 1u);
    EXPECT_EQ(h.event_count("dnp3.unknown_object"), 2u);
}

TEST(Dnp3Parser, TimeDelayAndFileObjects) {
    Harness h;
    // WRITE g50v1 count 1 (qualifier 0x07): 48-bit milliseconds 1324573673682.
    const std::uint64_t ms = 1324573673682ULL;
    Bytes app{0xC0, 0x02, 50, 1, 0x07, 1};
    for (int i = 0; i < 6; ++i) app.push_back(static_cast<std::uint8_t>(ms >> (8 * i)));
    h.feed(Direction::to_server, request(0, app));
    EXPECT_EQ(h.record(0, 0)["dnp3"]["application"]["objects"][0]["points"][0]["timestamp"], ms);
    // OPEN_FILE (25) g70v3 qualifier 0x5B, count 1, size 36: name offset 26, size 10,
    // created 0, permissions 0, key 0, file size 0, mode 1, max block 1024, request id 4,
    // "./test.xml".
    Bytes open{0xC1, 25, 70, 3, 0x5B, 1, 36, 0, 26, 0, 10, 0, 0, 0,    0,    0, 0,
               0,    0,  0,  0, 0,    0, 0,  0, 0,  0, 0,  1, 0, 0x00, 0x04, 4, 0};
    for (char c : std::string("./test.xml")) open.push_back(static_cast<std::uint8_t>(c));
    h.feed(Direction::to_server, request(1, open));
    const auto p = h.record(1, 0)["dnp3"]["application"]["objects"][0]["points"][0];
    EXPECT_EQ(p["size"], 36);
    EXPECT_EQ(p["prefix"], 36);
    EXPECT_EQ(p["index"], 0);
    EXPECT_EQ(p["filename"], "./test.xml");
    EXPECT_EQ(p["maximum_block_size"], 1024);
    EXPECT_EQ(p["operational_mode"], 1);
    EXPECT_EQ(p["request_id"], 4);
}

TEST(Dnp3Parser, DatagramsStandAlone) {
    Harness h;
    const Bytes whole = request(0, {0xC0, 0x01, 60, 1, 0x06});
    // A datagram cut short, then a whole one: the stub is not joined to it.
    h.feed(Direction::to_server, Bytes(whole.begin(), whole.begin() + 12));
    h.feed(Direction::to_server, whole);
    ASSERT_EQ(h.count(), 1u);
    EXPECT_EQ(h.tx(0).request->objects.size(), 1u);
}

const applayer::ProtocolKeyword& keyword(std::string_view name) {
    for (const auto& k : keywords())
        if (k.name == name) return k;
    throw std::runtime_error("no keyword");
}

bool test(std::string_view name, std::string_view value, const applayer::Transaction& tx,
          Direction dir) {
    std::string error;
    auto t = keyword(name).compile(value, error);
    EXPECT_TRUE(t) << error;
    return t && t->matches(tx, dir);
}

TEST(Dnp3Keywords, FuncIndObjAndDataFollowTheInspectedSide) {
    Harness h;
    h.feed(Direction::to_server, request(0, {0xC4, 0x04, 12, 1, 0x28, 1, 0, 3, 0, 0x41, 1,
                                             0xF4, 0x01, 0,  0, 0,    0, 0, 0, 0}));  // OPERATE
    // IIN1 0x90: device restart and need time.
    h.feed(Direction::to_client, response(0, {0xC4, 0x81, 0x90, 0x00, 12, 1, 0x28, 1, 0, 3, 0,
                                              0x41, 1,    0xF4, 0x01, 0,  0, 0,    0, 0, 0, 0}));
    const auto& tx = h.tx(0);
    const auto ts = Direction::to_server, tc = Direction::to_client;
    EXPECT_TRUE(test("dnp3_func", "4", tx, ts));
    EXPECT_TRUE(test("dnp3_func", "OPERATE", tx, ts));
    EXPECT_FALSE(test("dnp3_func", "operate", tx, tc));
    EXPECT_TRUE(test("dnp3.func", "response", tx, tc));
    EXPECT_TRUE(test("dnp3_obj", "12,1", tx, ts));
    EXPECT_FALSE(test("dnp3_obj", "12,2", tx, ts));
    EXPECT_TRUE(test("dnp3_ind", "need_time", tx, tc));
    EXPECT_TRUE(test("dnp3_ind", "device_trouble,need_time", tx, tc));
    EXPECT_FALSE(test("dnp3_ind", "need_time", tx, ts));
    EXPECT_TRUE(test("dnp3.ind", "device_restart,need_time", tx, tc));
    EXPECT_FALSE(test("dnp3.ind", "device_restart,!need_time", tx, tc));
    EXPECT_TRUE(test("dnp3.ind", "0x9000", tx, tc));
    EXPECT_TRUE(test("dnp3.ind", "!0", tx, tc));
    EXPECT_FALSE(test("dnp3.ind", "0x8000", tx, tc));
    std::string error;
    EXPECT_EQ(keyword("dnp3_func").compile("bogus", error), nullptr);
    EXPECT_EQ(keyword("dnp3_obj").compile("12", error), nullptr);
    EXPECT_EQ(keyword("dnp3_ind").compile("nonsense", error), nullptr);
    // dnp3.data: the side's fragment.
    const auto data = tx.buffer_for(ts, 0, 0);
    ASSERT_TRUE(data);
    EXPECT_EQ((*data)[1], 0x04);
    EXPECT_EQ((*tx.buffer_for(tc, 0, 0))[1], 0x81);

    applayer::DeviceFacts facts;
    tx.describe_devices(facts);
    EXPECT_TRUE(facts.control);
    EXPECT_FALSE(facts.engineering);
    ASSERT_EQ(facts.client.size(), 1u);
    EXPECT_EQ(facts.client[0].second, "1");
    EXPECT_EQ(facts.server[0].second, "10");
}

TEST(Dnp3Assets, RestartIsEngineering) {
    Harness h;
    h.feed(Direction::to_server, request(0, {0xC0, 13}));  // COLD_RESTART
    applayer::DeviceFacts facts;
    h.tx(0).describe_devices(facts);
    EXPECT_TRUE(facts.engineering);
    EXPECT_FALSE(facts.control);
}

}  // namespace
}  // namespace tocsin::proto::dnp3
