// IEC 60870-5-104 parser, pairing, keywords, asset facts and EVE records. APDUs are built byte
// by byte from IEC 60870-5-104 clause 5 (APCI) and IEC 60870-5-101 clause 7 (ASDU, information
// elements; multi-octet values least significant octet first); each field is commented.
#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "output/json_writer.h"
#include "proto/iec104/apdu.h"
#include "proto/iec104/iec104.h"
#include "proto/iec104/transaction.h"

namespace tocsin::proto::iec104 {
namespace {

using applayer::Direction;
using applayer::Probe;

constexpr Direction kToServer = Direction::to_server;
constexpr Direction kToClient = Direction::to_client;

class Bytes {
  public:
    Bytes& u8(unsigned v) {
        data.push_back(static_cast<std::uint8_t>(v));
        return *this;
    }
    Bytes& u16le(unsigned v) { return u8(v & 0xff).u8(v >> 8); }
    Bytes& u24le(unsigned v) { return u16le(v & 0xffff).u8(v >> 16); }
    Bytes& u32le(std::uint32_t v) { return u16le(v & 0xffff).u16le(v >> 16); }
    Bytes& f32le(float f) { return u32le(std::bit_cast<std::uint32_t>(f)); }
    Bytes& append(const Bytes& b) {
        data.insert(data.end(), b.data.begin(), b.data.end());
        return *this;
    }
    std::vector<std::uint8_t> data;
};

// Start 0x68, length, then the control field and ASDU of `body`.
Bytes frame(const Bytes& body) {
    Bytes b;
    b.data.reserve(2 + body.data.size());  // (also keeps GCC 12's -Warray-bounds quiet)
    b.u8(0x68).u8(static_cast<unsigned>(body.data.size())).append(body);
    return b;
}

Bytes u_frame(unsigned function_bits) {
    Bytes c;
    c.u8(function_bits | 0x03).u8(0).u8(0).u8(0);  // U format: bits 1-2 = 11, octets 2-4 zero
    return frame(c);
}

Bytes s_frame(unsigned recv_seq) {
    Bytes c;
    c.u8(0x01).u8(0).u16le(recv_seq << 1);  // S format: 01 00, N(R) shifted left one bit
    return frame(c);
}

// I frame with N(S), N(R) and the data unit identifier; `objects` follow.
Bytes i_frame(unsigned send, unsigned recv, unsigned type, unsigned vsq, unsigned cot,
              unsigned common_address, const Bytes& objects, unsigned originator = 0) {
    Bytes c;
    c.u16le(send << 1).u16le(recv << 1);  // I format: bit 1 of octet 1 is 0
    c.u8(type).u8(vsq).u8(cot).u8(originator).u16le(common_address);
    c.append(objects);
    return frame(c);
}

// CP56Time2a 2009-08-13 (Thursday) 10:04:05.123: ms 5123, min 4, hour 10, day 13 | dow 4 << 5,
// month 8, year 9.
Bytes cp56() {
    Bytes b;
    b.u16le(5123).u8(4).u8(10).u8(13 | 4 << 5).u8(8).u8(9);
    return b;
}

class Harness {
  public:
    Harness() : parser_(make_parser(limits_)) {}

    void feed(Direction dir, const Bytes& b, Timestamp now = {}) {
        feed(dir, ByteSpan(b.data), now);
    }
    void feed(Direction dir, ByteSpan data, Timestamp now = {}) {
        applayer::ParseContext ctx(txs_, next_id_, flow_events_, limits_, ++packet_, now);
        parser_->parse(dir, data, ctx);
    }
    void finish() {
        applayer::ParseContext ctx(txs_, next_id_, flow_events_, limits_, ++packet_, {});
        parser_->finish(ctx);
    }
    std::size_t count() const { return txs_.size(); }
    const Iec104Transaction& tx(std::size_t i) const {
        return static_cast<const Iec104Transaction&>(*txs_.at(i));
    }
    const Asdu& asdu(std::size_t i, std::size_t m = 0) const {
        return *tx(i).messages.at(m).apdu.asdu;
    }
    nlohmann::json record(std::size_t i, std::size_t n = 0) const {
        std::string out;
        output::JsonWriter w(out);
        w.begin_object();
        protocol().write_record(tx(i), n, w);
        w.end_object();
        return nlohmann::json::parse(out).at("iec104");
    }
    nlohmann::json alert(std::size_t i) const {
        std::string out;
        output::JsonWriter w(out);
        w.begin_object();
        protocol().write_alert(tx(i), w);
        w.end_object();
        return nlohmann::json::parse(out).at("iec104");
    }
    bool has_event(std::size_t i, std::string_view name) const {
        for (auto e : tx(i).events)
            if (e == name) return true;
        return false;
    }
    const std::vector<std::string_view>& flow_events() const { return flow_events_; }

  private:
    applayer::AppLimits limits_;
    applayer::Transactions txs_;
    std::uint64_t next_id_ = 0;
    std::vector<std::string_view> flow_events_;
    std::uint64_t packet_ = 0;
    std::unique_ptr<applayer::Parser> parser_;
};

// Compiles keyword `name` with `value` from the protocol's own table.
std::unique_ptr<const applayer::TxTest> keyword(std::string_view name, std::string_view value,
                                                std::string* error = nullptr) {
    for (const auto& k : protocol().keywords) {
        if (k.name != name) continue;
        std::string e;
        auto t = k.compile(value, e);
        if (error != nullptr) *error = e;
        return t;
    }
    ADD_FAILURE() << "no keyword " << name;
    return nullptr;
}

TEST(Iec104Probe, RecognisesApciFormats) {
    const Bytes startdt = u_frame(0x04);
    EXPECT_EQ(protocol().probe(ByteSpan(startdt.data), kToServer, true), Probe::match);
    EXPECT_EQ(protocol().probe(ByteSpan(startdt.data), kToServer, false), Probe::match);
    const Bytes s = s_frame(5);
    EXPECT_EQ(protocol().probe(ByteSpan(s.data), kToClient, true), Probe::match);
    // Too short to see the control field.
    const std::uint8_t head[] = {0x68, 0x04, 0x07};
    EXPECT_EQ(protocol().probe(ByteSpan(head), kToServer, true), Probe::need_more);
    // Not the start octet; a length below 4; a U frame with two function bits.
    const std::uint8_t http[] = {'G', 'E', 'T', ' ', '/', ' '};
    EXPECT_EQ(protocol().probe(ByteSpan(http), kToServer, true), Probe::no_match);
    const std::uint8_t short_len[] = {0x68, 0x02, 0x07, 0x00, 0x00, 0x00};
    EXPECT_EQ(protocol().probe(ByteSpan(short_len), kToServer, true), Probe::no_match);
    const std::uint8_t two_bits[] = {0x68, 0x04, 0x0f, 0x00, 0x00, 0x00};
    EXPECT_EQ(protocol().probe(ByteSpan(two_bits), kToServer, true), Probe::no_match);
    // Off the port an I frame must be whole, with a known type id.
    Bytes obj;
    obj.u24le(0).u8(20);
    const Bytes gi = i_frame(0, 0, 100, 1, 6, 1, obj);
    EXPECT_EQ(protocol().probe(ByteSpan(gi.data).first(8), kToServer, false), Probe::need_more);
    EXPECT_EQ(protocol().probe(ByteSpan(gi.data), kToServer, false), Probe::match);
    const Bytes unknown = i_frame(0, 0, 90, 1, 6, 1, obj);
    EXPECT_EQ(protocol().probe(ByteSpan(unknown.data), kToServer, false), Probe::no_match);
    // 'h' starting text is not an APDU: "hello" has length 'e' (101) and control "llo".
    const std::uint8_t hello[] = {'h', 'e', 'l', 'l', 'o', ' ', 'w'};
    EXPECT_EQ(protocol().probe(ByteSpan(hello), kToServer, false), Probe::no_match);
}

TEST(Iec104Parser, UFramesPairActWithCon) {
    Harness h;
    h.feed(kToServer, u_frame(0x04));  // STARTDT act
    ASSERT_EQ(h.count(), 1u);
    EXPECT_FALSE(h.tx(0).complete());
    h.feed(kToClient, u_frame(0x08));  // STARTDT con
    ASSERT_EQ(h.count(), 1u);
    EXPECT_TRUE(h.tx(0).complete());
    EXPECT_EQ(h.tx(0).records_ready, 2u);
    const auto act = h.record(0, 0);
    EXPECT_EQ(act["direction"], "to_server");
    EXPECT_EQ(act["apci"]["type"], "U");
    EXPECT_EQ(act["apci"]["function"], "startdt_act");
    EXPECT_EQ(act["apci"]["function_code"], 0x04);
    const auto con = h.record(0, 1);
    EXPECT_EQ(con["direction"], "to_client");
    EXPECT_EQ(con["apci"]["function"], "startdt_con");
    // A TESTFR con nobody asked for is a transaction of its own.
    h.feed(kToServer, u_frame(0x80));
    ASSERT_EQ(h.count(), 2u);
    EXPECT_TRUE(h.tx(1).complete());
}

TEST(Iec104Parser, SFrameCarriesReceiveSequence) {
    Harness h;
    h.feed(kToServer, s_frame(5));
    ASSERT_EQ(h.count(), 1u);
    const auto r = h.record(0);
    EXPECT_EQ(r["apci"]["type"], "S");
    EXPECT_EQ(r["apci"]["rx"], 5);
    EXPECT_FALSE(r["apci"].contains("tx"));
    EXPECT_FALSE(r.contains("asdu"));
}

TEST(Iec104Parser, ShortFloatsWithQualityAndSequenceNumbers) {
    Harness h;
    Bytes objs;
    objs.u24le(1300).f32le(12.5f).u8(0x00);  // IOA 1300, 12.5, QDS good
    objs.u24le(1301).f32le(-1.0f).u8(0x81);  // IOA 1301, -1.0, QDS IV + OV
    // M_ME_NC_1 (13), SQ=0 two objects, COT spont (3), originator 7, common address 3.
    h.feed(kToClient, i_frame(3, 2, 13, 2, 3, 3, objs, 7));
    ASSERT_EQ(h.count(), 1u);
    const Asdu& a = h.asdu(0);
    EXPECT_EQ(a.type_id, 13);
    EXPECT_FALSE(a.sq);
    EXPECT_EQ(a.num_objects, 2);
    EXPECT_EQ(a.cot, 3);
    EXPECT_EQ(a.originator, 7);
    EXPECT_EQ(a.common_address, 3);
    ASSERT_EQ(a.objects.size(), 2u);
    EXPECT_EQ(a.objects[1].ioa, 1301u);
    const auto r = h.record(0);
    EXPECT_EQ(r["apci"]["type"], "I");
    EXPECT_EQ(r["apci"]["tx"], 3);
    EXPECT_EQ(r["apci"]["rx"], 2);
    EXPECT_EQ(r["asdu"]["type"], "M_ME_NC_1");
    EXPECT_EQ(r["asdu"]["cot_name"], "spont");
    EXPECT_EQ(r["asdu"]["objects"][0]["ioa"], 1300);
    EXPECT_DOUBLE_EQ(r["asdu"]["objects"][0]["value"].get<double>(), 12.5);
    EXPECT_EQ(r["asdu"]["objects"][0]["quality"]["iv"], false);
    EXPECT_DOUBLE_EQ(r["asdu"]["objects"][1]["value"].get<double>(), -1.0);
    EXPECT_EQ(r["asdu"]["objects"][1]["quality"]["iv"], true);
    EXPECT_EQ(r["asdu"]["objects"][1]["quality"]["ov"], true);
    EXPECT_TRUE(h.tx(0).events.empty());
}

TEST(Iec104Parser, SequenceOfSinglePointsHasConsecutiveAddresses) {
    Harness h;
    Bytes objs;
    objs.u24le(10010).u8(0x01).u8(0x00).u8(0x11);  // one IOA, three SIQ: on, off, on + BL
    h.feed(kToClient, i_frame(0, 0, 1, 0x80 | 3, 20, 37133, objs));  // SQ=1, inrogen
    const Asdu& a = h.asdu(0);
    EXPECT_TRUE(a.sq);
    ASSERT_EQ(a.objects.size(), 3u);
    EXPECT_EQ(a.objects[0].ioa, 10010u);
    EXPECT_EQ(a.objects[2].ioa, 10012u);
    const auto r = h.record(0);
    EXPECT_EQ(r["asdu"]["cot_name"], "inrogen");
    EXPECT_EQ(r["asdu"]["objects"][0]["value"], 1);
    EXPECT_EQ(r["asdu"]["objects"][1]["value"], 0);
    EXPECT_EQ(r["asdu"]["objects"][2]["quality"]["bl"], true);
    EXPECT_FALSE(r["asdu"]["objects"][2]["quality"].contains("ov"));  // SIQ has no OV
}

TEST(Iec104Parser, MeasuredValueAndCounterElements) {
    Harness h;
    Bytes nva;
    nva.u24le(1).u16le(0x4000).u8(0);  // normalized 0x4000 = 0.5
    h.feed(kToClient, i_frame(0, 0, 9, 1, 3, 1, nva));
    Bytes sva;
    sva.u24le(2).u16le(0xfffb).u8(0x10);  // scaled -5, QDS BL
    h.feed(kToClient, i_frame(1, 0, 11, 1, 3, 1, sva));
    Bytes bcr;
    bcr.u24le(3).u32le(123456).u8(0x20 | 5);  // counter 123456, sequence 5, carry
    h.feed(kToClient, i_frame(2, 0, 15, 1, 37, 1, bcr));
    Bytes vti;
    vti.u24le(4).u8(0x80 | 0x7d).u8(0);  // step position -3 (7-bit 1111101), transient
    h.feed(kToClient, i_frame(3, 0, 5, 1, 3, 1, vti));
    Bytes bsi;
    bsi.u24le(5).u32le(0xa5a5a5a5).u8(0);
    h.feed(kToClient, i_frame(4, 0, 7, 1, 3, 1, bsi));
    Bytes dp;
    dp.u24le(6).u8(0x02).append(cp56());  // M_DP_TB_1: on, with CP56 time
    h.feed(kToClient, i_frame(5, 0, 31, 1, 3, 1, dp));
    ASSERT_EQ(h.count(), 6u);
    EXPECT_DOUBLE_EQ(h.record(0)["asdu"]["objects"][0]["value"].get<double>(), 0.5);
    EXPECT_EQ(h.record(0)["asdu"]["objects"][0]["raw"], 0x4000);
    EXPECT_EQ(h.record(1)["asdu"]["objects"][0]["value"], -5);
    EXPECT_EQ(h.record(1)["asdu"]["objects"][0]["quality"]["bl"], true);
    const auto counter = h.record(2)["asdu"]["objects"][0];
    EXPECT_EQ(counter["value"], 123456);
    EXPECT_EQ(counter["sequence"], 5);
    EXPECT_EQ(counter["carry"], true);
    EXPECT_EQ(counter["invalid"], false);
    EXPECT_EQ(h.record(2)["asdu"]["cot_name"], "reqcogen");
    EXPECT_EQ(h.record(3)["asdu"]["objects"][0]["value"], -3);
    EXPECT_EQ(h.record(3)["asdu"]["objects"][0]["transient"], true);
    EXPECT_EQ(h.record(4)["asdu"]["objects"][0]["value"], 0xa5a5a5a5u);
    const auto dpo = h.record(5)["asdu"]["objects"][0];
    EXPECT_EQ(dpo["value"], 2);
    EXPECT_EQ(dpo["time"], "2009-08-13T10:04:05.123");
    for (std::size_t i = 0; i < h.count(); ++i) EXPECT_TRUE(h.tx(i).events.empty()) << i;
}

TEST(Iec104Parser, SelectAndExecutePairWithConfirmations) {
    Harness h;
    Bytes select;
    select.u24le(4500).u8(0x81);  // SCO: S/E = select, SCS = on
    Bytes execute;
    execute.u24le(4500).u8(0x01);                           // SCO: execute, on
    h.feed(kToServer, i_frame(0, 0, 45, 1, 6, 3, select));  // act
    h.feed(kToClient, i_frame(0, 1, 45, 1, 7, 3, select));  // actcon ends the select
    ASSERT_EQ(h.count(), 1u);
    EXPECT_TRUE(h.tx(0).complete());
    h.feed(kToServer, i_frame(1, 1, 45, 1, 6, 3, execute));  // act
    h.feed(kToClient, i_frame(1, 2, 45, 1, 7, 3, execute));  // actcon
    ASSERT_EQ(h.count(), 2u);
    EXPECT_FALSE(h.tx(1).complete());
    h.feed(kToClient, i_frame(2, 2, 45, 1, 10, 3, execute));  // actterm
    ASSERT_EQ(h.count(), 2u);
    EXPECT_TRUE(h.tx(1).complete());
    EXPECT_EQ(h.tx(1).records_ready, 3u);
    const auto sel = h.record(0, 0)["asdu"]["objects"][0];
    EXPECT_EQ(sel["select"], true);
    EXPECT_EQ(sel["value"], 1);
    EXPECT_EQ(sel["qu"], 0);
    EXPECT_EQ(h.record(1, 2)["asdu"]["cot_name"], "actterm");
    EXPECT_EQ(h.record(1, 2)["direction"], "to_client");
    // The alert object is the command, with its answers.
    const auto alert = h.alert(1);
    EXPECT_EQ(alert["asdu"]["cot_name"], "act");
    ASSERT_EQ(alert["responses"].size(), 2u);
    EXPECT_EQ(alert["responses"][0]["asdu"]["cot_name"], "actcon");
    EXPECT_EQ(alert["responses"][1]["asdu"]["cot_name"], "actterm");
    // A confirmation for another IOA does not pair.
    Bytes other;
    other.u24le(4501).u8(0x01);
    h.feed(kToClient, i_frame(3, 2, 45, 1, 7, 3, other));
    EXPECT_EQ(h.count(), 3u);
}

TEST(Iec104Parser, NegativeConfirmationEndsCommand) {
    Harness h;
    Bytes sp;
    sp.u24le(5020).f32le(42.0f).u8(0x00);  // C_SE_NC_1 set-point 42.0, QOS execute, QL 0
    h.feed(kToServer, i_frame(0, 0, 50, 1, 6, 3, sp));
    h.feed(kToClient, i_frame(0, 1, 50, 1, 0x40 | 7, 3, sp));  // actcon with P/N negative
    ASSERT_EQ(h.count(), 1u);
    EXPECT_TRUE(h.tx(0).complete());
    const auto r = h.record(0, 1);
    EXPECT_EQ(r["asdu"]["negative"], true);
    EXPECT_EQ(r["asdu"]["cot"], 7);
    EXPECT_DOUBLE_EQ(h.record(0, 0)["asdu"]["objects"][0]["value"].get<double>(), 42.0);
    EXPECT_EQ(h.record(0, 0)["asdu"]["objects"][0]["select"], false);
}

TEST(Iec104Parser, SystemCommands) {
    Harness h;
    Bytes gi;
    gi.u24le(0).u8(20);  // QOI 20: station interrogation
    h.feed(kToServer, i_frame(0, 0, 100, 1, 6, 1, gi));
    h.feed(kToClient, i_frame(0, 1, 100, 1, 7, 1, gi));
    EXPECT_FALSE(h.tx(0).complete());  // an interrogation ends with its actterm
    h.feed(kToClient, i_frame(1, 1, 100, 1, 10, 1, gi));
    EXPECT_TRUE(h.tx(0).complete());
    EXPECT_EQ(h.record(0)["asdu"]["objects"][0]["qoi"], 20);
    Bytes cs;
    cs.u24le(0).append(cp56());
    h.feed(kToServer, i_frame(1, 2, 103, 1, 6, 1, cs));
    h.feed(kToClient, i_frame(2, 2, 103, 1, 7, 1, cs));
    ASSERT_EQ(h.count(), 2u);
    EXPECT_TRUE(h.tx(1).complete());  // clock sync: no termination follows
    EXPECT_EQ(h.record(1)["asdu"]["objects"][0]["time"], "2009-08-13T10:04:05.123");
    Bytes rp;
    rp.u24le(0).u8(1);  // QRP 1: general reset of process
    h.feed(kToServer, i_frame(2, 3, 105, 1, 6, 1, rp));
    EXPECT_EQ(h.record(2)["asdu"]["objects"][0]["qrp"], 1);
    Bytes ts;
    ts.u24le(0).u16le(0x1234).append(cp56());  // TSC then CP56
    h.feed(kToServer, i_frame(3, 3, 107, 1, 6, 1, ts));
    EXPECT_EQ(h.record(3)["asdu"]["objects"][0]["tsc"], 0x1234);
    Bytes ei;
    ei.u24le(0).u8(0x82);  // COI 2 (remote reset), local parameters changed
    h.feed(kToClient, i_frame(3, 4, 70, 1, 4, 1, ei));
    const auto init = h.record(4)["asdu"];
    EXPECT_EQ(init["type"], "M_EI_NA_1");
    EXPECT_EQ(init["cot_name"], "init");
    EXPECT_EQ(init["objects"][0]["value"], 2);
    EXPECT_EQ(init["objects"][0]["parameters_changed"], true);
    h.finish();
    for (std::size_t i = 0; i < h.count(); ++i) EXPECT_TRUE(h.tx(i).complete()) << i;
}

TEST(Iec104Parser, SplitAndCoalescedApdus) {
    Bytes objs;
    objs.u24le(1).u8(0x01);
    Bytes stream;
    stream.append(u_frame(0x40));                    // TESTFR act
    stream.append(i_frame(0, 0, 1, 1, 3, 1, objs));  // M_SP_NA_1
    stream.append(s_frame(1));
    // One octet at a time.
    Harness bytewise;
    for (std::uint8_t b : stream.data) bytewise.feed(kToServer, ByteSpan(&b, 1));
    EXPECT_EQ(bytewise.count(), 3u);
    // All at once.
    Harness whole;
    whole.feed(kToServer, stream);
    ASSERT_EQ(whole.count(), 3u);
    EXPECT_EQ(whole.asdu(1).objects.at(0).ioa, 1u);
    EXPECT_EQ(whole.record(2)["apci"]["type"], "S");
}

TEST(Iec104Parser, MalformedInputRaisesEvents) {
    Harness h;
    // Junk before an APDU: one event, then the APDU parses.
    Bytes junk;
    junk.u8(0x00).u8(0x11).u8(0x22).append(s_frame(1));
    h.feed(kToServer, junk);
    ASSERT_EQ(h.count(), 1u);
    EXPECT_EQ(h.flow_events().size(), 1u);
    EXPECT_EQ(h.flow_events()[0], "iec104.invalid_start");
    // Unknown type id 90: recorded, objects not parsed.
    Bytes any;
    any.u24le(1).u8(0).u8(0);
    h.feed(kToClient, i_frame(0, 0, 90, 1, 3, 1, any));
    EXPECT_TRUE(h.has_event(1, "iec104.unknown_type"));
    EXPECT_EQ(h.record(1)["asdu"]["type_id"], 90);
    EXPECT_FALSE(h.record(1)["asdu"].contains("type"));
    EXPECT_FALSE(h.record(1)["asdu"].contains("objects"));
    // Two objects announced, one present.
    Bytes one;
    one.u24le(7).f32le(1.0f).u8(0);
    h.feed(kToClient, i_frame(1, 0, 13, 2, 3, 1, one));
    EXPECT_TRUE(h.has_event(2, "iec104.truncated_asdu"));
    EXPECT_EQ(h.asdu(2).objects.size(), 1u);
    // Octets after the announced objects.
    Bytes extra;
    extra.u24le(7).u8(1).u8(0xee);
    h.feed(kToClient, i_frame(2, 0, 1, 1, 3, 1, extra));
    EXPECT_TRUE(h.has_event(3, "iec104.trailing_data"));
    // N(S) jumps from 2 to 9.
    Bytes sp;
    sp.u24le(8).u8(0);
    h.feed(kToClient, i_frame(9, 0, 1, 1, 3, 1, sp));
    EXPECT_TRUE(h.has_event(4, "iec104.unexpected_send_sequence"));
    // U frame with octet 3 set.
    Bytes bad;
    bad.u8(0x68).u8(4).u8(0x07).u8(0).u8(1).u8(0);
    h.feed(kToServer, bad);
    EXPECT_TRUE(h.has_event(5, "iec104.invalid_control"));
    // An I frame without a whole data unit identifier.
    Bytes stub;
    stub.u8(0x68).u8(6).u16le(0).u16le(0).u8(1).u8(1);
    h.feed(kToServer, stub);
    EXPECT_TRUE(h.has_event(6, "iec104.invalid_length"));
    // What is there is recorded: type id 1, VSQ 1; no cause, no common address.
    const auto partial = h.record(6)["asdu"];
    EXPECT_EQ(partial["type_id"], 1);
    EXPECT_EQ(partial["num_objects"], 1);
    EXPECT_FALSE(partial.contains("cot"));
    EXPECT_FALSE(partial.contains("common_address"));
    EXPECT_FALSE(keyword("iec104.common_address", "0")->matches(h.tx(6), kToServer));
    // Length 254: one more than 5.1 allows (a whole ASDU with 248 octets of objects).
    Bytes big;
    big.u8(0x68).u8(254).u16le(0).u16le(0).u8(90).u8(1).u8(3).u8(0).u16le(1);
    for (int i = 0; i < 248; ++i) big.u8(0);
    h.feed(kToServer, big);
    ASSERT_EQ(h.count(), 8u);
    EXPECT_TRUE(h.has_event(7, "iec104.invalid_length"));
}

TEST(Iec104Parser, PendingCommandsAreBounded) {
    Harness h;
    for (unsigned i = 0; i < 40; ++i) {
        Bytes sc;
        sc.u24le(1000 + i).u8(0x01);
        h.feed(kToServer, i_frame(i, 0, 45, 1, 6, 1, sc));
    }
    ASSERT_EQ(h.count(), 40u);
    std::size_t open = 0;
    for (std::size_t i = 0; i < h.count(); ++i) open += h.tx(i).complete() ? 0 : 1;
    EXPECT_LE(open, 16u);
    EXPECT_TRUE(h.tx(0).complete());
    h.finish();
    for (std::size_t i = 0; i < h.count(); ++i) EXPECT_TRUE(h.tx(i).complete());
}

TEST(Iec104Parser, UnansweredCommandsExpire) {
    Harness h;
    Bytes sc;
    sc.u24le(4500).u8(0x01);
    h.feed(kToServer, i_frame(0, 0, 45, 1, 6, 3, sc), Timestamp{100, 0});
    Bytes sp;
    sp.u24le(1).u8(0x01);
    h.feed(kToClient, i_frame(0, 1, 1, 1, 3, 3, sp), Timestamp{159, 0});
    EXPECT_FALSE(h.tx(0).complete());  // 59 s: still waiting
    h.feed(kToClient, i_frame(1, 1, 1, 1, 3, 3, sp), Timestamp{161, 0});
    EXPECT_TRUE(h.tx(0).complete());  // 61 s: given up
    // A late confirmation is a transaction of its own.
    h.feed(kToClient, i_frame(2, 1, 45, 1, 7, 3, sc), Timestamp{162, 0});
    EXPECT_EQ(h.count(), 4u);
}

TEST(Iec104Keywords, MatchApdusOfTheInspectedDirection) {
    Harness h;
    Bytes sc;
    sc.u24le(4500).u8(0x01);
    h.feed(kToServer, i_frame(0, 0, 45, 1, 6, 3, sc));
    h.feed(kToClient, i_frame(0, 1, 45, 1, 7, 3, sc));
    const auto& tx = h.tx(0);
    EXPECT_TRUE(keyword("iec104.typeid", "45")->matches(tx, kToServer));
    EXPECT_TRUE(keyword("iec104.typeid", "C_SC_NA_1")->matches(tx, kToServer));
    EXPECT_TRUE(keyword("iec104.typeid", "c_sc_na_1")->matches(tx, kToServer));
    EXPECT_FALSE(keyword("iec104.typeid", "!C_SC_NA_1")->matches(tx, kToServer));
    EXPECT_TRUE(keyword("iec104.typeid", "44<>50")->matches(tx, kToServer));
    EXPECT_FALSE(keyword("iec104.typeid", ">45")->matches(tx, kToServer));
    EXPECT_TRUE(keyword("iec104.cot", "act")->matches(tx, kToServer));
    EXPECT_FALSE(keyword("iec104.cot", "actcon")->matches(tx, kToServer));
    EXPECT_TRUE(keyword("iec104.cot", "actcon")->matches(tx, kToClient));
    EXPECT_TRUE(keyword("iec104.cot", "7")->matches(tx, kToClient));
    // The object's address is 4500; ranges exclude their ends, as Suricata's do.
    EXPECT_TRUE(keyword("iec104.ioa", "4000-4501")->matches(tx, kToServer));
    EXPECT_FALSE(keyword("iec104.ioa", "4000-4500")->matches(tx, kToServer));
    EXPECT_FALSE(keyword("iec104.ioa", "4000<>4500")->matches(tx, kToServer));
    EXPECT_FALSE(keyword("iec104.ioa", "4501-5000")->matches(tx, kToServer));
    EXPECT_TRUE(keyword("iec104.common_address", ">2")->matches(tx, kToServer));
    EXPECT_FALSE(keyword("iec104.common_address", "4")->matches(tx, kToServer));
    EXPECT_TRUE(keyword("iec104.apci", "i")->matches(tx, kToServer));
    EXPECT_FALSE(keyword("iec104.apci", "U")->matches(tx, kToServer));
    h.feed(kToServer, u_frame(0x10));  // STOPDT act
    EXPECT_TRUE(keyword("iec104.u_function", "stopdt_act")->matches(h.tx(1), kToServer));
    EXPECT_FALSE(keyword("iec104.u_function", "startdt_act")->matches(h.tx(1), kToServer));
    EXPECT_TRUE(keyword("iec104.apci", "u")->matches(h.tx(1), kToServer));
    std::string error;
    EXPECT_EQ(keyword("iec104.typeid", "M_XX", &error), nullptr);
    EXPECT_FALSE(error.empty());
    EXPECT_EQ(keyword("iec104.typeid", "256", &error), nullptr);
    EXPECT_EQ(keyword("iec104.apci", "x", &error), nullptr);
    EXPECT_EQ(keyword("iec104.u_function", "startdt", &error), nullptr);
    EXPECT_EQ(keyword("iec104.ioa", "10-5", &error), nullptr);
}

TEST(Iec104Assets, CommandsAndAddresses) {
    Harness h;
    Bytes sc;
    sc.u24le(4500).u8(0x01);
    h.feed(kToServer, i_frame(0, 0, 45, 1, 6, 37133, sc));
    Bytes rp;
    rp.u24le(0).u8(1);
    h.feed(kToServer, i_frame(1, 0, 105, 1, 6, 37133, rp));
    Bytes gi;
    gi.u24le(0).u8(20);
    h.feed(kToServer, i_frame(2, 0, 100, 1, 6, 0xffff, gi));  // broadcast interrogation
    applayer::DeviceFacts control;
    h.tx(0).describe_devices(control);
    EXPECT_TRUE(control.control);
    EXPECT_FALSE(control.engineering);
    ASSERT_EQ(control.server.size(), 1u);
    EXPECT_EQ(control.server[0].first, "common_address");
    EXPECT_EQ(control.server[0].second, "37133");
    applayer::DeviceFacts reset;
    h.tx(1).describe_devices(reset);
    EXPECT_TRUE(reset.engineering);
    EXPECT_FALSE(reset.control);
    applayer::DeviceFacts broadcast;
    h.tx(2).describe_devices(broadcast);
    EXPECT_FALSE(broadcast.control);
    EXPECT_TRUE(broadcast.server.empty());
    EXPECT_EQ(protocol().client_role, "iec104 controlling station");
    EXPECT_EQ(protocol().server_role, "iec104 controlled station");
}

TEST(Iec104Names, TypesAndCauses) {
    EXPECT_EQ(type_name(1), "M_SP_NA_1");
    EXPECT_EQ(type_name(36), "M_ME_TF_1");
    EXPECT_EQ(type_name(64), "C_BO_TA_1");
    EXPECT_EQ(type_name(107), "C_TS_TA_1");
    EXPECT_EQ(type_name(127), "F_SC_NB_1");
    EXPECT_EQ(type_name(22), "");
    EXPECT_EQ(cot_name(20), "inrogen");
    EXPECT_EQ(cot_name(36), "inro16");
    EXPECT_EQ(cot_name(41), "reqco4");
    EXPECT_EQ(cot_name(47), "unknown_ioa");
    EXPECT_EQ(cot_by_name("per"), 1);
    EXPECT_EQ(*type_by_name("P_ME_NC_1"), 112);
}

}  // namespace
}  // namespace tocsin::proto::iec104
