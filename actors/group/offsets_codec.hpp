#pragma once
// The codec of committed offsets as records of the internal topic __consumer_offsets, in
// Kafka's own layout (key version 1: group, topic, partition; value version 3: offset, leader
// epoch, metadata, commit timestamp), so Kafka's tools could read them. A group's offsets live in
// partition abs(java hashCode(group)) % partitions, as in Kafka.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace brook::actors {

inline constexpr const char* offsets_topic = "__consumer_offsets";

struct offset_key {
  std::string group;
  std::string topic;
  int32_t partition = 0;
};

struct offset_value {
  int64_t offset = -1;
  std::optional<std::string> metadata;
  int64_t commit_timestamp = -1;
};

std::string encode_offset_key(const offset_key& k);
std::string encode_offset_value(const offset_value& v);
/// nullopt for keys that are not offset commits (e.g. Kafka's group-metadata records).
std::optional<offset_key> decode_offset_key(std::string_view bytes);
std::optional<offset_value> decode_offset_value(std::string_view bytes);

/// A transaction's state, kept in the __consumer_offsets partition its transactional.id hashes
/// to (key version 100, Brook's own: Kafka keeps them in __transaction_state), so the group
/// coordinator that leads that partition is also the transaction coordinator.
struct txn_record {
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t timeout_ms = 60000;
  uint8_t state = 0;  // group_detail::txn_state
  std::vector<std::pair<std::string, int32_t>> partitions;
  int64_t started_ms = -1;
};
std::string encode_txn_key(const std::string& transactional_id);
std::string encode_txn_value(const txn_record& r);
/// nullopt for keys that are not transaction states.
std::optional<std::string> decode_txn_key(std::string_view bytes);
std::optional<txn_record> decode_txn_value(std::string_view bytes);

/// The __consumer_offsets partition holding `group` (Kafka: Utils.abs(groupId.hashCode) % n).
int32_t offsets_partition_for(const std::string& group, int32_t partitions);

}  // namespace brook::actors
