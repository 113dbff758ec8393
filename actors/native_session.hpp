#pragma once
// One native-protocol connection. The frame handler runs on the connection's I/O thread: it
// decodes each frame and hands the request to the connection's session actor, which forwards it
// to the partition or broker actor and writes responses back in request order.
// Malformed input: an undecodable frame gets an error frame and the connection is closed; an
// unknown type or a body with wrong field types gets an error response and the connection stays.
#include <memory>

#include "net/frame_server.hpp"

namespace caf {
class actor_system;
}

namespace brook::actors {

class node_context;

/// Factory for frame_server: one handler + session actor per accepted connection.
net::handler_factory native_session_factory(caf::actor_system& sys,
                                            std::shared_ptr<node_context> node);

}  // namespace brook::actors
