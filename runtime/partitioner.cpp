#include "runtime/partitioner.hpp"

#include "runtime/status.hpp"

namespace brook::runtime {

int32_t murmur2(const void* data, size_t n) {
  // Java arithmetic on ints wraps; unsigned arithmetic gives the same bits without UB.
  constexpr uint32_t seed = 0x9747b28c;
  constexpr uint32_t m = 0x5bd1e995;
  constexpr int r = 24;
  const auto* p = static_cast<const uint8_t*>(data);
  uint32_t h = seed ^ uint32_t(n);
  const size_t blocks = n / 4;
  for (size_t i = 0; i < blocks; ++i, p += 4) {
    uint32_t k = uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  switch (n % 4) {
    case 3:
      h ^= uint32_t(p[2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= uint32_t(p[1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= uint32_t(p[0]);
      h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return int32_t(h);
}

int32_t kafka_key_partition(std::string_view key, int32_t num_partitions) {
  BROOK_ASSERT(num_partitions > 0, "kafka_key_partition: no partitions");
  return (murmur2(key.data(), key.size()) & 0x7fffffff) % num_partitions;
}

}  // namespace brook::runtime
