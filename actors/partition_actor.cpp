#include "actors/partition_actor.hpp"
#include "actors/partition_internal.hpp"

#include <caf/all.hpp>
#include <algorithm>
#include <chrono>
#include <filesystem>

#include "runtime/log.hpp"
#include "runtime/producer_state.hpp"
#include "runtime/record_batch.hpp"
#include "runtime/storage/file.hpp"
#include "runtime/storage/partition_log.hpp"

namespace brook::actors {

namespace partition_detail {

using net::errc;

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t end_offset(const state& st) { return st.log->end_offset().value(); }

namespace {

// Drops the batches of `data` that reach `limit` (a consumer never reads past the high watermark).
void trim_to(runtime::bytes& data, int64_t limit) {
  auto batches = runtime::split_batches(data.data(), data.size(), true);
  if (!batches) return;
  size_t keep = 0;
  for (const auto& b : *batches) {
    if (b.header.last_offset() >= limit) break;
    keep = size_t(b.data - data.data()) + b.size;
  }
  data.resize(keep);
}

// Consumers read up to the high watermark, followers (replica_id >= 0) up to the log end.
net::fetch_response read_fetch(state& st, const net::fetch_request& req) {
  net::fetch_response resp;
  resp.high_watermark = st.high_watermark;
  resp.log_start_offset = st.log->start_offset().value();
  if (st.role != replica_role::leader) {
    resp.error = errc::not_leader_or_follower;
    resp.message = "replica " + st.name + " is not the leader";
    return resp;
  }
  int64_t limit = req.replica_id >= 0 ? end_offset(st) : st.high_watermark;
  if (req.offset >= limit && req.offset <= end_offset(st)) return resp;
  auto data = st.log->read(runtime::offset{req.offset}, size_t(std::max(req.max_bytes, 1)));
  if (!data) {
    resp.error = data.error().code();
    resp.message = data.error().message();
  } else {
    resp.records = std::move(*data);
    if (limit < end_offset(st)) trim_to(resp.records, limit);
  }
  return resp;
}

}  // namespace

void serve_parked(state& st) {
  auto now = clock_type::now();
  auto it = st.parked.begin();
  while (it != st.parked.end()) {
    auto resp = read_fetch(st, it->req);
    bool enough = resp.error != errc::none || resp.records.size() >= size_t(std::max(it->req.min_bytes, 1));
    if (enough || now >= it->deadline) {
      it->promise.deliver(std::move(resp));
      it = st.parked.erase(it);
    } else {
      ++it;
    }
  }
}

// A log that refuses writes (failed fsync, failed undo of a torn write) is only trustworthy again
// after recovery rereads the disk: crash, and let the broker restart the partition from disk.
void fail_if_log_unusable(self_ptr self) {
  const auto& failure = self->state.log->failure();
  if (failure.is_ok()) return;
  BROOK_LOG_ERROR("[Partition " << self->state.name << "] log refuses writes (" << failure.to_string()
                                << "); restarting the partition to recover it from disk");
  self->quit(caf::make_error(caf::sec::runtime_error, failure.to_string()));
}

// How far back the idempotence state is rebuilt on open: retries older than this are past any
// producer's delivery.timeout.ms (Kafka's default is 2 minutes).
constexpr int64_t producer_state_window_ms = 15 * 60 * 1000;

runtime::status rebuild_producer_state(state& st, int64_t now_ms) {
  auto& log = *st.log;
  st.producers = runtime::producer_state_table{};
  auto from = log.offset_for_timestamp(now_ms - producer_state_window_ms);
  while (from < log.end_offset()) {
    auto chunk = log.read(from, 4 << 20);
    if (!chunk) return chunk.error();
    auto batches = runtime::split_batches(chunk->data(), chunk->size(), true);
    if (!batches) return batches.error();
    if (batches->empty()) break;
    for (const auto& b : *batches) st.producers.record(b.header);
    from = runtime::offset{batches->back().header.last_offset() + 1};
  }
  return {};
}

static void housekeeping(self_ptr self) {
  auto& st = self->state;
  serve_parked(st);
  int64_t now = wall_ms();
  if (st.log->flush_due(now)) {
    if (auto s = st.log->flush(); !s) {
      BROOK_LOG_ERROR("[Partition " << st.name << "] periodic flush failed: " << s.to_string());
      fail_if_log_unusable(self);
    }
  }
  if (now - st.last_retention_ms >= st.spec.retention_check_interval_ms) {
    st.last_retention_ms = now;
    if (auto n = st.log->enforce_retention(now); n > 0)
      BROOK_LOG_INFO("[Partition " << st.name << "] retention deleted " << n
                                   << " segment(s); log start offset now " << st.log->start_offset());
  }
}

namespace {

net::produce_response refuse(net::produce_response resp, errc e, std::string why) {
  resp.error = e;
  resp.message = std::move(why);
  return resp;
}

// Validates, deduplicates and appends one produced batch (the leader's side of Produce).
// `end` is set to the batch's last offset + 1 when it is (or already was) in the log.
net::produce_response append_produced(self_ptr self, net::produce_request& req, int64_t& end) {
  auto& st = self->state;
  net::produce_response resp;
  resp.log_start_offset = st.log->start_offset().value();
  if (st.role != replica_role::leader)
    return refuse(resp, errc::not_leader_or_follower, "replica " + st.name + " is not the leader");
  if (req.batch.size() > size_t(st.spec.config.max_message_bytes))
    return refuse(resp, errc::message_too_large,
                  "batch of " + std::to_string(req.batch.size()) + " bytes exceeds max.message.bytes " +
                      std::to_string(st.spec.config.max_message_bytes));
  if (auto v = runtime::validate_batch(req.batch.data(), req.batch.size()); !v) {
    BROOK_LOG_WARN("[Partition " << st.name << "] rejected batch: " << v.to_string());
    return refuse(resp, v.code(), v.message());
  }
  auto header = runtime::parse_batch_header(req.batch.data(), req.batch.size());
  auto judged = st.producers.check(*header);
  switch (judged.v) {
    case runtime::producer_state_table::verdict::duplicate:
      // A retry of a batch already stored: its original offsets, no second copy.
      resp.base_offset = judged.base_offset;
      end = judged.base_offset + header->last_offset_delta + 1;
      return resp;
    case runtime::producer_state_table::verdict::out_of_order:
      return refuse(resp, errc::out_of_order_sequence,
                    "sequence " + std::to_string(header->base_sequence) + " of producer " +
                        std::to_string(header->producer_id) + " does not follow the last batch (expected " +
                        std::to_string(judged.expected) + ")");
    case runtime::producer_state_table::verdict::fenced:
      return refuse(resp, errc::invalid_producer_epoch,
                    "producer epoch " + std::to_string(header->producer_epoch) + " is fenced");
    case runtime::producer_state_table::verdict::append:
      break;
  }
  BROOK_LOG_DEBUG("[Partition " << st.name << "] append producer " << header->producer_id << " seq "
                                << header->base_sequence << "+" << header->last_offset_delta << " at "
                                << end_offset(st));
  // Kafka checks min.insync.replicas before appending: nothing is written that cannot be
  // acknowledged.
  int32_t isr = int32_t(st.current.state.isr.size());
  if (req.acks == net::acks_all && isr < st.spec.config.min_insync_replicas)
    return refuse(resp, errc::not_enough_replicas,
                  "ISR of " + st.name + " has " + std::to_string(isr) + " replica(s), min.insync.replicas is " +
                      std::to_string(st.spec.config.min_insync_replicas));
  auto r = st.log->append(req.batch.data(), req.batch.size(), st.current.state.leader_epoch, wall_ms());
  if (!r) {
    BROOK_LOG_ERROR("[Partition " << st.name << "] append failed: " << r.error().to_string());
    fail_if_log_unusable(self);
    return refuse(resp, r.error().code(), r.error().message());
  }
  if (r->flush_due) {
    if (auto fs = st.log->flush(); !fs) {
      // The batch is written but not durable: do not acknowledge it.
      BROOK_LOG_ERROR("[Partition " << st.name << "] flush failed: " << fs.to_string());
      fail_if_log_unusable(self);
      return refuse(resp, fs.code(), fs.message());
    }
  }
  resp.base_offset = r->base_offset.value();
  header->base_offset = resp.base_offset;
  st.producers.record(*header);
  end = header->last_offset() + 1;
  advance_high_watermark(self);
  if (!st.parked.empty()) serve_parked(st);
  return resp;
}

net::list_offsets_response list_offsets(state& st, const net::list_offsets_request& req) {
  auto& log = *st.log;
  net::list_offsets_response resp;
  if (st.role != replica_role::leader) {
    resp.error = errc::not_leader_or_follower;
    resp.message = "replica " + st.name + " is not the leader";
    return resp;
  }
  if (req.timestamp == net::earliest_timestamp) {
    resp.offset = log.start_offset().value();
  } else if (req.timestamp == net::latest_timestamp) {
    resp.offset = st.high_watermark;  // what a consumer can read up to
  } else {
    // The index finds the first batch whose max timestamp reaches the time; the answer is
    // the first record in it at or after the time (as Kafka), with that record's timestamp.
    resp.offset = resp.timestamp = -1;  // past every record: Kafka answers -1 / -1
    auto from = log.offset_for_timestamp(req.timestamp);
    while (from.value() < st.high_watermark) {
      auto data = log.read(from, 1);
      auto recs = data ? runtime::decode_records(data->data(), data->size())
                       : runtime::result<std::vector<runtime::record>>(data.error());
      if (!recs) {
        resp.error = recs.error().code();
        resp.message = recs.error().message();
        break;
      }
      if (recs->empty()) break;
      auto hit = std::find_if(recs->begin(), recs->end(),
                              [&](const runtime::record& r) { return r.timestamp >= req.timestamp; });
      if (hit != recs->end()) {
        resp.offset = hit->offset;
        resp.timestamp = hit->timestamp;
        break;
      }
      from = runtime::offset{recs->back().offset + 1};
    }
  }
  return resp;
}

runtime::status open_replica(state& st) {
  auto opened = runtime::storage::partition_log::open(runtime::storage::env::posix(), st.spec.dir,
                                                      st.spec.config.log);
  if (!opened) return opened.error();
  st.log = std::move(*opened);
  auto epochs = runtime::storage::leader_epochs::load(st.spec.dir, end_offset(st));
  if (!epochs) return epochs.error();
  st.epochs = std::move(*epochs);
  st.last_retention_ms = wall_ms();
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
  // Housekeeping: often enough for flush.ms and retention checks, never busier than every 10 ms.
  auto& cfg = st.spec.config.log;
  int64_t period = std::min<int64_t>(st.spec.retention_check_interval_ms, cfg.flush_ms);
  period = std::max<int64_t>(period, 10);
  self->delayed_send(self, std::chrono::milliseconds(period), tick_atom::value, true);
  apply_role(self, st.spec.role);

  return {
      [self](net::produce_request& req) -> caf::typed_response_promise<net::produce_response> {
        int64_t end = -1;
        auto resp = append_produced(self, req, end);
        if (req.acks == net::acks_all && resp.error == errc::none)
          return await_replication(self, end, std::move(resp), req.timeout_ms);
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
        bool enough = resp.error != errc::none || req.min_bytes <= 0 || resp.records.size() >= size_t(req.min_bytes);
        if (enough || req.max_wait_ms <= 0) {
          promise.deliver(std::move(resp));
        } else {
          auto wait = std::chrono::milliseconds(req.max_wait_ms);
          st.parked.push_back({std::move(req), promise, clock_type::now() + wait});
          self->delayed_send(self, wait, tick_atom::value, false);
        }
        return promise;
      },
      [self](net::list_offsets_request& req) -> net::list_offsets_response {
        return list_offsets(self->state, req);
      },
      [self, period](tick_atom, bool periodic) {
        if (!periodic) return serve_parked(self->state);
        housekeeping(self);
        self->delayed_send(self, std::chrono::milliseconds(period), tick_atom::value, true);
      },
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
      [self](tick_atom, uint64_t generation) { on_replication_tick(self, generation); },
  };
}

}  // namespace
}  // namespace partition_detail

partition_actor spawn_partition(caf::actor_system& sys, partition_spec spec) {
  return sys.spawn(partition_detail::partition_impl, std::move(spec));
}

}  // namespace brook::actors
