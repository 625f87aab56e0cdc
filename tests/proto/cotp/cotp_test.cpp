// TPKT (RFC 1006 section 6) and COTP class 0 (X.224 sections 13.3, 13.4, 13.7) as the
// s7comm and mms parsers read them. TPDUs are built byte by byte from those sections.
#include <gtest/gtest.h>

#include <vector>

#include "proto/cotp/cotp.h"

namespace tocsin::proto::cotp {
namespace {

using Bytes = std::vector<std::uint8_t>;

// TPKT: version 3, reserved 0, total length (header included), then the TPDU.
Bytes tpkt(const Bytes& tpdu) {
    Bytes out;
    out.reserve(tpdu.size() + 4);
    out.push_back(3);
    out.push_back(0);
    out.push_back(static_cast<std::uint8_t>((tpdu.size() + 4) >> 8));
    out.push_back(static_cast<std::uint8_t>((tpdu.size() + 4) & 0xFF));
    for (std::uint8_t b : tpdu) out.push_back(b);
    return out;
}

// Class 0 DT (13.7): LI 2, code F0, EOT bit with TPDU-NR 0, then user data.
Bytes dt(const Bytes& data, bool eot = true) {
    Bytes tpdu{0x02, 0xF0, static_cast<std::uint8_t>(eot ? 0x80 : 0x00)};
    for (std::uint8_t b : data) tpdu.push_back(b);
    return tpkt(tpdu);
}

// CR (13.3): LI, code E0 (credit 0), DST-REF 0, SRC-REF 0x0001, class 0, then parameters:
// C1 calling TSAP 01 00, C2 called TSAP 01 02 (rack 0, slot 2), C0 TPDU size 2^10.
Bytes connection_request() {
    return tpkt({0x11, 0xE0, 0x00, 0x00, 0x00, 0x01, 0x00, 0xC1, 0x02, 0x01, 0x00, 0xC2, 0x02, 0x01,
                 0x02, 0xC0, 0x01, 0x0A});
}

Bytes join(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts)
        for (std::uint8_t b : p) out.push_back(b);
    return out;
}

TEST(Cotp, ParsesConnectionRequestParameters) {
    CotpStream s(1024);
    s.push(connection_request());
    auto u = s.next();
    ASSERT_TRUE(u);
    EXPECT_EQ(u->error, Error::none);
    EXPECT_EQ(u->tpdu.type(), TpduType::cr);
    EXPECT_EQ(tpdu_name(u->tpdu.code), "CR");
    EXPECT_EQ(u->tpdu.dst_ref, 0);
    EXPECT_EQ(u->tpdu.src_ref, 1);
    EXPECT_EQ(u->tpdu.calling_tsap, (Bytes{0x01, 0x00}));
    EXPECT_EQ(u->tpdu.called_tsap, (Bytes{0x01, 0x02}));
    ASSERT_TRUE(u->tpdu.tpdu_size);
    EXPECT_EQ(*u->tpdu.tpdu_size, 0x0A);
    auto s7 = s7_tsap(u->tpdu.called_tsap);
    ASSERT_TRUE(s7);
    EXPECT_EQ(s7->connection_type, 1);  // PG
    EXPECT_EQ(s7->rack, 0);
    EXPECT_EQ(s7->slot, 2);
    EXPECT_FALSE(s.next());
}

TEST(Cotp, TsapText) {
    EXPECT_EQ(tsap_text({0x01, 0x02}), "0102");
    const std::string text = "SIMATIC-ROOT-HMI";
    EXPECT_EQ(tsap_text(Bytes(text.begin(), text.end())), text);
    // rack 1 slot 3: 1 * 32 + 3 = 0x23
    auto s7 = s7_tsap({0x03, 0x23});
    ASSERT_TRUE(s7);
    EXPECT_EQ(s7->rack, 1);
    EXPECT_EQ(s7->slot, 3);
    EXPECT_FALSE(s7_tsap({0x01}));
}

TEST(Cotp, ReassemblesSegmentedTsdu) {
    CotpStream s(1024);
    s.push(join({dt({0x32, 0x01}, false), dt({}, false), dt({0x00, 0x00}, true)}));
    auto u = s.next();
    ASSERT_TRUE(u);
    EXPECT_EQ(u->tpdu.type(), TpduType::dt);
    EXPECT_EQ(u->data, (Bytes{0x32, 0x01, 0x00, 0x00}));
    EXPECT_EQ(u->segments, 3u);
    EXPECT_FALSE(s.next());
}

TEST(Cotp, ReadsTpktsSplitAnywhere) {
    const Bytes all = join({connection_request(), dt({0x32, 0x07, 0x00})});
    CotpStream s(1024);
    std::vector<Unit> units;
    for (std::uint8_t b : all) {
        s.push(Bytes{b});
        while (auto u = s.next()) units.push_back(std::move(*u));
    }
    ASSERT_EQ(units.size(), 2u);
    EXPECT_EQ(units[0].tpdu.type(), TpduType::cr);
    EXPECT_EQ(units[1].data, (Bytes{0x32, 0x07, 0x00}));
}

TEST(Cotp, BadTpktVersionStopsTheStream) {
    CotpStream s(1024);
    s.push(join({Bytes{0x04, 0x00, 0x00, 0x08, 0x02, 0xF0, 0x80, 0x32}, dt({0x32})}));
    auto u = s.next();
    ASSERT_TRUE(u);
    EXPECT_EQ(u->error, Error::bad_tpkt);
    EXPECT_TRUE(s.stopped());
    EXPECT_FALSE(s.next());
}

TEST(Cotp, LengthIndicatorPastTheTpktIsRejected) {
    CotpStream s(1024);
    // LI 9 with only 3 octets after it, then a good DT: the stream goes on.
    s.push(join({tpkt({0x09, 0xF0, 0x80, 0x32}), dt({0x32})}));
    auto u = s.next();
    ASSERT_TRUE(u);
    EXPECT_EQ(u->error, Error::bad_tpdu);
    u = s.next();
    ASSERT_TRUE(u);
    EXPECT_EQ(u->error, Error::none);
    EXPECT_EQ(u->data, Bytes{0x32});
}

TEST(Cotp, OversizedTsdusAreDropped) {
    CotpStream s(8);
    s.push(join({dt(Bytes(6, 0xAA), false), dt(Bytes(6, 0xBB), true), dt({0x32, 0x01})}));
    auto u = s.next();
    ASSERT_TRUE(u);
    EXPECT_EQ(u->error, Error::tsdu_too_long);
    u = s.next();
    ASSERT_TRUE(u);
    EXPECT_EQ(u->error, Error::none);
    EXPECT_EQ(u->data, (Bytes{0x32, 0x01}));
    EXPECT_FALSE(s.next());
}

TEST(Cotp, ResynchronisesAfterAGap) {
    CotpStream s(1024);
    const Bytes first = dt({0x32, 0x01, 0x02});
    s.push(Bytes(first.begin(), first.begin() + 5));  // a TPKT cut by the gap
    EXPECT_FALSE(s.next());
    s.gap();
    // The tail of some lost TPKT, then a whole one.
    s.push(join({Bytes{0x99, 0x01, 0x02}, dt({0x32, 0x03})}));
    auto u = s.next();
    ASSERT_TRUE(u);
    EXPECT_EQ(u->error, Error::none);
    EXPECT_EQ(u->data, (Bytes{0x32, 0x03}));
}

TEST(Cotp, ClassifiesTheFirstData) {
    EXPECT_EQ(classify(connection_request()), FirstData::need_more);
    EXPECT_EQ(classify(join({connection_request(), dt({0x32, 0x01})})), FirstData::s7comm);
    EXPECT_EQ(classify(dt({0x72, 0x01})), FirstData::s7comm_plus);
    // ISO 8327 CONNECT SPDU; GIVE TOKENS + DATA TRANSFER.
    EXPECT_EQ(classify(dt({0x0D, 0x10})), FirstData::iso_session);
    EXPECT_EQ(classify(dt({0x01, 0x00, 0x01, 0x00})), FirstData::iso_session);
    // An empty DT without EOT (S7-1200 keep-alive) decides nothing.
    EXPECT_EQ(classify(dt({}, false)), FirstData::need_more);
    EXPECT_EQ(classify(dt({0x7F, 0x65})), FirstData::other);  // RDP's T.125 MCS
    const std::string http = "GET / HTTP/1.1\r\n";
    EXPECT_EQ(classify(Bytes(http.begin(), http.end())), FirstData::not_cotp);
    EXPECT_EQ(classify(Bytes{0x03, 0x00}), FirstData::need_more);
}

}  // namespace
}  // namespace tocsin::proto::cotp
