#pragma once
// How a connection's SASL login starts, the same on both listeners (native_session.cpp,
// kafka/kafka_session.cpp): the handler runs it before any request reaches the session.
#include <optional>

#include "actors/directory/node_context.hpp"
#include "net/frame_server.hpp"
#include "runtime/config.hpp"
#include "runtime/security/access.hpp"

namespace brook::actors {

/// On a listener whose protocol uses SASL: the connection's authenticator, with the
/// connection's frames limited to login size and a deadline to log in. Nothing otherwise.
inline std::optional<runtime::security::authenticator> begin_login(
    runtime::security_protocol listener, const node_context& node, net::connection& conn) {
  if (!runtime::uses_sasl(listener)) return std::nullopt;
  conn.set_max_frame_bytes(runtime::security::max_login_frame_bytes);
  conn.set_deadline(runtime::security::login_timeout, "no login within 30 s");
  return runtime::security::authenticator(node.config.security.sasl_mechanisms, node.access);
}

}  // namespace brook::actors
