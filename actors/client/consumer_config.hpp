#pragma once
// The consumer's settings, with Kafka's names (from_properties), and the partition it reads.
// Shared by the consumer and its group membership.
#include <string>

#include <vector>
#include "net/client_security.hpp"

#include "runtime/config.hpp"

namespace brook::client {

struct consumer_config {
  std::string bootstrap_servers = "127.0.0.1:9093";
  /// security.protocol, ssl.ca.location, sasl.mechanism, sasl.username, sasl.password
  net::client_security security = net::client_security::defaults();
  int32_t max_poll_records = 500;
  int32_t fetch_min_bytes = 1;
  int32_t fetch_max_wait_ms = 500;
  int32_t max_partition_fetch_bytes = 1048576;
  /// librdkafka's queued.min.messages: while fewer records than this are buffered for a
  /// partition, the next fetch goes out as soon as the last one is answered (prefetch), so the
  /// broker's read and the application's work overlap.
  int32_t queued_min_messages = 100000;
  std::string auto_offset_reset = "latest";  // earliest | latest | none
  int64_t request_timeout_ms = 30000;
  std::string group_id;
  bool enable_auto_commit = true;
  int64_t auto_commit_interval_ms = 5000;
  int32_t session_timeout_ms = 45000;
  int32_t heartbeat_interval_ms = 3000;
  int32_t max_poll_interval_ms = 300000;
  std::vector<std::string> assignment_strategies{"range"};  // range, roundrobin (preference order)
  std::string client_id = "brook-consumer";
  static runtime::result<consumer_config> from_properties(const runtime::properties& props);
};

struct topic_partition {
  std::string topic;
  int32_t partition = 0;
  bool operator<(const topic_partition& o) const {
    return topic < o.topic || (topic == o.topic && partition < o.partition);
  }
  bool operator==(const topic_partition& o) const {
    return topic == o.topic && partition == o.partition;
  }
};

/// A committed position with the application's string kept beside it (Kafka's OffsetAndMetadata).
struct offset_and_metadata {
  int64_t offset = -1;
  std::string metadata;
};

}  // namespace brook::client
