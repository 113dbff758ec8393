#pragma once
// Values the coordinator store hands out: a node's data and stat, and watch events.
#include <cstdint>
#include <string>
#include <string_view>

namespace brook::runtime::coord {

/// A node's value and its stat (ZooKeeper's Stat, reduced to what Brook uses).
struct node_data {
  std::string value;
  int64_t version = 0;             // 0 at create, +1 at every set
  uint64_t ephemeral_session = 0;  // owning session; 0 for a persistent node
  int64_t created_seq = 0;         // store sequence of the create (ZooKeeper's czxid)
  int64_t modified_seq = 0;        // store sequence of the last create or set (mzxid)
};

enum class event_type : uint8_t {
  created,           // the watched node was created
  changed,           // the watched node's value was set
  deleted,           // the watched node was removed
  children_changed,  // a child of the watched node was created or removed
};

/// "created", "changed", "deleted", "children_changed".
std::string_view to_string(event_type t);

/// One change seen by one watch. store -> (coordinator actor) -> subscriber.
struct watch_event {
  uint64_t subscriber = 0;
  std::string path;  // the watched node (for children_changed: the parent)
  event_type type = event_type::changed;
  int64_t seq = 0;  // store sequence of the change

  bool operator==(const watch_event& o) const {
    return subscriber == o.subscriber && path == o.path && type == o.type && seq == o.seq;
  }
};

}  // namespace brook::runtime::coord
