#pragma once
// One Kafka-protocol connection. Its frame handler decodes requests on the I/O thread (bad input
// is logged with the peer and answered as Kafka does, or the connection is closed); its session
// actor serves them through the same broker and partition actors as the native protocol and
// writes responses in request order (acks=0 produce: none).
#include <memory>

#include "net/frame_server.hpp"

namespace caf {
class actor_system;
}

namespace brook::actors {

class node_context;

net::handler_factory kafka_session_factory(caf::actor_system& sys, std::shared_ptr<node_context> node);

}  // namespace brook::actors
