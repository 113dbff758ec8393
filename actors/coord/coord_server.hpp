#pragma once
// The metadata coordinator served over the native protocol (docs/protocol.md, types
// coord_create .. coord_event). One session actor per accepted connection forwards each request
// to the coordinator actor and writes the coord_response back, in request order.
//
// Watches: coord_watch / coord_unwatch register the connection's session actor as the
// subscriber of a path; each coord_watch_event it then receives is pushed to the client as a
// coord_event frame (no response flag, correlation id 0), exactly one per (watched path, change).
// Events are written when they arrive, outside the response order, but always as whole frames;
// an event of a change under way may still follow the answer to coord_unwatch.
//
// Liveness: coordinator sessions opened through a connection belong to it. When the connection
// ends (client exit, kill -9, network loss) its session actor closes them at once, so their
// ephemeral nodes go without waiting for the session timeout, and quits, which drops its watches.
//
// Chaos testing: list_actors and kill_actor (by path) answer from the process's actor registry,
// where every session actor is "coordinator-session/<n>"; a killed session actor closes its
// connection without closing its coordinator sessions, so they live on if the client reconnects
// within their timeout (ZooKeeper's session semantics).
//
// Malformed input (undecodable frame, unknown type, wrong body): an error frame
// (native_type::error, status_response) answering it, and the connection keeps serving.
#include <memory>

#include "actors/interfaces/coordinator.hpp"
#include "net/frame_server.hpp"

namespace brook::actors {

class actor_registry;

/// Factory for a frame_server on the coordinator's listener: one handler and session actor per
/// connection, talking to `coord`, registered in `actors`. The handler runs on the connection's
/// I/O thread.
net::handler_factory coord_session_factory(caf::actor_system& sys, coordinator_actor coord,
                                           std::shared_ptr<actor_registry> actors);

}  // namespace brook::actors
