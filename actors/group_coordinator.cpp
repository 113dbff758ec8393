#include "actors/group_coordinator.hpp"

#include <caf/all.hpp>
#include <chrono>
#include <map>
#include <random>

#include "actors/group_offsets.hpp"
#include "actors/node_context.hpp"
#include "runtime/log.hpp"
#include "runtime/record_batch.hpp"

namespace brook::actors {

namespace {

using net::errc;
using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

enum class group_state { empty, preparing_rebalance, completing_rebalance, stable };

const char* state_name(group_state s) {
  switch (s) {
    case group_state::empty: return "Empty";
    case group_state::preparing_rebalance: return "PreparingRebalance";
    case group_state::completing_rebalance: return "CompletingRebalance";
    case group_state::stable: return "Stable";
  }
  return "Dead";
}

struct member {
  std::string id, client_id, client_host;
  int32_t session_timeout_ms = 10000;
  int32_t rebalance_timeout_ms = 300000;
  std::vector<net::group_protocol> protocols;
  runtime::bytes assignment;
  clock_type::time_point last_seen;
  uint64_t joined_order = 0;
  std::optional<caf::typed_response_promise<net::join_group_response>> join;
  std::optional<caf::typed_response_promise<net::sync_group_response>> sync;
};

struct group {
  std::string id;
  group_state state = group_state::empty;
  int32_t generation = 0;
  std::string protocol_type, protocol, leader;
  std::map<std::string, member> members;
  std::map<std::string, clock_type::time_point> pending_members;  // MEMBER_ID_REQUIRED, not joined yet
  clock_type::time_point rebalance_deadline;
  std::map<std::pair<std::string, int32_t>, net::partition_offset> offsets;
  // Set while an empty group waits group.initial.rebalance.delay.ms for more members.
  bool initial_join = false;
  clock_type::time_point initial_join_limit;  // the delay is extended up to this
};

struct coordinator_state {
  std::shared_ptr<node_context> node;
  std::map<std::string, group> groups;
  bool loaded = false;
  size_t loading = 0;              // __consumer_offsets partitions still being read
  int32_t offsets_partitions = 0;  // 0 until __consumer_offsets exists
  bool creating = false;
  // Commits that arrived before __consumer_offsets existed; replayed once it does.
  std::vector<std::pair<net::offset_commit_request, caf::typed_response_promise<net::offset_commit_response>>>
      waiting_commits;
  uint64_t join_counter = 0;
  std::mt19937_64 rng{std::random_device{}()};
  static inline const char* name = "group_coordinator";
};

using self_ptr = group_coordinator_actor::stateful_pointer<coordinator_state>;

int64_t wall_ms() {
  return std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string new_member_id(coordinator_state& st, const std::string& client_id) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%016llx%08llx", (unsigned long long)st.rng(),
                (unsigned long long)(st.rng() & 0xffffffff));
  return (client_id.empty() ? std::string("member") : client_id) + "-" + buf;
}

void ensure_offsets_topic(self_ptr self);
void store_commit(self_ptr self, const net::offset_commit_request& req,
                  caf::typed_response_promise<net::offset_commit_response> promise);

// ---- rebalance ---------------------------------------------------------------------------------

// Names every member supports, in the first member's order of preference.
std::vector<std::string> common_protocols(const group& g) {
  std::vector<std::string> out;
  if (g.members.empty()) return out;
  for (const auto& p : g.members.begin()->second.protocols) {
    bool everywhere = true;
    for (const auto& [id, m] : g.members) {
      bool has = false;
      for (const auto& q : m.protocols) has |= q.name == p.name;
      everywhere &= has;
    }
    if (everywhere) out.push_back(p.name);
  }
  return out;
}

// Each member votes for its most preferred common protocol; most votes wins (ties: first seen).
std::string choose_protocol(const group& g) {
  auto candidates = common_protocols(g);
  std::map<std::string, int> votes;
  for (const auto& [id, m] : g.members)
    for (const auto& p : m.protocols)
      if (std::find(candidates.begin(), candidates.end(), p.name) != candidates.end()) {
        votes[p.name]++;
        break;
      }
  std::string best;
  int best_votes = -1;
  for (const auto& c : candidates)
    if (votes[c] > best_votes) {
      best = c;
      best_votes = votes[c];
    }
  return best;
}

void fail_pending_syncs(group& g, errc e) {
  for (auto& [id, m] : g.members)
    if (m.sync) {
      m.sync->deliver(net::sync_group_response{e, {}});
      m.sync.reset();
    }
}

void prepare_rebalance(coordinator_state& st, group& g, const char* why) {
  if (g.state == group_state::completing_rebalance) fail_pending_syncs(g, errc::rebalance_in_progress);
  bool initial = g.state == group_state::empty;
  g.state = group_state::preparing_rebalance;
  int32_t timeout = 0;
  for (const auto& [id, m] : g.members) timeout = std::max(timeout, m.rebalance_timeout_ms);
  auto now = clock_type::now();
  g.initial_join = initial;
  g.initial_join_limit = now + milliseconds(timeout);
  auto delay = initial ? milliseconds(std::min<int64_t>(st.node->config.group_initial_rebalance_delay_ms, timeout))
                       : milliseconds(timeout);
  g.rebalance_deadline = now + delay;
  BROOK_LOG_INFO("[GroupCoordinator] preparing to rebalance group " << g.id << " (" << why << ")");
}

void complete_join(group& g) {
  g.initial_join = false;
  ++g.generation;
  g.protocol = choose_protocol(g);
  if (!g.members.count(g.leader)) {
    const member* first = nullptr;
    for (const auto& [id, m] : g.members)
      if (!first || m.joined_order < first->joined_order) first = &m;
    g.leader = first ? first->id : "";
  }
  g.state = group_state::completing_rebalance;
  std::vector<net::group_member_metadata> all;
  for (const auto& [id, m] : g.members)
    for (const auto& p : m.protocols)
      if (p.name == g.protocol) all.push_back({id, p.metadata});
  for (auto& [id, m] : g.members) {
    m.assignment.clear();
    if (!m.join) continue;
    net::join_group_response r{errc::none, g.generation, g.protocol, g.leader, id, {}};
    if (id == g.leader) r.members = all;
    m.join->deliver(std::move(r));
    m.join.reset();
  }
  BROOK_LOG_INFO("[GroupCoordinator] group " << g.id << " generation " << g.generation << " with "
                                            << g.members.size() << " member(s), protocol " << g.protocol);
}

// Completes the join phase once every member rejoined (after the initial delay), or at the deadline
// removing those that did not.
void try_complete_join(group& g, bool deadline_passed) {
  if (g.state != group_state::preparing_rebalance) return;
  bool all_joined = true;
  for (const auto& [id, m] : g.members) all_joined &= m.join.has_value();
  bool waiting_initial = !deadline_passed && g.initial_join;  // an empty group waits for more
  if (all_joined && !waiting_initial && !g.members.empty()) return complete_join(g);
  if (!deadline_passed) return;
  for (auto it = g.members.begin(); it != g.members.end();) {
    if (!it->second.join) {
      BROOK_LOG_INFO("[GroupCoordinator] member " << it->first << " of group " << g.id
                                                  << " did not rejoin in time; removed");
      it = g.members.erase(it);
    } else {
      ++it;
    }
  }
  if (g.members.empty()) {
    g.state = group_state::empty;
    return;
  }
  complete_join(g);
}

void remove_member(coordinator_state& st, group& g, const std::string& id, const char* why) {
  auto it = g.members.find(id);
  if (it == g.members.end()) return;
  if (it->second.join) it->second.join->deliver(net::join_group_response{errc::unknown_member_id, -1, "", "", id, {}});
  if (it->second.sync) it->second.sync->deliver(net::sync_group_response{errc::unknown_member_id, {}});
  g.members.erase(it);
  BROOK_LOG_INFO("[GroupCoordinator] member " << id << " left group " << g.id << " (" << why << ")");
  if (g.members.empty()) {
    if (g.state == group_state::preparing_rebalance) {
      // Nobody left to wait for.
    }
    g.state = group_state::empty;
    g.leader.clear();
    return;
  }
  if (g.state == group_state::preparing_rebalance)
    try_complete_join(g, false);
  else
    prepare_rebalance(st, g, why);
}

void housekeeping(self_ptr self) {
  auto& st = self->state;
  auto now = clock_type::now();
  for (auto& [gid, g] : st.groups) {
    for (auto it = g.pending_members.begin(); it != g.pending_members.end();)
      it = now - it->second > milliseconds(st.node->config.group_max_session_timeout_ms) ? g.pending_members.erase(it)
                                                                                         : std::next(it);
    std::vector<std::string> expired;
    for (const auto& [id, m] : g.members)
      if (!m.join && now - m.last_seen > milliseconds(m.session_timeout_ms)) expired.push_back(id);
    for (const auto& id : expired) remove_member(st, g, id, "session timeout");
    if (g.state == group_state::preparing_rebalance) try_complete_join(g, now >= g.rebalance_deadline);
  }
}

// ---- join / sync / heartbeat / leave -------------------------------------------------------------

caf::typed_response_promise<net::join_group_response> on_join(self_ptr self, net::join_group_request& req) {
  auto& st = self->state;
  auto promise = self->make_response_promise<net::join_group_response>();
  auto fail = [&](errc e, const std::string& member_id = "") {
    promise.deliver(net::join_group_response{e, -1, "", "", member_id, {}});
    return promise;
  };
  if (!st.loaded) return fail(errc::coordinator_load_in_progress);
  if (req.group_id.empty()) return fail(errc::invalid_group_id);
  if (req.group_instance_id) {
    BROOK_LOG_WARN("[GroupCoordinator] refusing static member " << *req.group_instance_id << " of group "
                                                                << req.group_id
                                                                << ": group.instance.id is not supported");
    return fail(errc::invalid_request);
  }
  const auto& cfg = st.node->config;
  if (req.session_timeout_ms < cfg.group_min_session_timeout_ms || req.session_timeout_ms > cfg.group_max_session_timeout_ms)
    return fail(errc::invalid_session_timeout);
  if (req.protocols.empty() || req.protocol_type.empty()) return fail(errc::inconsistent_group_protocol);
  auto& g = st.groups[req.group_id];
  g.id = req.group_id;
  bool known = g.members.count(req.member_id) > 0;
  if (!g.members.empty() && !(known && g.members.size() == 1)) {
    if (req.protocol_type != g.protocol_type) return fail(errc::inconsistent_group_protocol);
    // Some protocol must be supported by every other member too.
    bool any = false;
    for (const auto& p : req.protocols) {
      bool everywhere = true;
      for (const auto& [id, m] : g.members) {
        if (id == req.member_id) continue;
        bool has = false;
        for (const auto& q : m.protocols) has |= q.name == p.name;
        everywhere &= has;
      }
      any |= everywhere;
    }
    if (!any) return fail(errc::inconsistent_group_protocol);
  }
  std::string id = req.member_id;
  if (id.empty()) {
    id = new_member_id(st, req.client_id);
    if (req.require_member_id) {
      g.pending_members[id] = clock_type::now();
      return fail(errc::member_id_required, id);
    }
  } else if (!known) {
    auto p = g.pending_members.find(id);
    if (p == g.pending_members.end()) return fail(errc::unknown_member_id, id);
    g.pending_members.erase(p);
  }
  auto& m = g.members[id];
  if (m.id.empty()) m.joined_order = ++st.join_counter;
  m.id = id;
  m.client_id = req.client_id;
  m.client_host = req.client_host;
  m.session_timeout_ms = req.session_timeout_ms;
  m.rebalance_timeout_ms = std::max(req.rebalance_timeout_ms, req.session_timeout_ms);
  m.protocols = std::move(req.protocols);
  m.last_seen = clock_type::now();
  if (m.join) m.join->deliver(net::join_group_response{errc::rebalance_in_progress, -1, "", "", id, {}});
  m.join = promise;
  g.protocol_type = req.protocol_type;
  ensure_offsets_topic(self);  // its members will commit soon
  if (g.state != group_state::preparing_rebalance) {
    prepare_rebalance(st, g, known ? "member rejoined" : "member joined");
  } else if (g.initial_join && !known) {
    // Another member during the initial delay: wait once more, up to the rebalance timeout.
    auto delay = milliseconds(st.node->config.group_initial_rebalance_delay_ms);
    g.rebalance_deadline = std::min(clock_type::now() + delay, g.initial_join_limit);
  }
  try_complete_join(g, false);
  return promise;
}

caf::typed_response_promise<net::sync_group_response> on_sync(self_ptr self, net::sync_group_request& req) {
  auto& st = self->state;
  auto promise = self->make_response_promise<net::sync_group_response>();
  auto fail = [&](errc e) {
    promise.deliver(net::sync_group_response{e, {}});
    return promise;
  };
  if (!st.loaded) return fail(errc::coordinator_load_in_progress);
  auto git = st.groups.find(req.group_id);
  if (git == st.groups.end() || !git->second.members.count(req.member_id)) return fail(errc::unknown_member_id);
  auto& g = git->second;
  auto& m = g.members[req.member_id];
  m.last_seen = clock_type::now();
  if (req.generation_id != g.generation) return fail(errc::illegal_generation);
  if (g.state == group_state::preparing_rebalance) return fail(errc::rebalance_in_progress);
  if (g.state == group_state::stable) {
    promise.deliver(net::sync_group_response{errc::none, m.assignment});
    return promise;
  }
  m.sync = promise;
  if (req.member_id == g.leader) {
    for (auto& a : req.assignments)
      if (auto it = g.members.find(a.member_id); it != g.members.end()) it->second.assignment = std::move(a.metadata);
    g.state = group_state::stable;
    for (auto& [id, mm] : g.members)
      if (mm.sync) {
        mm.sync->deliver(net::sync_group_response{errc::none, mm.assignment});
        mm.sync.reset();
      }
    BROOK_LOG_INFO("[GroupCoordinator] group " << g.id << " generation " << g.generation << " is stable");
  }
  return promise;
}

net::status_response on_heartbeat(self_ptr self, const net::heartbeat_request& req) {
  auto& st = self->state;
  if (!st.loaded) return {errc::coordinator_load_in_progress, ""};
  auto git = st.groups.find(req.group_id);
  if (git == st.groups.end() || !git->second.members.count(req.member_id)) return {errc::unknown_member_id, ""};
  auto& g = git->second;
  g.members[req.member_id].last_seen = clock_type::now();
  if (req.generation_id != g.generation) return {errc::illegal_generation, ""};
  if (g.state == group_state::preparing_rebalance) return {errc::rebalance_in_progress, ""};
  return {errc::none, ""};
}

net::leave_group_response on_leave(self_ptr self, const net::leave_group_request& req) {
  auto& st = self->state;
  net::leave_group_response resp;
  if (!st.loaded) return {errc::coordinator_load_in_progress, {}};
  auto git = st.groups.find(req.group_id);
  for (const auto& id : req.member_ids) {
    if (git == st.groups.end() || !git->second.members.count(id)) {
      resp.member_errors.push_back(errc::unknown_member_id);
      continue;
    }
    remove_member(st, git->second, id, "left the group");
    resp.member_errors.push_back(errc::none);
  }
  if (req.member_ids.size() == 1) resp.error = resp.member_errors.front();
  return resp;
}

// ---- offsets ------------------------------------------------------------------------------------

void apply_commit(coordinator_state& st, const offset_key& k, std::optional<offset_value> v) {
  auto& g = st.groups[k.group];
  g.id = k.group;
  auto key = std::make_pair(k.topic, k.partition);
  if (!v) {
    g.offsets.erase(key);
  } else {
    g.offsets[key] = net::partition_offset{k.topic, k.partition, v->offset, v->metadata, errc::none};
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

caf::typed_response_promise<net::offset_commit_response> on_commit(self_ptr self, net::offset_commit_request& req) {
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
    if (git != st.groups.end() && !git->second.members.empty()) return answer_all(errc::unknown_member_id);
  } else {
    if (git == st.groups.end() || !git->second.members.count(req.member_id)) return answer_all(errc::unknown_member_id);
    auto& g = git->second;
    g.members[req.member_id].last_seen = clock_type::now();
    if (req.generation_id != g.generation) return answer_all(errc::illegal_generation);
    // Members commit before rejoining, so the current generation may commit while the group
    // prepares to rebalance (as Kafka); between join and sync the assignment is in flux.
    if (g.state == group_state::completing_rebalance) return answer_all(errc::rebalance_in_progress);
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
              if (r.error == errc::none) apply_commit(self->state, {req.group_id, o.topic, o.partition},
                                                      offset_value{o.offset, o.metadata, wall_ms()});
              out.offsets.push_back(std::move(o));
            }
            promise.deliver(std::move(out));
          },
          [promise, req](caf::error&) mutable {
            promise.deliver(commit_outcome(req, errc::coordinator_not_available));
          });
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
      if (auto it = git->second.offsets.find({p.topic, p.partition}); it != git->second.offsets.end()) p = it->second;
    resp.offsets.push_back(std::move(p));
  }
  return resp;
}

net::group_description describe(const group& g) {
  net::group_description d;
  d.group_id = g.id;
  d.state = state_name(g.state);
  d.protocol_type = g.protocol_type;
  d.protocol = g.state == group_state::stable || g.state == group_state::completing_rebalance ? g.protocol : "";
  d.generation_id = g.generation;
  for (const auto& [id, m] : g.members) {
    runtime::bytes meta;
    for (const auto& p : m.protocols)
      if (p.name == g.protocol) meta = p.metadata;
    d.members.push_back({id, m.client_id, m.client_host, meta, m.assignment});
  }
  return d;
}

// ---- loading __consumer_offsets --------------------------------------------------------------

void load_partition(self_ptr self, int32_t p, int64_t from);

void partition_loaded(self_ptr self) {
  auto& st = self->state;
  if (--st.loading > 0) return;
  st.loaded = true;
  size_t n = 0;
  for (const auto& [id, g] : st.groups) n += g.offsets.size();
  BROOK_LOG_INFO("[GroupCoordinator] loaded " << n << " committed offset(s) of " << st.groups.size()
                                              << " group(s) from " << offsets_topic);
}

void load_partition(self_ptr self, int32_t p, int64_t from) {
  auto target = self->state.node->directory()->find(offsets_topic, p);
  if (!target || !*target) {
    // The partition actor is (re)starting: read this partition again shortly.
    self->delayed_send(self, milliseconds(100), restart_atom::value, p, from);
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
              BROOK_LOG_WARN("[GroupCoordinator] reading " << offsets_topic << "-" << p << " failed ("
                                                           << runtime::to_string(r.error) << "); retrying");
              self->delayed_send(self, milliseconds(200), restart_atom::value, p, from);
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
            self->delayed_send(self, milliseconds(200), restart_atom::value, p, from);
          });
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

// Reads __consumer_offsets back if it exists; it is created on first use (ensure_offsets_topic).
void start_loading(self_ptr self) {
  auto& st = self->state;
  auto b = st.node->broker();
  if (!b) {
    self->delayed_send(self, milliseconds(100), tick_atom::value, false);
    return;
  }
  self->request(b, std::chrono::seconds(30), net::metadata_request{{offsets_topic}, false, false})
      .then(
          [self](net::metadata_response& m) {
            auto& st = self->state;
            for (const auto& t : m.topics)
              if (t.name == offsets_topic && t.error == errc::none) st.offsets_partitions = int32_t(t.partitions.size());
            if (st.offsets_partitions == 0) {
              st.loaded = true;  // nothing committed yet on this node
              return;
            }
            st.loading = size_t(st.offsets_partitions);
            for (int32_t p = 0; p < st.offsets_partitions; ++p) load_partition(self, p, 0);
          },
          [self](caf::error&) { self->delayed_send(self, milliseconds(200), tick_atom::value, false); });
}

// Creates __consumer_offsets (offsets.topic.num.partitions) the first time a group needs it.
void ensure_offsets_topic(self_ptr self) {
  auto& st = self->state;
  auto b = st.node->broker();
  if (st.offsets_partitions > 0 || st.creating || !b) return;
  st.creating = true;
  int32_t parts = st.node->config.offsets_topic_num_partitions;
  // Kept forever: without compaction, retention would delete committed offsets.
  net::create_topic_request req{offsets_topic, parts, 1, {{"segment.bytes", "104857600"}, {"retention.ms", "-1"}}, false};
  self->request(b, std::chrono::seconds(30), std::move(req))
      .then(
          [self, parts](net::status_response& r) {
            auto& st = self->state;
            st.creating = false;
            if (r.error == errc::none || r.error == errc::topic_already_exists)
              st.offsets_partitions = parts;
            else
              BROOK_LOG_ERROR("[GroupCoordinator] cannot create " << offsets_topic << ": " << r.message);
            replay_waiting_commits(self, r.error == errc::none || r.error == errc::topic_already_exists);
          },
          [self](caf::error&) {
            self->state.creating = false;
            replay_waiting_commits(self, false);
          });
}

group_coordinator_actor::behavior_type coordinator_impl(self_ptr self, std::shared_ptr<node_context> node) {
  self->state.node = std::move(node);
  start_loading(self);
  self->delayed_send(self, milliseconds(100), tick_atom::value, true);
  return {
      [self](net::join_group_request& req) { return on_join(self, req); },
      [self](net::sync_group_request& req) { return on_sync(self, req); },
      [self](net::heartbeat_request& req) { return on_heartbeat(self, req); },
      [self](net::leave_group_request& req) { return on_leave(self, req); },
      [self](net::offset_commit_request& req) { return on_commit(self, req); },
      [self](net::offset_fetch_request& req) { return on_offset_fetch(self, req); },
      [self](net::list_groups_request&) -> net::list_groups_response {
        net::list_groups_response r;
        if (!self->state.loaded) r.error = errc::coordinator_load_in_progress;
        for (const auto& [id, g] : self->state.groups)
          r.groups.push_back({id, g.protocol_type, state_name(g.state)});
        return r;
      },
      [self](net::describe_groups_request& req) -> net::describe_groups_response {
        net::describe_groups_response r;
        for (const auto& id : req.group_ids) {
          auto it = self->state.groups.find(id);
          if (it == self->state.groups.end()) {
            net::group_description d;
            d.group_id = id;
            d.state = "Dead";
            r.groups.push_back(std::move(d));
          } else {
            r.groups.push_back(describe(it->second));
          }
          if (!self->state.loaded) r.groups.back().error = errc::coordinator_load_in_progress;
        }
        return r;
      },
      [self](restart_atom, int32_t partition, int64_t from) { load_partition(self, partition, from); },
      [self](tick_atom, bool periodic) {
        if (!periodic) {
          if (!self->state.loaded && self->state.loading == 0) start_loading(self);
          return;
        }
        housekeeping(self);
        self->delayed_send(self, milliseconds(100), tick_atom::value, true);
      },
  };
}

}  // namespace

group_coordinator_actor spawn_group_coordinator(caf::actor_system& sys, std::shared_ptr<node_context> node) {
  return sys.spawn(coordinator_impl, std::move(node));
}

}  // namespace brook::actors
