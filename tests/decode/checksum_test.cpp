#include "decode/checksum.h"

#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace tocsin::decode {
namespace {

// RFC 1071 as written: 16-bit network-order words, end-around carry, odd byte padded.
std::uint16_t reference_sum(const std::vector<std::uint8_t>& data, std::uint32_t initial) {
    std::uint32_t sum = initial;
    for (std::size_t i = 0; i < data.size(); i += 2) {
        const std::uint32_t hi = data[i];
        const std::uint32_t lo = i + 1 < data.size() ? data[i + 1] : 0;
        sum += hi << 8 | lo;
        sum = (sum & 0xffff) + (sum >> 16);
    }
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(sum);
}

TEST(Checksum, MatchesTheRfc1071ReferenceForEveryLengthAndAlignment) {
    std::mt19937 rng(7);
    for (std::size_t length = 0; length < 200; ++length) {
        for (int round = 0; round < 20; ++round) {
            std::vector<std::uint8_t> buffer(length + 3);
            for (auto& b : buffer) b = static_cast<std::uint8_t>(rng());
            const std::size_t shift = static_cast<std::size_t>(round % 4);  // unaligned starts
            std::vector<std::uint8_t> data(
                buffer.begin() + static_cast<std::ptrdiff_t>(shift),
                buffer.begin() + static_cast<std::ptrdiff_t>(shift + length));
            const std::uint32_t initial = rng() & 0xfffff;
            ASSERT_EQ(checksum_fold(checksum_add(ByteSpan(buffer).subspan(shift, length), initial)),
                      reference_sum(data, initial))
                << "length " << length << " shift " << shift;
        }
    }
}

TEST(Checksum, AllOnesAndLargeBuffersFoldCorrectly) {
    const std::vector<std::uint8_t> ones(65535, 0xff);
    EXPECT_EQ(checksum_fold(checksum_add(ByteSpan(ones))), reference_sum(ones, 0));
    EXPECT_EQ(checksum_fold(checksum_add(ByteSpan(ones), 0xffffffffu)),
              reference_sum(ones, 0xffff));
}

}  // namespace
}  // namespace tocsin::decode
