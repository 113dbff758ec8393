// The POSIX env and the fault-injecting env.
#include "runtime/storage/file.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "runtime/storage/fault_env.hpp"
#include "tests/unit/storage/storage_test_util.hpp"

namespace brook::runtime::storage::test {
namespace {

TEST(posix_env, append_read_truncate_round_trip) {
  temp_dir dir;
  env& e = env::posix();
  auto f = e.open(dir.file("a"));
  ASSERT_TRUE(f.has_value()) << f.error().to_string();
  EXPECT_EQ((*f)->size(), 0u);
  ASSERT_TRUE((*f)->append("hello ", 6).is_ok());
  ASSERT_TRUE((*f)->append("world", 5).is_ok());
  EXPECT_EQ((*f)->size(), 11u);
  char buf[32] = {};
  auto n = (*f)->read_at(6, buf, sizeof buf);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(*n, 5u);  // short at end of file
  EXPECT_EQ(std::string(buf, 5), "world");
  ASSERT_TRUE((*f)->sync().is_ok());
  ASSERT_TRUE((*f)->truncate(5).is_ok());
  EXPECT_EQ((*f)->size(), 5u);
  ASSERT_TRUE((*f)->append("!", 1).is_ok());  // appends go to the new end
  EXPECT_EQ(read_file(dir.file("a")), "hello!");
  f->reset();
  // Reopening keeps the content and its size.
  auto again = e.open(dir.file("a"));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ((*again)->size(), 6u);
}

TEST(posix_env, directories_list_exists_remove) {
  temp_dir dir;
  env& e = env::posix();
  std::string nested = dir.file("x/y/z");
  ASSERT_TRUE(e.create_dirs(nested).is_ok());
  ASSERT_TRUE(e.create_dirs(nested).is_ok());  // idempotent
  EXPECT_TRUE(e.exists(nested));
  ASSERT_TRUE(e.open(nested + "/one").has_value());
  ASSERT_TRUE(e.open(nested + "/two").has_value());
  auto names = e.list(nested);
  ASSERT_TRUE(names.has_value());
  std::sort(names->begin(), names->end());
  EXPECT_EQ(*names, (std::vector<std::string>{"one", "two"}));
  EXPECT_TRUE(e.sync_dir(nested).is_ok());
  ASSERT_TRUE(e.remove(nested + "/one").is_ok());
  EXPECT_FALSE(e.exists(nested + "/one"));
  status missing = e.remove(nested + "/one");
  EXPECT_EQ(missing.code(), errc::not_found);
}

TEST(posix_env, errors_name_the_path) {
  temp_dir dir;
  auto f = env::posix().open(dir.file("no/such/dir/file"));
  ASSERT_FALSE(f.has_value());
  EXPECT_NE(f.error().message().find(dir.file("no/such/dir/file")), std::string::npos);
  write_file(dir.file("plain"), "x");
  status s = env::posix().create_dirs(dir.file("plain/sub"));
  EXPECT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), errc::io_error);
}

TEST(fault_env, short_write_writes_k_bytes_then_fails_once) {
  temp_dir dir;
  fault_env e(env::posix());
  auto f = e.open(dir.file("a"));
  ASSERT_TRUE(f.has_value());
  e.fail_next_append_after(3);
  status s = (*f)->append("abcdef", 6);
  EXPECT_EQ(s.code(), errc::io_error);
  EXPECT_EQ((*f)->size(), 3u);
  EXPECT_EQ(read_file(dir.file("a")), "abc");
  EXPECT_TRUE((*f)->append("xyz", 3).is_ok());
  EXPECT_EQ(read_file(dir.file("a")), "abcxyz");
}

TEST(fault_env, failed_sync_fires_once) {
  temp_dir dir;
  fault_env e(env::posix());
  auto f = e.open(dir.file("a"));
  ASSERT_TRUE(f.has_value());
  e.fail_next_sync();
  EXPECT_EQ((*f)->sync().code(), errc::io_error);
  EXPECT_TRUE((*f)->sync().is_ok());
  EXPECT_EQ(e.syncs(), 2u);
}

TEST(fault_env, space_limit_is_net_of_truncation) {
  temp_dir dir;
  fault_env e(env::posix());
  auto f = e.open(dir.file("a"));
  ASSERT_TRUE(f.has_value());
  e.set_space_limit(10);
  EXPECT_TRUE((*f)->append("12345678", 8).is_ok());
  status s = (*f)->append("abcd", 4);
  EXPECT_EQ(s.code(), errc::disk_full);
  EXPECT_EQ((*f)->size(), 10u);  // what fitted was written
  ASSERT_TRUE((*f)->truncate(4).is_ok());
  EXPECT_TRUE((*f)->append("abcdef", 6).is_ok());
  EXPECT_EQ((*f)->append("z", 1).code(), errc::disk_full);
  e.clear();
  EXPECT_TRUE((*f)->append("z", 1).is_ok());
  EXPECT_EQ(read_file(dir.file("a")), "1234abcdefz");
}

}  // namespace
}  // namespace brook::runtime::storage::test
