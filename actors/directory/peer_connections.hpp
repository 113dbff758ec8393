#pragma once
// Native connections from this broker to the other brokers (replica fetches). Shared by every
// partition actor of the node; each follower uses its own connection (`channel`), because a
// connection answers in request order and a follower's fetch parks on the leader until data
// comes: on a shared connection one quiet partition would hold up every other's fetches.
// get() never blocks: a missing connection is opened on a background thread and the caller asks
// again later. Thread-safe.
#include <cstdint>
#include <memory>
#include <string>

#include "net/native_client.hpp"

namespace brook::net {
struct broker_info;
}  // namespace brook::net

namespace brook::actors {

class peer_connections {
 public:
  /// `security`: how to reach the other brokers' native listeners (TLS, SASL login).
  explicit peer_connections(net::client_security security = {});
  ~peer_connections();
  /// The open connection `channel` to broker `b`, or null while one is being opened (or `b`
  /// moved to a new endpoint, which drops the old connection).
  std::shared_ptr<net::native_client> get(const net::broker_info& b, const std::string& channel);
  /// Closes the connections of `channel` (to any broker), failing what is in flight on them; the
  /// next get() opens a new one. A crash of a follower's fetcher (`brook admin kill`).
  void drop(const std::string& channel);
  /// Closes every connection; later get() calls return null.
  void close_all();

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace brook::actors
