#pragma once
// Spawning a partition actor (contract: actors/interfaces/partition.hpp). One replica of one
// partition on this node, leader or follower as its broker says (partition_leader.cpp,
// partition_follower.cpp). Spawned and monitored by the broker actor, which sends it every role
// change; a crash (exit_reason::kill from the admin API included) makes the broker restart it, and
// the new actor recovers the log from disk.
#include <memory>
#include <string>

#include "actors/interfaces/partition.hpp"
#include "runtime/config.hpp"

namespace brook::runtime::storage {
class log_flusher;
}

namespace brook::actors {

class actor_registry;
class peer_connections;

struct partition_spec {
  std::string topic;
  int32_t partition = 0;
  std::string dir;  // <log.dir>/<topic>-<partition>
  runtime::topic_config config;
  int64_t retention_check_interval_ms = 300000;
  /// How often a changed high watermark is written to <dir>/high-watermark-checkpoint.
  int64_t hw_checkpoint_interval_ms = 5000;
  int64_t cleaner_backoff_ms = 15000;  // compacted topics: how often a pass may start
  net::partition_role role;            // the role to start in
  isr_writer broker;                   // where ISR changes go
  std::shared_ptr<peer_connections> peers;
  std::shared_ptr<actor_registry> actors;  // where a follower registers its replica fetcher
  int64_t replica_lag_time_max_ms = 30000;
  int32_t replica_fetch_max_bytes = 1048576;
  /// Runs the replica's fsyncs while it goes on serving; null: it fsyncs on its own thread.
  std::shared_ptr<runtime::storage::log_flusher> flusher;
};

/// Spawns a partition actor. If the log cannot be opened the actor quits with an error
/// (its supervisor decides about retrying).
partition_actor spawn_partition(caf::actor_system& sys, partition_spec spec);

}  // namespace brook::actors
