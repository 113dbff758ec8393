#pragma once
// The broker room's contract (actors/broker/): topic registry, partition supervision, metadata.
// Message structs and their msgpack layout: net/native_messages.hpp, net/cluster_messages.hpp,
// net/coord_messages.hpp.
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <string>

#include "actors/type_ids.hpp"

namespace brook::actors {

using broker_actor = caf::typed_actor<
    // session -> broker: cluster metadata from the broker's cache (may auto-create topics)
    caf::replies_to<net::metadata_request>::with<net::metadata_response>,
    // session -> broker: topic administration, written to the coordinator
    caf::replies_to<net::create_topic_request>::with<net::status_response>,
    caf::replies_to<net::create_partitions_request>::with<net::status_response>,
    caf::replies_to<net::delete_topic_request>::with<net::status_response>,
    // session -> broker: dynamic topic and broker configs, written to the coordinator
    caf::replies_to<net::alter_configs_request>::with<net::status_response>,
    // session -> broker: users' credentials and ACLs, written to the coordinator
    caf::replies_to<net::alter_user_request>::with<net::status_response>,
    caf::replies_to<net::create_acls_request>::with<net::acls_response>,
    caf::replies_to<net::delete_acls_request>::with<net::acls_response>,
    // session -> broker: the replicas stored here, by log directory
    caf::replies_to<net::describe_log_dirs_request>::with<net::describe_log_dirs_response>,
    // session -> broker: the admin kill of an actor (chaos testing)
    caf::replies_to<net::kill_actor_request>::with<net::status_response>,
    // session -> broker: a producer id from a block reserved in the coordinator
    caf::replies_to<net::init_producer_id_request>::with<net::init_producer_id_response>,
    // partition leader -> broker: write a new ISR to the coordinator
    caf::reacts_to<net::alter_isr_request>,
    // coordinator -> broker: a watched path changed (brokers, controller, topics, partition states)
    caf::reacts_to<net::coord_watch_event>,
    // self -> self: coordinator session heartbeat
    caf::reacts_to<tick_atom>,
    // self -> self: restart a crashed partition actor (topic, partition) after its backoff
    caf::reacts_to<restart_atom, std::string, int32_t>,
    // self -> self: restart the group coordinator or the controller after its backoff
    caf::reacts_to<restart_atom, group_atom>, caf::reacts_to<restart_atom, controller_atom>>;

}  // namespace brook::actors
