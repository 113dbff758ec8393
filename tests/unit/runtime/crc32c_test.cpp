#include "runtime/crc32c.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace brook::runtime {
namespace {

// Bit-at-a-time CRC-32C (reflected polynomial 0x82F63B78): slow but obviously right.
uint32_t reference_crc32c(const uint8_t* p, size_t n) {
  uint32_t c = 0xFFFFFFFF;
  for (size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0x82F63B78 & (0u - (c & 1)));
  }
  return ~c;
}

TEST(Crc32c, CheckValue) {
  EXPECT_EQ(crc32c("123456789", 9), 0xE3069283u);
}

TEST(Crc32c, EmptyIsZeroAndKeepsSeed) {
  EXPECT_EQ(crc32c("", 0), 0u);
  EXPECT_EQ(crc32c("", 0, 0xDEADBEEF), 0xDEADBEEFu);
}

// RFC 3720 (iSCSI) appendix B.4 vectors.
TEST(Crc32c, Rfc3720Vectors) {
  std::vector<uint8_t> zeros(32, 0), ones(32, 0xFF), up(32), down(32);
  for (int i = 0; i < 32; ++i) {
    up[i] = uint8_t(i);
    down[i] = uint8_t(31 - i);
  }
  EXPECT_EQ(crc32c(zeros.data(), 32), 0x8A9136AAu);
  EXPECT_EQ(crc32c(ones.data(), 32), 0x62A8AB43u);
  EXPECT_EQ(crc32c(up.data(), 32), 0x46DD794Eu);
  EXPECT_EQ(crc32c(down.data(), 32), 0x113FDB5Cu);
}

TEST(Crc32c, ChainingEqualsWhole) {
  const std::string s = "The quick brown fox jumps over the lazy dog";
  const uint32_t whole = crc32c(s.data(), s.size());
  for (size_t cut = 0; cut <= s.size(); ++cut) {
    const uint32_t first = crc32c(s.data(), cut);
    EXPECT_EQ(crc32c(s.data() + cut, s.size() - cut, first), whole) << "cut at " << cut;
  }
}

TEST(Crc32c, MatchesReferenceAtEveryLengthAndAlignment) {
  std::mt19937 rng(42);
  std::vector<uint8_t> buf(4096 + 16);
  for (auto& b : buf) b = uint8_t(rng());
  for (size_t len : {1u, 3u, 7u, 8u, 15u, 16u, 63u, 64u, 255u, 256u, 1000u, 4096u}) {
    for (size_t align = 0; align < 8; ++align) {
      EXPECT_EQ(crc32c(buf.data() + align, len), reference_crc32c(buf.data() + align, len))
          << "len " << len << " align " << align;
    }
  }
}

}  // namespace
}  // namespace brook::runtime
