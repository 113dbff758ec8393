#pragma once
// The controller: every broker runs one; the one that creates the ephemeral /controller node
// (bound to its broker's coordinator session) is active, the others watch that node and try again
// when it goes (its broker died or lost its session). The active controller watches the
// registered brokers and the topics and, whenever they change (and every 2 s as a safety net),
// reconciles every partition state with them: a new topic's partitions get their first state
// (the first live replica leads, the live replicas are the ISR); dead replicas leave the ISR, and a partition whose leader is dead
// gets a new leader from its live ISR (in replica order; outside the ISR only with
// unclean.leader.election.enable) with the leader epoch bumped, or goes offline (leader -1, ISR
// kept) until an ISR member returns. Each write is a compare-and-set on the state's version;
// brokers learn the new states through their watches (the metadata broadcast).
#include <cstdint>
#include <set>
#include <vector>

#include "actors/interfaces.hpp"
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
                                                  const std::vector<int32_t>& brokers, size_t start);

/// The state `cur` should move to given the live brokers; equal to `cur` when nothing changes.
net::partition_state elect(const net::partition_state& cur, const std::vector<int32_t>& replicas,
                           const std::set<int32_t>& live, bool unclean);

}  // namespace brook::actors
