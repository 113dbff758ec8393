// The partition actor as leader: produce (validate once, deduplicate, append), fetch (consumers
// up to the high watermark, followers up to the log end; parked until min_bytes or max_wait),
// list offsets, the view of its followers, the ISR, the high watermark and acks=all waiting.
#include <algorithm>
#include <optional>
#include <caf/all.hpp>

#include "actors/partition/partition_internal.hpp"
#include "runtime/log.hpp"
#include "runtime/record_batch.hpp"

namespace brook::actors::partition_detail {

using net::errc;
using std::chrono::milliseconds;

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

net::produce_response refuse(net::produce_response resp, errc e, std::string why) {
  resp.error = e;
  resp.message = std::move(why);
  return resp;
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
                               << " changes ISR " << net::format_replicas(st.current.state.isr)
                               << " -> " << net::format_replicas(isr));
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

// Answers the waiting acks=all produce requests that `settled` picks: with `e` and `why`, or
// (errc::none) with their own response.
template <class Pred>
void answer_acks(state& st, Pred settled, errc e, const std::string& why) {
  auto it = std::stable_partition(st.acks.begin(), st.acks.end(),
                                  [&](const pending_ack& a) { return !settled(a); });
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

// Consumers read up to the high watermark, followers (replica_id >= 0) and the local group
// coordinator loading its groups (log_end_reader) up to the log end.
net::fetch_response read_fetch(state& st, const net::fetch_request& req) {
  net::fetch_response resp;
  resp.high_watermark = st.high_watermark;
  resp.log_start_offset = st.log->start_offset().value();
  if (st.role != replica_role::leader) {
    resp.error = errc::not_leader_or_follower;
    resp.message = "replica " + st.name + " is not the leader";
    return resp;
  }
  bool to_end = req.replica_id >= 0 || req.replica_id == net::log_end_reader;
  int64_t lso = st.txns.last_stable_offset(st.high_watermark);
  resp.last_stable_offset = lso;
  bool committed_only = !to_end && req.isolation_level == 1;
  int64_t limit = to_end ? end_offset(st) : committed_only ? lso : st.high_watermark;
  if (committed_only)
    for (const auto& a : st.txns.aborted_between(req.offset, limit))
      resp.aborted.push_back({a.producer_id, a.first_offset});
  if (req.offset >= limit && req.offset <= end_offset(st)) return resp;
  auto fail = [&resp](const runtime::status& s) {
    resp.error = s.code();
    resp.message = s.message();
    return resp;
  };
  runtime::offset from{req.offset};
  auto max_bytes = size_t(std::max(req.max_bytes, 1));
  if (req.send_files && st.log->can_send_files()) {
    auto files = st.log->read_files(from, max_bytes, runtime::offset{limit});
    if (!files) return fail(files.error());
    resp.record_files = std::move(*files);
    return resp;
  }
  auto data = st.log->read(from, max_bytes);
  if (!data) return fail(data.error());
  resp.records = std::move(*data);
  if (limit < end_offset(st)) trim_to(resp.records, limit);
  return resp;
}

void serve_parked(state& st) {
  auto now = clock_type::now();
  auto it = st.parked.begin();
  while (it != st.parked.end()) {
    auto resp = read_fetch(st, it->req);
    bool enough =
        resp.error != errc::none || resp.records_size() >= size_t(std::max(it->req.min_bytes, 1));
    if (enough || now >= it->deadline) {
      it->promise.deliver(std::move(resp));
      it = st.parked.erase(it);
    } else {
      ++it;
    }
  }
}

namespace {

// Validates, deduplicates and appends one produced batch of `n` bytes at `data` (rewritten in
// place: offsets, leader epoch). `end` is set to the batch's last offset + 1 when it is (or
// already was) in the log. The caller moves the high watermark once for the whole request.
net::produce_response append_one(self_ptr self, uint8_t* data, size_t n, int16_t acks, int64_t& end,
                                 bool& wait_flush) {
  auto& st = self->state;
  net::produce_response resp;
  resp.log_start_offset = st.log->start_offset().value();
  if (st.role != replica_role::leader)
    return refuse(resp, errc::not_leader_or_follower, "replica " + st.name + " is not the leader");
  if (n > size_t(st.spec.config.max_message_bytes))
    return refuse(resp, errc::message_too_large,
                  "batch of " + std::to_string(n) + " bytes exceeds max.message.bytes " +
                      std::to_string(st.spec.config.max_message_bytes));
  // The header is parsed once, here, and passed down to the log.
  auto header = runtime::parse_batch_header(data, n);
  auto valid = header ? runtime::validate_batch(*header, data, n) : runtime::status(header.error());
  if (!valid) {
    BROOK_LOG_WARN("[Partition " << st.name << "] rejected batch: " << valid.to_string());
    return refuse(resp, valid.code(), valid.message());
  }
  if (header->is_control())  // markers come from the transaction coordinator only
    return refuse(resp, errc::invalid_record, "a producer may not write control batches");
  if (st.spec.config.log.cleanup_compact) {
    // Kafka's rule: compaction keeps the last record of each key, so every record needs one.
    auto records = runtime::decode_records(data, n);
    if (!records) return refuse(resp, records.error().code(), records.error().message());
    for (const auto& r : *records)
      if (!r.key)
        return refuse(resp, errc::invalid_record,
                      "compacted topic " + st.spec.topic + " cannot accept a record without a key");
  }
  auto judged = st.producers.check(*header);
  switch (judged.v) {
    case runtime::producer_state_table::verdict::duplicate:
      // A retry of a batch already stored: its original offsets, no second copy, answered
      // when the original would be (a flush in progress may still have to cover it).
      resp.base_offset = judged.base_offset;
      end = judged.base_offset + header->last_offset_delta + 1;
      wait_flush = st.flush_in_flight && end > st.log->flushed_offset().value();
      return resp;
    case runtime::producer_state_table::verdict::out_of_order:
      return refuse(resp, errc::out_of_order_sequence,
                    "sequence " + std::to_string(header->base_sequence) + " of producer " +
                        std::to_string(header->producer_id) +
                        " does not follow the last batch (expected " +
                        std::to_string(judged.expected) + ")");
    case runtime::producer_state_table::verdict::fenced:
      return refuse(resp, errc::invalid_producer_epoch,
                    "producer epoch " + std::to_string(header->producer_epoch) + " is fenced");
    case runtime::producer_state_table::verdict::append:
      break;
  }
  BROOK_LOG_DEBUG("[Partition " << st.name << "] append producer " << header->producer_id << " seq "
                                << header->base_sequence << "+" << header->last_offset_delta
                                << " at " << end_offset(st));
  // Kafka checks min.insync.replicas before appending: nothing is written that cannot be
  // acknowledged.
  int32_t isr = int32_t(st.current.state.isr.size());
  if (acks == net::acks_all && isr < st.spec.config.min_insync_replicas)
    return refuse(resp, errc::not_enough_replicas,
                  "ISR of " + st.name + " has " + std::to_string(isr) +
                      " replica(s), min.insync.replicas is " +
                      std::to_string(st.spec.config.min_insync_replicas));
  // A topic with its own compression.type stores every batch in that codec, as Kafka does.
  const auto& codec = st.spec.config.compression_type;
  runtime::bytes recompressed;
  if (codec && header->codec() != *codec) {
    auto packed = runtime::recompress_batch(*header, data, n, *codec);
    if (!packed) return refuse(resp, packed.error().code(), packed.error().message());
    if (packed->size() > size_t(st.spec.config.max_message_bytes))
      return refuse(resp, errc::message_too_large,
                    "batch of " + std::to_string(packed->size()) + " bytes in " +
                        std::string(runtime::to_string(*codec)) + " exceeds max.message.bytes " +
                        std::to_string(st.spec.config.max_message_bytes));
    recompressed = std::move(*packed);
    data = recompressed.data();
    n = recompressed.size();
    header = runtime::parse_batch_header(data, n);
  }
  auto r = st.log->append(data, n, *header, st.current.state.leader_epoch, wall_ms());
  if (!r) {
    BROOK_LOG_ERROR("[Partition " << st.name << "] append failed: " << r.error().to_string());
    fail_if_log_unusable(self);
    return refuse(resp, r.error().code(), r.error().message());
  }
  if (r->flush_due) {
    if (!start_flush(self))  // written but not durable: not acknowledged
      return refuse(resp, st.log->failure().code(), st.log->failure().message());
    wait_flush = true;
  }
  resp.base_offset = r->base_offset.value();
  header->base_offset = resp.base_offset;
  st.producers.record(*header);
  track_transactions(st, data, n, *header);
  end = header->last_offset() + 1;
  return resp;
}

// One batch, or several back to back as the native producer packs them: each is appended in
// turn. The first refused one ends the request with its error, for the whole request: the
// producer sends them all again (those already stored are recognised as duplicates when it is
// idempotent, and then answered as the original would be).
net::produce_response append_all(self_ptr self, net::produce_request& req, int64_t& end,
                                 bool& wait_flush) {
  auto* data = req.batch.data();
  size_t n = req.batch.size();
  auto first = runtime::parse_batch_header(data, n);
  if (!first || first->total_size() >= n)  // one batch (or a bad one: append_one says why)
    return append_one(self, data, n, req.acks, end, wait_flush);
  auto batches = runtime::split_batches(data, n, false);
  if (!batches) {
    net::produce_response resp;
    resp.log_start_offset = self->state.log->start_offset().value();
    return refuse(resp, batches.error().code(), batches.error().message());
  }
  net::produce_response all;
  for (const auto& b : *batches) {
    bool wait = false;
    auto one = append_one(self, const_cast<uint8_t*>(b.data), b.size, req.acks, end, wait);
    wait_flush |= wait;
    if (one.error != errc::none) return one;
    all.base_offsets.push_back(one.base_offset);
    all.log_start_offset = one.log_start_offset;
  }
  all.base_offset = all.base_offsets.front();
  return all;
}

}  // namespace

net::produce_response append_produced(self_ptr self, net::produce_request& req, int64_t& end,
                                      bool& wait_flush) {
  auto& st = self->state;
  int64_t before = end_offset(st);
  auto resp = append_all(self, req, end, wait_flush);
  if (end_offset(st) != before) {  // something was appended: once per request, not per batch
    advance_high_watermark(self);
    if (!st.parked.empty()) serve_parked(st);
  }
  return resp;
}

namespace {

// The lowest log start offset among the in-sync replicas (a follower not heard from yet: 0).
int64_t low_watermark(const state& st) {
  int64_t low = st.log->start_offset().value();
  for (int32_t id : st.current.state.isr) {
    auto it = st.followers.find(id);
    if (it != st.followers.end()) low = std::min(low, std::max<int64_t>(it->second.start, 0));
  }
  return low;
}

// Answers the waiting DeleteRecords requests the in-sync replicas have caught up with, and
// (with `now`) those whose time is up.
void settle_deletes(state& st, std::optional<clock_type::time_point> now = std::nullopt) {
  int64_t low = low_watermark(st);
  for (auto it = st.deletes.begin(); it != st.deletes.end();) {
    net::delete_records_response resp;
    resp.low_watermark = low;
    if (low >= it->offset) {
      it->promise.deliver(std::move(resp));
    } else if (now && it->deadline <= *now) {
      resp.error = errc::request_timed_out;
      resp.message = "the in-sync replicas did not delete up to " + std::to_string(it->offset) +
                     " within the timeout";
      it->promise.deliver(std::move(resp));
    } else {
      ++it;
      continue;
    }
    it = st.deletes.erase(it);
  }
}

}  // namespace

caf::typed_response_promise<net::delete_records_response> delete_records(
    self_ptr self, const net::delete_records_request& req) {
  auto& st = self->state;
  auto promise = self->make_response_promise<net::delete_records_response>();
  auto refuse = [&](errc e, std::string why) {
    net::delete_records_response resp;
    resp.error = e;
    resp.message = std::move(why);
    promise.deliver(std::move(resp));
    return promise;
  };
  if (st.role != replica_role::leader)
    return refuse(errc::not_leader_or_follower, "replica " + st.name + " is not the leader");
  if (!st.spec.config.log.cleanup_delete)  // as Kafka: compaction alone decides what goes
    return refuse(errc::policy_violation, "Records of partition " + st.name +
                                              " can not be deleted due to the configured policy");
  int64_t to = req.offset == -1 ? st.high_watermark : req.offset;
  if (to < 0 || to > st.high_watermark)
    return refuse(errc::offset_out_of_range,
                  "Cannot increment the log start offset to " + std::to_string(req.offset) +
                      " of partition " + st.name + " since it is larger than the high watermark " +
                      std::to_string(st.high_watermark));
  auto before = st.log->start_offset().value();
  if (auto s = st.log->advance_start(runtime::offset{to}); !s) return refuse(s.code(), s.message());
  if (st.log->start_offset().value() != before) {
    BROOK_LOG_INFO("[Partition " << st.name << "] records deleted: log start offset now "
                                 << st.log->start_offset());
    st.txns.forget_before(st.log->start_offset().value());
  }
  st.deletes.push_back({std::min(to, st.log->start_offset().value()), promise,
                        clock_type::now() + std::chrono::milliseconds(std::max(req.timeout_ms, 0))});
  settle_deletes(st);
  return promise;
}

caf::typed_response_promise<net::produce_response> write_marker(
    self_ptr self, const net::write_txn_marker_request& req) {
  auto& st = self->state;
  net::produce_response resp;
  auto refused = [&](errc e, std::string why) {
    auto promise = self->make_response_promise<net::produce_response>();
    promise.deliver(refuse(resp, e, std::move(why)));
    return promise;
  };
  if (st.role != replica_role::leader)
    return refused(errc::not_leader_or_follower, "replica " + st.name + " is not the leader");
  auto marker = runtime::build_marker_batch(req.producer_id, req.producer_epoch, req.commit,
                                            req.coordinator_epoch, wall_ms());
  auto header = runtime::parse_batch_header(marker.data(), marker.size());
  // A marker of an older epoch than the producer's last batch is a zombie coordinator's.
  if (st.producers.check(*header).v == runtime::producer_state_table::verdict::fenced)
    return refused(errc::invalid_producer_epoch,
                   "producer epoch " + std::to_string(req.producer_epoch) + " is fenced");
  auto r = st.log->append(marker.data(), marker.size(), *header, st.current.state.leader_epoch,
                          wall_ms());
  if (!r) {
    fail_if_log_unusable(self);
    return refused(r.error().code(), r.error().message());
  }
  if (r->flush_due && !start_flush(self))
    return refused(st.log->failure().code(), st.log->failure().message());
  header->base_offset = r->base_offset.value();
  st.producers.record(*header);
  track_transactions(st, marker.data(), marker.size(), *header);
  BROOK_LOG_DEBUG("[Partition " << st.name << "] " << (req.commit ? "commit" : "abort")
                                << " marker of producer " << req.producer_id << " at "
                                << header->base_offset);
  resp.base_offset = header->base_offset;
  int64_t end = header->base_offset + 1;
  advance_high_watermark(self);
  if (!st.parked.empty()) serve_parked(st);
  return await_ack(self, end, std::move(resp), req.timeout_ms, true, r->flush_due);
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
    // What a consumer can read up to: below the first open transaction when read_committed.
    resp.offset = req.isolation_level == 1 ? st.txns.last_stable_offset(st.high_watermark)
                                           : st.high_watermark;
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
      auto hit = std::find_if(recs->begin(), recs->end(), [&](const runtime::record& r) {
        return r.timestamp >= req.timestamp;
      });
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
    if (r != st.current.broker_id) st.followers[r] = follower_progress{-1, -1, now, now, -1};
  BROOK_LOG_INFO("[Partition " << st.name << "] leader at epoch " << st.current.state.leader_epoch
                               << " from offset " << end_offset(st) << ", ISR "
                               << net::format_replicas(st.current.state.isr));
  schedule_replica_tick(self, replica_tick_period(st));
}

namespace {

// Answers every waiting request of `waiting` with `e` and `why`, and forgets them.
template <class Response, class Waiting>
void fail_all(std::vector<Waiting>& waiting, errc e, const std::string& why) {
  for (auto& w : waiting) {
    Response resp;
    resp.error = e;
    resp.message = why;
    w.promise.deliver(std::move(resp));
  }
  waiting.clear();
}

}  // namespace

void fail_waiting(state& st, errc e, const std::string& why) {
  answer_acks(
      st, [](const pending_ack&) { return true; }, e, why);
  fail_all<net::fetch_response>(st.parked, e, why);
  fail_all<net::delete_records_response>(st.deletes, e, why);
}

bool on_replica_fetch(self_ptr self, const net::fetch_request& req, net::fetch_response& resp) {
  auto& st = self->state;
  int32_t epoch = st.current.state.leader_epoch;
  if (req.leader_epoch >= 0 && req.leader_epoch != epoch) {
    resp.error = req.leader_epoch < epoch ? errc::fenced_leader_epoch : errc::unknown_leader_epoch;
    resp.message = "follower epoch " + std::to_string(req.leader_epoch) + ", leader epoch " +
                   std::to_string(epoch);
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
  f.start = req.log_start_offset;
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
  if (!st.deletes.empty()) settle_deletes(st);
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
  complete_acks(st);
  if (!st.parked.empty()) serve_parked(st);
}

namespace {

bool ack_ready(const state& st, const pending_ack& a) {
  return (!a.replicated || a.end <= st.high_watermark) &&
         (!a.flushed || a.end <= st.log->flushed_offset().value());
}

}  // namespace

void complete_acks(state& st) {
  if (st.acks.empty()) return;
  bool enough = int32_t(st.current.state.isr.size()) >= st.spec.config.min_insync_replicas;
  if (enough) {
    answer_acks(st, [&](const pending_ack& a) { return ack_ready(st, a); }, errc::none, {});
    return;
  }
  // Kafka's NOT_ENOUGH_REPLICAS_AFTER_APPEND: replicated, but by fewer than min.insync.replicas.
  answer_acks(
      st, [&](const pending_ack& a) { return a.replicated && ack_ready(st, a); },
      errc::not_enough_replicas_after_append,
      "the ISR of " + st.name + " shrank below min.insync.replicas");
  answer_acks(st, [&](const pending_ack& a) { return ack_ready(st, a); }, errc::none, {});
}

caf::typed_response_promise<net::produce_response> await_ack(self_ptr self, int64_t end,
                                                             net::produce_response resp,
                                                             int32_t timeout_ms, bool replicated,
                                                             bool flushed) {
  auto& st = self->state;
  auto promise = self->make_response_promise<net::produce_response>();
  pending_ack a{end,     replicated,
                flushed, std::move(resp),
                promise, clock_type::now() + milliseconds(std::max(timeout_ms, 1))};
  if (ack_ready(st, a))
    promise.deliver(std::move(a.resp));
  else
    st.acks.push_back(std::move(a));
  return promise;
}

void on_leader_tick(self_ptr self) {
  auto& st = self->state;
  shrink_isr(self);
  // Produce requests past their timeout answer REQUEST_TIMED_OUT (the producer retries).
  auto now = clock_type::now();
  answer_acks(
      st, [now](const pending_ack& a) { return a.deadline <= now; }, errc::request_timed_out,
      "not replicated to the ISR (or not flushed) within the request timeout");
  settle_deletes(st, now);  // the ISR may have shrunk; requests past their timeout give up
}

}  // namespace brook::actors::partition_detail
