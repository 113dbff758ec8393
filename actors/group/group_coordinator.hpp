#pragma once
// Spawning the group coordinator (contract: actors/interfaces/group.hpp): every consumer group that
// reaches this broker, with Kafka's rules (MEMBER_ID_REQUIRED on first join, the initial rebalance
// delay, the protocol vote, session and rebalance timeouts; group.instance.id refused with
// INVALID_REQUEST). Committed offsets are stored in __consumer_offsets (acks=all) and reloaded on
// start, answering COORDINATOR_LOAD_IN_PROGRESS meanwhile. Spawned and monitored by the broker.
#include <memory>

#include "actors/interfaces/group.hpp"

namespace brook::actors {

class node_context;

group_coordinator_actor spawn_group_coordinator(caf::actor_system& sys,
                                                std::shared_ptr<node_context> node);

}  // namespace brook::actors
