#pragma once
// The actors a cluster lets `brook admin kill` crash (chaos testing): every broker's (asked
// through its native listener), a coordinator's (coordinator.listeners) and a streams
// application's (admin.listeners). Shared by `brook admin actors|kill` and `brook chaos`.
#include <cstdint>
#include <string>
#include <vector>

#include "net/native_messages.hpp"
#include "runtime/status.hpp"

namespace brook::cli {

/// One process's killable actors.
struct process_actors {
  std::string address;     // host:port it was asked at
  int32_t broker_id = -1;  // -1: not a broker
  runtime::status error;   // set when it did not answer
  net::list_actors_response list;
};

/// The actors of every broker in `md` (the cluster's metadata) and of each of `extra` (host:port
/// of a coordinator or a streams application).
std::vector<process_actors> list_actors(const net::metadata_response& md,
                                        const std::vector<std::string>& extra);

/// What `md` says of broker `broker_id`'s actor at `path`: "leader" or "follower" for a
/// "partition/<topic>-<p>", "active" or "standby" for the "controller", "" for the others.
std::string role_of(const net::metadata_response& md, int32_t broker_id, const std::string& path);

/// Crashes the actor at `path` in the process listening at `address` (host:port).
runtime::status kill_actor_at(const std::string& address, const std::string& path);

/// The native address (host:port) of broker `id` in `md`; empty if it is not there.
std::string broker_address(const net::metadata_response& md, int32_t id);

}  // namespace brook::cli
