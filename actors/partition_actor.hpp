#pragma once
// The partition actor: owns one partition's log on this node. Appends produced batches (validated
// once, stored unchanged), serves fetches from stored bytes, parks fetches until min_bytes arrive
// or max_wait expires, flushes and enforces retention on a timer.
// Lifecycle: spawned and monitored by the broker actor; a crash (including exit_reason::kill from
// the chaos admin message) makes the broker restart it, which recovers the log from disk.
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
};

/// Spawns a partition actor. If the log cannot be opened the actor quits with an error
/// (its supervisor decides about retrying).
partition_actor spawn_partition(caf::actor_system& sys, partition_spec spec);

}  // namespace brook::actors
