// The store's operations: nodes, sessions, watches. Opening and snapshots: store_recovery.cpp.
#include "runtime/coord/store.hpp"

#include <algorithm>

#include "runtime/coord/path.hpp"
#include "runtime/log.hpp"

namespace brook::runtime::coord {

using format::record_kind;

namespace {
status check_value(std::string_view value) {
  if (value.size() <= format::max_value_bytes) return status::ok();
  return {errc::message_too_large, "coordinator value of " + std::to_string(value.size()) +
                                       " bytes exceeds " + std::to_string(format::max_value_bytes)};
}

status no_node(std::string_view path) {
  return {errc::no_node, "no node " + std::string(path)};
}

status bad_version(std::string_view path, int64_t expected, int64_t actual) {
  return {errc::bad_version, std::string(path) + " has version " + std::to_string(actual) +
                                 ", expected " + std::to_string(expected)};
}

status session_expired(uint64_t id) {
  return {errc::session_expired, "session " + std::to_string(id) + " is not open"};
}
}  // namespace

store::node* store::find(std::string_view path) {
  auto it = nodes_.find(path);
  return it == nodes_.end() ? nullptr : &it->second;
}

const store::node* store::find(std::string_view path) const {
  auto it = nodes_.find(path);
  return it == nodes_.end() ? nullptr : &it->second;
}

bool store::alive(const session& s, int64_t now_ms) const {
  return now_ms - s.last_heartbeat_ms <= s.timeout_ms;
}

result<int64_t> store::create(std::string_view path, std::string_view value,
                              uint64_t ephemeral_session, bool make_parents) {
  if (status s = validate_path(path); !s) return s;
  if (status s = check_value(value); !s) return s;
  if (find(path)) return status{errc::node_exists, "node " + std::string(path) + " exists"};
  if (ephemeral_session != 0 && !sessions_.count(ephemeral_session)) {
    return session_expired(ephemeral_session);
  }
  std::vector<std::string_view> missing;  // ancestors to create, nearest first
  std::string_view up = parent_path(path);
  while (!find(up)) {
    if (!make_parents) return no_node(up);
    missing.push_back(up);
    up = parent_path(up);
  }
  if (find(up)->data.ephemeral_session != 0) {
    return status{errc::no_children_for_ephemerals, "cannot create " + std::string(path) +
                                                        " under ephemeral node " + std::string(up)};
  }
  std::vector<wal_record> records;
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    wal_record r;
    r.kind = record_kind::create;
    r.path = std::string(*it);
    records.push_back(std::move(r));
  }
  wal_record r;
  r.kind = record_kind::create;
  r.path = std::string(path);
  r.value = std::string(value);
  r.session = ephemeral_session;
  records.push_back(std::move(r));
  if (status s = commit(std::move(records), 0); !s) return s;
  return int64_t{0};
}

result<node_data> store::get(std::string_view path) const {
  if (status s = validate_path(path); !s) return s;
  const node* n = find(path);
  if (!n) return no_node(path);
  return n->data;
}

bool store::exists(std::string_view path) const {
  return find(path) != nullptr;
}

result<std::vector<std::string>> store::children(std::string_view path) const {
  if (status s = validate_path(path); !s) return s;
  const node* n = find(path);
  if (!n) return no_node(path);
  return std::vector<std::string>(n->children.begin(), n->children.end());
}

result<int64_t> store::set(std::string_view path, std::string_view value,
                           int64_t expected_version) {
  if (status s = validate_path(path); !s) return s;
  if (status s = check_value(value); !s) return s;
  const node* n = find(path);
  if (!n) return no_node(path);
  if (expected_version >= 0 && expected_version != n->data.version) {
    return bad_version(path, expected_version, n->data.version);
  }
  wal_record r;
  r.kind = record_kind::set;
  r.path = std::string(path);
  r.value = std::string(value);
  r.version = n->data.version + 1;
  int64_t version = r.version;
  if (status s = commit({std::move(r)}, 0); !s) return s;
  return version;
}

status store::remove(std::string_view path, int64_t expected_version) {
  if (status s = validate_path(path); !s) return s;
  if (path == "/") return {errc::invalid_request, "the root cannot be removed"};
  const node* n = find(path);
  if (!n) return no_node(path);
  if (expected_version >= 0 && expected_version != n->data.version) {
    return bad_version(path, expected_version, n->data.version);
  }
  if (!n->children.empty()) {
    return {errc::not_empty,
            std::string(path) + " has " + std::to_string(n->children.size()) + " children"};
  }
  wal_record r;
  r.kind = record_kind::remove;
  r.path = std::string(path);
  return commit({std::move(r)}, 0);
}

result<uint64_t> store::open_session(int64_t timeout_ms, int64_t now_ms) {
  if (timeout_ms <= 0) {
    return status{errc::invalid_session_timeout,
                  "session timeout " + std::to_string(timeout_ms) + " ms"};
  }
  wal_record r;
  r.kind = record_kind::open_session;
  r.session = next_session_;
  r.timeout_ms = timeout_ms;
  uint64_t id = r.session;
  if (status s = commit({std::move(r)}, now_ms); !s) return s;
  return id;
}

status store::heartbeat(uint64_t id, int64_t now_ms) {
  auto it = sessions_.find(id);
  if (it == sessions_.end() || !alive(it->second, now_ms)) return session_expired(id);
  it->second.last_heartbeat_ms = std::max(it->second.last_heartbeat_ms, now_ms);
  return status::ok();
}

status store::close_session(uint64_t id) {
  if (!sessions_.count(id)) return session_expired(id);
  wal_record r;
  r.kind = record_kind::close_session;
  r.session = id;
  return commit({std::move(r)}, 0);
}

result<std::vector<uint64_t>> store::expire(int64_t now_ms) {
  std::vector<uint64_t> ended;
  std::vector<wal_record> records;
  for (const auto& [id, s] : sessions_) {
    if (alive(s, now_ms)) continue;
    ended.push_back(id);
    wal_record r;
    r.kind = record_kind::close_session;
    r.session = id;
    records.push_back(std::move(r));
  }
  if (records.empty()) return ended;
  if (status s = commit(std::move(records), now_ms); !s) return s;
  return ended;
}

bool store::has_session(uint64_t id) const {
  return sessions_.count(id) != 0;
}

status store::watch(std::string_view path, uint64_t subscriber) {
  if (status s = validate_path(path); !s) return s;
  watches_.add(path, subscriber);
  return status::ok();
}

void store::unwatch(std::string_view path, uint64_t subscriber) {
  watches_.remove(path, subscriber);
}

void store::unwatch_all(uint64_t subscriber) {
  watches_.remove_all(subscriber);
}

std::vector<watch_event> store::drain_events() {
  std::vector<watch_event> out;
  out.swap(events_);
  return out;
}

status store::commit(std::vector<wal_record> records, int64_t now_ms) {
  bytes frames;
  int64_t seq = seq_;
  for (auto& r : records) {
    r.seq = ++seq;
    encode_record(r, frames);
  }
  if (status s = wal_->append(frames); !s) return s;
  for (const auto& r : records) {
    status s = apply(r, now_ms);
    BROOK_ASSERT(s.is_ok(), "coordinator: a checked mutation did not apply: " + s.to_string());
  }
  if (wal_->size() >= opts_.snapshot_bytes) {
    if (status s = compact(); !s) {
      BROOK_LOG_WARN("coordinator: snapshot of " << dir_
                                                 << " failed, keeping the WAL: " << s.to_string());
    }
  }
  return status::ok();
}

status store::apply(const wal_record& r, int64_t now_ms) {
  auto bad = [&](const std::string& why) {
    return status{errc::corrupt_message, "record seq " + std::to_string(r.seq) + ": " + why};
  };
  if (r.seq <= seq_) return bad("sequence not above " + std::to_string(seq_));
  switch (r.kind) {
    case record_kind::create: {
      if (!validate_path(r.path) || r.path == "/") return bad("invalid path " + r.path);
      if (find(r.path)) return bad("create of existing " + r.path);
      node* parent = find(parent_path(r.path));
      if (!parent || parent->data.ephemeral_session != 0) return bad("no parent for " + r.path);
      auto sess = sessions_.find(r.session);
      if (r.session != 0 && sess == sessions_.end()) return bad("ephemeral of closed session");
      node n;
      n.data = node_data{r.value, 0, r.session, r.seq, r.seq};
      parent->children.emplace(base_name(r.path));
      nodes_.emplace(r.path, std::move(n));
      if (r.session != 0) sess->second.ephemerals.insert(r.path);
      watches_.notify(r.path, event_type::created, r.seq, events_);
      watches_.notify(parent_path(r.path), event_type::children_changed, r.seq, events_);
      break;
    }
    case record_kind::set: {
      node* n = find(r.path);
      if (!n) return bad("set of missing " + r.path);
      if (r.version != n->data.version + 1) return bad("version skips at " + r.path);
      n->data.value = r.value;
      n->data.version = r.version;
      n->data.modified_seq = r.seq;
      watches_.notify(r.path, event_type::changed, r.seq, events_);
      break;
    }
    case record_kind::remove: {
      const node* n = find(r.path);
      if (!n || r.path == "/" || !n->children.empty()) return bad("cannot remove " + r.path);
      erase_node(r.path, r.seq, nullptr);
      break;
    }
    case record_kind::open_session:
      if (r.session < next_session_ || r.timeout_ms <= 0) return bad("session id reused");
      sessions_[r.session] = session{r.timeout_ms, now_ms, {}};
      next_session_ = r.session + 1;
      break;
    case record_kind::close_session: {
      auto it = sessions_.find(r.session);
      if (it == sessions_.end()) return bad("close of unknown session");
      std::set<std::string> parents;
      for (const auto& path : std::set<std::string>(it->second.ephemerals)) {
        erase_node(path, r.seq, &parents);
      }
      sessions_.erase(r.session);
      for (const auto& p : parents) {
        watches_.notify(p, event_type::children_changed, r.seq, events_);
      }
      break;
    }
    default:
      return bad("unknown record kind");
  }
  seq_ = r.seq;
  return status::ok();
}

void store::erase_node(const std::string& path, int64_t seq, std::set<std::string>* parents) {
  auto it = nodes_.find(path);
  uint64_t owner = it->second.data.ephemeral_session;
  if (owner != 0) sessions_[owner].ephemerals.erase(path);
  std::string_view parent = parent_path(path);
  find(parent)->children.erase(std::string(base_name(path)));
  watches_.notify(path, event_type::deleted, seq, events_);
  if (parents) {
    parents->emplace(parent);
  } else {
    watches_.notify(parent, event_type::children_changed, seq, events_);
  }
  nodes_.erase(it);
}

}  // namespace brook::runtime::coord
