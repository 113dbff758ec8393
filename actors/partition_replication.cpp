// The partition actor's replication side: roles, the follower's fetch loop, divergence and
// truncation, the leader's view of its followers, the ISR and the high watermark.
#include <caf/all.hpp>
#include <algorithm>

#include "actors/partition_internal.hpp"
#include "actors/peer_connections.hpp"
#include "net/native_client.hpp"
#include "net/native_codec.hpp"
#include "runtime/log.hpp"
#include "runtime/record_batch.hpp"

namespace brook::actors::partition_detail {

using net::errc;
using std::chrono::milliseconds;

namespace {

// How often a leader checks its followers' lag and a follower retries a failed fetch.
milliseconds tick_period(const state& st) {
  return milliseconds(std::clamp<int64_t>(st.spec.replica_lag_time_max_ms / 4, 10, 250));
}

void schedule_tick(self_ptr self, milliseconds after) {
  self->delayed_send(self, after, tick_atom::value, self->state.generation);
}

// Asks the broker to write `isr` for this partition (one request at a time; the broker's
// metadata update brings the result back as a role).
void request_isr(self_ptr self, std::vector<int32_t> isr) {
  auto& st = self->state;
  auto now = clock_type::now();
  if (st.isr_change_pending && now - st.isr_change_sent < std::chrono::seconds(2)) return;
  st.isr_change_pending = true;
  st.isr_change_sent = now;
  st.isr_requested = isr;
  BROOK_LOG_INFO("[Partition " << st.name << "] leader at epoch " << st.current.state.leader_epoch
                               << " changes ISR " << net::format_replicas(st.current.state.isr) << " -> "
                               << net::format_replicas(isr));
  self->send(st.spec.broker, net::alter_isr_request{st.spec.topic, st.spec.partition,
                                                    st.current.state.leader_epoch, std::move(isr)});
}

// Leader: followers in the ISR that have not caught up within replica.lag.time.max.ms leave it.
void shrink_isr(self_ptr self) {
  auto& st = self->state;
  auto now = clock_type::now();
  std::vector<int32_t> keep;
  for (int32_t r : st.current.state.isr) {
    auto it = st.followers.find(r);
    bool lagging = it != st.followers.end() &&
                   now - it->second.last_caught_up > milliseconds(st.spec.replica_lag_time_max_ms);
    if (!lagging) keep.push_back(r);
  }
  if (keep.size() != st.current.state.isr.size()) request_isr(self, std::move(keep));
}

void become_leader(self_ptr self) {
  auto& st = self->state;
  auto now = clock_type::now();
  if (auto s = st.epochs.assign(st.current.state.leader_epoch, end_offset(st)); !s) {
    BROOK_LOG_ERROR("[Partition " << st.name << "] cannot record leader epoch: " << s.to_string());
    self->quit(caf::make_error(caf::sec::runtime_error, s.to_string()));
    return;
  }
  st.followers.clear();
  for (int32_t r : st.current.replicas)
    if (r != st.current.broker_id) st.followers[r] = follower_progress{-1, now, now, -1};
  BROOK_LOG_INFO("[Partition " << st.name << "] leader at epoch " << st.current.state.leader_epoch
                               << " from offset " << end_offset(st) << ", ISR "
                               << net::format_replicas(st.current.state.isr));
  schedule_tick(self, tick_period(st));
}

void send_fetch(self_ptr self);

void become_follower(self_ptr self) {
  auto& st = self->state;
  st.followers.clear();
  st.high_watermark = std::min(st.high_watermark, end_offset(st));
  BROOK_LOG_INFO("[Partition " << st.name << "] follower of broker " << st.current.state.leader
                               << " at epoch " << st.current.state.leader_epoch << " from offset "
                               << end_offset(st));
  send_fetch(self);
}

// Follower: asks the leader for what follows our log end.
void send_fetch(self_ptr self) {
  auto& st = self->state;
  if (st.role != replica_role::follower || st.fetch_in_flight || st.current.leader.id < 0) return;
  auto conn = st.spec.peers ? st.spec.peers->get(st.current.leader, st.name) : nullptr;
  if (!conn) {
    schedule_tick(self, milliseconds(20));  // connecting in the background
    return;
  }
  net::fetch_request req;
  req.topic = st.spec.topic;
  req.partition = st.spec.partition;
  req.offset = end_offset(st);
  req.max_bytes = st.spec.replica_fetch_max_bytes;
  req.min_bytes = 1;
  req.max_wait_ms = 500;
  req.replica_id = st.current.broker_id;
  req.leader_epoch = st.current.state.leader_epoch;
  req.last_fetched_epoch = st.epochs.latest();
  auto id = conn->next_correlation_id();
  st.fetch_in_flight = true;
  auto me = caf::actor_cast<partition_actor>(self);
  auto gen = st.generation;
  conn->send(net::encode_request(net::native_type::fetch, id, req), id,
             [me, gen](runtime::result<net::native_frame> f) {
               net::replica_fetch_result r{gen, {}};
               auto body = f ? net::body_as<net::fetch_response>(*f)
                             : runtime::result<net::fetch_response>(f.error());
               if (body) {
                 r.resp = std::move(*body);
               } else {
                 r.resp.error = body.error().code();
                 r.resp.message = body.error().message();
               }
               caf::anon_send(me, std::move(r));
             });
}

// Follower: cuts the log back to where it agrees with the leader.
bool truncate_diverging(self_ptr self, int32_t epoch, int64_t leader_end) {
  auto& st = self->state;
  int64_t before = end_offset(st);
  int64_t target = std::min({leader_end, st.epochs.end_offset_for(epoch, before).second, before});
  if (auto s = st.log->truncate_to(runtime::offset{target}); !s) {
    BROOK_LOG_ERROR("[Partition " << st.name << "] truncation to " << target << " failed: " << s.to_string());
    self->quit(caf::make_error(caf::sec::runtime_error, s.to_string()));
    return false;
  }
  auto s = st.epochs.truncate_from(end_offset(st));
  if (s) s = rebuild_producer_state(st, wall_ms());
  if (!s) {
    self->quit(caf::make_error(caf::sec::runtime_error, s.to_string()));
    return false;
  }
  st.high_watermark = std::min(st.high_watermark, end_offset(st));
  if (end_offset(st) != before)
    BROOK_LOG_WARN("[Partition " << st.name << "] truncated from offset " << before << " to "
                                 << end_offset(st) << ": log diverged from the leader's at epoch " << epoch);
  return true;
}

// Follower: appends the leader's batches as they are (offsets and epochs included).
bool append_replicated(self_ptr self, runtime::bytes& records) {
  auto& st = self->state;
  auto batches = runtime::split_batches(records.data(), records.size(), true);
  if (!batches) return false;
  for (auto& b : *batches) {
    if (b.header.base_offset != end_offset(st)) {
      BROOK_LOG_WARN("[Partition " << st.name << "] leader sent offset " << b.header.base_offset
                                   << " but the log ends at " << end_offset(st) << "; fetching again");
      return true;
    }
    auto* data = const_cast<uint8_t*>(b.data);
    if (auto v = runtime::validate_batch(data, b.size); !v) {
      BROOK_LOG_WARN("[Partition " << st.name << "] bad batch from the leader: " << v.to_string());
      return true;
    }
    if (b.header.leader_epoch > st.epochs.latest()) {
      if (auto s = st.epochs.assign(b.header.leader_epoch, b.header.base_offset); !s) {
        self->quit(caf::make_error(caf::sec::runtime_error, s.to_string()));
        return false;
      }
    }
    auto r = st.log->append(data, b.size, b.header.leader_epoch, wall_ms());
    if (!r) {
      BROOK_LOG_ERROR("[Partition " << st.name << "] replica append failed: " << r.error().to_string());
      fail_if_log_unusable(self);
      return false;
    }
    st.producers.record(b.header);
    BROOK_LOG_DEBUG("[Partition " << st.name << "] replicated producer " << b.header.producer_id << " seq "
                                  << b.header.base_sequence << "+" << b.header.last_offset_delta << " at "
                                  << b.header.base_offset);
    if (r->flush_due)
      if (auto fs = st.log->flush(); !fs) {
        fail_if_log_unusable(self);
        return false;
      }
  }
  return true;
}

// Answers the waiting acks=all produce requests that `settled` picks: with `e` and `why`, or
// (errc::none) with their own response.
template <class Pred>
void answer_acks(state& st, Pred settled, errc e, const std::string& why) {
  auto it = std::stable_partition(st.acks.begin(), st.acks.end(), [&](const pending_ack& a) { return !settled(a); });
  for (auto a = it; a != st.acks.end(); ++a) {
    if (e != errc::none) {
      a->resp.error = e;
      a->resp.message = why;
    }
    a->promise.deliver(std::move(a->resp));
  }
  st.acks.erase(it, st.acks.end());
}

}  // namespace

void fail_waiting(state& st, errc e, const std::string& why) {
  answer_acks(st, [](const pending_ack&) { return true; }, e, why);
  for (auto& p : st.parked) {
    net::fetch_response resp;
    resp.error = e;
    resp.message = why;
    p.promise.deliver(std::move(resp));
  }
  st.parked.clear();
}

state::~state() {
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
  auto next = role.state.leader == role.broker_id ? replica_role::leader
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
      fail_waiting(st, errc::not_leader_or_follower, "replica " + st.name + " is no longer the leader");
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

bool on_replica_fetch(self_ptr self, const net::fetch_request& req, net::fetch_response& resp) {
  auto& st = self->state;
  int32_t epoch = st.current.state.leader_epoch;
  if (req.leader_epoch >= 0 && req.leader_epoch != epoch) {
    resp.error = req.leader_epoch < epoch ? errc::fenced_leader_epoch : errc::unknown_leader_epoch;
    resp.message = "follower epoch " + std::to_string(req.leader_epoch) + ", leader epoch " + std::to_string(epoch);
    return false;
  }
  auto it = st.followers.find(req.replica_id);
  if (it == st.followers.end()) {
    resp.error = errc::not_leader_or_follower;
    resp.message = "broker " + std::to_string(req.replica_id) + " is not a replica of " + st.name;
    return false;
  }
  int64_t leo = end_offset(st);
  if (req.last_fetched_epoch >= 0) {
    auto [e, end] = st.epochs.end_offset_for(req.last_fetched_epoch, leo);
    if (e != req.last_fetched_epoch || end < req.offset) {
      resp.diverging_epoch = e;
      resp.diverging_end_offset = end;
      resp.high_watermark = st.high_watermark;
      return false;
    }
  }
  auto now = clock_type::now();
  auto& f = it->second;
  if (req.offset >= leo)
    f.last_caught_up = now;
  else if (req.offset >= f.leader_end_at_last_fetch && f.leader_end_at_last_fetch >= 0)
    f.last_caught_up = std::max(f.last_caught_up, f.last_fetch);
  f.end = req.offset;
  f.last_fetch = now;
  f.leader_end_at_last_fetch = leo;
  // A caught-up follower rejoins the ISR (Kafka: its log end reached the high watermark and
  // the start of the current epoch).
  const auto& isr = st.current.state.isr;
  if (!net::has_replica(isr, req.replica_id) && req.offset >= st.high_watermark &&
      req.offset >= st.epochs.end_offset_for(epoch - 1, leo).second) {
    auto next = isr;
    next.push_back(req.replica_id);
    request_isr(self, std::move(next));
  }
  advance_high_watermark(self);
  return true;
}

void advance_high_watermark(self_ptr self) {
  auto& st = self->state;
  if (st.role != replica_role::leader) return;
  int64_t hw = end_offset(st);
  auto members = st.current.state.isr;
  for (int32_t r : st.isr_requested)
    if (!net::has_replica(members, r)) members.push_back(r);
  for (int32_t r : members) {
    if (r == st.current.broker_id) continue;
    auto it = st.followers.find(r);
    if (it == st.followers.end() || it->second.end < 0) return;  // not heard from since we lead
    hw = std::min(hw, it->second.end);
  }
  if (hw <= st.high_watermark) return;
  st.high_watermark = hw;
  bool enough = int32_t(st.current.state.isr.size()) >= st.spec.config.min_insync_replicas;
  answer_acks(st, [hw](const pending_ack& a) { return a.end <= hw; },
              enough ? errc::none : errc::not_enough_replicas_after_append,
              enough ? std::string() : "the ISR of " + st.name + " shrank below min.insync.replicas");
  if (!st.parked.empty()) serve_parked(st);
}

caf::typed_response_promise<net::produce_response> await_replication(self_ptr self, int64_t end,
                                                                     net::produce_response resp,
                                                                     int32_t timeout_ms) {
  auto& st = self->state;
  auto promise = self->make_response_promise<net::produce_response>();
  if (end <= st.high_watermark) {
    promise.deliver(std::move(resp));
    return promise;
  }
  auto wait = milliseconds(std::max(timeout_ms, 1));
  st.acks.push_back({end, std::move(resp), promise, clock_type::now() + wait});
  return promise;
}

void on_fetch_result(self_ptr self, net::replica_fetch_result& r) {
  auto& st = self->state;
  if (r.generation != st.generation || st.role != replica_role::follower) return;
  st.fetch_in_flight = false;
  auto& resp = r.resp;
  if (resp.diverging_epoch >= 0 || resp.diverging_end_offset >= 0) {
    if (truncate_diverging(self, resp.diverging_epoch, resp.diverging_end_offset)) send_fetch(self);
    return;
  }
  if (resp.error != errc::none) {
    // A leader that is gone, restarting, or not yet told it leads: the broker's metadata
    // brings the next role; until then, ask again shortly.
    BROOK_LOG_DEBUG("[Partition " << st.name << "] fetch from broker " << st.current.state.leader
                                  << " failed: " << to_string(resp.error) << " " << resp.message);
    schedule_tick(self, milliseconds(resp.error == errc::network_error ? 100 : 20));
    return;
  }
  if (!append_replicated(self, resp.records)) return;
  st.high_watermark = std::max(st.high_watermark, std::min(resp.high_watermark, end_offset(st)));
  send_fetch(self);
}

void on_replication_tick(self_ptr self, uint64_t generation) {
  auto& st = self->state;
  if (generation != st.generation) return;
  if (st.role == replica_role::follower) return send_fetch(self);
  if (st.role != replica_role::leader) return;
  shrink_isr(self);
  // Produce requests past their timeout answer REQUEST_TIMED_OUT (the producer retries).
  auto now = clock_type::now();
  answer_acks(st, [now](const pending_ack& a) { return a.deadline <= now; }, errc::request_timed_out,
              "not replicated to the ISR within the request timeout");
  schedule_tick(self, tick_period(st));
}

}  // namespace brook::actors::partition_detail
