// S7comm parser, pairing, records, keywords and asset facts. PDUs are built byte by byte
// from the public descriptions of the protocol (header: protocol id 0x32, ROSCTR, redundancy
// id, PDU reference, parameter and data lengths, error class/code on acks; parameter and data
// layouts per function), each field commented; TPKT/COTP wrap them as RFC 1006 and X.224
// class 0 say.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "output/json_writer.h"
#include "proto/s7comm/s7comm.h"
#include "proto/s7comm/transaction.h"

namespace tocsin::proto::s7comm {
namespace {

using applayer::Direction;

class Bytes {
  public:
    Bytes& u8(unsigned v) {
        data.push_back(static_cast<std::uint8_t>(v));
        return *this;
    }
    Bytes& u16(unsigned v) { return u8(v >> 8).u8(v & 0xFF); }
    Bytes& u24(unsigned v) { return u8(v >> 16).u16(v & 0xFFFF); }
    Bytes& u32(std::uint32_t v) { return u16(v >> 16).u16(v & 0xFFFF); }
    Bytes& text(std::string_view s) {
        for (char c : s) u8(static_cast<unsigned char>(c));
        return *this;
    }
    // `s` padded with `pad` to `n` octets.
    Bytes& padded(std::string_view s, std::size_t n, unsigned pad) {
        text(s);
        for (std::size_t i = s.size(); i < n; ++i) u8(pad);
        return *this;
    }
    Bytes& bytes(const Bytes& b) {
        for (std::uint8_t v : b.data) data.push_back(v);
        return *this;
    }
    std::size_t size() const { return data.size(); }
    std::vector<std::uint8_t> data;
};

// TPKT (version 3, reserved, length) + COTP class 0 DT (LI 2, F0, EOT) around `pdu`.
Bytes tpkt_dt(const Bytes& pdu, bool eot = true) {
    Bytes b;
    b.u8(3).u8(0).u16(static_cast<unsigned>(pdu.size() + 7));
    b.u8(2).u8(0xF0).u8(eot ? 0x80 : 0x00);
    return b.bytes(pdu);
}

// S7 header: 0x32, ROSCTR, redundancy id 0, PDU ref, parameter length, data length; acks
// add error class and code.
Bytes header(unsigned rosctr, unsigned pdu_ref, const Bytes& param, const Bytes& data,
             unsigned error_class = 0, unsigned error_code = 0) {
    Bytes b;
    b.u8(0x32).u8(rosctr).u16(0).u16(pdu_ref);
    b.u16(static_cast<unsigned>(param.size())).u16(static_cast<unsigned>(data.size()));
    if (rosctr == 2 || rosctr == 3) b.u8(error_class).u8(error_code);
    return b.bytes(param).bytes(data);
}

// An S7ANY item: var spec 0x12, length 10, syntax id 0x10, transport size, count, DB,
// area, 24-bit bit address.
Bytes any_item(unsigned tsize, unsigned count, unsigned db, unsigned area, unsigned bit_address) {
    Bytes b;
    b.u8(0x12).u8(0x0A).u8(0x10).u8(tsize).u16(count).u16(db).u8(area).u24(bit_address);
    return b;
}

// Userdata parameters: head 00 01 12, length 4, method 0x11, type 4 (request) | group,
// subfunction, sequence number.
Bytes ud_request_param(unsigned group, unsigned sub, unsigned seq = 0) {
    Bytes b;
    b.u8(0x00).u8(0x01).u8(0x12).u8(4).u8(0x11).u8(0x40 | group).u8(sub).u8(seq);
    return b;
}
// Response parameters: length 8, method 0x12, type 8 | group, subfunction, sequence, data
// unit reference, last data unit (0 last, 1 more follow), error code.
Bytes ud_response_param(unsigned group, unsigned sub, unsigned seq, unsigned ref = 0,
                        unsigned more = 0) {
    Bytes b;
    b.u8(0x00).u8(0x01).u8(0x12).u8(8).u8(0x12).u8(0x80 | group).u8(sub).u8(seq);
    return b.u8(ref).u8(more).u16(0);
}
// Userdata data part: return code, transport size 9 (octet string), length, body.
Bytes ud_data(const Bytes& body, unsigned rc = 0xFF) {
    Bytes b;
    return b.u8(rc).u8(0x09).u16(static_cast<unsigned>(body.size())).bytes(body);
}

class Harness {
  public:
    Harness() : parser_(make_parser(limits_)) {}
    void feed(Direction dir, const Bytes& b) {
        applayer::ParseContext ctx(txs_, next_id_, flow_events_, limits_, ++packet_, {});
        parser_->parse(dir, b.data, ctx);
    }
    void request(const Bytes& pdu) { feed(Direction::to_server, tpkt_dt(pdu)); }
    void response(const Bytes& pdu) { feed(Direction::to_client, tpkt_dt(pdu)); }
    void finish() {
        applayer::ParseContext ctx(txs_, next_id_, flow_events_, limits_, ++packet_, {});
        parser_->finish(ctx);
    }
    std::size_t count() const { return txs_.size(); }
    const S7Transaction& tx(std::size_t i) const {
        return static_cast<const S7Transaction&>(*txs_.at(i));
    }
    nlohmann::json record(std::size_t i) const {
        std::string out;
        output::JsonWriter w(out);
        w.begin_object();
        protocol().write_record(tx(i), 0, w);
        w.end_object();
        return nlohmann::json::parse(out).at("s7comm");
    }
    bool has_event(std::size_t i, std::string_view name) const {
        for (auto e : tx(i).events)
            if (e == name) return true;
        return false;
    }
    bool has_flow_event(std::string_view name) const {
        for (auto e : flow_events_)
            if (e == name) return true;
        return false;
    }
    bool keyword(std::string_view name, std::string_view value, std::size_t i, Direction dir) {
        for (const auto& k : protocol().keywords) {
            if (k.name != name) continue;
            std::string error;
            auto test = k.compile(value, error);
            EXPECT_TRUE(test) << name << ": " << error;
            return test && test->matches(tx(i), dir);
        }
        ADD_FAILURE() << "no keyword " << name;
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

// Setup communication: function F0, reserved, max AmQ calling, max AmQ called, PDU length.
Bytes setup_param(unsigned pdu_length) {
    Bytes b;
    return b.u8(0xF0).u8(0x00).u16(1).u16(1).u16(pdu_length);
}

TEST(S7comm, ProbeNeedsTheFirstDataTpdu) {
    // CR alone: S7 or MMS cannot be told yet.
    Bytes cr;
    cr.u8(3).u8(0).u16(22).u8(17).u8(0xE0).u16(0).u16(1).u8(0);
    cr.u8(0xC1).u8(2).u16(0x0100).u8(0xC2).u8(2).u16(0x0102).u8(0xC0).u8(1).u8(0x0A);
    EXPECT_EQ(protocol().probe(cr.data, Direction::to_server, true), applayer::Probe::need_more);
    Bytes both = cr;
    both.bytes(tpkt_dt(header(1, 1, setup_param(480), {})));
    EXPECT_EQ(protocol().probe(both.data, Direction::to_server, true), applayer::Probe::match);
    Bytes mms = tpkt_dt(Bytes().u8(0x0D).u8(0x00));  // session CONNECT SPDU
    EXPECT_EQ(protocol().probe(mms.data, Direction::to_server, true), applayer::Probe::no_match);
}

TEST(S7comm, SetupCommunicationWithConnectionTsaps) {
    Harness h;
    // CR: LI 17, E0, dst ref 0, src ref 1, class 0, calling TSAP 0100, called 0102, size 2^10.
    Bytes cr;
    cr.u8(3).u8(0).u16(22).u8(17).u8(0xE0).u16(0).u16(1).u8(0);
    cr.u8(0xC1).u8(2).u16(0x0100).u8(0xC2).u8(2).u16(0x0102).u8(0xC0).u8(1).u8(0x0A);
    h.feed(Direction::to_server, cr);
    Bytes cc = cr;
    cc.data[5] = 0xD0;  // CC echoes the parameters
    h.feed(Direction::to_client, cc);
    h.request(header(1, 0x0100, setup_param(480), {}));
    EXPECT_EQ(h.count(), 1u);
    EXPECT_FALSE(h.tx(0).complete());
    h.response(header(3, 0x0100, setup_param(240), {}));
    ASSERT_EQ(h.count(), 1u);
    EXPECT_TRUE(h.tx(0).complete());
    EXPECT_EQ(h.tx(0).records_ready, 1u);
    const auto r = h.record(0);
    EXPECT_EQ(r["cotp"]["calling_tsap"], "0100");
    EXPECT_EQ(r["cotp"]["called_tsap"], "0102");
    EXPECT_EQ(r["cotp"]["rack"], 0);
    EXPECT_EQ(r["cotp"]["slot"], 2);
    EXPECT_EQ(r["cotp"]["tpdu_size"], 1024);
    EXPECT_EQ(r["request"]["rosctr"], "job");
    EXPECT_EQ(r["request"]["function"], "setup_communication");
    EXPECT_EQ(r["request"]["function_code"], 0xF0);
    EXPECT_EQ(r["request"]["setup"]["pdu_length"], 480);
    EXPECT_EQ(r["response"]["rosctr"], "ack_data");
    EXPECT_EQ(r["response"]["error_class"], "no_error");
    EXPECT_EQ(r["response"]["setup"]["pdu_length"], 240);
}

TEST(S7comm, ReadVarItemsAndValues) {
    Harness h;
    // Read var: function 04, 2 items: DB1.DBW2 (WORD x1, DB 1, area 0x84, address 2.0) and
    // M10.3 (BIT x1, area 0x83, address 10 * 8 + 3).
    Bytes param;
    param.u8(0x04)
        .u8(2)
        .bytes(any_item(0x04, 1, 1, 0x84, 2 * 8))
        .bytes(any_item(0x01, 1, 0, 0x83, 83));
    h.request(header(1, 7, param, {}));
    // Response data items: return code FF, transport size 04 (length in bits) 16, 0x1234;
    // FF, size 03 (BIT) length 1 bit, 0x01.
    Bytes data;
    data.u8(0xFF).u8(0x04).u16(16).u16(0x1234).u8(0xFF).u8(0x03).u16(1).u8(0x01);
    h.response(header(3, 7, Bytes().u8(0x04).u8(2), data));
    ASSERT_EQ(h.count(), 1u);
    const auto r = h.record(0);
    ASSERT_EQ(r["items"].size(), 2u);
    EXPECT_EQ(r["items"][0]["area"], "DB");
    EXPECT_EQ(r["items"][0]["db"], 1);
    EXPECT_EQ(r["items"][0]["address"], "2.0");
    EXPECT_EQ(r["items"][0]["transport_size"], "WORD");
    EXPECT_EQ(r["items"][0]["return"], "success");
    EXPECT_EQ(r["items"][0]["value"], 0x1234);
    EXPECT_EQ(r["items"][1]["area"], "M");
    EXPECT_FALSE(r["items"][1].contains("db"));
    EXPECT_EQ(r["items"][1]["address"], "10.3");
    EXPECT_EQ(r["items"][1]["value"], 1);
    EXPECT_TRUE(h.keyword("s7comm.function", "read_var", 0, Direction::to_server));
    EXPECT_TRUE(h.keyword("s7comm.function", "4", 0, Direction::to_client));
    EXPECT_TRUE(h.keyword("s7comm.rosctr", "job", 0, Direction::to_server));
    EXPECT_FALSE(h.keyword("s7comm.rosctr", "job", 0, Direction::to_client));
    EXPECT_TRUE(h.keyword("s7comm.rosctr", "ack_data", 0, Direction::to_client));
    EXPECT_TRUE(h.keyword("s7comm.area", "DB", 0, Direction::to_server));
    EXPECT_TRUE(h.keyword("s7comm.area", "0x83", 0, Direction::to_server));
    EXPECT_FALSE(h.keyword("s7comm.area", "Q", 0, Direction::to_server));
    EXPECT_TRUE(h.keyword("s7comm.db", "1", 0, Direction::to_server));
    EXPECT_FALSE(h.keyword("s7comm.db", ">1", 0, Direction::to_server));
    applayer::DeviceFacts facts;
    h.tx(0).describe_devices(facts);
    EXPECT_FALSE(facts.control);
    EXPECT_FALSE(facts.engineering);
}

TEST(S7comm, WriteVarIsControl) {
    Harness h;
    // Write var: function 05, 1 item MW100 (WORD, area M, address 800); data item: reserved
    // return code 0, transport size 04, 16 bits, value 42.
    Bytes param;
    param.u8(0x05).u8(1).bytes(any_item(0x04, 1, 0, 0x83, 800));
    h.request(header(1, 9, param, Bytes().u8(0).u8(0x04).u16(16).u16(42)));
    h.response(header(3, 9, Bytes().u8(0x05).u8(1), Bytes().u8(0x0A)));  // object does not exist
    const auto r = h.record(0);
    ASSERT_EQ(r["items"].size(), 1u);
    EXPECT_EQ(r["items"][0]["address"], "100.0");
    EXPECT_EQ(r["items"][0]["value"], 42);
    EXPECT_EQ(r["items"][0]["return"], "object_does_not_exist");
    EXPECT_EQ(r["items"][0]["return_code"], 10);
    applayer::DeviceFacts facts;
    h.tx(0).describe_devices(facts);
    EXPECT_TRUE(facts.control);
    EXPECT_TRUE(h.keyword("s7comm.function", "write_var", 0, Direction::to_server));
}

// SZL 0x0011 (module identification): 28-byte records: index, 20-character order number,
// module type, two version words.
Bytes szl_0011_body() {
    Bytes b;
    b.u16(0x0011).u16(0x0000).u16(28).u16(2);
    b.u16(0x0001).padded("6ES7 315-2EH14-0AB0", 20, ' ').u16(0x00C0).u16(0x0004).u16(0x0001);
    b.u16(0x0007).padded("", 20, ' ').u16(0x00C0).u16(0x5603).u16(0x0201);  // 'V' 3, 2.1
    return b;
}

TEST(S7comm, ReadSzlModuleIdentification) {
    Harness h;
    // Read SZL request: CPU functions (4), subfunction 1; data: SZL id 0x0011, index 0.
    h.request(header(7, 0x0300, ud_request_param(4, 1), ud_data(Bytes().u16(0x0011).u16(0))));
    h.response(header(7, 0x0300, ud_response_param(4, 1, 1), ud_data(szl_0011_body())));
    ASSERT_EQ(h.count(), 1u);
    const auto r = h.record(0);
    EXPECT_EQ(r["request"]["userdata"]["group"], "cpu_functions");
    EXPECT_EQ(r["request"]["userdata"]["subfunction"], "read_szl");
    EXPECT_EQ(r["request"]["userdata"]["szl_id"], 0x11);
    const auto& szl = r["response"]["userdata"]["szl"];
    EXPECT_EQ(szl["record_count"], 2);
    EXPECT_EQ(szl["order_number"], "6ES7 315-2EH14-0AB0");
    EXPECT_EQ(szl["module_version"], "4.1");
    EXPECT_EQ(szl["firmware_version"], "V3.2.1");
    EXPECT_TRUE(h.keyword("s7comm.szl_id", "0x11", 0, Direction::to_server));
    EXPECT_TRUE(h.keyword("s7comm.szl_id", "10-20", 0, Direction::to_client));
    EXPECT_FALSE(h.keyword("s7comm.szl_id", "0x1c", 0, Direction::to_server));
    EXPECT_TRUE(h.keyword("s7comm.userdata_group", "cpu_functions", 0, Direction::to_server));
    EXPECT_TRUE(h.keyword("s7comm.userdata_subfunction", "read_szl", 0, Direction::to_server));
    EXPECT_FALSE(h.keyword("s7comm.userdata_subfunction", "list_blocks", 0, Direction::to_server));
    applayer::DeviceFacts facts;
    h.tx(0).describe_devices(facts);
    const applayer::DeviceFacts::Fields expected{
        {"vendor", "Siemens"}, {"product_code", "6ES7 315-2EH14-0AB0"}, {"firmware", "V3.2.1"}};
    EXPECT_EQ(facts.server, expected);
}

TEST(S7comm, ReadSzlComponentIdentificationInFragments) {
    Harness h;
    // SZL 0x001C: 34-byte records (index, 32 characters, NUL padded).
    Bytes body;
    body.u16(0x001C).u16(0).u16(34).u16(3);
    body.u16(1).padded("PLC_NORTH", 32, 0);
    body.u16(5).padded("S C-C2UR28922012", 32, 0);
    body.u16(7).padded("CPU 315-2 PN/DP", 32, 0);
    const std::vector<std::uint8_t> all = body.data;
    Bytes first, second;
    first.data.assign(all.begin(), all.begin() + 40);
    second.data.assign(all.begin() + 40, all.end());
    h.request(header(7, 0x0400, ud_request_param(4, 1), ud_data(Bytes().u16(0x001C).u16(0))));
    // First fragment: data unit ref 5, more follow; the list is not decoded yet.
    h.response(header(7, 0x0400, ud_response_param(4, 1, 1, 5, 1), ud_data(first)));
    // The client asks for the rest: parameters of length 8 naming the data unit, return
    // code 0x0A and no data.
    Bytes follow;
    follow.u8(0x00).u8(0x01).u8(0x12).u8(8).u8(0x12).u8(0x44).u8(1).u8(1).u8(5).u8(0).u16(0);
    h.request(header(7, 0x0500, follow, Bytes().u8(0x0A).u8(0).u16(0)));
    h.response(header(7, 0x0500, ud_response_param(4, 1, 1, 5, 0), ud_data(second)));
    ASSERT_EQ(h.count(), 2u);
    EXPECT_FALSE(h.record(0)["response"]["userdata"].contains("szl"));
    const auto szl = h.record(1)["response"]["userdata"]["szl"];
    EXPECT_EQ(szl["plc_name"], "PLC_NORTH");
    EXPECT_EQ(szl["serial_number"], "S C-C2UR28922012");
    EXPECT_EQ(szl["module_type_name"], "CPU 315-2 PN/DP");
    applayer::DeviceFacts facts;
    h.tx(1).describe_devices(facts);
    const applayer::DeviceFacts::Fields expected{{"vendor", "Siemens"},
                                                 {"product", "CPU 315-2 PN/DP"},
                                                 {"serial", "S C-C2UR28922012"},
                                                 {"name", "PLC_NORTH"}};
    EXPECT_EQ(facts.server, expected);
}

TEST(S7comm, PlcControlInsertsABlock) {
    Harness h;
    // PLC control: function 28, 7 unknown octets, parameter block length 10 (block count 1,
    // an unknown octet, "0A00001P"), service name length 5, "_INSE".
    Bytes param;
    param.u8(0x28).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0xFD).u16(10);
    param.u8(1).u8(0).text("0A00001P").u8(5).text("_INSE");
    h.request(header(1, 0x8400, param, {}));
    h.response(header(3, 0x8400, Bytes().u8(0x28), {}));
    const auto r = h.record(0);
    EXPECT_EQ(r["request"]["function"], "plc_control");
    EXPECT_EQ(r["request"]["service"], "_INSE");
    EXPECT_EQ(r["request"]["block"]["type"], "DB");
    EXPECT_EQ(r["request"]["block"]["number"], 1);
    EXPECT_EQ(r["request"]["block"]["filesystem"], "P");
    applayer::DeviceFacts facts;
    h.tx(0).describe_devices(facts);
    EXPECT_TRUE(facts.engineering);
}

TEST(S7comm, PlcStopAndRequestDownload) {
    Harness h;
    // PLC stop: function 29, 5 unknown octets, name length 9, "P_PROGRAM".
    Bytes stop;
    stop.u8(0x29).u8(0).u8(0).u8(0).u8(0).u8(0).u8(9).text("P_PROGRAM");
    h.request(header(1, 2, stop, {}));
    // Request download: function 1A, status 0, 2 + 4 unknown octets, name length 9,
    // "_0E00012P" (FB 12, passive file system).
    Bytes download;
    download.u8(0x1A).u8(0).u16(0x0100).u32(0).u8(9).text("_0E00012P");
    h.request(header(1, 3, download, {}));
    h.finish();  // neither was answered: both are logged at flow end
    ASSERT_EQ(h.count(), 2u);
    EXPECT_TRUE(h.tx(0).complete());
    EXPECT_EQ(h.record(0)["request"]["service"], "P_PROGRAM");
    EXPECT_FALSE(h.record(0).contains("response"));
    EXPECT_EQ(h.record(1)["request"]["filename"], "_0E00012P");
    EXPECT_EQ(h.record(1)["request"]["block"]["type"], "FB");
    EXPECT_EQ(h.record(1)["request"]["block"]["number"], 12);
    for (std::size_t i = 0; i < 2; ++i) {
        applayer::DeviceFacts facts;
        h.tx(i).describe_devices(facts);
        EXPECT_TRUE(facts.engineering);
    }
}

TEST(S7comm, S7commPlusPairsBySequence) {
    Harness h;
    // S7comm-plus V2: 72 02, data length; opcode 31 (request), reserved, function 0542
    // (SetMultiVariables), reserved, sequence 2, session id 0x388, transport flags 34.
    Bytes req;
    req.u8(0x72).u8(0x02).u16(17).u8(0x31).u16(0).u16(0x0542).u16(0).u16(2).u32(0x388).u8(0x34);
    req.u8(0x72).u8(0x02).u16(0);  // trailer
    h.request(req);
    Bytes res;
    res.u8(0x72).u8(0x02).u16(10).u8(0x32).u16(0).u16(0x0542).u16(0).u16(2).u8(0x34);
    h.response(res);
    ASSERT_EQ(h.count(), 1u);
    const auto r = h.record(0)["s7comm_plus"];
    EXPECT_EQ(r["request"]["version"], 2);
    EXPECT_EQ(r["request"]["opcode"], "request");
    EXPECT_EQ(r["request"]["function"], "SetMultiVariables");
    EXPECT_EQ(r["request"]["function_code"], 0x0542);
    EXPECT_EQ(r["request"]["seq"], 2);
    EXPECT_EQ(r["request"]["session_id"], 0x388);
    EXPECT_EQ(r["response"]["opcode"], "response");
    EXPECT_TRUE(h.tx(0).complete());
}

TEST(S7comm, MalformedInputRaisesEvents) {
    Harness h;
    // Read var claiming 3 items but carrying one: truncated.
    Bytes param;
    param.u8(0x04).u8(3).bytes(any_item(0x02, 1, 0, 0x81, 0));
    h.request(header(1, 1, param, {}));
    ASSERT_EQ(h.count(), 1u);
    EXPECT_TRUE(h.has_event(0, "s7comm.truncated"));
    // An unknown ROSCTR.
    h.request(header(9, 2, {}, {}));
    ASSERT_EQ(h.count(), 2u);
    EXPECT_TRUE(h.has_event(1, "s7comm.invalid_header"));
    // A response nobody asked for.
    h.response(header(3, 99, Bytes().u8(0x04).u8(0), {}));
    EXPECT_TRUE(h.has_event(2, "s7comm.unsolicited_response"));
    // Broken TPKT framing ends the direction.
    h.feed(Direction::to_server, Bytes().u8(9).u8(9).u8(9).u8(9).u8(9).u8(9).u8(9));
    EXPECT_TRUE(h.has_flow_event("s7comm.invalid_tpkt"));
}

TEST(S7comm, PendingRequestsAreBounded) {
    Harness h;
    for (unsigned ref = 0; ref < 100; ++ref) h.request(header(1, ref, setup_param(240), {}));
    ASSERT_EQ(h.count(), 100u);
    std::size_t complete = 0;
    for (std::size_t i = 0; i < h.count(); ++i) complete += h.tx(i).complete() ? 1 : 0;
    EXPECT_EQ(complete, 100u - 64u);  // the oldest beyond 64 are logged unanswered
}

TEST(S7comm, BadKeywordValuesAreRejected) {
    for (const auto& [name, value] :
         std::vector<std::pair<std::string_view, std::string_view>>{{"s7comm.rosctr", "jobs"},
                                                                    {"s7comm.function", "explode"},
                                                                    {"s7comm.szl_id", "abc"},
                                                                    {"s7comm.area", "ZZ"},
                                                                    {"s7comm.db", "5<>1"}}) {
        bool found = false;
        for (const auto& k : protocol().keywords) {
            if (k.name != name) continue;
            found = true;
            std::string error;
            EXPECT_FALSE(k.compile(value, error)) << name << ":" << value;
            EXPECT_FALSE(error.empty());
        }
        EXPECT_TRUE(found) << name;
    }
}

}  // namespace
}  // namespace tocsin::proto::s7comm
