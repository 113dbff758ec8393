#pragma once
// A coordinator_actor that lives in another process: the client side of actors/coord_server.hpp.
// Code written against a local coordinator works unchanged against the handle it returns.
//
// Requests go out as native frames on one connection and their coord_response comes back to the
// requester. Watches: the proxy keeps the local subscribers of each path (monitored, as the
// coordinator does) and one remote watch per path; every coord_event frame reaches each local
// subscriber of its path once, as a coord_watch_event sent anonymously. A subscriber counts from
// the moment its watch is answered, as with a local coordinator.
//
// Sessions opened through a proxy belong to its connection: the server closes them when the
// connection ends, so they (and their ephemeral nodes) end with the proxy or with the network.
//
// Lifecycle: runs detached and connects in its init, retrying every 100 ms until
// connect_timeout. If it cannot connect, or the connection is lost later, it logs one warning
// naming the endpoint, answers every pending request with errc::network_error and quits with
// caf::sec::runtime_error, so an owner that monitors it notices and can spawn a new one. It never
// reconnects by itself.
#include <chrono>

#include "actors/interfaces/coordinator.hpp"
#include "runtime/config.hpp"

namespace brook::actors {

/// Spawns a proxy for the coordinator served at `ep`. Returns at once; connecting happens on the
/// proxy's own thread (requests sent meanwhile wait in its mailbox).
coordinator_actor spawn_remote_coordinator(caf::actor_system& sys, runtime::endpoint ep,
                                           std::chrono::milliseconds connect_timeout);

}  // namespace brook::actors
