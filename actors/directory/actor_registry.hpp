#pragma once
// The node's killable actors by path, for `brook admin actors` and `brook admin kill` (chaos
// testing, docs/operations.md "Chaos"). Supervisors add what they spawn and again what they
// restart (counted); an actor leaves when it exits. Thread-safe: written by actors on any
// scheduler thread, read by connection sessions.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/status.hpp"

namespace caf {
class actor;
}
namespace brook::net {
class connection;
struct list_actors_response;
}  // namespace brook::net

namespace brook::actors {

class actor_registry {
 public:
  /// One registered actor as `brook admin actors` lists it.
  struct entry {
    std::string path;      // e.g. "partition/orders-0", "session/kafka/3", "controller"
    std::string kind;      // partition, controller, group-coordinator, session, ...
    std::string name;      // what it serves: "orders-0", the peer of a session, ...
    int32_t restarts = 0;  // how often its supervisor started it again under this path
  };

  actor_registry();
  ~actor_registry();

  /// Registers `a` under `path` (replacing what was there, and counting a restart when the path
  /// was used before). The entry goes when `a` exits.
  void add(const std::string& path, std::string kind, std::string name, const caf::actor& a);
  /// Registers something that is not an actor of its own but can be crashed: `kill` runs it
  /// (for example a follower's fetch connection). Removed with remove(path).
  void add_hook(const std::string& path, std::string kind, std::string name,
                std::function<void()> kill);
  void remove(const std::string& path);

  std::vector<entry> list() const;
  /// Crashes what is registered at `path`: exit_reason::kill for an actor, so its supervisor
  /// sees a crash and restarts it. Errors: not_found.
  runtime::status kill(const std::string& path);

 private:
  struct impl;
  std::shared_ptr<impl> impl_;  // shared with the exit hooks of registered actors
};

/// Registers the session actor of one connection as "<prefix>/<n>" (n counts connections of the
/// process) of `kind`, named after the peer, and closes the connection when the actor dies of
/// anything but the connection's own end: a crashed session takes its connection down, as a
/// crashed network thread would, and the client reconnects.
void register_connection_actor(actor_registry& registry, const std::string& kind,
                               const std::string& prefix, const caf::actor& session,
                               const std::shared_ptr<net::connection>& conn);

/// The registry as a list_actors answer for `node` ("broker 1", "coordinator").
net::list_actors_response describe(const actor_registry& registry, const std::string& node);

}  // namespace brook::actors
