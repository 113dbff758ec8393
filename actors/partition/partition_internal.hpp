#pragma once
// Internal to the partition actor: partition_actor.cpp (behaviour, opening the log,
// housekeeping, roles), partition_leader.cpp (produce, fetch, list offsets, ISR, high watermark,
// acks=all waiting), partition_follower.cpp (fetching from the leader, truncation).
#include <atomic>
#include <caf/typed_response_promise.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/partition/partition_actor.hpp"
#include "runtime/clock.hpp"
#include "runtime/producer_state.hpp"
#include "runtime/transactions.hpp"
#include "runtime/storage/leader_epochs.hpp"
#include "runtime/storage/partition_log.hpp"

namespace brook::actors::partition_detail {

using clock_type = std::chrono::steady_clock;

enum class replica_role { none, leader, follower };

struct parked_fetch {
  net::fetch_request req;
  caf::typed_response_promise<net::fetch_response> promise;
  clock_type::time_point deadline;
};

/// A produce waiting for its batch to be replicated (acks=all: the high watermark passed it)
/// and/or made durable (the flush policy asked for a flush at its append: the flushed offset
/// passed it).
struct pending_ack {
  int64_t end = 0;  // the batch's last offset + 1
  bool replicated = true;  // waits for the high watermark
  bool flushed = false;    // waits for the log flusher
  net::produce_response resp;
  caf::typed_response_promise<net::produce_response> promise;
  clock_type::time_point deadline;
};

/// A DeleteRecords request waiting until every in-sync replica's log start reached `offset`.
struct pending_delete {
  int64_t offset = 0;
  caf::typed_response_promise<net::delete_records_response> promise;
  clock_type::time_point deadline;
};

/// What the leader knows of one follower (Kafka's replica state).
struct follower_progress {
  int64_t end = -1;    // its log end offset (the offset of its last fetch); -1 unknown
  int64_t start = -1;  // its log start offset (from its last fetch); -1 unknown
  clock_type::time_point last_caught_up;
  clock_type::time_point last_fetch;
  int64_t leader_end_at_last_fetch = -1;
};

struct state {
  partition_spec spec;
  std::unique_ptr<runtime::storage::partition_log> log;
  runtime::storage::leader_epochs epochs;
  runtime::producer_state_table producers;
  runtime::txn_tracker txns;  // open and aborted transactions, the last stable offset
  // Whether <dir>/transactional exists: the log has had transactional batches, so opening the
  // replica reads it all to rebuild `txns` (a log that never had any is not read).
  bool transactional = false;
  std::vector<parked_fetch> parked;
  int64_t last_retention_ms = 0;
  int64_t last_compaction_ms = 0;
  /// The cancel flag of the compaction pass running on its worker thread; null when none runs.
  std::shared_ptr<std::atomic<bool>> compaction;
  std::string name;  // "topic-partition" for logs

  // Replication.
  replica_role role = replica_role::none;
  net::partition_role current;  // the latest role from the broker
  uint64_t generation = 0;      // bumps on every leader/epoch change; stale timers and fetches drop
  int64_t high_watermark = 0;
  int64_t checkpointed_hw = -1;  // what <dir>/high-watermark-checkpoint holds
  int64_t last_hw_checkpoint_ms = 0;
  std::map<int32_t, follower_progress> followers;  // leader only
  std::vector<pending_ack> acks;                   // leader only
  std::vector<pending_delete> deletes;             // leader only
  bool isr_change_pending = false;
  /// The ISR last asked for. Until the answer arrives the high watermark waits for the union of
  /// it and the current ISR (Kafka's "maximal ISR"): the coordinator may already list an added
  /// follower, and a leader elected from that list must have everything acknowledged.
  std::vector<int32_t> isr_requested;
  clock_type::time_point isr_change_sent;
  bool fetch_in_flight = false;  // follower only
  bool flush_in_flight = false;  // a flush plan is on the log flusher

  ~state();
};

using self_ptr = partition_actor::stateful_pointer<state>;
using runtime::wall_ms;

int64_t end_offset(const state& st);

// --- partition_actor.cpp
/// Rebuilds the idempotent-producer table from the log's recent tail, and the transactions from
/// the whole log (after open or truncation).
runtime::status rebuild_producer_state(state& st, int64_t now_ms);
/// A batch now in the log at `data`: its transactional meaning (opens or ends a transaction).
void track_transactions(state& st, const uint8_t* data, size_t n, const runtime::batch_header& h);
/// Crashes the actor if its log refuses writes (recovery from disk is the only way back).
void fail_if_log_unusable(self_ptr self);
/// The flush policy asked for a flush: starts one on the log flusher unless one is in flight
/// (the next starts when it is back: group commit), or without a flusher flushes here. False if
/// a flush here failed (the actor is then crashing).
bool start_flush(self_ptr self);
/// The log flusher ran our plan: the flushed offset moves, waiting produces are answered.
void on_flush_done(self_ptr self, const runtime::storage::flush_done& done);
/// The replication timer of the current role generation, `after` from now.
void schedule_replica_tick(self_ptr self, std::chrono::milliseconds after);
/// How often a leader checks its followers' lag and a follower retries a failed fetch.
std::chrono::milliseconds replica_tick_period(const state& st);

// --- partition_leader.cpp
/// Leader: validates, deduplicates and appends one produced batch; `end` is set to the batch's
/// last offset + 1 when it is (or already was) in the log, `wait_flush` when its answer must
/// wait for a flush in progress.
net::produce_response append_produced(self_ptr self, net::produce_request& req, int64_t& end,
                                      bool& wait_flush);
/// Leader: stored batches for a consumer (up to the high watermark) or a follower (log end).
net::fetch_response read_fetch(state& st, const net::fetch_request& req);
/// Answers parked fetches that now have enough data, or whose wait expired.
void serve_parked(state& st);
net::list_offsets_response list_offsets(state& st, const net::list_offsets_request& req);
/// Leader: appends a transaction marker (WriteTxnMarkers), answered once the ISR has it.
caf::typed_response_promise<net::produce_response> write_marker(
    self_ptr self, const net::write_txn_marker_request& req);
/// Leader: DeleteRecords, the log start moved up to the requested offset (at most the high
/// watermark); followers follow through the log start offset of their fetches, and the answer
/// waits until the in-sync ones have (or the request's timeout).
caf::typed_response_promise<net::delete_records_response> delete_records(
    self_ptr self, const net::delete_records_request& req);
void become_leader(self_ptr self);
/// Leader: a follower's fetch. Updates its progress, the ISR and the high watermark; fills
/// `resp` with an error or a divergence when the follower must not read. False if so.
bool on_replica_fetch(self_ptr self, const net::fetch_request& req, net::fetch_response& resp);
/// Leader: recomputes the high watermark from the ISR's log ends and completes what it passed.
void advance_high_watermark(self_ptr self);
/// Leader: parks a produce answer until the high watermark (`replicated`) and/or the flushed
/// offset (`flushed`) reach `end`.
caf::typed_response_promise<net::produce_response> await_ack(self_ptr self, int64_t end,
                                                             net::produce_response resp,
                                                             int32_t timeout_ms, bool replicated,
                                                             bool flushed);
/// Leader: answers the waiting produces whose conditions now hold.
void complete_acks(state& st);
/// Leader: shrinks the ISR by lag and times out waiting acks (its replication timer).
void on_leader_tick(self_ptr self);
/// Fails every waiting produce and parked fetch (the replica stopped leading).
void fail_waiting(state& st, net::errc e, const std::string& why);

// --- partition_follower.cpp
void become_follower(self_ptr self);
/// Where a follower's replica fetcher is registered (actors/directory/actor_registry.hpp).
std::string fetcher_path(const state& st);
/// Follower: asks the leader for what follows our log end (one fetch in flight).
void send_fetch(self_ptr self);
/// Follower: the leader's answer to our fetch.
void on_fetch_result(self_ptr self, net::replica_fetch_result& r);

}  // namespace brook::actors::partition_detail
