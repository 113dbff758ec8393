#pragma once
// A coordinator_actor backed by a ZooKeeper ensemble (Debian's libzookeeper-mt), for
// coordinator.connect=zk://h1:2181,h2:2181/chroot or zookeeper.connect. Code written against the
// embedded coordinator works unchanged against the handle it returns: nodes, versions and
// compare-and-set map onto znodes and their versions, ephemeral nodes onto ZooKeeper's, sessions
// onto ZooKeeper sessions, and persistent watches onto ZooKeeper's one-shot watches, armed again
// before each event is passed on (so a subscriber that reads after an event sees that change or
// a later one; changes in between may come as one event).
//
// Sessions: coord_session_open opens a ZooKeeper session of its own (one handle each) with the
// requested timeout (ZooKeeper bounds it to 2..20 ticks) and answers its real session id, so the
// session of a get's ephemeral owner is that id. The ZooKeeper client keeps sessions alive by
// itself; a heartbeat answers session_expired once ZooKeeper has expired the session. Closing a
// session this actor did not open (a crashed process's) is not possible without its password:
// the answer is session_expired, and the session ends by its timeout.
//
// Paths are kept under the chroot, created when the actor starts. Requests run one at a time on
// the actor's own thread (detached) with ZooKeeper's synchronous calls. A request that meets a
// lost connection waits for the client to reconnect to another member (up to the session
// timeout) and is tried again; a create answered node_exists for a node that this session owns,
// or a delete answered no_node on such a retry, count as done.
//
// Lifecycle: connects in its init (retrying until connect_timeout). If it cannot connect, or
// ZooKeeper expires the actor's own session, it logs why and quits with
// caf::sec::runtime_error, as a lost remote coordinator does, so an owner that monitors it
// notices and spawns a new one. A connection loss that the ensemble survives is not an exit.
#include <chrono>
#include <string>

#include "actors/interfaces/coordinator.hpp"

namespace brook::actors {

/// Spawns a coordinator on the ZooKeeper ensemble `hosts` ("h1:2181,h2:2181"), keeping its nodes
/// under `chroot` ("" or "/brook"). `session_timeout` is that of the actor's own session.
coordinator_actor spawn_zookeeper_coordinator(caf::actor_system& sys, std::string hosts,
                                              std::string chroot,
                                              std::chrono::milliseconds session_timeout,
                                              std::chrono::milliseconds connect_timeout);

}  // namespace brook::actors
