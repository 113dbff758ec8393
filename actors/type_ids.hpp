#pragma once
// The CAF type-ID block `brook`: every message struct actors exchange (defined once in net/, with
// its msgpack layout, because each may also cross the wire) and every atom. Shared by the server's
// rooms and the client library; inside a process CAF passes the structs as C++ objects and never
// serializes them. Other blocks start after it: the Kafka session's (actors/session/kafka/
// kafka_call.hpp) at +100, Brook Streams' at +200.
#include <caf/type_id.hpp>

#include "net/cluster_messages.hpp"
#include "net/coord_messages.hpp"
#include "net/group_messages.hpp"
#include "net/native_messages.hpp"
#include "runtime/storage/compaction.hpp"

// clang-format off
CAF_BEGIN_TYPE_ID_BLOCK(brook, caf::first_custom_type_id)
  CAF_ADD_TYPE_ID(brook, (brook::net::produce_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::produce_response))
  CAF_ADD_TYPE_ID(brook, (brook::net::fetch_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::fetch_response))
  CAF_ADD_TYPE_ID(brook, (brook::net::metadata_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::metadata_response))
  CAF_ADD_TYPE_ID(brook, (brook::net::list_offsets_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::list_offsets_response))
  CAF_ADD_TYPE_ID(brook, (brook::net::create_topic_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::delete_topic_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::kill_actor_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::list_actors_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::list_actors_response))
  CAF_ADD_TYPE_ID(brook, (brook::net::status_response))
  CAF_ADD_TYPE_ID(brook, (brook::net::init_producer_id_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::init_producer_id_response))
  CAF_ADD_TYPE_ID(brook, (brook::net::join_group_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::join_group_response))
  CAF_ADD_TYPE_ID(brook, (brook::net::sync_group_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::sync_group_response))
  CAF_ADD_TYPE_ID(brook, (brook::net::heartbeat_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::leave_group_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::leave_group_response))
  CAF_ADD_TYPE_ID(brook, (brook::net::offset_commit_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::offset_commit_response))
  CAF_ADD_TYPE_ID(brook, (brook::net::offset_fetch_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::offset_fetch_response))
  CAF_ADD_TYPE_ID(brook, (brook::net::list_groups_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::list_groups_response))
  CAF_ADD_TYPE_ID(brook, (brook::net::describe_groups_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::describe_groups_response))
  CAF_ADD_TYPE_ID(brook, (brook::net::coord_create_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::coord_get_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::coord_set_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::coord_delete_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::coord_children_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::coord_session_open_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::coord_session_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::coord_response))
  CAF_ADD_TYPE_ID(brook, (brook::net::coord_watch_event))
  CAF_ADD_TYPE_ID(brook, (brook::net::coord_watch_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::partition_role))
  CAF_ADD_TYPE_ID(brook, (brook::net::alter_isr_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::replica_fetch_result))
  // Local only: a compaction worker -> its partition actor, the pass it ran
  CAF_ADD_TYPE_ID(brook, (brook::runtime::storage::compaction_pass))
  CAF_ADD_TYPE_ID(brook, (brook::net::find_coordinator_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::find_coordinator_response))
  CAF_ADD_TYPE_ID(brook, (brook::net::create_partitions_request))
  // Atoms: one meaning each.
  // tick: self -> self, the actor's periodic housekeeping timer (it re-arms itself)
  CAF_ADD_ATOM(brook, brook::actors, tick_atom, "tick")
  // wake: partition -> itself, the wait of a parked fetch ended
  CAF_ADD_ATOM(brook, brook::actors, wake_atom, "wake")
  // rtick: partition -> itself, the replication timer of one role generation
  CAF_ADD_ATOM(brook, brook::actors, replica_tick_atom, "rtick")
  // restart: supervisor -> itself, restart the named child after its backoff
  CAF_ADD_ATOM(brook, brook::actors, restart_atom, "restart")
  // with restart_atom: the child to restart (the broker's group coordinator, controller)
  CAF_ADD_ATOM(brook, brook::actors, group_atom, "group")
  CAF_ADD_ATOM(brook, brook::actors, controller_atom, "controller")
  // reload: group coordinator -> itself, read __consumer_offsets (or one partition of it) again
  CAF_ADD_ATOM(brook, brook::actors, reload_atom, "reload")
  // drop: broker -> partition actor, the topic is deleted: stop and remove its files
  CAF_ADD_ATOM(brook, brook::actors, drop_atom, "drop")
  // watch: client -> coordinator, register a watch of a path for a subscriber actor
  CAF_ADD_ATOM(brook, brook::actors, watch_atom, "watch")
  // unwatch: client -> coordinator, drop a subscriber's watch of a path
  CAF_ADD_ATOM(brook, brook::actors, unwatch_atom, "unwatch")
  // ready: producer facade -> its sender, batches are ready to send (or may have lingered)
  CAF_ADD_ATOM(brook, brook::actors, ready_atom, "ready")
  // sent: connection I/O thread -> producer sender, the answer to one in-flight batch
  CAF_ADD_ATOM(brook, brook::actors, sent_atom, "sent")
  // retry: producer sender -> itself, send a batch again after its backoff
  CAF_ADD_ATOM(brook, brook::actors, retry_atom, "retry")
CAF_END_TYPE_ID_BLOCK(brook)

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::produce_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::find_coordinator_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::find_coordinator_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::create_partitions_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::produce_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::fetch_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::fetch_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::metadata_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::metadata_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::list_offsets_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::list_offsets_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::create_topic_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::delete_topic_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::kill_actor_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::list_actors_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::list_actors_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::status_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::init_producer_id_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::init_producer_id_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::join_group_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::join_group_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::sync_group_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::sync_group_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::heartbeat_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::leave_group_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::leave_group_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::offset_commit_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::offset_commit_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::offset_fetch_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::offset_fetch_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::list_groups_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::list_groups_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::describe_groups_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::describe_groups_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::coord_create_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::coord_get_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::coord_set_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::coord_delete_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::coord_children_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::coord_session_open_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::coord_session_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::coord_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::coord_watch_event)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::coord_watch_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::partition_role)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::alter_isr_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::replica_fetch_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::runtime::storage::compaction_pass)
// clang-format on
