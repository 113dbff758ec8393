#pragma once
// Kafka's "consumer" group protocol as carried inside JoinGroup/SyncGroup: ConsumerProtocol
// Subscription and Assignment (version 0 written; later versions read, their extra fields
// ignored). Used by Brook's consumers and by the group coordinator (which topics a group reads).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runtime/bytes.hpp"

namespace brook::net::kafka {

using topic_partitions = std::map<std::string, std::vector<int32_t>>;  // topic -> partitions

runtime::bytes encode_subscription(const std::vector<std::string>& topics);
std::optional<std::vector<std::string>> decode_subscription(const runtime::bytes& b);
runtime::bytes encode_assignment(const topic_partitions& parts);
std::optional<topic_partitions> decode_assignment(const runtime::bytes& b);

}  // namespace brook::net::kafka
