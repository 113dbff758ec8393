#pragma once
// The coord room's contract (actors/coord/): the metadata coordinator, a ZooKeeper-like store
// (runtime/coord/store.hpp) behind one actor, local or (through a proxy) in another process.
// Message structs and their msgpack layout: net/coord_messages.hpp. Subscribers get
// coord_watch_event messages, sent anonymously.
#include <caf/actor.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <string>

#include "actors/type_ids.hpp"

namespace brook::actors {

using coordinator_actor = caf::typed_actor<
    // client (broker, controller, coord session) -> coordinator: node and session operations
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
    // self -> self: session expiry timer
    caf::reacts_to<tick_atom>>;

}  // namespace brook::actors
