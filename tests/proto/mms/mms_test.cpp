// MMS parser, pairing, records, buffers, keywords and asset facts. PDUs are built element by
// element from the ISO 9506-2 ASN.1 (BER, X.690), wrapped in the presentation layer's
// fully-encoded-data (ISO 8823 / X.226), the session layer's GIVE TOKENS + DATA TRANSFER
// SPDUs (ISO 8327 / X.225), COTP DT and TPKT; the connect in CP-type, AARQ (ISO 8650 / X.227)
// and an EXTERNAL.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "output/json_writer.h"
#include "proto/mms/mms.h"
#include "proto/mms/transaction.h"

namespace tocsin::proto::mms {
namespace {

using applayer::Direction;
using Bytes = std::vector<std::uint8_t>;

// A BER element: identifier octet, definite length (short or long form), contents.
Bytes tlv(std::uint8_t tag, const Bytes& content) {
    Bytes out{tag};
    const std::size_t n = content.size();
    if (n < 128) {
        out.push_back(static_cast<std::uint8_t>(n));
    } else if (n < 256) {
        out.push_back(0x81);
        out.push_back(static_cast<std::uint8_t>(n));
    } else {
        out.push_back(0x82);
        out.push_back(static_cast<std::uint8_t>(n >> 8));
        out.push_back(static_cast<std::uint8_t>(n & 0xFF));
    }
    for (std::uint8_t b : content) out.push_back(b);
    return out;
}
Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts)
        for (std::uint8_t b : p) out.push_back(b);
    return out;
}
Bytes str(std::string_view s) {
    return Bytes(s.begin(), s.end());
}
Bytes integer(std::uint8_t tag, std::int64_t v) {
    Bytes content;
    // Minimal two's complement octets.
    for (int shift = 56; shift >= 0; shift -= 8) {
        const auto b = static_cast<std::uint8_t>(v >> shift);
        if (content.empty() && shift > 0) {
            const auto next = static_cast<std::uint8_t>(v >> (shift - 8));
            if ((b == 0x00 && !(next & 0x80)) || (b == 0xFF && (next & 0x80))) continue;
        }
        content.push_back(b);
    }
    return tlv(tag, content);
}

// ObjectName domain-specific [1] { domainId VisibleString, itemId VisibleString }.
Bytes domain_name(std::string_view domain, std::string_view item) {
    return tlv(0xA1, cat({tlv(0x1A, str(domain)), tlv(0x1A, str(item))}));
}
// listOfVariable [0] { SEQUENCE { variableSpecification name [0] ObjectName } ... }.
Bytes list_of_variable(std::initializer_list<Bytes> names) {
    Bytes entries;
    for (const auto& n : names) entries = cat({entries, tlv(0x30, tlv(0xA0, n))});
    return tlv(0xA0, entries);
}

// P-DATA: session GIVE TOKENS (01 00) and DATA TRANSFER (01 00) SPDUs, then
// fully-encoded-data [APPLICATION 1] { PDV-list { pcid 3, single-ASN1-type [0] pdu } }.
Bytes data_tsdu(const Bytes& mms) {
    return cat({Bytes{0x01, 0x00, 0x01, 0x00},
                tlv(0x61, tlv(0x30, cat({integer(0x02, 3), tlv(0xA0, mms)})))});
}
// TPKT (version 3, length) and COTP DT (LI 2, F0, EOT) around a TSDU.
Bytes tpkt(const Bytes& tsdu) {
    const std::size_t n = tsdu.size() + 7;
    return cat({Bytes{3, 0, static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n), 2,
                      0xF0, 0x80},
                tsdu});
}

// confirmed-RequestPDU [0] { invokeID, service } and confirmed-ResponsePDU [1].
Bytes confirmed_request(std::uint32_t invoke, const Bytes& service) {
    return tlv(0xA0, cat({integer(0x02, invoke), service}));
}
Bytes confirmed_response(std::uint32_t invoke, const Bytes& service) {
    return tlv(0xA1, cat({integer(0x02, invoke), service}));
}

class Harness {
  public:
    Harness() : parser_(make_parser(limits_)) {}
    void feed(Direction dir, const Bytes& b) {
        applayer::ParseContext ctx(txs_, next_id_, flow_events_, limits_, ++packet_, {});
        parser_->parse(dir, b, ctx);
    }
    void request(const Bytes& mms) { feed(Direction::to_server, tpkt(data_tsdu(mms))); }
    void response(const Bytes& mms) { feed(Direction::to_client, tpkt(data_tsdu(mms))); }
    void finish() {
        applayer::ParseContext ctx(txs_, next_id_, flow_events_, limits_, ++packet_, {});
        parser_->finish(ctx);
    }
    std::size_t count() const { return txs_.size(); }
    const MmsTransaction& tx(std::size_t i) const {
        return static_cast<const MmsTransaction&>(*txs_.at(i));
    }
    nlohmann::json record(std::size_t i) const {
        std::string out;
        output::JsonWriter w(out);
        w.begin_object();
        protocol().write_record(tx(i), 0, w);
        w.end_object();
        return nlohmann::json::parse(out).at("mms");
    }
    std::vector<std::string> buffer(std::string_view name, std::size_t i) const {
        const int index = protocol().buffer_index(name);
        EXPECT_GE(index, 0) << name;
        std::vector<std::string> items;
        for (std::size_t item = 0;; ++item) {
            auto span = tx(i).buffer(static_cast<std::size_t>(index), item);
            if (!span) break;
            items.emplace_back(span->begin(), span->end());
        }
        return items;
    }
    bool has_event(std::size_t i, std::string_view name) const {
        for (auto e : tx(i).events)
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

// The connect: session CONNECT SPDU (SI 0x0D) whose User Data PGI (0xC1) holds the CP-type
// SET { mode-selector [0] {normal}, normal-mode-parameters [2] { user-data: fully-encoded
// data { PDV-list { pcid 1, [0] AARQ } } } }; the AARQ [APPLICATION 0] names the MMS
// application context 1.0.9506.2.3 and carries in user-information [30] an EXTERNAL whose
// single-ASN1-type [0] is the initiate-RequestPDU [8].
Bytes connect_tsdu() {
    const Bytes initiate = tlv(0xA8, cat({integer(0x80, 65000),  // localDetailCalling
                                          integer(0x81, 5),      // maxServOutstandingCalling
                                          integer(0x82, 5),      // maxServOutstandingCalled
                                          integer(0x83, 10),     // dataStructureNestingLevel
                                          tlv(0xA4, integer(0x80, 1))}));  // version 1
    const Bytes external = tlv(0x28, cat({integer(0x02, 3), tlv(0xA0, initiate)}));
    const Bytes aarq =
        tlv(0x60, cat({tlv(0xA1, tlv(0x06, {0x28, 0xCA, 0x22, 0x02, 0x03})),
                       tlv(0xA2, tlv(0x06, {0x29, 0x01, 0x87, 0x67})), tlv(0xBE, external)}));
    const Bytes user_data = tlv(0x61, tlv(0x30, cat({integer(0x02, 1), tlv(0xA0, aarq)})));
    const Bytes cp = tlv(0x31, cat({tlv(0xA0, integer(0x80, 1)), tlv(0xA2, user_data)}));
    Bytes spdu{0x0D, static_cast<std::uint8_t>(cp.size() + 2), 0xC1,
               static_cast<std::uint8_t>(cp.size())};
    return cat({spdu, cp});
}

TEST(Mms, ProbeTellsMmsFromS7) {
    const Bytes connect = tpkt(connect_tsdu());
    EXPECT_EQ(protocol().probe(connect, Direction::to_server, true), applayer::Probe::match);
    const Bytes s7 = tpkt({0x32, 0x01, 0, 0, 0, 1, 0, 0, 0, 0});
    EXPECT_EQ(protocol().probe(s7, Direction::to_server, true), applayer::Probe::no_match);
    const Bytes half(connect.begin(), connect.begin() + 3);
    EXPECT_EQ(protocol().probe(half, Direction::to_server, true), applayer::Probe::need_more);
}

TEST(Mms, InitiateInsideTheAssociation) {
    Harness h;
    h.feed(Direction::to_server, tpkt(connect_tsdu()));
    ASSERT_EQ(h.count(), 1u);
    EXPECT_FALSE(h.tx(0).complete());
    h.finish();
    const auto r = h.record(0)["request"];
    EXPECT_EQ(r["pdu"], "initiate_request");
    EXPECT_EQ(r["session"], "connect");
    EXPECT_EQ(r["initiate"]["local_detail"], 65000);
    EXPECT_EQ(r["initiate"]["max_serv_outstanding_calling"], 5);
    EXPECT_EQ(r["initiate"]["nesting_level"], 10);
    EXPECT_EQ(r["initiate"]["version"], 1);
    EXPECT_EQ(r["association"]["application_context"], "1.0.9506.2.3");
    // 0x29 = 1 * 40 + 1; 0x01; 0x87 0x67 = 7 * 128 + 103 = 999.
    EXPECT_EQ(r["association"]["called_ap_title"], "1.1.1.999");
}

TEST(Mms, ReadWithTypedResults) {
    Harness h;
    // Read [4] { variableAccessSpecification [1] { listOfVariable } } with two
    // domain-specific names.
    h.request(confirmed_request(
        7, tlv(0xA4, tlv(0xA1, list_of_variable({domain_name("IED1LD0", "LLN0$ST$Mod$stVal"),
                                                 domain_name("IED1LD0", "MMXU1$MX$TotW")})))));
    // Read response [4] { listOfAccessResult [1] { integer [5] -2, structure [2] {
    // floating-point [7] (exponent width 8, IEEE single 1.5), bit-string [4] (6 unused bits:
    // 01), boolean [3] true, visible-string [10], utc-time [17] 2009-02-13T23:31:30.5Z },
    // failure [0] object-non-existent (10) } }.
    const Bytes structure = tlv(
        0xA2,
        cat({tlv(0x87, {0x08, 0x3F, 0xC0, 0x00, 0x00}), tlv(0x84, {0x06, 0x40}), tlv(0x83, {0x01}),
             tlv(0x8A, str("on")), tlv(0x91, {0x49, 0x96, 0x02, 0xD2, 0x80, 0x00, 0x00, 0x0A})}));
    h.response(confirmed_response(
        7, tlv(0xA4, tlv(0xA1, cat({integer(0x85, -2), structure, integer(0x80, 10)})))));
    ASSERT_EQ(h.count(), 1u);
    EXPECT_TRUE(h.tx(0).complete());
    const auto r = h.record(0);
    EXPECT_EQ(r["request"]["pdu"], "confirmed_request");
    EXPECT_EQ(r["request"]["invoke_id"], 7);
    EXPECT_EQ(r["request"]["service"], "read");
    EXPECT_EQ(r["request"]["session"], "data_transfer");
    ASSERT_EQ(r["request"]["variables"].size(), 2u);
    EXPECT_EQ(r["request"]["variables"][0]["domain"], "IED1LD0");
    EXPECT_EQ(r["request"]["variables"][0]["item"], "LLN0$ST$Mod$stVal");
    const auto& results = r["response"]["results"];
    ASSERT_EQ(results.size(), 3u);
    EXPECT_EQ(results[0]["type"], "integer");
    EXPECT_EQ(results[0]["value"], -2);
    EXPECT_EQ(results[1]["type"], "structure");
    const auto& fields = results[1]["value"];
    ASSERT_EQ(fields.size(), 5u);
    EXPECT_EQ(fields[0]["type"], "floating_point");
    EXPECT_DOUBLE_EQ(fields[0]["value"].get<double>(), 1.5);
    EXPECT_EQ(fields[1]["value"], "01");
    EXPECT_EQ(fields[2]["value"], true);
    EXPECT_EQ(fields[3]["value"], "on");
    EXPECT_EQ(fields[4]["type"], "utc_time");
    EXPECT_EQ(fields[4]["value"], "2009-02-13T23:31:30.500000Z");
    EXPECT_EQ(results[2]["error"], "object_non_existent");
    EXPECT_EQ(results[2]["error_code"], 10);
    EXPECT_EQ(h.buffer("mms.domain", 0), (std::vector<std::string>{"IED1LD0", "IED1LD0"}));
    EXPECT_EQ(h.buffer("mms.item", 0),
              (std::vector<std::string>{"LLN0$ST$Mod$stVal", "MMXU1$MX$TotW"}));
    EXPECT_TRUE(h.keyword("mms.service", "read", 0, Direction::to_server));
    EXPECT_TRUE(h.keyword("mms.service", "4", 0, Direction::to_client));
    EXPECT_FALSE(h.keyword("mms.service", "write", 0, Direction::to_server));
    EXPECT_TRUE(h.keyword("mms.pdu", "confirmed_request", 0, Direction::to_server));
    EXPECT_FALSE(h.keyword("mms.pdu", "confirmed_request", 0, Direction::to_client));
    EXPECT_TRUE(h.keyword("mms.pdu", "confirmed_response", 0, Direction::to_client));
}

TEST(Mms, WriteIsControl) {
    Harness h;
    // Write [5] { listOfVariable, listOfData [0] { unsigned [6] 300 } }; response: success
    // [1] NULL.
    h.request(confirmed_request(
        2, tlv(0xA5, cat({list_of_variable({domain_name("LD0", "CSWI1$CO$Pos$Oper")}),
                          tlv(0xA0, tlv(0x86, {0x01, 0x2C}))}))));
    h.response(confirmed_response(2, tlv(0xA5, tlv(0x81, {}))));
    const auto r = h.record(0);
    EXPECT_EQ(r["request"]["values"][0]["type"], "unsigned");
    EXPECT_EQ(r["request"]["values"][0]["value"], 300);
    EXPECT_EQ(r["response"]["results"][0]["success"], true);
    applayer::DeviceFacts facts;
    h.tx(0).describe_devices(facts);
    EXPECT_TRUE(facts.control);
    EXPECT_FALSE(facts.engineering);
}

TEST(Mms, IdentifyNamesTheServer) {
    Harness h;
    h.request(confirmed_request(1, tlv(0x82, {})));  // identify [2] NULL
    h.response(
        confirmed_response(1, tlv(0xA2, cat({tlv(0x80, str("ACME")), tlv(0x81, str("IED-9000")),
                                             tlv(0x82, str("4.2.1"))}))));
    const auto r = h.record(0)["response"];
    EXPECT_EQ(r["vendor"], "ACME");
    EXPECT_EQ(r["model"], "IED-9000");
    EXPECT_EQ(r["revision"], "4.2.1");
    applayer::DeviceFacts facts;
    h.tx(0).describe_devices(facts);
    const applayer::DeviceFacts::Fields expected{
        {"vendor", "ACME"}, {"product", "IED-9000"}, {"firmware", "4.2.1"}};
    EXPECT_EQ(facts.server, expected);
}

TEST(Mms, InformationReportStandsAlone) {
    Harness h;
    // unconfirmed-PDU [3] { informationReport [0] { variableListName [1] { vmd-specific [0]
    // "RPT" }, listOfAccessResult [0] { visible-string [10] "rcb", bit-string [4] } } }.
    h.response(tlv(
        0xA3, tlv(0xA0, cat({tlv(0xA1, tlv(0x80, str("RPT"))),
                             tlv(0xA0, cat({tlv(0x8A, str("rcb")), tlv(0x84, {0x00, 0x80})}))}))));
    ASSERT_EQ(h.count(), 1u);
    EXPECT_TRUE(h.tx(0).complete());
    const auto r = h.record(0)["unconfirmed"];
    EXPECT_EQ(r["service"], "information_report");
    EXPECT_EQ(r["variable_list"]["vmd"], "RPT");
    EXPECT_EQ(r["results"][0]["value"], "rcb");
    EXPECT_EQ(r["results"][1]["value"], "10000000");
    EXPECT_EQ(h.buffer("mms.item", 0), std::vector<std::string>{"RPT"});
    EXPECT_TRUE(h.buffer("mms.domain", 0).empty());
    EXPECT_TRUE(h.keyword("mms.service", "information_report", 0, Direction::to_client));
    EXPECT_FALSE(h.keyword("mms.service", "0", 0, Direction::to_client));  // status, confirmed
    const auto head = protocol().record_head(h.tx(0), 0);
    EXPECT_EQ(head.dir, Direction::to_client);
}

TEST(Mms, NameListErrorsAndRejects) {
    Harness h;
    // getNameList [1] { objectClass [0] { basicObjectClass [0] 9 (domain) }, objectScope [1]
    // { vmdSpecific [0] NULL } }; response { listOfIdentifier [0] {..}, moreFollows [1] F }.
    h.request(confirmed_request(
        3, tlv(0xA1, cat({tlv(0xA0, integer(0x80, 9)), tlv(0xA1, tlv(0x80, {}))}))));
    h.response(confirmed_response(
        3, tlv(0xA1, cat({tlv(0xA0, cat({tlv(0x1A, str("LD0")), tlv(0x1A, str("LD1"))})),
                          tlv(0x81, {0x00})}))));
    // confirmed-ErrorPDU [2] { invokeID [0] 4, serviceError [2] { errorClass [0] { access
    // [7] 2 } } } answering a read.
    h.request(
        confirmed_request(4, tlv(0xA4, tlv(0xA1, list_of_variable({domain_name("LD0", "X")})))));
    h.response(tlv(0xA2, cat({integer(0x80, 4), tlv(0xA2, tlv(0xA0, integer(0x87, 2)))})));
    // rejectPDU [4] { originalInvokeID [0] 5, pdu-error [5] 1 }.
    h.response(tlv(0xA4, cat({integer(0x80, 5), integer(0x85, 1)})));
    ASSERT_EQ(h.count(), 3u);
    auto r = h.record(0);
    EXPECT_EQ(r["request"]["object_class"], "domain");
    EXPECT_EQ(r["response"]["identifiers"], (nlohmann::json{"LD0", "LD1"}));
    EXPECT_EQ(r["response"]["more_follows"], false);
    r = h.record(1);
    EXPECT_EQ(r["response"]["pdu"], "confirmed_error");
    EXPECT_EQ(r["response"]["error"]["class"], "access");
    EXPECT_EQ(r["response"]["error"]["code"], 2);
    r = h.record(2);
    EXPECT_EQ(r["reject"]["reject"]["type"], "pdu_error");
    EXPECT_EQ(r["reject"]["reject"]["original_invoke_id"], 5);
    EXPECT_EQ(r["reject"]["reject"]["reason"], 1);
}

TEST(Mms, EngineeringServicesAndBareMms) {
    // An MMS PDU straight in the COTP TSDU (no session layer): stop [41] (high tag number
    // form BF 29) { programInvocationName "PROG1" }.
    Harness g;
    const Bytes stop = cat({Bytes{0xBF, 0x29}, Bytes{0x07}, tlv(0x1A, str("PROG1"))});
    g.feed(Direction::to_server, tpkt(tlv(0xA0, cat({integer(0x02, 11), stop}))));
    ASSERT_EQ(g.count(), 1u);
    const auto r = g.record(0)["request"];
    EXPECT_EQ(r["service"], "stop");
    EXPECT_EQ(r["service_code"], 41);
    EXPECT_EQ(r["identifiers"][0], "PROG1");
    EXPECT_FALSE(r.contains("session"));
    applayer::DeviceFacts facts;
    g.tx(0).describe_devices(facts);
    EXPECT_TRUE(facts.engineering);
}

TEST(Mms, NestingAndCountsAreBounded) {
    Harness h;
    // A structure nested 20 deep, then 300 integers: depth and count bounds hold.
    Bytes nested = integer(0x85, 1);
    for (int i = 0; i < 20; ++i) nested = tlv(0xA2, nested);
    Bytes many;
    for (int i = 0; i < 300; ++i) many = cat({many, integer(0x85, i)});
    h.request(
        confirmed_request(1, tlv(0xA4, tlv(0xA1, list_of_variable({domain_name("A", "B")})))));
    h.response(confirmed_response(1, tlv(0xA4, tlv(0xA1, cat({nested, many})))));
    ASSERT_EQ(h.count(), 1u);
    EXPECT_TRUE(h.has_event(0, "mms.truncated"));
    const auto r = h.record(0)["response"];
    EXPECT_EQ(r["truncated"], true);
    EXPECT_LE(r["results"].size(), 64u);
    // The nested value stops at the depth bound, marked truncated.
    auto v = r["results"][0];
    int depth = 0;
    while (v.contains("value") && v["value"].is_array()) {
        v = v["value"][0];
        ++depth;
    }
    EXPECT_LT(depth, 5);
    EXPECT_EQ(v["truncated"], true);
}

TEST(Mms, PendingAndUnansweredRequests) {
    Harness h;
    for (std::uint32_t i = 0; i < 80; ++i) h.request(confirmed_request(i, tlv(0x82, {})));
    std::size_t complete = 0;
    for (std::size_t i = 0; i < h.count(); ++i) complete += h.tx(i).complete() ? 1 : 0;
    EXPECT_EQ(complete, 80u - 64u);
    h.response(confirmed_response(1000, tlv(0x82, {})));  // nobody asked
    EXPECT_TRUE(h.has_event(80, "mms.unsolicited_response"));
    h.finish();
    for (std::size_t i = 0; i < h.count(); ++i) EXPECT_TRUE(h.tx(i).complete());
}

}  // namespace
}  // namespace tocsin::proto::mms
