// Where groups live and their committed offsets. A group is coordinated by the broker leading its
// partition of __consumer_offsets (Kafka's placement): FindCoordinator names that broker, and the
// coordinator serves the groups of the partitions it leads, read back from their log when it
// becomes leader. Each commit is appended (one batch, acks=all) to the group's partition and
// answered once stored.
#include <caf/all.hpp>
#include <set>

#include "actors/directory/node_context.hpp"
#include "actors/group/group_internal.hpp"
#include "net/cluster_messages.hpp"
#include "net/kafka/consumer_protocol.hpp"
#include "runtime/clock.hpp"
#include "runtime/countdown.hpp"
#include "runtime/log.hpp"
#include "runtime/record_batch.hpp"
#include "runtime/transactions.hpp"

namespace brook::actors::group_detail {

using net::errc;
using runtime::wall_ms;
using std::chrono::milliseconds;

namespace {

void store_commit(self_ptr self, const net::offset_commit_request& req,
                  caf::typed_response_promise<net::offset_commit_response> promise);

}  // namespace

void apply_commit(coordinator_state& st, const offset_key& k, std::optional<offset_value> v) {
  auto& g = st.groups[k.group];
  g.id = k.group;
  auto key = std::make_pair(k.topic, k.partition);
  if (!v) {
    g.offsets.erase(key);
    // A group left with neither offsets nor members is gone (deleted, as Kafka's Dead).
    if (g.offsets.empty() && g.members.empty() && g.pending_members.empty())
      st.groups.erase(k.group);
  } else {
    g.offsets[key] =
        net::partition_offset{k.topic, k.partition, v->offset, v->metadata, errc::none};
  }
}

namespace {

// The answer to a commit: every requested partition with the same outcome `e`.
net::offset_commit_response commit_outcome(const net::offset_commit_request& req, errc e) {
  net::offset_commit_response r;
  for (auto o : req.offsets) {
    o.error = e;
    r.offsets.push_back(std::move(o));
  }
  return r;
}

// What a failed append of a commit means to the client (Kafka's mapping): find the coordinator
// again, or retry it.
errc commit_error(errc append) {
  switch (append) {
    case errc::not_leader_or_follower:
    case errc::fenced_leader_epoch:
    case errc::io_error:
      return errc::not_coordinator;
    case errc::unknown_topic_or_partition:
    case errc::not_enough_replicas:
    case errc::not_enough_replicas_after_append:
    case errc::request_timed_out:
    case errc::leader_not_available:
      return errc::coordinator_not_available;
    default:
      return append;
  }
}

}  // namespace

void append_records(self_ptr self, const std::string& group, runtime::batch_builder& records,
                    std::function<void(errc)> done) {
  auto& st = self->state;
  int32_t part = offsets_partition_for(group, st.offsets_partitions);
  auto target = st.node->directory()->find(offsets_topic, part);
  if (!target || !*target) return done(errc::coordinator_not_available);
  if (records.empty()) return done(errc::none);
  net::produce_request produce{offsets_topic, part, net::acks_all, 30000, records.build()};
  self->request(*target, std::chrono::seconds(35), std::move(produce))
      .then([done](net::produce_response& r) { done(commit_error(r.error)); },
            [done](caf::error&) { done(errc::coordinator_not_available); });
}

namespace {

// Appends the commit to the group's __consumer_offsets partition and answers `promise` once it is
// stored.
void store_commit(self_ptr self, const net::offset_commit_request& req,
                  caf::typed_response_promise<net::offset_commit_response> promise) {
  auto& st = self->state;
  // As Kafka: a partition that does not exist gets UNKNOWN_TOPIC_OR_PARTITION and is not stored.
  std::vector<bool> exists;
  runtime::batch_builder b;
  int64_t now = wall_ms();
  for (const auto& o : req.offsets) {
    exists.push_back(st.node->directory()->find(o.topic, o.partition).has_value());
    if (exists.back())
      b.append(now, encode_offset_key({req.group_id, o.topic, o.partition}),
               encode_offset_value({o.offset, o.metadata, now}));
  }
  // Each requested partition's outcome: unknown, or `stored` (the append's result).
  auto outcome = [req, exists](errc stored,
                               const std::function<void(const net::partition_offset&)>& keep) {
    net::offset_commit_response out;
    for (size_t i = 0; i < req.offsets.size(); ++i) {
      auto o = req.offsets[i];
      o.error = exists[i] ? stored : errc::unknown_topic_or_partition;
      if (o.error == errc::none && keep) keep(o);
      out.offsets.push_back(std::move(o));
    }
    return out;
  };
  append_records(self, req.group_id, b, [self, promise, req, outcome](errc e) mutable {
    promise.deliver(outcome(e, [&](const net::partition_offset& o) {
      apply_commit(self->state, {req.group_id, o.topic, o.partition},
                   offset_value{o.offset, o.metadata, wall_ms()});
    }));
  });
}

// Tombstones (null values) for these committed offsets of `group`: compaction removes them, and a
// coordinator reading the partition back forgets them.
void add_tombstones(runtime::batch_builder& b, const std::string& group,
                    const std::vector<std::pair<std::string, int32_t>>& partitions) {
  int64_t now = wall_ms();
  for (const auto& [topic, p] : partitions)
    b.append(now, encode_offset_key({group, topic, p}), std::nullopt);
}

// The topics the members of `g` subscribed to (from the consumer protocol's subscriptions).
std::set<std::string> subscribed_topics(const group& g) {
  std::set<std::string> out;
  if (g.protocol_type != "consumer") return out;
  for (const auto& [id, m] : g.members)
    for (const auto& p : m.protocols)
      if (auto topics = net::kafka::decode_subscription(p.metadata))
        out.insert(topics->begin(), topics->end());
  return out;
}

}  // namespace

errc serves(const coordinator_state& st, const std::string& group) {
  if (st.offsets_partitions == 0) return errc::coordinator_not_available;
  auto it = st.owned.find(offsets_partition_for(group, st.offsets_partitions));
  if (it == st.owned.end()) return errc::not_coordinator;
  return it->second.loaded ? errc::none : errc::coordinator_load_in_progress;
}

caf::typed_response_promise<net::delete_groups_response> on_delete_groups(
    self_ptr self, const net::delete_groups_request& req) {
  auto promise = self->make_response_promise<net::delete_groups_response>();
  auto resp = std::make_shared<net::delete_groups_response>();
  auto finish = runtime::countdown(req.group_ids.size() + 1, [promise, resp]() mutable {
    promise.deliver(std::move(*resp));
  });
  for (const auto& id : req.group_ids) {
    resp->results.push_back({id, errc::none});
    auto set = [resp, i = resp->results.size() - 1, finish](errc e) {
      resp->results[i].error = e;
      finish();
    };
    auto& st = self->state;
    if (id.empty()) {
      set(errc::invalid_group_id);
      continue;
    }
    if (auto e = serves(st, id); e != errc::none) {
      set(e);
      continue;
    }
    auto it = st.groups.find(id);
    if (it == st.groups.end()) {
      set(errc::group_id_not_found);
      continue;
    }
    if (!it->second.members.empty() || !it->second.pending_members.empty()) {
      set(errc::non_empty_group);
      continue;
    }
    std::vector<std::pair<std::string, int32_t>> committed;
    for (const auto& [tp, o] : it->second.offsets) committed.push_back(tp);
    runtime::batch_builder b;
    add_tombstones(b, id, committed);
    append_records(self, id, b, [self, id, set](errc e) {
      if (e == errc::none) {
        self->state.groups.erase(id);
        BROOK_LOG_INFO("[GroupCoordinator] deleted group " << id);
      }
      set(e);
    });
  }
  finish();
  return promise;
}

caf::typed_response_promise<net::offset_delete_response> on_offset_delete(
    self_ptr self, const net::offset_delete_request& req) {
  auto& st = self->state;
  auto promise = self->make_response_promise<net::offset_delete_response>();
  net::offset_delete_response out;
  auto fail = [&](errc e) {
    out.error = e;
    promise.deliver(out);
    return promise;
  };
  if (req.group_id.empty()) return fail(errc::invalid_group_id);
  if (auto e = serves(st, req.group_id); e != errc::none) return fail(e);
  auto it = st.groups.find(req.group_id);
  if (it == st.groups.end()) return fail(errc::group_id_not_found);
  // As Kafka: partitions of a topic an active member consumes keep their offsets.
  auto in_use = subscribed_topics(it->second);
  std::vector<std::pair<std::string, int32_t>> gone;
  for (auto p : req.partitions) {
    if (!st.node->directory()->find(p.topic, p.partition))
      p.error = errc::unknown_topic_or_partition;
    else if (in_use.count(p.topic))
      p.error = errc::group_subscribed_to_topic;
    else
      p.error = errc::none;
    if (p.error == errc::none && it->second.offsets.count({p.topic, p.partition}))
      gone.emplace_back(p.topic, p.partition);
    out.partitions.push_back(std::move(p));
  }
  runtime::batch_builder b;
  add_tombstones(b, req.group_id, gone);
  append_records(self, req.group_id, b, [self, promise, out, gone, group = req.group_id](errc e) mutable {
    if (e != errc::none) {
      out.error = e;
    } else {
      for (const auto& [topic, p] : gone) apply_commit(self->state, {group, topic, p}, std::nullopt);
    }
    promise.deliver(std::move(out));
  });
  return promise;
}

caf::typed_response_promise<net::offset_commit_response> on_commit(
    self_ptr self, net::offset_commit_request& req) {
  auto& st = self->state;
  auto promise = self->make_response_promise<net::offset_commit_response>();
  auto answer_all = [&](errc e) {
    promise.deliver(commit_outcome(req, e));
    return promise;
  };
  if (req.group_id.empty()) return answer_all(errc::invalid_group_id);
  if (auto e = serves(st, req.group_id); e != errc::none) return answer_all(e);
  auto git = st.groups.find(req.group_id);
  bool simple = req.generation_id < 0 && req.member_id.empty();
  if (simple) {
    if (git != st.groups.end() && !git->second.members.empty())
      return answer_all(errc::unknown_member_id);
  } else {
    if (git != st.groups.end())
      if (auto e = fenced(git->second, req.group_instance_id, req.member_id); e != errc::none)
        return answer_all(e);
    if (git == st.groups.end() || !git->second.members.count(req.member_id))
      return answer_all(errc::unknown_member_id);
    auto& g = git->second;
    g.members[req.member_id].last_seen = clock_type::now();
    if (req.generation_id != g.generation) return answer_all(errc::illegal_generation);
    // Members commit before rejoining, so the current generation may commit while the group
    // prepares to rebalance (as Kafka); between join and sync the assignment is in flux.
    if (g.state == group_state::completing_rebalance)
      return answer_all(errc::rebalance_in_progress);
  }
  store_commit(self, req, promise);
  return promise;
}

net::offset_fetch_response on_offset_fetch(self_ptr self, const net::offset_fetch_request& req) {
  auto& st = self->state;
  net::offset_fetch_response resp;
  if (auto e = serves(st, req.group_id); e != errc::none) {
    resp.error = e;
    return resp;
  }
  auto git = st.groups.find(req.group_id);
  if (req.all) {
    if (git != st.groups.end())
      for (const auto& [k, o] : git->second.offsets) resp.offsets.push_back(o);
    return resp;
  }
  for (auto p : req.partitions) {
    p.offset = -1;
    p.metadata = std::string();
    p.error = errc::none;
    if (git != st.groups.end())
      if (auto it = git->second.offsets.find({p.topic, p.partition});
          it != git->second.offsets.end())
        p = it->second;
    resp.offsets.push_back(std::move(p));
  }
  return resp;
}

namespace {

bool still_leading(const coordinator_state& st, int32_t p, int32_t epoch) {
  auto it = st.owned.find(p);
  return it != st.owned.end() && it->second.leader_epoch == epoch;
}

void loaded(self_ptr self, int32_t p, int32_t epoch) {
  auto& st = self->state;
  if (!still_leading(st, p, epoch)) return;
  st.owned[p].loaded = true;
  size_t groups = 0, offsets = 0;
  for (const auto& [id, g] : st.groups)
    if (offsets_partition_for(id, st.offsets_partitions) == p) {
      ++groups;
      offsets += g.offsets.size();
    }
  BROOK_LOG_INFO("[GroupCoordinator] coordinating the groups of " << offsets_topic << "-" << p
                                                                  << " (leader epoch " << epoch
                                                                  << "): " << groups
                                                                  << " group(s), " << offsets
                                                                  << " committed offset(s)");
  resume_transactions(self, p);
}

// Starts serving partition p (led at `epoch`): its groups are read back from its log.
void take_over(self_ptr self, int32_t p, int32_t epoch) {
  auto& st = self->state;
  st.owned[p] = owned_partition{epoch, false};
  load_partition(self, p, epoch, 0);
}

// Stops serving partition p: its groups go (their members find the new coordinator).
void resign(self_ptr self, int32_t p) {
  auto& st = self->state;
  st.owned.erase(p);
  size_t n = 0;
  for (auto it = st.groups.begin(); it != st.groups.end();) {
    if (offsets_partition_for(it->first, st.offsets_partitions) != p) {
      ++it;
      continue;
    }
    drop_group(it->second);
    it = st.groups.erase(it);
    ++n;
  }
  for (auto it = st.txns.begin(); it != st.txns.end();) {
    if (offsets_partition_for(it->first, st.offsets_partitions) != p) {
      ++it;
      continue;
    }
    for (auto& w : it->second.waiting) w.deliver(net::status_response{errc::not_coordinator, ""});
    it = st.txns.erase(it);
  }
  for (auto it = st.txn_offsets.begin(); it != st.txn_offsets.end();)
    it = offsets_partition_for(it->first.first, st.offsets_partitions) == p ? st.txn_offsets.erase(it)
                                                                           : std::next(it);
  BROOK_LOG_INFO("[GroupCoordinator] no longer coordinating the groups of "
                 << offsets_topic << "-" << p << " (" << n << " group(s) handed over)");
}

// Creates __consumer_offsets: offsets.topic.num.partitions partitions, compacted, with
// offsets.topic.replication.factor replicas (fewer if fewer brokers are registered now, said in
// the log); min.insync.replicas no higher than its replicas.
void create_offsets_topic(self_ptr self, const net::metadata_response& m) {
  auto& st = self->state;
  auto b = st.node->broker();
  if (st.creating || !b) return;
  st.creating = true;
  const auto& cfg = st.node->config;
  int32_t parts = cfg.offsets_topic_num_partitions;
  int32_t rf = std::min<int32_t>(cfg.offsets_topic_replication_factor, int32_t(m.brokers.size()));
  rf = std::max(rf, 1);
  if (rf < cfg.offsets_topic_replication_factor)
    BROOK_LOG_WARN("[GroupCoordinator] creating " << offsets_topic << " with " << rf
                                                  << " replica(s): only " << m.brokers.size()
                                                  << " broker(s) registered, "
                                                  << "offsets.topic.replication.factor is "
                                                  << cfg.offsets_topic_replication_factor);
  int32_t min_isr = std::min(cfg.topic_defaults.min_insync_replicas, rf);
  net::create_topic_request req{offsets_topic,
                                parts,
                                int16_t(rf),
                                {{"cleanup.policy", "compact"},
                                 {"segment.bytes", "104857600"},
                                 {"min.insync.replicas", std::to_string(min_isr)}},
                                false};
  self->request(b, std::chrono::seconds(30), std::move(req))
      .then(
          [self](net::status_response& r) {
            self->state.creating = false;
            if (r.error != errc::none && r.error != errc::topic_already_exists)
              BROOK_LOG_ERROR("[GroupCoordinator] cannot create " << offsets_topic << ": "
                                                                  << r.message);
          },
          [self](caf::error&) { self->state.creating = false; });
}

}  // namespace

void load_partition(self_ptr self, int32_t p, int32_t epoch, int64_t from) {
  if (!still_leading(self->state, p, epoch)) return;
  auto target = self->state.node->directory()->find(offsets_topic, p);
  if (!target || !*target) {
    // The partition actor is (re)starting: read this partition again shortly.
    self->delayed_send(self, milliseconds(100), reload_atom::value, p, epoch, from);
    return;
  }
  // Everything in the log, also above the high watermark: as the new leader this replica's log
  // is the partition's, and a commit acknowledged by the old leader may not be under it yet.
  net::fetch_request req{offsets_topic, p, from, 4 << 20, 0, 0, net::log_end_reader};
  self->request(*target, std::chrono::seconds(30), std::move(req))
      .then(
          [self, p, epoch, from](net::fetch_response& r) {
            if (!still_leading(self->state, p, epoch)) return;
            if (r.error == errc::offset_out_of_range && r.log_start_offset > from)
              return load_partition(self, p, epoch, r.log_start_offset);
            if (r.error != errc::none) {
              BROOK_LOG_DEBUG("[GroupCoordinator] reading " << offsets_topic << "-" << p
                                                            << " failed ("
                                                            << runtime::to_string(r.error)
                                                            << "); retrying");
              self->delayed_send(self, milliseconds(100), reload_atom::value, p, epoch, from);
              return;
            }
            auto batches = runtime::split_batches(r.records.data(), r.records.size(), true);
            int64_t next = -1;
            if (batches)
              for (const auto& b : *batches) {
                next = b.header.last_offset() + 1;
                if (b.header.is_control()) {  // a transaction's offsets decided
                  if (auto commits = runtime::marker_commits(b.data, b.size))
                    end_txn_offsets(self->state, p, b.header.producer_id, *commits);
                  continue;
                }
                auto recs = runtime::decode_records(b.data, b.size);
                if (recs)
                  for (const auto& rec : *recs) {
                    if (!rec.key) continue;
                    if (auto txn = decode_txn_key(*rec.key)) {
                      if (auto v = rec.value ? decode_txn_value(*rec.value) : std::nullopt)
                        apply_txn(self->state, *txn, *v);
                      continue;
                    }
                    auto key = decode_offset_key(*rec.key);
                    if (!key) continue;
                    auto value = rec.value ? decode_offset_value(*rec.value) : std::nullopt;
                    if (b.header.is_transactional() && value)
                      apply_txn_offsets(self->state, b.header.producer_id, *key, *value);
                    else
                      apply_commit(self->state, *key, value);
                  }
              }
            if (next >= 0) return load_partition(self, p, epoch, next);
            loaded(self, p, epoch);
          },
          [self, p, epoch, from](caf::error& e) {
            BROOK_LOG_WARN("[GroupCoordinator] reading " << offsets_topic << "-" << p << " failed: "
                                                         << caf::to_string(e) << "; retrying");
            self->delayed_send(self, milliseconds(200), reload_atom::value, p, epoch, from);
          });
}

void refresh_ownership(self_ptr self) {
  auto& st = self->state;
  auto b = st.node->broker();
  if (st.refreshing || !b) return;
  st.refreshing = true;
  self->request(b, std::chrono::seconds(10), net::metadata_request{{offsets_topic}, false, false})
      .then(
          [self](net::metadata_response& m) {
            auto& st = self->state;
            st.refreshing = false;
            std::map<int32_t, int32_t> led;  // partition -> leader epoch
            for (const auto& t : m.topics) {
              if (t.name != offsets_topic || t.error != errc::none) continue;
              st.offsets_partitions = int32_t(t.partitions.size());
              for (const auto& p : t.partitions)
                if (p.leader == st.node->config.broker_id) led[p.partition] = p.leader_epoch;
            }
            std::vector<int32_t> gone;
            for (const auto& [p, o] : st.owned) {
              auto it = led.find(p);
              if (it == led.end() || it->second != o.leader_epoch) gone.push_back(p);
            }
            for (auto p : gone) resign(self, p);
            for (const auto& [p, epoch] : led)
              if (!st.owned.count(p)) take_over(self, p, epoch);
          },
          [self](caf::error&) { self->state.refreshing = false; });
}

caf::typed_response_promise<net::find_coordinator_response> on_find_coordinator(
    self_ptr self, const net::find_coordinator_request& req) {
  using response = net::find_coordinator_response;
  auto promise = self->make_response_promise<response>();
  auto b = self->state.node->broker();
  if (req.group_id.empty()) {
    promise.deliver(response{errc::invalid_request, "empty group id", {}});
    return promise;
  }
  if (!b) {
    promise.deliver(response{errc::coordinator_not_available, "the broker is restarting", {}});
    return promise;
  }
  self->request(b, std::chrono::seconds(10), net::metadata_request{{offsets_topic}, false, false})
      .then(
          [self, promise, group = req.group_id](net::metadata_response& m) mutable {
            const net::topic_info* t = nullptr;
            for (const auto& x : m.topics)
              if (x.name == offsets_topic && x.error == errc::none && !x.partitions.empty())
                t = &x;
            const std::string topic = offsets_topic;
            if (!t) {
              create_offsets_topic(self, m);
              promise.deliver(
                  response{errc::coordinator_not_available, topic + " is being created", {}});
              return;
            }
            auto p = offsets_partition_for(group, int32_t(t->partitions.size()));
            int32_t leader = t->partitions[size_t(p)].leader;
            for (const auto& broker : m.brokers)
              if (broker.id == leader) {
                promise.deliver(response{errc::none, "", broker});
                return;
              }
            promise.deliver(response{errc::coordinator_not_available,
                                     topic + "-" + std::to_string(p) + " has no leader", {}});
          },
          [promise](caf::error& e) mutable {
            promise.deliver(
                response{errc::coordinator_not_available, "broker: " + caf::to_string(e), {}});
          });
  return promise;
}

}  // namespace brook::actors::group_detail
