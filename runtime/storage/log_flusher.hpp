#pragma once
// The node's log flusher: a few threads that run partitions' flush plans (fsync) so a partition
// actor goes on taking appends while its last ones are being made durable (group commit: every
// append that arrives during a flush is covered by the next one). Jobs run in submission order
// per thread; a partition has at most one flush in flight, so its flushes never overlap.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace brook::runtime::storage {

class log_flusher {
 public:
  /// `threads` >= 1. With `hold_path` set, no job starts while that file is missing: tests use
  /// it to hold flushes back and kill the process between an append and its flush.
  explicit log_flusher(size_t threads, std::string hold_path = {});
  /// Runs every job already submitted, then joins the threads.
  ~log_flusher();
  log_flusher(const log_flusher&) = delete;
  log_flusher& operator=(const log_flusher&) = delete;

  void submit(std::function<void()> job);

 private:
  void work();

  std::string hold_path_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace brook::runtime::storage
