// What the coordinator store does when the disk misbehaves (through storage::fault_env): a
// mutation whose WAL append or fsync fails is refused and leaves the store as it was.
#include <gtest/gtest.h>

#include <functional>

#include "runtime/storage/fault_env.hpp"
#include "tests/unit/coord/coord_test_util.hpp"

namespace brook::runtime::coord::test {
namespace {

using storage::fault_env;

template <class T>
status status_of(const result<T>& r) {
  return r.has_value() ? status::ok() : r.error();
}

/// Forwards to another env; its files can also be made to fail truncate() (fault_env cannot),
/// so that undoing a failed append fails too.
class truncate_fault_env final : public storage::env {
 public:
  explicit truncate_fault_env(storage::env& base) : base_(base) {}
  bool fail_truncate = false;

  result<std::unique_ptr<storage::file>> open(const std::string& path) override {
    auto f = base_.open(path);
    if (!f) return f.error();
    return std::unique_ptr<storage::file>(new file(std::move(*f), *this));
  }
  status remove(const std::string& p) override { return base_.remove(p); }
  status rename(const std::string& f, const std::string& t) override { return base_.rename(f, t); }
  result<std::vector<std::string>> list(const std::string& d) override { return base_.list(d); }
  status create_dirs(const std::string& d) override { return base_.create_dirs(d); }
  bool exists(const std::string& p) override { return base_.exists(p); }
  status sync_dir(const std::string& d) override { return base_.sync_dir(d); }

 private:
  class file final : public storage::file {
   public:
    file(std::unique_ptr<storage::file> inner, truncate_fault_env& env)
        : inner_(std::move(inner)), env_(env) {}
    status append(const void* d, size_t n) override { return inner_->append(d, n); }
    result<size_t> read_at(uint64_t pos, void* buf, size_t n) const override {
      return inner_->read_at(pos, buf, n);
    }
    status sync() override { return inner_->sync(); }
    status truncate(uint64_t size) override {
      if (env_.fail_truncate) return {errc::io_error, "injected ftruncate failure"};
      return inner_->truncate(size);
    }
    uint64_t size() const override { return inner_->size(); }

   private:
    std::unique_ptr<storage::file> inner_;
    truncate_fault_env& env_;
  };
  storage::env& base_;
};

class fault_test : public ::testing::Test {
 protected:
  void SetUp() override {
    s_ = open_store(faults_, dir_, 0, opts_);
    ASSERT_NE(s_, nullptr);
    long_ = *s_->open_session(1'000'000, 0);
    short_ = *s_->open_session(100, 0);
    ASSERT_TRUE(s_->create("/k", "v"));
    ASSERT_TRUE(s_->create("/del", "v"));
    ASSERT_TRUE(s_->create("/eph", "v", short_));
    for (const char* p : {"/", "/k", "/del", "/eph", "/new", "/p"}) ASSERT_TRUE(s_->watch(p, 1));
    s_->drain_events();
  }

  /// Every kind of mutation, each of which would succeed on a healthy disk.
  std::vector<std::pair<std::string, std::function<status()>>> mutations() {
    return {
        {"create", [this] { return status_of(s_->create("/new", "x")); }},
        {"create ephemeral", [this] { return status_of(s_->create("/new", "x", long_)); }},
        {"create parents", [this] { return status_of(s_->create("/p/q/r", "x", 0, true)); }},
        {"set", [this] { return status_of(s_->set("/k", "w")); }},
        {"set cas", [this] { return status_of(s_->set("/k", "w", 0)); }},
        {"remove", [this] { return s_->remove("/del", 0); }},
        {"open_session", [this] { return status_of(s_->open_session(1000, 0)); }},
        {"close_session", [this] { return s_->close_session(short_); }},
        {"expire", [this] { return status_of(s_->expire(1000)); }},
    };
  }

  /// Runs every mutation with `arm` armed just before it; each must fail with `code` and change
  /// nothing: not the tree, the sequence, the sessions, the events or the WAL's length.
  void expect_every_mutation_refused(const std::function<void()>& arm, errc code) {
    for (auto& [name, fn] : mutations()) {
      auto before = dump(*s_);
      int64_t seq = s_->seq();
      uint64_t wal = s_->wal_bytes();
      arm();
      status s = fn();
      faults_.clear();
      EXPECT_EQ(s.code(), code) << name << ": " << s.to_string();
      EXPECT_EQ(dump(*s_), before) << name;
      EXPECT_EQ(s_->seq(), seq) << name;
      EXPECT_EQ(s_->wal_bytes(), wal) << name;
      EXPECT_EQ(file_size(dir_.wal()), wal) << name;
      EXPECT_TRUE(s_->has_session(short_)) << name;
      EXPECT_TRUE(s_->drain_events().empty()) << name;
      EXPECT_TRUE(s_->failure().is_ok()) << name;
    }
  }

  /// After the refusals the store still works, and a restart shows exactly what succeeded.
  void expect_healthy_after() {
    for (auto& [name, fn] : mutations()) {
      if (name == "set cas" || name == "create ephemeral") continue;  // conflict with the others
      EXPECT_TRUE(fn().is_ok()) << name;
    }
    EXPECT_FALSE(s_->has_session(short_));
    EXPECT_FALSE(s_->exists("/eph"));
    auto before = dump(*s_);
    int64_t seq = s_->seq();
    s_.reset();
    s_ = open_store(dir_);
    ASSERT_NE(s_, nullptr);
    EXPECT_EQ(dump(*s_), before);
    EXPECT_EQ(s_->seq(), seq);
    EXPECT_EQ(s_->recovery().truncated_bytes, 0u);
  }

  temp_dir dir_;
  fault_env faults_{storage::env::posix()};
  store_options opts_;
  std::unique_ptr<store> s_;
  uint64_t long_ = 0;
  uint64_t short_ = 0;
};

TEST_F(fault_test, failed_wal_append_fails_the_mutation_and_leaves_the_tree_unchanged) {
  expect_every_mutation_refused([&] { faults_.fail_next_append_after(5); }, errc::io_error);
  expect_healthy_after();
}

TEST_F(fault_test, failed_wal_fsync_fails_the_mutation_and_leaves_the_tree_unchanged) {
  // The record was written whole before the fsync failed: it must be cut off again, or a
  // restart would apply a mutation that was refused.
  expect_every_mutation_refused([&] { faults_.fail_next_sync(); }, errc::io_error);
  expect_healthy_after();
}

TEST_F(fault_test, full_disk_fails_the_mutation_and_leaves_the_tree_unchanged) {
  expect_every_mutation_refused([&] { faults_.set_space_limit(12); }, errc::disk_full);
  expect_healthy_after();
}

TEST_F(fault_test, failed_snapshot_keeps_the_wal_and_loses_nothing) {
  uint64_t wal = s_->wal_bytes();
  faults_.fail_next_sync();
  EXPECT_FALSE(s_->compact().is_ok());
  EXPECT_FALSE(std::filesystem::exists(dir_.snapshot()));
  EXPECT_EQ(s_->wal_bytes(), wal);
  EXPECT_TRUE(s_->failure().is_ok());
  ASSERT_TRUE(s_->set("/k", "after"));
  auto before = dump(*s_);
  s_.reset();
  s_ = open_store(dir_);
  ASSERT_NE(s_, nullptr);
  EXPECT_EQ(dump(*s_), before);
  EXPECT_FALSE(s_->recovery().snapshot_loaded);
}

TEST_F(fault_test, failed_automatic_snapshot_does_not_fail_the_mutation) {
  s_.reset();
  opts_.snapshot_bytes = 1;  // every mutation tries to snapshot
  s_ = open_store(faults_, dir_, 0, opts_);
  ASSERT_NE(s_, nullptr);
  uint64_t wal = s_->wal_bytes();
  ASSERT_GT(wal, 0u);           // SetUp's records (not yet compacted)
  faults_.set_space_limit(60);  // room for the WAL record, not for the snapshot
  auto v = s_->set("/k", "kept");
  faults_.clear();
  ASSERT_TRUE(v.has_value()) << v.error().to_string();
  EXPECT_FALSE(std::filesystem::exists(dir_.snapshot()));
  EXPECT_GT(s_->wal_bytes(), wal);
  ASSERT_TRUE(s_->set("/k", "compacted"));  // healthy again: this one snapshots
  EXPECT_TRUE(std::filesystem::exists(dir_.snapshot()));
  EXPECT_EQ(s_->wal_bytes(), 0u);
  auto before = dump(*s_);
  s_.reset();
  s_ = open_store(dir_);
  EXPECT_EQ(dump(*s_), before);
  EXPECT_TRUE(s_->recovery().snapshot_loaded);
}

TEST_F(fault_test, undo_that_fails_makes_the_store_refuse_writes_until_reopened) {
  s_.reset();
  truncate_fault_env env(faults_);
  s_ = open_store(env, dir_);
  ASSERT_NE(s_, nullptr);
  auto before = dump(*s_);
  faults_.fail_next_append_after(5);
  env.fail_truncate = true;
  EXPECT_EQ(s_->set("/k", "lost").error().code(), errc::io_error);
  env.fail_truncate = false;
  EXPECT_FALSE(s_->failure().is_ok());
  EXPECT_EQ(dump(*s_), before);
  // 5 torn bytes sit at the WAL's end: nothing may be appended behind them.
  auto later = s_->create("/later", "x");
  ASSERT_FALSE(later.has_value());
  EXPECT_EQ(later.error().code(), errc::io_error);
  EXPECT_EQ(value_of(*s_, "/k"), "v");  // reads still work
  s_.reset();
  s_ = open_store(dir_);
  ASSERT_NE(s_, nullptr);
  EXPECT_EQ(dump(*s_), before);
  EXPECT_EQ(s_->recovery().truncated_bytes, 5u);
  EXPECT_TRUE(s_->create("/later", "x").has_value());
}

}  // namespace
}  // namespace brook::runtime::coord::test
