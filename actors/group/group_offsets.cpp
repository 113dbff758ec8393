// Committed offsets: each commit is appended (one batch, acks=all) to the group's partition of
// __consumer_offsets and answered once stored; on start the coordinator reads that topic back.
#include <caf/all.hpp>

#include "actors/directory/node_context.hpp"
#include "actors/group/group_internal.hpp"
#include "net/cluster_messages.hpp"
#include "runtime/clock.hpp"
#include "runtime/log.hpp"
#include "runtime/record_batch.hpp"

namespace brook::actors::group_detail {

using net::errc;
using runtime::wall_ms;
using std::chrono::milliseconds;

namespace {

void store_commit(self_ptr self, const net::offset_commit_request& req,
                  caf::typed_response_promise<net::offset_commit_response> promise);

void apply_commit(coordinator_state& st, const offset_key& k, std::optional<offset_value> v) {
  auto& g = st.groups[k.group];
  g.id = k.group;
  auto key = std::make_pair(k.topic, k.partition);
  if (!v) {
    g.offsets.erase(key);
  } else {
    g.offsets[key] =
        net::partition_offset{k.topic, k.partition, v->offset, v->metadata, errc::none};
  }
}

// The answer to a commit: every requested partition with the same outcome `e`.
net::offset_commit_response commit_outcome(const net::offset_commit_request& req, errc e) {
  net::offset_commit_response r;
  for (auto o : req.offsets) {
    o.error = e;
    r.offsets.push_back(std::move(o));
  }
  return r;
}

// Appends the commit (one batch, acks=all) to the group's __consumer_offsets partition and answers
// `promise` once it is stored.
void store_commit(self_ptr self, const net::offset_commit_request& req,
                  caf::typed_response_promise<net::offset_commit_response> promise) {
  auto& st = self->state;
  auto answer_all = [&](errc e) { promise.deliver(commit_outcome(req, e)); };
  int32_t part = offsets_partition_for(req.group_id, st.offsets_partitions);
  auto target = st.node->directory()->find(offsets_topic, part);
  if (!target || !*target) return answer_all(errc::coordinator_not_available);
  runtime::batch_builder b;
  int64_t now = wall_ms();
  for (const auto& o : req.offsets)
    b.append(now, encode_offset_key({req.group_id, o.topic, o.partition}),
             encode_offset_value({o.offset, o.metadata, now}));
  if (b.empty()) return answer_all(errc::none);
  net::produce_request produce{offsets_topic, part, net::acks_all, 30000, b.build()};
  self->request(*target, std::chrono::seconds(35), std::move(produce))
      .then(
          [self, promise, req](net::produce_response& r) mutable {
            net::offset_commit_response out;
            for (auto o : req.offsets) {
              o.error = r.error;
              if (r.error == errc::none)
                apply_commit(self->state, {req.group_id, o.topic, o.partition},
                             offset_value{o.offset, o.metadata, wall_ms()});
              out.offsets.push_back(std::move(o));
            }
            promise.deliver(std::move(out));
          },
          [promise, req](caf::error&) mutable {
            promise.deliver(commit_outcome(req, errc::coordinator_not_available));
          });
}

void partition_loaded(self_ptr self) {
  auto& st = self->state;
  if (--st.loading > 0) return;
  st.loaded = true;
  size_t n = 0;
  for (const auto& [id, g] : st.groups) n += g.offsets.size();
  BROOK_LOG_INFO("[GroupCoordinator] loaded " << n << " committed offset(s) of " << st.groups.size()
                                              << " group(s) from " << offsets_topic);
}

// Runs the commits that waited for __consumer_offsets (or fails them if it could not be created).
void replay_waiting_commits(self_ptr self, bool created) {
  auto waiting = std::move(self->state.waiting_commits);
  self->state.waiting_commits.clear();
  for (auto& [req, promise] : waiting) {
    if (created) {
      store_commit(self, req, promise);
      continue;
    }
    promise.deliver(commit_outcome(req, errc::coordinator_not_available));
  }
}

}  // namespace

caf::typed_response_promise<net::offset_commit_response> on_commit(
    self_ptr self, net::offset_commit_request& req) {
  auto& st = self->state;
  auto promise = self->make_response_promise<net::offset_commit_response>();
  auto answer_all = [&](errc e) {
    promise.deliver(commit_outcome(req, e));
    return promise;
  };
  if (!st.loaded) return answer_all(errc::coordinator_load_in_progress);
  if (req.group_id.empty()) return answer_all(errc::invalid_group_id);
  auto git = st.groups.find(req.group_id);
  bool simple = req.generation_id < 0 && req.member_id.empty();
  if (simple) {
    if (git != st.groups.end() && !git->second.members.empty())
      return answer_all(errc::unknown_member_id);
  } else {
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
  if (st.offsets_partitions == 0) {
    // The first commit on this node: create __consumer_offsets, then store it (no error to retry).
    st.waiting_commits.emplace_back(req, promise);
    ensure_offsets_topic(self);
    return promise;
  }
  store_commit(self, req, promise);
  return promise;
}

net::offset_fetch_response on_offset_fetch(self_ptr self, const net::offset_fetch_request& req) {
  auto& st = self->state;
  net::offset_fetch_response resp;
  if (!st.loaded) {
    resp.error = errc::coordinator_load_in_progress;
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

void load_partition(self_ptr self, int32_t p, int64_t from) {
  auto target = self->state.node->directory()->find(offsets_topic, p);
  if (!target || !*target) {
    // The partition actor is (re)starting: read this partition again shortly.
    self->delayed_send(self, milliseconds(100), reload_atom::value, p, from);
    return;
  }
  net::fetch_request req{offsets_topic, p, from, 4 << 20, 0, 0};
  self->request(*target, std::chrono::seconds(30), std::move(req))
      .then(
          [self, p, from](net::fetch_response& r) {
            if (r.error == errc::offset_out_of_range && r.log_start_offset > 0) {
              // Older segments are gone (retention): read from what is still there.
              return load_partition(self, p, r.log_start_offset);
            }
            if (r.error != errc::none) {
              BROOK_LOG_WARN("[GroupCoordinator] reading "
                             << offsets_topic << "-" << p << " failed ("
                             << runtime::to_string(r.error) << "); retrying");
              self->delayed_send(self, milliseconds(200), reload_atom::value, p, from);
              return;
            }
            auto batches = runtime::split_batches(r.records.data(), r.records.size(), true);
            int64_t next = -1;
            if (batches)
              for (const auto& b : *batches) {
                auto recs = runtime::decode_records(b.data, b.size);
                if (recs)
                  for (const auto& rec : *recs) {
                    if (!rec.key) continue;
                    auto key = decode_offset_key(*rec.key);
                    if (!key) continue;
                    apply_commit(self->state, *key,
                                 rec.value ? decode_offset_value(*rec.value) : std::nullopt);
                  }
                next = b.header.last_offset() + 1;
              }
            if (next >= 0 && next < r.high_watermark) return load_partition(self, p, next);
            partition_loaded(self);
          },
          [self, p, from](caf::error& e) {
            BROOK_LOG_WARN("[GroupCoordinator] reading " << offsets_topic << "-" << p << " failed: "
                                                         << caf::to_string(e) << "; retrying");
            self->delayed_send(self, milliseconds(200), reload_atom::value, p, from);
          });
}

// Reads __consumer_offsets back if it exists; it is created on first use (ensure_offsets_topic).
void start_loading(self_ptr self) {
  auto& st = self->state;
  auto b = st.node->broker();
  if (!b) {
    self->delayed_send(self, milliseconds(100), reload_atom::value);
    return;
  }
  self->request(b, std::chrono::seconds(30), net::metadata_request{{offsets_topic}, false, false})
      .then(
          [self](net::metadata_response& m) {
            auto& st = self->state;
            // Only the partitions with a replica here can be read (until groups are placed by
            // partition leadership, issue 13): waiting for the others would never end.
            std::vector<int32_t> local;
            for (const auto& t : m.topics) {
              if (t.name != offsets_topic || t.error != errc::none) continue;
              st.offsets_partitions = int32_t(t.partitions.size());
              for (const auto& p : t.partitions)
                if (net::has_replica(p.replicas, st.node->config.broker_id))
                  local.push_back(p.partition);
            }
            if (local.empty()) {
              st.loaded = true;  // nothing committed yet on this node
              return;
            }
            st.loading = local.size();
            for (auto p : local) load_partition(self, p, 0);
          },
          [self](caf::error&) { self->delayed_send(self, milliseconds(200), reload_atom::value); });
}

// Creates __consumer_offsets (offsets.topic.num.partitions) the first time a group needs it.
void ensure_offsets_topic(self_ptr self) {
  auto& st = self->state;
  auto b = st.node->broker();
  if (st.offsets_partitions > 0 || st.creating || !b) return;
  st.creating = true;
  int32_t parts = st.node->config.offsets_topic_num_partitions;
  // Kept forever: without compaction, retention would delete committed offsets. One replica
  // (until issue 13), so min.insync.replicas 1 whatever the broker default: a cluster configured
  // with min.insync.replicas=2 for its topics could not commit offsets at all otherwise.
  net::create_topic_request req{
      offsets_topic,
      parts,
      1,
      {{"segment.bytes", "104857600"}, {"retention.ms", "-1"}, {"min.insync.replicas", "1"}},
      false};
  self->request(b, std::chrono::seconds(30), std::move(req))
      .then(
          [self, parts](net::status_response& r) {
            auto& st = self->state;
            st.creating = false;
            if (r.error == errc::none || r.error == errc::topic_already_exists)
              st.offsets_partitions = parts;
            else
              BROOK_LOG_ERROR("[GroupCoordinator] cannot create " << offsets_topic << ": "
                                                                  << r.message);
            replay_waiting_commits(self,
                                   r.error == errc::none || r.error == errc::topic_already_exists);
          },
          [self](caf::error&) {
            self->state.creating = false;
            replay_waiting_commits(self, false);
          });
}

}  // namespace brook::actors::group_detail
