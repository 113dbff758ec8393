#pragma once
// Every actor's message contract, in one place (CAF typed actors).
#include <caf/typed_actor.hpp>
#include <caf/replies_to.hpp>

#include "actors/messages.hpp"

namespace brook::actors {

/// One hosted partition replica, leader or follower (its role comes from the broker). Owns its log.
using partition_actor = caf::typed_actor<
    // connection -> partition leader: append one batch
    caf::replies_to<net::produce_request>::with<net::produce_response>,
    // connection -> partition leader: read stored batches (may park until min_bytes or max_wait)
    caf::replies_to<net::fetch_request>::with<net::fetch_response>,
    // connection -> partition leader: offset by time / earliest / latest
    caf::replies_to<net::list_offsets_request>::with<net::list_offsets_response>,
    // self -> self: housekeeping timer; `true` for the periodic tick (re-arms), false when a
    // parked fetch's wait ends
    caf::reacts_to<tick_atom, bool>,
    // broker -> partition: topic deleted; remove files, then quit
    caf::replies_to<drop_atom>::with<bool>,
    // broker -> partition: its role (leader, follower) from the latest metadata
    caf::reacts_to<net::partition_role>,
    // replica fetch I/O -> follower: the leader's answer to a replica fetch
    caf::reacts_to<net::replica_fetch_result>,
    // self -> self: replication timer of role generation `n` (ISR checks, fetch retries)
    caf::reacts_to<tick_atom, uint64_t>>;

/// The broker: topic registry, partition supervision, metadata.
using broker_actor = caf::typed_actor<
    caf::replies_to<net::metadata_request>::with<net::metadata_response>,
    caf::replies_to<net::create_topic_request>::with<net::status_response>,
    caf::replies_to<net::delete_topic_request>::with<net::status_response>,
    caf::replies_to<net::kill_actor_request>::with<net::status_response>,
    caf::replies_to<net::init_producer_id_request>::with<net::init_producer_id_response>,
    // partition leader -> broker: write a new ISR to the coordinator
    caf::reacts_to<net::alter_isr_request>,
    // coordinator -> broker: a watched path changed (brokers, topics, partition states)
    caf::reacts_to<net::coord_watch_event>,
    // self -> self: coordinator session heartbeat
    caf::reacts_to<tick_atom>,
    // self -> self: restart a crashed partition actor (topic, partition) after its backoff, or
    // the group coordinator (empty topic)
    caf::reacts_to<restart_atom, std::string, int32_t>>;

/// The group coordinator: consumer groups and their committed offsets (stored in the internal
/// topic __consumer_offsets and reloaded when it starts).
using group_coordinator_actor = caf::typed_actor<
    // consumer -> coordinator (native protocol, or mapped from Kafka's group APIs)
    caf::replies_to<net::join_group_request>::with<net::join_group_response>,
    caf::replies_to<net::sync_group_request>::with<net::sync_group_response>,
    caf::replies_to<net::heartbeat_request>::with<net::status_response>,
    caf::replies_to<net::leave_group_request>::with<net::leave_group_response>,
    caf::replies_to<net::offset_commit_request>::with<net::offset_commit_response>,
    caf::replies_to<net::offset_fetch_request>::with<net::offset_fetch_response>,
    caf::replies_to<net::list_groups_request>::with<net::list_groups_response>,
    caf::replies_to<net::describe_groups_request>::with<net::describe_groups_response>,
    // self -> self: session expiry and rebalance deadlines (true: the periodic tick; false: retry
    // loading __consumer_offsets when the broker was not reachable)
    caf::reacts_to<tick_atom, bool>,
    // self -> self: read __consumer_offsets partition (int32) again from offset (int64)
    caf::reacts_to<restart_atom, int32_t, int64_t>>;

/// The controller (one per broker, active on the broker holding /controller): elects leaders
/// from the ISR when brokers come and go and writes partition states to the coordinator.
using controller_actor = caf::typed_actor<
    // coordinator -> controller: /controller or /brokers/ids changed
    caf::reacts_to<net::coord_watch_event>,
    // self -> self: periodic reconciliation while active
    caf::reacts_to<tick_atom>>;

/// The producer's sender (client library): drains the accumulator and talks to partition leaders.
using producer_actor = caf::typed_actor<
    // producer facade -> sender: batches are ready (full, urgent, flushed) or may have lingered
    caf::reacts_to<drain_atom>,
    // connection I/O thread -> sender: the response for in-flight batch `id`
    caf::reacts_to<drain_atom, uint64_t, net::produce_response>,
    // self -> self: retry batch `id` after its backoff
    caf::reacts_to<restart_atom, uint64_t>>;

/// The metadata coordinator: the embedded ZooKeeper-like store (runtime/coord/store.hpp) behind
/// one detached actor. Subscribers get coord_watch_event messages (sent anonymously).
using coordinator_actor = caf::typed_actor<
    // client -> coordinator: node and session operations
    caf::replies_to<net::coord_create_request>::with<net::coord_response>,
    caf::replies_to<net::coord_get_request>::with<net::coord_response>,
    caf::replies_to<net::coord_set_request>::with<net::coord_response>,
    caf::replies_to<net::coord_delete_request>::with<net::coord_response>,
    caf::replies_to<net::coord_children_request>::with<net::coord_response>,
    caf::replies_to<net::coord_session_open_request>::with<net::coord_response>,
    caf::replies_to<net::coord_session_request>::with<net::coord_response>,
    // client -> coordinator: persistent watch of a path's data and children for `subscriber`
    // (monitored; its watches go when it dies)
    caf::replies_to<watch_atom, std::string, caf::actor>::with<net::coord_response>,
    caf::reacts_to<unwatch_atom, std::string, caf::actor>,
    // self -> self: session expiry timer (true: the periodic tick, re-arms)
    caf::reacts_to<tick_atom, bool>>;

}  // namespace brook::actors
