#include <gtest/gtest.h>

#include "runtime/producer_state.hpp"

using namespace brook::runtime;
using verdict = producer_state_table::verdict;

namespace {
batch_header batch(int64_t pid, int16_t epoch, int32_t seq, int32_t count, int64_t base_offset = 0) {
  batch_header h{};
  h.producer_id = pid;
  h.producer_epoch = epoch;
  h.base_sequence = seq;
  h.last_offset_delta = count - 1;
  h.records_count = count;
  h.base_offset = base_offset;
  return h;
}
}  // namespace

TEST(ProducerState, NonIdempotentBatchesAlwaysAppend) {
  producer_state_table t;
  EXPECT_EQ(t.check(batch(-1, -1, -1, 3)).v, verdict::append);
  t.record(batch(-1, -1, -1, 3));
  EXPECT_EQ(t.producers(), 0u);
}

TEST(ProducerState, InOrderAppendsAndRetriesAreDuplicates) {
  producer_state_table t;
  auto b1 = batch(7, 0, 0, 5, 100);
  EXPECT_EQ(t.check(b1).v, verdict::append);
  t.record(b1);
  auto b2 = batch(7, 0, 5, 5, 105);
  EXPECT_EQ(t.check(b2).v, verdict::append);
  t.record(b2);
  auto dup = t.check(batch(7, 0, 0, 5));
  EXPECT_EQ(dup.v, verdict::duplicate);
  EXPECT_EQ(dup.base_offset, 100);
  EXPECT_EQ(t.check(batch(7, 0, 5, 5)).base_offset, 105);
}

TEST(ProducerState, GapIsOutOfOrderAndOldEpochIsFenced) {
  producer_state_table t;
  t.record(batch(7, 1, 0, 5, 0));
  EXPECT_EQ(t.check(batch(7, 1, 6, 1)).v, verdict::out_of_order);
  EXPECT_EQ(t.check(batch(7, 0, 5, 1)).v, verdict::fenced);
  EXPECT_EQ(t.check(batch(7, 2, 0, 1)).v, verdict::append);
  EXPECT_EQ(t.check(batch(7, 2, 3, 1)).v, verdict::out_of_order);
}

TEST(ProducerState, KeepsOnlyTheLastBatchesOfItsWindow) {
  producer_state_table t;
  const int kept = int(producer_state_table::batches_kept);
  for (int i = 0; i < kept + 2; ++i) t.record(batch(9, 0, i, 1, i));
  EXPECT_EQ(t.check(batch(9, 0, kept + 1, 1)).v, verdict::duplicate);
  EXPECT_EQ(t.check(batch(9, 0, 2, 1)).v, verdict::duplicate);
  EXPECT_EQ(t.check(batch(9, 0, 2, 1)).base_offset, 2);
  // Batch 1 has aged out of the window: no longer recognised, and not next in sequence.
  EXPECT_EQ(t.check(batch(9, 0, 1, 1)).v, verdict::out_of_order);
  EXPECT_EQ(t.check(batch(9, 0, kept + 2, 1)).v, verdict::append);
}

TEST(ProducerState, UnknownProducerAppendsFromAnySequence) {
  producer_state_table t;
  EXPECT_EQ(t.check(batch(42, 0, 1234, 2)).v, verdict::append);
}

TEST(ProducerState, SequenceWrapsAtInt32Max) {
  producer_state_table t;
  t.record(batch(5, 0, INT32_MAX - 1, 2));  // covers INT32_MAX-1 and INT32_MAX
  EXPECT_EQ(t.check(batch(5, 0, 0, 1)).v, verdict::append);
}
