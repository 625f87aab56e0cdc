// BACnet/IP parser, pairing, keywords, asset facts and EVE records. Datagrams are built byte by
// byte from ASHRAE 135: Annex J (BVLC), clause 6.2 (NPDU), clause 20.1 (APDU headers), clause
// 20.2 (tags: tag number in the high nibble, class bit 0x08, length/value/type in the low
// three bits; opening tag LVT 6, closing tag LVT 7) and clauses 15–16 (service parameters).
#include <gtest/gtest.h>

#include <bit>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "output/json_writer.h"
#include "proto/bacnet/bacnet.h"
#include "proto/bacnet/message.h"
#include "proto/bacnet/names.h"
#include "proto/bacnet/transaction.h"

namespace tocsin::proto::bacnet {
namespace {

using applayer::Direction;
using applayer::Probe;

constexpr Direction kToServer = Direction::to_server;
constexpr Direction kToClient = Direction::to_client;

// Object types and properties used below (clause 21).
constexpr unsigned kAnalogInput = 0;
constexpr unsigned kAnalogValue = 2;
constexpr unsigned kDevice = 8;
constexpr unsigned kFile = 10;
constexpr unsigned kPresentValue = 85;
constexpr unsigned kStatusFlags = 111;
constexpr unsigned kObjectName = 77;
constexpr unsigned kObjectList = 76;
constexpr unsigned kModelName = 70;

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
    Bytes& text(std::string_view s) {
        data.insert(data.end(), s.begin(), s.end());
        return *this;
    }
    // Context tag [n] with short content (length in the LVT field).
    Bytes& ctx(unsigned n, const Bytes& content) {
        u8(n << 4 | 0x08 | static_cast<unsigned>(content.data.size()));
        return append(content);
    }
    Bytes& ctx_u8(unsigned n, unsigned v) { return ctx(n, Bytes().u8(v)); }
    Bytes& ctx_object(unsigned n, unsigned type, unsigned instance) {
        return ctx(n, Bytes().u32(type << 22 | instance));
    }
    Bytes& open(unsigned n) { return u8(n << 4 | 0x0E); }
    Bytes& close(unsigned n) { return u8(n << 4 | 0x0F); }
    // Application tags (20.2.1.4 numbers).
    Bytes& app_unsigned8(unsigned v) { return u8(0x21).u8(v); }
    Bytes& app_unsigned16(unsigned v) { return u8(0x22).u16(v); }
    Bytes& app_real(float f) { return u8(0x44).u32(std::bit_cast<std::uint32_t>(f)); }
    Bytes& app_enum(unsigned v) { return u8(0x91).u8(v); }
    Bytes& app_object(unsigned type, unsigned instance) {
        return u8(0xC4).u32(type << 22 | instance);
    }
    // Character string: tag 7 with the charset octet first (0: UTF-8).
    Bytes& app_string(std::string_view s, unsigned charset = 0) {
        u8(0x70 | 0x05).u8(static_cast<unsigned>(s.size() + 1)).u8(charset);
        return text(s);
    }
    std::vector<std::uint8_t> data;
};

// Original-Unicast-NPDU (0x0A) around an NPDU with control `control` and `apdu`.
Bytes unicast(const Bytes& apdu, unsigned control = 0x00, unsigned function = 0x0A) {
    Bytes b;
    const auto length = static_cast<unsigned>(4 + 2 + apdu.data.size());
    b.u8(0x81).u8(function).u16(length).u8(0x01).u8(control).append(apdu);
    return b;
}

// Confirmed-Request header: PDU type 0, max segments 0 / max APDU 5 (1476), invoke id, service.
Bytes confirmed(unsigned invoke, unsigned service) {
    Bytes b;
    b.u8(0x00).u8(0x05).u8(invoke).u8(service);
    return b;
}
Bytes complex_ack(unsigned invoke, unsigned service) {
    Bytes b;
    b.u8(0x30).u8(invoke).u8(service);
    return b;
}
Bytes unconfirmed(unsigned service) {
    Bytes b;
    b.u8(0x10).u8(service);
    return b;
}

class Harness {
  public:
    Harness() : parser_(make_parser(limits_)) {}
    void feed(Direction dir, const Bytes& b, Timestamp now = {}) {
        applayer::ParseContext ctx(txs_, next_id_, flow_events_, limits_, ++packet_, now);
        parser_->parse(dir, ByteSpan(b.data), ctx);
    }
    void finish() {
        applayer::ParseContext ctx(txs_, next_id_, flow_events_, limits_, ++packet_, {});
        parser_->finish(ctx);
    }
    std::size_t count() const { return txs_.size(); }
    const BacnetTransaction& tx(std::size_t i) const {
        return static_cast<const BacnetTransaction&>(*txs_.at(i));
    }
    nlohmann::json record(std::size_t i, std::size_t n = 0) const {
        std::string out;
        output::JsonWriter w(out);
        w.begin_object();
        protocol().write_record(tx(i), n, w);
        w.end_object();
        return nlohmann::json::parse(out).at("bacnet");
    }
    nlohmann::json alert(std::size_t i) const {
        std::string out;
        output::JsonWriter w(out);
        w.begin_object();
        protocol().write_alert(tx(i), w);
        w.end_object();
        return nlohmann::json::parse(out).at("bacnet");
    }
    const std::vector<std::string_view>& flow_events() const { return flow_events_; }
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

std::unique_ptr<const applayer::TxTest> keyword(std::string_view name, std::string_view value) {
    for (const auto& k : protocol().keywords) {
        if (k.name != name) continue;
        std::string e;
        return k.compile(value, e);
    }
    ADD_FAILURE() << "no keyword " << name;
    return nullptr;
}

Bytes read_property_request(unsigned invoke, unsigned type, unsigned instance, unsigned property) {
    Bytes b = confirmed(invoke, 12);
    b.ctx_object(0, type, instance).ctx_u8(1, property);
    return unicast(b, 0x04);  // expecting reply
}

TEST(BacnetProbe, BvlcHeaderAndLength) {
    const Bytes rp = read_property_request(1, kDevice, 500, kObjectName);
    EXPECT_EQ(protocol().probe(ByteSpan(rp.data), kToServer, true), Probe::match);
    EXPECT_EQ(protocol().probe(ByteSpan(rp.data), kToServer, false), Probe::match);
    Bytes wrong_type = rp;
    wrong_type.data[0] = 0x82;
    EXPECT_EQ(protocol().probe(ByteSpan(wrong_type.data), kToServer, true), Probe::no_match);
    Bytes longer = rp;
    longer.u8(0);  // the BVLC length no longer covers the datagram
    EXPECT_EQ(protocol().probe(ByteSpan(longer.data), kToServer, true), Probe::no_match);
    Bytes version = rp;
    version.data[4] = 2;  // NPDU version must be 1
    EXPECT_EQ(protocol().probe(ByteSpan(version.data), kToServer, true), Probe::no_match);
    Bytes function = rp;
    function.data[1] = 0x20;
    EXPECT_EQ(protocol().probe(ByteSpan(function.data), kToServer, true), Probe::no_match);
}

TEST(BacnetParser, ReadPropertyPairsWithComplexAck) {
    Harness h;
    h.feed(kToServer, read_property_request(7, kAnalogInput, 3, kPresentValue));
    ASSERT_EQ(h.count(), 1u);
    EXPECT_FALSE(h.tx(0).complete());
    Bytes ack = complex_ack(7, 12);
    ack.ctx_object(0, kAnalogInput, 3).ctx_u8(1, kPresentValue).open(3).app_real(21.5f).close(3);
    h.feed(kToClient, unicast(ack));
    ASSERT_EQ(h.count(), 1u);
    EXPECT_TRUE(h.tx(0).complete());
    EXPECT_EQ(h.tx(0).records_ready, 2u);
    const auto req = h.record(0, 0);
    EXPECT_EQ(req["direction"], "to_server");
    EXPECT_EQ(req["bvlc"]["function"], "original-unicast-npdu");
    EXPECT_EQ(req["npdu"]["expecting_reply"], true);
    EXPECT_EQ(req["apdu"]["type"], "confirmed-request");
    EXPECT_EQ(req["apdu"]["invoke_id"], 7);
    EXPECT_EQ(req["apdu"]["service"], "readProperty");
    EXPECT_EQ(req["apdu"]["service_code"], 12);
    EXPECT_EQ(req["apdu"]["objects"][0]["type"], "analog-input");
    EXPECT_EQ(req["apdu"]["objects"][0]["instance"], 3);
    EXPECT_EQ(req["apdu"]["objects"][0]["properties"][0]["name"], "present-value");
    const auto resp = h.record(0, 1);
    EXPECT_EQ(resp["apdu"]["type"], "complex-ack");
    const auto value = resp["apdu"]["objects"][0]["properties"][0]["values"][0];
    EXPECT_EQ(value["type"], "real");
    EXPECT_DOUBLE_EQ(value["value"].get<double>(), 21.5);
    // The alert object is the request, with its answer.
    const auto alert = h.alert(0);
    EXPECT_EQ(alert["apdu"]["type"], "confirmed-request");
    ASSERT_EQ(alert["responses"].size(), 1u);
    EXPECT_EQ(alert["responses"][0]["apdu"]["type"], "complex-ack");
    // An answer with another invoke id is not this request's.
    Bytes other = complex_ack(8, 12);
    other.ctx_object(0, kAnalogInput, 3).ctx_u8(1, kPresentValue).open(3).app_real(1).close(3);
    h.feed(kToClient, unicast(other));
    EXPECT_EQ(h.count(), 2u);
}

TEST(BacnetParser, ArrayIndexAndStrings) {
    Harness h;
    Bytes req = confirmed(1, 12);
    req.ctx_object(0, kDevice, 500).ctx_u8(1, kObjectList).ctx_u8(2, 0);  // index 0
    h.feed(kToServer, unicast(req, 0x04));
    Bytes ack = complex_ack(1, 12);
    ack.ctx_object(0, kDevice, 500).ctx_u8(1, kObjectList).ctx_u8(2, 0);
    ack.open(3).app_unsigned8(12).close(3);
    h.feed(kToClient, unicast(ack));
    const auto p = h.record(0, 1)["apdu"]["objects"][0]["properties"][0];
    EXPECT_EQ(p["array_index"], 0);
    EXPECT_EQ(p["values"][0]["type"], "unsigned");
    EXPECT_EQ(p["values"][0]["value"], 12);
    // ISO 8859-1 (charset 5) "caf\xe9" becomes UTF-8.
    Bytes name = complex_ack(2, 12);
    name.ctx_object(0, kDevice, 500)
        .ctx_u8(1, kObjectName)
        .open(3)
        .app_string("caf\xe9", 5)
        .close(3);
    h.feed(kToClient, unicast(name));
    EXPECT_EQ(h.record(1)["apdu"]["objects"][0]["properties"][0]["values"][0]["value"],
              "caf\xc3\xa9");
}

TEST(BacnetParser, ReadPropertyMultipleWithPropertyError) {
    Harness h;
    Bytes req = confirmed(3, 14);
    req.ctx_object(0, kAnalogInput, 1).open(1).ctx_u8(0, kPresentValue).ctx_u8(0, kStatusFlags);
    req.close(1);
    req.ctx_object(0, kDevice, 500).open(1).ctx_u8(0, kModelName).close(1);
    h.feed(kToServer, unicast(req, 0x04));
    Bytes ack = complex_ack(3, 14);
    ack.ctx_object(0, kAnalogInput, 1).open(1);
    ack.ctx_u8(2, kPresentValue).open(4).app_real(1.5f).close(4);
    // status-flags: bit string, 4 unused bits, all clear.
    ack.ctx_u8(2, kStatusFlags).open(4).u8(0x82).u8(0x04).u8(0x00).close(4);
    ack.close(1);
    // model-name: property error, class property (2), code unknown-property (32).
    ack.ctx_object(0, kDevice, 500).open(1).ctx_u8(2, kModelName).open(5).app_enum(2).app_enum(32);
    ack.close(5).close(1);
    h.feed(kToClient, unicast(ack));
    ASSERT_EQ(h.count(), 1u);
    const auto r = h.record(0, 0)["apdu"];
    ASSERT_EQ(r["objects"].size(), 2u);
    EXPECT_EQ(r["objects"][0]["properties"].size(), 2u);
    EXPECT_EQ(r["objects"][1]["properties"][0]["name"], "model-name");
    const auto a = h.record(0, 1)["apdu"];
    EXPECT_DOUBLE_EQ(a["objects"][0]["properties"][0]["values"][0]["value"].get<double>(), 1.5);
    EXPECT_EQ(a["objects"][0]["properties"][1]["values"][0]["type"], "bit_string");
    EXPECT_EQ(a["objects"][0]["properties"][1]["values"][0]["value"], "0000");
    EXPECT_EQ(a["objects"][1]["properties"][0]["error"]["class"], "property");
    EXPECT_EQ(a["objects"][1]["properties"][0]["error"]["code"], "unknown-property");
    EXPECT_TRUE(h.tx(0).events.empty());
}

TEST(BacnetParser, WritePropertyIsControl) {
    Harness h;
    Bytes req = confirmed(4, 15);
    req.ctx_object(0, kAnalogValue, 2).ctx_u8(1, kPresentValue).open(3).app_real(50.0f).close(3);
    req.ctx_u8(4, 8);  // priority 8
    h.feed(kToServer, unicast(req, 0x04));
    Bytes ack;
    ack.u8(0x20).u8(4).u8(15);  // SimpleACK, invoke 4, writeProperty
    h.feed(kToClient, unicast(ack));
    ASSERT_EQ(h.count(), 1u);
    EXPECT_TRUE(h.tx(0).complete());
    const auto p = h.record(0)["apdu"]["objects"][0]["properties"][0];
    EXPECT_EQ(p["priority"], 8);
    EXPECT_DOUBLE_EQ(p["values"][0]["value"].get<double>(), 50.0);
    EXPECT_EQ(h.record(0, 1)["apdu"]["type"], "simple-ack");
    applayer::DeviceFacts facts;
    h.tx(0).describe_devices(facts);
    EXPECT_TRUE(facts.control);
    EXPECT_FALSE(facts.engineering);
}

TEST(BacnetParser, WritePropertyMultiple) {
    Harness h;
    Bytes req = confirmed(5, 16);
    req.ctx_object(0, kAnalogValue, 1).open(1);
    req.ctx_u8(0, kPresentValue).open(2).app_real(1.0f).close(2);
    req.close(1);
    req.ctx_object(0, kAnalogValue, 2).open(1);
    req.ctx_u8(0, kPresentValue).open(2).app_real(2.0f).close(2).ctx_u8(3, 16);
    req.close(1);
    h.feed(kToServer, unicast(req, 0x04));
    const auto a = h.record(0)["apdu"];
    ASSERT_EQ(a["objects"].size(), 2u);
    EXPECT_EQ(a["objects"][1]["instance"], 2);
    EXPECT_EQ(a["objects"][1]["properties"][0]["priority"], 16);
    EXPECT_TRUE(h.tx(0).events.empty());
}

TEST(BacnetParser, ErrorRejectAbort) {
    Harness h;
    h.feed(kToServer, read_property_request(9, kAnalogInput, 99, kPresentValue));
    Bytes err;
    err.u8(0x50).u8(9).u8(12).app_enum(1).app_enum(31);  // object / unknown-object
    h.feed(kToClient, unicast(err));
    EXPECT_TRUE(h.tx(0).complete());
    const auto e = h.record(0, 1)["apdu"];
    EXPECT_EQ(e["type"], "error");
    EXPECT_EQ(e["error"]["class"], "object");
    EXPECT_EQ(e["error"]["code"], "unknown-object");
    EXPECT_EQ(e["error"]["code_code"], 31);
    h.feed(kToServer, read_property_request(10, kAnalogInput, 1, kPresentValue));
    Bytes reject;
    reject.u8(0x60).u8(10).u8(9);  // unrecognized-service
    h.feed(kToClient, unicast(reject));
    EXPECT_TRUE(h.tx(1).complete());
    EXPECT_EQ(h.record(1, 1)["apdu"]["reason"], "unrecognized-service");
    h.feed(kToServer, read_property_request(11, kAnalogInput, 1, kPresentValue));
    Bytes abort;
    abort.u8(0x71).u8(11).u8(4);  // SRV: from the server; segmentation-not-supported
    h.feed(kToClient, unicast(abort));
    EXPECT_TRUE(h.tx(2).complete());
    EXPECT_EQ(h.record(2, 1)["apdu"]["reason"], "segmentation-not-supported");
    EXPECT_EQ(h.record(2, 1)["apdu"]["server"], true);
}

TEST(BacnetParser, IAmNamesTheDevice) {
    Harness h;
    Bytes iam = unconfirmed(0);
    iam.app_object(kDevice, 1234).app_unsigned16(1476).app_enum(3).app_unsigned8(5);
    h.feed(kToClient, unicast(iam, 0x00, 0x0B));  // Original-Broadcast-NPDU
    ASSERT_EQ(h.count(), 1u);
    EXPECT_TRUE(h.tx(0).complete());
    const auto r = h.record(0);
    EXPECT_EQ(r["bvlc"]["function"], "original-broadcast-npdu");
    EXPECT_EQ(r["apdu"]["service"], "i-Am");
    EXPECT_EQ(r["apdu"]["objects"][0]["instance"], 1234);
    EXPECT_EQ(r["apdu"]["parameters"]["max_apdu_length_accepted"], 1476);
    EXPECT_EQ(r["apdu"]["parameters"]["segmentation_supported_name"], "no-segmentation");
    EXPECT_EQ(r["apdu"]["parameters"]["vendor_id"], 5);
    applayer::DeviceFacts facts;
    h.tx(0).describe_devices(facts);
    ASSERT_GE(facts.server.size(), 3u);
    EXPECT_EQ(facts.server[0], (std::pair<std::string_view, std::string>{"object_id", "1234"}));
    EXPECT_EQ(facts.server[1], (std::pair<std::string_view, std::string>{"vendor_id", "5"}));
    EXPECT_EQ(facts.server[2].first, "vendor");
    EXPECT_TRUE(facts.client.empty());
}

TEST(BacnetParser, WhoIsLimitsAndNetworkLayer) {
    Harness h;
    Bytes whois = unconfirmed(8);
    whois.ctx_u8(0, 100).ctx_u8(1, 200);
    h.feed(kToServer, unicast(whois, 0x00, 0x0B));
    const auto r = h.record(0)["apdu"];
    EXPECT_EQ(r["service"], "who-Is");
    EXPECT_EQ(r["parameters"]["device_instance_low"], 100);
    EXPECT_EQ(r["parameters"]["device_instance_high"], 200);
    // Routed: DNET 0xFFFF (global broadcast, DLEN 0), SNET 5 with a 1-octet SADR, hop 255.
    Bytes routed;
    routed.u8(0x81).u8(0x0B).u16(0);  // length patched below
    routed.u8(0x01).u8(0x28).u16(0xFFFF).u8(0).u16(5).u8(1).u8(0x2A).u8(255);
    routed.append(unconfirmed(8));
    routed.data[3] = static_cast<std::uint8_t>(routed.data.size());
    h.feed(kToServer, routed);
    const auto n = h.record(1)["npdu"];
    EXPECT_EQ(n["dnet"], 65535);
    EXPECT_EQ(n["dadr"], "");
    EXPECT_EQ(n["snet"], 5);
    EXPECT_EQ(n["sadr"], "2a");
    EXPECT_EQ(n["hop_count"], 255);
    EXPECT_FALSE(h.record(1)["apdu"].contains("parameters"));
    // Network layer message: Who-Is-Router-To-Network (0x00), no APDU.
    Bytes net;
    net.u8(0x81).u8(0x0B).u16(7).u8(0x01).u8(0x80).u8(0x00);
    h.feed(kToServer, net);
    EXPECT_EQ(h.record(2)["npdu"]["message"], "who-is-router-to-network");
    EXPECT_FALSE(h.record(2).contains("apdu"));
    for (std::size_t i = 0; i < h.count(); ++i) EXPECT_TRUE(h.tx(i).events.empty()) << i;
}

TEST(BacnetParser, BvlcFunctions) {
    Harness h;
    Bytes reg;
    reg.u8(0x81).u8(0x05).u16(6).u16(60);  // Register-Foreign-Device, TTL 60 s
    h.feed(kToServer, reg);
    Bytes result;
    result.u8(0x81).u8(0x00).u16(6).u16(0x0000);  // BVLC-Result: successful completion
    h.feed(kToClient, result);
    ASSERT_EQ(h.count(), 1u);
    EXPECT_TRUE(h.tx(0).complete());
    EXPECT_EQ(h.record(0, 0)["bvlc"]["ttl"], 60);
    EXPECT_EQ(h.record(0, 1)["bvlc"]["result"], "successful-completion");
    // Forwarded-NPDU: originator 192.168.1.10:47808, then the NPDU.
    Bytes fwd;
    const Bytes who = unconfirmed(8);
    fwd.u8(0x81).u8(0x04).u16(static_cast<unsigned>(4 + 6 + 2 + who.data.size()));
    fwd.u8(192).u8(168).u8(1).u8(10).u16(47808).u8(0x01).u8(0x00).append(who);
    h.feed(kToClient, fwd);
    EXPECT_EQ(h.record(1)["bvlc"]["address"], "192.168.1.10:47808");
    EXPECT_EQ(h.record(1)["apdu"]["service"], "who-Is");
}

TEST(BacnetParser, EngineeringServices) {
    Harness h;
    Bytes reinit = confirmed(1, 20);
    reinit.ctx_u8(0, 0).ctx(1, Bytes().u8(0).text("pw"));  // coldstart, with a password
    h.feed(kToServer, unicast(reinit, 0x04));
    const auto p = h.record(0)["apdu"]["parameters"];
    EXPECT_EQ(p["reinitialized_state_name"], "coldstart");
    EXPECT_EQ(p["password_present"], 1);
    Bytes dcc = confirmed(2, 17);
    dcc.ctx_u8(0, 60).ctx_u8(1, 1);  // 60 minutes, disable
    h.feed(kToServer, unicast(dcc, 0x04));
    EXPECT_EQ(h.record(1)["apdu"]["parameters"]["enable_disable_name"], "disable");
    EXPECT_EQ(h.record(1)["apdu"]["parameters"]["time_duration"], 60);
    Bytes write = confirmed(3, 7);
    write.app_object(kFile, 1).open(0).u8(0x31).u8(0).u8(0x63).u8(0xAA).u8(0xBB).u8(0xCC).close(0);
    h.feed(kToServer, unicast(write, 0x04));
    const auto w = h.record(2)["apdu"];
    EXPECT_EQ(w["objects"][0]["type"], "file");
    EXPECT_EQ(w["parameters"]["start_position"], 0);
    EXPECT_EQ(w["parameters"]["octet_count"], 3);
    for (std::size_t i = 0; i < 3; ++i) {
        applayer::DeviceFacts facts;
        h.tx(i).describe_devices(facts);
        EXPECT_TRUE(facts.engineering) << i;
        EXPECT_TRUE(h.tx(i).events.empty()) << i;
    }
}

TEST(BacnetParser, CovNotification) {
    Harness h;
    Bytes cov = unconfirmed(2);
    cov.ctx_u8(0, 1).ctx_object(1, kDevice, 100).ctx_object(2, kAnalogInput, 5).ctx_u8(3, 0);
    cov.open(4).ctx_u8(0, kPresentValue).open(2).app_real(3.0f).close(2).close(4);
    h.feed(kToClient, unicast(cov));
    const auto a = h.record(0)["apdu"];
    EXPECT_EQ(a["service"], "unconfirmedCOVNotification");
    EXPECT_EQ(a["objects"][0]["type"], "device");  // the initiating device
    EXPECT_EQ(a["objects"][0]["instance"], 100);
    EXPECT_EQ(a["objects"][1]["type"], "analog-input");
    EXPECT_DOUBLE_EQ(a["objects"][1]["properties"][0]["values"][0]["value"].get<double>(), 3.0);
    EXPECT_TRUE(h.tx(0).events.empty());
}

TEST(BacnetParser, SegmentedAckIsOneTransaction) {
    Harness h;
    Bytes req = confirmed(20, 14);
    req.data[0] = 0x02;  // segmented response accepted
    req.ctx_object(0, kDevice, 1).open(1).ctx_u8(0, kObjectList).close(1);
    h.feed(kToServer, unicast(req, 0x04));
    // ComplexACK segment 0 with more to follow, cut mid-value.
    Bytes seg0;
    seg0.u8(0x3C).u8(20).u8(0).u8(2).u8(14);  // SEG|MOR, invoke, seq 0, window 2, RPM
    seg0.ctx_object(0, kDevice, 1).open(1).ctx_u8(2, kObjectList).open(4).app_object(0, 1);
    h.feed(kToClient, unicast(seg0));
    EXPECT_FALSE(h.tx(0).complete());
    Bytes sack;
    sack.u8(0x40).u8(20).u8(0).u8(2);  // Segment-ACK from the client, seq 0
    h.feed(kToServer, unicast(sack));
    Bytes seg1;
    seg1.u8(0x38).u8(20).u8(1).u8(2).u8(14).app_object(0, 2).close(4).close(1);  // last
    h.feed(kToClient, unicast(seg1));
    ASSERT_EQ(h.count(), 1u);
    EXPECT_TRUE(h.tx(0).complete());
    EXPECT_EQ(h.tx(0).records_ready, 4u);
    EXPECT_EQ(h.record(0, 1)["apdu"]["segmented"], true);
    EXPECT_EQ(h.record(0, 1)["apdu"]["more_follows"], true);
    EXPECT_EQ(h.record(0, 2)["apdu"]["type"], "segment-ack");
    EXPECT_EQ(h.record(0, 3)["apdu"]["sequence_number"], 1);
    EXPECT_TRUE(h.tx(0).events.empty());
}

TEST(BacnetParser, MalformedInputRaisesEvents) {
    Harness h;
    Bytes cut = confirmed(1, 12);
    cut.ctx_object(0, kDevice, 1);  // the property identifier is missing
    h.feed(kToServer, unicast(cut, 0x04));
    EXPECT_TRUE(h.has_event(0, "bacnet.malformed_service"));
    Bytes len = read_property_request(2, kDevice, 1, kObjectName);
    len.data[3] += 1;  // BVLC length one more than the datagram
    h.feed(kToServer, len);
    EXPECT_TRUE(h.has_event(1, "bacnet.invalid_bvlc_length"));
    Bytes type;
    type.u8(0x90).u8(0);  // PDU type 9 is not assigned
    h.feed(kToServer, unicast(type));
    EXPECT_TRUE(h.has_event(2, "bacnet.invalid_apdu"));
    // More values than kept: 40 reals in one property.
    Bytes many = complex_ack(50, 12);
    many.ctx_object(0, kAnalogInput, 1).ctx_u8(1, kPresentValue).open(3);
    for (int i = 0; i < 40; ++i) many.app_real(static_cast<float>(i));
    many.close(3);
    h.feed(kToClient, unicast(many));
    EXPECT_TRUE(h.has_event(3, "bacnet.too_many_items"));
    EXPECT_EQ(h.tx(3).messages[0].message.apdu->objects[0].properties[0].values.size(), kMaxValues);
    // Opening tags nested past the bound.
    Bytes deep = complex_ack(51, 12);
    deep.ctx_object(0, kAnalogInput, 1).ctx_u8(1, kPresentValue).open(3);
    for (int i = 0; i < 12; ++i) deep.open(0);
    for (int i = 0; i < 12; ++i) deep.close(0);
    deep.close(3);
    h.feed(kToClient, unicast(deep));
    EXPECT_TRUE(h.has_event(4, "bacnet.malformed_service"));
    // A datagram that is not BVLC at all: a flow event, no transaction.
    Bytes junk;
    junk.text("hello");
    h.feed(kToServer, junk);
    EXPECT_EQ(h.count(), 5u);
    ASSERT_EQ(h.flow_events().size(), 1u);
    EXPECT_EQ(h.flow_events()[0], "bacnet.invalid_bvlc");
}

TEST(BacnetParser, PendingRequestsAreBounded) {
    Harness h;
    for (unsigned i = 0; i < 200; ++i)
        h.feed(kToServer, read_property_request(i, kAnalogInput, i, kPresentValue));
    std::size_t open = 0;
    for (std::size_t i = 0; i < h.count(); ++i) open += h.tx(i).complete() ? 0 : 1;
    EXPECT_LE(open, 64u);
    h.finish();
    for (std::size_t i = 0; i < h.count(); ++i) EXPECT_TRUE(h.tx(i).complete());
}

TEST(BacnetParser, UnansweredRequestsExpire) {
    Harness h;
    h.feed(kToServer, read_property_request(1, kDevice, 1, kObjectName), Timestamp{100, 0});
    h.feed(kToClient, unicast(unconfirmed(8), 0x00, 0x0B), Timestamp{159, 0});
    EXPECT_FALSE(h.tx(0).complete());  // 59 s: still waiting
    h.feed(kToClient, unicast(unconfirmed(8), 0x00, 0x0B), Timestamp{161, 0});
    EXPECT_TRUE(h.tx(0).complete());  // 61 s: given up
}

TEST(BacnetKeywords, ServiceObjectPropertyInstance) {
    Harness h;
    h.feed(kToServer, read_property_request(7, kAnalogInput, 3, kPresentValue));
    Bytes ack = complex_ack(7, 12);
    ack.ctx_object(0, kAnalogInput, 3).ctx_u8(1, kPresentValue).open(3).app_real(1).close(3);
    h.feed(kToClient, unicast(ack));
    const auto& tx = h.tx(0);
    EXPECT_TRUE(keyword("bacnet.service", "readProperty")->matches(tx, kToServer));
    EXPECT_TRUE(keyword("bacnet.service", "readproperty")->matches(tx, kToClient));
    EXPECT_TRUE(keyword("bacnet.service", "12")->matches(tx, kToServer));
    EXPECT_FALSE(keyword("bacnet.service", "writeProperty")->matches(tx, kToServer));
    EXPECT_TRUE(keyword("bacnet.service", "!writeProperty")->matches(tx, kToServer));
    EXPECT_TRUE(keyword("bacnet.object_type", "analog-input")->matches(tx, kToServer));
    EXPECT_TRUE(keyword("bacnet.object_type", "0")->matches(tx, kToServer));
    EXPECT_FALSE(keyword("bacnet.object_type", "device")->matches(tx, kToServer));
    EXPECT_TRUE(keyword("bacnet.property", "present-value")->matches(tx, kToClient));
    EXPECT_TRUE(keyword("bacnet.property", "85")->matches(tx, kToServer));
    EXPECT_FALSE(keyword("bacnet.property", "object-name")->matches(tx, kToServer));
    EXPECT_TRUE(keyword("bacnet.instance", "0-4")->matches(tx, kToServer));  // ends excluded
    EXPECT_FALSE(keyword("bacnet.instance", ">3")->matches(tx, kToServer));
    // who-Is by name is the unconfirmed service 8, not addListElement (confirmed 8).
    Bytes whois = unconfirmed(8);
    h.feed(kToServer, unicast(whois, 0x00, 0x0B));
    Bytes add = confirmed(9, 8);
    add.ctx_object(0, kAnalogInput, 1).ctx_u8(1, kPresentValue).open(3).app_real(1).close(3);
    h.feed(kToServer, unicast(add, 0x04));
    EXPECT_TRUE(keyword("bacnet.service", "who-Is")->matches(h.tx(1), kToServer));
    EXPECT_FALSE(keyword("bacnet.service", "who-Is")->matches(h.tx(2), kToServer));
    EXPECT_TRUE(keyword("bacnet.service", "addListElement")->matches(h.tx(2), kToServer));
    EXPECT_TRUE(keyword("bacnet.service", "8")->matches(h.tx(1), kToServer));
    EXPECT_TRUE(keyword("bacnet.service", "8")->matches(h.tx(2), kToServer));
    EXPECT_EQ(keyword("bacnet.service", "notAService"), nullptr);
    EXPECT_EQ(keyword("bacnet.object_type", "1024"), nullptr);
    EXPECT_EQ(keyword("bacnet.instance", "x"), nullptr);
}

TEST(BacnetNames, Enumerations) {
    EXPECT_EQ(confirmed_service_name(12), "readProperty");
    EXPECT_EQ(confirmed_service_name(20), "reinitializeDevice");
    EXPECT_EQ(unconfirmed_service_name(0), "i-Am");
    EXPECT_EQ(unconfirmed_service_name(9), "utcTimeSynchronization");
    EXPECT_EQ(object_type_name(8), "device");
    EXPECT_EQ(property_name(85), "present-value");
    EXPECT_EQ(property_name(121), "vendor-name");
    EXPECT_EQ(property_name(12), "application-software-version");
    EXPECT_EQ(*property_by_name("Firmware-Revision"), 44u);
    EXPECT_EQ(object_type_by_name("multi-state-value"), 19);
    EXPECT_EQ(error_code_name(32), "unknown-property");
}

}  // namespace
}  // namespace tocsin::proto::bacnet
