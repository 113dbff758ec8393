#include "runtime/coord/watches.hpp"

namespace brook::runtime::coord {

std::string_view to_string(event_type t) {
  switch (t) {
    case event_type::created:
      return "created";
    case event_type::changed:
      return "changed";
    case event_type::deleted:
      return "deleted";
    case event_type::children_changed:
      return "children_changed";
  }
  return "unknown";
}

void watch_table::add(std::string_view path, uint64_t subscriber) {
  auto it = by_path_.find(path);
  if (it == by_path_.end()) it = by_path_.emplace(std::string(path), std::set<uint64_t>{}).first;
  it->second.insert(subscriber);
}

void watch_table::remove(std::string_view path, uint64_t subscriber) {
  auto it = by_path_.find(path);
  if (it == by_path_.end()) return;
  it->second.erase(subscriber);
  if (it->second.empty()) by_path_.erase(it);
}

void watch_table::remove_all(uint64_t subscriber) {
  for (auto it = by_path_.begin(); it != by_path_.end();) {
    it->second.erase(subscriber);
    it = it->second.empty() ? by_path_.erase(it) : std::next(it);
  }
}

void watch_table::notify(std::string_view path, event_type type, int64_t seq,
                         std::vector<watch_event>& out) const {
  auto it = by_path_.find(path);
  if (it == by_path_.end()) return;
  for (uint64_t sub : it->second) out.push_back(watch_event{sub, std::string(path), type, seq});
}

size_t watch_table::size() const {
  size_t n = 0;
  for (const auto& [path, subs] : by_path_) n += subs.size();
  return n;
}

}  // namespace brook::runtime::coord
