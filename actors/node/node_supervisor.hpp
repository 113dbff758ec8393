#pragma once
// The root of a node's supervision tree. It monitors the broker actor and restarts it after a
// backoff (100, 200, 400, 800 ms); the 5th failure within a minute makes it give up, log why, and
// quit with an error so the process exits non-zero. An exit message sent to the supervisor
// (shutdown) takes the broker down with it.
#include <memory>

#include "actors/broker/broker_actor.hpp"
#include "actors/directory/node_context.hpp"

namespace brook::actors {

using node_supervisor_actor = caf::typed_actor<caf::reacts_to<restart_atom>>;

node_supervisor_actor spawn_node_supervisor(caf::actor_system& sys, broker_spec spec,
                                            std::shared_ptr<node_context> node);

}  // namespace brook::actors
