#pragma once
// What flows through a topology: typed records (key, value, event time, headers) and where the
// record being processed came from.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace brook::streams {

/// A record header, as Kafka's: a key and an optional value.
struct header {
  std::string key;
  std::optional<std::string> value;
};

/// One record between processors. `timestamp` is its event time in ms (Kafka's CreateTime when it
/// came from a topic), which drives windows, grace periods and stream-time punctuation.
template <class K, class V>
struct record {
  K key{};
  V value{};
  int64_t timestamp = 0;
  std::vector<header> headers;

  template <class K2, class V2>
  record<K2, V2> with(K2 k, V2 v) const {
    return {std::move(k), std::move(v), timestamp, headers};
  }
  template <class V2>
  record<K, V2> with_value(V2 v) const {
    return {key, std::move(v), timestamp, headers};
  }
};

/// The input record that is being processed (none during a wall-clock punctuation).
struct record_metadata {
  std::string topic;
  int32_t partition = -1;
  int64_t offset = -1;
};

/// A task: one partition of one sub-topology, named "<sub-topology>_<partition>" as in Kafka
/// Streams.
struct task_id {
  int32_t subtopology = 0;
  int32_t partition = 0;
  std::string to_string() const {
    return std::to_string(subtopology) + "_" + std::to_string(partition);
  }
  bool operator<(const task_id& o) const {
    return subtopology < o.subtopology || (subtopology == o.subtopology && partition < o.partition);
  }
  bool operator==(const task_id& o) const {
    return subtopology == o.subtopology && partition == o.partition;
  }
};

}  // namespace brook::streams
