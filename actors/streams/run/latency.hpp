#pragma once
// Latencies of a task's records, in log-spaced buckets (each about 3% wider than the last), so a
// task keeps percentiles of millions of records in a few kilobytes.
#include <array>
#include <cmath>
#include <cstdint>

namespace brook::streams::run {

class latency_histogram {
 public:
  void add(int64_t micros) {
    ++buckets_[bucket_of(micros)];
    ++count_;
    if (micros > max_) max_ = micros;
  }
  int64_t count() const { return count_; }
  int64_t max() const { return max_; }
  /// The latency (µs, the top of its bucket) below which a fraction q of the records fell.
  int64_t percentile(double q) const {
    if (count_ == 0) return 0;
    auto want = int64_t(std::ceil(q * double(count_)));
    int64_t seen = 0;
    for (size_t i = 0; i < buckets_.size(); ++i) {
      seen += buckets_[i];
      if (seen >= want) return std::min(top_of(i), max_);
    }
    return max_;
  }

 private:
  static constexpr double growth = 1.03;
  static size_t bucket_of(int64_t us) {
    if (us < 1) return 0;
    auto b = size_t(std::log(double(us)) / std::log(growth)) + 1;
    return b < n ? b : n - 1;
  }
  static int64_t top_of(size_t b) { return b == 0 ? 0 : int64_t(std::pow(growth, double(b))); }
  static constexpr size_t n = 1024;  // 1.03^1023 µs is beyond any latency worth telling apart
  std::array<int64_t, n> buckets_{};
  int64_t count_ = 0;
  int64_t max_ = 0;
};

}  // namespace brook::streams::run
