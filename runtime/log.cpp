#include "runtime/log.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace brook::runtime::log {

namespace {
std::atomic<int> current{int(level::info)};
std::mutex out_mutex;
const char* names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
}  // namespace

void set_level(level l) { current = int(l); }
bool enabled(level l) { return int(l) >= current.load(std::memory_order_relaxed); }

bool parse_level(const std::string& text, level& out) {
  std::string t = text;
  std::transform(t.begin(), t.end(), t.begin(), ::tolower);
  for (int i = 0; i < 4; ++i) {
    std::string n = names[i];
    std::transform(n.begin(), n.end(), n.begin(), ::tolower);
    if (t == n) {
      out = level(i);
      return true;
    }
  }
  return false;
}

void write(level l, const std::string& message) {
  auto now = std::chrono::system_clock::now();
  auto t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  localtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
  std::lock_guard<std::mutex> guard(out_mutex);
  std::fprintf(stderr, "[%s,%03d] %s %s\n", stamp, int(ms), names[int(l)], message.c_str());
  std::fflush(stderr);
}

}  // namespace brook::runtime::log
