#pragma once
// Spawning the controller (contract: actors/interfaces/controller.hpp), and its two rules as pure
// functions. Every broker runs one; the one whose broker session creates the ephemeral /controller
// is active, the others watch that node. The active one reconciles every partition state with the
// live brokers and topics on each change (and every 2 s): first states for new topics, dead
// replicas out of ISRs, new leaders from the live ISR; each write is a compare-and-set, and
// brokers learn the result through their watches (docs/architecture.md, "Failover").
#include <cstdint>
#include <set>
#include <vector>

#include "actors/interfaces/controller.hpp"
#include "actors/interfaces/coordinator.hpp"
#include "runtime/config.hpp"

namespace brook::actors {

/// `topic_defaults`: the broker's topic settings, under each topic's overrides.
controller_actor spawn_controller(caf::actor_system& sys, coordinator_actor coord, uint64_t session,
                                  int32_t broker_id, runtime::topic_config topic_defaults);

/// Replica assignment of a new topic over the live `brokers` (sorted ids): partition p's first
/// (preferred leader) replica is brokers[(start + p) % n], the followers come after it with a
/// per-topic shift, so leaders and followers spread evenly (Kafka's assignment).
/// REQUIRES: 1 <= rf <= brokers.size().
std::vector<std::vector<int32_t>> assign_replicas(int32_t partitions, int16_t rf,
                                                  const std::vector<int32_t>& brokers,
                                                  size_t start);

/// The state `cur` should move to given the live brokers; equal to `cur` when nothing changes.
net::partition_state elect(const net::partition_state& cur, const std::vector<int32_t>& replicas,
                           const std::set<int32_t>& live, bool unclean);

}  // namespace brook::actors
