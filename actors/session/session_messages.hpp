#pragma once
// The session room's own messages and their CAF type-ID block (`brook_session`, after `brook`):
// from a connection's I/O thread to its session actor.
#include <caf/type_id.hpp>
#include <memory>
#include <string>

#include "runtime/bytes.hpp"

namespace brook::net::kafka {
struct request;
}

namespace brook::actors {

/// Kafka connection I/O thread -> its session actor: a decoded request and its place in the
/// connection's response order.
struct kafka_call {
  uint64_t seq = 0;
  std::shared_ptr<net::kafka::request> req;  // null: just write `immediate` in its turn
  runtime::bytes immediate;
  /// Set: from this request on the client is this principal ("User:alice"), as its login or its
  /// TLS certificate says.
  std::string principal;
};

/// Connection I/O thread -> its session actor (either protocol): the connection ends. `frame`
/// (empty: none) is written in its turn `delay_ms` later (a failed login is answered late), then
/// the connection closes with `reason` in the log.
struct session_end {
  uint64_t seq = 0;
  runtime::bytes frame;
  int64_t delay_ms = 0;
  std::string reason;
};

/// Native connection I/O thread -> its session actor, before the first request of a client whose
/// requests are checked against the ACLs: who it is (the handler checks most requests itself;
/// metadata is filtered by the session, which sees the answer).
struct session_identity {
  std::string principal;
  std::string host;
};

}  // namespace brook::actors

// clang-format off
CAF_BEGIN_TYPE_ID_BLOCK(brook_session, caf::first_custom_type_id + 100)
  CAF_ADD_TYPE_ID(brook_session, (brook::actors::kafka_call))
  CAF_ADD_TYPE_ID(brook_session, (brook::actors::session_end))
  CAF_ADD_TYPE_ID(brook_session, (brook::actors::session_identity))
CAF_END_TYPE_ID_BLOCK(brook_session)

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::actors::kafka_call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::actors::session_end)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::actors::session_identity)
  // clang-format on
