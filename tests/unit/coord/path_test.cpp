// Coordinator key paths: what is accepted, and the parent/child helpers.
#include <gtest/gtest.h>

#include "runtime/coord/path.hpp"

namespace brook::runtime::coord {
namespace {

TEST(coord_path, accepts_absolute_paths) {
  for (const char* p : {"/", "/a", "/brokers/ids/1", "/a-b/c_d/e.f", "/x/..y", "/a/b c"}) {
    EXPECT_TRUE(validate_path(p).is_ok()) << p;
  }
}

TEST(coord_path, rejects_relative_empty_segments_and_trailing_slash) {
  for (const char* p : {"", "a", "a/b", "//", "/a//b", "/a/", "/a/b/", "/./a", "/a/..", "/a/."}) {
    status s = validate_path(p);
    EXPECT_FALSE(s.is_ok()) << p;
    EXPECT_EQ(s.code(), errc::invalid_request) << p;
  }
  EXPECT_FALSE(validate_path(std::string("/a\0b", 4)).is_ok());
}

TEST(coord_path, parent_and_base_name) {
  EXPECT_EQ(parent_path("/a"), "/");
  EXPECT_EQ(parent_path("/a/b"), "/a");
  EXPECT_EQ(parent_path("/brokers/ids/1"), "/brokers/ids");
  EXPECT_EQ(base_name("/a"), "a");
  EXPECT_EQ(base_name("/brokers/ids/1"), "1");
  EXPECT_EQ(child_path("/", "a"), "/a");
  EXPECT_EQ(child_path("/a", "b"), "/a/b");
}

}  // namespace
}  // namespace brook::runtime::coord
