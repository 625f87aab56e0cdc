// OPC UA binary parser tests on messages built byte by byte from OPC 10000-6 (UA TCP 7.1,
// secure conversation 6.7, binary encoding 5.2) and the service definitions of OPC 10000-4.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "output/json_writer.h"
#include "proto/opcua/opcua.h"
#include "proto/opcua/transaction.h"

namespace tocsin::proto::opcua {
namespace {

using Bytes = std::vector<std::uint8_t>;
using applayer::Direction;

struct Builder {
    Bytes b;
    Builder& u8(std::uint8_t v) {
        b.push_back(v);
        return *this;
    }
    Builder& u16(std::uint16_t v) {
        for (int i = 0; i < 2; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
        return *this;
    }
    Builder& u32(std::uint32_t v) {
        for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
        return *this;
    }
    Builder& i64(std::int64_t v) {
        for (int i = 0; i < 8; ++i)
            b.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(v) >> (8 * i)));
        return *this;
    }
    Builder& str(std::string_view s) {  // String / ByteString: Int32 length, bytes
        u32(static_cast<std::uint32_t>(s.size()));
        for (char ch : s) b.push_back(static_cast<std::uint8_t>(ch));
        return *this;
    }
    Builder& null_str() { return u32(0xffffffff); }
    Builder& node4(std::uint16_t id) { return u8(0x01).u8(0).u16(id); }  // four-byte NodeId
    Builder& node_string(std::uint16_t ns, std::string_view s) {
        u8(0x03).u16(ns);
        return str(s);
    }
    Builder& raw(const Bytes& more) {
        b.insert(b.end(), more.begin(), more.end());
        return *this;
    }
    // RequestHeader: auth token (two-byte 0), timestamp, handle, diagnostics, audit id,
    // timeout, additional header (null ExtensionObject).
    Builder& request_header(std::uint32_t handle) {
        u8(0x00).u8(0x00);
        i64(132223104004768970LL);  // 2020-01-01T00:00:00.476897Z in 100 ns ticks since 1601
        u32(handle).u32(0).null_str().u32(10000);
        return u8(0x00).u8(0x00).u8(0x00);
    }
    // ResponseHeader: timestamp, handle, service result, no diagnostics, no string table,
    // null additional header.
    Builder& response_header(std::uint32_t handle, std::uint32_t result) {
        i64(0).u32(handle).u32(result).u8(0x00).u32(0);
        return u8(0x00).u8(0x00).u8(0x00);
    }
};

// Header: MessageType(3) ChunkType(1) MessageSize(UInt32, the whole message).
Bytes message(std::string_view type, char chunk, const Bytes& body) {
    Builder m;
    for (char ch : type) m.u8(static_cast<std::uint8_t>(ch));
    m.u8(static_cast<std::uint8_t>(chunk)).u32(static_cast<std::uint32_t>(8 + body.size()));
    return m.raw(body).b;
}

Bytes hello() {
    return message("HEL", 'F',
                   Builder{}
                       .u32(0)      // ProtocolVersion
                       .u32(65535)  // ReceiveBufferSize
                       .u32(65535)  // SendBufferSize
                       .u32(0)      // MaxMessageSize
                       .u32(0)      // MaxChunkCount
                       .str("opc.tcp://plc:4840")
                       .b);
}

// MSG: SecureChannelId, TokenId, SequenceNumber, RequestId, then the service body.
Bytes msg(std::uint32_t request_id, const Bytes& service, char chunk = 'F', std::uint32_t seq = 0) {
    return message(
        "MSG", chunk,
        Builder{}.u32(7).u32(1).u32(seq != 0 ? seq : request_id).u32(request_id).raw(service).b);
}

class Flow {
  public:
    Flow() : parser_(make_parser(limits_)) {}
    void feed(Direction dir, const Bytes& bytes) {
        applayer::ParseContext ctx(txs_, next_id_, events_, limits_, ++packet_, {});
        parser_->parse(dir, ByteSpan(bytes), ctx);
    }
    void gap(Direction dir) {
        applayer::ParseContext ctx(txs_, next_id_, events_, limits_, ++packet_, {});
        parser_->gap(dir, 10, ctx);
    }
    void finish() {
        applayer::ParseContext ctx(txs_, next_id_, events_, limits_, ++packet_, {});
        parser_->finish(ctx);
    }
    std::size_t size() const { return txs_.size(); }
    const OpcuaTransaction& tx(std::size_t i) const {
        return dynamic_cast<const OpcuaTransaction&>(*txs_.at(i));
    }
    nlohmann::json record(std::size_t i) const {
        std::string out;
        output::JsonWriter j(out);
        j.begin_object();
        protocol().write_record(tx(i), 0, j);
        j.end_object();
        return nlohmann::json::parse(out)["opcua"];
    }
    const std::vector<std::string_view>& flow_events() const { return events_; }

  private:
    applayer::AppLimits limits_;
    std::unique_ptr<applayer::Parser> parser_;
    applayer::Transactions txs_;
    std::uint64_t next_id_ = 0;
    std::vector<std::string_view> events_;
    std::uint64_t packet_ = 0;
};

bool has(const std::vector<std::string_view>& events, std::string_view e) {
    return std::find(events.begin(), events.end(), e) != events.end();
}

TEST(Opcua, Probe) {
    const Bytes h = hello();
    EXPECT_EQ(protocol().probe(ByteSpan(h), Direction::to_server, false), applayer::Probe::match);
    const Bytes partial(h.begin(), h.begin() + 3);
    EXPECT_EQ(protocol().probe(ByteSpan(partial), Direction::to_server, false),
              applayer::Probe::need_more);
    const Bytes http = {'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P'};
    EXPECT_EQ(protocol().probe(ByteSpan(http), Direction::to_server, true),
              applayer::Probe::no_match);
    // HEL may not be an intermediate chunk.
    Bytes bad = h;
    bad[3] = 'C';
    EXPECT_EQ(protocol().probe(ByteSpan(bad), Direction::to_server, true),
              applayer::Probe::no_match);
}

TEST(Opcua, HelloAcknowledgePairAndSplitDelivery) {
    Flow f;
    const Bytes h = hello();
    // Delivered in two pieces: the parser waits for the whole message.
    f.feed(Direction::to_server, Bytes(h.begin(), h.begin() + 10));
    EXPECT_EQ(f.size(), 0u);
    f.feed(Direction::to_server, Bytes(h.begin() + 10, h.end()));
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f.tx(0).records_ready, 0u);  // waiting for the ACK
    f.feed(Direction::to_client,
           message("ACK", 'F', Builder{}.u32(0).u32(8192).u32(8192).u32(1 << 20).u32(16).b));
    ASSERT_EQ(f.size(), 1u);
    EXPECT_TRUE(f.tx(0).complete());
    const auto j = f.record(0);
    EXPECT_EQ(j["request"]["message_type"], "HEL");
    EXPECT_EQ(j["request"]["endpoint_url"], "opc.tcp://plc:4840");
    EXPECT_EQ(j["request"]["receive_buffer_size"], 65535);
    EXPECT_EQ(j["response"]["message_type"], "ACK");
    EXPECT_EQ(j["response"]["max_chunk_count"], 16);
    const auto url = f.tx(0).buffer(0, 0);
    ASSERT_TRUE(url);
    EXPECT_EQ(std::string(url->begin(), url->end()), "opc.tcp://plc:4840");
}

TEST(Opcua, OpenSecureChannelNone) {
    Flow f;
    const std::string none = "http://opcfoundation.org/UA/SecurityPolicy#None";
    // OPN: SecureChannelId 0, policy, null certificate and thumbprint, sequence header,
    // OpenSecureChannelRequest (446): header, version, Issue(0), None(1), nonce, lifetime.
    f.feed(Direction::to_server, message("OPN", 'F',
                                         Builder{}
                                             .u32(0)
                                             .str(none)
                                             .null_str()
                                             .null_str()
                                             .u32(51)  // SequenceNumber
                                             .u32(1)   // RequestId
                                             .node4(446)
                                             .request_header(0)
                                             .u32(0)
                                             .u32(0)
                                             .u32(1)
                                             .str("")
                                             .u32(600000)
                                             .b));
    // Response: channel 7, OpenSecureChannelResponse (449) with SecurityToken 7/1.
    f.feed(Direction::to_client, message("OPN", 'F',
                                         Builder{}
                                             .u32(7)
                                             .str(none)
                                             .null_str()
                                             .null_str()
                                             .u32(1)
                                             .u32(1)
                                             .node4(449)
                                             .response_header(0, 0)
                                             .u32(0)
                                             .u32(7)
                                             .u32(1)
                                             .i64(0)
                                             .u32(600000)
                                             .str("")
                                             .b));
    ASSERT_EQ(f.size(), 1u);
    const auto j = f.record(0);
    EXPECT_EQ(j["request"]["security_policy"], none);
    EXPECT_EQ(j["request"]["sender_certificate_length"], -1);
    EXPECT_EQ(j["request"]["sequence_number"], 51);
    EXPECT_EQ(j["request"]["service"]["name"], "OpenSecureChannelRequest");
    EXPECT_EQ(j["request"]["timestamp"], "2020-01-01T00:00:00.476897Z");
    EXPECT_EQ(j["request"]["secure_channel"]["security_mode"], 1);
    EXPECT_EQ(j["response"]["secure_channel_id"], 7);
    EXPECT_EQ(j["response"]["secure_channel"]["token_id"], 1);
    EXPECT_EQ(j["response"]["status"]["name"], "Good");
}

Bytes read_request(std::uint32_t handle) {
    // ReadRequest (631): MaxAge, TimestampsToReturn, ReadValueId[2].
    return Builder{}
        .node4(631)
        .request_header(handle)
        .i64(0)
        .u32(2)
        .u32(2)
        .node_string(1, "the.answer")
        .u32(13)  // Value
        .null_str()
        .u16(0)
        .null_str()  // DataEncoding: QualifiedName (ns 0, null name)
        .node4(2258)
        .u32(13)
        .null_str()
        .u16(0)
        .null_str()
        .b;
}

TEST(Opcua, ReadPairsByRequestIdOutOfOrder) {
    Flow f;
    f.feed(Direction::to_server, msg(10, read_request(100)));
    f.feed(Direction::to_server, msg(11, read_request(101)));
    // Responses in the other order; the second one fails: BadNodeIdUnknown (0x80340000).
    f.feed(Direction::to_client,
           msg(11, Builder{}.node4(634).response_header(101, 0x80340000).u32(0).u32(0).b));
    f.feed(Direction::to_client,
           msg(10, Builder{}.node4(634).response_header(100, 0).u32(0).u32(0).b));
    ASSERT_EQ(f.size(), 2u);
    const auto first = f.record(0);
    EXPECT_EQ(first["request"]["request_handle"], 100);
    EXPECT_EQ(first["response"]["request_handle"], 100);
    ASSERT_EQ(first["request"]["nodes"].size(), 2u);
    EXPECT_EQ(first["request"]["nodes"][0]["node_id"], "ns=1;s=the.answer");
    EXPECT_EQ(first["request"]["nodes"][0]["attribute"], "Value");
    EXPECT_EQ(first["request"]["nodes"][1]["node_id"], "i=2258");
    const auto second = f.record(1);
    EXPECT_EQ(second["response"]["status"]["code"], 0x80340000u);
    EXPECT_EQ(second["response"]["status"]["name"], "BadNodeIdUnknown");

    auto compile = [](std::string_view name, std::string_view value) {
        for (const auto& k : protocol().keywords) {
            if (k.name != name) continue;
            std::string error;
            return k.compile(value, error);
        }
        return std::unique_ptr<const applayer::TxTest>();
    };
    const auto d = Direction::to_client;
    EXPECT_TRUE(compile("opcua.msgtype", "MSG")->matches(f.tx(0), d));
    EXPECT_FALSE(compile("opcua.msgtype", "HEL")->matches(f.tx(0), d));
    EXPECT_TRUE(compile("opcua.service", "ReadRequest")->matches(f.tx(0), d));
    EXPECT_TRUE(compile("opcua.service", "Read")->matches(f.tx(0), d));
    EXPECT_TRUE(compile("opcua.service", "634")->matches(f.tx(0), d));
    EXPECT_FALSE(compile("opcua.service", "Write")->matches(f.tx(0), d));
    EXPECT_TRUE(compile("opcua.status", "BadNodeIdUnknown")->matches(f.tx(1), d));
    EXPECT_FALSE(compile("opcua.status", "BadNodeIdUnknown")->matches(f.tx(0), d));
    EXPECT_TRUE(compile("opcua.status", ">0")->matches(f.tx(1), d));
    EXPECT_EQ(compile("opcua.service", "NoSuchService"), nullptr);
    EXPECT_EQ(compile("opcua.msgtype", "XYZ"), nullptr);
}

TEST(Opcua, WriteIsControlAndLogsTheValue) {
    Flow f;
    // WriteRequest (673): WriteValue[1] = node, Value attribute, null range, DataValue with a
    // Variant Int32 (type 6) of 42.
    f.feed(Direction::to_server, msg(3, Builder{}
                                            .node4(673)
                                            .request_header(9)
                                            .u32(1)
                                            .node_string(2, "Setpoint")
                                            .u32(13)
                                            .null_str()
                                            .u8(0x01)
                                            .u8(6)
                                            .u32(42)
                                            .b));
    f.feed(Direction::to_client,
           msg(3, Builder{}.node4(676).response_header(9, 0).u32(1).u32(0x803B0000).u32(0).b));
    ASSERT_EQ(f.size(), 1u);
    const auto j = f.record(0);
    EXPECT_EQ(j["request"]["nodes"][0]["node_id"], "ns=2;s=Setpoint");
    EXPECT_EQ(j["request"]["nodes"][0]["value"], "42");
    EXPECT_EQ(j["response"]["results"][0]["name"], "BadNotWritable");
    applayer::DeviceFacts facts;
    f.tx(0).describe_devices(facts);
    EXPECT_TRUE(facts.control);
}

TEST(Opcua, CreateSessionDescribesBothEnds) {
    Flow f;
    auto app = [](Builder& b, std::string_view uri, std::string_view product, std::string_view name,
                  std::uint32_t type) -> Builder& {
        b.str(uri).str(product);
        b.u8(0x02).str(name);  // LocalizedText: text only
        return b.u32(type).null_str().null_str().u32(0);
    };
    Builder req;
    req.node4(461).request_header(1);
    app(req, "urn:hmi", "urn:vendor:hmi", "Operator HMI", 1);
    req.str("urn:plc").str("opc.tcp://plc:4840").str("Session1").str("").null_str();
    req.i64(0).u32(0);
    f.feed(Direction::to_server, msg(2, req.b));
    Builder res;
    res.node4(464).response_header(1, 0);
    res.u8(0x02).u16(1).u32(42);  // SessionId ns=1;i=42 (numeric)
    res.u8(0x04).u16(1);          // AuthenticationToken: Guid
    res.raw({0x15, 0x16, 0x12, 0x39, 0x46, 0xf3, 0x34, 0x6d, 0xfe, 0xcf, 0xfc, 0xbf, 0xba, 0xcb,
             0x4c, 0x14});
    res.i64(0).str("").null_str();
    res.u32(1);  // one EndpointDescription
    res.str("opc.tcp://plc:4840");
    app(res, "urn:plc", "http://vendor.example/plc", "Line PLC", 0);
    res.null_str()
        .u32(1)
        .str("http://opcfoundation.org/UA/SecurityPolicy#None")
        .u32(0)
        .null_str()
        .u8(0);
    f.feed(Direction::to_client, msg(2, res.b));
    ASSERT_EQ(f.size(), 1u);
    const auto j = f.record(0);
    EXPECT_EQ(j["request"]["session_name"], "Session1");
    EXPECT_EQ(j["request"]["endpoint_url"], "opc.tcp://plc:4840");
    EXPECT_EQ(j["response"]["session_id"], "ns=1;i=42");
    // Guid: Data1 39121615, Data2 f346, Data3 6d34 (little endian), Data4 as sent.
    EXPECT_EQ(j["response"]["session_authentication_token"],
              "ns=1;g=39121615-f346-6d34-fecf-fcbfbacb4c14");
    EXPECT_EQ(j["response"]["application"]["application_name"], "Line PLC");
    applayer::DeviceFacts facts;
    f.tx(0).describe_devices(facts);
    ASSERT_EQ(facts.server.size(), 2u);
    EXPECT_EQ(facts.server[0].second, "Line PLC");
    EXPECT_EQ(facts.server[1].second, "http://vendor.example/plc");
    ASSERT_EQ(facts.client.size(), 2u);
    EXPECT_EQ(facts.client[0].second, "Operator HMI");
    EXPECT_FALSE(facts.control);
}

TEST(Opcua, ChunksAreJoinedAndAbortsReported) {
    Flow f;
    const Bytes body = read_request(5);
    // Three chunks of one request id: C, C, F, each with its own sequence number.
    const std::size_t third = body.size() / 3;
    f.feed(Direction::to_server, msg(20, Bytes(body.begin(), body.begin() + third), 'C', 1));
    f.feed(Direction::to_server,
           msg(20, Bytes(body.begin() + third, body.begin() + 2 * third), 'C', 2));
    EXPECT_EQ(f.size(), 0u);
    f.feed(Direction::to_server, msg(20, Bytes(body.begin() + 2 * third, body.end()), 'F', 3));
    ASSERT_EQ(f.size(), 1u);
    const auto j = f.record(0);
    EXPECT_EQ(j["request"]["chunks"], 3);
    EXPECT_EQ(j["request"]["service"]["name"], "ReadRequest");
    EXPECT_EQ(j["request"]["nodes"].size(), 2u);
    // An abort chunk: Error StatusCode and Reason instead of the body.
    f.feed(Direction::to_server, msg(21, Bytes(body.begin(), body.begin() + third), 'C', 4));
    f.feed(Direction::to_server, msg(21, Builder{}.u32(0x80800000).str("too large").b, 'A', 5));
    ASSERT_EQ(f.size(), 2u);
    const auto a = f.record(1);
    EXPECT_EQ(a["request"]["aborted"], true);
    EXPECT_EQ(a["request"]["error"]["name"], "BadTcpMessageTooLarge");
    EXPECT_EQ(a["request"]["reason"], "too large");
    EXPECT_TRUE(has(f.tx(1).events, "opcua.chunk_aborted"));
}

TEST(Opcua, SecuredChannelIsEncryptedAndThumbprinted) {
    Flow f;
    // OPN with Basic256Sha256: the sender certificate "abc" (SHA-1 a9993e36... is the FIPS
    // 180 test vector), a 20-byte receiver thumbprint; the rest is encrypted.
    Bytes encrypted(64, 0xa5);
    f.feed(Direction::to_server,
           message("OPN", 'F',
                   Builder{}
                       .u32(0)
                       .str("http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256")
                       .str("abc")
                       .str(std::string(20, '\x01'))
                       .raw(encrypted)
                       .b));
    f.feed(Direction::to_server, message("MSG", 'F', Builder{}.u32(7).u32(1).raw(encrypted).b));
    f.feed(Direction::to_client, message("MSG", 'F', Builder{}.u32(7).u32(1).raw(encrypted).b));
    f.finish();
    ASSERT_EQ(f.size(), 2u);
    const auto opn = f.record(0);
    EXPECT_EQ(opn["request"]["sender_certificate_length"], 3);
    EXPECT_EQ(opn["request"]["sender_certificate_sha1"],
              "a9993e364706816aba3e25717850c26c9cd0d89d");
    EXPECT_EQ(opn["request"]["receiver_thumbprint_length"], 20);
    EXPECT_EQ(opn["request"]["encrypted"], true);
    EXPECT_FALSE(opn["request"].contains("request_id"));
    const auto m = f.record(1);
    EXPECT_EQ(m["request"]["encrypted"], true);
    EXPECT_EQ(m["request"]["token_id"], 1);
    EXPECT_EQ(m["response"]["encrypted"], true);  // paired in order
}

TEST(Opcua, ReversedPickupPairsByContent) {
    Flow f;
    // A midstream pickup that took the server for the client: the request arrives "to_client".
    f.feed(Direction::to_client, msg(4, read_request(1)));
    f.feed(Direction::to_server,
           msg(4, Builder{}.node4(634).response_header(1, 0).u32(0).u32(0).b));
    ASSERT_EQ(f.size(), 1u);
    EXPECT_TRUE(f.tx(0).complete());
    EXPECT_EQ(f.record(0)["request"]["service"]["name"], "ReadRequest");
    EXPECT_EQ(protocol().record_head(f.tx(0), 0).dir, Direction::to_client);
}

TEST(Opcua, MalformedInputIsBounded) {
    Flow f;
    // Not a UA TCP header: an event, then resynchronisation on the next plausible one.
    Bytes junk = {'X', 'Y', 'Z', 'F', 9, 0, 0, 0, 1};
    const Bytes h = hello();
    junk.insert(junk.end(), h.begin(), h.end());
    f.feed(Direction::to_server, junk);
    EXPECT_TRUE(has(f.flow_events(), "opcua.invalid_message_type"));
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f.tx(0).request->type, "HEL");
    // A message larger than max_record_bytes: passed over, not buffered.
    Bytes huge = message("MSG", 'F', {});
    huge[4] = 0;
    huge[5] = 0;
    huge[6] = 0;
    huge[7] = 0x10;  // 256 MiB
    f.feed(Direction::to_client, huge);
    EXPECT_TRUE(has(f.flow_events(), "opcua.message_too_large"));
    // A service body cut short.
    Bytes cut = read_request(1);
    cut.resize(cut.size() - 12);
    f.feed(Direction::to_server, msg(9, cut));
    EXPECT_TRUE(f.tx(1).request->body_truncated);
    EXPECT_TRUE(has(f.tx(1).events, "opcua.malformed_body"));
    // 100 requests never answered: at most 64 wait; the rest are logged early.
    for (std::uint32_t i = 0; i < 100; ++i)
        f.feed(Direction::to_server, msg(100 + i, read_request(i)));
    std::size_t waiting = 0;
    for (std::size_t i = 0; i < f.size(); ++i) waiting += f.tx(i).records_ready == 0 ? 1 : 0;
    EXPECT_LE(waiting, 64u);
    f.finish();
    for (std::size_t i = 0; i < f.size(); ++i) EXPECT_EQ(f.tx(i).records_ready, 1u);
}

TEST(Opcua, Names) {
    EXPECT_EQ(service_name(446), "OpenSecureChannelRequest");
    EXPECT_EQ(service_name(397), "ServiceFault");
    EXPECT_EQ(service_name(829), "PublishResponse");
    EXPECT_EQ(status_name(0x800A0000), "BadTimeout");
    EXPECT_EQ(status_name(0x80250000), "BadSessionIdInvalid");
    EXPECT_EQ(status_name(0x00000000), "Good");
    EXPECT_EQ(attribute_name(13), "Value");
    EXPECT_EQ(*service_id("Read"), 631u);
}

}  // namespace
}  // namespace tocsin::proto::opcua
