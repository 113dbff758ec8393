// brook chaos run: a workload against a local cluster, faults from a seeded plan or a schedule,
// and the checker's verdict (docs/operations.md, "Chaos").
#include "apps/cli_chaos.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <mutex>
#include <thread>

#include "apps/chaos/report.hpp"
#include "apps/chaos/workload.hpp"
#include "apps/cli_actors.hpp"
#include "apps/cli_clients.hpp"
#include "apps/cli_cluster.hpp"
#include "apps/cli_common.hpp"
#include "apps/cli_netns.hpp"
#include "net/native_client.hpp"
#include "runtime/clock.hpp"

namespace brook::cli {

namespace {

using chaos::fault;
using chaos::fault_kind;
using chaos::fault_outcome;
using cluster::member;
using std::chrono::milliseconds;

constexpr auto settle_limit = std::chrono::seconds(60);  // for the full ISR, before and after

std::string join_ports(const std::vector<member>& ms) {
  std::string s;
  for (const auto& m : ms)
    if (m.is_broker()) s += (s.empty() ? "" : ",") + m.address(m.native_port);
  return s;
}

// Waits until every partition of `topic` has a leader and `replication` in-sync replicas.
bool wait_full_isr(const std::string& bootstrap, const std::string& topic, int32_t partitions,
                   int32_t replication, std::chrono::seconds limit) {
  auto deadline = runtime::steady_ms() + limit.count() * 1000;
  while (runtime::steady_ms() < deadline) {
    auto md = cluster_metadata(bootstrap, {topic});
    if (md && md->topics.size() == 1 && md->topics[0].partitions.size() == size_t(partitions)) {
      bool full = true;
      for (const auto& p : md->topics[0].partitions)
        full = full && p.leader >= 0 && int32_t(p.isr.size()) >= replication;
      if (full) return true;
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  return false;
}

// Injects the faults of a run, one at a time on its own thread; an outage's end (restart,
// SIGCONT) runs on a thread of its own so later faults fire on time.
class injector {
 public:
  // Remembers every process's command line now, so any that dies (killed, or exited when its
  // supervisor gave up) can be started again.
  injector(const chaos_options& o, std::string bootstrap, std::string topic, int32_t partitions)
      : o_(o), bootstrap_(std::move(bootstrap)), topic_(std::move(topic)), partitions_(partitions) {
    if (auto ms = cluster::load(o_.dir))
      for (const auto& m : *ms)
        if (auto argv = cluster::command_line(m)) argv_[m.name()] = *argv;
  }
  ~injector() { finish(); }

  fault_outcome inject(const fault& f) {
    fault_outcome out;
    out.planned = f;
    // The topic's metadata; a broker that has just restarted may not know it yet: ask again.
    runtime::result<net::metadata_response> md = runtime::status{};
    for (int attempt = 0; attempt < 30; ++attempt) {
      md = cluster_metadata(bootstrap_, {topic_});
      if (md && md->topics.size() == 1 && md->topics[0].error == runtime::errc::none &&
          md->topics[0].partitions.size() == size_t(partitions_))
        break;
      std::this_thread::sleep_for(milliseconds(100));
    }
    if (!md || md->topics.size() != 1 || md->topics[0].partitions.size() != size_t(partitions_)) {
      out.error = "no metadata: " + (md ? std::string("topic missing") : md.error().to_string());
      return out;
    }
    const auto& parts = md->topics[0].partitions;
    auto led_by = [&](int32_t b) {
      std::vector<int32_t> v;
      for (const auto& p : parts)
        if (p.leader == b) v.push_back(p.partition);
      return v;
    };
    auto kill = [&](int32_t broker, const std::string& path) {
      auto address = broker_address(*md, broker);
      out.target = path + " on broker " + std::to_string(broker);
      if (address.empty()) {
        out.error = "broker " + std::to_string(broker) + " is not in the metadata";
        return;
      }
      if (auto s = kill_actor_at(address, path); !s) out.error = s.to_string();
    };
    // One of the connection sessions of `kind` at `address`, but not the newest: that one is the
    // connection this listing came through, gone by the time of the kill.
    auto pick = [&](const std::string& address, const std::string& kind, int32_t index,
                    std::string& path) -> bool {
      auto list = list_actors(net::metadata_response{}, {address});
      if (!list[0].error.is_ok()) {
        out.error = list[0].error.to_string();
        return false;
      }
      std::vector<std::pair<long, std::string>> sessions;  // (connection number, path)
      for (const auto& a : list[0].list.actors)
        if (a.kind == kind)
          sessions.emplace_back(std::atol(a.path.c_str() + a.path.rfind('/') + 1), a.path);
      std::sort(sessions.begin(), sessions.end());
      if (!sessions.empty()) sessions.pop_back();
      if (sessions.empty()) {
        out.error = "no " + kind + " actor at " + address + " but the listing's own";
        return false;
      }
      path = sessions[size_t(index) % sessions.size()].second;
      return true;
    };
    auto by_id = std::find_if(parts.begin(), parts.end(), [&](const net::partition_info& x) {
      return x.partition == f.partition;
    });
    const auto& p = by_id != parts.end() ? *by_id : parts.front();
    const std::string partition_path = "partition/" + topic_ + "-" + std::to_string(p.partition);
    auto follower = [&]() -> int32_t {
      std::vector<int32_t> fs;
      for (auto r : p.replicas)
        if (r != p.leader) fs.push_back(r);
      return fs.empty() ? -1 : fs[size_t(f.broker) % fs.size()];
    };
    switch (f.kind) {
      case fault_kind::kill_leader:
        out.partitions = {p.partition};
        kill(p.leader, partition_path);
        break;
      case fault_kind::kill_follower:
        if (follower() < 0)
          out.error = "partition " + std::to_string(p.partition) + " has no follower";
        else
          kill(follower(), partition_path);
        break;
      case fault_kind::kill_fetcher:
        if (follower() < 0)
          out.error = "partition " + std::to_string(p.partition) + " has no follower";
        else
          kill(follower(), "replica-fetcher/" + topic_ + "-" + std::to_string(p.partition));
        break;
      case fault_kind::kill_session: {
        std::string path;
        if (pick(broker_address(*md, f.broker), "session", f.partition, path)) kill(f.broker, path);
        break;
      }
      case fault_kind::kill_controller:
        kill(md->controller_id, "controller");
        break;
      case fault_kind::kill_group_coordinator:
        kill(f.broker, "group-coordinator");
        break;
      case fault_kind::kill_broker_actor:
        out.partitions = led_by(f.broker);
        kill(f.broker, "broker");
        break;
      case fault_kind::kill_coordinator_session: {
        auto c = find_member("coordinator", 0);
        if (!c) {
          out.error = "no coordinator in the cluster state";
          break;
        }
        auto address = c->address(c->native_port);
        std::string path;
        if (pick(address, "coordinator-session", f.broker, path)) {
          out.target = path + " on the coordinator";
          if (auto s = kill_actor_at(address, path); !s) out.error = s.to_string();
        }
        break;
      }
      case fault_kind::kill9_broker:
        out.partitions = led_by(f.broker);
        kill9(find_member("broker", f.broker), f.duration_ms, out);
        break;
      case fault_kind::kill9_coordinator:
        kill9(find_member("coordinator", 0), f.duration_ms, out);
        break;
      case fault_kind::pause_broker:
        out.partitions = led_by(f.broker);
        pause(find_member("broker", f.broker), f.duration_ms, out);
        break;
      case fault_kind::partition_broker:
        out.partitions = led_by(f.broker);
        partition(find_member("broker", f.broker), f.duration_ms, out);
        break;
    }
    if (!out.error.empty()) out.partitions.clear();
    return out;
  }

  /// Waits for the outages still under way to end (their processes restarted or resumed).
  void finish() {
    for (auto& t : restores_)
      if (t.joinable()) t.join();
    restores_.clear();
  }

  /// Anything not running is started again, anything stopped continued. Returns what it did.
  std::vector<std::string> heal() {
    std::vector<std::string> done;
    auto ms = cluster::load(o_.dir);
    if (!ms) return {ms.error().to_string()};
    for (const auto& m : *ms) {
      ::kill(m.pid, SIGCONT);
      if (!m.netns.empty()) netns::set_link(cluster::network_of(o_.dir, m), true);
      if (cluster::alive(m, o_.dir)) continue;
      std::lock_guard<std::mutex> g(mu_);
      auto it = argv_.find(m.name());
      if (it == argv_.end()) {
        done.push_back(m.name() + " is down and its command line is unknown");
        continue;
      }
      auto pid = cluster::restart(o_.dir, m, it->second);
      done.push_back(pid ? "restarted " + m.name()
                         : "cannot restart " + m.name() + ": " + pid.error().to_string());
    }
    return done;
  }

 private:
  std::optional<member> find_member(const std::string& role, int32_t id) {
    auto ms = cluster::load(o_.dir);
    if (!ms) return std::nullopt;
    for (const auto& m : *ms)
      if (m.role == role && (role == "coordinator" || m.id == id)) return m;
    return std::nullopt;
  }

  void kill9(std::optional<member> m, int64_t down_ms, fault_outcome& out) {
    if (!m) {
      out.error = "no such process in the cluster state";
      return;
    }
    out.target = m->name() + " (pid " + std::to_string(m->pid) + ")";
    if (!cluster::alive(*m, o_.dir)) {
      out.error = m->name() + " is not running";
      return;
    }
    std::vector<std::string> argv;
    {
      std::lock_guard<std::mutex> g(mu_);
      argv = argv_[m->name()];
    }
    if (argv.empty()) {
      out.error = "the command line of " + m->name() + " is unknown";
      return;
    }
    ::kill(m->pid, SIGKILL);
    restores_.emplace_back([this, m = *m, argv, down_ms] {
      std::this_thread::sleep_for(milliseconds(down_ms));
      for (int i = 0; i < 50 && cluster::alive(m, o_.dir); ++i)
        std::this_thread::sleep_for(milliseconds(20));
      auto pid = cluster::restart(o_.dir, m, argv);
      if (!pid)
        std::fprintf(stderr, "\nbrook chaos: cannot restart %s: %s\n", m.name().c_str(),
                     pid.error().to_string().c_str());
    });
  }

  // Takes the broker's link to everyone (bridge) down for `ms`.
  void partition(std::optional<member> m, int64_t ms, fault_outcome& out) {
    if (!m) {
      out.error = "no such broker in the cluster state";
      return;
    }
    if (m->netns.empty()) {
      out.error = ::geteuid() == 0 ? "the cluster runs without network namespaces (--netns on)"
                                   : "network partitions need root (network namespaces)";
      return;
    }
    auto link = cluster::network_of(o_.dir, *m);
    out.target = m->name() + " (" + m->host + ", link " + link.veth_host + " down)";
    if (auto s = netns::set_link(link, false); !s) {
      out.error = s.to_string();
      return;
    }
    restores_.emplace_back([link, ms] {
      std::this_thread::sleep_for(milliseconds(ms));
      netns::set_link(link, true);
    });
  }

  void pause(std::optional<member> m, int64_t ms, fault_outcome& out) {
    if (!m) {
      out.error = "no such broker in the cluster state";
      return;
    }
    out.target = m->name() + " (pid " + std::to_string(m->pid) + ")";
    if (!cluster::alive(*m, o_.dir) || ::kill(m->pid, SIGSTOP) != 0) {
      out.error = m->name() + " is not running";
      return;
    }
    restores_.emplace_back([pid = m->pid, ms] {
      std::this_thread::sleep_for(milliseconds(ms));
      ::kill(pid, SIGCONT);
    });
  }

  const chaos_options& o_;
  std::string bootstrap_, topic_;
  int32_t partitions_;
  std::vector<std::thread> restores_;
  std::mutex mu_;
  std::map<std::string, std::vector<std::string>> argv_;  // of processes killed, by name
};

// Fault -> the first write sent after it and acknowledged, on every partition it took a leader
// from; -1 if one of them had none.
int64_t failover_ms(const fault_outcome& f, const std::vector<chaos::timed_ack>& acks) {
  if (f.fired_ms < 0 || f.partitions.empty()) return -1;
  int64_t worst = 0;
  for (auto p : f.partitions) {
    int64_t first = -1;
    for (const auto& a : acks)
      if (a.rec.partition == p && a.sent_ms >= f.fired_ms && (first < 0 || a.acked_ms < first))
        first = a.acked_ms;
    if (first < 0) return -1;
    worst = std::max(worst, first - f.fired_ms);
  }
  return worst;
}

// Whether the kinds or the schedule name network partitions.
bool plans_partitions(const chaos_options& o) {
  const std::string name(chaos::name_of(fault_kind::partition_broker));
  if (!o.schedule.empty()) {
    std::ifstream in(o.schedule);
    return std::string(std::istreambuf_iterator<char>(in), {}).find(name) != std::string::npos;
  }
  return o.kinds.empty() || std::find(o.kinds.begin(), o.kinds.end(), name) != o.kinds.end();
}

runtime::result<std::vector<fault>> make_plan(const chaos_options& o, int32_t brokers) {
  if (!o.schedule.empty()) {
    std::ifstream in(o.schedule);
    if (!in)
      return runtime::status{runtime::errc::not_found, "cannot read --schedule " + o.schedule};
    return chaos::parse_schedule(std::string(std::istreambuf_iterator<char>(in), {}), brokers,
                                 o.partitions);
  }
  chaos::plan_options po;
  po.seed = o.seed;
  po.faults = o.faults;
  po.duration_ms = o.duration_s * 1000;
  po.brokers = brokers;
  po.partitions = o.partitions;
  if (!o.kinds.empty()) {
    po.kinds.clear();
    for (const auto& name : o.kinds) {
      auto k = chaos::fault_from_name(name);
      if (!k) {
        std::string all;
        for (auto x : chaos::all_fault_kinds())
          all += (all.empty() ? "" : ", ") + std::string(chaos::name_of(x));
        return runtime::status{runtime::errc::invalid_config,
                               "unknown fault kind '" + name + "' (kinds: " + all + ")"};
      }
      po.kinds.push_back(*k);
    }
  }
  return chaos::random_plan(po);
}

// The live line: elapsed, faults injected, acknowledged (and per second since the last line),
// failed sends, records consumers saw.
void progress(const chaos::workload& w, size_t fired, size_t planned, int64_t& last_acked,
              int64_t& last_ms, bool tty) {
  int64_t acked = w.acked(), now = w.now_ms();
  double rate = now > last_ms ? double(acked - last_acked) * 1000 / double(now - last_ms) : 0;
  std::fprintf(stderr, "%s[%6.1fs] faults %zu/%zu  acked %lld (%.0f/s)  failed %lld  seen %lld%s",
               tty ? "\r" : "", double(now) / 1000, fired, planned, (long long)acked, rate,
               (long long)w.failed(), (long long)w.seen_count(), tty ? "   " : "\n");
  std::fflush(stderr);
  last_acked = acked;
  last_ms = now;
}

}  // namespace

int chaos_run(const chaos_options& o) {
  if (o.duration_s < 1 || o.partitions < 1 || o.producers < 1 || o.consumers < 0 || o.rate < 1)
    return fail("--duration, --partitions, --producers and --rate must be positive");
  int16_t acks = o.acks == "all" || o.acks == "-1" ? -1 : o.acks == "1" ? 1 : o.acks == "0" ? 0 : 2;
  if (acks == 2) return fail("--acks must be all, 1 or 0, got " + o.acks);

  if (!o.attach) {
    cluster_options co;
    co.dir = o.dir;
    co.brokers = o.brokers;
    co.configs = o.configs;
    co.brookd = o.brookd;
    co.netns = o.netns == "on";
    if (o.netns == "auto" && plans_partitions(o)) {
      auto can = netns::available();
      co.netns = can.is_ok();
      if (!can)
        std::printf("brook chaos: network partitions will be skipped: %s\n", can.message().c_str());
    }
    if (int rc = cluster_up(co); rc != 0) return rc;
  }
  auto members = cluster::load(o.dir);
  if (!members) return fail(members.error());
  int32_t brokers = 0;
  for (const auto& m : *members) brokers += m.is_broker();
  auto teardown = [&](int rc) {
    if (!o.attach && !o.keep) {
      cluster_options co;
      co.dir = o.dir;
      cluster_down(co);
    }
    return rc;
  };
  auto plan = make_plan(o, brokers);
  if (!plan) return teardown(fail(plan.error()));

  const std::string bootstrap = join_ports(*members);
  const std::string topic = "chaos-" + std::to_string(o.seed);
  const int32_t replication = std::min(o.replication, brokers);
  {
    auto conn = any_broker(bootstrap);
    if (!conn) return teardown(fail(conn.error()));
    net::create_topic_request req{
        topic,
        o.partitions,
        int16_t(replication),
        {{"min.insync.replicas", std::to_string(std::min(2, replication))}}};
    auto r = (*conn)->call<net::status_response>(net::native_type::create_topic, req);
    if (!r) return teardown(fail(r.error()));
    if (r->error != runtime::errc::none && r->error != runtime::errc::topic_already_exists)
      return teardown(fail(runtime::status{r->error, r->message}));
  }
  if (!wait_full_isr(bootstrap, topic, o.partitions, replication, settle_limit))
    return teardown(fail("topic " + topic + " did not get a full ISR within 60 s"));
  std::printf(
      "brook chaos: seed %llu, %d broker(s), topic %s (%d partitions, RF %d), acks=%s, "
      "%d producer(s) at %lld records/s, %d consumer(s), %zu fault(s) over %llds\n",
      (unsigned long long)o.seed, brokers, topic.c_str(), o.partitions, replication, o.acks.c_str(),
      o.producers, (long long)o.rate, o.consumers, plan->size(), (long long)o.duration_s);
  std::fflush(stdout);

  chaos::workload w(
      {bootstrap, topic, o.partitions, o.producers, o.consumers, o.rate, acks, topic + "-readers"});
  if (auto st = w.start(); !st) return teardown(fail(st));
  injector inj(o, bootstrap, topic, o.partitions);
  std::vector<fault_outcome> outcomes;
  std::mutex outcomes_mu;
  std::atomic<bool> stop{false};
  std::thread faults([&] {
    for (const auto& f : *plan) {
      while (!stop && w.now_ms() < f.at_ms) std::this_thread::sleep_for(milliseconds(5));
      if (stop) return;
      int64_t at = w.now_ms();
      auto out = inj.inject(f);
      out.fired_ms = at;
      std::lock_guard<std::mutex> g(outcomes_mu);
      outcomes.push_back(std::move(out));
    }
  });
  const bool tty = ::isatty(2);
  int64_t last_acked = 0, last_ms = 0, next_print = 1000;
  while (w.now_ms() < o.duration_s * 1000) {
    std::this_thread::sleep_for(milliseconds(50));
    if (w.now_ms() >= next_print) {
      std::lock_guard<std::mutex> g(outcomes_mu);
      if (tty || next_print % 5000 == 0)
        progress(w, outcomes.size(), plan->size(), last_acked, last_ms, tty);
      next_print += 1000;
    }
  }
  stop = true;
  faults.join();
  inj.finish();
  if (tty) std::fprintf(stderr, "\n");
  std::printf("Workload done; flushing producers, healing the cluster, reading everything back\n");
  std::fflush(stdout);
  w.stop_producing(milliseconds(60000));
  // Processes may still die after the last fault (a supervisor giving up): heal until the ISR is
  // full again.
  bool settled = false;
  for (int i = 0; i < int(settle_limit.count()) && !settled; ++i) {
    for (const auto& line : inj.heal()) std::printf("  %s\n", line.c_str());
    settled = wait_full_isr(bootstrap, topic, o.partitions, replication, std::chrono::seconds(1));
  }
  if (!settled) std::printf("  the ISR did not become full again within 60 s\n");
  // Consumers read on until they have seen as much as they will (2 s without news, 30 s at most).
  for (int64_t last = -1, quiet = 0, waited = 0; quiet < 2000 && waited < 30000; waited += 200) {
    std::this_thread::sleep_for(milliseconds(200));
    quiet = w.seen_count() == last ? quiet + 200 : 0;
    last = w.seen_count();
  }
  w.stop_consuming();
  auto stored = chaos::read_topic(bootstrap, topic, o.partitions, milliseconds(120000));
  if (!stored) return teardown(fail("reading the topic back: " + stored.error().to_string()));

  chaos::run_summary s;
  s.seed = o.seed;
  s.duration_ms = o.duration_s * 1000;
  s.brokers = brokers;
  s.partitions = o.partitions;
  s.producers = o.producers;
  s.consumers = o.consumers;
  s.acks = o.acks;
  s.topic = topic;
  s.acked_per_second = w.acked_per_second();
  s.errors_per_second = w.failed_per_second();
  auto acks_list = w.acks();
  std::vector<chaos::acked_record> acked;
  for (const auto& a : acks_list) acked.push_back(a.rec);
  s.faults = outcomes;
  for (auto& f : s.faults) f.failover_ms = failover_ms(f, acks_list);
  s.result = chaos::check(o.partitions, acked, *stored, w.seen());
  std::printf("%s", chaos::timeline_text(s).c_str());
  if (w.failed() > 0)
    std::printf("Failed sends: %lld (first: %s)\n", (long long)w.failed(), w.first_error().c_str());
  auto json_path = o.json.empty() ? o.dir + "/chaos-" + std::to_string(o.seed) + ".json" : o.json;
  auto svg_path = o.svg.empty() ? o.dir + "/chaos-" + std::to_string(o.seed) + ".svg" : o.svg;
  std::ofstream(json_path) << chaos::summary_json(s);
  std::ofstream(svg_path) << chaos::timeline_svg(s);
  std::printf("Report: %s, timeline: %s\n", json_path.c_str(), svg_path.c_str());
  std::fflush(stdout);
  return teardown(s.result.ok() && settled ? 0 : 1);
}

}  // namespace brook::cli
