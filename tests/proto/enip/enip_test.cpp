// EtherNet/IP parser, pairing, keywords, asset facts and EVE records. Messages are built byte
// by byte from ODVA "The CIP Networks Library": Vol 2 table 2-3.1 (encapsulation header),
// 2-4.3 (ListIdentity reply and its identity item, table 2-4.4), 2-6 (Common Packet Format);
// Vol 1 2-4.1/2-4.2 (Message Router request/response), appendix C-1.4 (EPATH segments),
// A-4.10 (Multiple Service Packet), 3-5.5 (Forward Open, Unconnected Send). Expected values
// are the fields written into the bytes, and the EVE names suricata-verify's enip tests
// expect (enip-log-identity: command "list_identity", status "success", revision "4.3").
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "output/json_writer.h"
#include "proto/enip/enip.h"
#include "proto/enip/keywords.h"
#include "proto/enip/message.h"
#include "proto/enip/transaction.h"

namespace tocsin::proto::enip {
namespace {

using applayer::Direction;

class Bytes {
  public:
    Bytes& u8(unsigned v) {
        data.push_back(static_cast<std::uint8_t>(v));
        return *this;
    }
    Bytes& u16(unsigned v) { return u8(v & 0xff).u8(v >> 8); }  // little-endian
    Bytes& u32(std::uint32_t v) { return u16(v & 0xffff).u16(v >> 16); }
    Bytes& be16(unsigned v) { return u8(v >> 8).u8(v & 0xff); }
    Bytes& text(std::string_view s) {
        data.insert(data.end(), s.begin(), s.end());
        return *this;
    }
    Bytes& bytes(const Bytes& b) {
        data.insert(data.end(), b.data.begin(), b.data.end());
        return *this;
    }
    std::size_t size() const { return data.size(); }
    std::vector<std::uint8_t> data;
};

// Encapsulation header (Vol 2 table 2-3.1) then `body`.
Bytes encap(unsigned command, const Bytes& body, std::uint32_t session = 0,
            std::uint32_t status = 0, std::uint32_t context_low = 0) {
    Bytes b;
    b.u16(command).u16(static_cast<unsigned>(body.size())).u32(session).u32(status);
    b.u32(context_low).u32(0);  // sender context, 8 bytes
    b.u32(0);                   // options
    return b.bytes(body);
}

// SendRRData / SendUnitData body: interface handle, timeout, then the CPF items.
Bytes cpf(const std::vector<std::pair<unsigned, Bytes>>& items) {
    Bytes b;
    b.u32(0).u16(0).u16(static_cast<unsigned>(items.size()));
    for (const auto& [type, data] : items)
        b.u16(type).u16(static_cast<unsigned>(data.size())).bytes(data);
    return b;
}

// A request: service, path size in words, path, data.
Bytes request(unsigned service, const Bytes& path, const Bytes& data = {}) {
    Bytes b;
    b.u8(service).u8(static_cast<unsigned>(path.size() / 2)).bytes(path);
    return b.bytes(data);
}
Bytes response(unsigned service, unsigned status, const Bytes& data = {},
               const Bytes& extended = {}) {
    Bytes b;
    b.u8(service | 0x80).u8(0).u8(status).u8(static_cast<unsigned>(extended.size() / 2));
    return b.bytes(extended).bytes(data);
}
Bytes path8(unsigned cls, unsigned instance) {
    return Bytes().u8(0x20).u8(cls).u8(0x24).u8(instance);
}
Bytes connected(unsigned connection, unsigned sequence, const Bytes& cip, unsigned command = 0x70) {
    return encap(command,
                 cpf({{0xA1, Bytes().u32(connection)}, {0xB1, Bytes().u16(sequence).bytes(cip)}}),
                 0x11020100);
}
Bytes unconnected(const Bytes& cip, std::uint32_t session = 0x11020100) {
    return encap(0x6F, cpf({{0x00, Bytes()}, {0xB2, cip}}), session);
}

// The ListIdentity reply of a 1756-ENBT/A (the device of suricata-verify's enip tests):
// vendor 1, device type 12, product code 58, revision 4.3, status 0x0030, serial 0x00524D8E,
// state 3, socket 10.1.1.164:44818.
Bytes identity_reply() {
    Bytes item;
    item.u16(1);                                          // encapsulation protocol version
    item.be16(2).be16(44818).u8(10).u8(1).u8(1).u8(164);  // sockaddr (big-endian)
    item.u32(0).u32(0);                                   // sin_zero
    item.u16(1).u16(12).u16(58).u8(4).u8(3).u16(0x0030).u32(0x00524D8E);
    item.u8(11).text("1756-ENBT/A").u8(3);
    Bytes body;
    body.u16(1).u16(0x0C).u16(static_cast<unsigned>(item.size())).bytes(item);
    return encap(0x63, body);
}

class Harness {
  public:
    explicit Harness(std::size_t max_record = 256 << 10)
        : limits_(with_max_record(max_record)), parser_(protocol().make_parser(limits_)) {}
    static applayer::AppLimits with_max_record(std::size_t n) {
        applayer::AppLimits l;
        l.max_record_bytes = n;
        return l;
    }
    void feed(Direction dir, const Bytes& b) { feed(dir, ByteSpan(b.data)); }
    void feed(Direction dir, ByteSpan data) {
        applayer::ParseContext ctx(txs_, next_id_, events_, limits_, ++packet_, {});
        parser_->parse(dir, data, ctx);
    }
    void gap(Direction dir) {
        applayer::ParseContext ctx(txs_, next_id_, events_, limits_, ++packet_, {});
        parser_->gap(dir, 10, ctx);
    }
    void finish() {
        applayer::ParseContext ctx(txs_, next_id_, events_, limits_, ++packet_, {});
        parser_->finish(ctx);
    }
    std::size_t count() const { return txs_.size(); }
    const std::vector<std::string_view>& flow_events() const { return events_; }
    const EnipTransaction& tx(std::size_t i) const {
        return dynamic_cast<const EnipTransaction&>(*txs_.at(i));
    }
    nlohmann::json record(std::size_t i) const {
        std::string text;
        output::JsonWriter w(text);
        w.begin_object();
        protocol().write_record(*txs_.at(i), 0, w);
        w.end_object();
        return nlohmann::json::parse(text);
    }
    bool keyword(std::string_view name, std::string_view value, std::size_t i,
                 Direction dir) const {
        for (const auto& k : protocol().keywords) {
            if (k.name != name) continue;
            std::string error;
            auto test = k.compile(value, error);
            EXPECT_NE(test, nullptr) << name << ": " << error;
            return test != nullptr && test->matches(*txs_.at(i), dir);
        }
        ADD_FAILURE() << "no keyword " << name;
        return false;
    }

  private:
    applayer::AppLimits limits_;
    std::unique_ptr<applayer::Parser> parser_;
    applayer::Transactions txs_;
    std::uint64_t next_id_ = 0;
    std::vector<std::string_view> events_;
    std::uint64_t packet_ = 0;
};

TEST(EnipParser, ListIdentityRequestAndReply) {
    Harness h;
    h.feed(Direction::to_server, encap(0x63, Bytes()));
    h.feed(Direction::to_client, identity_reply());
    ASSERT_EQ(h.count(), 1u);
    const auto& tx = h.tx(0);
    ASSERT_TRUE(tx.complete());
    EXPECT_EQ(tx.records_ready, 1u);
    const Identity* id = tx.response->identity();
    ASSERT_NE(id, nullptr);
    EXPECT_EQ(id->vendor_id, 1);
    EXPECT_EQ(id->device_type, 12);
    EXPECT_EQ(id->product_code, 58);
    EXPECT_EQ(id->serial, 0x00524D8Eu);
    EXPECT_EQ(id->product_name, "1756-ENBT/A");
    EXPECT_EQ(id->socket_port, 44818);

    const auto r = h.record(0)["enip"];
    EXPECT_EQ(r["request"]["command"], "list_identity");
    EXPECT_EQ(r["response"]["status"], "success");
    EXPECT_EQ(r["response"]["identity"]["revision"], "4.3");
    EXPECT_EQ(r["response"]["identity"]["vendor_id"], "Rockwell Automation/Allen-Bradley");
    EXPECT_EQ(r["response"]["identity"]["device_type"], "Communications Adapter");
    EXPECT_EQ(r["response"]["identity"]["product_name"], "1756-ENBT/A");
    EXPECT_EQ(r["response"]["identity"]["serial"], 0x00524D8E);
    EXPECT_EQ(r["response"]["identity"]["socket_address"], "10.1.1.164");

    // suricata-verify enip-keywords-suricata8's values.
    EXPECT_TRUE(h.keyword("enip.revision", "0x403", 0, Direction::to_client));
    EXPECT_TRUE(h.keyword("enip.identity_status", "0x30", 0, Direction::to_client));
    EXPECT_TRUE(h.keyword("enip.serial", "0x524D8E", 0, Direction::to_client));
    EXPECT_TRUE(h.keyword("enip.state", "3", 0, Direction::to_client));
    EXPECT_TRUE(h.keyword("enip.product_code", "58", 0, Direction::to_client));
    EXPECT_TRUE(h.keyword("enip.device_type", "12", 0, Direction::to_client));
    EXPECT_TRUE(h.keyword("enip.vendor_id", "1", 0, Direction::to_client));
    EXPECT_TRUE(h.keyword("enip.protocol_version", "1", 0, Direction::to_client));
    EXPECT_FALSE(h.keyword("enip.vendor_id", "2", 0, Direction::to_client));
    EXPECT_TRUE(h.keyword("enip_command", "list_identity", 0, Direction::to_server));
    EXPECT_TRUE(h.keyword("enip_command", "99", 0, Direction::to_client));
    EXPECT_TRUE(h.keyword("enip.status", "success", 0, Direction::to_server));
    const auto name = tx.buffer(0, 0);
    ASSERT_TRUE(name);
    EXPECT_EQ(std::string(name->begin(), name->end()), "1756-ENBT/A");

    applayer::DeviceFacts facts;
    tx.describe_devices(facts);
    auto field = [&](std::string_view key) {
        for (const auto& [k, v] : facts.server)
            if (k == key) return v;
        return std::string();
    };
    EXPECT_EQ(field("vendor"), "Rockwell Automation/Allen-Bradley");
    EXPECT_EQ(field("vendor_id"), "1");
    EXPECT_EQ(field("product"), "1756-ENBT/A");
    EXPECT_EQ(field("revision"), "4.3");
    EXPECT_EQ(field("serial"), "0x00524d8e");
    EXPECT_EQ(field("device_type"), "Communications Adapter");
}

TEST(EnipParser, MessageSplitAcrossSegmentsAndTwoInOne) {
    Harness h;
    const Bytes reg = encap(0x65, Bytes().u16(1).u16(0));  // RegisterSession, version 1
    h.feed(Direction::to_server, ByteSpan(reg.data).first(10));
    EXPECT_EQ(h.count(), 0u);
    h.feed(Direction::to_server, ByteSpan(reg.data).subspan(10));
    ASSERT_EQ(h.count(), 1u);
    // The reply carries the new session handle; two messages in one segment.
    Bytes two = encap(0x65, Bytes().u16(1).u16(0), 0x11020100);
    two.bytes(encap(0x63, Bytes()));
    h.feed(Direction::to_client, two);
    ASSERT_EQ(h.count(), 2u);
    EXPECT_TRUE(h.tx(0).response.has_value());  // paired although sessions differ
    EXPECT_EQ(h.record(0)["enip"]["response"]["register_session"]["protocol_version"], 1);
}

TEST(EnipParser, MultipleServicePacketPairsBySequence) {
    Harness h;
    // MSP to the Message Router (class 2 instance 1) with two Get_Attribute_List requests on
    // Identity (class 1 instance 1), attributes {1, 5} and {7}.
    const Bytes gal1 = request(0x03, path8(1, 1), Bytes().u16(2).u16(1).u16(5));
    const Bytes gal2 = request(0x03, path8(1, 1), Bytes().u16(1).u16(7));
    Bytes msp;
    msp.u16(2).u16(6).u16(static_cast<unsigned>(6 + gal1.size())).bytes(gal1).bytes(gal2);
    h.feed(Direction::to_server, connected(0x1234, 7, request(0x0A, path8(2, 1), msp)));
    h.feed(Direction::to_server, connected(0x1234, 8, request(0x0E, path8(1, 1), Bytes())));
    // Replies: sequence 8 first (its request stays open), then 7.
    h.feed(Direction::to_client, connected(0x5678, 8, response(0x0E, 0, Bytes().u16(1))));
    // The search closes tx 0 (sequence 7, not answered yet: Suricata answers in order) and
    // pairs tx 1.
    ASSERT_EQ(h.count(), 2u);
    EXPECT_TRUE(h.tx(1).response.has_value());
    EXPECT_TRUE(h.tx(0).complete());
    EXPECT_FALSE(h.tx(0).response.has_value());
    Bytes rmsp;
    const Bytes r1 = response(0x03, 0), r2 = response(0x03, 0x14);
    rmsp.u16(2).u16(6).u16(static_cast<unsigned>(6 + r1.size())).bytes(r1).bytes(r2);
    h.feed(Direction::to_client, connected(0x5678, 7, response(0x0A, 0x1E, rmsp)));
    ASSERT_EQ(h.count(), 3u);  // tx 0 was closed: the late reply is a tx of its own

    const CipMessage* m = h.tx(0).request->first_cip();
    ASSERT_NE(m, nullptr);
    ASSERT_EQ(m->multiple.size(), 2u);
    EXPECT_EQ(m->multiple[0].attribute_list, (std::vector<std::uint16_t>{1, 5}));
    EXPECT_EQ(h.tx(0).request->items[1].cip_sequence, 7);
    EXPECT_TRUE(h.keyword("cip_service", "10", 0, Direction::to_server));
    EXPECT_TRUE(h.keyword("cip_service", "3,1,5", 0, Direction::to_server));
    EXPECT_FALSE(h.keyword("cip_service", "3,2", 0, Direction::to_server));
    EXPECT_TRUE(h.keyword("enip.cip_attribute", "5", 0, Direction::to_server));
    EXPECT_TRUE(h.keyword("enip.cip_class", "1", 0, Direction::to_server));
    EXPECT_TRUE(h.keyword("enip.cip_instance", "1", 0, Direction::to_server));
    EXPECT_FALSE(h.keyword("enip.cip_attribute", "6", 0, Direction::to_server));
    EXPECT_TRUE(h.keyword("cip_service", "10", 2, Direction::to_client));
    EXPECT_TRUE(h.keyword("enip.cip_status", "0x14", 2, Direction::to_client));
    EXPECT_TRUE(h.keyword("enip.cip_status", "0x1e", 2, Direction::to_client));
    EXPECT_FALSE(h.keyword("enip.cip_status", "0x01", 2, Direction::to_client));
    const auto r = h.record(2)["enip"]["response"]["cip"];
    EXPECT_EQ(r["service"], "Multiple Service Packet");
    EXPECT_EQ(r["status"], "Embedded Service Error");
    EXPECT_EQ(r["multiple"][1]["status"], "Attribute Not Supported");
    const auto q = h.record(0)["enip"]["request"]["cip"];
    EXPECT_EQ(q["class_name"], "Message Router");
    EXPECT_EQ(q["multiple"][0]["path"][0]["segment_type"], "class");
    EXPECT_EQ(q["sequence"], 7);
}

TEST(EnipParser, InOrderRepliesPairWithTheirRequests) {
    Harness h;
    h.feed(Direction::to_server, connected(1, 1, request(0x0E, path8(1, 1), Bytes())));
    h.feed(Direction::to_client, connected(2, 1, response(0x0E, 0, Bytes().u16(1))));
    h.feed(Direction::to_server, connected(1, 2, request(0x10, path8(1, 1), Bytes().u8(3))));
    h.feed(Direction::to_client, connected(2, 2, response(0x10, 0)));
    ASSERT_EQ(h.count(), 2u);
    EXPECT_TRUE(h.tx(1).complete());
    applayer::DeviceFacts facts;
    h.tx(1).describe_devices(facts);
    EXPECT_TRUE(facts.control);  // Set_Attribute_Single
    EXPECT_FALSE(facts.engineering);
}

TEST(EnipParser, UnconnectedSendCarriesAStop) {
    Harness h;
    // Unconnected Send to the Connection Manager (class 6 instance 1): priority/tick, timeout
    // ticks, the embedded Stop on class 0x8E instance 1, route path: port 1 (backplane), slot 0.
    const Bytes stop = request(0x07, path8(0x8E, 1));
    Bytes data;
    data.u8(0x07).u8(0xE9).u16(static_cast<unsigned>(stop.size())).bytes(stop);
    data.u8(1).u8(0).u8(0x01).u8(0x00);
    h.feed(Direction::to_server, unconnected(request(0x52, path8(6, 1), data)));
    ASSERT_EQ(h.count(), 1u);
    const CipMessage* m = h.tx(0).request->first_cip();
    ASSERT_NE(m, nullptr);
    ASSERT_EQ(m->embedded.size(), 1u);
    EXPECT_EQ(m->embedded[0].service, 0x07);
    ASSERT_EQ(m->route_path.size(), 1u);
    EXPECT_EQ(m->route_path[0].kind, Segment::Kind::port);
    EXPECT_EQ(m->route_path[0].value, 1u);
    EXPECT_EQ(m->route_path[0].text, "0");
    EXPECT_TRUE(h.keyword("cip_service", "7", 0, Direction::to_server));
    EXPECT_TRUE(h.keyword("cip_service", "82", 0, Direction::to_server));
    applayer::DeviceFacts facts;
    h.tx(0).describe_devices(facts);
    EXPECT_TRUE(facts.engineering);
    const auto r = h.record(0)["enip"]["request"]["cip"];
    EXPECT_EQ(r["class_name"], "Connection Manager");
    EXPECT_EQ(r["unconnected_send"]["service"], "Stop");
    EXPECT_EQ(r["unconnected_send"]["route_path"][0]["segment_type"], "port");
}

TEST(EnipParser, ForwardOpenFields) {
    Harness h;
    Bytes fo;
    fo.u8(0x0A).u8(0x0E);               // priority/tick, timeout ticks
    fo.u32(0).u32(0x20000002);          // O->T (chosen by target), T->O connection id
    fo.u16(0x1234).u16(1).u32(0xCAFE);  // connection serial, vendor, originator serial
    fo.u8(3).u8(0).u8(0).u8(0);         // timeout multiplier, reserved
    fo.u32(20000).u16(0x43F4);          // O->T RPI and parameters
    fo.u32(30000).u16(0x43F4);          // T->O RPI and parameters
    fo.u8(0xA3);                        // transport class 3, server, application trigger
    const Bytes conn_path = Bytes().u8(0x01).u8(0x00).u8(0x20).u8(0x02).u8(0x24).u8(0x01);
    fo.u8(3).bytes(conn_path);
    h.feed(Direction::to_server, unconnected(request(0x54, path8(6, 1), fo)));
    const CipMessage* m = h.tx(0).request->first_cip();
    ASSERT_NE(m, nullptr);
    ASSERT_TRUE(m->forward_open);
    EXPECT_EQ(m->forward_open->t2o_connection_id, 0x20000002u);
    EXPECT_EQ(m->forward_open->connection_serial, 0x1234);
    EXPECT_EQ(m->forward_open->o2t_rpi, 20000u);
    EXPECT_EQ(m->forward_open->t2o_rpi, 30000u);
    EXPECT_EQ(m->forward_open->transport, 0xA3);
    ASSERT_EQ(m->forward_open->connection_path.size(), 3u);
    EXPECT_EQ(m->forward_open->connection_path[1].value, 2u);
}

TEST(EnipPath, SegmentFormats) {
    // 16-bit class (0x21, pad, 0x00AC), 32-bit instance (0x26, pad, 0x00012345), 8-bit
    // attribute, ANSI symbol "Tag1" (even: no pad), symbol "abc" (padded), extended port 18
    // with a 4-byte link address.
    Bytes p;
    p.u8(0x21).u8(0).u16(0xAC);
    p.u8(0x26).u8(0).u32(0x12345);
    p.u8(0x30).u8(5);
    p.u8(0x91).u8(4).text("Tag1");
    p.u8(0x91).u8(3).text("abc").u8(0);
    p.u8(0x1F).u8(4).u16(18).u8(10).u8(0).u8(0).u8(1);
    bool complete = false;
    const auto path = parse_path(ByteSpan(p.data), &complete);
    EXPECT_TRUE(complete);
    ASSERT_EQ(path.size(), 6u);
    EXPECT_TRUE(path[0].is_class());
    EXPECT_EQ(path[0].value, 0xACu);
    EXPECT_TRUE(path[1].is_instance());
    EXPECT_EQ(path[1].value, 0x12345u);
    EXPECT_TRUE(path[2].is_attribute());
    EXPECT_EQ(path[3].text, "Tag1");
    EXPECT_EQ(path[4].text, "abc");
    EXPECT_EQ(path[5].kind, Segment::Kind::port);
    EXPECT_EQ(path[5].value, 18u);
    EXPECT_EQ(path[5].text, "10.0.0.1");
    // A reserved logical format stops the path.
    const auto bad = parse_path(ByteSpan(Bytes().u8(0x23).u8(1).data), &complete);
    EXPECT_FALSE(complete);
    EXPECT_TRUE(bad.empty());
}

TEST(EnipParser, MalformedItemsRaiseAnEvent) {
    Harness h;
    // SendRRData claiming two items with only one present.
    Bytes body;
    body.u32(0).u16(0).u16(2).u16(0xB2).u16(2).u8(0x01).u8(0x00);
    h.feed(Direction::to_server, encap(0x6F, body));
    ASSERT_EQ(h.count(), 1u);
    ASSERT_EQ(h.tx(0).events.size(), 1u);
    EXPECT_EQ(h.tx(0).events[0], "enip.invalid_pdu");
}

TEST(EnipParser, GapResynchronisesOnAHeader) {
    Harness h;
    const Bytes msg = unconnected(request(0x01, path8(1, 1)));
    h.feed(Direction::to_server, ByteSpan(msg.data).first(30));
    h.gap(Direction::to_server);
    h.feed(Direction::to_server,
           Bytes().u8(0xFF).u8(0xFF).u8(0xFF).u8(0xFF).u32(0).u32(0).u32(0).u32(0).u32(0).u32(
               0));  // junk, not a header
    EXPECT_EQ(h.count(), 0u);
    h.feed(Direction::to_server, msg);
    EXPECT_EQ(h.count(), 1u);
}

TEST(EnipParser, MessageAboveTheRecordLimitIsSkipped) {
    Harness h(64);
    Bytes big;
    big.u32(0).u16(0).u16(1).u16(0xB2).u16(60);
    for (int i = 0; i < 60; ++i) big.u8(0x01);
    const Bytes msg = unconnected(big);  // 24 + 70 bytes > 64
    h.feed(Direction::to_server, ByteSpan(msg.data).first(40));
    h.feed(Direction::to_server, ByteSpan(msg.data).subspan(40));
    EXPECT_EQ(h.count(), 0u);
    ASSERT_EQ(h.flow_events().size(), 1u);
    EXPECT_EQ(h.flow_events()[0], "enip.invalid_pdu");
    h.feed(Direction::to_server, encap(0x63, Bytes()));  // the next message parses
    EXPECT_EQ(h.count(), 1u);
}

TEST(EnipParser, CaptureStartingWithAReply) {
    Harness h;
    // The first message seen travels to_server but is a CIP reply: the initiator is the PLC.
    h.feed(Direction::to_server, connected(2, 5, response(0x0E, 0, Bytes().u16(1))));
    h.feed(Direction::to_client, connected(1, 6, request(0x05, path8(1, 1))));
    h.feed(Direction::to_server, connected(2, 6, response(0x05, 0)));
    ASSERT_EQ(h.count(), 2u);
    const auto& tx = h.tx(1);
    EXPECT_TRUE(tx.reversed);
    ASSERT_TRUE(tx.request && tx.response);
    EXPECT_TRUE(h.keyword("cip_service", "5", 1, Direction::to_client));  // the request's packet
    EXPECT_EQ(protocol().record_head(tx, 0).dir, Direction::to_client);
}

TEST(EnipParser, IoDatagrams) {
    Harness h;
    // Sequenced address item (connection 0x004B0603, sequence 4166875), connected data of 6
    // bytes: ICSNPP's cip_io.log first row for enip_cip_example.pcap.
    Bytes d;
    d.u16(2).u16(0x8002).u16(8).u32(0x004B0603).u32(4166875);
    d.u16(0xB1).u16(6).u8(0xA5).u8(0x87).u8(0xE8).u8(0x0F).u8(0x03).u8(0x00);
    EXPECT_EQ(protocol().probe(ByteSpan(d.data), Direction::to_server, true),
              applayer::Probe::match);
    EXPECT_EQ(protocol().probe(ByteSpan(d.data), Direction::to_server, false),
              applayer::Probe::no_match);
    h.feed(Direction::to_server, d);
    ASSERT_EQ(h.count(), 1u);
    const auto io = h.record(0)["enip"]["io"];
    EXPECT_EQ(io["connection_id"], 0x004B0603);
    EXPECT_EQ(io["sequence"], 4166875);
    EXPECT_EQ(io["data"], "a587e80f0300");
}

TEST(EnipProbe, HeaderShape) {
    const Bytes list = encap(0x63, Bytes());
    EXPECT_EQ(protocol().probe(ByteSpan(list.data), Direction::to_server, true),
              applayer::Probe::match);
    EXPECT_EQ(protocol().probe(ByteSpan(list.data).first(10), Direction::to_server, true),
              applayer::Probe::need_more);
    std::vector<std::uint8_t> zeros(24, 0);  // a NOP header: only on the port
    EXPECT_EQ(protocol().probe(ByteSpan(zeros), Direction::to_server, true),
              applayer::Probe::match);
    EXPECT_EQ(protocol().probe(ByteSpan(zeros), Direction::to_server, false),
              applayer::Probe::no_match);
    Bytes options = encap(0x63, Bytes());
    options.data[20] = 1;  // options must be 0
    EXPECT_EQ(protocol().probe(ByteSpan(options.data), Direction::to_server, true),
              applayer::Probe::no_match);
    const Bytes reg_bad = encap(0x65, Bytes().u16(1));  // RegisterSession is 4 bytes
    EXPECT_EQ(protocol().probe(ByteSpan(reg_bad.data), Direction::to_server, true),
              applayer::Probe::no_match);
    const Bytes reg = encap(0x65, Bytes().u16(1).u16(0));
    EXPECT_EQ(protocol().probe(ByteSpan(reg.data), Direction::to_server, false),
              applayer::Probe::match);
}

TEST(EnipKeywords, ValueSyntax) {
    // Suricata's own cip_service parser tests.
    auto c = parse_cip_service("12 , 123 , 45678");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->service, 12);
    EXPECT_EQ(c->cls, 123u);
    EXPECT_EQ(c->attribute, 45678u);
    EXPECT_FALSE(parse_cip_service("202"));
    EXPECT_FALSE(parse_cip_service("123,toto"));
    EXPECT_FALSE(parse_cip_service("1,2,3,4"));
    c = parse_cip_service("1,2,!3");
    ASSERT_TRUE(c);
    EXPECT_FALSE(c->attribute);
}

}  // namespace
}  // namespace tocsin::proto::enip
