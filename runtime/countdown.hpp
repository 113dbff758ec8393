#pragma once
// Fan-in: run something once n answers are in. The returned callable is copied into every
// answer's continuation; all copies share one count. Single-threaded (one actor's callbacks).
#include <cstddef>
#include <functional>
#include <memory>

namespace brook::runtime {

/// Calls `f` once the returned callback has run `n` times (n may be 0: then at once).
inline std::function<void()> countdown(size_t n, std::function<void()> f) {
  if (n == 0) {
    f();
    return [] {};
  }
  auto left = std::make_shared<size_t>(n);
  return [left, f = std::move(f)] {
    if (--*left == 0) f();
  };
}

}  // namespace brook::runtime
