#include "runtime/storage/log_flusher.hpp"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

namespace brook::runtime::storage {

log_flusher::log_flusher(size_t threads, std::string hold_path) : hold_path_(std::move(hold_path)) {
  for (size_t i = 0; i < std::max<size_t>(threads, 1); ++i) {
    threads_.emplace_back([this] { work(); });
    pthread_setname_np(threads_.back().native_handle(), "brook.flusher");
  }
}

log_flusher::~log_flusher() {
  {
    std::lock_guard<std::mutex> g(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void log_flusher::submit(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> g(mu_);
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
}

void log_flusher::work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and everything submitted has run
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    while (!hold_path_.empty() && access(hold_path_.c_str(), F_OK) != 0) {
      {
        std::lock_guard<std::mutex> g(mu_);
        if (stopping_) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    job();
  }
}

}  // namespace brook::runtime::storage
