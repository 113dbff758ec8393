#pragma once
// Kafka's "consumer" group protocol as carried inside JoinGroup/SyncGroup (ConsumerProtocol
// Subscription and Assignment, version 0), and the range and roundrobin assignors with Kafka's
// rules, so Brook consumers can share a group with Kafka clients that use the same assignor.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runtime/bytes.hpp"

namespace brook::client {

using topic_partitions = std::map<std::string, std::vector<int32_t>>;  // topic -> partitions

runtime::bytes encode_subscription(const std::vector<std::string>& topics);
std::optional<std::vector<std::string>> decode_subscription(const runtime::bytes& b);
runtime::bytes encode_assignment(const topic_partitions& parts);
std::optional<topic_partitions> decode_assignment(const runtime::bytes& b);

/// member id -> its subscribed topics
using subscriptions = std::map<std::string, std::vector<std::string>>;

/// Kafka's RangeAssignor: per topic, members (sorted by id) subscribed to it get consecutive
/// ranges; the first (partitions % members) get one more.
std::map<std::string, topic_partitions> assign_range(
    const subscriptions& members, const std::map<std::string, int32_t>& partition_counts);
/// Kafka's RoundRobinAssignor: all (topic, partition) pairs sorted, dealt out in turn to the
/// sorted members, skipping members not subscribed to that topic.
std::map<std::string, topic_partitions> assign_roundrobin(
    const subscriptions& members, const std::map<std::string, int32_t>& partition_counts);

}  // namespace brook::client
