// File naming and the sparse index files.
#include "runtime/storage/index.hpp"

#include <gtest/gtest.h>

#include "runtime/storage/log_format.hpp"
#include "tests/unit/storage/storage_test_util.hpp"

namespace brook::runtime::storage::test {
namespace {

TEST(log_format, segment_names_are_twenty_digit_base_offsets) {
  EXPECT_EQ(format::segment_file_name(0, format::log_suffix), "00000000000000000000.log");
  EXPECT_EQ(format::segment_file_name(42, format::index_suffix), "00000000000000000042.index");
  EXPECT_EQ(format::segment_file_name(INT64_MAX, format::time_index_suffix),
            "09223372036854775807.timeindex");
  EXPECT_EQ(format::parse_segment_file_name("00000000000000000042.log", format::log_suffix), 42);
  EXPECT_FALSE(format::parse_segment_file_name("00000000000000000042.log", ".index"));
  EXPECT_FALSE(format::parse_segment_file_name("0000000000000000042.log", format::log_suffix));
  EXPECT_FALSE(format::parse_segment_file_name("0000000000000000004x.log", format::log_suffix));
  EXPECT_FALSE(format::parse_segment_file_name("99999999999999999999.log", format::log_suffix));
  EXPECT_EQ(format::partition_dir_name("orders", 3), "orders-3");
}

TEST(sparse_index, append_load_and_floor) {
  temp_dir dir;
  {
    auto f = env::posix().open(dir.file("i"));
    ASSERT_TRUE(f.has_value());
    offset_index idx(std::move(*f));
    idx.append({10, 100});
    idx.append({20, 250});
    EXPECT_EQ(read_file(dir.file("i")).size(), 0u);  // entries wait for write_pending
    ASSERT_TRUE(idx.write_pending().is_ok());
    idx.append({35, 400});
    EXPECT_TRUE(idx.has_pending());
    ASSERT_TRUE(idx.write_pending().is_ok());
    EXPECT_FALSE(idx.has_pending());
  }
  std::string raw = read_file(dir.file("i"));
  ASSERT_EQ(raw.size(), 3 * format::index_entry_size);
  EXPECT_EQ(raw.substr(0, 8), std::string("\0\0\0\x0a\0\0\0\x64", 8));  // big-endian

  auto f = env::posix().open(dir.file("i"));
  ASSERT_TRUE(f.has_value());
  offset_index idx(std::move(*f));
  auto ok = idx.load(1000, UINT32_MAX);
  ASSERT_TRUE(ok.has_value());
  EXPECT_TRUE(*ok);
  EXPECT_EQ(idx.count(), 3u);
  EXPECT_FALSE(floor_entry(idx, 9));
  EXPECT_EQ(floor_entry(idx, 10)->position, 100u);
  EXPECT_EQ(floor_entry(idx, 34)->position, 250u);
  EXPECT_EQ(floor_entry(idx, 1000)->position, 400u);
  // Positions past the log make the index untrustworthy.
  auto short_log = idx.load(400, UINT32_MAX);
  ASSERT_TRUE(short_log.has_value());
  EXPECT_FALSE(*short_log);
  EXPECT_EQ(idx.count(), 0u);
  ASSERT_TRUE(idx.load(1000, UINT32_MAX).value());
  ASSERT_TRUE(idx.truncate_entries(1).is_ok());
  EXPECT_EQ(read_file(dir.file("i")).size(), format::index_entry_size);
}

TEST(sparse_index, time_index_lookup_and_rebuild) {
  temp_dir dir;
  auto f = env::posix().open(dir.file("t"));
  ASSERT_TRUE(f.has_value());
  time_index idx(std::move(*f));
  ASSERT_TRUE(idx.assign({{1000, 0}, {2000, 5}, {3000, 9}}).is_ok());
  EXPECT_EQ(read_file(dir.file("t")).size(), 3 * format::time_index_entry_size);
  EXPECT_FALSE(last_entry_before(idx, 1000));
  EXPECT_EQ(last_entry_before(idx, 1001)->relative_offset, 0u);
  EXPECT_EQ(last_entry_before(idx, 3000)->relative_offset, 5u);
  EXPECT_EQ(last_entry_before(idx, 9999)->relative_offset, 9u);
  write_file(dir.file("t"), std::string(24, '\0'));  // equal timestamps: not strictly growing
  auto ok = idx.load(100, UINT32_MAX);
  ASSERT_TRUE(ok.has_value());
  EXPECT_FALSE(*ok);
}

}  // namespace
}  // namespace brook::runtime::storage::test
