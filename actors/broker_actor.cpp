#include "actors/broker_actor.hpp"

#include <caf/all.hpp>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>

#include "actors/group_coordinator.hpp"
#include "actors/node_context.hpp"
#include "actors/partition_actor.hpp"
#include "runtime/durable_file.hpp"
#include "runtime/log.hpp"

namespace brook::actors {

namespace fs = std::filesystem;
using net::errc;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr int max_restarts = 5;
constexpr auto restart_window = std::chrono::seconds(60);

struct partition_slot {
  partition_actor actor;
  std::deque<clock_type::time_point> crashes;
  bool offline = false;
};

struct topic_state {
  runtime::topic_config config;
  runtime::properties overrides;  // what the user set, persisted with the topic
  std::vector<partition_slot> partitions;
};

// Producer ids are handed out from blocks reserved on disk, so no id repeats across restarts.
constexpr int64_t producer_id_block = 1000;

struct broker_state {
  broker_spec spec;
  int64_t next_producer_id = 0;
  int64_t producer_id_limit = 0;  // first id of the next unreserved block
  std::map<std::string, topic_state> topics;
  std::map<caf::actor_addr, std::pair<std::string, int32_t>> by_addr;
  group_coordinator_actor coordinator;
  static inline const char* name = "broker";

  // Partitions die with their broker, so no orphan keeps writing a log a new broker reopens.
  // (Monitors, not links: a chaos kill of a partition must not take the broker with it, and
  // exit_reason::kill cannot be trapped.)
  ~broker_state() {
    for (auto& [name, t] : topics)
      for (auto& slot : t.partitions)
        if (slot.actor) caf::anon_send_exit(slot.actor, caf::exit_reason::user_shutdown);
    if (coordinator) caf::anon_send_exit(coordinator, caf::exit_reason::user_shutdown);
  }
};

using self_ptr = broker_actor::stateful_pointer<broker_state>;

std::string meta_dir(const broker_state& st) {
  return st.spec.config.log_dirs.front() + "/__brook_meta/topics";
}

std::string partition_dir(const broker_state& st, const std::string& topic, int32_t p) {
  const auto& dirs = st.spec.config.log_dirs;
  return dirs[size_t(p) % dirs.size()] + "/" + topic + "-" + std::to_string(p);
}

// Writes the topic's definition durably (runtime/durable_file.hpp).
runtime::status persist_topic(const broker_state& st, const std::string& name, int32_t partitions,
                              const runtime::properties& overrides) {
  std::error_code ec;
  fs::create_directories(meta_dir(st), ec);
  std::string text = "partitions=" + std::to_string(partitions) + "\n";
  for (const auto& [k, v] : overrides) text += "config." + k + "=" + v + "\n";
  return runtime::write_file_durably(meta_dir(st) + "/" + name + ".properties", text);
}

void spawn_slot(self_ptr self, const std::string& topic, int32_t p) {
  auto& st = self->state;
  auto& t = st.topics.at(topic);
  partition_spec ps{topic, p, partition_dir(st, topic, p), t.config,
                    st.spec.config.retention_check_interval_ms};
  auto a = spawn_partition(self->system(), std::move(ps));
  self->monitor(a);
  st.by_addr[a.address()] = {topic, p};
  t.partitions[size_t(p)].actor = a;
  st.spec.directory->set(topic, p, a);
}

runtime::status add_topic(self_ptr self, const std::string& name, int32_t partitions,
                          const runtime::properties& overrides) {
  auto& st = self->state;
  topic_state t;
  t.config = st.spec.config.topic_defaults;
  if (auto s = t.config.apply(overrides); !s) return s;
  t.overrides = overrides;
  t.partitions.resize(size_t(partitions));
  st.topics[name] = std::move(t);
  st.spec.directory->set_topic(name, std::vector<partition_actor>(size_t(partitions)),
                               st.topics[name].config.urgency_class == runtime::urgency::urgent);
  for (int32_t p = 0; p < partitions; ++p) spawn_slot(self, name, p);
  return {};
}

runtime::status create_topic(self_ptr self, const net::create_topic_request& req) {
  auto& st = self->state;
  if (!valid_topic_name(req.name))
    return {errc::invalid_request,
            "invalid topic name '" + req.name + "': use 1-249 of [a-zA-Z0-9._-]"};
  if (st.topics.count(req.name)) return {errc::topic_already_exists, "topic '" + req.name + "' already exists"};
  int32_t parts = req.partitions == -1 ? st.spec.config.num_partitions : req.partitions;
  if (parts < 1 || parts > 100000)
    return {errc::invalid_partitions, "partitions must be between 1 and 100000, got " + std::to_string(parts)};
  int16_t rf = req.replication_factor == -1 ? st.spec.config.default_replication_factor
                                            : req.replication_factor;
  if (rf != 1)
    return {errc::invalid_replication_factor,
            "replication factor " + std::to_string(rf) + " is larger than the 1 available broker"};
  runtime::properties overrides(req.configs.begin(), req.configs.end());
  runtime::topic_config probe = st.spec.config.topic_defaults;
  if (auto s = probe.apply(overrides); !s) return s;
  if (req.validate_only) return {};
  if (auto s = persist_topic(st, req.name, parts, overrides); !s) return s;
  if (auto s = add_topic(self, req.name, parts, overrides); !s) return s;
  BROOK_LOG_INFO("[Broker id=" << st.spec.config.broker_id << "] created topic " << req.name
                               << " with " << parts << " partition(s)");
  return {};
}

// Reserves the next block of producer ids by recording its end durably before use.
runtime::status reserve_producer_ids(broker_state& st) {
  auto path = st.spec.config.log_dirs.front() + "/__brook_meta/producer_id_block";
  int64_t start = st.producer_id_limit;
  if (start == 0) {
    std::ifstream in(path);
    if (in) in >> start;
  }
  int64_t limit = start + producer_id_block;
  if (auto s = runtime::write_file_durably(path, std::to_string(limit) + "\n"); !s) return s;
  st.next_producer_id = start;
  st.producer_id_limit = limit;
  return {};
}

// Loads topics persisted by earlier runs.
runtime::status load_topics(self_ptr self) {
  auto& st = self->state;
  std::error_code ec;
  fs::create_directories(meta_dir(st), ec);
  if (ec) return {errc::io_error, "cannot create " + meta_dir(st) + ": " + ec.message()};
  for (const auto& entry : fs::directory_iterator(meta_dir(st), ec)) {
    auto path = entry.path();
    if (path.extension() != ".properties") continue;
    auto props = runtime::load_properties(path.string());
    if (!props) return props.error();
    int32_t parts = std::atoi((*props)["partitions"].c_str());
    runtime::properties overrides;
    for (const auto& [k, v] : *props)
      if (k.rfind("config.", 0) == 0) overrides[k.substr(7)] = v;
    if (parts < 1) return {errc::invalid_config, "bad partition count in " + path.string()};
    if (auto s = add_topic(self, path.stem().string(), parts, overrides); !s) return s;
  }
  if (ec) return {errc::io_error, "cannot list " + meta_dir(st) + ": " + ec.message()};
  return {};
}

net::topic_info describe(const broker_state& st, const std::string& name, const topic_state& t) {
  net::topic_info ti;
  ti.name = name;
  auto props = t.config.to_properties();
  ti.configs.insert(props.begin(), props.end());
  for (const auto& [k, v] : t.overrides) ti.overrides.push_back(k);
  int32_t self_id = st.spec.config.broker_id;
  for (size_t p = 0; p < t.partitions.size(); ++p) {
    net::partition_info pi;
    pi.partition = int32_t(p);
    bool up = !t.partitions[p].offline && t.partitions[p].actor;
    pi.leader = up ? self_id : -1;
    pi.error = up ? errc::none : errc::leader_not_available;
    pi.replicas = {self_id};
    if (up) pi.isr = {self_id};
    ti.partitions.push_back(std::move(pi));
  }
  return ti;
}

void start_coordinator(self_ptr self) {
  auto& st = self->state;
  st.coordinator = spawn_group_coordinator(self->system(), st.spec.node);
  self->monitor(st.coordinator);
  st.spec.node->set_group_coordinator(st.coordinator);
}

void on_partition_down(self_ptr self, const caf::down_msg& msg) {
  auto& st = self->state;
  if (st.coordinator && msg.source == st.coordinator.address()) {
    st.coordinator = group_coordinator_actor{};
    st.spec.node->set_group_coordinator(st.coordinator);
    BROOK_LOG_WARN("[Broker id=" << st.spec.config.broker_id << "] group coordinator died ("
                                 << caf::to_string(msg.reason) << "); restarting in 100 ms");
    self->delayed_send(self, std::chrono::milliseconds(100), restart_atom::value, std::string(), int32_t(-1));
    return;
  }
  auto it = st.by_addr.find(msg.source);
  if (it == st.by_addr.end()) return;
  auto [topic, p] = it->second;
  st.by_addr.erase(it);
  auto tit = st.topics.find(topic);
  if (tit == st.topics.end() || size_t(p) >= tit->second.partitions.size()) return;
  auto& slot = tit->second.partitions[size_t(p)];
  if (slot.actor && slot.actor.address() != msg.source) return;  // an older incarnation
  slot.actor = partition_actor{};
  st.spec.directory->set(topic, p, partition_actor{});
  if (msg.reason == caf::exit_reason::normal) return;
  auto now = clock_type::now();
  slot.crashes.push_back(now);
  while (!slot.crashes.empty() && now - slot.crashes.front() > restart_window) slot.crashes.pop_front();
  if (slot.crashes.size() > size_t(max_restarts)) {
    slot.offline = true;
    BROOK_LOG_ERROR("[Broker id=" << st.spec.config.broker_id << "] partition " << topic << "-" << p
                                  << " crashed " << slot.crashes.size()
                                  << " times within 60 s; giving up, partition is OFFLINE. Last reason: "
                                  << caf::to_string(msg.reason));
    return;
  }
  auto delay = std::chrono::milliseconds(slot.crashes.size() <= 1 ? 0 : std::min<int64_t>(
      5000, 100 << (slot.crashes.size() - 2)));
  BROOK_LOG_WARN("[Broker id=" << st.spec.config.broker_id << "] partition actor " << topic << "-" << p
                               << " died (" << caf::to_string(msg.reason) << "); restarting in "
                               << delay.count() << " ms");
  self->delayed_send(self, delay, restart_atom::value, topic, p);
}

broker_actor::behavior_type broker_impl(self_ptr self, broker_spec spec) {
  self->state.spec = std::move(spec);
  self->set_down_handler([self](caf::down_msg& msg) { on_partition_down(self, msg); });
  if (auto s = load_topics(self); !s) {
    BROOK_LOG_ERROR("[Broker id=" << self->state.spec.config.broker_id
                                  << "] cannot load topics: " << s.to_string());
    self->quit(caf::make_error(caf::sec::runtime_error, s.to_string()));
    return broker_actor::behavior_type::make_empty_behavior();
  }
  start_coordinator(self);
  return {
      [self](net::metadata_request& req) -> net::metadata_response {
        auto& st = self->state;
        net::metadata_response resp;
        resp.controller_id = st.spec.config.broker_id;
        resp.brokers.push_back({st.spec.config.broker_id, st.spec.advertised_host, st.spec.advertised_port});
        if (req.all_topics) {
          for (const auto& [name, t] : st.topics) resp.topics.push_back(describe(st, name, t));
          return resp;
        }
        for (const auto& name : req.topics) {
          auto it = st.topics.find(name);
          if (it == st.topics.end() && req.allow_auto_create && st.spec.config.auto_create_topics &&
              valid_topic_name(name)) {
            net::create_topic_request c;
            c.name = name;
            if (auto s = create_topic(self, c); !s)
              BROOK_LOG_WARN("auto-create of topic " << name << " failed: " << s.to_string());
            it = st.topics.find(name);
          }
          if (it == st.topics.end()) {
            net::topic_info ti;
            ti.name = name;
            ti.error = errc::unknown_topic_or_partition;
            resp.topics.push_back(std::move(ti));
          } else {
            resp.topics.push_back(describe(st, name, it->second));
          }
        }
        return resp;
      },
      [self](net::create_topic_request& req) -> net::status_response {
        auto s = create_topic(self, req);
        return {s.code(), s.message()};
      },
      [self](net::delete_topic_request& req) -> caf::typed_response_promise<net::status_response> {
        auto& st = self->state;
        auto promise = self->make_response_promise<net::status_response>();
        auto it = st.topics.find(req.name);
        if (it == st.topics.end()) {
          promise.deliver(net::status_response{errc::unknown_topic_or_partition,
                                               "topic '" + req.name + "' does not exist"});
          return promise;
        }
        if (req.name == "__consumer_offsets") {
          promise.deliver(net::status_response{errc::policy_violation,
                                               "topic '" + req.name + "' is internal and cannot be deleted"});
          return promise;
        }
        if (auto s = runtime::remove_file_durably(meta_dir(st) + "/" + req.name + ".properties"); !s) {
          promise.deliver(net::status_response{s.code(), s.message()});
          return promise;
        }
        st.spec.directory->erase(req.name);
        std::error_code ec;
        // Answer only when every partition actor has removed its files, so a topic created
        // again right after never shares a directory with the old one's cleanup.
        auto pending = std::make_shared<size_t>(1);
        auto done = [self, promise, pending, name = req.name]() mutable {
          if (--*pending > 0) return;
          BROOK_LOG_INFO("[Broker id=" << self->state.spec.config.broker_id << "] deleted topic " << name);
          promise.deliver(net::status_response{errc::none, ""});
        };
        for (size_t p = 0; p < it->second.partitions.size(); ++p) {
          auto& slot = it->second.partitions[p];
          if (slot.actor) {
            st.by_addr.erase(slot.actor.address());
            self->demonitor(slot.actor.address());
            ++*pending;
            self->request(slot.actor, std::chrono::seconds(30), drop_atom::value)
                .then([done](bool) mutable { done(); }, [done](caf::error&) mutable { done(); });
          } else {
            fs::remove_all(partition_dir(st, req.name, int32_t(p)), ec);
          }
        }
        st.topics.erase(it);
        done();
        return promise;
      },
      [self](net::kill_actor_request& req) -> net::status_response {
        auto& st = self->state;
        if (req.kind != "partition")
          return {errc::invalid_request, "unknown actor kind '" + req.kind + "' (expected partition)"};
        auto a = st.spec.directory->find(req.topic, req.partition);
        if (!a) return {errc::unknown_topic_or_partition, "no partition " + req.topic + "-" + std::to_string(req.partition)};
        if (!*a) return {errc::leader_not_available, "partition actor is restarting"};
        BROOK_LOG_WARN("[Broker id=" << st.spec.config.broker_id << "] admin kill of partition actor "
                                     << req.topic << "-" << req.partition);
        caf::anon_send_exit(*a, caf::exit_reason::kill);
        return {errc::none, ""};
      },
      [self](net::init_producer_id_request&) -> net::init_producer_id_response {
        auto& st = self->state;
        if (st.next_producer_id >= st.producer_id_limit) {
          if (auto s = reserve_producer_ids(st); !s) return {s.code(), s.message(), -1, -1};
        }
        return {errc::none, "", st.next_producer_id++, 0};
      },
      [self](restart_atom, const std::string& topic, int32_t p) {
        auto& st = self->state;
        if (topic.empty()) {  // the group coordinator
          if (!st.coordinator) start_coordinator(self);
          return;
        }
        auto it = st.topics.find(topic);
        if (it == st.topics.end() || size_t(p) >= it->second.partitions.size()) return;
        if (it->second.partitions[size_t(p)].actor) return;
        spawn_slot(self, topic, p);
        BROOK_LOG_INFO("[Broker id=" << st.spec.config.broker_id << "] restarted partition actor "
                                     << topic << "-" << p);
      },
  };
}

}  // namespace

bool valid_topic_name(const std::string& name) {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) return false;
  return true;
}

broker_actor spawn_broker(caf::actor_system& sys, broker_spec spec) {
  return sys.spawn(broker_impl, std::move(spec));
}

}  // namespace brook::actors
