#pragma once
// The partition actor: owns one replica of one partition on this node. As leader it appends
// produced batches (validated once, stored unchanged, stamped with the leader epoch), serves
// fetches from stored bytes (consumers up to the high watermark, followers up to the log end),
// parks fetches until min_bytes arrive or max_wait expires, tracks the ISR and the high
// watermark, and answers acks=all once every in-sync replica has the batch. As follower it
// fetches from the leader, truncates where its log diverges from the leader's epochs, and
// appends what it gets. It flushes and enforces retention on a timer.
// Lifecycle: spawned and monitored by the broker actor, which sends it every role change; a crash
// (including exit_reason::kill from the chaos admin message) makes the broker restart it, which
// recovers the log from disk.
#include <memory>
#include <string>

#include "actors/interfaces.hpp"
#include "runtime/config.hpp"

namespace brook::actors {

struct partition_spec {
  std::string topic;
  int32_t partition = 0;
  std::string dir;  // <log.dir>/<topic>-<partition>
  runtime::topic_config config;
  int64_t retention_check_interval_ms = 300000;
  net::partition_role role;  // the role to start in
  broker_actor broker;       // where ISR changes go
  std::shared_ptr<class peer_connections> peers;
  int64_t replica_lag_time_max_ms = 30000;
  int32_t replica_fetch_max_bytes = 1048576;
};

/// Spawns a partition actor. If the log cannot be opened the actor quits with an error
/// (its supervisor decides about retrying).
partition_actor spawn_partition(caf::actor_system& sys, partition_spec spec);

}  // namespace brook::actors
