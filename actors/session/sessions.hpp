#pragma once
// The session room's face to node/: one connection factory per listener. Each accepted
// connection gets a frame handler, which runs on the connection's I/O thread and decodes requests,
// and a session actor, which serves them through the node's actors and writes the responses in
// request order (acks=0 produce: none).
// - native: malformed input closes the connection after an error frame; an unknown type or a body
//   with wrong field types gets an error response and the connection stays.
// - Kafka: bad input is logged with the peer and answered as Kafka does, or the connection is
//   closed.
#include <caf/fwd.hpp>
#include <memory>

#include "net/frame_server.hpp"

namespace brook::actors {

class node_context;

net::handler_factory native_session_factory(caf::actor_system& sys,
                                            std::shared_ptr<node_context> node);
net::handler_factory kafka_session_factory(caf::actor_system& sys,
                                           std::shared_ptr<node_context> node);

}  // namespace brook::actors
