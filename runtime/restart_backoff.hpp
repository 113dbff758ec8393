#pragma once
// When a supervisor restarts a crashed child: after a delay that doubles with each crash inside a
// sliding window, and not at all once too many crashes fell inside it. One per supervised child.
#include <chrono>
#include <cstddef>
#include <deque>
#include <limits>
#include <optional>

namespace brook::runtime {

struct restart_policy {
  /// Restarts allowed within `window`; the crash after them gives up.
  size_t max_restarts = std::numeric_limits<size_t>::max();
  std::chrono::milliseconds window{60000};
  /// The first crash within the window restarts at once; the later ones wait `base`, 2x, 4x...
  bool first_immediate = false;
  std::chrono::milliseconds base{100};
  std::chrono::milliseconds max_delay{5000};
};

class restart_backoff {
 public:
  using clock_type = std::chrono::steady_clock;
  explicit restart_backoff(restart_policy p = {}) : policy_(p) {}

  /// Records a crash at `now`: the delay before the restart, or nullopt to give up.
  std::optional<std::chrono::milliseconds> on_crash(clock_type::time_point now);
  /// Crashes within the window, as of the last on_crash().
  size_t crashes() const { return crashes_.size(); }

 private:
  restart_policy policy_;
  std::deque<clock_type::time_point> crashes_;
};

}  // namespace brook::runtime
