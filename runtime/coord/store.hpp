#pragma once
// The embedded metadata coordinator's store (ZooKeeper-like): a tree of versioned nodes with
// compare-and-set, ephemeral nodes bound to sessions (heartbeat + timeout), persistent watches
// and a global change sequence (ZooKeeper's zxid). Every mutation is written to the WAL and
// fsynced before it is applied and acknowledged; a large WAL is folded into a snapshot
// (format.hpp). Time is passed in (now_ms) so behavior is deterministic.
//
// Thread safety: none. Exactly one actor (the coordinator actor) owns a store and calls it; the
// store blocks on fsync, so that actor runs detached. No CAF in here.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/coord/format.hpp"
#include "runtime/coord/snapshot.hpp"
#include "runtime/coord/types.hpp"
#include "runtime/coord/wal.hpp"
#include "runtime/coord/watches.hpp"
#include "runtime/status.hpp"
#include "runtime/storage/file.hpp"

namespace brook::runtime::coord {

struct store_options {
  /// WAL size at which a mutation is followed by a snapshot and a fresh WAL.
  uint64_t snapshot_bytes = format::default_snapshot_bytes;
};

/// What open() found on disk.
struct recovery_info {
  bool snapshot_loaded = false;
  int64_t snapshot_seq = 0;
  uint64_t wal_records = 0;          // WAL records applied
  uint64_t wal_records_skipped = 0;  // already in the snapshot
  uint64_t truncated_bytes = 0;      // torn or CRC-failing WAL tail dropped
};

class store {
 public:
  /// Opens the store kept in `dir` (created if missing): loads the snapshot, replays the WAL
  /// (dropping a torn or CRC-failing tail). Sessions come back with their last heartbeat set to
  /// `now_ms`, so their owners get a whole timeout to reconnect; watches do not come back.
  /// REQUIRES: `env` outlives the store and is backed by the real file system (snapshot.hpp).
  static result<std::unique_ptr<store>> open(storage::env& env, const std::string& dir,
                                             int64_t now_ms, store_options opts = {});

  // --- nodes. Every mutation fails without changing anything on a bad path
  // (errc::invalid_request), a value over format::max_value_bytes (message_too_large), or a WAL
  // append/fsync failure (io_error, disk_full).

  /// Creates `path` with version 0 and returns that version. Ephemeral when `ephemeral_session`
  /// is non-zero: owned by that session and deleted with it. With `make_parents`, missing
  /// ancestors are created first as empty persistent nodes. Errors: node_exists, no_node (parent
  /// missing and !make_parents), session_expired (the session is not open),
  /// no_children_for_ephemerals (an ancestor is ephemeral).
  result<int64_t> create(std::string_view path, std::string_view value,
                         uint64_t ephemeral_session = 0, bool make_parents = false);
  /// Value and stat of `path`; no_node if absent.
  result<node_data> get(std::string_view path) const;
  bool exists(std::string_view path) const;
  /// Names (not paths) of the children of `path`, sorted; no_node if absent.
  result<std::vector<std::string>> children(std::string_view path) const;
  /// Replaces the value and returns the new version (old + 1). With `expected_version` >= 0 this
  /// is a compare-and-set: bad_version unless it equals the node's version. Errors: no_node.
  result<int64_t> set(std::string_view path, std::string_view value, int64_t expected_version = -1);
  /// Deletes `path`. bad_version as for set(); not_empty if it has children; the root cannot be
  /// removed (invalid_request).
  status remove(std::string_view path, int64_t expected_version = -1);

  // --- sessions. A session is alive while now_ms - last heartbeat <= its timeout.

  /// Opens a session and returns its id: never 0, never reused (also across restarts).
  /// invalid_session_timeout if timeout_ms <= 0.
  result<uint64_t> open_session(int64_t timeout_ms, int64_t now_ms);
  /// Renews the session's lease. session_expired if it is closed, ended by expire(), unknown,
  /// or already past its timeout (it is then left for expire() to end). Not written to the WAL.
  status heartbeat(uint64_t session, int64_t now_ms);
  /// Ends the session and deletes its ephemeral nodes. session_expired if it is not open.
  status close_session(uint64_t session);
  /// Ends every session past its timeout at `now_ms`, deleting their ephemeral nodes, and returns
  /// their ids (ascending). All or nothing: on a WAL failure no session ends.
  result<std::vector<uint64_t>> expire(int64_t now_ms);
  bool has_session(uint64_t session) const;

  // --- watches (not persisted).

  /// Registers a persistent watch of `subscriber` on the data and children of `path`, which
  /// need not exist. Each later change yields exactly one event per (watch, change): created,
  /// changed or deleted on the node, children_changed on its parent (once per parent and
  /// change, however many children a session close removes). Idempotent.
  status watch(std::string_view path, uint64_t subscriber);
  void unwatch(std::string_view path, uint64_t subscriber);
  void unwatch_all(uint64_t subscriber);
  /// Events queued since the last call, in the order the changes happened. The owner should
  /// drain after every mutation: the queue is unbounded.
  std::vector<watch_event> drain_events();

  // --- persistence.

  /// The sequence of the last change (0 for a new store).
  int64_t seq() const { return seq_; }
  /// Writes a snapshot and empties the WAL now. Also runs after any mutation that leaves the
  /// WAL at store_options::snapshot_bytes or more (a failure there is logged and retried after
  /// the next mutation; the mutation itself stands).
  status compact();
  uint64_t wal_bytes() const { return wal_->size(); }
  /// OK, or why the store refuses mutations until reopened (a failed WAL append could not be
  /// undone). Reads keep working.
  const status& failure() const { return wal_->failure(); }
  const recovery_info& recovery() const { return recovery_; }

 private:
  struct node {
    node_data data;
    std::set<std::string, std::less<>> children;
  };
  struct session {
    int64_t timeout_ms = 0;
    int64_t last_heartbeat_ms = 0;
    std::set<std::string> ephemerals;
  };

  store(storage::env& env, std::string dir, store_options opts);

  node* find(std::string_view path);
  const node* find(std::string_view path) const;
  bool alive(const session& s, int64_t now_ms) const;

  /// Stamps `records` with the next sequences, writes them to the WAL in one append (all or
  /// nothing), then applies them. REQUIRES: the caller checked that they apply.
  status commit(std::vector<wal_record> records, int64_t now_ms);
  /// Applies one record to the tree; an error means the record does not fit the state (a corrupt
  /// WAL when replaying). Queues watch events.
  status apply(const wal_record& r, int64_t now_ms);
  void erase_node(const std::string& path, int64_t seq, std::set<std::string>* parents);
  status load(snapshot&& s, int64_t now_ms);
  snapshot make_snapshot() const;

  storage::env& env_;
  std::string dir_;
  store_options opts_;
  std::unique_ptr<wal> wal_;
  recovery_info recovery_;

  std::map<std::string, node, std::less<>> nodes_;  // by full path; always holds "/"
  std::map<uint64_t, session> sessions_;
  uint64_t next_session_ = 1;
  int64_t seq_ = 0;
  watch_table watches_;
  std::vector<watch_event> events_;
};

}  // namespace brook::runtime::coord
