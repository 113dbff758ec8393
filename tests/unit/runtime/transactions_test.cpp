#include "runtime/transactions.hpp"

#include <gtest/gtest.h>

using namespace brook::runtime;

namespace {

batch_header data_batch(int64_t pid, int64_t base, int32_t count, bool transactional = true) {
  batch_header h{};
  h.base_offset = base;
  h.last_offset_delta = count - 1;
  h.producer_id = pid;
  h.attributes = transactional ? batch_transactional_bit : 0;
  return h;
}

batch_header marker(int64_t pid, int64_t offset) {
  batch_header h = data_batch(pid, offset, 1);
  h.attributes = int16_t(batch_transactional_bit | batch_control_bit);
  return h;
}

}  // namespace

TEST(Transactions, MarkerBatchesAreValidControlBatches) {
  for (bool commit : {true, false}) {
    auto b = build_marker_batch(42, 3, commit, 7, 1000);
    ASSERT_TRUE(validate_batch(b.data(), b.size()));
    auto h = parse_batch_header(b.data(), b.size());
    ASSERT_TRUE(h);
    EXPECT_TRUE(h->is_control());
    EXPECT_TRUE(h->is_transactional());
    EXPECT_EQ(h->producer_id, 42);
    EXPECT_EQ(h->producer_epoch, 3);
    EXPECT_EQ(h->base_sequence, -1);
    EXPECT_EQ(h->records_count, 1);
    auto type = marker_commits(b.data(), b.size());
    ASSERT_TRUE(type);
    EXPECT_EQ(*type, commit);
    auto records = decode_records(b.data(), b.size());
    ASSERT_TRUE(records);
    // Kafka's layout: key = version 0, type; value = version 0, coordinator epoch.
    EXPECT_EQ(*(*records)[0].key, std::string({0, 0, 0, char(commit ? 1 : 0)}));
    EXPECT_EQ(*(*records)[0].value, std::string({0, 0, 0, 0, 0, 7}));
  }
  batch_builder plain;
  plain.append(1, std::string_view("k"), std::string_view("v"));
  auto b = plain.build();
  EXPECT_FALSE(marker_commits(b.data(), b.size()));
}

TEST(Transactions, TheLastStableOffsetStopsAtTheFirstOpenTransaction) {
  txn_tracker t;
  EXPECT_EQ(t.last_stable_offset(10), 10);
  t.on_batch(data_batch(1, 0, 2, false));  // not transactional: no effect
  t.on_batch(data_batch(7, 2, 3));         // producer 7 opens at 2
  t.on_batch(data_batch(8, 5, 1));         // producer 8 opens at 5
  t.on_batch(data_batch(7, 6, 2));         // still the same transaction of 7
  EXPECT_EQ(t.last_stable_offset(20), 2);
  EXPECT_EQ(t.last_stable_offset(1), 1);  // never above the high watermark
  int64_t first = -1;
  EXPECT_TRUE(t.open(7, &first));
  EXPECT_EQ(first, 2);
  t.on_batch(marker(7, 8), true);  // 7 commits
  EXPECT_FALSE(t.open(7));
  EXPECT_EQ(t.last_stable_offset(20), 5);
  t.on_batch(marker(8, 9), false);  // 8 aborts
  EXPECT_EQ(t.last_stable_offset(20), 20);
  auto aborted = t.aborted_between(0, 20);
  ASSERT_EQ(aborted.size(), 1u);
  EXPECT_EQ(aborted[0].producer_id, 8);
  EXPECT_EQ(aborted[0].first_offset, 5);
  EXPECT_EQ(aborted[0].last_offset, 9);
  EXPECT_TRUE(t.aborted_between(10, 20).empty());  // entirely before the range
  EXPECT_EQ(t.aborted_between(0, 5).size(), 0u);   // entirely after it
  EXPECT_EQ(t.aborted_between(9, 10).size(), 1u);  // its marker is in the range
  t.on_batch(marker(9, 10), false);                // a marker for nothing open: ignored
  EXPECT_EQ(t.aborted_between(0, 20).size(), 1u);
  t.forget_before(10);
  EXPECT_TRUE(t.aborted_between(0, 20).empty());
}
