// The partition actor as follower: fetches from the leader (one fetch in flight, on its own
// peer connection), truncates where its log diverges from the leader's epochs, and appends the
// leader's batches as they are.
#include <algorithm>
#include <caf/all.hpp>

#include "actors/directory/actor_registry.hpp"
#include "actors/directory/peer_connections.hpp"
#include "actors/partition/partition_internal.hpp"
#include "net/native_client.hpp"
#include "net/native_codec.hpp"
#include "runtime/log.hpp"
#include "runtime/record_batch.hpp"

namespace brook::actors::partition_detail {

using net::errc;
using std::chrono::milliseconds;

namespace {

// Follower: cuts the log back to where it agrees with the leader.
bool truncate_diverging(self_ptr self, int32_t epoch, int64_t leader_end) {
  auto& st = self->state;
  int64_t before = end_offset(st);
  int64_t target = std::min({leader_end, st.epochs.end_offset_for(epoch, before).second, before});
  if (auto s = st.log->truncate_to(runtime::offset{target}); !s) {
    BROOK_LOG_ERROR("[Partition " << st.name << "] truncation to " << target
                                  << " failed: " << s.to_string());
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
                                 << end_offset(st) << ": log diverged from the leader's at epoch "
                                 << epoch);
  return true;
}

// Follower: appends the leader's batches as they are (offsets and epochs included).
bool append_replicated(self_ptr self, runtime::bytes& records) {
  auto& st = self->state;
  auto batches = runtime::split_batches(records.data(), records.size(), true);
  if (!batches) return false;
  for (auto& b : *batches) {
    // Compaction may have removed whole batches: a gap is fine, going back is not.
    if (b.header.base_offset < end_offset(st)) {
      BROOK_LOG_WARN("[Partition " << st.name << "] leader sent offset " << b.header.base_offset
                                   << " but the log ends at " << end_offset(st)
                                   << "; fetching again");
      return true;
    }
    auto* data = const_cast<uint8_t*>(b.data);
    if (auto v = runtime::validate_stored_batch(b.header, data, b.size); !v) {
      BROOK_LOG_WARN("[Partition " << st.name << "] bad batch from the leader: " << v.to_string());
      return true;
    }
    if (b.header.leader_epoch > st.epochs.latest()) {
      if (auto s = st.epochs.assign(b.header.leader_epoch, b.header.base_offset); !s) {
        self->quit(caf::make_error(caf::sec::runtime_error, s.to_string()));
        return false;
      }
    }
    auto r = st.log->append_replica(data, b.size, b.header, wall_ms());
    if (!r) {
      BROOK_LOG_ERROR("[Partition " << st.name
                                    << "] replica append failed: " << r.error().to_string());
      fail_if_log_unusable(self);
      return false;
    }
    st.producers.record(b.header);
    track_transactions(st, data, b.size, b.header);
    BROOK_LOG_DEBUG("[Partition " << st.name << "] replicated producer " << b.header.producer_id
                                  << " seq " << b.header.base_sequence << "+"
                                  << b.header.last_offset_delta << " at " << b.header.base_offset);
    if (r->flush_due && !start_flush(self)) return false;
  }
  return true;
}

}  // namespace

void become_follower(self_ptr self) {
  auto& st = self->state;
  st.followers.clear();
  st.high_watermark = std::min(st.high_watermark, end_offset(st));
  if (st.spec.actors && st.spec.peers) {
    // Its fetcher is the connection to the leader and the fetch on it: a kill closes both.
    st.spec.actors->add_hook(fetcher_path(st), "replica-fetcher",
                             st.name + " from broker " + std::to_string(st.current.state.leader),
                             [peers = st.spec.peers, channel = st.name] { peers->drop(channel); });
  }
  BROOK_LOG_INFO("[Partition " << st.name << "] follower of broker " << st.current.state.leader
                               << " at epoch " << st.current.state.leader_epoch << " from offset "
                               << end_offset(st));
  send_fetch(self);
}

std::string fetcher_path(const state& st) {
  return "replica-fetcher/" + st.name;
}

void send_fetch(self_ptr self) {
  auto& st = self->state;
  if (st.role != replica_role::follower || st.fetch_in_flight || st.current.leader.id < 0) return;
  auto conn = st.spec.peers ? st.spec.peers->get(st.current.leader, st.name) : nullptr;
  if (!conn) {
    schedule_replica_tick(self, milliseconds(20));  // connecting in the background
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
  req.log_start_offset = st.log->start_offset().value();
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

void on_fetch_result(self_ptr self, net::replica_fetch_result& r) {
  auto& st = self->state;
  if (r.generation != st.generation || st.role != replica_role::follower) return;
  st.fetch_in_flight = false;
  auto& resp = r.resp;
  if (resp.diverging_epoch >= 0 || resp.diverging_end_offset >= 0) {
    if (truncate_diverging(self, resp.diverging_epoch, resp.diverging_end_offset)) send_fetch(self);
    return;
  }
  if (resp.error == errc::offset_out_of_range && resp.log_start_offset > end_offset(st)) {
    // The leader deleted (DeleteRecords, retention) everything up to past our end: start over
    // at its log start, as Kafka's followers do.
    BROOK_LOG_WARN("[Partition " << st.name << "] log ends at " << end_offset(st)
                                 << ", below the leader's start " << resp.log_start_offset
                                 << "; restarting the log there");
    auto s = st.log->restart_at(runtime::offset{resp.log_start_offset});
    if (s) s = st.epochs.truncate_from(end_offset(st));
    if (s) s = rebuild_producer_state(st, wall_ms());
    if (!s) return self->quit(caf::make_error(caf::sec::runtime_error, s.to_string()));
    st.high_watermark = end_offset(st);
    return send_fetch(self);
  }
  if (resp.error != errc::none) {
    // A leader that is gone, restarting, or not yet told it leads: the broker's metadata
    // brings the next role; until then, ask again shortly.
    BROOK_LOG_DEBUG("[Partition " << st.name << "] fetch from broker " << st.current.state.leader
                                  << " failed: " << to_string(resp.error) << " " << resp.message);
    schedule_replica_tick(self, milliseconds(resp.error == errc::network_error ? 100 : 20));
    return;
  }
  if (!append_replicated(self, resp.records)) return;
  // Records the leader deleted are gone here too (DeleteRecords is replicated this way).
  int64_t start = std::min(resp.log_start_offset, end_offset(st));
  if (start > st.log->start_offset().value()) {
    if (auto s = st.log->advance_start(runtime::offset{start}); !s)
      BROOK_LOG_WARN("[Partition " << st.name << "] cannot move the log start to " << start
                                   << ": " << s.to_string());
    st.txns.forget_before(st.log->start_offset().value());
  }
  st.high_watermark = std::max(st.high_watermark, std::min(resp.high_watermark, end_offset(st)));
  send_fetch(self);
}

}  // namespace brook::actors::partition_detail
