#include "core/cursor.h"

#include <array>

#include <gtest/gtest.h>

namespace tocsin {
namespace {

TEST(ByteCursor, ReadsBigAndLittleEndianFields) {
    const std::array<std::uint8_t, 11> bytes = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc,
                                                0xde, 0xf0, 0x01, 0x02, 0x03};
    ByteCursor c{ByteSpan(bytes)};
    EXPECT_EQ(c.u16be(), 0x1234);
    EXPECT_EQ(c.u16le(), 0x7856);
    EXPECT_EQ(c.u32be(), 0x9abcdef0u);
    EXPECT_EQ(c.u24be(), 0x010203u);
    EXPECT_TRUE(c.ok());
    EXPECT_TRUE(c.empty());
}

TEST(ByteCursor, ReadPastEndFailsStickyAndReturnsZero) {
    const std::array<std::uint8_t, 3> bytes = {1, 2, 3};
    ByteCursor c{ByteSpan(bytes)};
    EXPECT_EQ(c.u16be(), 0x0102);
    EXPECT_EQ(c.u16be(), 0);  // only one byte left
    EXPECT_FALSE(c.ok());
    EXPECT_EQ(c.u8(), 0);  // stays failed even though a byte remains
    EXPECT_EQ(c.offset(), 2u);
}

TEST(ByteCursor, BytesAndSubCursorsStayInBounds) {
    const std::array<std::uint8_t, 6> bytes = {1, 2, 3, 4, 5, 6};
    ByteCursor c{ByteSpan(bytes)};
    ByteCursor inner = c.sub(4);
    EXPECT_EQ(inner.size(), 4u);
    EXPECT_EQ(inner.u32be(), 0x01020304u);
    EXPECT_EQ(inner.u8(), 0);
    EXPECT_FALSE(inner.ok());
    EXPECT_TRUE(c.ok());
    EXPECT_EQ(c.bytes(2).size(), 2u);
    EXPECT_TRUE(c.bytes(1).empty());
    EXPECT_FALSE(c.ok());
}

TEST(ByteCursor, PeekDoesNotMoveOrFail) {
    const std::array<std::uint8_t, 2> bytes = {0xaa, 0xbb};
    ByteCursor c{ByteSpan(bytes)};
    EXPECT_EQ(c.peek_u8(1), 0xbb);
    EXPECT_EQ(c.peek_u8(5), 0);
    EXPECT_EQ(c.peek_u16be(1), 0);
    EXPECT_TRUE(c.ok());
    EXPECT_EQ(c.offset(), 0u);
}

}  // namespace
}  // namespace tocsin
