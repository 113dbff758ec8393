#pragma once
// The metadata coordinator's message contract (actors/coordinator_actor.hpp). Plain structs with
// their msgpack layout so they can later cross processes; inside a process CAF passes them as
// C++ objects. Paths follow ZooKeeper's layout ("/brokers/ids/1"); versions and sequences are the
// store's (runtime/coord/store.hpp).
#include <cstdint>
#include <msgpack.hpp>
#include <string>
#include <vector>

#include "net/native_messages.hpp"  // errc and its msgpack enum definition

namespace brook::net {

/// Values of coord_watch_event::type; the same order as runtime::coord::event_type.
enum class coord_event : int8_t { created = 0, changed = 1, deleted = 2, children_changed = 3 };

/// client -> coordinator: create `path` (version 0). Ephemeral nodes belong to `session` and go
/// away with it; `make_parents` creates missing ancestors as empty persistent nodes.
/// Answer: coord_response with version.
struct coord_create_request {
  std::string path;
  std::string value;
  bool ephemeral = false;
  uint64_t session = 0;
  bool make_parents = false;
  MSGPACK_DEFINE(path, value, ephemeral, session, make_parents)
};

/// client -> coordinator: read `path`. Answer: coord_response with value, version, session (the
/// owner of an ephemeral node, else 0) and seq (the last change of the node).
struct coord_get_request {
  std::string path;
  MSGPACK_DEFINE(path)
};

/// client -> coordinator: replace the value of `path`; a compare-and-set when expected_version
/// >= 0 (bad_version otherwise). Answer: coord_response with the new version.
struct coord_set_request {
  std::string path;
  std::string value;
  int64_t expected_version = -1;
  MSGPACK_DEFINE(path, value, expected_version)
};

/// client -> coordinator: remove `path` (no children); CAS as for set. Answer: coord_response.
struct coord_delete_request {
  std::string path;
  int64_t expected_version = -1;
  MSGPACK_DEFINE(path, expected_version)
};

/// client -> coordinator: the names of the children of `path`, sorted. Answer: coord_response
/// with children.
struct coord_children_request {
  std::string path;
  MSGPACK_DEFINE(path)
};

/// client -> coordinator: open a session that lives while heartbeats come at least every
/// timeout_ms. Answer: coord_response with the session id.
struct coord_session_open_request {
  int64_t timeout_ms = 0;
  MSGPACK_DEFINE(timeout_ms)
};

/// client -> coordinator: heartbeat `session`, or close it (deleting its ephemeral nodes) when
/// `close`. Answer: coord_response (session_expired if the session is gone).
struct coord_session_request {
  uint64_t session = 0;
  bool close = false;
  MSGPACK_DEFINE(session, close)
};

/// client -> coordinator over the network: watch (or unwatch) `path` for this connection; events
/// arrive as coord_event frames. Answer: coord_response.
struct coord_watch_request {
  std::string path;
  MSGPACK_DEFINE(path)
};

/// coordinator -> client: the answer to every coordinator request. Fields a request does not
/// produce keep their defaults. seq is the store's change sequence after the request.
struct coord_response {
  errc error = errc::none;
  std::string message;
  int64_t version = -1;
  std::string value;
  std::vector<std::string> children;
  uint64_t session = 0;
  int64_t seq = 0;
  MSGPACK_DEFINE(error, message, version, value, children, session, seq)
};

/// coordinator -> watch subscriber: one change of a watched path (for children_changed: the
/// watched parent). type is a coord_event value; seq the store sequence of the change.
struct coord_watch_event {
  std::string path;
  int8_t type = 0;
  int64_t seq = 0;
  MSGPACK_DEFINE(path, type, seq)
};

}  // namespace brook::net
