#pragma once
// Persistent watches of the coordinator store: (path, subscriber) pairs that see every change of
// a node's data and children until removed. Not persisted: subscribers re-register after a
// restart, as ZooKeeper clients do. Owned by one store; not thread-safe.
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/coord/types.hpp"

namespace brook::runtime::coord {

class watch_table {
 public:
  /// Registers `subscriber` on `path` (which need not exist yet). Idempotent: a second
  /// registration of the same pair adds nothing, so a change still yields one event per pair.
  void add(std::string_view path, uint64_t subscriber);
  void remove(std::string_view path, uint64_t subscriber);
  void remove_all(uint64_t subscriber);

  /// Appends one event per subscriber watching `path` to `out`.
  void notify(std::string_view path, event_type type, int64_t seq,
              std::vector<watch_event>& out) const;

  /// Number of (path, subscriber) pairs.
  size_t size() const;

 private:
  std::map<std::string, std::set<uint64_t>, std::less<>> by_path_;
};

}  // namespace brook::runtime::coord
