// Dynamic configs (AlterConfigs, IncrementalAlterConfigs): topic overrides, kept in the topic's
// definition, and broker defaults of the topic settings, kept in /config/brokers/<id> and
// /config/brokers/<default>. Validated and written here; every broker applies them through its
// watches and pushes a topic's changed configs to the replicas it hosts.
#include <algorithm>
#include <caf/all.hpp>
#include <cctype>
#include <filesystem>
#include <set>
#include <sstream>
#include <tuple>

#include "actors/broker/broker_internal.hpp"
#include "runtime/countdown.hpp"
#include "runtime/log.hpp"

namespace brook::actors::broker_detail {

namespace paths = net::cluster_paths;
using net::coord_response;
using net::errc;
using runtime::properties;
using runtime::status;

namespace {

// The list-valued keys, the only ones APPEND and SUBTRACT apply to (as in Kafka).
bool list_key(const std::string& key) {
  static const std::set<std::string> keys = {"cleanup.policy", "log.cleanup.policy",
                                             "leader.replication.throttled.replicas",
                                             "follower.replication.throttled.replicas"};
  return keys.count(key) > 0;
}

std::vector<std::string> split_list(const std::string& v) {
  std::vector<std::string> out;
  std::stringstream in(v);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

// The dynamic configs after the request's changes; `in_force(key)` is a key's value now (what
// APPEND and SUBTRACT start from when the key is not set dynamically).
runtime::result<properties> changed(
    const properties& current, const net::alter_configs_request& req,
    const std::function<std::string(const std::string&)>& in_force) {
  std::set<std::string> seen;
  for (const auto& c : req.changes)
    if (!seen.insert(c.name).second)
      return status{errc::invalid_request, "Error due to duplicate config keys: " + c.name};
  properties next = req.replace ? properties{} : current;
  for (const auto& c : req.changes) {
    auto op = net::config_op(c.op);
    if ((op == net::config_op::set || req.replace) && !c.value)
      return status{errc::invalid_request, "Null value not supported for : " + c.name};
    switch (op) {
      case net::config_op::set:
        next[c.name] = *c.value;
        break;
      case net::config_op::remove:
        next.erase(c.name);
        break;
      case net::config_op::append:
      case net::config_op::subtract: {
        if (!list_key(c.name))
          return status{errc::invalid_config,
                        std::string("Config value ") +
                            (op == net::config_op::append ? "append" : "subtract") +
                            " is not allowed for config key: " + c.name};
        auto it = next.find(c.name);
        auto items = split_list(it != next.end() ? it->second : in_force(c.name));
        for (const auto& v : split_list(c.value.value_or(""))) {
          auto at = std::find(items.begin(), items.end(), v);
          if (op == net::config_op::append && at == items.end()) items.push_back(v);
          if (op == net::config_op::subtract && at != items.end()) items.erase(at);
        }
        std::string joined;
        for (const auto& v : items) joined += (joined.empty() ? "" : ",") + v;
        next[c.name] = joined;
        break;
      }
      default:
        return status{errc::invalid_request,
                      "unknown config operation " + std::to_string(int(c.op)) + " for " + c.name};
    }
  }
  return next;
}

// Writes `value` at `path`: created (with its parents) when `version` is -1, else a
// compare-and-set on that version.
void write_node(self_ptr self, const std::string& path, std::string value, int64_t version,
                done_fn done) {
  auto answered = [done](coord_response& w) {
    if (w.error == errc::bad_version || w.error == errc::node_exists)
      return done({errc::invalid_request, "the configs changed meanwhile; retry"});
    done(w.error == errc::none ? status{} : to_status(w));
  };
  if (version < 0)
    ask(self, net::coord_create_request{path, std::move(value), false, 0, true}, answered);
  else
    ask(self, net::coord_set_request{path, std::move(value), version}, answered);
}

void alter_topic_configs(self_ptr self, const net::alter_configs_request& req, done_fn done) {
  auto& st = self->state;
  const auto& name = req.resource_name;
  auto it = st.topics.find(name);
  if (it == st.topics.end() || it->second.def.deleting)
    return done({errc::unknown_topic_or_partition, "topic '" + name + "' does not exist"});
  // Read the definition the coordinator holds now, so the write is a compare-and-set on it.
  ask(self, net::coord_get_request{paths::topic(name)}, [self, req, done](coord_response& g) {
    const auto& name = req.resource_name;
    if (g.error == errc::no_node)
      return done({errc::unknown_topic_or_partition, "topic '" + name + "' does not exist"});
    if (g.error != errc::none) return done(to_status(g));
    auto def = net::unpack_value<net::topic_definition>(g.value);
    if (!def) return done(def.error());
    auto& st = self->state;
    auto in_force =
        st.topics.count(name) ? st.topics.at(name).config.to_properties() : properties{};
    auto next = changed(properties(def->configs.begin(), def->configs.end()), req,
                        [&](const std::string& k) { return in_force[k]; });
    if (!next) return done(next.error());
    runtime::topic_config probe = st.topic_defaults;
    if (auto s = probe.apply(*next); !s) return done(s);
    if (req.validate_only) return done({});
    def->configs = std::map<std::string, std::string>(next->begin(), next->end());
    write_node(self, paths::topic(name), net::pack_value(*def), g.version,
               [self, name, configs = def->configs, done](status s) {
                 // Applied here at once (the watch brings it to the other brokers).
                 if (s) apply_topic_configs(self, name, configs);
                 done(s);
               });
  });
}

void alter_broker_configs(self_ptr self, const net::alter_configs_request& req, done_fn done) {
  const auto& name = req.resource_name;
  if (!name.empty() && !(name.size() <= 9 && std::all_of(name.begin(), name.end(), ::isdigit)))
    return done({errc::invalid_request, "Broker id must be an integer, but it is: " + name});
  std::string fixed;
  for (const auto& c : req.changes)
    if (runtime::topic_key_of_broker_key(c.name).empty())
      fixed += (fixed.empty() ? "" : ", ") + c.name;
  if (!fixed.empty())
    return done({errc::invalid_request, "Cannot update these configs dynamically: " + fixed});
  auto path = paths::broker_config(name);
  ask(self, net::coord_get_request{path}, [self, req, path, done](coord_response& g) {
    if (g.error != errc::none && g.error != errc::no_node) return done(to_status(g));
    properties current;
    if (g.error == errc::none) {
      auto stored = net::unpack_value<std::map<std::string, std::string>>(g.value);
      if (!stored) return done(stored.error());
      current = properties(stored->begin(), stored->end());
    }
    auto& st = self->state;
    auto in_force = [&](const std::string& bk) {
      return st.topic_defaults.to_properties()[runtime::topic_key_of_broker_key(bk)];
    };
    auto next = changed(current, req, in_force);
    if (!next) return done(next.error());
    if (auto probe = runtime::with_broker_defaults(st.spec.config.topic_defaults, *next); !probe)
      return done(probe.error());
    if (req.validate_only) return done({});
    int64_t version = g.error == errc::no_node ? -1 : g.version;
    auto value = net::pack_value(std::map<std::string, std::string>(next->begin(), next->end()));
    write_node(self, path, std::move(value), version, [self, done](status s) {
      if (!s) return done(s);
      load_broker_configs(self, [done] { done({}); });
    });
  });
}

}  // namespace

void alter_configs(self_ptr self, const net::alter_configs_request& req, done_fn done) {
  if (req.resource_type == net::config_resource_topic) return alter_topic_configs(self, req, done);
  if (req.resource_type == net::config_resource_broker)
    return alter_broker_configs(self, req, done);
  done({errc::invalid_request, "unsupported resource type " + std::to_string(req.resource_type)});
}

void apply_topic_configs(self_ptr self, const std::string& name,
                         const std::map<std::string, std::string>& overrides) {
  auto& st = self->state;
  auto it = st.topics.find(name);
  if (it == st.topics.end()) return;
  auto& t = it->second;
  runtime::topic_config next = st.topic_defaults;
  if (auto s = next.apply(properties(overrides.begin(), overrides.end())); !s) {
    BROOK_LOG_ERROR("[Broker id=" << my_id(st) << "] topic " << name
                                  << ": configs not applied: " << s.to_string());
    return;
  }
  t.def.configs = overrides;
  if (next.to_properties() == t.config.to_properties()) return;
  t.config = next;
  BROOK_LOG_INFO("[Broker id=" << my_id(st) << "] topic " << name << ": configs changed");
  for (auto& slot : t.slots)
    if (slot.actor) self->send(slot.actor, next);
}

void load_broker_configs(self_ptr self, std::function<void()> done) {
  auto& st = self->state;
  auto id = std::to_string(my_id(st));
  auto read = [self](const std::string& path, properties& into, std::function<void()> then) {
    ask(self, net::coord_get_request{path}, [&into, then](coord_response& r) {
      into.clear();
      if (r.error == errc::none)
        if (auto m = net::unpack_value<std::map<std::string, std::string>>(r.value))
          into = properties(m->begin(), m->end());
      then();
    });
  };
  auto finish = runtime::countdown(2, [self, done] {
    auto& st = self->state;
    auto merged = st.dynamic_defaults.cluster_default;
    for (const auto& [k, v] : st.dynamic_defaults.own) merged[k] = v;
    auto defaults = runtime::with_broker_defaults(st.spec.config.topic_defaults, merged);
    if (!defaults) {
      BROOK_LOG_ERROR("[Broker id=" << my_id(st) << "] dynamic broker configs not applied: "
                                    << defaults.error().to_string());
    } else {
      st.topic_defaults = *defaults;
      st.spec.node->set_broker_dynamic_configs(st.dynamic_defaults);
      for (auto& [name, t] : st.topics) apply_topic_configs(self, name, t.def.configs);
    }
    done();
  });
  read(paths::broker_config(""), st.dynamic_defaults.cluster_default, finish);
  read(paths::broker_config(id), st.dynamic_defaults.own, finish);
}

bool is_broker_config_path(const state& st, const std::string& path) {
  return path == paths::broker_config("") ||
         path == paths::broker_config(std::to_string(my_id(st)));
}

void describe_log_dirs(self_ptr self, const net::describe_log_dirs_request& req,
                       caf::typed_response_promise<net::describe_log_dirs_response> promise) {
  auto& st = self->state;
  auto resp = std::make_shared<net::describe_log_dirs_response>();
  for (const auto& dir : st.spec.config.log_dirs) {
    net::log_dir_info info;
    info.path = dir;
    std::error_code ec;
    auto space = std::filesystem::space(dir, ec);
    if (!ec) {
      info.total_bytes = int64_t(space.capacity);
      info.usable_bytes = int64_t(space.available);
    }
    resp->dirs.push_back(std::move(info));
  }
  std::vector<std::pair<partition_actor, size_t>> replicas;  // and their directory
  for (const auto& [name, t] : st.topics) {
    if (!req.all_topics &&
        std::find(req.topics.begin(), req.topics.end(), name) == req.topics.end())
      continue;
    for (size_t p = 0; p < t.slots.size(); ++p)
      if (t.slots[p].actor && !t.slots[p].offline)
        replicas.push_back({t.slots[p].actor, p % resp->dirs.size()});
  }
  auto finish = runtime::countdown(replicas.size(), [resp, promise]() mutable {
    for (auto& d : resp->dirs)
      std::sort(d.partitions.begin(), d.partitions.end(), [](const auto& a, const auto& b) {
        return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
      });
    promise.deliver(std::move(*resp));
  });
  for (const auto& [actor, dir] : replicas)
    self->request(actor, std::chrono::seconds(10), net::describe_log_dirs_request{})
        .then(
            [resp, dir = dir, finish](net::log_dir_partition& p) {
              resp->dirs[dir].partitions.push_back(std::move(p));
              finish();
            },
            [finish](caf::error&) { finish(); });  // a replica restarting: left out
}

}  // namespace brook::actors::broker_detail
