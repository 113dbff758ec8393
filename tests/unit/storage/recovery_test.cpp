// Reopening a log: offsets and data survive, torn or corrupt tails are cut, bad indexes rebuilt.
#include <gtest/gtest.h>

#include "runtime/storage/partition_log.hpp"
#include "tests/unit/storage/storage_test_util.hpp"

namespace brook::runtime::storage::test {
namespace {

class recovery_test : public ::testing::Test {
 protected:
  std::unique_ptr<partition_log> open() { return open_log(env::posix(), dir_, cfg_); }

  // Fills a log with `batches` 2-record batches (timestamps 1000 * (i + 1)) and closes it.
  void fill(int batches) {
    auto log = open();
    ASSERT_NE(log, nullptr);
    for (int i = 0; i < batches; ++i) {
      ASSERT_TRUE(append_copy(*log, make_batch(2, 1000 * (i + 1)), i).has_value());
    }
    segments_ = log->segment_count();
  }

  temp_dir dir_;
  log_config cfg_;
  size_t segments_ = 0;
};

TEST_F(recovery_test, reopen_preserves_end_offset_and_data) {
  cfg_.segment_bytes = 700;
  cfg_.index_interval_bytes = 200;
  fill(40);
  ASSERT_GT(segments_, 3u);
  auto log = open();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->segment_count(), segments_);
  EXPECT_EQ(log->start_offset(), offset{0});
  EXPECT_EQ(log->end_offset(), offset{80});
  EXPECT_EQ(log->flushed_offset(), offset{80});
  EXPECT_EQ(log->last_timestamp(), 40000);
  EXPECT_EQ(log->offset_for_timestamp(12500), offset{24});
  EXPECT_EQ(log->recovery().truncated_bytes, 0u);
  EXPECT_EQ(log->recovery().indexes_rebuilt, 0u);
  EXPECT_EQ(log->recovery().segments_scanned, 1u);  // only the active segment
  auto all = read_all(*log);
  ASSERT_EQ(all.size(), 80u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].offset, int64_t(i));
  auto r = append_copy(*log, make_batch(1, 1));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->base_offset, offset{80});
}

TEST_F(recovery_test, reopen_after_retention_keeps_offsets) {
  cfg_.segment_bytes = 1;
  cfg_.retention_ms = 10;
  {
    auto log = open();
    ASSERT_NE(log, nullptr);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(append_copy(*log, make_batch(2, 5)));
    EXPECT_EQ(log->enforce_retention(1000), 2u);
    EXPECT_EQ(log->start_offset(), offset{4});
  }
  auto log = open();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->start_offset(), offset{4});
  EXPECT_EQ(log->end_offset(), offset{6});
  auto r = append_copy(*log, make_batch(1, 5));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->base_offset, offset{6});
}

TEST_F(recovery_test, torn_tail_is_truncated) {
  fill(10);
  std::string path = segment_path(dir_, 0, format::log_suffix);
  uint64_t size = file_size(path);
  uint64_t batch = make_batch(2, 10000).size();
  resize_file(path, size - 20);  // the last batch lost its last 20 bytes

  auto log = open();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->end_offset(), offset{18});
  EXPECT_EQ(log->recovery().truncated_bytes, batch - 20);
  EXPECT_EQ(file_size(path), size - batch);
  auto all = read_all(*log);
  ASSERT_EQ(all.size(), 18u);
  EXPECT_EQ(all.back().offset, 17);
  auto r = append_copy(*log, make_batch(3, 1));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->base_offset, offset{18});
  EXPECT_EQ(read_all(*log).size(), 21u);
}

TEST_F(recovery_test, torn_header_is_truncated) {
  fill(3);
  std::string path = segment_path(dir_, 0, format::log_suffix);
  uint64_t size = file_size(path);
  // 20 bytes of a fourth batch: less than a header.
  bytes extra = make_batch(1, 1);
  std::ofstream(path, std::ios::binary | std::ios::app)
      .write(reinterpret_cast<const char*>(extra.data()), 20);
  auto log = open();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->end_offset(), offset{6});
  EXPECT_EQ(file_size(path), size);
}

TEST_F(recovery_test, crc_corrupt_tail_is_truncated) {
  fill(10);
  std::string path = segment_path(dir_, 0, format::log_suffix);
  uint64_t size = file_size(path);
  uint64_t batch = make_batch(2, 10000).size();
  flip_byte(path, size - 5);  // inside the records of the last batch, covered by its CRC

  auto log = open();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->end_offset(), offset{18});
  EXPECT_EQ(log->recovery().truncated_bytes, batch);
  EXPECT_EQ(read_all(*log).size(), 18u);
  EXPECT_EQ(log->last_timestamp(), 9000);
  auto r = append_copy(*log, make_batch(1, 1));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->base_offset, offset{18});
}

TEST_F(recovery_test, corruption_mid_segment_drops_everything_after_it) {
  fill(10);
  std::string path = segment_path(dir_, 0, format::log_suffix);
  uint64_t batch = make_batch(2, 1).size();
  flip_byte(path, 4 * batch + 30);  // the CRC-covered attributes area of batch 4
  auto log = open();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->end_offset(), offset{8});
  EXPECT_EQ(file_size(path), 4 * batch);
}

TEST_F(recovery_test, missing_index_of_a_closed_segment_is_rebuilt) {
  cfg_.segment_bytes = 2000;
  cfg_.index_interval_bytes = 150;
  fill(60);
  ASSERT_GT(segments_, 2u);
  std::string idx = segment_path(dir_, 0, format::index_suffix);
  std::string tidx = segment_path(dir_, 0, format::time_index_suffix);
  std::string original = read_file(idx);
  std::string original_time = read_file(tidx);
  ASSERT_GT(original.size(), 0u);
  std::filesystem::remove(idx);

  auto log = open();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->recovery().indexes_rebuilt, 1u);
  EXPECT_EQ(log->recovery().segments_scanned, 2u);
  EXPECT_EQ(read_file(idx), original);
  EXPECT_EQ(read_file(tidx), original_time);
  EXPECT_EQ(log->end_offset(), offset{120});
  for (int64_t o = 0; o < 30; ++o) {
    auto data = log->read(offset{o}, 1);
    ASSERT_TRUE(data.has_value());
    EXPECT_EQ(headers_of(*data).front().base_offset, o & ~int64_t(1));
  }
}

TEST_F(recovery_test, garbage_index_is_rebuilt) {
  cfg_.segment_bytes = 2000;
  cfg_.index_interval_bytes = 150;
  fill(60);
  std::string idx = segment_path(dir_, 0, format::index_suffix);
  std::string original = read_file(idx);
  for (std::string garbage : {std::string("not an index"),           // not whole entries
                              std::string(original.size(), '\xff'),  // points past the log
                              original.substr(8, 8) + original.substr(0, 8)}) {  // out of order
    write_file(idx, garbage);
    auto log = open();
    ASSERT_NE(log, nullptr);
    EXPECT_EQ(log->recovery().indexes_rebuilt, 1u);
    EXPECT_EQ(read_file(idx), original);
    EXPECT_EQ(read_all(*log).size(), 120u);
  }
}

TEST_F(recovery_test, truncated_index_is_rebuilt) {
  cfg_.segment_bytes = 2000;
  cfg_.index_interval_bytes = 150;
  fill(60);
  std::string idx = segment_path(dir_, 0, format::index_suffix);
  std::string original = read_file(idx);
  ASSERT_GE(original.size(), 3 * format::index_entry_size);
  write_file(idx, original.substr(0, original.size() - 2 * format::index_entry_size));
  auto log = open();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->recovery().indexes_rebuilt, 1u);
  EXPECT_EQ(read_file(idx), original);
}

TEST_F(recovery_test, garbage_time_index_is_rebuilt) {
  cfg_.segment_bytes = 2000;
  cfg_.index_interval_bytes = 150;
  fill(60);
  std::string tidx = segment_path(dir_, 0, format::time_index_suffix);
  std::string original = read_file(tidx);
  write_file(tidx, std::string(original.size() + 3, 'x'));
  auto log = open();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->recovery().indexes_rebuilt, 1u);
  EXPECT_EQ(read_file(tidx), original);
  EXPECT_EQ(log->offset_for_timestamp(7500), offset{14});
}

TEST_F(recovery_test, orphan_index_files_are_removed) {
  fill(2);
  std::string orphan = segment_path(dir_, 500, format::index_suffix);
  write_file(orphan, "");
  write_file(dir_.file("unrelated.txt"), "keep");
  auto log = open();
  ASSERT_NE(log, nullptr);
  EXPECT_FALSE(std::filesystem::exists(orphan));
  EXPECT_TRUE(std::filesystem::exists(dir_.file("unrelated.txt")));
  EXPECT_EQ(log->end_offset(), offset{4});
}

TEST_F(recovery_test, empty_active_segment_keeps_its_base) {
  cfg_.segment_bytes = 1;
  cfg_.segment_ms = 10;
  {
    auto log = open();
    ASSERT_NE(log, nullptr);
    ASSERT_TRUE(append_copy(*log, make_batch(5, 1), 0));
    log->enforce_retention(100);  // rolls: the active segment at 5 is empty
    ASSERT_EQ(log->segment_count(), 2u);
  }
  auto log = open();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->end_offset(), offset{5});
  EXPECT_EQ(log->segment_count(), 2u);
}

TEST_F(recovery_test, overlapping_segments_are_refused) {
  cfg_.segment_bytes = 1;
  fill(3);  // segments at 0, 2, 4
  std::filesystem::copy_file(segment_path(dir_, 0, format::log_suffix),
                             segment_path(dir_, 1, format::log_suffix));
  auto log = partition_log::open(env::posix(), dir_.path(), cfg_);
  ASSERT_FALSE(log.has_value());
  EXPECT_EQ(log.error().code(), errc::corrupt_message);
}

}  // namespace
}  // namespace brook::runtime::storage::test
