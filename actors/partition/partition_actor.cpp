// The partition actor's behaviour: opening the replica, housekeeping (flush, retention, parked
// fetches), roles from the broker, and the dispatch of requests to the leader and follower sides.
#include "actors/partition/partition_actor.hpp"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <algorithm>
#include <caf/all.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "actors/directory/actor_registry.hpp"
#include "actors/partition/partition_internal.hpp"
#include "runtime/durable_file.hpp"
#include "runtime/log.hpp"
#include "runtime/record_batch.hpp"
#include "runtime/storage/file.hpp"
#include "runtime/storage/log_flusher.hpp"

namespace brook::actors {

namespace partition_detail {

using net::errc;
using std::chrono::milliseconds;

int64_t end_offset(const state& st) {
  return st.log->end_offset().value();
}

milliseconds replica_tick_period(const state& st) {
  return milliseconds(std::clamp<int64_t>(st.spec.replica_lag_time_max_ms / 4, 10, 250));
}

void schedule_replica_tick(self_ptr self, milliseconds after) {
  self->delayed_send(self, after, replica_tick_atom::value, self->state.generation);
}

// A log that refuses writes (failed fsync, failed undo of a torn write) is only trustworthy again
// after recovery rereads the disk: crash, and let the broker restart the partition from disk.
void fail_if_log_unusable(self_ptr self) {
  const auto& failure = self->state.log->failure();
  if (failure.is_ok()) return;
  BROOK_LOG_ERROR("[Partition " << self->state.name << "] log refuses writes ("
                                << failure.to_string()
                                << "); restarting the partition to recover it from disk");
  self->quit(caf::make_error(caf::sec::runtime_error, failure.to_string()));
}

// How far back the idempotence state is rebuilt on open: retries older than this are past any
// producer's delivery.timeout.ms (Kafka's default is 2 minutes).
constexpr int64_t producer_state_window_ms = 15 * 60 * 1000;

namespace {
std::string transactional_mark(const state& st) { return st.spec.dir + "/transactional"; }
}  // namespace

void track_transactions(state& st, const uint8_t* data, size_t n, const runtime::batch_header& h) {
  if (!h.is_transactional()) return;
  if (!st.transactional) {  // the first one: from now on the log is read at open
    if (auto s = runtime::write_file_durably(transactional_mark(st), "1\n"); !s)
      BROOK_LOG_WARN("[Partition " << st.name << "] cannot mark the log transactional: "
                                   << s.to_string());
    st.transactional = true;
  }
  std::optional<bool> commits;
  if (h.is_control()) {
    auto c = runtime::marker_commits(data, n);
    if (!c) {
      BROOK_LOG_WARN("[Partition " << st.name << "] unreadable transaction marker at offset "
                                   << h.base_offset << ": " << c.error().to_string());
      return;
    }
    commits = *c;
  }
  st.txns.on_batch(h, commits);
}

namespace {

// Calls f(batch data, size, header) for every batch from `from` to the log end.
template <class F>
runtime::status each_batch(state& st, runtime::offset from, F f) {
  auto& log = *st.log;
  while (from < log.end_offset()) {
    auto chunk = log.read(from, 4 << 20);
    if (!chunk) return chunk.error();
    auto batches = runtime::split_batches(chunk->data(), chunk->size(), true);
    if (!batches) return batches.error();
    if (batches->empty()) break;
    for (const auto& b : *batches) f(b.data, b.size, b.header);
    from = runtime::offset{batches->back().header.last_offset() + 1};
  }
  return {};
}

}  // namespace

runtime::status rebuild_producer_state(state& st, int64_t now_ms) {
  st.producers = runtime::producer_state_table{};
  st.txns.clear();
  std::error_code ec;
  st.transactional = std::filesystem::exists(transactional_mark(st), ec);
  // Producer state needs only the recent tail; transactions may have opened anywhere, so a log
  // that has had any is read from its start, in the same one pass (headers, and the markers).
  auto window = st.log->offset_for_timestamp(now_ms - producer_state_window_ms);
  return each_batch(st, st.transactional ? st.log->start_offset() : window,
                    [&](const uint8_t* data, size_t n, const runtime::batch_header& h) {
                      if (h.last_offset() >= window.value()) st.producers.record(h);
                      if (st.transactional) track_transactions(st, data, n, h);
                    });
}

namespace {

std::string hw_checkpoint_path(const state& st) { return st.spec.dir + "/high-watermark-checkpoint"; }

// Writes the high watermark if it changed since the last write (Kafka's
// replication-offset-checkpoint, one file per partition here).
void checkpoint_hw(state& st) {
  if (!st.log || st.high_watermark == st.checkpointed_hw) return;
  if (auto s = runtime::write_file_durably(hw_checkpoint_path(st),
                                           std::to_string(st.high_watermark) + "\n");
      !s) {
    BROOK_LOG_WARN("[Partition " << st.name << "] cannot checkpoint the high watermark: "
                                 << s.to_string());
    return;
  }
  st.checkpointed_hw = st.high_watermark;
}

}  // namespace

state::~state() {
  if (compaction) compaction->store(true);  // its result would have no one to go to
  checkpoint_hw(*this);
  if (role == replica_role::follower && spec.actors) spec.actors->remove(fetcher_path(*this));
  // Whatever ends the actor (shutdown, crash, chaos kill), what it wrote reaches the disk, and
  // whoever waits for an answer gets one now (a retriable error) rather than at its timeout.
  if (log && log->failure().is_ok()) log->flush();
  fail_waiting(*this, errc::not_leader_or_follower, "partition " + name + " stopped");
}

void apply_role(self_ptr self, net::partition_role role) {
  auto& st = self->state;
  auto before = st.role;
  bool new_epoch = role.state.leader_epoch != st.current.state.leader_epoch ||
                   role.state.leader != st.current.state.leader;
  auto next = role.state.leader == role.broker_id               ? replica_role::leader
              : net::has_replica(role.replicas, role.broker_id) ? replica_role::follower
                                                                : replica_role::none;
  bool isr_changed = role.state.isr != st.current.state.isr;
  st.current = std::move(role);
  st.role = next;
  if (before != next || new_epoch) {
    ++st.generation;
    st.fetch_in_flight = false;
    st.isr_change_pending = false;
    st.isr_requested.clear();
    if (before == replica_role::leader && next != replica_role::leader)
      fail_waiting(st, errc::not_leader_or_follower,
                   "replica " + st.name + " is no longer the leader");
    if (before == replica_role::follower && st.spec.actors)
      st.spec.actors->remove(fetcher_path(st));
    if (next == replica_role::leader) become_leader(self);
    if (next == replica_role::follower) become_follower(self);
  } else if (next == replica_role::leader && isr_changed) {
    st.isr_change_pending = false;  // our ISR change (or someone else's) was written
    st.isr_requested.clear();
  } else if (next == replica_role::follower) {
    send_fetch(self);  // the leader's endpoint may be known only now
  }
  if (st.role == replica_role::leader) advance_high_watermark(self);
}

namespace {

// Starts a compaction pass on a worker thread of its own (at low priority) when one is due; the
// partition goes on serving meanwhile. Only records below the high watermark are compacted: a
// record above it may still be truncated, and the older value it would replace must stay.
void maybe_compact(self_ptr self, int64_t now) {
  auto& st = self->state;
  if (!st.spec.config.log.cleanup_compact || st.compaction ||
      now - st.last_compaction_ms < st.spec.cleaner_backoff_ms)
    return;
  st.last_compaction_ms = now;
  std::shared_ptr<const runtime::storage::compaction_job> job =
      st.log->plan_compaction(now, runtime::offset{st.high_watermark}, /*force=*/false);
  if (!job) return;
  st.compaction = job->cancelled;
  auto parent = caf::actor_cast<partition_actor>(self);
  self->spawn([job, parent](caf::blocking_actor*) {
    setpriority(PRIO_PROCESS, pid_t(syscall(SYS_gettid)), 10);
    auto out = std::make_shared<runtime::result<runtime::storage::compaction_output>>(
        runtime::storage::run_compaction(*job));
    caf::anon_send(parent, runtime::storage::compaction_pass{job, std::move(out)});
  });
}

void on_compaction_done(self_ptr self, const runtime::storage::compaction_pass& pass) {
  auto& st = self->state;
  st.compaction.reset();
  const auto& out = *pass.out;
  if (!out) {
    BROOK_LOG_WARN("[Partition " << st.name << "] compaction failed: " << out.error().to_string());
    return;
  }
  auto installed = st.log->install_compaction(*pass.job, *out);
  if (!installed) {
    BROOK_LOG_ERROR("[Partition " << st.name << "] installing compacted segments failed: "
                                  << installed.error().to_string());
    fail_if_log_unusable(self);
    return;
  }
  if (!*installed) return;  // retention or truncation changed the segments meanwhile
  const auto& r = out->report;
  BROOK_LOG_INFO("[Partition " << st.name << "] compacted " << r.segments_before
                               << " segment(s) into " << r.segments_after << ": " << r.bytes_before
                               << " -> " << r.bytes_after << " bytes, " << r.records_removed
                               << " superseded record(s) and " << r.tombstones_removed
                               << " tombstone(s) removed");
}

}  // namespace

bool start_flush(self_ptr self) {
  auto& st = self->state;
  if (st.flush_in_flight) return true;  // on_flush_done starts the next
  auto plan = st.log->begin_flush();
  runtime::status s = plan ? runtime::status::ok() : plan.error();
  if (s && !st.spec.flusher) s = st.log->end_flush(*plan, plan->run());  // here and now
  if (!s) {
    BROOK_LOG_ERROR("[Partition " << st.name << "] flush failed: " << s.to_string());
    fail_if_log_unusable(self);
    return false;
  }
  if (!st.spec.flusher) {
    complete_acks(st);
    return true;
  }
  st.flush_in_flight = true;
  auto job = std::make_shared<const runtime::storage::flush_plan>(std::move(*plan));
  auto me = caf::actor_cast<partition_actor>(self);
  st.spec.flusher->submit([job, me] {
    caf::anon_send(me, runtime::storage::flush_done{job, job->run()});
  });
  return true;
}

void on_flush_done(self_ptr self, const runtime::storage::flush_done& done) {
  auto& st = self->state;
  st.flush_in_flight = false;
  if (auto s = st.log->end_flush(*done.plan, done.outcome); !s) {
    BROOK_LOG_ERROR("[Partition " << st.name << "] flush failed: " << s.to_string());
    fail_if_log_unusable(self);
    return;
  }
  complete_acks(st);
  // Group commit: what arrived during this flush goes in the next one.
  int64_t flushed = st.log->flushed_offset().value();
  bool waiting = std::any_of(st.acks.begin(), st.acks.end(),
                             [&](const pending_ack& a) { return a.flushed && a.end > flushed; });
  if (waiting || st.log->flush_due(wall_ms())) start_flush(self);
}

namespace {

void housekeeping(self_ptr self) {
  auto& st = self->state;
  serve_parked(st);
  int64_t now = wall_ms();
  if (st.log->flush_due(now)) start_flush(self);
  if (now - st.last_retention_ms >= st.spec.retention_check_interval_ms) {
    st.last_retention_ms = now;
    if (auto n = st.log->enforce_retention(now); n > 0) {
      BROOK_LOG_INFO("[Partition " << st.name << "] retention deleted " << n
                                   << " segment(s); log start offset now "
                                   << st.log->start_offset());
      st.txns.forget_before(st.log->start_offset().value());
    }
  }
  maybe_compact(self, now);
  if (now - st.last_hw_checkpoint_ms >= st.spec.hw_checkpoint_interval_ms) {
    st.last_hw_checkpoint_ms = now;
    checkpoint_hw(st);
  }
}

// Housekeeping: often enough for flush.ms and retention checks, never busier than every 10 ms.
std::chrono::milliseconds housekeeping_period(const state& st) {
  const auto& cfg = st.spec.config.log;
  int64_t period = std::min({st.spec.retention_check_interval_ms, cfg.flush_ms,
                             st.spec.hw_checkpoint_interval_ms});
  if (cfg.cleanup_compact) period = std::min<int64_t>(period, st.spec.cleaner_backoff_ms);
  return std::chrono::milliseconds(std::max<int64_t>(period, 10));
}

// The topic's configs changed (AlterConfigs or a broker default): later appends, fetches and
// housekeeping follow them; what is stored stays.
void apply_config(self_ptr self, runtime::topic_config cfg) {
  auto& st = self->state;
  st.spec.config = std::move(cfg);
  st.log->set_config(st.spec.config.log);
  BROOK_LOG_INFO("[Partition " << st.name << "] configs changed");
}

runtime::status open_replica(state& st) {
  auto opened = runtime::storage::partition_log::open(runtime::storage::env::posix(), st.spec.dir,
                                                      st.spec.config.log);
  if (!opened) return opened.error();
  st.log = std::move(*opened);
  auto epochs = runtime::storage::leader_epochs::load(st.spec.dir, end_offset(st));
  if (!epochs) return epochs.error();
  st.epochs = std::move(*epochs);
  // The high watermark of the last run, so a restarted replica neither hides what was committed
  // (0 until every follower has fetched again) nor shows more than its log holds.
  std::ifstream in(hw_checkpoint_path(st));
  int64_t hw = 0;
  if (in >> hw && hw > 0) st.high_watermark = st.checkpointed_hw = std::min(hw, end_offset(st));
  st.last_retention_ms = st.last_compaction_ms = st.last_hw_checkpoint_ms = wall_ms();
  return rebuild_producer_state(st, st.last_retention_ms);
}

partition_actor::behavior_type partition_impl(self_ptr self, partition_spec spec) {
  auto& st = self->state;
  st.spec = std::move(spec);
  st.name = st.spec.topic + "-" + std::to_string(st.spec.partition);
  if (auto s = open_replica(st); !s) {
    BROOK_LOG_ERROR("[Partition " << st.name << "] cannot open replica in " << st.spec.dir << ": "
                                  << s.to_string());
    self->quit(caf::make_error(caf::sec::runtime_error, s.to_string()));
    return partition_actor::behavior_type::make_empty_behavior();
  }
  BROOK_LOG_DEBUG("[Partition " << st.name << "] loaded log: start " << st.log->start_offset()
                                << ", end " << st.log->end_offset());
  self->delayed_send(self, housekeeping_period(st), tick_atom::value);
  apply_role(self, st.spec.role);

  return {
      [self](net::produce_request& req) -> caf::typed_response_promise<net::produce_response> {
        int64_t end = -1;
        bool wait_flush = false;
        auto resp = append_produced(self, req, end, wait_flush);
        bool wait_hw = req.acks == net::acks_all;
        if ((wait_hw || wait_flush) && resp.error == errc::none)
          return await_ack(self, end, std::move(resp), req.timeout_ms, wait_hw, wait_flush);
        auto promise = self->make_response_promise<net::produce_response>();
        promise.deliver(std::move(resp));
        return promise;
      },
      [self](net::fetch_request& req) -> caf::typed_response_promise<net::fetch_response> {
        auto& st = self->state;
        auto promise = self->make_response_promise<net::fetch_response>();
        net::fetch_response refused;
        if (req.replica_id >= 0 && st.role == replica_role::leader &&
            !on_replica_fetch(self, req, refused)) {
          promise.deliver(std::move(refused));
          return promise;
        }
        auto resp = read_fetch(st, req);
        // fetch.min.bytes 0 means "answer at once", as in Kafka.
        bool enough = resp.error != errc::none || req.min_bytes <= 0 ||
                      resp.records_size() >= size_t(req.min_bytes);
        if (enough || req.max_wait_ms <= 0) {
          promise.deliver(std::move(resp));
        } else {
          auto wait = std::chrono::milliseconds(req.max_wait_ms);
          st.parked.push_back({std::move(req), promise, clock_type::now() + wait});
          self->delayed_send(self, wait, wake_atom::value);
        }
        return promise;
      },
      [self](net::list_offsets_request& req) -> net::list_offsets_response {
        return list_offsets(self->state, req);
      },
      [self](tick_atom) {
        housekeeping(self);
        self->delayed_send(self, housekeeping_period(self->state), tick_atom::value);
      },
      [self](net::write_txn_marker_request& req)
          -> caf::typed_response_promise<net::produce_response> { return write_marker(self, req); },
      [self](net::delete_records_request& req)
          -> caf::typed_response_promise<net::delete_records_response> {
        return delete_records(self, req);
      },
      [self](net::describe_log_dirs_request&) -> net::log_dir_partition {
        auto& st = self->state;
        // Kafka's offset lag: how far the log end is behind the high watermark.
        return {st.spec.topic, st.spec.partition, int64_t(st.log->size_bytes()),
                std::max<int64_t>(0, st.high_watermark - end_offset(st))};
      },
      [self](runtime::topic_config& cfg) { apply_config(self, std::move(cfg)); },
      [self](wake_atom) { serve_parked(self->state); },
      [self](runtime::storage::compaction_pass& pass) { on_compaction_done(self, pass); },
      [self](runtime::storage::flush_done& done) { on_flush_done(self, done); },
      [self](drop_atom) -> bool {
        auto& st = self->state;
        fail_waiting(st, errc::unknown_topic_or_partition, "topic deleted");
        auto dir = st.log->dir();
        st.log.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
        self->quit();
        return !ec;
      },
      [self](net::partition_role& role) { apply_role(self, std::move(role)); },
      [self](net::replica_fetch_result& r) { on_fetch_result(self, r); },
      [self](replica_tick_atom, uint64_t generation) {
        auto& st = self->state;
        if (generation != st.generation) return;  // a timer of an earlier role
        if (st.role == replica_role::follower) return send_fetch(self);
        if (st.role != replica_role::leader) return;
        on_leader_tick(self);
        schedule_replica_tick(self, replica_tick_period(st));
      },
  };
}

}  // namespace
}  // namespace partition_detail

partition_actor spawn_partition(caf::actor_system& sys, partition_spec spec) {
  return sys.spawn(partition_detail::partition_impl, std::move(spec));
}

}  // namespace brook::actors
