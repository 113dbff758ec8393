// The broker's side of the cluster: its coordinator session and registration, the metadata cache
// kept in sync with the coordinator through watches, topic creation and deletion, and producer
// id blocks.
#include <caf/all.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>

#include "actors/broker_internal.hpp"
#include "actors/coord_ask.hpp"
#include "actors/controller_actor.hpp"
#include "actors/coord_proxy.hpp"
#include "runtime/durable_file.hpp"
#include "runtime/log.hpp"

namespace brook::actors::broker_detail {

namespace paths = net::cluster_paths;
using net::coord_response;
using net::errc;
using runtime::status;

namespace {

status to_status(const coord_response& r) { return {r.error, r.message}; }

template <class Request>
void ask(self_ptr self, Request req, std::function<void(coord_response&)> then) {
  ask_coordinator(self, self->state.coord, std::move(then), std::move(req));
}

void watch(self_ptr self, const std::string& path) {
  watch_coordinator(self, self->state.coord, path, [self, path](coord_response& r) {
    if (r.error != errc::none)
      BROOK_LOG_WARN("[Broker id=" << my_id(self->state) << "] cannot watch " << path << ": " << r.message);
  });
}

void load_brokers(self_ptr self, std::function<void()> done) {
  ask(self, net::coord_children_request{paths::broker_ids}, [self, done](coord_response& r) {
    auto found = std::make_shared<std::map<int32_t, net::broker_info>>();
    auto finish = countdown(r.children.size(), [self, found, done] {
      auto& st = self->state;
      st.brokers = std::move(*found);
      // Leaders may have moved to new endpoints: every hosted replica gets its role again.
      for (auto& [name, t] : st.topics)
        for (size_t p = 0; p < t.slots.size(); ++p)
          if (t.slots[p].actor) self->send(t.slots[p].actor, role_of(st, name, int32_t(p)));
      done();
    });
    for (const auto& child : r.children)
      ask(self, net::coord_get_request{paths::broker_ids + "/" + child},
          [found, finish](coord_response& g) {
            if (g.error == errc::none)
              if (auto b = net::unpack_value<net::broker_info>(g.value)) (*found)[b->id] = *b;
            finish();
          });
  });
}

void load_controller(self_ptr self, std::function<void()> done) {
  ask(self, net::coord_get_request{paths::controller}, [self, done](coord_response& r) {
    self->state.controller_id = r.error == errc::none ? std::atoi(r.value.c_str()) : -1;
    done();
  });
}

void apply_state(self_ptr self, const std::string& topic, int32_t p, const coord_response& r) {
  auto& st = self->state;
  auto it = st.topics.find(topic);
  if (r.error != errc::none || it == st.topics.end() || p < 0 || p >= it->second.def.partitions) return;
  auto& t = it->second;
  if (t.versions[size_t(p)] > r.version) return;  // an older read overtaken by a newer one
  auto s = net::unpack_value<net::partition_state>(r.value);
  if (!s) {
    BROOK_LOG_ERROR("[Broker id=" << my_id(st) << "] " << topic << "-" << p << ": " << s.error().to_string());
    return;
  }
  t.states[size_t(p)] = std::move(*s);
  t.versions[size_t(p)] = r.version;
  host_partition(self, topic, p);
  auto waiting = st.creating.find(topic);
  if (waiting != st.creating.end() &&
      std::all_of(t.versions.begin(), t.versions.end(), [](int64_t v) { return v >= 0; })) {
    BROOK_LOG_INFO("[Broker id=" << my_id(st) << "] created topic " << topic << " with " << t.def.partitions
                                 << " partition(s), replication factor " << t.def.replicas.front().size());
    auto dones = std::move(waiting->second);
    st.creating.erase(waiting);
    for (auto& d : dones) d({});
  }
}

void load_partition(self_ptr self, const std::string& topic, int32_t p, std::function<void()> done) {
  ask(self, net::coord_get_request{paths::partition(topic, p)}, [self, topic, p, done](coord_response& r) {
    apply_state(self, topic, p, r);
    done();
  });
}

// Adds a topic to the cache (idempotent) and watches its partition states.
bool add_topic(self_ptr self, const std::string& name, net::topic_definition def) {
  auto& st = self->state;
  if (st.topics.count(name)) return true;
  topic_entry t;
  t.config = st.spec.config.topic_defaults;
  runtime::properties overrides(def.configs.begin(), def.configs.end());
  if (auto s = t.config.apply(overrides); !s) {
    BROOK_LOG_ERROR("[Broker id=" << my_id(st) << "] topic " << name << ": " << s.to_string());
    return false;
  }
  auto n = size_t(def.partitions);
  t.def = std::move(def);
  t.states.resize(n);
  t.versions.assign(n, -1);
  t.slots.resize(n);
  st.spec.directory->set_topic(name, std::vector<partition_actor>(n),
                               t.config.urgency_class == runtime::urgency::urgent);
  st.topics.emplace(name, std::move(t));
  for (size_t p = 0; p < n; ++p) watch(self, paths::partition(name, int32_t(p)));
  return true;
}

void load_topic(self_ptr self, const std::string& name, std::function<void()> done) {
  ask(self, net::coord_get_request{paths::topic(name)}, [self, name, done](coord_response& r) {
    if (r.error != errc::none) return done();
    auto def = net::unpack_value<net::topic_definition>(r.value);
    if (!def || !add_topic(self, name, std::move(*def))) return done();
    auto n = self->state.topics.at(name).def.partitions;
    auto finish = countdown(size_t(n), done);
    for (int32_t p = 0; p < n; ++p) load_partition(self, name, p, finish);
  });
}

void load_topics(self_ptr self, std::function<void()> done) {
  ask(self, net::coord_children_request{paths::topics}, [self, done](coord_response& r) {
    auto& st = self->state;
    std::vector<std::string> gone;
    for (const auto& [name, t] : st.topics)
      if (!std::binary_search(r.children.begin(), r.children.end(), name)) gone.push_back(name);
    for (const auto& name : gone) drop_local(self, name, [] {});
    std::vector<std::string> fresh;
    for (const auto& name : r.children)
      if (!st.topics.count(name)) fresh.push_back(name);
    auto finish = countdown(fresh.size(), done);
    for (const auto& name : fresh) load_topic(self, name, finish);
  });
}

void register_broker(self_ptr self) {
  auto& st = self->state;
  st.last_register_try = clock_type::now();
  net::broker_info me{my_id(st), st.spec.advertised_host, st.spec.advertised_port,
                      st.spec.kafka_advertised.host, st.spec.kafka_advertised.port};
  net::coord_create_request req{paths::broker(me.id), net::pack_value(me), true, st.session, true};
  ask(self, std::move(req), [self](coord_response& r) {
    auto& st = self->state;
    if (r.error == errc::node_exists) {
      // An earlier incarnation's session ends within its timeout; a live broker with the same
      // id holds it for good.
      auto now = clock_type::now();
      if (st.register_conflict_since == clock_type::time_point{}) {
        st.register_conflict_since = now;
        BROOK_LOG_INFO("[Broker id=" << my_id(st) << "] " << paths::broker(my_id(st))
                                     << " is still held by an earlier session; waiting for it to end");
      }
      if (now - st.register_conflict_since > 2 * std::chrono::milliseconds(st.spec.config.coordinator_session_timeout_ms))
        fail(self, "broker.id " + std::to_string(my_id(st)) + " is registered by another live broker; "
                   "give every broker its own broker.id");
      return;  // on_tick tries again
    }
    if (r.error != errc::none) return fail(self, "cannot register: " + to_status(r).to_string());
    st.registered = true;
    BROOK_LOG_INFO("[Broker id=" << my_id(st) << "] registered at " << paths::broker(my_id(st)));
    for (const auto& p : {paths::broker_ids, paths::topics, paths::controller}) watch(self, p);
    auto finish = countdown(3, [self] { on_ready(self); });
    load_brokers(self, finish);
    load_controller(self, finish);
    load_topics(self, finish);
  });
}

// Split "/brokers/topics/<topic>/<p>" into its parts; false for any other path.
bool parse_partition_path(const std::string& path, std::string& topic, int32_t& p) {
  auto prefix = paths::topics + "/";
  if (path.rfind(prefix, 0) != 0) return false;
  auto rest = path.substr(prefix.size());
  auto slash = rest.find('/');
  if (slash == std::string::npos) return false;
  topic = rest.substr(0, slash);
  p = std::atoi(rest.c_str() + slash + 1);
  return true;
}

void reserve_producer_ids(self_ptr self);

void hand_out_ids(self_ptr self) {
  auto& st = self->state;
  while (!st.id_waiters.empty() && st.next_producer_id < st.producer_id_limit) {
    st.id_waiters.back().deliver(net::init_producer_id_response{errc::none, "", st.next_producer_id++, 0});
    st.id_waiters.pop_back();
  }
  if (!st.id_waiters.empty()) reserve_producer_ids(self);
}

void fail_id_waiters(self_ptr self, const status& s) {
  for (auto& w : self->state.id_waiters) w.deliver(net::init_producer_id_response{s.code(), s.message(), -1, -1});
  self->state.id_waiters.clear();
}

constexpr int64_t producer_id_block = 1000;

// Reserves the next block: a compare-and-set of /brokers/producer_id_block.
void reserve_producer_ids(self_ptr self) {
  auto& st = self->state;
  if (st.reserving_ids) return;
  st.reserving_ids = true;
  ask(self, net::coord_get_request{paths::producer_id_block}, [self](coord_response& g) {
    auto& st = self->state;
    if (g.error != errc::none && g.error != errc::no_node) {
      st.reserving_ids = false;
      return fail_id_waiters(self, to_status(g));
    }
    int64_t start = g.error == errc::none ? std::atoll(g.value.c_str()) : 0;
    auto next = std::to_string(start + producer_id_block);
    auto on_written = [self, start](coord_response& w) {
      auto& st = self->state;
      st.reserving_ids = false;
      if (w.error == errc::bad_version || w.error == errc::node_exists) return reserve_producer_ids(self);
      if (w.error != errc::none) return fail_id_waiters(self, to_status(w));
      st.next_producer_id = start;
      st.producer_id_limit = start + producer_id_block;
      hand_out_ids(self);
    };
    if (g.error == errc::no_node)
      ask(self, net::coord_create_request{paths::producer_id_block, next, false, 0, true}, on_written);
    else
      ask(self, net::coord_set_request{paths::producer_id_block, next, g.version}, on_written);
  });
}

// Where the broker keeps the id of its coordinator session (to end it after a crash).
std::string session_file(const state& st) {
  return st.spec.config.log_dirs.front() + "/__brook_meta/coordinator_session";
}

}  // namespace

std::function<void()> countdown(size_t n, std::function<void()> f) {
  if (n == 0) {
    f();
    return [] {};
  }
  auto left = std::make_shared<size_t>(n);
  return [left, f = std::move(f)] {
    if (--*left == 0) f();
  };
}

void fail(self_ptr self, const std::string& why) {
  BROOK_LOG_ERROR("[Broker id=" << my_id(self->state) << "] " << why);
  self->quit(caf::make_error(caf::sec::runtime_error, why));
}

void start_cluster(self_ptr self) {
  auto& st = self->state;
  if (st.spec.coordinator) {
    st.coord = st.spec.coordinator;
  } else {
    auto ep = runtime::parse_endpoint(st.spec.config.coordinator_connect);
    st.coord = spawn_remote_coordinator(self->system(), *ep, std::chrono::seconds(30));
  }
  self->monitor(st.coord);
  net::coord_session_open_request open{st.spec.config.coordinator_session_timeout_ms};
  ask(self, open, [self](coord_response& r) {
    if (r.error != errc::none) return fail(self, "cannot open a coordinator session: " + to_status(r).to_string());
    auto& st = self->state;
    st.session = r.session;
    st.last_heartbeat = clock_type::now();
    // The session of this broker's previous run (kill -9, crash) still holds /brokers/ids/<id>
    // until it times out; it is ours, so end it now rather than wait.
    auto file = session_file(st);
    std::ifstream in(file);
    uint64_t previous = 0;
    if (in >> previous && previous != st.session) {
      ask(self, net::coord_session_request{previous, true}, [self](coord_response&) { register_broker(self); });
    } else {
      register_broker(self);
    }
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(file).parent_path(), ec);
    if (auto w = runtime::write_file_durably(file, std::to_string(st.session) + "\n"); !w)
      BROOK_LOG_WARN("[Broker id=" << my_id(st) << "] " << w.to_string());
  });
  self->delayed_send(self, std::chrono::milliseconds(100), tick_atom::value);
}

void on_tick(self_ptr self) {
  auto& st = self->state;
  auto now = clock_type::now();
  auto every = std::chrono::milliseconds(st.spec.config.coordinator_session_timeout_ms / 3);
  if (st.session && now - st.last_heartbeat >= every) {
    st.last_heartbeat = now;
    ask(self, net::coord_session_request{st.session, false}, [self](coord_response& r) {
      if (r.error == errc::session_expired) fail(self, "coordinator session expired");
      else if (r.error != errc::none)
        BROOK_LOG_WARN("[Broker id=" << my_id(self->state) << "] heartbeat failed: " << r.message);
    });
  }
  if (st.session && !st.registered && now - st.last_register_try >= std::chrono::milliseconds(200))
    register_broker(self);
  self->delayed_send(self, std::chrono::milliseconds(100), tick_atom::value);
}

void on_watch_event(self_ptr self, const net::coord_watch_event& e) {
  std::string topic;
  int32_t p = 0;
  if (e.path == paths::broker_ids) return load_brokers(self, [] {});
  if (e.path == paths::controller) return load_controller(self, [] {});
  if (e.path == paths::topics) return load_topics(self, [] {});
  if (parse_partition_path(e.path, topic, p)) load_partition(self, topic, p, [] {});
}

void on_alter_isr(self_ptr self, net::alter_isr_request& req) {
  auto& st = self->state;
  auto it = st.topics.find(req.topic);
  if (it == st.topics.end() || req.partition < 0 || req.partition >= it->second.def.partitions) return;
  auto cur = it->second.states[size_t(req.partition)];
  if (cur.leader != my_id(st) || cur.leader_epoch != req.leader_epoch) return;  // stale request
  cur.isr = req.isr;
  auto path = paths::partition(req.topic, req.partition);
  ask(self, net::coord_set_request{path, net::pack_value(cur), it->second.versions[size_t(req.partition)]},
      [self, topic = req.topic, p = req.partition](coord_response& r) {
        // Written or not, reading the state back tells the leader where it stands.
        if (r.error != errc::none)
          BROOK_LOG_INFO("[Broker id=" << my_id(self->state) << "] ISR change of " << topic << "-" << p
                                       << " not written: " << r.message);
        load_partition(self, topic, p, [] {});
      });
}

void hand_over_leadership(self_ptr self, const std::string& topic, int32_t p) {
  auto& st = self->state;
  auto it = st.topics.find(topic);
  if (it == st.topics.end()) return;
  const auto& t = it->second;
  auto cur = t.states[size_t(p)];
  if (cur.leader != my_id(st)) return;  // a follower: its leader drops it from the ISR by lag
  std::set<int32_t> others;
  for (const auto& [id, b] : st.brokers)
    if (id != my_id(st)) others.insert(id);
  auto next = elect(cur, t.def.replicas[size_t(p)], others, t.config.unclean_leader_election);
  BROOK_LOG_WARN("[Broker id=" << my_id(st) << "] partition " << topic << "-" << p
                               << " cannot be served here; leadership moves to " << next.leader << " at epoch "
                               << next.leader_epoch);
  ask(self, net::coord_set_request{paths::partition(topic, p), net::pack_value(next), t.versions[size_t(p)]},
      [self, topic, p](coord_response& r) {
        if (r.error != errc::none)
          BROOK_LOG_WARN("[Broker id=" << my_id(self->state) << "] leadership of " << topic << "-" << p
                                       << " not handed over: " << r.message);
        load_partition(self, topic, p, [] {});
      });
}

void create_topic(self_ptr self, net::create_topic_request req, done_fn done) {
  auto& st = self->state;
  if (!valid_topic_name(req.name))
    return done({errc::invalid_request, "invalid topic name '" + req.name + "': use 1-249 of [a-zA-Z0-9._-]"});
  if (st.topics.count(req.name)) return done({errc::topic_already_exists, "topic '" + req.name + "' already exists"});
  int32_t parts = req.partitions == -1 ? st.spec.config.num_partitions : req.partitions;
  if (parts < 1 || parts > 100000)
    return done({errc::invalid_partitions, "partitions must be between 1 and 100000, got " + std::to_string(parts)});
  int16_t rf = req.replication_factor == -1 ? st.spec.config.default_replication_factor : req.replication_factor;
  if (rf < 1 || size_t(rf) > st.brokers.size())
    return done({errc::invalid_replication_factor,
                 "replication factor " + std::to_string(rf) + " is larger than the " +
                     std::to_string(st.brokers.size()) + " available broker(s)"});
  runtime::properties overrides(req.configs.begin(), req.configs.end());
  runtime::topic_config probe = st.spec.config.topic_defaults;
  if (auto s = probe.apply(overrides); !s) return done(s);
  if (req.validate_only) return done({});
  std::vector<int32_t> ids;
  for (const auto& [id, b] : st.brokers) ids.push_back(id);
  net::topic_definition def{parts, req.configs,
                            assign_replicas(parts, rf, ids, std::hash<std::string>{}(req.name))};
  auto name = req.name;
  ask(self, net::coord_create_request{paths::topic(name), net::pack_value(def), false, 0, true},
      [self, name, def, done](coord_response& r) {
        if (r.error == errc::node_exists) return done({errc::topic_already_exists, "topic '" + name + "' already exists"});
        if (r.error != errc::none) return done(to_status(r));
        // The controller sees the new topic and writes its partitions' first states; answer
        // once they are here, so the topic is usable as soon as the client hears of it.
        add_topic(self, name, def);
        self->state.creating[name].push_back(done);
        for (int32_t p = 0; p < def.partitions; ++p) load_partition(self, name, p, [] {});
      });
}

void delete_topic(self_ptr self, const std::string& name, done_fn done) {
  auto& st = self->state;
  auto it = st.topics.find(name);
  if (it == st.topics.end()) return done({errc::unknown_topic_or_partition, "topic '" + name + "' does not exist"});
  if (name == "__consumer_offsets")
    return done({errc::policy_violation, "topic '" + name + "' is internal and cannot be deleted"});
  auto n = it->second.def.partitions;
  auto remove_topic = [self, name, done] {
    ask(self, net::coord_delete_request{paths::topic(name), -1}, [self, name, done](coord_response& r) {
      if (r.error != errc::none && r.error != errc::no_node) return done(to_status(r));
      // Answer only when every local replica has removed its files, so a topic created again
      // right after never shares a directory with the old one's cleanup.
      drop_local(self, name, [self, name, done] {
        BROOK_LOG_INFO("[Broker id=" << my_id(self->state) << "] deleted topic " << name);
        done({});
      });
    });
  };
  // Marked first, so the controller does not give the partitions new states while they go.
  auto marked = it->second.def;
  marked.deleting = true;
  ask(self, net::coord_set_request{paths::topic(name), net::pack_value(marked), -1},
      [self, name, n, remove_topic, done](coord_response& m) {
        if (m.error != errc::none) return done(to_status(m));
        auto finish = countdown(size_t(n), remove_topic);
        for (int32_t p = 0; p < n; ++p)
          ask(self, net::coord_delete_request{paths::partition(name, p), -1}, [finish](coord_response&) { finish(); });
      });
}

void init_producer_id(self_ptr self, caf::typed_response_promise<net::init_producer_id_response> p) {
  self->state.id_waiters.push_back(std::move(p));
  hand_out_ids(self);
}

}  // namespace brook::actors::broker_detail
