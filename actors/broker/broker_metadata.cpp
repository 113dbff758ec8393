// The broker's metadata cache, kept in sync with the coordinator through watches: live brokers,
// the controller, topics and every partition state (the metadata broadcast). Also the leader's
// side of ISR changes and the hand-over of a partition that went OFFLINE here.
#include <algorithm>
#include <caf/all.hpp>
#include <memory>

#include "actors/broker/broker_internal.hpp"
#include "actors/controller/controller_actor.hpp"
#include "actors/directory/partition_directory.hpp"
#include "runtime/countdown.hpp"
#include "runtime/log.hpp"

namespace brook::actors::broker_detail {

namespace paths = net::cluster_paths;
using net::coord_response;
using net::errc;

namespace {

// Every partition of `t` has a state read from the coordinator.
bool all_states_known(const topic_entry& t) {
  return std::all_of(t.versions.begin(), t.versions.end(), [](int64_t v) { return v >= 0; });
}


void watch(self_ptr self, const std::string& path) {
  watch_coordinator(self, self->state.coord, path, [self, path](coord_response& r) {
    if (r.error != errc::none)
      BROOK_LOG_WARN("[Broker id=" << my_id(self->state) << "] cannot watch " << path << ": "
                                   << r.message);
  });
}

void load_brokers(self_ptr self, std::function<void()> done) {
  ask(self, net::coord_children_request{paths::broker_ids}, [self, done](coord_response& r) {
    auto found = std::make_shared<std::map<int32_t, net::broker_info>>();
    auto finish = runtime::countdown(r.children.size(), [self, found, done] {
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
  if (r.error != errc::none || it == st.topics.end() || p < 0 || p >= it->second.def.partitions)
    return;
  auto& t = it->second;
  if (t.versions[size_t(p)] > r.version) return;  // an older read overtaken by a newer one
  auto s = net::unpack_value<net::partition_state>(r.value);
  if (!s) {
    BROOK_LOG_ERROR("[Broker id=" << my_id(st) << "] " << topic << "-" << p << ": "
                                  << s.error().to_string());
    return;
  }
  t.states[size_t(p)] = std::move(*s);
  t.versions[size_t(p)] = r.version;
  host_partition(self, topic, p);
  auto waiting = st.awaiting_states.find(topic);
  if (waiting != st.awaiting_states.end() && all_states_known(t)) {
    auto dones = std::move(waiting->second);
    st.awaiting_states.erase(waiting);
    for (auto& d : dones) d({});
  }
}

// The topic of "/brokers/topics/<topic>"; empty for any other path.
std::string topic_of_definition(const std::string& path) {
  auto prefix = paths::topics + "/";
  if (path.rfind(prefix, 0) != 0 || path.find('/', prefix.size()) != std::string::npos) return {};
  return path.substr(prefix.size());
}

// A changed definition of a topic in the cache: more partitions, or other configs.
void reload_topic(self_ptr self, const std::string& name) {
  ask(self, net::coord_get_request{paths::topic(name)}, [self, name](coord_response& r) {
    if (r.error != errc::none) return;  // deleted: the topic list's watch handles it
    auto def = net::unpack_value<net::topic_definition>(r.value);
    if (!def || def->deleting) return;
    grow_topic(self, name, *def);
    apply_topic_configs(self, name, def->configs);
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

void load_topic(self_ptr self, const std::string& name, std::function<void()> done) {
  ask(self, net::coord_get_request{paths::topic(name)}, [self, name, done](coord_response& r) {
    if (r.error != errc::none) return done();
    auto def = net::unpack_value<net::topic_definition>(r.value);
    if (!def || !add_topic(self, name, std::move(*def))) return done();
    auto n = self->state.topics.at(name).def.partitions;
    auto finish = runtime::countdown(size_t(n), done);
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
    auto finish = runtime::countdown(fresh.size(), done);
    for (const auto& name : fresh) load_topic(self, name, finish);
  });
}

}  // namespace

void load_partition(self_ptr self, const std::string& topic, int32_t p,
                    std::function<void()> done) {
  ask(self, net::coord_get_request{paths::partition(topic, p)},
      [self, topic, p, done](coord_response& r) {
        apply_state(self, topic, p, r);
        done();
      });
}

bool add_topic(self_ptr self, const std::string& name, net::topic_definition def) {
  auto& st = self->state;
  if (st.topics.count(name)) return true;
  topic_entry t;
  t.config = st.topic_defaults;
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
  watch(self, paths::topic(name));
  for (size_t p = 0; p < n; ++p) watch(self, paths::partition(name, int32_t(p)));
  return true;
}

void when_states_known(self_ptr self, const std::string& name, done_fn done) {
  auto& st = self->state;
  auto it = st.topics.find(name);
  if (it != st.topics.end() && all_states_known(it->second)) return done({});
  st.awaiting_states[name].push_back(std::move(done));
}

void grow_topic(self_ptr self, const std::string& name, const net::topic_definition& def) {
  auto& st = self->state;
  auto it = st.topics.find(name);
  if (it == st.topics.end()) return;
  auto& t = it->second;
  auto old = size_t(t.def.partitions), n = size_t(def.partitions);
  if (n <= old || def.replicas.size() != n) return;
  t.def.partitions = def.partitions;
  t.def.replicas = def.replicas;
  t.states.resize(n);
  t.versions.resize(n, -1);
  t.slots.resize(n);
  st.spec.directory->grow(name, n);
  BROOK_LOG_INFO("[Broker id=" << my_id(st) << "] topic " << name << " grows from " << old
                               << " to " << n << " partitions");
  for (size_t p = old; p < n; ++p) {
    watch(self, paths::partition(name, int32_t(p)));
    load_partition(self, name, int32_t(p), [] {});
  }
}

void load_metadata(self_ptr self, std::function<void()> done) {
  auto id = std::to_string(my_id(self->state));
  for (const auto& p :
       {paths::broker_ids, paths::topics, paths::controller, paths::broker_config(""),
        paths::broker_config(id), net::security_paths::users, net::security_paths::acls})
    watch(self, p);
  load_access(self);
  auto finish = runtime::countdown(4, std::move(done));
  // The dynamic broker defaults first, so topics are loaded with them.
  load_broker_configs(self, [self, finish] {
    finish();
    load_topics(self, finish);
  });
  load_brokers(self, finish);
  load_controller(self, finish);
}

void on_watch_event(self_ptr self, const net::coord_watch_event& e) {
  std::string topic;
  int32_t p = 0;
  if (e.path == paths::broker_ids) return load_brokers(self, [] {});
  if (e.path == paths::controller) return load_controller(self, [] {});
  if (e.path == paths::topics) return load_topics(self, [] {});
  if (is_broker_config_path(self->state, e.path)) return load_broker_configs(self, [] {});
  if (on_access_change(self, e.path)) return;
  if (parse_partition_path(e.path, topic, p)) return load_partition(self, topic, p, [] {});
  topic = topic_of_definition(e.path);
  if (!topic.empty() && e.type == int8_t(net::coord_event::changed) && self->state.topics.count(topic))
    reload_topic(self, topic);
}

void on_alter_isr(self_ptr self, net::alter_isr_request& req) {
  auto& st = self->state;
  auto it = st.topics.find(req.topic);
  if (it == st.topics.end() || req.partition < 0 || req.partition >= it->second.def.partitions)
    return;
  auto cur = it->second.states[size_t(req.partition)];
  if (cur.leader != my_id(st) || cur.leader_epoch != req.leader_epoch) return;  // stale request
  cur.isr = req.isr;
  auto path = paths::partition(req.topic, req.partition);
  ask(self,
      net::coord_set_request{path, net::pack_value(cur),
                             it->second.versions[size_t(req.partition)]},
      [self, topic = req.topic, p = req.partition](coord_response& r) {
        // Written or not, reading the state back tells the leader where it stands.
        if (r.error != errc::none)
          BROOK_LOG_INFO("[Broker id=" << my_id(self->state) << "] ISR change of " << topic << "-"
                                       << p << " not written: " << r.message);
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
                               << " cannot be served here; leadership moves to " << next.leader
                               << " at epoch " << next.leader_epoch);
  ask(self,
      net::coord_set_request{paths::partition(topic, p), net::pack_value(next),
                             t.versions[size_t(p)]},
      [self, topic, p](coord_response& r) {
        if (r.error != errc::none)
          BROOK_LOG_WARN("[Broker id=" << my_id(self->state) << "] leadership of " << topic << "-"
                                       << p << " not handed over: " << r.message);
        load_partition(self, topic, p, [] {});
      });
}

}  // namespace brook::actors::broker_detail
