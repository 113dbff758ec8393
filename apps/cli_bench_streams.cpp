// brook bench streams: Brook Streams measured against a running broker.
//   --mode map      a stateless map application over --records pre-written records: records/s
//                   from start to the last output acknowledged (compare: bench/compare_streams.sh)
//   --mode urgency  an urgent and a not-so-urgent echo handler at --rate records/s each while a
//                   flexible handler burns --work-us of CPU per record on a backlog that keeps
//                   both cores busy, for --duration seconds; then the same with
//                   urgency.enabled=false; and the flexible handler alone, for its spare
//                   throughput. Latency is the runtime's own: produce -> outputs acknowledged.
#include <atomic>
#include <cstdio>
#include <thread>

#include "actors/client/client_metadata.hpp"
#include "actors/client/producer.hpp"
#include "actors/streams/streams.hpp"
#include "apps/cli_commands.hpp"
#include "net/native_client.hpp"
#include "runtime/clock.hpp"

namespace brook::cli {

namespace {

using namespace std::chrono_literals;
using str = std::string;

runtime::status create(const options& o, const str& topic, int32_t partitions) {
  auto servers = client::parse_bootstrap(o.bootstrap);
  if (!servers) return servers.error();
  client::client_metadata meta(*servers, std::chrono::seconds(10));
  auto conn = meta.any_connection();
  if (!conn) return conn.error();
  net::create_topic_request req{topic, partitions, 1, {}, false};
  auto r = (*conn)->call<net::status_response>(net::native_type::create_topic, req);
  if (!r) return r.error();
  if (r->error != runtime::errc::none) return {r->error, r->message};
  return {};
}

runtime::status fill(const options& o, const str& topic, int64_t n, int64_t size) {
  client::producer_config pc;
  pc.bootstrap_servers = o.bootstrap;
  auto p = client::producer::create(pc);
  if (!p) return p.error();
  str value(size_t(size), 'x');
  for (int64_t i = 0; i < n; ++i)
    if (auto st = (*p)->send({topic, std::nullopt, "k" + std::to_string(i % 1000), value, {}, -1});
        !st)
      return st;
  return (*p)->flush(std::chrono::minutes(5));
}

int64_t processed(const streams::kafka_streams& app) {
  int64_t n = 0;
  for (const auto& t : app.tasks()) n += t.processed;
  return n;
}

runtime::properties props(const options& o, const str& id) {
  return {{"application.id", id},
          {"bootstrap.servers", o.bootstrap},
          {"state.dir", "/tmp/brook-bench-streams"},
          {"commit.interval.ms", "1000"}};
}

int bench_map(const options& o, const str& run) {
  int64_t n = o.records > 0 ? o.records : 1000000;
  auto in = o.topic.empty() ? "bench-map-in-" + run : o.topic, out = "bench-map-out-" + run;
  int32_t parts = o.partitions > 0 ? o.partitions : 1;
  if (o.topic.empty()) {  // else: --topic holds the records already
    if (auto st = create(o, in, parts); !st) return fail(st);
    if (auto st = fill(o, in, n, o.record_size); !st) return fail(st);
  }
  if (auto st = create(o, out, parts); !st) return fail(st);
  streams::stream_builder b;
  b.stream<str, str>(in)
      .map_values([](const str& v) {
        str u = v;
        if (!u.empty()) u[0] = char(u[0] ^ 0x20);
        return u;
      })
      .to(out);
  streams::kafka_streams app(b.build(), props(o, "bench-map-" + run));
  auto t0 = runtime::steady_ms();
  if (auto st = app.start(); !st) return fail(st);
  int64_t first = -1;  // the first record processed: the group join is behind
  while (processed(app) < n) {
    if (first < 0 && processed(app) > 0) first = runtime::steady_us();
    std::this_thread::sleep_for(1ms);
  }
  double secs = double(runtime::steady_us() - first) / 1e6;
  std::printf("streams map: %lld records in %.2f s after the group join (%.2f s): %.0f records/s\n",
              (long long)n, secs, double(first / 1000 - t0) / 1000.0, double(n) / secs);
  app.close();
  return 0;
}

struct phase_result {
  streams::task_metrics urgent, normal;
  double flexible_rate = 0;
};

// One phase of the urgency benchmark: fresh topics and application.
runtime::result<phase_result> urgency_phase(const options& o, const str& name, bool echoes,
                                            bool urgency_enabled) {
  auto run = name + "-" + std::to_string(runtime::wall_ms());
  auto t = [&](const str& what) { return "bench-" + what + "-" + run; };
  for (const auto* topic : {"u-in", "u-out", "n-in", "n-out", "f-out"})
    if (auto st = create(o, t(topic), 1); !st) return st;
  if (auto st = create(o, t("f-in"), 2); !st) return st;
  int64_t seconds = o.duration_s, work_us = o.work_us;
  // Enough backlog that the flexible handler never runs dry.
  int64_t backlog = std::max<int64_t>(20000, 2 * seconds * 1000000 / std::max<int64_t>(work_us, 1));
  if (auto st = fill(o, t("f-in"), backlog, o.record_size); !st) return st;

  streams::stream_builder b;
  if (echoes) {
    b.stream<str, str>(t("u-in")).with_urgency(streams::urgent{}).to(t("u-out"));
    b.stream<str, str>(t("n-in")).with_urgency(streams::not_so_urgent{}).to(t("n-out"));
  }
  b.stream<str, str>(t("f-in"))
      .with_urgency(streams::flexible{})
      .map_values([work_us](const str& v) {
        auto until = runtime::steady_us() + work_us;
        uint64_t h = 1469598103934665603ull;
        while (runtime::steady_us() < until)
          for (char c : v) h = (h ^ uint8_t(c)) * 1099511628211ull;
        return v + char('a' + h % 26);
      })
      .to(t("f-out"));
  auto p = props(o, "bench-urgency-" + run);
  p["urgency.enabled"] = urgency_enabled ? "true" : "false";
  streams::kafka_streams app(b.build(), p);
  if (auto st = app.start(); !st) return st;
  size_t want_tasks = echoes ? 4 : 2;
  auto wait_until = runtime::steady_ms() + 30000;
  while (app.tasks().size() < want_tasks && runtime::steady_ms() < wait_until)
    std::this_thread::sleep_for(10ms);

  client::producer_config pc;
  pc.bootstrap_servers = o.bootstrap;
  pc.linger_ms = 0;
  auto prod = client::producer::create(pc);
  if (!prod) return prod.error();
  int64_t rate = std::max<int64_t>(o.rate, 1);
  auto f0 = app.tasks();
  auto flexible_done = [&](const std::vector<streams::task_metrics>& ts) {
    int64_t n = 0;
    for (const auto& m : ts)
      for (const auto& part : m.partitions)
        if (part.rfind(t("f-in"), 0) == 0) n += m.processed;
    return n;
  };
  auto start_ms = runtime::steady_ms();
  for (int64_t i = 0; runtime::steady_ms() - start_ms < seconds * 1000; ++i) {
    if (echoes) {
      (*prod)->send({t("u-in"), 0, str("u"), std::to_string(i), {}, -1});
      (*prod)->send({t("n-in"), 0, str("n"), std::to_string(i), {}, -1});
    }
    auto next = start_ms + (i + 1) * 1000 / rate;
    while (runtime::steady_ms() < next) std::this_thread::sleep_for(200us);
  }
  (*prod)->flush(10s);
  std::this_thread::sleep_for(1s);  // the last echoes are acknowledged
  auto ts = app.tasks();
  double secs = double(runtime::steady_ms() - start_ms) / 1000.0;
  phase_result r;
  r.flexible_rate = double(flexible_done(ts) - flexible_done(f0)) / secs;
  for (const auto& m : ts) {
    if (m.partitions.empty()) continue;
    if (m.partitions[0].rfind(t("u-in"), 0) == 0) r.urgent = m;
    if (m.partitions[0].rfind(t("n-in"), 0) == 0) r.normal = m;
  }
  app.close(5s);
  return r;
}

void print_latency(const char* what, const streams::task_metrics& m) {
  std::printf(
      "  %-14s %7lld records  p50 %7.2f ms  p99 %7.2f ms  p99.9 %7.2f ms  max %7.2f ms  late "
      "%lld\n",
      what, (long long)m.processed, double(m.latency_p50_us) / 1000,
      double(m.latency_p99_us) / 1000, double(m.latency_p999_us) / 1000,
      double(m.latency_max_us) / 1000, (long long)m.late);
}

int bench_urgency(const options& o) {
  auto alone = urgency_phase(o, "alone", false, true);
  if (!alone) return fail(alone.error());
  auto on = urgency_phase(o, "on", true, true);
  if (!on) return fail(on.error());
  auto off = urgency_phase(o, "off", true, false);
  if (!off) return fail(off.error());
  std::printf("flexible alone: %.0f records/s\n", alone->flexible_rate);
  std::printf("urgency on (flexible %.0f records/s, %.0f%% of alone):\n", on->flexible_rate,
              100.0 * on->flexible_rate / std::max(alone->flexible_rate, 1.0));
  print_latency("urgent", on->urgent);
  print_latency("not-so-urgent", on->normal);
  std::printf("urgency off (flexible %.0f records/s, %.0f%% of alone):\n", off->flexible_rate,
              100.0 * off->flexible_rate / std::max(alone->flexible_rate, 1.0));
  print_latency("urgent", off->urgent);
  print_latency("not-so-urgent", off->normal);
  return 0;
}

}  // namespace

int bench_streams(const options& o) {
  if (o.mode == "urgency") return bench_urgency(o);
  return bench_map(o, std::to_string(runtime::wall_ms()));
}

}  // namespace brook::cli
