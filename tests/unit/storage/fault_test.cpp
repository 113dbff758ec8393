// What the log does when the disk misbehaves (through fault_env): nothing acknowledged is lost.
#include <gtest/gtest.h>

#include "runtime/storage/fault_env.hpp"
#include "runtime/storage/partition_log.hpp"
#include "tests/unit/storage/storage_test_util.hpp"

namespace brook::runtime::storage::test {
namespace {

class fault_test : public ::testing::Test {
 protected:
  std::unique_ptr<partition_log> open() { return open_log(faults_, dir_, cfg_); }

  temp_dir dir_;
  fault_env faults_{env::posix()};
  log_config cfg_;
};

TEST_F(fault_test, short_write_is_undone_and_the_next_append_works) {
  auto log = open();
  ASSERT_NE(log, nullptr);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(append_copy(*log, make_batch(2, i)));
  std::string path = segment_path(dir_, 0, format::log_suffix);
  uint64_t size = file_size(path);

  faults_.fail_next_append_after(10);
  auto failed = append_copy(*log, make_batch(2, 99));
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code(), errc::io_error);
  EXPECT_EQ(file_size(path), size);  // the 10 written bytes are gone
  EXPECT_EQ(log->end_offset(), offset{10});
  EXPECT_TRUE(log->failure().is_ok());
  EXPECT_EQ(read_all(*log).size(), 10u);

  auto next = append_copy(*log, make_batch(2, 100));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->base_offset, offset{10});
  EXPECT_EQ(read_all(*log).size(), 12u);
  log.reset();
  log = open();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->recovery().truncated_bytes, 0u);
  EXPECT_EQ(log->end_offset(), offset{12});
}

// Index entries are written at flushes and seals, not per append: a flush whose index write
// fails still flushes the .log and keeps the entries for the next write; nothing is lost and a
// sealed segment's indexes are whole.
TEST_F(fault_test, failed_index_write_is_retried_and_loses_nothing) {
  cfg_.index_interval_bytes = 0;  // every batch gets an index entry
  bytes b = make_batch(1, 10);
  cfg_.segment_bytes = 6 * b.size();
  auto log = open();
  ASSERT_NE(log, nullptr);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(append_copy(*log, make_batch(1, i)).has_value());
  std::string idx = segment_path(dir_, 0, format::index_suffix);
  EXPECT_EQ(file_size(idx), 0u);  // appends wrote only the .log
  faults_.set_space_limit(3);     // the index write at the flush does not fit
  EXPECT_TRUE(log->flush().is_ok());
  EXPECT_LT(file_size(idx), uint64_t(format::index_entry_size));
  faults_.clear();
  for (int i = 3; i < 8; ++i) ASSERT_TRUE(append_copy(*log, make_batch(1, i)).has_value());
  ASSERT_GE(log->segment_count(), 2u);  // the roll sealed the first segment: its index written
  EXPECT_EQ(file_size(idx), 6u * format::index_entry_size);
  log.reset();
  log = open();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->end_offset(), offset{8});
  EXPECT_EQ(read_all(*log).size(), 8u);
  auto at = log->read(offset{4}, 1);
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(headers_of(*at).front().base_offset, 4);
}

TEST_F(fault_test, failed_sync_is_reported_by_flush) {
  auto log = open();
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(append_copy(*log, make_batch(3, 1)));
  ASSERT_TRUE(log->flush().is_ok());
  ASSERT_TRUE(append_copy(*log, make_batch(3, 1)));
  faults_.fail_next_sync();
  status s = log->flush();
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), errc::io_error);
  EXPECT_EQ(log->flushed_offset(), offset{3});
  // After a failed fsync the page cache cannot be trusted: no more writes until reopened.
  auto refused = append_copy(*log, make_batch(1, 1));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), errc::io_error);
  EXPECT_FALSE(log->flush().is_ok());
  EXPECT_EQ(read_all(*log).size(), 6u);  // reads still work

  log.reset();
  log = open();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->end_offset(), offset{6});
  EXPECT_EQ(log->flushed_offset(), offset{6});
  EXPECT_TRUE(append_copy(*log, make_batch(1, 1)).has_value());
  EXPECT_TRUE(log->flush().is_ok());
}

TEST_F(fault_test, disk_full_loses_nothing_acknowledged) {
  cfg_.segment_bytes = 4096;
  auto log = open();
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(append_copy(*log, make_batch(4, 1)));
  faults_.set_space_limit(10000);
  int64_t acknowledged = 4;
  status last;
  for (int i = 0; i < 1000; ++i) {
    auto r = append_copy(*log, make_batch(4, 1, 40));
    if (!r) {
      last = r.error();
      break;
    }
    EXPECT_EQ(r->base_offset, offset{acknowledged});
    acknowledged += 4;
  }
  ASSERT_FALSE(last.is_ok());
  EXPECT_EQ(last.code(), errc::disk_full);
  EXPECT_EQ(log->end_offset(), offset{acknowledged});
  EXPECT_EQ(read_all(*log).size(), size_t(acknowledged));
  // Still full: refused again, nothing changes.
  EXPECT_FALSE(append_copy(*log, make_batch(4, 1, 40)).has_value());
  EXPECT_EQ(log->end_offset(), offset{acknowledged});

  faults_.clear();
  auto r = append_copy(*log, make_batch(4, 1, 40));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->base_offset, offset{acknowledged});
  ASSERT_TRUE(log->flush().is_ok());
  log.reset();
  log = open();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->end_offset(), offset{acknowledged + 4});
  EXPECT_EQ(log->recovery().truncated_bytes, 0u);
  EXPECT_EQ(read_all(*log).size(), size_t(acknowledged + 4));
}

TEST_F(fault_test, failed_roll_keeps_the_log_usable) {
  bytes b = make_batch(2, 1);
  cfg_.segment_bytes = 2 * b.size();
  auto log = open();
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(append_copy(*log, b));
  ASSERT_TRUE(append_copy(*log, b));
  // The roll's final .timeindex entry cannot be written.
  faults_.fail_next_append_after(0);
  EXPECT_FALSE(append_copy(*log, b).has_value());
  EXPECT_EQ(log->segment_count(), 1u);
  EXPECT_EQ(log->end_offset(), offset{4});
  auto r = append_copy(*log, b);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->base_offset, offset{4});
  EXPECT_EQ(log->segment_count(), 2u);
  EXPECT_EQ(read_all(*log).size(), 6u);
}

// Group commit (log_flusher): a flush taken with begin_flush covers only what was appended
// before it, and flushed_offset() moves only when it has run. After a power loss everything
// below flushed_offset() is there; what was appended during the flush may be gone.
TEST_F(fault_test, a_power_loss_keeps_everything_below_the_flushed_offset) {
  cfg_.segment_bytes = 3 * make_batch(2, 0).size();  // rolls: the flush spans segments
  auto log = open();
  ASSERT_NE(log, nullptr);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(append_copy(*log, make_batch(2, i)));
  auto plan = log->begin_flush();
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->up_to, offset{10});
  ASSERT_TRUE(plan->run().is_ok());
  // Appends while the flush is in flight (synced, not yet handed back): they are not covered.
  for (int i = 5; i < 8; ++i) ASSERT_TRUE(append_copy(*log, make_batch(2, i)));
  EXPECT_EQ(log->flushed_offset(), offset{0});
  ASSERT_TRUE(log->end_flush(*plan, status::ok()).is_ok());
  EXPECT_EQ(log->flushed_offset(), offset{10});  // not 16: the last three are not synced
  log.reset();
  faults_.lose_unsynced();
  log = open();
  ASSERT_NE(log, nullptr);
  // Offsets 0-9 are all there and nothing after them (the empty segment at 12 that the roll
  // created stays, as in Kafka, so the end offset is 12 with 10-11 never to be read).
  auto recs = read_all(*log);
  ASSERT_EQ(recs.size(), 10u) << "lost what was flushed, or the simulation kept what was not";
  for (size_t i = 0; i < recs.size(); ++i) EXPECT_EQ(recs[i].offset, int64_t(i));
}

TEST_F(fault_test, a_flush_taken_before_a_truncation_does_not_vouch_for_what_replaced_it) {
  auto log = open();
  ASSERT_NE(log, nullptr);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(append_copy(*log, make_batch(2, i)));
  auto plan = log->begin_flush();
  ASSERT_TRUE(plan.has_value());
  ASSERT_TRUE(log->truncate_to(offset{4}).is_ok());  // a follower meets a new leader
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(append_copy(*log, make_batch(2, 10 + i)));
  ASSERT_TRUE(plan->run().is_ok());
  ASSERT_TRUE(log->end_flush(*plan, status::ok()).is_ok());
  EXPECT_EQ(log->flushed_offset(), offset{0});  // the plan is void: offsets 4-9 are new batches
  ASSERT_TRUE(log->flush().is_ok());
  EXPECT_EQ(log->flushed_offset(), offset{10});
}

TEST_F(fault_test, a_failed_flush_on_another_thread_fails_the_log) {
  auto log = open();
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(append_copy(*log, make_batch(2, 0)));
  auto plan = log->begin_flush();
  ASSERT_TRUE(plan.has_value());
  faults_.fail_next_sync();
  status outcome = plan->run();
  EXPECT_FALSE(outcome.is_ok());
  EXPECT_FALSE(log->end_flush(*plan, outcome).is_ok());
  EXPECT_EQ(log->flushed_offset(), offset{0});
  EXPECT_FALSE(log->failure().is_ok());
  EXPECT_FALSE(append_copy(*log, make_batch(2, 1)).has_value());
}

}  // namespace
}  // namespace brook::runtime::storage::test
