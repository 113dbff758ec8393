// Opening a store (snapshot, then WAL replay) and writing snapshots.
#include "runtime/coord/path.hpp"
#include "runtime/coord/store.hpp"
#include "runtime/log.hpp"

namespace brook::runtime::coord {

store::store(storage::env& env, std::string dir, store_options opts)
    : env_(env), dir_(std::move(dir)), opts_(opts) {
  nodes_.emplace("/", node{});
}

result<std::unique_ptr<store>> store::open(storage::env& env, const std::string& dir,
                                           int64_t now_ms, store_options opts) {
  if (status s = env.create_dirs(dir); !s) return s;
  std::unique_ptr<store> st(new store(env, dir, opts));
  auto snap = read_snapshot(env, dir);
  if (!snap) return snap.error();
  if (*snap) {
    if (status s = st->load(std::move(**snap), now_ms); !s) {
      return status{s.code(), storage::join_path(dir, format::snapshot_file) + ": " + s.message()};
    }
    st->recovery_.snapshot_loaded = true;
    st->recovery_.snapshot_seq = st->seq_;
  }
  const int64_t snapshot_seq = st->seq_;
  store* raw = st.get();
  auto replay = [raw, snapshot_seq, now_ms](wal_record&& r) -> status {
    if (r.seq <= snapshot_seq) {
      ++raw->recovery_.wal_records_skipped;
      return status::ok();
    }
    if (status s = raw->apply(r, now_ms); !s) return s;
    ++raw->recovery_.wal_records;
    return status::ok();
  };
  wal::replay_stats stats;
  const std::string wal_path = storage::join_path(dir, format::wal_file);
  auto w = wal::open(env, wal_path, replay, &stats);
  if (!w) {
    const status& e = w.error();
    return status{e.code(), e.message().rfind(wal_path, 0) == 0 ? e.message()
                                                                : wal_path + ": " + e.message()};
  }
  st->wal_ = std::move(*w);
  st->recovery_.truncated_bytes = stats.truncated_bytes;
  st->events_.clear();  // no watches exist yet; nothing to report
  BROOK_LOG_INFO("coordinator store " << dir << " recovered at seq " << st->seq_ << " ("
                                      << st->nodes_.size() << " nodes, " << st->sessions_.size()
                                      << " sessions, " << st->recovery_.wal_records
                                      << " WAL records replayed)");
  return st;
}

status store::load(snapshot&& s, int64_t now_ms) {
  auto bad = [](const std::string& why) { return status{errc::corrupt_message, why}; };
  for (const auto& e : s.sessions) {
    if (e.id == 0 || e.id >= s.next_session || e.timeout_ms <= 0 || sessions_.count(e.id)) {
      return bad("bad session " + std::to_string(e.id));
    }
    sessions_[e.id] = session{e.timeout_ms, now_ms, {}};
  }
  for (auto& e : s.nodes) {
    if (!validate_path(e.path)) return bad("invalid path " + e.path);
    if (e.path == "/") {
      if (e.data.ephemeral_session != 0) return bad("ephemeral root");
      nodes_["/"].data = std::move(e.data);
      continue;
    }
    node* parent = find(parent_path(e.path));
    if (!parent || parent->data.ephemeral_session != 0 || find(e.path)) {
      return bad("node " + e.path + " does not fit the tree");
    }
    uint64_t owner = e.data.ephemeral_session;
    if (owner != 0) {
      auto it = sessions_.find(owner);
      if (it == sessions_.end()) return bad("ephemeral " + e.path + " of a closed session");
      it->second.ephemerals.insert(e.path);
    }
    parent->children.emplace(base_name(e.path));
    node n;
    n.data = std::move(e.data);
    nodes_.emplace(std::move(e.path), std::move(n));
  }
  seq_ = s.seq;
  next_session_ = s.next_session;
  return status::ok();
}

snapshot store::make_snapshot() const {
  snapshot s;
  s.seq = seq_;
  s.next_session = next_session_;
  for (const auto& [id, sess] : sessions_) s.sessions.push_back({id, sess.timeout_ms});
  // std::map orders "/" first and every path before its descendants (a prefix sorts first).
  for (const auto& [path, n] : nodes_) s.nodes.push_back({path, n.data});
  return s;
}

status store::compact() {
  if (!failure().is_ok()) return failure();
  const uint64_t before = wal_->size();
  if (status s = write_snapshot(env_, dir_, encode_snapshot(make_snapshot())); !s) return s;
  // The snapshot is durable: the WAL's records are all in it (and skipped if the reset is lost).
  if (status s = wal_->reset(); !s) return s;
  BROOK_LOG_INFO("coordinator store " << dir_ << ": snapshot at seq " << seq_ << " replaced "
                                      << before << " bytes of WAL");
  return status::ok();
}

}  // namespace brook::runtime::coord
