#include "core/ber.h"

#include <gtest/gtest.h>

#include <vector>

namespace tocsin {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(Ber, ReadsShortAndLongLengthsAndNestedElements) {
    // SEQUENCE { [0] IMPLICIT "ab", [1] INTEGER-like 0x0102 } then a 130-byte OCTET STRING.
    Bytes data = {0x30, 0x08, 0x80, 0x02, 'a', 'b', 0x81, 0x02, 0x01, 0x02, 0x04, 0x81, 130};
    data.resize(data.size() + 130, 0x55);
    BerReader outer(data);
    auto seq = outer.next();
    ASSERT_TRUE(seq);
    EXPECT_TRUE(seq->constructed);
    EXPECT_TRUE(seq->is(BerElement::Class::universal, 16));
    BerReader inner(seq->value);
    auto a = inner.next();
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->is_context(0));
    EXPECT_EQ(std::string(a->value.begin(), a->value.end()), "ab");
    auto b = inner.next();
    ASSERT_TRUE(b);
    EXPECT_EQ(BerReader::integer(b->value), 0x0102);
    EXPECT_FALSE(inner.next());
    EXPECT_TRUE(inner.ok());
    auto octets = outer.next();
    ASSERT_TRUE(octets);
    EXPECT_EQ(octets->value.size(), 130u);
    EXPECT_TRUE(outer.empty());
}

TEST(Ber, HighTagNumbers) {
    const Bytes data = {0xbf, 0x81, 0x00, 0x00};  // [context 128] constructed, empty
    BerReader r(data);
    auto e = r.next();
    ASSERT_TRUE(e);
    EXPECT_TRUE(e->is_context(128));
    EXPECT_TRUE(e->constructed);
}

TEST(Ber, RejectsTruncatedAndIndefiniteLengths) {
    const Bytes truncated = {0x04, 0x05, 1, 2};
    BerReader r(truncated);
    EXPECT_FALSE(r.next());
    EXPECT_FALSE(r.ok());
    const Bytes indefinite = {0x30, 0x80, 0x00, 0x00};
    BerReader i(indefinite);
    EXPECT_FALSE(i.next());
    EXPECT_FALSE(i.ok());
    const Bytes huge = {0x04, 0x84, 0xff, 0xff, 0xff, 0xff};
    BerReader h(huge);
    EXPECT_FALSE(h.next());
}

TEST(Ber, IntegersAreTwosComplement) {
    EXPECT_EQ(BerReader::integer(Bytes{0xff}), -1);
    EXPECT_EQ(BerReader::integer(Bytes{0x00, 0x80}), 128);
    EXPECT_EQ(BerReader::integer(Bytes{0x80}), -128);
    EXPECT_FALSE(BerReader::integer(Bytes{}));
    EXPECT_EQ(
        BerReader::unsigned_integer(Bytes{0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}),
        ~0ULL);
}

}  // namespace
}  // namespace tocsin
