#pragma once
// The group coordinator: Kafka's consumer-group state machine (Empty -> PreparingRebalance ->
// CompletingRebalance -> Stable) for every group on this node, and committed offsets.
//
// Joins: a new member gets an id (JoinGroup v4+: MEMBER_ID_REQUIRED first, as Kafka); the first
// rebalance of an empty group waits group.initial.rebalance.delay.ms for more members; later
// rebalances wait until every member rejoined or the rebalance timeout removed it. The protocol
// all members support with the most first-choice votes wins; only the leader gets the member
// list; SyncGroup hands out the leader's assignments. Members whose session times out are
// removed and the group rebalances; LeaveGroup rebalances at once. group.instance.id (static
// membership) is refused with INVALID_REQUEST and a log line.
//
// Offsets: commits are appended (acks=all) to __consumer_offsets, partition by group hash, and
// answered once stored; on start the coordinator reads that topic back (requests meanwhile get
// COORDINATOR_LOAD_IN_PROGRESS). Spawned and monitored by the broker actor.
#include <memory>

#include "actors/interfaces.hpp"

namespace brook::actors {

class node_context;

group_coordinator_actor spawn_group_coordinator(caf::actor_system& sys, std::shared_ptr<node_context> node);

}  // namespace brook::actors
