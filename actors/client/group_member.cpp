#include "actors/client/group_member.hpp"

#include <set>

#include "actors/client/client_metadata.hpp"
#include "actors/client/group_assignor.hpp"
#include "runtime/log.hpp"

namespace brook::client {

using runtime::errc;
using runtime::status;
using std::chrono::milliseconds;
using clock_type = std::chrono::steady_clock;

namespace {
bool retry_join(errc e) {
  // unknown_member_id: our id went stale (session expiry, coordinator restart); join afresh.
  return e == errc::coordinator_load_in_progress || e == errc::coordinator_not_available ||
         e == errc::rebalance_in_progress || e == errc::network_error ||
         e == errc::request_timed_out || e == errc::not_coordinator ||
         e == errc::unknown_member_id || e == errc::illegal_generation;
}
}  // namespace

group_member::group_member(consumer_config cfg, client_metadata& meta)
    : cfg_(std::move(cfg)), meta_(meta) {
  heartbeat_ = std::thread([this] { heartbeat_loop(); });
}

group_member::~group_member() {
  {
    std::lock_guard<std::mutex> g(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
}

void group_member::subscribe(std::vector<std::string> topics) {
  std::lock_guard<std::mutex> g(mu_);
  topics_ = std::move(topics);
  needs_rejoin_ = true;
}

bool group_member::joined() const {
  std::lock_guard<std::mutex> g(mu_);
  return joined_;
}

runtime::result<std::shared_ptr<net::native_client>> group_member::coordinator() {
  // The broker leading the group's partition of __consumer_offsets, found through any broker.
  return meta_.coordinator_connection(cfg_.group_id, milliseconds(cfg_.request_timeout_ms));
}

void group_member::check_coordinator(errc e) {
  if (client_metadata::coordinator_moved(e)) meta_.forget_coordinator(cfg_.group_id);
}

runtime::result<std::optional<std::map<topic_partition, int64_t>>> group_member::maybe_rejoin(
    const std::function<void()>& before_rejoin) {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (!needs_rejoin_ || topics_.empty())
      return std::optional<std::map<topic_partition, int64_t>>{};
  }
  if (joined()) before_rejoin();
  std::map<topic_partition, int64_t> assignment;
  auto deadline = clock_type::now() + milliseconds(cfg_.max_poll_interval_ms);
  for (;;) {
    auto st = join_and_sync(assignment);
    if (st) break;
    if (!retry_join(st.code()) || clock_type::now() >= deadline) return st;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return std::optional<std::map<topic_partition, int64_t>>(std::move(assignment));
}

runtime::status group_member::join_and_sync(std::map<topic_partition, int64_t>& assignment) {
  auto conn = coordinator();
  if (!conn) return conn.error();
  net::join_group_request join;
  join.group_id = cfg_.group_id;
  join.session_timeout_ms = cfg_.session_timeout_ms;
  join.rebalance_timeout_ms = cfg_.max_poll_interval_ms;
  join.protocol_type = "consumer";
  join.client_id = cfg_.client_id;
  join.require_member_id = true;
  {
    std::lock_guard<std::mutex> g(mu_);
    join.member_id = member_id_;
    for (const auto& name : cfg_.assignment_strategies)
      join.protocols.push_back({name, encode_subscription(topics_)});
    joined_ = false;
  }
  auto timeout = milliseconds(cfg_.max_poll_interval_ms + 30000);
  net::join_group_response j;
  for (int attempt = 0;; ++attempt) {
    auto r = (*conn)->call<net::join_group_response>(net::native_type::join_group, join, timeout);
    if (!r) {
      check_coordinator(r.error().code());
      return r.error();
    }
    j = std::move(*r);
    check_coordinator(j.error);
    if (j.error == errc::member_id_required && attempt == 0) {
      join.member_id = j.member_id;
      continue;
    }
    if (j.error == errc::unknown_member_id) {
      std::lock_guard<std::mutex> g(mu_);
      member_id_.clear();
    }
    if (j.error != errc::none)
      return {j.error,
              "join group " + cfg_.group_id + ": " + std::string(runtime::to_string(j.error))};
    break;
  }
  net::sync_group_request sync{cfg_.group_id, j.generation_id, j.member_id, {}};
  if (j.member_id == j.leader) {
    auto plan = assign(j.protocol_name, j.members);
    if (!plan) return plan.error();
    for (auto& [id, bytes] : *plan) sync.assignments.push_back({id, std::move(bytes)});
  }
  auto s = (*conn)->call<net::sync_group_response>(net::native_type::sync_group, sync, timeout);
  if (!s) {
    check_coordinator(s.error().code());
    return s.error();
  }
  check_coordinator(s->error);
  if (s->error != errc::none)
    return {s->error,
            "sync group " + cfg_.group_id + ": " + std::string(runtime::to_string(s->error))};
  auto parts = decode_assignment(s->assignment);
  if (!parts) return {errc::invalid_request, "undecodable assignment from the group leader"};
  std::vector<topic_partition> tps;
  for (const auto& [topic, ps] : *parts)
    for (auto p : ps) tps.push_back({topic, p});
  {
    std::lock_guard<std::mutex> g(mu_);
    member_id_ = j.member_id;
    generation_ = j.generation_id;
    joined_ = true;
    needs_rejoin_ = false;
  }
  auto offsets = committed(tps);
  if (!offsets) return offsets.error();
  assignment.clear();
  for (const auto& [tp, om] : *offsets) assignment[tp] = om.offset;
  BROOK_LOG_DEBUG("consumer " << j.member_id << " joined " << cfg_.group_id << " generation "
                              << j.generation_id << " with " << tps.size() << " partition(s)");
  return {};
}

runtime::result<std::map<std::string, runtime::bytes>> group_member::assign(
    const std::string& protocol, const std::vector<net::group_member_metadata>& members) {
  subscriptions subs;
  std::set<std::string> topics;
  for (const auto& m : members) {
    auto t = decode_subscription(m.metadata);
    if (!t)
      return status{errc::invalid_request, "undecodable subscription of member " + m.member_id};
    subs[m.member_id] = *t;
    topics.insert(t->begin(), t->end());
  }
  std::map<std::string, int32_t> counts;
  for (const auto& t : topics)
    if (auto m = meta_.topic(t, true); m) counts[t] = m->partitions;
  auto plan =
      protocol == "roundrobin" ? assign_roundrobin(subs, counts) : assign_range(subs, counts);
  std::map<std::string, runtime::bytes> out;
  for (const auto& [id, parts] : plan) out[id] = encode_assignment(parts);
  return out;
}

runtime::status group_member::commit(const std::map<topic_partition, int64_t>& offsets) {
  std::map<topic_partition, offset_and_metadata> with;
  for (const auto& [tp, off] : offsets) with[tp] = {off, {}};
  return commit(with);
}

runtime::status group_member::commit(
    const std::map<topic_partition, offset_and_metadata>& offsets) {
  if (offsets.empty()) return {};
  auto conn = coordinator();
  if (!conn) return conn.error();
  net::offset_commit_request req;
  req.group_id = cfg_.group_id;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (joined_) {
      req.generation_id = generation_;
      req.member_id = member_id_;
    }
  }
  for (const auto& [tp, om] : offsets)
    req.offsets.push_back({tp.topic, tp.partition, om.offset, om.metadata, errc::none});
  auto r = (*conn)->call<net::offset_commit_response>(net::native_type::offset_commit, req,
                                                      milliseconds(cfg_.request_timeout_ms));
  if (!r) {
    check_coordinator(r.error().code());
    return r.error();
  }
  for (const auto& o : r->offsets)
    if (o.error != errc::none) {
      check_coordinator(o.error);
      if (o.error == errc::rebalance_in_progress || o.error == errc::illegal_generation ||
          o.error == errc::unknown_member_id) {
        std::lock_guard<std::mutex> g(mu_);
        needs_rejoin_ = true;
      }
      return {o.error, "commit to group " + cfg_.group_id +
                           " failed: " + std::string(runtime::to_string(o.error))};
    }
  return {};
}

runtime::result<std::map<topic_partition, offset_and_metadata>> group_member::committed(
    const std::vector<topic_partition>& tps) {
  std::map<topic_partition, offset_and_metadata> out;
  if (tps.empty()) return out;
  net::offset_fetch_request req{cfg_.group_id, {}, false};
  for (const auto& tp : tps)
    req.partitions.push_back({tp.topic, tp.partition, -1, std::nullopt, errc::none});
  auto deadline = clock_type::now() + milliseconds(cfg_.request_timeout_ms);
  for (;;) {
    // A coordinator loading its groups, or one that just moved, is waited for.
    auto conn = coordinator();
    if (!conn) return conn.error();
    auto r = (*conn)->call<net::offset_fetch_response>(net::native_type::offset_fetch, req,
                                                       milliseconds(cfg_.request_timeout_ms));
    errc e = r ? r->error : r.error().code();
    check_coordinator(e);
    if ((e == errc::coordinator_load_in_progress || client_metadata::coordinator_moved(e)) &&
        clock_type::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(100));
      continue;
    }
    if (!r) return r.error();
    if (r->error != errc::none)
      return status{r->error, "offset fetch: " + std::string(runtime::to_string(r->error))};
    for (const auto& o : r->offsets)
      out[{o.topic, o.partition}] = {o.offset, o.metadata.value_or(std::string())};
    return out;
  }
}

void group_member::leave() {
  std::string id;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (!joined_ || member_id_.empty()) return;
    id = member_id_;
    joined_ = false;
    needs_rejoin_ = true;
  }
  if (auto conn = coordinator())
    (*conn)->call<net::leave_group_response>(net::native_type::leave_group,
                                             net::leave_group_request{cfg_.group_id, {id}},
                                             milliseconds(cfg_.request_timeout_ms));
}

void group_member::heartbeat_loop() {
  std::unique_lock<std::mutex> lk(mu_);
  while (!stopping_) {
    cv_.wait_for(lk, milliseconds(cfg_.heartbeat_interval_ms), [&] { return stopping_; });
    if (stopping_) return;
    if (!joined_ || needs_rejoin_) continue;
    net::heartbeat_request hb{cfg_.group_id, generation_, member_id_};
    lk.unlock();
    auto conn = coordinator();
    runtime::result<net::native_frame> r = status{errc::network_error, "no connection"};
    errc e = errc::none;
    if (conn) {
      auto resp = (*conn)->call<net::status_response>(net::native_type::heartbeat, hb,
                                                      milliseconds(cfg_.session_timeout_ms));
      e = resp ? resp->error : resp.error().code();
    }
    check_coordinator(e);
    lk.lock();
    // The coordinator moved: its successor does not know this member, so join it afresh.
    if (e == errc::not_coordinator) needs_rejoin_ = true;
    if (e == errc::rebalance_in_progress || e == errc::illegal_generation) needs_rejoin_ = true;
    if (e == errc::unknown_member_id) {
      member_id_.clear();
      needs_rejoin_ = true;
    }
  }
}

}  // namespace brook::client
