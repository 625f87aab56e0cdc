// Modbus/TCP parser, pairing, events, EVE records, rule keyword and asset facts. Every frame is
// built byte by byte: the MBAP header from the MODBUS Messaging on TCP/IP Implementation Guide
// V1.0b, 3.1.3 (transaction id, protocol id 0, length = unit id + PDU bytes, unit id), the PDU
// from the worked examples of the MODBUS Application Protocol Specification V1.1b3 (section
// numbers next to each). Expected EVE strings follow Suricata's record (rust/src/modbus/log.rs
// over sawp-modbus): names such as "RdCoils", flags joined with " | ".
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "output/json_writer.h"
#include "proto/modbus/keyword.h"
#include "proto/modbus/message.h"
#include "proto/modbus/modbus.h"
#include "proto/modbus/transaction.h"

namespace tocsin::proto::modbus {
namespace {

using applayer::Direction;

class Bytes {
  public:
    Bytes& u8(unsigned v) {
        data.push_back(static_cast<std::uint8_t>(v));
        return *this;
    }
    Bytes& u16(unsigned v) { return u8(v >> 8).u8(v & 0xff); }
    Bytes& text(std::string_view s) {
        data.insert(data.end(), s.begin(), s.end());
        return *this;
    }
    Bytes& append(const Bytes& other) {
        data.insert(data.end(), other.data.begin(), other.data.end());
        return *this;
    }
    std::vector<std::uint8_t> data;
};

// MBAP header + PDU: transaction id, protocol id, length (unit id + pdu), unit id, pdu.
Bytes frame(unsigned tid, unsigned unit, const Bytes& pdu, unsigned protocol_id = 0) {
    Bytes b;
    b.u16(tid).u16(protocol_id).u16(static_cast<unsigned>(pdu.data.size()) + 1).u8(unit);
    return b.append(pdu);
}

Bytes pdu() {
    return Bytes{};
}

class Harness {
  public:
    Harness() : Harness(applayer::AppLimits{}) {}
    explicit Harness(const applayer::AppLimits& limits)
        : limits_(limits), parser_(make_parser(limits_)) {}

    void feed(Direction dir, const Bytes& b) { feed(dir, ByteSpan(b.data)); }
    void feed(Direction dir, ByteSpan data) {
        applayer::ParseContext ctx(txs_, next_id_, flow_events_, limits_, ++packet_, {});
        parser_->parse(dir, data, ctx);
    }
    void gap(Direction dir) {
        applayer::ParseContext ctx(txs_, next_id_, flow_events_, limits_, ++packet_, {});
        parser_->gap(dir, 10, ctx);
    }
    void finish() {
        applayer::ParseContext ctx(txs_, next_id_, flow_events_, limits_, ++packet_, {});
        parser_->finish(ctx);
    }
    std::size_t count() const { return txs_.size(); }
    const ModbusTransaction& tx(std::size_t i) const {
        return static_cast<const ModbusTransaction&>(*txs_.at(i));
    }
    nlohmann::json record(std::size_t i) const {
        std::string out;
        output::JsonWriter w(out);
        w.begin_object();
        protocol().write_record(tx(i), 0, w);
        w.end_object();
        return nlohmann::json::parse(out).at("modbus");
    }
    bool has_event(std::size_t i, std::string_view name) const {
        for (auto e : tx(i).events)
            if (e == name) return true;
        return false;
    }

  private:
    applayer::AppLimits limits_;
    applayer::Transactions txs_;
    std::uint64_t next_id_ = 0;
    std::vector<std::string_view> flow_events_;
    std::uint64_t packet_ = 0;
    std::unique_ptr<applayer::Parser> parser_;
};

// Spec 6.1 example: read 19 coils from coil 20 (address 0x0013).
Bytes read_coils_request(unsigned tid = 1) {
    return frame(tid, 10, pdu().u8(0x01).u16(0x0013).u16(0x0013));  // FC, start, quantity
}
// Its response: byte count 3, coil status CD 6B 05 (coils 27-20, 35-28, 38-36).
Bytes read_coils_response(unsigned tid = 1) {
    return frame(tid, 10, pdu().u8(0x01).u8(0x03).u8(0xcd).u8(0x6b).u8(0x05));
}

TEST(Modbus, ReadCoilsPairIsOneSuricataRecord) {
    Harness h;
    h.feed(Direction::to_server, read_coils_request());
    ASSERT_EQ(h.count(), 1u);
    EXPECT_FALSE(h.tx(0).complete());  // waits for its response
    EXPECT_EQ(h.tx(0).records_ready, 0u);
    h.feed(Direction::to_client, read_coils_response());
    ASSERT_EQ(h.count(), 1u);
    EXPECT_TRUE(h.tx(0).complete());
    EXPECT_EQ(h.tx(0).records_ready, 1u);
    EXPECT_TRUE(h.tx(0).events.empty());

    const auto j = h.record(0);
    EXPECT_EQ(j["id"], 1);  // Suricata numbers Modbus transactions from 1
    const auto& rq = j["request"];
    EXPECT_EQ(rq["transaction_id"], 1);
    EXPECT_EQ(rq["protocol_id"], 0);
    EXPECT_EQ(rq["unit_id"], 10);
    EXPECT_EQ(rq["function_raw"], 1);
    EXPECT_EQ(rq["function_code"], "RdCoils");
    EXPECT_EQ(rq["access_type"], "READ | COILS");
    EXPECT_EQ(rq["category"], "PUBLIC_ASSIGNED");
    EXPECT_EQ(rq["error_flags"], "NONE");
    EXPECT_EQ(rq["read"]["address"], 19);
    EXPECT_EQ(rq["read"]["quantity"], 19);
    const auto& rs = j["response"];
    EXPECT_EQ(rs["function_code"], "RdCoils");
    EXPECT_EQ(rs["error_flags"], "NONE");
    // CD is not UTF-8: Suricata writes it as the text \xcd, keeps 'k' (6B) and 05.
    EXPECT_EQ(rs["read"]["data"], std::string("\\xcdk\x05"));
}

TEST(Modbus, WriteSingleCoilEchoAndAccessFlags) {
    // Spec 6.5 example: output address 0x00AC set ON (FF00); the response echoes it.
    Harness h;
    h.feed(Direction::to_server, frame(7, 1, pdu().u8(0x05).u16(0x00ac).u16(0xff00)));
    h.feed(Direction::to_client, frame(7, 1, pdu().u8(0x05).u16(0x00ac).u16(0xff00)));
    ASSERT_EQ(h.count(), 1u);
    const auto j = h.record(0);
    // sawp lists every flag whose bits are all set, the composite WRITE_SINGLE last.
    EXPECT_EQ(j["request"]["access_type"], "WRITE | COILS | SINGLE | WRITE_SINGLE");
    EXPECT_EQ(j["request"]["function_code"], "WrSingleCoil");
    EXPECT_EQ(j["request"]["write"]["address"], 172);
    EXPECT_EQ(j["request"]["write"]["data"], 65280);
    EXPECT_EQ(j["response"]["write"]["data"], 65280);
    EXPECT_TRUE(h.tx(0).events.empty());
    applayer::DeviceFacts facts;
    h.tx(0).describe_devices(facts);
    EXPECT_TRUE(facts.control);
    EXPECT_FALSE(facts.engineering);
}

TEST(Modbus, WriteMultipleRegistersAndItsResponse) {
    // Spec 6.12 example: registers 2-3 (address 1, quantity 2, byte count 4) = 000A 0102.
    Harness h;
    h.feed(Direction::to_server,
           frame(3, 1, pdu().u8(0x10).u16(0x0001).u16(0x0002).u8(0x04).u16(0x000a).u16(0x0102)));
    h.feed(Direction::to_client, frame(3, 1, pdu().u8(0x10).u16(0x0001).u16(0x0002)));
    const auto j = h.record(0);
    EXPECT_EQ(j["request"]["access_type"], "WRITE | HOLDING | MULTIPLE | WRITE_MULTIPLE");
    EXPECT_EQ(j["request"]["write"]["address"], 1);
    EXPECT_EQ(j["request"]["write"]["quantity"], 2);
    EXPECT_EQ(j["request"]["write"]["data"], std::string("\x00\x0a\x01\x02", 4));
    // The response's quantity is logged as "data", as Suricata's Write::Other.
    EXPECT_EQ(j["response"]["write"]["address"], 1);
    EXPECT_EQ(j["response"]["write"]["data"], 2);
    EXPECT_FALSE(j["response"]["write"].contains("quantity"));
    EXPECT_TRUE(h.tx(0).events.empty());
}

TEST(Modbus, MaskWriteRegister) {
    // Spec 6.16 example: reference address 4, AND mask 00F2, OR mask 0025; echoed.
    Harness h;
    const Bytes mask = frame(9, 1, pdu().u8(0x16).u16(0x0004).u16(0x00f2).u16(0x0025));
    h.feed(Direction::to_server, mask);
    h.feed(Direction::to_client, mask);
    const auto j = h.record(0);
    EXPECT_EQ(j["request"]["function_code"], "MaskWrReg");
    EXPECT_EQ(j["request"]["access_type"], "WRITE | HOLDING");
    for (const char* side : {"request", "response"}) {
        EXPECT_EQ(j[side]["write"]["address"], 4);
        EXPECT_EQ(j[side]["write"]["and_mask"], 0xf2);
        EXPECT_EQ(j[side]["write"]["or_mask"], 0x25);
    }
}

TEST(Modbus, ReadWriteMultipleRegistersHasReadAndWriteParts) {
    // Spec 6.17 example: read 6 from address 3, write 3 (byte count 6) at address 0x0E.
    Harness h;
    h.feed(Direction::to_server, frame(4, 1,
                                       pdu()
                                           .u8(0x17)
                                           .u16(0x0003)  // read starting address
                                           .u16(0x0006)  // quantity to read
                                           .u16(0x000e)  // write starting address
                                           .u16(0x0003)  // quantity to write
                                           .u8(0x06)     // write byte count
                                           .u16(0x00ff)
                                           .u16(0x00ff)
                                           .u16(0x00ff)));
    Bytes values;
    for (unsigned v : {0x00feu, 0x0acdu, 0x0001u, 0x0003u, 0x000du, 0x00ffu}) values.u16(v);
    h.feed(Direction::to_client, frame(4, 1, pdu().u8(0x17).u8(0x0c).append(values)));
    const auto j = h.record(0);
    EXPECT_EQ(j["request"]["access_type"], "READ | WRITE | HOLDING | MULTIPLE | WRITE_MULTIPLE");
    EXPECT_EQ(j["request"]["read"]["address"], 3);
    EXPECT_EQ(j["request"]["read"]["quantity"], 6);
    EXPECT_EQ(j["request"]["write"]["address"], 14);
    EXPECT_EQ(j["request"]["write"]["quantity"], 3);
    // 00 FF 00 FF 00 FF is not UTF-8: NUL stays, each FF becomes the text \xff.
    EXPECT_EQ(j["request"]["write"]["data"], std::string("\x00\\xff\x00\\xff\x00\\xff", 15));
    EXPECT_EQ(j["response"]["read"]["data"],
              std::string("\x00\\xfe\n\\xcd\x00\x01\x00\x03\x00\r\x00\\xff", 21));
    EXPECT_TRUE(h.tx(0).events.empty());
}

TEST(Modbus, ExceptionResponse) {
    // Read holding registers at 600 answered with 0x83 (FC 3 | 0x80), code 02.
    Harness h;
    h.feed(Direction::to_server, frame(1, 0, pdu().u8(0x03).u16(600).u16(10)));
    h.feed(Direction::to_client, frame(1, 0, pdu().u8(0x83).u8(0x02)));
    ASSERT_EQ(h.count(), 1u);
    const auto j = h.record(0);
    EXPECT_EQ(j["response"]["function_raw"], 131);
    EXPECT_EQ(j["response"]["function_code"], "RdHoldRegs");
    EXPECT_EQ(j["response"]["exception"]["raw"], 2);
    EXPECT_EQ(j["response"]["exception"]["code"], "IllegalDataAddr");
    EXPECT_EQ(j["response"]["error_flags"], "NONE");
    EXPECT_TRUE(h.tx(0).events.empty());
}

TEST(Modbus, DiagnosticsSubfunctionsAndCategories) {
    // Spec 6.8.1: sub-function 4 Force Listen Only Mode, data 0000 (no response comes).
    Harness h;
    h.feed(Direction::to_server, frame(1, 3, pdu().u8(0x08).u16(0x0004).u16(0x0000)));
    // Sub-function 0x16 is reserved.
    h.feed(Direction::to_server, frame(2, 3, pdu().u8(0x08).u16(0x0016).u16(0x0000)));
    h.finish();
    ASSERT_EQ(h.count(), 2u);
    EXPECT_EQ(h.tx(0).records_ready, 1u);  // logged unanswered at flow end
    auto j = h.record(0);
    EXPECT_EQ(j["request"]["function_code"], "Diagnostic");
    EXPECT_EQ(j["request"]["category"], "PUBLIC_ASSIGNED");
    EXPECT_EQ(j["request"]["access_type"], "NONE");
    EXPECT_EQ(j["request"]["diagnostic"]["raw"], 4);
    EXPECT_EQ(j["request"]["diagnostic"]["code"], "ForceListenOnlyMode");
    EXPECT_EQ(j["request"]["diagnostic"]["data"], std::string("\x00\x00", 2));
    EXPECT_FALSE(j.contains("response"));
    j = h.record(1);
    EXPECT_EQ(j["request"]["category"], "RESERVED");
    EXPECT_EQ(j["request"]["diagnostic"]["code"], "Reserved");
    applayer::DeviceFacts facts;
    h.tx(0).describe_devices(facts);
    EXPECT_TRUE(facts.engineering);
    EXPECT_FALSE(facts.control);
}

TEST(Modbus, ReadDeviceIdentificationObjects) {
    // Spec 6.21 example: basic identification (code 01) from object 0.
    Harness h;
    h.feed(Direction::to_server, frame(5, 0xff, pdu().u8(0x2b).u8(0x0e).u8(0x01).u8(0x00)));
    const std::string vendor = "Company identification";
    const std::string product = "Product code XX";
    const std::string revision = "V2.11";
    h.feed(Direction::to_client, frame(5, 0xff,
                                       pdu()
                                           .u8(0x2b)  // FC 43
                                           .u8(0x0e)  // MEI type 14
                                           .u8(0x01)  // read device id code
                                           .u8(0x01)  // conformity level
                                           .u8(0x00)  // more follows: no
                                           .u8(0x00)  // next object id
                                           .u8(0x03)  // number of objects
                                           .u8(0x00)
                                           .u8(static_cast<unsigned>(vendor.size()))
                                           .text(vendor)
                                           .u8(0x01)
                                           .u8(static_cast<unsigned>(product.size()))
                                           .text(product)
                                           .u8(0x02)
                                           .u8(static_cast<unsigned>(revision.size()))
                                           .text(revision)));
    ASSERT_EQ(h.count(), 1u);
    const auto& objects = h.tx(0).response->device_objects;
    ASSERT_EQ(objects.size(), 3u);
    EXPECT_EQ(device_object_name(objects[0].id), "VendorName");
    EXPECT_EQ(objects[0].value, vendor);
    EXPECT_EQ(device_object_name(objects[2].id), "MajorMinorRevision");
    const auto j = h.record(0);
    EXPECT_EQ(j["request"]["function_code"], "MEI");
    EXPECT_EQ(j["request"]["mei"]["code"], "RdDevId");
    EXPECT_EQ(j["response"]["mei"]["raw"], 14);
    EXPECT_EQ(j["response"]["category"], "PUBLIC_ASSIGNED");
    applayer::DeviceFacts facts;
    h.tx(0).describe_devices(facts);
    const applayer::DeviceFacts::Fields expected{
        {"vendor", vendor}, {"product_code", product}, {"revision", revision}};
    EXPECT_EQ(facts.server, expected);
    EXPECT_TRUE(h.tx(0).events.empty());
}

TEST(Modbus, ResponsesOutOfOrderPairByTransactionId) {
    Harness h;
    h.feed(Direction::to_server, read_coils_request(1));
    h.feed(Direction::to_server, frame(2, 10, pdu().u8(0x03).u16(0).u16(1)));
    // Transaction 2 answers first (one register 0x1234), then transaction 1.
    h.feed(Direction::to_client, frame(2, 10, pdu().u8(0x03).u8(0x02).u16(0x1234)));
    EXPECT_FALSE(h.tx(0).complete());
    EXPECT_TRUE(h.tx(1).complete());
    h.feed(Direction::to_client, read_coils_response(1));
    ASSERT_EQ(h.count(), 2u);
    EXPECT_EQ(h.record(0)["response"]["function_code"], "RdCoils");
    EXPECT_EQ(h.record(1)["response"]["function_code"], "RdHoldRegs");
    EXPECT_EQ(h.record(1)["response"]["transaction_id"], 2);
    EXPECT_TRUE(h.tx(1).events.empty());  // 2 bytes for 1 register: no value mismatch
}

TEST(Modbus, ResponseBeforeItsRequestPairsUntilLogged) {
    Harness h;
    h.feed(Direction::to_client, read_coils_response(1));
    ASSERT_EQ(h.count(), 1u);
    EXPECT_TRUE(h.has_event(0, "modbus.unsolicited_response"));
    h.feed(Direction::to_server, read_coils_request(1));
    ASSERT_EQ(h.count(), 1u);  // not logged yet: the request joins it
    EXPECT_EQ(h.record(0)["request"]["read"]["quantity"], 19);
}

TEST(Modbus, SeveralMessagesPerSegmentAndSplitMessages) {
    Bytes both = read_coils_request(1);
    both.append(read_coils_request(2));
    Harness h;
    h.feed(Direction::to_server, both);
    EXPECT_EQ(h.count(), 2u);
    // The two responses, one byte per segment.
    Bytes replies = read_coils_response(1);
    replies.append(read_coils_response(2));
    for (std::uint8_t b : replies.data) h.feed(Direction::to_client, ByteSpan(&b, 1));
    ASSERT_EQ(h.count(), 2u);
    EXPECT_TRUE(h.tx(0).complete());
    EXPECT_TRUE(h.tx(1).complete());
    EXPECT_EQ(h.record(1)["response"]["transaction_id"], 2);
}

TEST(Modbus, MalformedMessagesRaiseSuricataEvents) {
    Harness h;
    // Protocol id 1: parsed, flagged.
    h.feed(Direction::to_server, frame(1, 1, pdu().u8(0x03).u16(0).u16(1), 1));
    EXPECT_TRUE(h.has_event(0, "modbus.invalid_protocol_id"));
    EXPECT_EQ(h.record(0)["request"]["error_flags"], "PROTO_ID");
    // Length 300 (> 254): a header-only message, its 300 announced bytes passed over; the
    // request after them parses.
    Bytes bad;
    bad.u16(2).u16(0).u16(300);
    for (int i = 0; i < 300; ++i) bad.u8(0xee);
    bad.append(read_coils_request(3));
    h.feed(Direction::to_server, bad);
    ASSERT_EQ(h.count(), 3u);
    EXPECT_TRUE(h.has_event(1, "modbus.invalid_length"));
    EXPECT_EQ(h.record(1)["request"]["function_code"], "Unknown");
    EXPECT_EQ(h.record(1)["request"]["category"], "NONE");
    EXPECT_EQ(h.record(2)["request"]["function_code"], "RdCoils");
    EXPECT_TRUE(h.tx(2).events.empty());
    // Read quantity 0 (spec 6.1: 1 to 2000).
    h.feed(Direction::to_server, frame(4, 1, pdu().u8(0x01).u16(0).u16(0)));
    EXPECT_TRUE(h.has_event(3, "modbus.invalid_value"));
    // A response nobody asked for.
    h.feed(Direction::to_client, frame(99, 1, pdu().u8(0x06).u16(1).u16(2)));
    EXPECT_TRUE(h.has_event(4, "modbus.unsolicited_response"));
    // Exception code 9 does not exist (spec 7).
    h.feed(Direction::to_server, frame(5, 1, pdu().u8(0x04).u16(0).u16(1)));
    h.feed(Direction::to_client, frame(5, 1, pdu().u8(0x84).u8(0x09)));
    EXPECT_TRUE(h.has_event(5, "modbus.invalid_exception_code"));
    EXPECT_EQ(h.record(5)["response"]["exception"]["code"], "Unknown");
    // A write echoed with another value.
    h.feed(Direction::to_server, frame(6, 1, pdu().u8(0x06).u16(1).u16(0x1111)));
    h.feed(Direction::to_client, frame(6, 1, pdu().u8(0x06).u16(1).u16(0x2222)));
    EXPECT_TRUE(h.has_event(6, "modbus.value_mismatch"));
    EXPECT_EQ(h.record(6)["response"]["error_flags"], "DATA_VALUE");
    // A request with the exception bit set.
    h.feed(Direction::to_server, frame(7, 1, pdu().u8(0x83).u16(0).u16(1)));
    EXPECT_TRUE(h.has_event(7, "modbus.invalid_function_code"));
    // A response for the pending transaction 7 from another unit.
    h.feed(Direction::to_server, frame(8, 1, pdu().u8(0x03).u16(0).u16(1)));
    h.feed(Direction::to_client, frame(8, 2, pdu().u8(0x03).u8(0x02).u16(0)));
    EXPECT_TRUE(h.has_event(9, "modbus.unsolicited_response"));
    EXPECT_TRUE(h.has_event(9, "modbus.invalid_unit_identifier"));
}

TEST(Modbus, UnassignedUserDefinedAndReservedFunctions) {
    Harness h;
    h.feed(Direction::to_server, frame(1, 1, pdu().u8(30)));  // public, unassigned
    h.feed(Direction::to_server, frame(2, 1, pdu().u8(65)));  // user-defined 65-72
    h.feed(Direction::to_server, frame(3, 1, pdu().u8(90).u8(0x00).u8(0x02)));  // UMAS
    h.finish();
    EXPECT_EQ(h.record(0)["request"]["category"], "PUBLIC_UNASSIGNED");
    EXPECT_EQ(h.record(0)["request"]["function_code"], "Unknown");
    EXPECT_EQ(h.record(1)["request"]["category"], "USER_DEFINED");
    EXPECT_EQ(h.record(2)["request"]["category"], "RESERVED");
    EXPECT_EQ(h.record(2)["request"]["data"], std::string("\x00\x02", 2));
    applayer::DeviceFacts facts;
    h.tx(2).describe_devices(facts);
    EXPECT_TRUE(facts.engineering);
}

TEST(Modbus, FloodLogsTheOldestUnansweredRequests) {
    applayer::AppLimits limits;
    limits.max_transactions = 20;
    Harness h(limits);
    for (unsigned i = 0; i < 19; ++i) h.feed(Direction::to_server, read_coils_request(i));
    ASSERT_EQ(h.count(), 19u);
    for (std::size_t i = 0; i < h.count(); ++i) EXPECT_FALSE(h.tx(i).complete());
    // The cap (the transaction limit less one) is reached: the oldest request is logged
    // unanswered, the new one carries the event.
    h.feed(Direction::to_server, read_coils_request(19));
    ASSERT_EQ(h.count(), 20u);
    EXPECT_TRUE(h.tx(0).complete());
    EXPECT_EQ(h.tx(0).records_ready, 1u);
    EXPECT_FALSE(h.tx(1).complete());
    EXPECT_TRUE(h.has_event(19, "modbus.flooded"));
    EXPECT_FALSE(h.has_event(18, "modbus.flooded"));
    // Nothing was pruned (no output in this harness): now every held transaction is answered
    // or logged except the newest ones; the flow keeps growing only by completing old ones.
    h.feed(Direction::to_server, read_coils_request(20));
    EXPECT_TRUE(h.tx(1).complete());
    EXPECT_FALSE(h.has_event(20, "modbus.flooded"));  // once per episode
}

TEST(Modbus, FloodDropsWhenNothingCanBeLogged) {
    applayer::AppLimits limits;
    limits.max_transactions = 4;
    Harness h(limits);
    // Three answered transactions not yet logged (the harness has no output): the cap is 3.
    for (unsigned i = 0; i < 3; ++i) {
        h.feed(Direction::to_server, read_coils_request(i));
        h.feed(Direction::to_client, read_coils_response(i));
    }
    h.feed(Direction::to_server, read_coils_request(9));
    EXPECT_EQ(h.count(), 3u);  // dropped: memory stays bounded
}

TEST(Modbus, GapResynchronisesOnTheNextHeader) {
    Harness h;
    const Bytes request = read_coils_request(1);
    // Half a request, bytes lost, then half a message (ignored), then a whole request.
    h.feed(Direction::to_server, ByteSpan(request.data).first(5));
    h.gap(Direction::to_server);
    h.feed(Direction::to_server, ByteSpan(request.data).subspan(5));
    EXPECT_EQ(h.count(), 0u);
    h.feed(Direction::to_server, read_coils_request(2));
    ASSERT_EQ(h.count(), 1u);
    EXPECT_EQ(h.tx(0).request->transaction_id, 2);
}

TEST(ModbusProbe, ShapeOnThePortStricterElsewhere) {
    const auto& spec = protocol();
    const Bytes request = read_coils_request();
    EXPECT_EQ(spec.probe(request.data, Direction::to_server, true), applayer::Probe::match);
    EXPECT_EQ(spec.probe(request.data, Direction::to_server, false), applayer::Probe::match);
    EXPECT_EQ(spec.probe(ByteSpan(request.data).first(7), Direction::to_server, true),
              applayer::Probe::need_more);
    // Protocol id 5 is not Modbus; neither is length 0.
    const Bytes other_protocol = frame(1, 1, pdu().u8(0x03).u16(0).u16(1), 5);
    EXPECT_EQ(spec.probe(other_protocol.data, Direction::to_server, true),
              applayer::Probe::no_match);
    Bytes zero_length;
    zero_length.u16(1).u16(0).u16(0).u8(1).u8(3);
    EXPECT_EQ(spec.probe(zero_length.data, Direction::to_server, true), applayer::Probe::no_match);
    // A user-defined function passes on port 502 only.
    const Bytes user = frame(1, 1, pdu().u8(66).u8(1));
    EXPECT_EQ(spec.probe(user.data, Direction::to_server, true), applayer::Probe::match);
    EXPECT_EQ(spec.probe(user.data, Direction::to_server, false), applayer::Probe::no_match);
    // HTTP is not Modbus.
    const std::string http = "GET / HTTP/1.1\r\n\r\n";
    EXPECT_EQ(spec.probe(ByteSpan(reinterpret_cast<const std::uint8_t*>(http.data()), http.size()),
                         Direction::to_server, true),
              applayer::Probe::no_match);
}

// Compiles `rule` and matches it against transaction `i` of `h` on a client packet.
bool rule_matches(std::string_view rule, const Harness& h, std::size_t i) {
    std::string error;
    auto test = compile_modbus_keyword(rule, error);
    EXPECT_NE(test, nullptr) << rule << ": " << error;
    if (test == nullptr) return false;
    return test->matches(h.tx(i), Direction::to_server);
}

TEST(ModbusKeyword, FunctionCategoryAccessUnitAddressValue) {
    Harness h;
    h.feed(Direction::to_server, read_coils_request(1));  // unit 10, coils 20..38 (1-based)
    h.feed(Direction::to_client, read_coils_response(1));
    h.feed(Direction::to_server, frame(2, 3, pdu().u8(0x08).u16(0x0004).u16(0)));       // diag 4
    h.feed(Direction::to_server, frame(3, 1, pdu().u8(0x06).u16(0x0001).u16(0x0003)));  // reg 2=3
    h.feed(Direction::to_server, frame(4, 1, pdu().u8(65)));  // user-defined
    // Multiple coils from address 0x13, 10 coils: CD 01 (spec 6.11 example).
    h.feed(Direction::to_server,
           frame(5, 1, pdu().u8(0x0f).u16(0x0013).u16(0x000a).u8(0x02).u8(0xcd).u8(0x01)));

    EXPECT_TRUE(rule_matches("function 1", h, 0));
    EXPECT_FALSE(rule_matches("function 3", h, 0));
    EXPECT_TRUE(rule_matches("function RdCoils", h, 0));  // Tocsin: the EVE name
    EXPECT_TRUE(rule_matches("function 8, subfunction 4", h, 1));
    EXPECT_FALSE(rule_matches("function 8, subfunction 1", h, 1));
    EXPECT_TRUE(rule_matches("function assigned", h, 0));
    EXPECT_FALSE(rule_matches("function assigned", h, 3));
    EXPECT_TRUE(rule_matches("function !assigned", h, 3));
    EXPECT_TRUE(rule_matches("function user", h, 3));
    EXPECT_TRUE(rule_matches("function all", h, 3));
    EXPECT_TRUE(rule_matches("access read", h, 0));
    EXPECT_TRUE(rule_matches("access read coils", h, 0));
    EXPECT_FALSE(rule_matches("access read holding", h, 0));
    EXPECT_FALSE(rule_matches("access write", h, 0));
    EXPECT_TRUE(rule_matches("access write holding", h, 2));
    EXPECT_TRUE(rule_matches("unit 10", h, 0));
    EXPECT_FALSE(rule_matches("unit 10", h, 1));
    EXPECT_TRUE(rule_matches("unit >9, access read coils", h, 0));
    EXPECT_TRUE(rule_matches("unit <11, function 1", h, 0));
    // Coils 20..38 (address 19 + 1 .. 19 + 19): 15<>25 meets them, 40<>50 does not.
    EXPECT_TRUE(rule_matches("access read coils, address 15<>25", h, 0));
    EXPECT_FALSE(rule_matches("access read coils, address 40<>50", h, 0));
    EXPECT_TRUE(rule_matches("access read, address >30", h, 0));
    // Register 2 (address 1 + 1) written with 3.
    EXPECT_TRUE(rule_matches("access write holding, address 2, value 3", h, 2));
    EXPECT_TRUE(rule_matches("access write, address 2, value <5", h, 2));
    EXPECT_FALSE(rule_matches("access write, address 2, value >5", h, 2));
    EXPECT_FALSE(rule_matches("access write, address 3, value 3", h, 2));
    // Coils 20..29 = CD 01: coil 20 is bit 0 of CD (1), coil 21 bit 1 (0), coil 28 (1).
    EXPECT_TRUE(rule_matches("access write coils, address 20, value 1", h, 4));
    EXPECT_TRUE(rule_matches("access write coils, address 21, value 0", h, 4));
    EXPECT_TRUE(rule_matches("access write coils, address 28, value 1", h, 4));
    EXPECT_TRUE(rule_matches("\"function 1\"", h, 0));
    // Suricata inspects with client packets only.
    std::string error;
    auto test = compile_modbus_keyword("function 1", error);
    ASSERT_NE(test, nullptr);
    EXPECT_FALSE(test->matches(h.tx(0), Direction::to_client));
}

TEST(ModbusKeyword, RejectsWhatSuricataRejects) {
    for (std::string_view bad :
         {"function 0", "function 256", "function bogus", "access write discretes",
          "access write input", "access write, address 1<>5, value 3",
          "access read, address 1, value 3", "unit", "unit 70000", "bogus 1", "function 1 extra",
          "access delete"}) {
        std::string error;
        EXPECT_EQ(compile_modbus_keyword(bad, error), nullptr) << bad;
        EXPECT_FALSE(error.empty()) << bad;
    }
}

TEST(ModbusNames, FlagStringsAsSawpPrintsThem) {
    EXPECT_EQ(access_string(0), "NONE");
    EXPECT_EQ(access_string(access::read | access::discretes), "READ | DISCRETES");
    EXPECT_EQ(access_string(access::read | access::discretes | access::coils),
              "READ | DISCRETES | COILS | BIT_ACCESS_MASK");
    EXPECT_EQ(error_string(error::data_value | error::protocol_id), "DATA_VALUE | PROTO_ID");
    EXPECT_EQ(category_string(category::reserved), "RESERVED");
    EXPECT_EQ(function_name(43), "MEI");
    EXPECT_EQ(function_name(24), "RdFIFOQueue");
    EXPECT_EQ(function_name(90), "Unknown");
    EXPECT_EQ(diagnostic_name(10), "ClearCtrDiagReg");
    EXPECT_EQ(diagnostic_name(5), "Reserved");
    EXPECT_EQ(exception_name(11), "GatewayTargetFailToResp");
    EXPECT_EQ(mei_name(13), "CANOpenGenRefReqResp");
}

}  // namespace
}  // namespace tocsin::proto::modbus
