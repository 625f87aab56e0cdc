// GOOSE parser tests on frames built byte by byte from IEC 61850-8-1 Annex A (goosePdu) and
// Annex C (frame header), ISO 9506-2 (MMS Data), X.690 (BER).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "output/json_writer.h"
#include "proto/goose/goose.h"
#include "proto/goose/transaction.h"

namespace tocsin::proto::goose {
namespace {

using Bytes = std::vector<std::uint8_t>;

// One BER TLV with a short or long-form length.
Bytes tlv(std::uint8_t tag, const Bytes& value) {
    Bytes out{tag};
    if (value.size() < 0x80) {
        out.push_back(static_cast<std::uint8_t>(value.size()));
    } else if (value.size() < 0x100) {
        out.push_back(0x81);
        out.push_back(static_cast<std::uint8_t>(value.size()));
    } else {
        out.push_back(0x82);
        out.push_back(static_cast<std::uint8_t>(value.size() >> 8));
        out.push_back(static_cast<std::uint8_t>(value.size()));
    }
    out.insert(out.end(), value.begin(), value.end());
    return out;
}

Bytes str(std::string_view s) {
    return Bytes(s.begin(), s.end());
}

Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

struct PduFields {
    std::uint8_t st = 1;
    std::uint8_t sq = 0;
    std::uint8_t conf_rev = 1;
    std::string dat_set = "IED1LD0/LLN0$DS1";
    Bytes t{0x38, 0x6e, 0xbb, 0xf3, 0x42, 0x17, 0x28, 0x0a};  // 946781171 s, fraction, q 0x0a
    Bytes all_data = cat({tlv(0x83, {0x01})});                // [3] boolean TRUE
    std::uint8_t entries = 1;
    bool simulation = false;
};

// goosePdu [APPLICATION 1] with members [0]..[11] in Annex A order.
Bytes pdu(const PduFields& f) {
    return tlv(0x61, cat({
                         tlv(0x80, str("IED1LD0/LLN0$GO$gcb01")),  // [0] gocbRef
                         tlv(0x81, {0x00, 0x9c, 0x40}),            // [1] timeAllowedtoLive 40000
                         tlv(0x82, str(f.dat_set)),                // [2] datSet
                         tlv(0x83, str("GOID-1")),                 // [3] goID
                         tlv(0x84, f.t),                           // [4] t
                         tlv(0x85, {f.st}),                        // [5] stNum
                         tlv(0x86, {f.sq}),                        // [6] sqNum
                         tlv(0x87, {f.simulation ? std::uint8_t{0xff} : std::uint8_t{0}}),
                         tlv(0x88, {f.conf_rev}),  // [8] confRev
                         tlv(0x89, {0x00}),        // [9] ndsCom FALSE
                         tlv(0x8a, {f.entries}),   // [10] numDatSetEntries
                         tlv(0xab, f.all_data),    // [11] allData (constructed)
                     }));
}

// APPID, Length (from APPID to the end), Reserved 1, Reserved 2, then the APDU.
Bytes frame(const Bytes& apdu, std::uint16_t appid = 0x0001, std::uint16_t reserved1 = 0) {
    const auto length = static_cast<std::uint16_t>(8 + apdu.size());
    Bytes out;
    out.reserve(length);
    for (std::uint16_t field : {appid, length, reserved1, std::uint16_t{0}}) {
        out.push_back(static_cast<std::uint8_t>(field >> 8));
        out.push_back(static_cast<std::uint8_t>(field));
    }
    for (std::uint8_t b : apdu) out.push_back(b);
    return out;
}

class Publisher {
  public:
    Publisher() : parser_(make_parser(limits_)) {}

    const GooseTransaction& feed(const Bytes& bytes, std::int64_t at_ms = 0) {
        applayer::ParseContext ctx(txs_, next_id_, events_, limits_, ++packet_,
                                   Timestamp::from_micros(at_ms * 1000));
        parser_->parse(applayer::Direction::to_server, ByteSpan(bytes), ctx);
        return dynamic_cast<const GooseTransaction&>(*txs_.back());
    }
    nlohmann::json record(const GooseTransaction& tx) const {
        std::string out;
        output::JsonWriter j(out);
        j.begin_object();
        protocol().write_record(tx, 0, j);
        j.end_object();
        return nlohmann::json::parse(out)["goose"];
    }
    static bool has_event(const GooseTransaction& tx, std::string_view name) {
        return std::find(tx.events.begin(), tx.events.end(), name) != tx.events.end();
    }

  private:
    applayer::AppLimits limits_;
    std::unique_ptr<applayer::Parser> parser_;
    applayer::Transactions txs_;
    std::uint64_t next_id_ = 0;
    std::vector<std::string_view> events_;
    std::uint64_t packet_ = 0;
};

TEST(Goose, ParsesEveryPduMember) {
    Publisher p;
    const GooseTransaction& tx = p.feed(frame(pdu({}), 0x3001));
    EXPECT_TRUE(tx.complete());
    EXPECT_EQ(tx.records_ready, 1u);
    EXPECT_TRUE(tx.events.empty());
    const auto j = p.record(tx);
    EXPECT_EQ(j["appid"], 0x3001);
    EXPECT_EQ(j["gocb_ref"], "IED1LD0/LLN0$GO$gcb01");
    EXPECT_EQ(j["time_allowed_to_live"], 40000);
    EXPECT_EQ(j["dat_set"], "IED1LD0/LLN0$DS1");
    EXPECT_EQ(j["go_id"], "GOID-1");
    // 0x386ebbf3 = 946781171 = 2000-01-02T02:46:11; 0x421728 / 2^24 = 0.258165836 s.
    EXPECT_EQ(j["time"], "2000-01-02T02:46:11.258166Z");
    EXPECT_EQ(j["time_quality"], 10);
    EXPECT_EQ(j["st_num"], 1);
    EXPECT_EQ(j["sq_num"], 0);
    EXPECT_EQ(j["simulation"], false);
    EXPECT_EQ(j["simulated_frame"], false);
    EXPECT_EQ(j["conf_rev"], 1);
    EXPECT_EQ(j["nds_com"], false);
    EXPECT_EQ(j["num_dat_set_entries"], 1);
    ASSERT_EQ(j["all_data"].size(), 1u);
    EXPECT_EQ(j["all_data"][0]["type"], "boolean");
    EXPECT_EQ(j["all_data"][0]["value"], true);
    EXPECT_FALSE(j.contains("st_change"));  // no previous PDU to compare with
    EXPECT_EQ(j["length"], 8 + pdu({}).size());
}

TEST(Goose, AllDataTypes) {
    PduFields f;
    f.all_data = cat({
        tlv(0x84, {0x03, 0xa0, 0x08}),              // bit-string: 3 unused, 1010000000001
        tlv(0x85, {0xff}),                          // integer -1
        tlv(0x86, {0x01, 0xf4}),                    // unsigned 500
        tlv(0x87, {0x08, 0x3f, 0x80, 0x00, 0x00}),  // floating-point: single 1.0
        tlv(0x89, {0xde, 0xad}),                    // octet-string
        tlv(0x8a, str("OK")),                       // visible-string
        tlv(0x91, {0x65, 0x43, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00}),  // utc-time 1698889728.25
        tlv(0xa2, cat({tlv(0x83, {0x00}), tlv(0xa1, cat({tlv(0x85, {0x02})}))})),  // structure
        tlv(0x8c, {0x00, 0x00, 0x03, 0xe8, 0x00, 0x01}),  // binary-time 1 s after 1984-01-02
        {0x9f, 0x1f, 0x01, 0x01},                         // [31] (high-tag form): not a Data type
    });
    f.entries = 10;
    Publisher p;
    const GooseTransaction& tx = p.feed(frame(pdu(f)));
    const auto d = p.record(tx)["all_data"];
    ASSERT_EQ(d.size(), 10u);
    EXPECT_EQ(d[0]["type"], "bit-string");
    EXPECT_EQ(d[0]["value"], "1010000000001");
    EXPECT_EQ(d[1]["value"], -1);
    EXPECT_EQ(d[2]["type"], "unsigned");
    EXPECT_EQ(d[2]["value"], 500);
    EXPECT_EQ(d[3]["type"], "floating-point");
    EXPECT_DOUBLE_EQ(d[3]["value"].get<double>(), 1.0);
    EXPECT_EQ(d[4]["value"], "dead");
    EXPECT_EQ(d[5]["value"], "OK");
    EXPECT_EQ(d[6]["type"], "utc-time");
    EXPECT_EQ(d[6]["value"], "2023-11-02T01:48:48.250000Z");
    EXPECT_EQ(d[7]["type"], "structure");
    EXPECT_EQ(d[7]["value"][0]["value"], false);
    EXPECT_EQ(d[7]["value"][1]["type"], "array");
    EXPECT_EQ(d[7]["value"][1]["value"][0]["value"], 2);
    EXPECT_EQ(d[8]["type"], "binary-time");
    EXPECT_EQ(d[8]["value"], "1984-01-02T00:00:01.000000Z");
    EXPECT_EQ(d[9]["type"], "unknown");
    EXPECT_EQ(d[9]["tag"], 31);
    EXPECT_TRUE(tx.events.empty());
}

TEST(Goose, StateAndSequenceAnalysis) {
    Publisher p;
    PduFields f;
    f.st = 5;
    f.sq = 0;
    p.feed(frame(pdu(f)), 0);
    f.sq = 1;
    const auto& retrans = p.feed(frame(pdu(f)), 10);
    EXPECT_FALSE(retrans.st_change);
    EXPECT_FALSE(retrans.replay);
    EXPECT_EQ(retrans.gap_ms, 10);
    // The same sqNum of the same state again: a replay.
    const auto& again = p.feed(frame(pdu(f)), 20);
    EXPECT_TRUE(again.replay);
    EXPECT_TRUE(Publisher::has_event(again, "goose.replay"));
    // stNum 5 -> 8: two changes missed.
    f.st = 8;
    f.sq = 0;
    f.t[7] = 0x0b;
    const auto& jump = p.feed(frame(pdu(f)), 30);
    EXPECT_TRUE(jump.st_change);
    ASSERT_TRUE(jump.st_jump);
    EXPECT_EQ(*jump.st_jump, 3);
    EXPECT_TRUE(Publisher::has_event(jump, "goose.st_jump"));
    EXPECT_EQ(p.record(jump)["st_jump"], 3);
    // stNum 8 -> 9 with sqNum 4: the retransmission count was not restarted.
    f.st = 9;
    f.sq = 4;
    const auto& no_reset = p.feed(frame(pdu(f)), 40);
    EXPECT_FALSE(no_reset.st_jump);
    EXPECT_TRUE(no_reset.sq_not_reset);
    // stNum back to 2.
    f.st = 2;
    f.sq = 0;
    const auto& back = p.feed(frame(pdu(f)), 50);
    ASSERT_TRUE(back.st_jump);
    EXPECT_EQ(*back.st_jump, -7);
    EXPECT_TRUE(Publisher::has_event(back, "goose.st_backwards"));
    // 40 s later with a TTL of 40000 ms: late.
    f.st = 3;
    const auto& late = p.feed(frame(pdu(f)), 50 + 40001);
    EXPECT_TRUE(late.ttl_exceeded);
    // A new data set and configuration revision.
    f.st = 4;
    f.dat_set = "IED1LD0/LLN0$DS2";
    f.conf_rev = 2;
    const auto& changed = p.feed(frame(pdu(f)), 50 + 40002);
    EXPECT_TRUE(changed.dat_set_changed);
    EXPECT_TRUE(changed.conf_rev_changed);
    EXPECT_TRUE(Publisher::has_event(changed, "goose.dataset_changed"));
}

TEST(Goose, SimulationFlags) {
    PduFields f;
    f.simulation = true;
    Publisher p;
    const auto& test_pdu = p.feed(frame(pdu(f)));
    EXPECT_TRUE(*test_pdu.simulation);
    // Ed.2: Reserved 1 bit 15 (S) marks a simulated frame.
    const auto& sim_frame = p.feed(frame(pdu({}), 1, 0x8000));
    EXPECT_TRUE(sim_frame.simulated_frame());
    EXPECT_EQ(p.record(sim_frame)["simulated_frame"], true);
}

TEST(Goose, TruncatedAndMalformed) {
    Publisher p;
    // Shorter than the 8-byte header.
    const auto& tiny = p.feed({0x00, 0x01, 0x00});
    EXPECT_TRUE(Publisher::has_event(tiny, "goose.truncated"));
    EXPECT_EQ(tiny.records_ready, 1u);
    // Length claims more than the frame holds: the PDU is cut.
    Bytes cut = frame(pdu({}));
    cut.resize(cut.size() - 10);
    const auto& truncated = p.feed(cut);
    EXPECT_TRUE(Publisher::has_event(truncated, "goose.truncated"));
    EXPECT_FALSE(truncated.gocb_ref);
    // A universal-class member inside goosePdu.
    const auto& bad = p.feed(frame(tlv(0x61, cat({tlv(0x04, str("x"))}))));
    EXPECT_TRUE(Publisher::has_event(bad, "goose.malformed"));
    // Not a goosePdu at all.
    const auto& other = p.feed(frame(tlv(0x62, {0x00})));
    EXPECT_TRUE(Publisher::has_event(other, "goose.malformed"));
    // Length below the header size.
    Bytes small = frame(pdu({}));
    small[2] = 0;
    small[3] = 4;
    EXPECT_TRUE(Publisher::has_event(p.feed(small), "goose.invalid_length"));
    // Members missing: only gocbRef.
    const auto& sparse = p.feed(frame(tlv(0x61, tlv(0x80, str("A/B")))));
    EXPECT_TRUE(Publisher::has_event(sparse, "goose.missing_field"));
    EXPECT_TRUE(Publisher::has_event(sparse, "goose.missing_all_data"));
    const auto j = p.record(sparse);
    EXPECT_EQ(j["gocb_ref"], "A/B");
    EXPECT_FALSE(j.contains("st_num"));
}

TEST(Goose, NestingAndCountAreBounded) {
    // 20 structures deep: read to the depth bound, the rest kept as bytes.
    Bytes nested = tlv(0x83, {0x01});
    for (int i = 0; i < 20; ++i) nested = tlv(0xa2, nested);
    PduFields f;
    f.all_data = nested;
    Publisher p;
    const auto& deep = p.feed(frame(pdu(f)));
    EXPECT_TRUE(Publisher::has_event(deep, "goose.data_too_deep"));
    // 2000 booleans: at most 1024 values kept, all counted.
    Bytes many;
    for (int i = 0; i < 2000; ++i) {
        const Bytes one = tlv(0x83, {0x00});
        many.insert(many.end(), one.begin(), one.end());
    }
    const auto& big = p.feed(frame(tlv(0x61, cat({tlv(0x80, str("A/B")), tlv(0xab, many)}))));
    EXPECT_EQ(big.all_data.size(), 1024u);
    EXPECT_TRUE(Publisher::has_event(big, "goose.too_many_values"));
}

TEST(Goose, BuffersNumbersAndDevices) {
    Publisher p;
    PduFields f;
    f.st = 7;
    f.sq = 3;
    const auto& tx = p.feed(frame(pdu(f), 0x0102));
    auto text = [](std::optional<ByteSpan> s) {
        return s ? std::string(s->begin(), s->end()) : std::string("<none>");
    };
    EXPECT_EQ(text(tx.buffer(0, 0)), "IED1LD0/LLN0$GO$gcb01");
    EXPECT_EQ(text(tx.buffer(1, 0)), "IED1LD0/LLN0$DS1");
    EXPECT_EQ(text(tx.buffer(2, 0)), "GOID-1");
    EXPECT_FALSE(tx.buffer(0, 1));
    EXPECT_EQ(tx.number("goose.stnum"), 7);
    EXPECT_EQ(tx.number("goose.sqnum"), 3);
    EXPECT_EQ(tx.number("goose.appid"), 0x0102);
    applayer::DeviceFacts facts;
    tx.describe_devices(facts);
    ASSERT_EQ(facts.client.size(), 2u);
    EXPECT_EQ(facts.client[1].first, "name");
    EXPECT_EQ(facts.client[1].second, "IED1LD0");
    EXPECT_EQ(protocol().client_role, "goose publisher");
    EXPECT_EQ(protocol().ethertype, 0x88b8);
}

TEST(Goose, Keywords) {
    Publisher p;
    PduFields f;
    f.st = 7;
    p.feed(frame(pdu(f)));
    f.st = 9;
    const auto& tx = p.feed(frame(pdu(f)));
    auto compile = [](std::string_view name, std::string_view value) {
        for (const auto& k : protocol().keywords) {
            if (k.name != name) continue;
            std::string error;
            return k.compile(value, error);
        }
        return std::unique_ptr<const applayer::TxTest>();
    };
    const auto dir = applayer::Direction::to_server;
    EXPECT_TRUE(compile("goose.stnum", ">5")->matches(tx, dir));
    EXPECT_FALSE(compile("goose.stnum", "<9")->matches(tx, dir));
    EXPECT_TRUE(compile("goose.stnum", "8<>10")->matches(tx, dir));
    EXPECT_TRUE(compile("goose.stnum", "!3")->matches(tx, dir));
    EXPECT_TRUE(compile("goose.stnum_jump", "")->matches(tx, dir));
    EXPECT_TRUE(compile("goose.simulation", "false")->matches(tx, dir));
    EXPECT_FALSE(compile("goose.simulation", "")->matches(tx, dir));
    EXPECT_TRUE(compile("goose.confrev", "1")->matches(tx, dir));
    EXPECT_TRUE(compile("goose.appid", "0x1")->matches(tx, dir));
    EXPECT_EQ(compile("goose.stnum", "abc"), nullptr);
    EXPECT_EQ(compile("goose.simulation", "maybe"), nullptr);
}

}  // namespace
}  // namespace tocsin::proto::goose
