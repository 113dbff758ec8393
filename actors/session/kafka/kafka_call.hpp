#pragma once
// The Kafka session's own message and its CAF type-ID block (`brook_kafka_session`, after
// `brook`): a decoded request on its way from the connection's I/O thread to its session actor.
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
  runtime::bytes immediate;                  // empty (with req null): nothing to write
  /// Set: from this request on the client is this principal ("User:alice"), as its login or its
  /// TLS certificate says.
  std::string principal;
  /// >= 0: the connection ends: `immediate` is written this many ms later (a failed login is
  /// answered late), then the connection closes with `close_reason` in the log.
  int64_t close_after_ms = -1;
  std::string close_reason;
};
}  // namespace brook::actors

// clang-format off
CAF_BEGIN_TYPE_ID_BLOCK(brook_kafka_session, caf::first_custom_type_id + 100)
  CAF_ADD_TYPE_ID(brook_kafka_session, (brook::actors::kafka_call))
CAF_END_TYPE_ID_BLOCK(brook_kafka_session)

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::actors::kafka_call)
// clang-format on
