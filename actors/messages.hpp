#pragma once
// The project-wide CAF type-ID block. Messages are the net/ structs (defined once, with their
// msgpack layout); inside a process CAF passes them as C++ objects and never serializes them.
#include <caf/type_id.hpp>
#include <memory>

#include "net/cluster_messages.hpp"
#include "net/coord_messages.hpp"
#include "net/group_messages.hpp"
#include "net/native_messages.hpp"

namespace brook::net::kafka {
struct request;
}

namespace brook::actors {
/// Kafka connection I/O thread -> its session actor: a decoded request and its place in the
/// connection's response order.
struct kafka_call {
  uint64_t seq = 0;
  std::shared_ptr<net::kafka::request> req;  // null: just write `immediate` in its turn
  runtime::bytes immediate;
};
}  // namespace brook::actors

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
  CAF_ADD_TYPE_ID(brook, (brook::actors::kafka_call))
  CAF_ADD_TYPE_ID(brook, (brook::net::coord_create_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::coord_get_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::coord_set_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::coord_delete_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::coord_children_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::coord_session_open_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::coord_session_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::coord_response))
  CAF_ADD_TYPE_ID(brook, (brook::net::coord_watch_event))
  CAF_ADD_TYPE_ID(brook, (brook::net::partition_role))
  CAF_ADD_TYPE_ID(brook, (brook::net::alter_isr_request))
  CAF_ADD_TYPE_ID(brook, (brook::net::replica_fetch_result))
  // tick: periodic housekeeping (flush by time, retention, expiring parked fetches)
  CAF_ADD_ATOM(brook, brook::actors, tick_atom, "tick")
  // restart: supervisor -> itself, restart a failed child after its backoff
  CAF_ADD_ATOM(brook, brook::actors, restart_atom, "restart")
  // drop: broker -> partition actor, the topic is deleted: stop and remove its files
  CAF_ADD_ATOM(brook, brook::actors, drop_atom, "drop")
  // sent: producer facade -> producer actor, batches are ready to send
  CAF_ADD_ATOM(brook, brook::actors, drain_atom, "drain")
  // watch: client -> coordinator, register a watch of a path for a subscriber actor
  CAF_ADD_ATOM(brook, brook::actors, watch_atom, "watch")
  // unwatch: client -> coordinator, drop a subscriber's watch of a path
  CAF_ADD_ATOM(brook, brook::actors, unwatch_atom, "unwatch")
  // coordinator connection I/O thread -> its session actor (actors/coord_server.cpp)
  CAF_ADD_TYPE_ID(brook, (brook::net::coord_watch_request))
CAF_END_TYPE_ID_BLOCK(brook)

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::produce_request)
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
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::status_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::init_producer_id_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::init_producer_id_response)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::actors::kafka_call)
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
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::partition_role)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::alter_isr_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::replica_fetch_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::net::coord_watch_request)
