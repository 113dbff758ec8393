#include "runtime/restart_backoff.hpp"

#include <algorithm>

namespace brook::runtime {

std::optional<std::chrono::milliseconds> restart_backoff::on_crash(clock_type::time_point now) {
  crashes_.push_back(now);
  while (now - crashes_.front() > policy_.window) crashes_.pop_front();
  size_t n = crashes_.size();
  if (n > policy_.max_restarts) return std::nullopt;
  if (policy_.first_immediate) {
    if (n == 1) return std::chrono::milliseconds(0);
    --n;
  }
  // base * 2^(n-1), without overflowing the shift
  auto doublings = std::min<size_t>(n - 1, 30);
  return std::min(policy_.max_delay, policy_.base * (int64_t(1) << doublings));
}

}  // namespace brook::runtime
