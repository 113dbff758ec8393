// Topic administration through the coordinator (create: replicas assigned here, partition states
// from the controller; delete: marked, then removed) and producer ids from coordinator-reserved
// blocks.
#include <algorithm>
#include <set>
#include <caf/all.hpp>

#include "actors/broker/broker_internal.hpp"
#include "actors/controller/controller_actor.hpp"
#include "runtime/countdown.hpp"
#include "runtime/log.hpp"

namespace brook::actors::broker_detail {

namespace paths = net::cluster_paths;
using net::coord_response;
using net::errc;
using runtime::status;

namespace {

void reserve_producer_ids(self_ptr self);

void hand_out_ids(self_ptr self) {
  auto& st = self->state;
  while (!st.id_waiters.empty() && st.next_producer_id < st.producer_id_limit) {
    st.id_waiters.back().deliver(
        net::init_producer_id_response{errc::none, "", st.next_producer_id++, 0});
    st.id_waiters.pop_back();
  }
  if (!st.id_waiters.empty()) reserve_producer_ids(self);
}

void fail_id_waiters(self_ptr self, const status& s) {
  for (auto& w : self->state.id_waiters)
    w.deliver(net::init_producer_id_response{s.code(), s.message(), -1, -1});
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
      if (w.error == errc::bad_version || w.error == errc::node_exists)
        return reserve_producer_ids(self);
      if (w.error != errc::none) return fail_id_waiters(self, to_status(w));
      st.next_producer_id = start;
      st.producer_id_limit = start + producer_id_block;
      hand_out_ids(self);
    };
    if (g.error == errc::no_node)
      ask(self, net::coord_create_request{paths::producer_id_block, next, false, 0, true},
          on_written);
    else
      ask(self, net::coord_set_request{paths::producer_id_block, next, g.version}, on_written);
  });
}

}  // namespace

void create_topic(self_ptr self, net::create_topic_request req, done_fn done) {
  auto& st = self->state;
  if (auto s = check_topic_name(req.name); !s) return done(s);
  // Kafka's metric names treat '.' and '_' alike, so names equal but for those collide.
  auto unified = [](std::string n) {
    std::replace(n.begin(), n.end(), '.', '_');
    return n;
  };
  for (const auto& [other, t] : st.topics)
    if (other != req.name && unified(other) == unified(req.name))
      return done({errc::invalid_topic,
                   "Topic '" + req.name + "' collides with existing topic: " + other});
  if (st.topics.count(req.name))
    return done({errc::topic_already_exists, "topic '" + req.name + "' already exists"});
  int32_t parts = req.partitions == -1 ? st.spec.config.num_partitions : req.partitions;
  if (parts < 1 || parts > 100000)
    return done({errc::invalid_partitions,
                 "partitions must be between 1 and 100000, got " + std::to_string(parts)});
  int16_t rf = req.replication_factor == -1 ? st.spec.config.default_replication_factor
                                            : req.replication_factor;
  if (rf < 1 || size_t(rf) > st.brokers.size())
    return done({errc::invalid_replication_factor,
                 "replication factor " + std::to_string(rf) + " is larger than the " +
                     std::to_string(st.brokers.size()) + " available broker(s)"});
  runtime::properties overrides(req.configs.begin(), req.configs.end());
  runtime::topic_config probe = st.topic_defaults;
  if (auto s = probe.apply(overrides); !s) return done(s);
  if (req.validate_only) return done({});
  std::vector<int32_t> ids;
  for (const auto& [id, b] : st.brokers) ids.push_back(id);
  net::topic_definition def{parts, req.configs,
                            assign_replicas(parts, rf, ids, std::hash<std::string>{}(req.name))};
  auto name = req.name;
  ask(self, net::coord_create_request{paths::topic(name), net::pack_value(def), false, 0, true},
      [self, name, def, done](coord_response& r) {
        if (r.error == errc::node_exists)
          return done({errc::topic_already_exists, "topic '" + name + "' already exists"});
        if (r.error != errc::none) return done(to_status(r));
        // The controller sees the new topic and writes its partitions' first states; answer
        // once they are here, so the topic is usable as soon as the client hears of it.
        add_topic(self, name, def);
        when_states_known(self, name, [self, name, def, done](status s) {
          BROOK_LOG_INFO("[Broker id=" << my_id(self->state) << "] created topic " << name << " with "
                                       << def.partitions << " partition(s), replication factor "
                                       << def.replicas.front().size());
          done(s);
        });
        for (int32_t p = 0; p < def.partitions; ++p) load_partition(self, name, p, [] {});
      });
}

namespace {

// The replicas of partitions [from, count) of `def`: `given` (checked against the live brokers
// and the topic's replication factor, as Kafka does) or chosen as at creation.
runtime::result<std::vector<std::vector<int32_t>>> new_replicas(
    const state& st, const std::string& name, const net::topic_definition& def, int32_t count,
    const std::vector<std::vector<int32_t>>& given) {
  auto from = size_t(def.partitions);
  auto rf = def.replicas.empty() ? size_t(1) : def.replicas.front().size();
  if (given.empty()) {
    std::vector<int32_t> ids;
    for (const auto& [id, b] : st.brokers) ids.push_back(id);
    if (ids.size() < rf)
      return status{errc::invalid_replication_factor,
                    "replication factor " + std::to_string(rf) + " is larger than the " +
                        std::to_string(ids.size()) + " available broker(s)"};
    auto all = assign_replicas(count, int16_t(rf), ids, std::hash<std::string>{}(name));
    return std::vector<std::vector<int32_t>>(all.begin() + long(from), all.end());
  }
  if (given.size() != size_t(count) - from)
    return status{errc::invalid_replica_assignment,
                  "Increasing the number of partitions by " + std::to_string(size_t(count) - from) +
                      " but " + std::to_string(given.size()) + " assignments provided."};
  for (const auto& replicas : given) {
    if (replicas.size() != rf)
      return status{errc::invalid_replica_assignment,
                    "Inconsistent replication factor between partitions, partition 0 has " +
                        std::to_string(rf) + " while partitions [" + std::to_string(from) +
                        "] have replication factors [" + std::to_string(replicas.size()) +
                        "], respectively."};
    std::set<int32_t> seen;
    for (int32_t b : replicas) {
      if (!seen.insert(b).second)
        return status{errc::invalid_replica_assignment,
                      "Duplicate brokers not allowed in replica assignment: " +
                          net::format_replicas(replicas)};
      if (!st.brokers.count(b))
        return status{errc::invalid_replica_assignment,
                      "Unknown broker(s) in replica assignment: " + std::to_string(b)};
    }
  }
  return given;
}

}  // namespace

void create_partitions(self_ptr self, net::create_partitions_request req, done_fn done) {
  auto& st = self->state;
  auto it = st.topics.find(req.name);
  if (it == st.topics.end() || it->second.def.deleting)
    return done({errc::unknown_topic_or_partition, "topic '" + req.name + "' does not exist"});
  if (req.name == "__consumer_offsets")
    return done({errc::policy_violation,
                 "the partitions of __consumer_offsets place consumer groups and cannot change"});
  int32_t current = it->second.def.partitions;
  if (req.count < current)
    return done({errc::invalid_partitions, "Topic currently has " + std::to_string(current) +
                                               " partitions, which is higher than the requested " +
                                               std::to_string(req.count) + "."});
  if (req.count == current)
    return done({errc::invalid_partitions,
                 "Topic already has " + std::to_string(current) + " partitions."});
  if (req.count > 100000)
    return done({errc::invalid_partitions,
                 "partitions must be between 1 and 100000, got " + std::to_string(req.count)});
  auto added = new_replicas(st, req.name, it->second.def, req.count, req.assignments);
  if (!added) return done(added.error());
  if (req.validate_only) return done({});
  // A compare-and-set on the definition the coordinator holds now (not the cached one): a
  // concurrent change makes it fail, and the request is answered with the reason.
  auto name = req.name;
  ask(self, net::coord_get_request{paths::topic(name)},
      [self, name, count = req.count, added = *added, done](coord_response& g) {
        if (g.error == errc::no_node)
          return done({errc::unknown_topic_or_partition, "topic '" + name + "' does not exist"});
        if (g.error != errc::none) return done(to_status(g));
        auto def = net::unpack_value<net::topic_definition>(g.value);
        if (!def) return done(def.error());
        if (def->partitions + int32_t(added.size()) != count)
          return done({errc::invalid_partitions, "topic '" + name + "' changed meanwhile; retry"});
        def->partitions = count;
        def->replicas.insert(def->replicas.end(), added.begin(), added.end());
        ask(self, net::coord_set_request{paths::topic(name), net::pack_value(*def), g.version},
            [self, name, def = *def, done](coord_response& w) {
              if (w.error == errc::bad_version)
                return done({errc::invalid_partitions, "topic '" + name + "' changed meanwhile; retry"});
              if (w.error != errc::none) return done(to_status(w));
              // The controller sees the definition change and writes the new partitions' first
              // states; answer once they are here (as for a new topic).
              grow_topic(self, name, def);
              when_states_known(self, name, [self, name, def, done](status s) {
                BROOK_LOG_INFO("[Broker id=" << my_id(self->state) << "] topic " << name
                                             << " now has " << def.partitions << " partitions");
                done(s);
              });
            });
      });
}

void delete_topic(self_ptr self, const std::string& name, done_fn done) {
  auto& st = self->state;
  auto it = st.topics.find(name);
  if (it == st.topics.end())
    return done({errc::unknown_topic_or_partition, "topic '" + name + "' does not exist"});
  if (name == "__consumer_offsets")
    return done({errc::policy_violation, "topic '" + name + "' is internal and cannot be deleted"});
  auto n = it->second.def.partitions;
  auto remove_topic = [self, name, done] {
    ask(self, net::coord_delete_request{paths::topic(name), -1},
        [self, name, done](coord_response& r) {
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
        auto finish = runtime::countdown(size_t(n), remove_topic);
        for (int32_t p = 0; p < n; ++p)
          ask(self, net::coord_delete_request{paths::partition(name, p), -1},
              [finish](coord_response&) { finish(); });
      });
}

void init_producer_id(self_ptr self,
                      caf::typed_response_promise<net::init_producer_id_response> p) {
  self->state.id_waiters.push_back(std::move(p));
  hand_out_ids(self);
}

}  // namespace brook::actors::broker_detail
