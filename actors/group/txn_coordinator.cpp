// The transaction coordinator (Kafka's KIP-98), in the group coordinator actor: a transactional.id
// is served by the broker leading its __consumer_offsets partition, where its state is kept
// (offsets_codec.hpp, key version 100) and read back after a failover. InitProducerId gives the
// id a producer id and a bumped epoch (fencing older instances; an open transaction of theirs is
// aborted), AddPartitionsToTxn / AddOffsetsToTxn open the transaction, EndTxn prepares its outcome
// (stored), writes a commit or abort marker to every partition in it (their leaders: here, or over
// the broker's peer connections) and stores it complete. A transaction open past its timeout is
// aborted with a bumped epoch. TxnOffsetCommit stores offsets as the producer's transactional
// batch in the group's partition; its marker commits or drops them.
#include <atomic>
#include <caf/all.hpp>

#include "actors/directory/node_context.hpp"
#include "actors/group/group_internal.hpp"
#include "net/native_client.hpp"
#include "net/native_codec.hpp"
#include "runtime/clock.hpp"
#include "runtime/log.hpp"
#include "runtime/record_batch.hpp"

namespace brook::actors::group_detail {

using runtime::wall_ms;
using std::chrono::milliseconds;

const char* txn_state_name(txn_state s) {
  static const char* const names[] = {"Empty",        "Ongoing",        "PrepareCommit",
                                      "PrepareAbort", "CompleteCommit", "CompleteAbort"};
  return names[size_t(s)];
}

void apply_txn(coordinator_state& st, const std::string& id, const txn_record& rec) {
  auto& t = st.txns[id];
  t.id = id;
  t.rec = rec;
}

void apply_txn_offsets(coordinator_state& st, int64_t producer_id, const offset_key& k,
                       const offset_value& v) {
  st.txn_offsets[{k.group, producer_id}].push_back(
      net::partition_offset{k.topic, k.partition, v.offset, v.metadata, errc::none});
}

void end_txn_offsets(coordinator_state& st, int32_t partition, int64_t producer_id, bool commit) {
  for (auto it = st.txn_offsets.begin(); it != st.txn_offsets.end();) {
    const auto& [group, pid] = it->first;
    if (pid != producer_id || offsets_partition_for(group, st.offsets_partitions) != partition) {
      ++it;
      continue;
    }
    if (commit)
      for (const auto& o : it->second)
        apply_commit(st, {group, o.topic, o.partition},
                     offset_value{o.offset, o.metadata, wall_ms()});
    it = st.txn_offsets.erase(it);
  }
}

namespace {

// Kafka's transaction.max.timeout.ms.
constexpr int32_t max_txn_timeout_ms = 900000;

bool deciding(txn_state s) {
  return s == txn_state::prepare_commit || s == txn_state::prepare_abort;
}

// Stores `rec` as `id`'s state (acks=all) and applies it once stored.
void persist(self_ptr self, const std::string& id, txn_record rec, std::function<void(errc)> done) {
  runtime::batch_builder b;
  b.append(wall_ms(), encode_txn_key(id), encode_txn_value(rec));
  append_records(self, id, b, [self, id, rec, done](errc e) {
    if (e == errc::none) apply_txn(self->state, id, rec);
    done(e);
  });
}

// The entry of `id` if this broker serves it and the producer is its current one.
errc check_producer(coordinator_state& st, const std::string& id, int64_t producer_id,
                    int16_t epoch, txn_entry** out) {
  if (auto e = serves(st, id); e != errc::none) return e;
  auto it = st.txns.find(id);
  if (it == st.txns.end() || it->second.rec.producer_id != producer_id)
    return errc::invalid_producer_id_mapping;
  if (it->second.rec.producer_epoch != epoch) return errc::invalid_producer_epoch;
  *out = &it->second;
  return errc::none;
}

// The marker appended by this broker's replica of its partition; for __consumer_offsets the
// transaction's offsets there are then committed or dropped (this actor keeps them).
void append_local_marker(self_ptr self, const net::write_txn_marker_request& req,
                         std::function<void(const net::produce_response&)> done) {
  auto failed = [done] {
    net::produce_response r;
    r.error = errc::not_leader_or_follower;
    done(r);
  };
  auto target = self->state.node->directory()->find(req.topic, req.partition);
  if (!target || !*target) return failed();
  self->request(*target, std::chrono::seconds(35), req)
      .then(
          [self, req, done](net::produce_response& r) {
            if (r.error == errc::none && req.topic == offsets_topic)
              end_txn_offsets(self->state, req.partition, req.producer_id, req.commit);
            done(r);
          },
          [failed](caf::error&) { failed(); });
}

// One marker to one partition's leader; `done` gets the outcome (on any thread).
void send_marker(self_ptr self, const net::metadata_response& m, net::write_txn_marker_request req,
                 std::function<void(errc)> done) {
  auto& st = self->state;
  int32_t leader = -1;
  for (const auto& t : m.topics)
    if (t.name == req.topic && req.partition >= 0 && size_t(req.partition) < t.partitions.size())
      leader = t.partitions[size_t(req.partition)].leader;
  if (leader < 0) return done(errc::leader_not_available);
  if (leader == st.node->config.broker_id)
    return append_local_marker(self, req, [done](const net::produce_response& r) { done(r.error); });
  const net::broker_info* b = nullptr;
  for (const auto& x : m.brokers)
    if (x.id == leader) b = &x;
  auto conn = b && st.node->peers ? st.node->peers->get(*b, "txn-markers") : nullptr;
  if (!conn) return done(errc::network_error);  // connecting in the background: tried again
  auto id = conn->next_correlation_id();
  conn->send(net::encode_request(net::native_type::write_txn_marker, id, req), id,
             [done](runtime::result<net::native_frame> f) {
               auto r = f ? net::body_as<net::produce_response>(*f)
                          : runtime::result<net::produce_response>(f.error());
               done(r ? r->error : r.error().code());
             });
}

// Writes the markers of `id`'s deciding transaction to every partition in it; the outcome comes
// back as (txn_done_atom, ...).
void write_markers(self_ptr self, const std::string& id) {
  auto& st = self->state;
  auto it = st.txns.find(id);
  if (it == st.txns.end() || it->second.writing_markers || !deciding(it->second.state())) return;
  auto& t = it->second;
  t.writing_markers = true;
  bool commit = t.state() == txn_state::prepare_commit;
  auto rec = t.rec;
  auto me = caf::actor_cast<group_coordinator_actor>(self);
  auto report = [me, id, rec, commit](errc e) {
    caf::anon_send(me, txn_done_atom::value, id, rec.producer_id, rec.producer_epoch, commit,
                   int32_t(e));
  };
  if (rec.partitions.empty()) return report(errc::none);
  auto b = st.node->broker();
  if (!b) return report(errc::coordinator_not_available);
  std::vector<std::string> topics;
  for (const auto& [topic, p] : rec.partitions)
    if (std::find(topics.begin(), topics.end(), topic) == topics.end()) topics.push_back(topic);
  self->request(b, std::chrono::seconds(10), net::metadata_request{topics, false, false})
      .then(
          [self, rec, commit, report](net::metadata_response& m) {
            // Counted down from the actor's thread and from connection threads alike.
            auto left = std::make_shared<std::atomic<size_t>>(rec.partitions.size());
            auto failed = std::make_shared<std::atomic<int>>(int(errc::none));
            for (const auto& [topic, p] : rec.partitions) {
              net::write_txn_marker_request req{
                  topic, p, rec.producer_id, rec.producer_epoch, commit, 0, 30000};
              send_marker(self, m, req, [left, failed, report](errc e) {
                if (e != errc::none) failed->store(int(e));
                if (--*left == 0) report(errc(failed->load()));
              });
            }
          },
          [report](caf::error&) { report(errc::coordinator_not_available); });
}

// Opens the decision of `id`'s transaction: stores prepare_commit / prepare_abort (with `epoch`,
// bumped when the coordinator aborts on its own) and writes the markers.
void decide(self_ptr self, const std::string& id, bool commit, int16_t epoch,
            std::function<void(errc)> stored) {
  auto& t = self->state.txns.at(id);
  auto before = t.rec;
  auto rec = t.rec;
  rec.producer_epoch = epoch;
  rec.state = uint8_t(commit ? txn_state::prepare_commit : txn_state::prepare_abort);
  t.rec = rec;  // at once, so nothing else decides it while it is being stored
  persist(self, id, rec, [self, id, before, stored](errc e) {
    auto it = self->state.txns.find(id);
    if (e == errc::none) {
      write_markers(self, id);
    } else if (it != self->state.txns.end()) {
      it->second.rec = before;  // not stored: still open (EndTxn or the timeout tries again)
    }
    stored(e);
  });
}

}  // namespace

void on_markers_written(self_ptr self, const std::string& id, int64_t producer_id, int16_t epoch,
                        bool commit, errc e) {
  auto& st = self->state;
  auto it = st.txns.find(id);
  if (it == st.txns.end()) return;
  auto& t = it->second;
  t.writing_markers = false;
  if (t.rec.producer_id != producer_id || t.rec.producer_epoch != epoch || !deciding(t.state()))
    return;
  if (e != errc::none) {  // a leader moving or starting: as Kafka, markers are retried
    BROOK_LOG_DEBUG("[TransactionCoordinator] markers of " << id << ": " << runtime::to_string(e)
                                                           << "; retrying");
    self->delayed_send(self, milliseconds(200), retry_atom::value, id);
    return;
  }
  auto rec = t.rec;
  rec.state = uint8_t(commit ? txn_state::complete_commit : txn_state::complete_abort);
  rec.partitions.clear();
  rec.started_ms = -1;
  persist(self, id, rec, [self, id, commit](errc stored) {
    auto& st = self->state;
    auto it = st.txns.find(id);
    if (it == st.txns.end()) return;
    if (stored != errc::none) {
      self->delayed_send(self, milliseconds(200), retry_atom::value, id);
      return;
    }
    BROOK_LOG_INFO("[TransactionCoordinator] "
                   << id << ": transaction of producer " << it->second.rec.producer_id << " epoch "
                   << it->second.rec.producer_epoch << (commit ? " committed" : " aborted"));
    for (auto& w : it->second.waiting) w.deliver(net::status_response{errc::none, ""});
    it->second.waiting.clear();
  });
}

void retry_markers(self_ptr self, const std::string& id) {
  write_markers(self, id);
}

caf::typed_response_promise<net::init_producer_id_response> on_init_txn(
    self_ptr self, const net::init_txn_request& req) {
  auto& st = self->state;
  auto promise = self->make_response_promise<net::init_producer_id_response>();
  auto answer = [promise](errc e, int64_t pid = -1, int16_t epoch = -1) mutable {
    promise.deliver(net::init_producer_id_response{e, "", pid, epoch});
  };
  if (req.transactional_id.empty()) {
    answer(errc::invalid_request);
    return promise;
  }
  if (req.transaction_timeout_ms <= 0 || req.transaction_timeout_ms > max_txn_timeout_ms) {
    answer(errc::invalid_transaction_timeout);
    return promise;
  }
  if (auto e = serves(st, req.transactional_id); e != errc::none) {
    answer(e);
    return promise;
  }
  const auto id = req.transactional_id;
  auto it = st.txns.find(id);
  if (it != st.txns.end()) {
    auto& t = it->second;
    if (deciding(t.state()) || t.writing_markers) {
      answer(errc::concurrent_transactions);  // the client retries until it is decided
      return promise;
    }
    if (t.state() == txn_state::ongoing) {
      // An earlier instance's transaction: aborted under a bumped epoch, which fences it.
      BROOK_LOG_INFO("[TransactionCoordinator] "
                     << id << ": aborting the open transaction of epoch " << t.rec.producer_epoch
                     << " for a new instance");
      decide(self, id, false, int16_t(t.rec.producer_epoch + 1), [](errc) {});
      answer(errc::concurrent_transactions);
      return promise;
    }
  }
  auto store = [self, id, answer, timeout = req.transaction_timeout_ms](int64_t pid,
                                                                        int16_t epoch) mutable {
    txn_record rec;
    rec.producer_id = pid;
    rec.producer_epoch = epoch;
    rec.timeout_ms = timeout;
    rec.state = uint8_t(txn_state::empty);
    persist(self, id, rec, [answer, pid, epoch](errc e) mutable {
      if (e == errc::none)
        answer(e, pid, epoch);
      else
        answer(e);
    });
  };
  if (it != st.txns.end() && it->second.rec.producer_epoch < INT16_MAX - 1) {
    store(it->second.rec.producer_id, int16_t(it->second.rec.producer_epoch + 1));
    return promise;
  }
  // A new transactional id (or its epochs ran out): a producer id from the broker's block.
  auto b = st.node->broker();
  if (!b) {
    answer(errc::coordinator_not_available);
    return promise;
  }
  self->request(b, std::chrono::seconds(30), net::init_producer_id_request{})
      .then(
          [store, answer](net::init_producer_id_response& r) mutable {
            if (r.error != errc::none) return answer(r.error);
            store(r.producer_id, 0);
          },
          [answer](caf::error&) mutable { answer(errc::coordinator_not_available); });
  return promise;
}

namespace {

// Adds `parts` to `id`'s transaction (opening it) and stores it; `done` gets the outcome.
void add_to_txn(self_ptr self, txn_entry& t,
                const std::vector<std::pair<std::string, int32_t>>& parts,
                std::function<void(errc)> done) {
  auto rec = t.rec;
  if (t.state() != txn_state::ongoing) {
    rec.partitions.clear();
    rec.started_ms = wall_ms();
  }
  rec.state = uint8_t(txn_state::ongoing);
  bool added = t.state() != txn_state::ongoing;
  for (const auto& tp : parts)
    if (std::find(rec.partitions.begin(), rec.partitions.end(), tp) == rec.partitions.end()) {
      rec.partitions.push_back(tp);
      added = true;
    }
  if (!added) return done(errc::none);
  persist(self, t.id, rec, done);
}

// Why `t` cannot take partitions now, if it cannot.
errc busy(const txn_entry& t) {
  return deciding(t.state()) || t.writing_markers ? errc::concurrent_transactions : errc::none;
}

}  // namespace

caf::typed_response_promise<net::txn_partitions_response> on_add_partitions_to_txn(
    self_ptr self, const net::add_partitions_to_txn_request& req) {
  auto& st = self->state;
  auto promise = self->make_response_promise<net::txn_partitions_response>();
  auto answer = [promise, req](errc all, const std::vector<errc>& each = {}) mutable {
    net::txn_partitions_response r;
    for (size_t i = 0; i < req.partitions.size(); ++i) {
      auto p = req.partitions[i];
      p.error = i < each.size() ? each[i] : all;
      r.partitions.push_back(std::move(p));
    }
    promise.deliver(std::move(r));
  };
  txn_entry* t = nullptr;
  errc e = check_producer(st, req.transactional_id, req.producer_id, req.producer_epoch, &t);
  if (e == errc::none) e = busy(*t);
  if (e != errc::none) {
    answer(e);
    return promise;
  }
  // As Kafka: one unknown partition and none is added (the others: OPERATION_NOT_ATTEMPTED).
  std::vector<errc> each;
  bool unknown = false;
  std::vector<std::pair<std::string, int32_t>> parts;
  for (const auto& p : req.partitions) {
    bool exists = st.node->directory()->find(p.topic, p.partition).has_value();
    each.push_back(exists ? errc::none : errc::unknown_topic_or_partition);
    unknown |= !exists;
    parts.emplace_back(p.topic, p.partition);
  }
  if (unknown) {
    for (auto& x : each)
      if (x == errc::none) x = errc::operation_not_attempted;
    answer(errc::none, each);
    return promise;
  }
  add_to_txn(self, *t, parts, [answer](errc e) mutable { answer(e); });
  return promise;
}

caf::typed_response_promise<net::status_response> on_add_offsets_to_txn(
    self_ptr self, const net::add_offsets_to_txn_request& req) {
  auto& st = self->state;
  auto promise = self->make_response_promise<net::status_response>();
  txn_entry* t = nullptr;
  errc e = check_producer(st, req.transactional_id, req.producer_id, req.producer_epoch, &t);
  if (e == errc::none) e = busy(*t);
  if (e == errc::none && req.group_id.empty()) e = errc::invalid_group_id;
  if (e != errc::none) {
    promise.deliver(net::status_response{e, ""});
    return promise;
  }
  std::pair<std::string, int32_t> tp{offsets_topic,
                                     offsets_partition_for(req.group_id, st.offsets_partitions)};
  add_to_txn(self, *t, {tp}, [promise](errc e) mutable {
    promise.deliver(net::status_response{e, ""});
  });
  return promise;
}

caf::typed_response_promise<net::status_response> on_end_txn(self_ptr self,
                                                             const net::end_txn_request& req) {
  auto& st = self->state;
  auto promise = self->make_response_promise<net::status_response>();
  auto answer = [&](errc e) {
    promise.deliver(net::status_response{e, ""});
    return promise;
  };
  txn_entry* t = nullptr;
  errc e = check_producer(st, req.transactional_id, req.producer_id, req.producer_epoch, &t);
  if (e != errc::none) return answer(e);
  switch (t->state()) {
    case txn_state::ongoing:
      if (t->writing_markers) return answer(errc::concurrent_transactions);
      t->waiting.push_back(promise);
      decide(self, t->id, req.commit, t->rec.producer_epoch, [self, id = t->id](errc e) {
        if (e == errc::none) return;
        auto it = self->state.txns.find(id);
        if (it == self->state.txns.end()) return;
        for (auto& w : it->second.waiting) w.deliver(net::status_response{e, ""});
        it->second.waiting.clear();
      });
      return promise;
    case txn_state::prepare_commit:
    case txn_state::prepare_abort:
      return answer(errc::concurrent_transactions);
    case txn_state::complete_commit:  // a retried EndTxn of the outcome already written
      return answer(req.commit ? errc::none : errc::invalid_txn_state);
    case txn_state::complete_abort:
      return answer(req.commit ? errc::invalid_txn_state : errc::none);
    case txn_state::empty:
      break;
  }
  return answer(errc::invalid_txn_state);
}

caf::typed_response_promise<net::offset_commit_response> on_txn_offset_commit(
    self_ptr self, const net::txn_offset_commit_request& req) {
  auto& st = self->state;
  auto promise = self->make_response_promise<net::offset_commit_response>();
  auto answer = [promise, req](std::function<errc(const net::partition_offset&)> outcome) mutable {
    net::offset_commit_response r;
    for (auto o : req.offsets) {
      o.error = outcome(o);
      r.offsets.push_back(std::move(o));
    }
    promise.deliver(std::move(r));
  };
  errc e = req.group_id.empty() ? errc::invalid_group_id : serves(st, req.group_id);
  if (e != errc::none) {
    answer([e](const net::partition_offset&) { return e; });
    return promise;
  }
  // The offsets go in as the producer's transactional batch (no sequence: the coordinator writes
  // it), so the partition's producer state fences older epochs and its marker decides them.
  runtime::batch_builder b;
  b.set_producer(req.producer_id, req.producer_epoch, -1);
  b.set_transactional();
  int64_t now = wall_ms();
  std::vector<net::partition_offset> stored;
  for (const auto& o : req.offsets)
    if (st.node->directory()->find(o.topic, o.partition)) {
      b.append(now, encode_offset_key({req.group_id, o.topic, o.partition}),
               encode_offset_value({o.offset, o.metadata, now}));
      stored.push_back(o);
    }
  auto known = [self](const net::partition_offset& o) {
    return self->state.node->directory()->find(o.topic, o.partition).has_value();
  };
  append_records(self, req.group_id, b, [self, req, stored, answer, known](errc e) mutable {
    if (e == errc::none)
      for (const auto& o : stored)
        apply_txn_offsets(self->state, req.producer_id, {req.group_id, o.topic, o.partition},
                          {o.offset, o.metadata, wall_ms()});
    answer([e, known](const net::partition_offset& o) {
      return known(o) ? e : errc::unknown_topic_or_partition;
    });
  });
  return promise;
}

caf::typed_response_promise<net::produce_response> on_offsets_marker(
    self_ptr self, const net::write_txn_marker_request& req) {
  auto promise = self->make_response_promise<net::produce_response>();
  if (req.topic != offsets_topic) {
    net::produce_response r;
    r.error = errc::not_leader_or_follower;
    promise.deliver(r);
    return promise;
  }
  append_local_marker(self, req,
                      [promise](const net::produce_response& r) mutable { promise.deliver(r); });
  return promise;
}

namespace {

net::txn_description describe(const txn_entry& t) {
  net::txn_description d;
  d.transactional_id = t.id;
  d.state = txn_state_name(t.state());
  d.timeout_ms = t.rec.timeout_ms;
  d.start_time_ms = t.rec.started_ms;
  d.producer_id = t.rec.producer_id;
  d.producer_epoch = t.rec.producer_epoch;
  for (const auto& [topic, p] : t.rec.partitions)
    d.partitions.push_back({topic, p, -1, std::nullopt, errc::none});
  return d;
}

}  // namespace

net::describe_transactions_response on_describe_transactions(
    self_ptr self, const net::describe_transactions_request& req) {
  auto& st = self->state;
  net::describe_transactions_response r;
  for (const auto& id : req.transactional_ids) {
    auto it = st.txns.find(id);
    errc e = serves(st, id);
    if (e == errc::none && it == st.txns.end()) e = errc::transactional_id_not_found;
    if (e != errc::none) {
      net::txn_description d;
      d.transactional_id = id;
      d.error = e;
      r.transactions.push_back(std::move(d));
      continue;
    }
    r.transactions.push_back(describe(it->second));
  }
  return r;
}

net::describe_transactions_response on_list_transactions(
    self_ptr self, const net::list_transactions_request& req) {
  auto& st = self->state;
  net::describe_transactions_response r;
  auto wanted = [](const auto& filter, const auto& value) {
    return filter.empty() || std::find(filter.begin(), filter.end(), value) != filter.end();
  };
  for (const auto& [id, t] : st.txns)
    if (serves(st, id) == errc::none && wanted(req.states, txn_state_name(t.state())) &&
        wanted(req.producer_ids, t.rec.producer_id))
      r.transactions.push_back(describe(t));
  return r;
}

void resume_transactions(self_ptr self, int32_t partition) {
  auto& st = self->state;
  for (auto& [id, t] : st.txns)
    if (offsets_partition_for(id, st.offsets_partitions) == partition && deciding(t.state()))
      write_markers(self, id);
}

void expire_transactions(self_ptr self) {
  auto& st = self->state;
  int64_t now = wall_ms();
  std::vector<std::string> expired;
  for (const auto& [id, t] : st.txns)
    if (t.state() == txn_state::ongoing && !t.writing_markers && t.rec.started_ms >= 0 &&
        now - t.rec.started_ms > t.rec.timeout_ms && serves(st, id) == errc::none)
      expired.push_back(id);
  for (const auto& id : expired) {
    auto& t = st.txns.at(id);
    BROOK_LOG_INFO("[TransactionCoordinator] " << id << ": transaction open longer than "
                                               << t.rec.timeout_ms << " ms; aborting it");
    decide(self, id, false, int16_t(t.rec.producer_epoch + 1), [](errc) {});
  }
}

}  // namespace brook::actors::group_detail
