// brook streams describe <application.id>: the application's instances (from their reports on
// <application.id>-status), its group's members, and per task: urgency, partitions, records
// processed, lag (log end minus committed), restarts, late records and latency percentiles.
#include <cstdio>
#include <map>
#include <set>

#include "actors/client/client_metadata.hpp"
#include "actors/client/consumer.hpp"
#include "actors/streams/run/status.hpp"
#include "apps/cli_commands.hpp"
#include "net/group_messages.hpp"
#include "net/native_client.hpp"
#include "runtime/clock.hpp"

namespace brook::cli {

namespace {

using std::chrono::milliseconds;
using streams::run::instance_status;

// The latest report of every instance.
runtime::result<std::map<std::string, instance_status>> read_reports(const options& o,
                                                                     client::consumer& c) {
  client::topic_partition tp{streams::run::status_topic(o.group), 0};
  if (auto st = c.assign({tp}); !st) return st;
  if (auto st = c.seek_to_end({tp}); !st) return st;
  auto end = c.position(tp);
  if (!end) return end.error();
  if (auto st = c.seek_to_beginning({tp}); !st) return st;
  std::map<std::string, instance_status> latest;
  auto deadline = runtime::steady_ms() + 10000;
  for (;;) {
    auto pos = c.position(tp);
    if (!pos) return pos.error();
    if (*pos >= *end || runtime::steady_ms() > deadline) break;
    auto recs = c.poll(milliseconds(200));
    if (!recs) return recs.error();
    for (const auto& r : *recs)
      if (r.rec.value)
        if (auto s = streams::run::decode_status(*r.rec.value)) latest[s->instance] = std::move(*s);
  }
  return latest;
}

std::string micros(int64_t us) {
  char b[32];
  if (us < 1000) {
    std::snprintf(b, sizeof(b), "%ldus", long(us));
  } else if (us < 10000000) {
    std::snprintf(b, sizeof(b), "%.1fms", double(us) / 1000.0);
  } else {
    std::snprintf(b, sizeof(b), "%.1fs", double(us) / 1e6);
  }
  return b;
}

}  // namespace

int streams_describe(const options& o) {
  client::consumer_config cc;
  cc.bootstrap_servers = o.bootstrap;
  cc.group_id = o.group;  // for committed offsets only: it never joins
  cc.enable_auto_commit = false;
  auto c = client::consumer::create(cc);
  if (!c) return fail(c.error());
  auto reports = read_reports(o, **c);
  if (!reports)
    return fail(runtime::status{reports.error().code(), "no status of application " + o.group +
                                                            ": " + reports.error().to_string()});

  auto servers = client::parse_bootstrap(o.bootstrap);
  if (!servers) return fail(servers.error());
  client::client_metadata meta(*servers, std::chrono::seconds(10));
  auto conn = meta.coordinator_connection(o.group, std::chrono::seconds(30));
  if (!conn) return fail(conn.error());
  auto d = (*conn)->call<net::describe_groups_response>(net::native_type::describe_groups,
                                                        net::describe_groups_request{{o.group}});
  if (!d) return fail(d.error());
  std::string state = "unknown";
  std::vector<net::group_member_description> members;
  if (!d->groups.empty() && d->groups[0].error == runtime::errc::none) {
    state = d->groups[0].state;
    members = d->groups[0].members;
  }
  std::printf("Application %s: group state %s, %zu member(s)\n", o.group.c_str(), state.c_str(),
              members.size());
  for (const auto& m : members)
    std::printf("  member %s (client %s, %s)\n", m.member_id.c_str(), m.client_id.c_str(),
                m.client_host.c_str());

  auto now = runtime::wall_ms();
  for (const auto& [name, s] : *reports) {
    std::printf("\nINSTANCE %s: %s, reported %.1f s ago\n", name.c_str(), s.state.c_str(),
                double(now - s.time_ms) / 1000.0);
    if (s.tasks.empty()) continue;
    // Lag of each task partition: log end offset minus the group's committed offset.
    std::vector<client::topic_partition> tps;
    for (const auto& t : s.tasks)
      for (const auto& p : t.partitions) {
        auto dash = p.rfind('-');
        tps.push_back({p.substr(0, dash), std::stoi(p.substr(dash + 1))});
      }
    std::map<client::topic_partition, int64_t> ends;
    if ((*c)->assign(tps) && (*c)->seek_to_end(tps))
      for (const auto& tp : tps)
        if (auto e = (*c)->position(tp)) ends[tp] = *e;
    auto committed = (*c)->committed(tps);
    std::printf("%-6s %-13s %-9s %-28s %10s %8s %7s %8s %6s %9s %9s %9s %9s %9s\n", "TASK",
                "URGENCY", "DEADLINE", "PARTITIONS", "PROCESSED", "LAG", "QUEUED", "RESTARTS",
                "LATE", "P50", "P99", "P99.9", "MAX", "LATENESS");
    size_t i = 0;
    for (const auto& t : s.tasks) {
      std::string parts;
      int64_t lag = 0;
      for (size_t k = 0; k < t.partitions.size(); ++k, ++i) {
        parts += (k ? "," : "") + t.partitions[k];
        const auto& tp = tps[i];
        int64_t done =
            committed && committed->count(tp) ? std::max<int64_t>(0, committed->at(tp).offset) : 0;
        if (ends.count(tp)) lag += std::max<int64_t>(0, ends[tp] - done);
      }
      std::printf("%-6s %-13s %-9s %-28s %10ld %8ld %7ld %8ld %6ld %9s %9s %9s %9s %9s\n",
                  t.id.to_string().c_str(), streams::name_of(t.urgency),
                  (std::to_string(t.deadline.count()) + "ms").c_str(), parts.c_str(),
                  long(t.processed), long(lag), long(t.queued), long(t.restarts), long(t.late),
                  micros(t.latency_p50_us).c_str(), micros(t.latency_p99_us).c_str(),
                  micros(t.latency_p999_us).c_str(), micros(t.latency_max_us).c_str(),
                  (std::to_string(t.lateness_max_ms) + "ms").c_str());
    }
  }
  if (reports->empty()) std::printf("\nno instance has reported yet\n");
  return 0;
}

int kill_streams_task(const options& o) {
  auto ep = runtime::parse_endpoint(o.app_address);
  if (!ep) return fail(ep.error());
  auto c = net::native_client::connect(*ep, milliseconds(5000));
  if (!c) return fail(c.error());
  auto r = (*c)->call<net::status_response>(net::native_type::kill_actor,
                                            net::kill_actor_request{"streams-task", o.task, 0});
  if (!r) return fail(r.error());
  if (r->error != runtime::errc::none) return fail(runtime::status{r->error, r->message});
  std::printf("Killed task actor %s.\n", o.task.c_str());
  return 0;
}

}  // namespace brook::cli
