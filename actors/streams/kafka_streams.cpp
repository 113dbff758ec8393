#include "actors/streams/kafka_streams.hpp"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/thread_hook.hpp>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "actors/client/client_metadata.hpp"
#include "actors/client/producer.hpp"
#include "actors/streams/run/admin_listener.hpp"
#include "actors/streams/run/messages.hpp"
#include "actors/streams/run/status.hpp"
#include "actors/streams/run/stream_thread.hpp"
#include "actors/streams/topology.hpp"
#include "net/native_client.hpp"
#include "runtime/clock.hpp"
#include "runtime/log.hpp"

namespace brook::streams {

using std::chrono::milliseconds;

namespace {

// The flexible class's scheduler threads run at the lowest OS priority (nice 19): they get the
// cores only when nothing else wants them.
class low_priority_threads : public caf::thread_hook {
 public:
  void init(caf::actor_system&) override {}
  void thread_started() override { setpriority(PRIO_PROCESS, pid_t(syscall(SYS_gettid)), 19); }
  void thread_terminates() override {}
};

urgency of_topic(runtime::urgency u) {
  switch (u) {
    case runtime::urgency::urgent:
      return urgent{};
    case runtime::urgency::flexible:
      return flexible{};
    default:
      return not_so_urgent{};
  }
}

}  // namespace

struct kafka_streams::impl {
  topology topo;  // shares the definition with the caller's
  streams_config cfg;
  std::unique_ptr<run::app_shared> shared;
  caf::actor_system_config main_cfg, flexible_cfg;
  std::unique_ptr<caf::actor_system> main_sys, flexible_sys;
  std::vector<std::unique_ptr<run::stream_thread>> threads;
  state st = state::created;
  // Status reports on <application.id>-status.
  std::unique_ptr<client::producer> status_producer;
  std::thread status_thread;
  std::mutex status_mu;
  std::condition_variable status_cv;
  bool status_stop = false;
  std::string instance;
  std::unique_ptr<run::admin_listener> admin;
  std::string admin_address;

  std::string tag() const { return "[Streams " + cfg.application_id + "] "; }
  runtime::status create_internal_topics(client::client_metadata& meta, int32_t partitions);
  void report(const std::string& state_name, std::vector<task_metrics> tasks);
  runtime::status start_status_reports(kafka_streams& self);
  void stop_status_reports();
};

void kafka_streams::impl::report(const std::string& state_name, std::vector<task_metrics> tasks) {
  run::instance_status s{instance, runtime::wall_ms(), state_name, std::move(tasks)};
  client::producer_record r;
  r.topic = run::status_topic(cfg.application_id);
  r.partition = 0;
  r.key = instance;
  r.value = run::encode_status(s);
  status_producer->send(std::move(r));  // a lost report is replaced by the next
}

runtime::status kafka_streams::impl::start_status_reports(kafka_streams& self) {
  client::producer_config pc;
  pc.bootstrap_servers = cfg.bootstrap_servers;
  pc.acks = 1;
  pc.linger_ms = 0;
  auto p = client::producer::create(pc);
  if (!p) return p.error();
  status_producer = std::move(*p);
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  instance = cfg.client_id + "@" + host + ":" + std::to_string(getpid());
  status_thread = std::thread([this, &self] {
    std::unique_lock<std::mutex> g(status_mu);
    while (!status_cv.wait_for(g, milliseconds(cfg.status_interval_ms),
                               [this] { return status_stop; })) {
      g.unlock();
      report(self.current_state() == state::failed ? "failed" : "running", self.tasks());
      g.lock();
    }
  });
  return {};
}

void kafka_streams::impl::stop_status_reports() {
  if (!status_thread.joinable()) return;
  {
    std::lock_guard<std::mutex> g(status_mu);
    status_stop = true;
  }
  status_cv.notify_all();
  status_thread.join();
  report("closed", {});
  status_producer->flush(milliseconds(5000));
  status_producer.reset();
}

kafka_streams::kafka_streams(const topology& t, const runtime::properties& config)
    : impl_(std::make_unique<impl>()) {
  impl_->topo = t;
  auto cfg = streams_config::from_properties(config);
  if (!cfg) throw std::invalid_argument(cfg.error().to_string());
  impl_->cfg = std::move(*cfg);
  if (impl_->topo.impl().subtopologies().empty())
    throw topology_error("the topology reads no topic: add a source (stream(), table()) first");
}

kafka_streams::~kafka_streams() {
  close();
}

runtime::status kafka_streams::impl::create_internal_topics(client::client_metadata& meta,
                                                            int32_t partitions) {
  struct spec {
    int32_t partitions;
    std::map<std::string, std::string> configs;
  };
  std::map<std::string, spec> wanted;
  for (const auto& t : topo.impl().internal_topics())
    wanted[topo.impl().resolve(cfg.application_id, t)] = {partitions, cfg.topic_overrides};
  const auto changelog_configs = cfg.changelog_configs();
  for (const auto& [name, def] : topo.impl().stores()) {
    auto changelog = topo.impl().changelog_topic(cfg.application_id, def);
    if (!changelog.empty() && def.source_topic.empty())
      wanted[changelog] = {partitions, changelog_configs};
  }
  if (cfg.on_bad_record == bad_record_policy::dead_letter)
    wanted[cfg.dead_letters()] = {partitions, {}};
  wanted[run::status_topic(cfg.application_id)] = {1, {{"retention.ms", "86400000"}}};
  for (const auto& [name, want] : wanted) {
    if (meta.topic(name, false)) continue;
    auto conn = meta.any_connection();
    if (!conn) return conn.error();
    net::create_topic_request req{name, want.partitions, cfg.replication_factor, want.configs,
                                  false};
    auto r = (*conn)->call<net::status_response>(net::native_type::create_topic, req);
    if (!r) return r.error();
    if (r->error == runtime::errc::topic_already_exists) continue;  // another instance made it
    if (r->error != runtime::errc::none)
      return {r->error, "creating internal topic " + name + ": " + r->message};
    BROOK_LOG_INFO(tag() << "created internal topic " << name << " (" << want.partitions
                         << " partitions)");
  }
  for (const auto& [name, want] : wanted) {
    auto m = meta.topic(name, false, milliseconds(30000));
    if (!m) return {m.error().code(), "internal topic " + name + ": " + m.error().to_string()};
  }
  return {};
}

runtime::status kafka_streams::start() {
  auto& p = *impl_;
  if (p.st != state::created) return {runtime::errc::invalid_request, "start() was called before"};
  auto bootstrap = client::parse_bootstrap(p.cfg.bootstrap_servers);
  if (!bootstrap) return bootstrap.error();
  client::client_metadata meta(*bootstrap, milliseconds(30000));

  // The source topics must exist; internal topics get as many partitions as the widest of them.
  const auto& topo = p.topo.impl();
  int32_t partitions = 1;
  std::map<std::string, urgency> topic_urgency;
  for (const auto& sub : topo.subtopologies())
    for (const auto& t : sub.source_topics) {
      if (topo.is_internal(t)) continue;
      auto m = meta.topic(t, false, milliseconds(10000));
      if (!m)
        return {runtime::errc::unknown_topic_or_partition,
                "source topic " + t + " does not exist (create it before starting " +
                    p.cfg.application_id + "): " + m.error().to_string()};
      partitions = std::max(partitions, m->partitions);
      topic_urgency[t] = of_topic(m->urgency_class);
    }
  if (auto st = p.create_internal_topics(meta, partitions); !st) return st;

  // Each sub-topology's urgency: set on one of its nodes, else its most urgent source topic's.
  std::map<urgency_class, std::vector<run::stream_thread::sub_run>> by_class;
  for (const auto& sub : topo.subtopologies()) {
    std::optional<urgency> u = sub.urg;
    if (!u)
      for (const auto& t : sub.source_topics)
        if (auto it = topic_urgency.find(t); it != topic_urgency.end())
          if (!u || class_of(it->second) < class_of(*u)) u = it->second;
    urgency urg = u ? *u : urgency{not_so_urgent{}};
    if (!p.cfg.urgency_enabled) urg = not_so_urgent{deadline_of(urg)};
    run::stream_thread::sub_run r{&sub, urg, {}};
    for (const auto& t : sub.source_topics)
      r.topics.push_back(topo.resolve(p.cfg.application_id, t));
    by_class[class_of(urg)].push_back(std::move(r));
  }

  p.shared = std::make_unique<run::app_shared>(topo, p.cfg);
  p.main_cfg.add_message_types<caf::id_block::brook_streams>();
  p.main_sys = std::make_unique<caf::actor_system>(p.main_cfg);
  if (by_class.count(urgency_class::flexible)) {
    p.flexible_cfg.add_message_types<caf::id_block::brook_streams>();
    p.flexible_cfg.add_thread_hook<low_priority_threads>();
    p.flexible_sys = std::make_unique<caf::actor_system>(p.flexible_cfg);
  }
  for (auto& [cls, subs] : by_class) {
    auto& sys = cls == urgency_class::flexible ? *p.flexible_sys : *p.main_sys;
    auto t = std::make_unique<run::stream_thread>(*p.shared, cls, std::move(subs), sys);
    if (auto st = t->start(); !st) {
      close(milliseconds(0));
      return st;
    }
    p.threads.push_back(std::move(t));
  }
  if (!p.cfg.admin_listeners.empty()) {
    auto ep = runtime::parse_endpoint(p.cfg.admin_listeners);
    if (!ep) {
      close(milliseconds(0));
      return {ep.error().code(), "admin.listeners: " + ep.error().to_string()};
    }
    p.admin = std::make_unique<run::admin_listener>(
        *ep, [this](const task_id& id) { return kill_task(id); },
        [this] {
          std::vector<std::pair<task_id, int64_t>> out;
          for (const auto& t : tasks()) out.emplace_back(t.id, t.restarts);
          return out;
        },
        p.cfg.application_id);
    auto port = p.admin->start();
    if (!port) {
      close(milliseconds(0));
      return {port.error().code(),
              "admin.listeners " + p.cfg.admin_listeners + ": " + port.error().to_string()};
    }
    p.admin_address = ep->host + ":" + std::to_string(*port);
    BROOK_LOG_INFO(p.tag() << "admin listener on " << p.admin_address);
  }
  p.st = state::running;
  if (auto st = p.start_status_reports(*this); !st)
    BROOK_LOG_WARN(p.tag() << "no status reports: " << st.to_string());
  BROOK_LOG_INFO(p.tag() << "running " << topo.subtopologies().size() << " sub-topologies in "
                         << p.threads.size() << " urgency class(es)");
  return {};
}

void kafka_streams::close(milliseconds timeout) {
  auto& p = *impl_;
  if (p.st == state::closed) return;
  p.admin.reset();
  p.stop_status_reports();
  for (auto& t : p.threads) t->stop(timeout);
  p.threads.clear();
  p.flexible_sys.reset();
  p.main_sys.reset();
  p.st = state::closed;
}

kafka_streams::state kafka_streams::current_state() const {
  if (impl_->st == state::running && impl_->shared && impl_->shared->failed) return state::failed;
  return impl_->st;
}

std::vector<task_metrics> kafka_streams::tasks() const {
  std::vector<task_metrics> out;
  for (const auto& t : impl_->threads) {
    auto m = t->metrics();
    out.insert(out.end(), m.begin(), m.end());
  }
  return out;
}

std::string kafka_streams::admin_address() const {
  return impl_->admin_address;
}

bool kafka_streams::kill_task(const task_id& id) {
  for (auto& t : impl_->threads)
    if (t->kill(id)) return true;
  return false;
}

}  // namespace brook::streams
