// The group coordinator's state machine (Kafka's Empty -> PreparingRebalance ->
// CompletingRebalance -> Stable, per group): member ids, the protocol vote, the initial rebalance
// delay, rebalance and session timeouts, the leader's assignments; and its behaviour.
#include "actors/group/group_coordinator.hpp"

#include <caf/all.hpp>

#include "actors/directory/node_context.hpp"
#include "actors/group/group_internal.hpp"
#include "runtime/log.hpp"

namespace brook::actors {

namespace group_detail {

using net::errc;
using std::chrono::milliseconds;

const char* state_name(group_state s) {
  static const char* const names[] = {"Empty", "PreparingRebalance", "CompletingRebalance",
                                      "Stable"};
  return names[size_t(s)];
}

void drop_group(group& g) {
  for (auto& [id, m] : g.members) {
    if (m.join)
      m.join->deliver(net::join_group_response{errc::not_coordinator, -1, "", "", id, {}});
    if (m.sync) m.sync->deliver(net::sync_group_response{errc::not_coordinator, {}});
    m.join.reset();
    m.sync.reset();
  }
}

errc fenced(const group& g, const std::optional<std::string>& instance_id,
            const std::string& member_id) {
  if (!instance_id) return errc::none;
  auto it = g.static_members.find(*instance_id);
  return it != g.static_members.end() && it->second != member_id ? errc::fenced_instance_id
                                                                  : errc::none;
}

namespace {

// Removes a member (and its group.instance.id, if static) from the group's books.
std::map<std::string, member>::iterator erase_member(group& g,
                                                     std::map<std::string, member>::iterator it) {
  if (it->second.instance_id) g.static_members.erase(*it->second.instance_id);
  return g.members.erase(it);
}

std::string new_member_id(coordinator_state& st, const std::string& client_id) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%016llx%08llx", (unsigned long long)st.rng(),
                (unsigned long long)(st.rng() & 0xffffffff));
  return (client_id.empty() ? std::string("member") : client_id) + "-" + buf;
}

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
  if (g.state == group_state::completing_rebalance)
    fail_pending_syncs(g, errc::rebalance_in_progress);
  bool initial = g.state == group_state::empty;
  g.state = group_state::preparing_rebalance;
  int32_t timeout = 0;
  for (const auto& [id, m] : g.members) timeout = std::max(timeout, m.rebalance_timeout_ms);
  auto now = clock_type::now();
  g.initial_join = initial;
  g.initial_join_limit = now + milliseconds(timeout);
  auto delay = initial ? milliseconds(std::min<int64_t>(
                             st.node->config.group_initial_rebalance_delay_ms, timeout))
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
      if (p.name == g.protocol) all.push_back({id, p.metadata, m.instance_id});
  for (auto& [id, m] : g.members) {
    m.assignment.clear();
    if (!m.join) continue;
    net::join_group_response r{errc::none, g.generation, g.protocol, g.leader, id, {}};
    if (id == g.leader) r.members = all;
    m.join->deliver(std::move(r));
    m.join.reset();
  }
  BROOK_LOG_INFO("[GroupCoordinator] group " << g.id << " generation " << g.generation << " with "
                                             << g.members.size() << " member(s), protocol "
                                             << g.protocol);
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
      it = erase_member(g, it);
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
  if (it->second.join)
    it->second.join->deliver(net::join_group_response{errc::unknown_member_id, -1, "", "", id, {}});
  if (it->second.sync)
    it->second.sync->deliver(net::sync_group_response{errc::unknown_member_id, {}});
  erase_member(g, it);
  BROOK_LOG_INFO("[GroupCoordinator] member " << id << " left group " << g.id << " (" << why
                                              << ")");
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
      it = now - it->second > milliseconds(st.node->config.group_max_session_timeout_ms)
               ? g.pending_members.erase(it)
               : std::next(it);
    std::vector<std::string> expired;
    for (const auto& [id, m] : g.members)
      if (!m.join && now - m.last_seen > milliseconds(m.session_timeout_ms)) expired.push_back(id);
    for (const auto& id : expired) remove_member(st, g, id, "session timeout");
    if (g.state == group_state::preparing_rebalance)
      try_complete_join(g, now >= g.rebalance_deadline);
  }
}

// ---- join / sync / heartbeat / leave
// -------------------------------------------------------------

// What a JoinGroup tells about its member: client, timeouts, protocols; it was seen now.
void take_join(member& m, net::join_group_request& req) {
  m.client_id = req.client_id;
  m.client_host = req.client_host;
  m.session_timeout_ms = req.session_timeout_ms;
  m.rebalance_timeout_ms = std::max(req.rebalance_timeout_ms, req.session_timeout_ms);
  m.protocols = std::move(req.protocols);
  m.last_seen = clock_type::now();
}

// A static member rejoining without its member id (restarted within its session): a new id
// takes the old one's place, assignment and all. In a Stable group whose protocol stays the
// same there is no rebalance: the answer names the current generation and the old leader id (so
// the member does not act as leader), and its SyncGroup gets the assignment it had (KIP-345).
caf::typed_response_promise<net::join_group_response> replace_static_member(
    self_ptr self, group& g, net::join_group_request& req,
    caf::typed_response_promise<net::join_group_response> promise) {
  auto& st = self->state;
  auto& mapped = g.static_members[*req.group_instance_id];
  std::string old_id = mapped, id = new_member_id(st, *req.group_instance_id);
  auto node = g.members.extract(old_id);
  auto& old = node.mapped();
  // The old instance is fenced: whatever it still waits for is answered so.
  if (old.join)
    old.join->deliver(net::join_group_response{errc::fenced_instance_id, -1, "", "", old_id, {}});
  if (old.sync) old.sync->deliver(net::sync_group_response{errc::fenced_instance_id, {}});
  old.join.reset();
  old.sync.reset();
  node.key() = id;
  old.id = id;
  take_join(old, req);
  auto& m = g.members.insert(std::move(node)).position->second;
  mapped = id;
  std::string leader_before = g.leader;
  if (g.leader == old_id) g.leader = id;
  BROOK_LOG_INFO("[GroupCoordinator] static member " << *req.group_instance_id << " of group "
                                                     << g.id << " rejoined as " << id
                                                     << " (replacing " << old_id << ")");
  if (g.state == group_state::stable && choose_protocol(g) == g.protocol) {
    promise.deliver(net::join_group_response{errc::none, g.generation, g.protocol, leader_before,
                                             id, {}});
    return promise;
  }
  m.join = promise;
  if (g.state == group_state::preparing_rebalance)
    try_complete_join(g, false);
  else  // completing (its old id may be in the leader's assignment) or a protocol change
    prepare_rebalance(st, g, "static member rejoined");
  return promise;
}

caf::typed_response_promise<net::join_group_response> on_join(self_ptr self,
                                                              net::join_group_request& req) {
  auto& st = self->state;
  auto promise = self->make_response_promise<net::join_group_response>();
  auto fail = [&](errc e, const std::string& member_id = "") {
    promise.deliver(net::join_group_response{e, -1, "", "", member_id, {}});
    return promise;
  };
  if (req.group_id.empty()) return fail(errc::invalid_group_id);
  if (auto e = serves(st, req.group_id); e != errc::none) return fail(e);
  if (req.group_instance_id && req.group_instance_id->empty()) return fail(errc::invalid_request);
  const auto& cfg = st.node->config;
  if (req.session_timeout_ms < cfg.group_min_session_timeout_ms ||
      req.session_timeout_ms > cfg.group_max_session_timeout_ms)
    return fail(errc::invalid_session_timeout);
  if (req.protocols.empty() || req.protocol_type.empty())
    return fail(errc::inconsistent_group_protocol);
  auto& g = st.groups[req.group_id];
  g.id = req.group_id;
  // A static member names its instance: a known member id must still be that instance's.
  const auto& instance = req.group_instance_id;
  auto static_it = instance ? g.static_members.find(*instance) : g.static_members.end();
  if (instance && !req.member_id.empty()) {
    if (static_it == g.static_members.end()) return fail(errc::unknown_member_id, req.member_id);
    if (static_it->second != req.member_id) return fail(errc::fenced_instance_id, req.member_id);
  }
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
  if (id.empty() && instance && static_it != g.static_members.end())
    return replace_static_member(self, g, req, promise);
  if (id.empty() && instance) {
    id = new_member_id(st, *instance);  // a static member needs no MEMBER_ID_REQUIRED round
    g.static_members[*instance] = id;
  } else if (id.empty()) {
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
  m.instance_id = instance;
  take_join(m, req);
  if (m.join)
    m.join->deliver(net::join_group_response{errc::rebalance_in_progress, -1, "", "", id, {}});
  m.join = promise;
  g.protocol_type = req.protocol_type;
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

caf::typed_response_promise<net::sync_group_response> on_sync(self_ptr self,
                                                              net::sync_group_request& req) {
  auto& st = self->state;
  auto promise = self->make_response_promise<net::sync_group_response>();
  auto fail = [&](errc e) {
    promise.deliver(net::sync_group_response{e, {}});
    return promise;
  };
  if (auto e = serves(st, req.group_id); e != errc::none) return fail(e);
  auto git = st.groups.find(req.group_id);
  if (git != st.groups.end())
    if (auto e = fenced(git->second, req.group_instance_id, req.member_id); e != errc::none)
      return fail(e);
  if (git == st.groups.end() || !git->second.members.count(req.member_id))
    return fail(errc::unknown_member_id);
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
      if (auto it = g.members.find(a.member_id); it != g.members.end())
        it->second.assignment = std::move(a.metadata);
    g.state = group_state::stable;
    for (auto& [id, mm] : g.members)
      if (mm.sync) {
        mm.sync->deliver(net::sync_group_response{errc::none, mm.assignment});
        mm.sync.reset();
      }
    BROOK_LOG_INFO("[GroupCoordinator] group " << g.id << " generation " << g.generation
                                               << " is stable");
  }
  return promise;
}

net::status_response on_heartbeat(self_ptr self, const net::heartbeat_request& req) {
  auto& st = self->state;
  if (auto e = serves(st, req.group_id); e != errc::none) return {e, ""};
  auto git = st.groups.find(req.group_id);
  if (git != st.groups.end())
    if (auto e = fenced(git->second, req.group_instance_id, req.member_id); e != errc::none)
      return {e, ""};
  if (git == st.groups.end() || !git->second.members.count(req.member_id))
    return {errc::unknown_member_id, ""};
  auto& g = git->second;
  g.members[req.member_id].last_seen = clock_type::now();
  if (req.generation_id != g.generation) return {errc::illegal_generation, ""};
  if (g.state == group_state::preparing_rebalance) return {errc::rebalance_in_progress, ""};
  return {errc::none, ""};
}

net::leave_group_response on_leave(self_ptr self, const net::leave_group_request& req) {
  auto& st = self->state;
  net::leave_group_response resp;
  if (auto e = serves(st, req.group_id); e != errc::none) return {e, {}};
  auto git = st.groups.find(req.group_id);
  for (size_t i = 0; i < req.member_ids.size(); ++i) {
    std::string id = req.member_ids[i];
    std::optional<std::string> instance;
    if (i < req.group_instance_ids.size()) instance = req.group_instance_ids[i];
    if (git != st.groups.end() && instance) {
      // A static member may be named by its instance id alone (an admin removing it).
      auto s = git->second.static_members.find(*instance);
      if (s != git->second.static_members.end() && id.empty()) id = s->second;
      if (auto e = fenced(git->second, instance, id); e != errc::none) {
        resp.member_errors.push_back(e);
        continue;
      }
    }
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

net::group_description describe(const group& g) {
  net::group_description d;
  d.group_id = g.id;
  d.state = state_name(g.state);
  d.protocol_type = g.protocol_type;
  d.protocol = g.state == group_state::stable || g.state == group_state::completing_rebalance
                   ? g.protocol
                   : "";
  d.generation_id = g.generation;
  for (const auto& [id, m] : g.members) {
    runtime::bytes meta;
    for (const auto& p : m.protocols)
      if (p.name == g.protocol) meta = p.metadata;
    d.members.push_back({id, m.client_id, m.client_host, meta, m.assignment, m.instance_id});
  }
  return d;
}

group_coordinator_actor::behavior_type coordinator_impl(self_ptr self,
                                                        std::shared_ptr<node_context> node) {
  self->state.node = std::move(node);
  refresh_ownership(self);
  self->delayed_send(self, milliseconds(100), tick_atom::value);
  return {
      [self](net::find_coordinator_request& req) { return on_find_coordinator(self, req); },
      [self](net::join_group_request& req) { return on_join(self, req); },
      [self](net::sync_group_request& req) { return on_sync(self, req); },
      [self](net::heartbeat_request& req) { return on_heartbeat(self, req); },
      [self](net::leave_group_request& req) { return on_leave(self, req); },
      [self](net::offset_commit_request& req) { return on_commit(self, req); },
      [self](net::offset_fetch_request& req) { return on_offset_fetch(self, req); },
      [self](net::delete_groups_request& req) { return on_delete_groups(self, req); },
      [self](net::offset_delete_request& req) { return on_offset_delete(self, req); },
      [self](net::init_txn_request& req) { return on_init_txn(self, req); },
      [self](net::add_partitions_to_txn_request& req) { return on_add_partitions_to_txn(self, req); },
      [self](net::add_offsets_to_txn_request& req) { return on_add_offsets_to_txn(self, req); },
      [self](net::end_txn_request& req) { return on_end_txn(self, req); },
      [self](net::txn_offset_commit_request& req) { return on_txn_offset_commit(self, req); },
      [self](net::write_txn_marker_request& req) { return on_offsets_marker(self, req); },
      [self](net::describe_transactions_request& req) {
        return on_describe_transactions(self, req);
      },
      [self](net::list_transactions_request& req) { return on_list_transactions(self, req); },
      [self](txn_done_atom, std::string& id, int64_t pid, int16_t epoch, bool commit, int32_t e) {
        on_markers_written(self, id, pid, epoch, commit, errc(e));
      },
      [self](retry_atom, std::string& id) { retry_markers(self, id); },
      [self](net::list_groups_request&) -> net::list_groups_response {
        // The groups this broker coordinates (Kafka's ListGroups asks every broker).
        auto& st = self->state;
        net::list_groups_response r;
        for (const auto& [p, o] : st.owned)
          if (!o.loaded) r.error = errc::coordinator_load_in_progress;
        for (const auto& [id, g] : st.groups)
          if (serves(st, id) == errc::none)
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
          r.groups.back().error = serves(self->state, id);
        }
        return r;
      },
      [self](reload_atom, int32_t partition, int32_t epoch, int64_t from) {
        load_partition(self, partition, epoch, from);
      },
      [self](tick_atom) {
        refresh_ownership(self);  // leadership of __consumer_offsets partitions may have moved
        housekeeping(self);
        expire_transactions(self);
        self->delayed_send(self, milliseconds(100), tick_atom::value);
      },
  };
}

}  // namespace
}  // namespace group_detail

group_coordinator_actor spawn_group_coordinator(caf::actor_system& sys,
                                                std::shared_ptr<node_context> node) {
  return sys.spawn(group_detail::coordinator_impl, std::move(node));
}

}  // namespace brook::actors
