#pragma once
// The metadata coordinator actor: owns one embedded coordinator store (runtime/coord/store.hpp)
// kept in a directory, and serves its nodes, sessions and watches through messages
// (coordinator_actor in interfaces.hpp, structs in net/coord_messages.hpp).
//
// Lifecycle: opens the store when it starts; if that fails it logs and quits with
// caf::sec::runtime_error. Runs detached because the store fsyncs on every mutation. Every
// 100 ms it ends sessions past their timeout (their ephemeral nodes go with them). After every
// mutation and tick it sends the store's queued watch events to their subscribers as
// coord_watch_event, exactly one per (watch, change). Subscribers are monitored: a dead one loses
// its watches. Watches do not survive a restart; nodes and sessions do (sessions get a whole
// timeout from the restart to heartbeat again).
#include <string>

#include "actors/interfaces/coordinator.hpp"

namespace brook::actors {

/// Spawns the coordinator on the store kept in `dir` (created if missing).
coordinator_actor spawn_coordinator(caf::actor_system& sys, std::string dir);

}  // namespace brook::actors
