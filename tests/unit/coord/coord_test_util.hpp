#pragma once
// Shared helpers for the coordinator store tests: a fresh temp directory per test, opening a
// store, and raw file surgery for recovery tests.
#include <gtest/gtest.h>

#include "tests/temp_dir.hpp"
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "runtime/coord/format.hpp"
#include "runtime/coord/path.hpp"
#include "runtime/coord/store.hpp"
#include "runtime/storage/file.hpp"

namespace brook::runtime::coord::test {

/// The shared temp dir, with the store's file names.
class temp_dir : public brook::testutil::temp_dir {
 public:
  std::string wal() const { return file(format::wal_file); }
  std::string snapshot() const { return file(format::snapshot_file); }
};

/// Opens a store or fails the test (nullptr).
inline std::unique_ptr<store> open_store(storage::env& env, const temp_dir& dir, int64_t now_ms = 0,
                                         store_options opts = {}) {
  auto s = store::open(env, dir.path(), now_ms, opts);
  EXPECT_TRUE(s.has_value()) << s.error().to_string();
  return s ? std::move(*s) : nullptr;
}

inline std::unique_ptr<store> open_store(const temp_dir& dir, int64_t now_ms = 0,
                                         store_options opts = {}) {
  return open_store(storage::env::posix(), dir, now_ms, opts);
}

/// A fresh store in a fresh temp directory for every test.
class store_fixture : public ::testing::Test {
 protected:
  void SetUp() override {
    s_ = open_store(dir_);
    ASSERT_NE(s_, nullptr);
  }
  temp_dir dir_;
  std::unique_ptr<store> s_;
};

using brook::testutil::file_size;
using brook::testutil::flip_byte;
using brook::testutil::resize_file;
using brook::testutil::read_file;
using brook::testutil::write_file;

/// The value at `path`, or "<error>" so a comparison fails readably.
inline std::string value_of(const store& s, const std::string& path) {
  auto d = s.get(path);
  return d ? d->value : "<" + d.error().to_string() + ">";
}

/// Every node of the tree with its value and stat, for whole-state comparisons.
inline std::map<std::string, std::string> dump(const store& s) {
  std::map<std::string, std::string> out;
  std::vector<std::string> todo{"/"};
  while (!todo.empty()) {
    std::string p = todo.back();
    todo.pop_back();
    auto d = s.get(p);
    auto kids = s.children(p);
    EXPECT_TRUE(d.has_value() && kids.has_value()) << p;
    if (!d || !kids) continue;
    out[p] = d->value + "|v" + std::to_string(d->version) + "|e" +
             std::to_string(d->ephemeral_session) + "|c" + std::to_string(d->created_seq) + "|m" +
             std::to_string(d->modified_seq);
    for (const auto& k : *kids) todo.push_back(child_path(p, k));
  }
  return out;
}

}  // namespace brook::runtime::coord::test
