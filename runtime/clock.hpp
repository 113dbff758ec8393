#pragma once
// Wall-clock time as Kafka counts it: milliseconds since the Unix epoch (record timestamps,
// retention, commit times, coordinator sessions). Durations and deadlines use steady_clock.
#include <chrono>
#include <cstdint>

namespace brook::runtime {

inline int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Monotonic milliseconds (arbitrary origin): only for comparing times within one process.
inline int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
inline int64_t steady_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace brook::runtime
