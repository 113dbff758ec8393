#include "actors/broker/broker_actor.hpp"

#include <algorithm>
#include <caf/all.hpp>
#include <chrono>
#include <filesystem>

#include "actors/broker/broker_internal.hpp"
#include "actors/controller/controller_actor.hpp"
#include "actors/directory/node_context.hpp"
#include "actors/directory/partition_directory.hpp"
#include "actors/group/group_coordinator.hpp"
#include "actors/partition/partition_actor.hpp"
#include "runtime/countdown.hpp"
#include "runtime/log.hpp"

namespace brook::actors {

namespace broker_detail {

namespace fs = std::filesystem;
using net::errc;

int32_t my_id(const state& st) {
  return st.spec.config.broker_id;
}

// Children die with their broker, so no orphan keeps writing a log a new broker reopens.
// (Monitors, not links: a chaos kill of a partition must not take the broker with it, and
// exit_reason::kill cannot be trapped.)
state::~state() {
  for (auto& [name, t] : topics)
    for (auto& slot : t.slots)
      if (slot.actor) caf::anon_send_exit(slot.actor, caf::exit_reason::user_shutdown);
  if (group) caf::anon_send_exit(group, caf::exit_reason::user_shutdown);
  if (controller) caf::anon_send_exit(controller, caf::exit_reason::user_shutdown);
  // A remote coordinator's proxy belongs to this broker; its session ends with the connection.
  if (coord && !spec.coordinator) caf::anon_send_exit(coord, caf::exit_reason::user_shutdown);
}

namespace {

std::string partition_dir(const state& st, const std::string& topic, int32_t p) {
  const auto& dirs = st.spec.config.log_dirs;
  return dirs[size_t(p) % dirs.size()] + "/" + topic + "-" + std::to_string(p);
}

void spawn_slot(self_ptr self, const std::string& topic, int32_t p) {
  auto& st = self->state;
  auto& t = st.topics.at(topic);
  partition_spec ps;
  ps.topic = topic;
  ps.partition = p;
  ps.dir = partition_dir(st, topic, p);
  ps.config = t.config;
  ps.retention_check_interval_ms = st.spec.config.retention_check_interval_ms;
  ps.hw_checkpoint_interval_ms = st.spec.config.hw_checkpoint_interval_ms;
  ps.cleaner_backoff_ms = st.spec.config.cleaner_backoff_ms;
  ps.role = role_of(st, topic, p);
  ps.broker = self;
  ps.peers = st.spec.peers;
  ps.replica_lag_time_max_ms = st.spec.config.replica_lag_time_max_ms;
  ps.replica_fetch_max_bytes = st.spec.config.replica_fetch_max_bytes;
  ps.actors = st.spec.node->actors();
  ps.flusher = st.spec.node->flusher;
  auto a = spawn_partition(self->system(), std::move(ps));
  self->monitor(a);
  auto name = topic + "-" + std::to_string(p);
  st.spec.node->actors()->add("partition/" + name, "partition", name,
                              caf::actor_cast<caf::actor>(a));
  st.by_addr[a.address()] = {topic, p};
  t.slots[size_t(p)].actor = a;
  st.spec.directory->set(topic, p, a);
}

net::topic_info describe(const state& st, const std::string& name, const topic_entry& t) {
  net::topic_info ti;
  ti.name = name;
  auto props = t.config.to_properties();
  ti.configs.insert(props.begin(), props.end());
  for (const auto& [k, v] : t.def.configs) ti.overrides.push_back(k);
  for (size_t p = 0; p < t.states.size(); ++p) {
    const auto& s = t.states[p];
    net::partition_info pi;
    pi.partition = int32_t(p);
    bool up = s.leader >= 0 && st.brokers.count(s.leader) &&
              !(s.leader == my_id(st) && t.slots[p].offline);
    pi.leader = up ? s.leader : -1;
    pi.leader_epoch = s.leader_epoch;
    pi.error = up ? errc::none : errc::leader_not_available;
    pi.replicas = t.def.replicas[p];
    pi.isr = s.isr;
    ti.partitions.push_back(std::move(pi));
  }
  return ti;
}

void start_group_coordinator(self_ptr self) {
  auto& st = self->state;
  st.group = spawn_group_coordinator(self->system(), st.spec.node);
  self->monitor(st.group);
  st.spec.node->actors()->add("group-coordinator", "group-coordinator",
                              "groups of broker " + std::to_string(my_id(st)),
                              caf::actor_cast<caf::actor>(st.group));
  st.spec.node->set_group_coordinator(st.group);
}

void start_controller(self_ptr self) {
  auto& st = self->state;
  st.controller = spawn_controller(self->system(), st.coord, st.session, my_id(st),
                                   st.spec.config.topic_defaults);
  self->monitor(st.controller);
  st.spec.node->actors()->add("controller", "controller",
                              "controller of broker " + std::to_string(my_id(st)),
                              caf::actor_cast<caf::actor>(st.controller));
}

// Logs the crash of child `what` and schedules its restart message `restart` after its backoff.
template <class... Restart>
void schedule_restart(self_ptr self, runtime::restart_backoff& backoff, const std::string& what,
                      const caf::error& reason, Restart... restart) {
  auto delay = *backoff.on_crash(clock_type::now());
  BROOK_LOG_WARN("[Broker id=" << my_id(self->state) << "] " << what << " died ("
                               << caf::to_string(reason) << "); restarting in " << delay.count()
                               << " ms");
  self->delayed_send(self, delay, restart_atom::value, restart...);
}

void on_down(self_ptr self, const caf::down_msg& msg) {
  auto& st = self->state;
  if (msg.source == st.coord.address())
    return fail(self, std::string(lost_coordinator_reason) + ": " + caf::to_string(msg.reason));
  if (st.controller && msg.source == st.controller.address()) {
    // Its /controller node (if it held it) belongs to the broker's session and stays; the new
    // controller actor finds it held by that same session and takes over at once.
    st.controller = controller_actor{};
    return schedule_restart(self, st.controller_restarts, "controller actor", msg.reason,
                            controller_atom::value);
  }
  if (st.group && msg.source == st.group.address()) {
    st.group = group_coordinator_actor{};
    st.spec.node->set_group_coordinator(st.group);
    return schedule_restart(self, st.group_restarts, "group coordinator", msg.reason,
                            group_atom::value);
  }
  auto it = st.by_addr.find(msg.source);
  if (it == st.by_addr.end()) return;
  auto [topic, p] = it->second;
  st.by_addr.erase(it);
  auto tit = st.topics.find(topic);
  if (tit == st.topics.end() || size_t(p) >= tit->second.slots.size()) return;
  auto& slot = tit->second.slots[size_t(p)];
  if (slot.actor && slot.actor.address() != msg.source) return;  // an older incarnation
  slot.actor = partition_actor{};
  st.spec.directory->set(topic, p, partition_actor{});
  if (msg.reason == caf::exit_reason::normal) return;
  auto name = topic + "-" + std::to_string(p);
  auto delay = slot.restarts.on_crash(clock_type::now());
  if (!delay) {
    slot.offline = true;
    BROOK_LOG_ERROR(
        "[Broker id=" << my_id(st) << "] partition " << name << " crashed "
                      << slot.restarts.crashes()
                      << " times within 60 s; giving up, partition is OFFLINE. Last reason: "
                      << caf::to_string(msg.reason));
    hand_over_leadership(self, topic, p);
    return;
  }
  BROOK_LOG_WARN("[Broker id=" << my_id(st) << "] partition actor " << name << " died ("
                               << caf::to_string(msg.reason) << "); restarting in "
                               << delay->count() << " ms");
  self->delayed_send(self, *delay, restart_atom::value, topic, p);
}

// An admin operation answered by a status_response: `op(done)` runs it, `done` delivers.
template <class Op>
caf::typed_response_promise<net::status_response> answer_status(self_ptr self, Op op) {
  auto promise = self->make_response_promise<net::status_response>();
  op([promise](runtime::status s) mutable {
    promise.deliver(net::status_response{s.code(), s.message()});
  });
  return promise;
}

template <class Response>
caf::typed_response_promise<Response> answer_now(self_ptr self, Response r) {
  auto promise = self->make_response_promise<Response>();
  promise.deliver(std::move(r));
  return promise;
}

// Metadata; missing topics are created first when allowed.
caf::typed_response_promise<net::metadata_response> on_metadata(self_ptr self,
                                                                net::metadata_request& req) {
  auto& st = self->state;
  auto promise = self->make_response_promise<net::metadata_response>();
  std::vector<std::string> missing;
  if (!req.all_topics && req.allow_auto_create && st.spec.config.auto_create_topics)
    for (const auto& name : req.topics)
      if (!st.topics.count(name) && valid_topic_name(name)) missing.push_back(name);
  // One more than the creations, so the answer waits for the loop to end.
  auto finish = runtime::countdown(missing.size() + 1, [self, promise, req]() mutable {
    promise.deliver(metadata(self->state, req.topics, req.all_topics));
  });
  for (const auto& name : missing) {
    net::create_topic_request c;
    c.name = name;
    create_topic(self, c, [name, finish](runtime::status s) {
      if (!s && s.code() != errc::topic_already_exists)
        BROOK_LOG_WARN("auto-create of topic " << name << " failed: " << s.to_string());
      finish();
    });
  }
  finish();
  return promise;
}

}  // namespace

net::partition_role role_of(const state& st, const std::string& topic, int32_t p) {
  const auto& t = st.topics.at(topic);
  net::partition_role r;
  r.broker_id = my_id(st);
  r.state = t.states[size_t(p)];
  r.replicas = t.def.replicas[size_t(p)];
  auto b = st.brokers.find(r.state.leader);
  if (b != st.brokers.end())
    r.leader = b->second;
  else
    r.leader.id = -1;
  return r;
}

void host_partition(self_ptr self, const std::string& topic, int32_t p) {
  auto& st = self->state;
  auto& t = st.topics.at(topic);
  if (!net::has_replica(t.def.replicas[size_t(p)], my_id(st)) || t.versions[size_t(p)] < 0) return;
  auto& slot = t.slots[size_t(p)];
  if (slot.actor)
    self->send(slot.actor, role_of(st, topic, p));
  else if (!slot.offline)
    spawn_slot(self, topic, p);
}

void drop_local(self_ptr self, const std::string& topic, std::function<void()> done) {
  auto& st = self->state;
  auto it = st.topics.find(topic);
  if (it == st.topics.end()) return done();
  st.spec.directory->erase(topic);
  auto& slots = it->second.slots;
  // One more than the running replicas, so `done` waits for the loop to end.
  auto one = runtime::countdown(
      size_t(std::count_if(slots.begin(), slots.end(),
                           [](const partition_slot& s) { return bool(s.actor); })) +
          1,
      std::move(done));
  for (size_t p = 0; p < slots.size(); ++p) {
    auto& slot = slots[p];
    if (slot.actor) {
      st.by_addr.erase(slot.actor.address());
      self->demonitor(slot.actor.address());
      self->request(slot.actor, std::chrono::seconds(30), drop_atom::value)
          .then([one](bool) { one(); }, [one](caf::error&) { one(); });
    } else if (net::has_replica(it->second.def.replicas[p], my_id(st))) {
      std::error_code ec;
      fs::remove_all(partition_dir(st, topic, int32_t(p)), ec);
    }
  }
  st.topics.erase(it);
  one();
}

net::metadata_response metadata(const state& st, const std::vector<std::string>& topics, bool all) {
  net::metadata_response resp;
  resp.controller_id = st.controller_id;
  for (const auto& [id, b] : st.brokers) resp.brokers.push_back(b);
  auto add = [&](const std::string& name) {
    auto it = st.topics.find(name);
    if (it != st.topics.end()) return resp.topics.push_back(describe(st, name, it->second));
    net::topic_info ti;
    ti.name = name;
    // An illegal name can never exist: clients fail fast on INVALID_TOPIC_EXCEPTION instead of
    // retrying as for an unknown topic.
    ti.error = valid_topic_name(name) ? errc::unknown_topic_or_partition : errc::invalid_topic;
    resp.topics.push_back(std::move(ti));
  };
  if (all)
    for (const auto& [name, t] : st.topics) add(name);
  else
    for (const auto& name : topics) add(name);
  return resp;
}

void on_ready(self_ptr self) {
  auto& st = self->state;
  if (st.ready) return;
  st.ready = true;
  start_controller(self);
  start_group_coordinator(self);
  BROOK_LOG_INFO("[Broker id=" << my_id(st) << "] metadata loaded: " << st.brokers.size()
                               << " broker(s), " << st.topics.size() << " topic(s), controller "
                               << st.controller_id);
  for (auto& [req, promise] : st.waiting) promise.deliver(metadata(st, req.topics, req.all_topics));
  st.waiting.clear();
}

namespace {

broker_actor::behavior_type broker_impl(self_ptr self, broker_spec spec) {
  self->state.spec = std::move(spec);
  self->state.topic_defaults = self->state.spec.config.topic_defaults;
  self->set_down_handler([self](caf::down_msg& msg) { on_down(self, msg); });
  start_cluster(self);
  return {
      [self](net::metadata_request& req) -> caf::typed_response_promise<net::metadata_response> {
        if (!self->state.ready) {
          auto promise = self->make_response_promise<net::metadata_response>();
          self->state.waiting.emplace_back(std::move(req), promise);
          return promise;
        }
        return on_metadata(self, req);
      },
      [self](net::create_topic_request& req) {
        return answer_status(self, [&](done_fn done) { create_topic(self, std::move(req), done); });
      },
      [self](net::create_partitions_request& req) {
        return answer_status(self,
                             [&](done_fn done) { create_partitions(self, std::move(req), done); });
      },
      [self](net::delete_topic_request& req) {
        return answer_status(self, [&](done_fn done) { delete_topic(self, req.name, done); });
      },
      [self](net::alter_configs_request& req) {
        return answer_status(self, [&](done_fn done) { alter_configs(self, req, done); });
      },
      [self](net::alter_user_request& req) {
        return answer_status(self, [&](done_fn done) { alter_user(self, req, done); });
      },
      [self](net::create_acls_request& req) {
        auto promise = self->make_response_promise<net::acls_response>();
        create_acls(self, req, [promise](net::acls_response r) mutable { promise.deliver(r); });
        return promise;
      },
      [self](net::delete_acls_request& req) {
        auto promise = self->make_response_promise<net::acls_response>();
        delete_acls(self, req, [promise](net::acls_response r) mutable { promise.deliver(r); });
        return promise;
      },
      [self](net::describe_log_dirs_request& req) {
        auto promise = self->make_response_promise<net::describe_log_dirs_response>();
        describe_log_dirs(self, req, promise);
        return promise;
      },
      [self](net::kill_actor_request& req) -> net::status_response {
        auto& st = self->state;
        if (req.kind != "partition")
          return {errc::invalid_request,
                  "unknown actor kind '" + req.kind + "' (expected partition)"};
        auto a = st.spec.directory->find(req.topic, req.partition);
        if (!a)
          return {errc::unknown_topic_or_partition,
                  "no partition " + req.topic + "-" + std::to_string(req.partition)};
        if (!*a)
          return {errc::leader_not_available,
                  "no partition actor for it on this broker (restarting or not hosted here)"};
        BROOK_LOG_WARN("[Broker id=" << my_id(st) << "] admin kill of partition actor " << req.topic
                                     << "-" << req.partition);
        caf::anon_send_exit(*a, caf::exit_reason::kill);
        return {errc::none, ""};
      },
      [self](net::init_producer_id_request&)
          -> caf::typed_response_promise<net::init_producer_id_response> {
        auto promise = self->make_response_promise<net::init_producer_id_response>();
        init_producer_id(self, promise);
        return promise;
      },
      [self](net::alter_isr_request& req) { on_alter_isr(self, req); },
      [self](net::coord_watch_event& e) { on_watch_event(self, e); },
      [self](tick_atom) { on_tick(self); },
      [self](restart_atom, group_atom) {
        if (!self->state.group) start_group_coordinator(self);
      },
      [self](restart_atom, controller_atom) {
        if (!self->state.controller) start_controller(self);
      },
      [self](restart_atom, const std::string& topic, int32_t p) {
        auto& st = self->state;
        auto it = st.topics.find(topic);
        if (it == st.topics.end() || size_t(p) >= it->second.slots.size()) return;
        if (it->second.slots[size_t(p)].actor) return;
        spawn_slot(self, topic, p);
        BROOK_LOG_INFO("[Broker id=" << my_id(st) << "] restarted partition actor " << topic << "-"
                                     << p);
      },
  };
}

}  // namespace
}  // namespace broker_detail

runtime::status check_topic_name(const std::string& name) {
  auto invalid = [](const std::string& why) {
    return runtime::status{runtime::errc::invalid_topic, "Topic name is invalid: " + why};
  };
  if (name.empty()) return invalid("the empty string is not allowed");
  if (name == "." || name == "..") return invalid("'" + name + "' is not allowed");
  if (name.size() > 249)
    return invalid("the length of '" + name + "' is longer than the max allowed length 249");
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '_' || c == '-'))
      return invalid("'" + name +
                     "' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'");
  return {};
}

bool valid_topic_name(const std::string& name) { return check_topic_name(name).is_ok(); }

broker_actor spawn_broker(caf::actor_system& sys, broker_spec spec) {
  return sys.spawn(broker_detail::broker_impl, std::move(spec));
}

}  // namespace brook::actors
