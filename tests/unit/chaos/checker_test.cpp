// The chaos checker: each kind of problem is found, counted per partition, and a clean run passes.
#include "apps/chaos/checker.hpp"

#include <gtest/gtest.h>

namespace brook::chaos {
namespace {

// Partition 0 holds producer 1's seqs 0..4 at offsets 0..4; all acknowledged; one consumer read
// them in one assignment.
struct clean_run {
  std::vector<acked_record> acked;
  std::vector<stored_record> stored;
  std::vector<seen_record> seen;
  clean_run() {
    for (int64_t i = 0; i < 5; ++i) {
      acked.push_back({0, i, 1, i});
      stored.push_back({0, i, 1, i});
      seen.push_back({0, 1, 0, i, 1, i});
    }
  }
};

TEST(ChaosChecker, ACleanRunPasses) {
  clean_run r;
  auto v = check(2, r.acked, r.stored, r.seen);
  EXPECT_TRUE(v.ok());
  ASSERT_EQ(v.partitions.size(), 2u);
  EXPECT_EQ(v.partitions[0].acked, 5);
  EXPECT_EQ(v.partitions[0].stored, 5);
  EXPECT_EQ(v.total.acked, 5);
  EXPECT_TRUE(v.total.examples.empty());
}

TEST(ChaosChecker, AnAcknowledgedRecordMissingOrReplacedIsLost) {
  clean_run r;
  r.stored.erase(r.stored.begin() + 2);  // offset 2 gone
  r.stored[2] = {0, 3, 2, 99};           // offset 3 now holds another record
  r.seen.clear();
  auto v = check(1, r.acked, r.stored, r.seen);
  EXPECT_FALSE(v.ok());
  EXPECT_EQ(v.partitions[0].lost, 2);
  ASSERT_FALSE(v.partitions[0].examples.empty());
  EXPECT_NE(v.partitions[0].examples[0].find("record 1:2 acknowledged at offset 2 is gone"),
            std::string::npos)
      << v.partitions[0].examples[0];
}

TEST(ChaosChecker, DuplicatesAndReorderingAreFound) {
  clean_run r;
  r.stored.push_back({0, 5, 1, 1});  // seq 1 again, and after seq 4
  auto v = check(1, r.acked, r.stored, {});
  EXPECT_EQ(v.partitions[0].duplicated, 1);
  EXPECT_EQ(v.partitions[0].reordered, 1);
  EXPECT_EQ(v.partitions[0].lost, 0);
}

TEST(ChaosChecker, AConsumerGoingBackOrSkippingWithinAnAssignmentIsFound) {
  clean_run r;
  r.seen = {{0, 1, 0, 0, 1, 0}, {0, 1, 0, 2, 1, 2}, {0, 1, 0, 1, 1, 1}};  // skips 1, then back
  auto v = check(1, r.acked, r.stored, r.seen);
  EXPECT_EQ(v.partitions[0].skipped, 1);
  EXPECT_EQ(v.partitions[0].went_back, 1);
}

TEST(ChaosChecker, StartingAgainAfterANewAssignmentIsAllowed) {
  clean_run r;
  r.seen.push_back({0, 2, 0, 2, 1, 2});  // a rebalance: from the committed offset 2 again
  r.seen.push_back({0, 2, 0, 3, 1, 3});
  EXPECT_TRUE(check(1, r.acked, r.stored, r.seen).ok());
}

TEST(ChaosChecker, WhatAConsumerSawMustStillBeThere) {
  clean_run r;
  r.seen.push_back({1, 1, 0, 5, 1, 5});  // offset 5 is not stored at the end
  auto v = check(1, r.acked, r.stored, r.seen);
  EXPECT_EQ(v.partitions[0].vanished, 1);
  EXPECT_FALSE(v.ok());
}

TEST(ChaosChecker, UnacknowledgedRecordsInTheLogAreFine) {
  clean_run r;
  r.stored.push_back({0, 5, 1, 5});  // sent, its ack lost with a timeout: at-least-once
  EXPECT_TRUE(check(1, r.acked, r.stored, r.seen).ok());
}

}  // namespace
}  // namespace brook::chaos
