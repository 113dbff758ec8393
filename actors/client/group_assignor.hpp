#pragma once
// The range and roundrobin assignors with Kafka's rules, so Brook consumers can share a group with
// Kafka clients that use the same assignor; the consumer protocol's encoding is in
// net/kafka/consumer_protocol.hpp.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "net/kafka/consumer_protocol.hpp"
#include "runtime/bytes.hpp"

namespace brook::client {

using net::kafka::decode_assignment;
using net::kafka::decode_subscription;
using net::kafka::encode_assignment;
using net::kafka::encode_subscription;
using net::kafka::topic_partitions;

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
