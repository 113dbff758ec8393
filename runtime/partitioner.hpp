#pragma once
// Key-to-partition mapping identical to Kafka's Java client (DefaultPartitioner /
// BuiltInPartitioner), so keyed records land where every other Kafka client puts them.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace brook::runtime {

/// Kafka's Utils.murmur2 (MurmurHash2, seed 0x9747b28c) as a Java int.
int32_t murmur2(const void* data, size_t n);

/// (murmur2(key) & 0x7fffffff) % num_partitions, i.e. Kafka's toPositive(murmur2) % n.
/// REQUIRES: num_partitions > 0.
int32_t kafka_key_partition(std::string_view key, int32_t num_partitions);

}  // namespace brook::runtime
