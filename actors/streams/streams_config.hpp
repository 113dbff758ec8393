#pragma once
// A streams application's settings, with Kafka Streams' names where it has one.
#include <cstdint>
#include <string>

#include "runtime/config.hpp"

namespace brook::streams {

/// What happens to an input record whose key or value does not deserialize.
enum class bad_record_policy {
  fail,  // the task fails (and restarts from its last commit, failing again): Kafka's default
  skip,  // logged with topic, partition and offset, then skipped
  dead_letter,  // logged, and written as it was to dead.letter.topic with the error in its headers
};

struct streams_config {
  std::string application_id;  // required: the consumer group and the prefix of internal topics
  std::string bootstrap_servers = "127.0.0.1:9093";
  std::string client_id;  // default: application.id
  int64_t commit_interval_ms = 30000;
  bad_record_policy on_bad_record = bad_record_policy::fail;
  std::string dead_letter_topic;  // default: <application.id>-dead-letters
  std::string state_dir = "/tmp/brook-streams";
  int16_t replication_factor = -1;  // of internal topics; -1: the broker's default
  /// The application's admin endpoint (native protocol: kill a task actor), e.g. 127.0.0.1:0;
  /// empty: none. The bound address is logged ("admin listener on ...").
  std::string admin_listeners;
  int64_t status_interval_ms = 5000;  // how often tasks' metrics go to <application.id>-status
  /// false: every sub-topology runs as not_so_urgent (one class), to compare against.
  bool urgency_enabled = true;
  /// Passed to the consumers and producers (consumer.x / producer.x keys, prefix removed).
  runtime::properties consumer_overrides, producer_overrides;
  /// Topic configs for the internal topics this application creates (topic.x keys, prefix
  /// removed), over the defaults below.
  runtime::properties topic_overrides;

  /// The configs a store's changelog is created with: compacted, 64 MiB segments, and a
  /// min.compaction.lag.ms (default 10 minutes, and at least 10 commit intervals) that keeps
  /// the changes written since the last commit out of compaction while the application runs.
  runtime::properties changelog_configs() const;
  /// The min.compaction.lag.ms of changelog_configs().
  int64_t changelog_compaction_lag_ms() const;

  const std::string& dead_letters() const { return dead_letter_topic; }

  /// From Kafka Streams property names (application.id, bootstrap.servers, commit.interval.ms,
  /// processing.guarantee=at_least_once, default.deserialization.exception.handler =
  /// fail|skip|dead-letter (or Kafka's LogAndFail/LogAndContinue class names), dead.letter.topic,
  /// state.dir, replication.factor, admin.listeners, status.interval.ms, urgency.enabled,
  /// consumer.*, producer.*, topic.*). Unknown keys and bad values are errors naming the key.
  static runtime::result<streams_config> from_properties(const runtime::properties& props);
};

}  // namespace brook::streams
