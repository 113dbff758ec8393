#pragma once
// Spawning the group coordinator (contract: actors/interfaces/group.hpp): the consumer groups
// whose __consumer_offsets partition this broker leads, with Kafka's rules (MEMBER_ID_REQUIRED on
// first join, the initial rebalance delay, the protocol vote, session and rebalance timeouts;
// static members by group.instance.id, KIP-345). FindCoordinator names the leader of a group's
// partition (creating the topic on first use); a partition this broker starts to lead is read
// back from its log (COORDINATOR_LOAD_IN_PROGRESS meanwhile), one it stops leading hands its
// groups over (NOT_COORDINATOR). Committed offsets are appended with acks=all. Spawned and
// monitored by the broker.
#include <memory>

#include "actors/interfaces/group.hpp"

namespace brook::actors {

class node_context;

group_coordinator_actor spawn_group_coordinator(caf::actor_system& sys,
                                                std::shared_ptr<node_context> node);

}  // namespace brook::actors
