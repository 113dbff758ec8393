// The node's log flusher: jobs run on its threads, a hold file holds them back, and destruction
// runs what was submitted before joining.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "runtime/storage/log_flusher.hpp"
#include "tests/unit/storage/storage_test_util.hpp"

namespace brook::runtime::storage::test {
namespace {

TEST(log_flusher, runs_every_job_on_its_own_threads) {
  std::atomic<int> ran{0};
  std::atomic<bool> on_caller{false};
  auto caller = std::this_thread::get_id();
  {
    log_flusher f(2);
    for (int i = 0; i < 100; ++i)
      f.submit([&] {
        if (std::this_thread::get_id() == caller) on_caller = true;
        ++ran;
      });
  }  // the destructor runs what is queued
  EXPECT_EQ(ran.load(), 100);
  EXPECT_FALSE(on_caller.load());
}

TEST(log_flusher, holds_jobs_while_the_hold_file_is_missing) {
  temp_dir dir;
  std::string hold = dir.path() + "/release";
  std::atomic<int> ran{0};
  log_flusher f(1, hold);
  f.submit([&] { ++ran; });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(ran.load(), 0) << "a job ran while the hold file was missing";
  std::ofstream(hold) << "go";
  for (int i = 0; i < 500 && ran.load() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(ran.load(), 1);
}

}  // namespace
}  // namespace brook::runtime::storage::test
