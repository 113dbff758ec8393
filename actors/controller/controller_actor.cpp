#include "actors/controller/controller_actor.hpp"

#include <algorithm>
#include <caf/all.hpp>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "actors/coord/coord_ask.hpp"
#include "runtime/config.hpp"
#include "runtime/log.hpp"

namespace brook::actors {

namespace {

namespace paths = net::cluster_paths;
using net::coord_response;
using net::errc;
constexpr std::chrono::seconds safety_interval{2};

struct controller_state {
  coordinator_actor coord;
  uint64_t session = 0;
  int32_t id = -1;
  // The broker's properties file's topic defaults (unclean.leader.election.enable, ...); the
  // dynamic broker configs (/config/brokers/...) are applied over them at every pass.
  runtime::topic_config topic_defaults;
  bool active = false;
  bool reconciling = false;
  bool again = false;  // something changed while reconciling
  std::set<std::string> watched;  // topic definitions watched (a grown topic needs new states)
  static inline const char* name = "controller";
};

using self_ptr = controller_actor::stateful_pointer<controller_state>;

template <class Request>
void ask(self_ptr self, Request req, std::function<void(coord_response&)> then) {
  ask_coordinator(self, self->state.coord, std::move(then), std::move(req));
}

void reconcile(self_ptr self);

// One reconciliation pass ended; `conflict` when a write lost a race and must be redone.
void finished(self_ptr self, bool conflict) {
  auto& st = self->state;
  st.reconciling = false;
  if (st.again || conflict) {
    st.again = false;
    reconcile(self);
  }
}

void reconcile_partition(self_ptr self, const std::string& topic, int32_t p,
                         const std::vector<int32_t>& replicas, bool unclean,
                         std::shared_ptr<std::set<int32_t>> live, std::function<void(bool)> done) {
  auto path = paths::partition(topic, p);
  ask(self, net::coord_get_request{path}, [=](coord_response& r) {
    if (r.error == errc::no_node) {
      // A new topic: its first live replica (the preferred leader when all are up) leads at
      // epoch 0 with every live replica in sync (all are empty).
      net::partition_state first;
      for (int32_t b : replicas)
        if (live->count(b)) first.isr.push_back(b);
      if (first.isr.empty()) return done(false);  // no replica alive yet; the next change retries
      first.leader = first.isr.front();
      BROOK_LOG_INFO("[Controller id=" << self->state.id << "] " << topic << "-" << p
                                       << ": new partition, leader " << first.leader << ", ISR "
                                       << net::format_replicas(first.isr));
      return ask(self, net::coord_create_request{path, net::pack_value(first), false, 0, false},
                 [done](coord_response& w) { done(w.error == errc::node_exists); });
    }
    if (r.error != errc::none) return done(false);
    auto cur = net::unpack_value<net::partition_state>(r.value);
    if (!cur) return done(false);
    auto next = elect(*cur, replicas, *live, unclean);
    if (next.leader == cur->leader && next.leader_epoch == cur->leader_epoch &&
        next.isr == cur->isr)
      return done(false);
    BROOK_LOG_INFO("[Controller id="
                   << self->state.id << "] " << topic << "-" << p << ": leader " << cur->leader
                   << " -> " << next.leader << ", epoch " << next.leader_epoch << ", ISR "
                   << net::format_replicas(cur->isr) << " -> " << net::format_replicas(next.isr));
    ask(self, net::coord_set_request{path, net::pack_value(next), r.version},
        [done](coord_response& w) { done(w.error == errc::bad_version); });
  });
}

// The topic defaults in force: the properties file's, then the dynamic configs of every broker,
// then this broker's (AlterConfigs on a broker resource), as the brokers apply them.
void with_dynamic_defaults(self_ptr self, std::function<void(const runtime::topic_config&)> then) {
  auto read = [self](const std::string& path, std::function<void(runtime::properties)> next) {
    ask(self, net::coord_get_request{path}, [next](coord_response& r) {
      runtime::properties props;
      if (r.error == errc::none)
        if (auto m = net::unpack_value<std::map<std::string, std::string>>(r.value))
          props = runtime::properties(m->begin(), m->end());
      next(std::move(props));
    });
  };
  read(paths::broker_config(""), [self, read, then](runtime::properties all) {
    read(paths::broker_config(std::to_string(self->state.id)),
         [self, all, then](runtime::properties own) mutable {
           for (auto& [k, v] : own) all[k] = v;
           auto cfg = runtime::with_broker_defaults(self->state.topic_defaults, all);
           then(cfg ? *cfg : self->state.topic_defaults);
         });
  });
}

// Every topic's partitions: reconciled with the live brokers and the topic defaults in force.
void reconcile_topics(self_ptr self, std::shared_ptr<std::set<int32_t>> live,
                      const runtime::topic_config& defaults) {
  ask(self, net::coord_children_request{paths::topics}, [self, live, defaults](coord_response& t) {
    if (t.error != errc::none) return finished(self, false);
    auto pending = std::make_shared<size_t>(1);
    auto conflict = std::make_shared<bool>(false);
    auto done = [self, pending, conflict](bool c) {
      *conflict = *conflict || c;
      if (--*pending == 0) finished(self, *conflict);
    };
    auto& watched = self->state.watched;
    for (auto it = watched.begin(); it != watched.end();)
      it = std::binary_search(t.children.begin(), t.children.end(), *it) ? std::next(it)
                                                                          : watched.erase(it);
    for (const auto& topic : t.children) {
      if (watched.insert(topic).second)
        watch_coordinator(self, self->state.coord, paths::topic(topic), [](coord_response&) {});
      ++*pending;
      ask(self, net::coord_get_request{paths::topic(topic)},
          [self, topic, live, pending, done, defaults](coord_response& d) {
            auto def =
                d.error == errc::none
                    ? net::unpack_value<net::topic_definition>(d.value)
                    : runtime::result<net::topic_definition>(runtime::status{d.error, d.message});
            if (def && !def->deleting) {
              runtime::topic_config cfg = defaults;
              runtime::properties overrides(def->configs.begin(), def->configs.end());
              bool unclean = cfg.apply(overrides) && cfg.unclean_leader_election;
              for (int32_t p = 0; p < def->partitions; ++p) {
                ++*pending;
                reconcile_partition(self, topic, p, def->replicas[size_t(p)], unclean, live,
                                    done);
              }
            }
            done(false);
          });
    }
    done(false);
  });
}

// Reads the live brokers and every partition state, and writes the states that must change.
void reconcile(self_ptr self) {
  auto& st = self->state;
  if (!st.active) return;
  if (st.reconciling) {
    st.again = true;
    return;
  }
  st.reconciling = true;
  ask(self, net::coord_children_request{paths::broker_ids}, [self](coord_response& b) {
    if (b.error != errc::none && b.error != errc::no_node) return finished(self, false);
    auto live = std::make_shared<std::set<int32_t>>();
    for (const auto& c : b.children) live->insert(std::atoi(c.c_str()));
    with_dynamic_defaults(self, [self, live](const runtime::topic_config& defaults) {
      reconcile_topics(self, live, defaults);
    });
  });
}

void become_active(self_ptr self) {
  auto& st = self->state;
  if (st.active) return;
  st.active = true;
  BROOK_LOG_INFO("[Controller id=" << st.id << "] elected controller");
  watch_coordinator(self, st.coord, paths::broker_ids,
                    [self](coord_response&) { reconcile(self); });
  watch_coordinator(self, st.coord, paths::topics, [self](coord_response&) { reconcile(self); });
  for (const auto& p : {paths::broker_config(""), paths::broker_config(std::to_string(st.id))})
    watch_coordinator(self, st.coord, p, [self](coord_response&) { reconcile(self); });
  self->delayed_send(self, safety_interval, tick_atom::value);
}

void try_to_lead(self_ptr self) {
  auto& st = self->state;
  if (st.active) return;
  net::coord_create_request req{paths::controller, std::to_string(st.id), true, st.session, false};
  ask(self, std::move(req), [self](coord_response& r) {
    if (r.error == errc::none) return become_active(self);
    if (r.error != errc::node_exists) return;
    // Held by our own session: an earlier controller actor of this broker died; carry on. Held
    // by another broker's: it leads, and the watch tells when it goes.
    ask(self, net::coord_get_request{paths::controller}, [self](coord_response& g) {
      if (g.error == errc::none && g.session == self->state.session) become_active(self);
    });
  });
}

controller_actor::behavior_type controller_impl(self_ptr self, coordinator_actor coord,
                                                uint64_t session, int32_t id,
                                                runtime::topic_config defaults) {
  auto& st = self->state;
  st.topic_defaults = std::move(defaults);
  st.coord = std::move(coord);
  st.session = session;
  st.id = id;
  // Watch first, so a controller that goes between our attempt and the watch is not missed.
  watch_coordinator(self, st.coord, paths::controller,
                    [self](coord_response&) { try_to_lead(self); });
  return {
      [self](net::coord_watch_event& e) {
        if (e.path != paths::controller)  // brokers, topics, a definition, dynamic configs
          reconcile(self);
        else if (e.type == int8_t(net::coord_event::deleted))
          try_to_lead(self);
      },
      [self](tick_atom) {
        reconcile(self);
        self->delayed_send(self, safety_interval, tick_atom::value);
      },
  };
}

}  // namespace

net::partition_state elect(const net::partition_state& cur, const std::vector<int32_t>& replicas,
                           const std::set<int32_t>& live, bool unclean) {
  net::partition_state next = cur;
  std::vector<int32_t> live_isr;
  for (int32_t r : cur.isr)
    if (live.count(r)) live_isr.push_back(r);
  if (cur.leader >= 0 && live.count(cur.leader) && net::has_replica(cur.isr, cur.leader)) {
    next.isr = live_isr;  // the leader stays; dead followers leave the ISR
    return next;
  }
  int32_t leader = -1;
  for (int32_t r : replicas)
    if (net::has_replica(live_isr, r)) {
      leader = r;
      break;
    }
  if (leader < 0 && unclean)
    for (int32_t r : replicas)
      if (live.count(r)) {
        leader = r;
        live_isr = {r};
        break;
      }
  if (leader >= 0) {
    next.leader = leader;
    next.leader_epoch = cur.leader_epoch + 1;
    next.isr = live_isr;
  } else if (cur.leader != -1) {
    // Offline: no live in-sync replica. The ISR stays as it was, so the first of its members to
    // come back leads again with everything that was acknowledged.
    next.leader = -1;
    next.leader_epoch = cur.leader_epoch + 1;
  }
  return next;
}

// The first replica of partition p is broker (start + p) % n in the sorted live list; the
// others follow it, shifted by a per-topic step so followers spread (Kafka's assignment).
std::vector<std::vector<int32_t>> assign_replicas(int32_t partitions, int16_t rf,
                                                  const std::vector<int32_t>& brokers,
                                                  size_t start) {
  std::vector<std::vector<int32_t>> out(static_cast<size_t>(partitions));
  size_t n = brokers.size();
  size_t shift = n > 1 ? 1 + start % (n - 1) : 0;
  for (size_t p = 0; p < out.size(); ++p) {
    size_t first = (start + p) % n;
    out[p].push_back(brokers[first]);
    for (size_t j = 1; j < size_t(rf); ++j)
      out[p].push_back(brokers[(first + (shift + j - 1) % (n - 1) + 1) % n]);
  }
  return out;
}

controller_actor spawn_controller(caf::actor_system& sys, coordinator_actor coord, uint64_t session,
                                  int32_t broker_id, runtime::topic_config topic_defaults) {
  return sys.spawn(controller_impl, std::move(coord), session, broker_id,
                   std::move(topic_defaults));
}

}  // namespace brook::actors
