#include "runtime/partitioner.hpp"

#include <gtest/gtest.h>

#include <string>

namespace brook::runtime {
namespace {

int32_t hash(std::string_view s) {
  return murmur2(s.data(), s.size());
}

// Kafka's UtilsTest.testMurmur2.
TEST(Partitioner, Murmur2MatchesKafkaVectors) {
  EXPECT_EQ(hash("21"), -973932308);
  EXPECT_EQ(hash("foobar"), -790332482);
  EXPECT_EQ(hash("a-little-bit-long-string"), -985981536);
  EXPECT_EQ(hash("a-little-bit-longer-string"), -1486304829);
  EXPECT_EQ(hash("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
  EXPECT_EQ(hash("abc"), 479470107);
}

TEST(Partitioner, Murmur2OfEmptyInput) {
  EXPECT_EQ(hash(""), 275646681);
}

TEST(Partitioner, KeyPartitionIsToPositiveModulo) {
  // toPositive(-790332482) = 1357151166; 1357151166 % 50 = 16.
  EXPECT_EQ(kafka_key_partition("foobar", 50), 16);
  for (const char* key : {"21", "foobar", "abc", "a-little-bit-long-string", "", "user-17"}) {
    for (int32_t n : {1, 2, 3, 7, 12, 64, 1000}) {
      const int32_t p = kafka_key_partition(key, n);
      EXPECT_EQ(p, (hash(key) & 0x7fffffff) % n) << key << " over " << n;
      EXPECT_GE(p, 0);
      EXPECT_LT(p, n);
    }
  }
  EXPECT_EQ(kafka_key_partition("anything", 1), 0);
}

}  // namespace
}  // namespace brook::runtime
