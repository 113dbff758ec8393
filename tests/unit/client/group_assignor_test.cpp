#include <gtest/gtest.h>

#include "actors/client/group_assignor.hpp"

using namespace brook::client;

TEST(GroupProtocol, SubscriptionAndAssignmentRoundTrip) {
  auto sub = encode_subscription({"a", "b"});
  // Kafka's ConsumerProtocolSubscription v0: version 0, ["a","b"], null user data.
  const std::vector<uint8_t> expected = {0,   0, 0, 0,   0,    2,    0,    1,
                                         'a', 0, 1, 'b', 0xff, 0xff, 0xff, 0xff};
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
