// brook bench produce|consume: throughput and latency percentiles, as kafka-producer-perf-test.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>

#include "apps/cli_clients.hpp"

namespace brook::cli {

namespace {

using clock_type = std::chrono::steady_clock;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now().time_since_epoch())
      .count();
}

void report(const char* what, int64_t n, int64_t bytes, double secs, std::vector<int64_t>& lat_ns) {
  std::sort(lat_ns.begin(), lat_ns.end());
  auto pct = [&](double q) {
    if (lat_ns.empty()) return 0.0;
    size_t i = std::min(lat_ns.size() - 1, size_t(q * double(lat_ns.size())));
    return double(lat_ns[i]) / 1e6;
  };
  std::printf(
      "%s: %lld records in %.2f s: %.0f records/s, %.2f MB/s, latency ms p50 %.2f p99 %.2f "
      "p99.9 %.2f max %.2f\n",
      what, (long long)n, secs, double(n) / secs, double(bytes) / secs / 1048576.0, pct(0.5),
      pct(0.99), pct(0.999), lat_ns.empty() ? 0.0 : double(lat_ns.back()) / 1e6);
}

}  // namespace

int bench_produce(const options& o) {
  if (o.records <= 0 || o.record_size < 0)
    return fail("--records must be > 0 and --record-size >= 0");
  auto cfg = producer_settings(o);
  if (!cfg) return fail(cfg.error());
  auto prod = client::producer::create(*cfg);
  if (!prod) return fail(prod.error());
  std::string payload(size_t(o.record_size), 'x');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = char('a' + i % 26);
  struct progress {
    std::vector<int64_t> sent, lat;
    std::atomic<int64_t> failed{0};
  } run;
  // The latency of every `every`-th record, evenly spread (at most about 500,000 samples, as
  // Kafka's ProducerPerformance keeps): two clock reads per record would cost the client a tenth
  // of its CPU at millions of records per second.
  const int64_t every = std::max<int64_t>(1, o.records / 500000);
  run.sent.resize(size_t((o.records + every - 1) / every));
  run.lat.resize(run.sent.size());
  auto& lat = run.lat;
  auto& failed = run.failed;
  auto start = clock_type::now();
  for (int64_t i = 0; i < o.records; ++i) {
    client::producer_record rec;
    rec.topic = o.topic;
    rec.value = payload;
    runtime::status st;
    // Two words of capture: kept inside the std::function, no allocation per record.
    if (i % every == 0) {
      size_t k = size_t(i / every);
      run.sent[k] = now_ns();
      st = (*prod)->send(std::move(rec), [r = &run, k](const client::delivery_report& d) {
        r->lat[k] = now_ns() - r->sent[k];
        if (!d.error.is_ok()) r->failed++;
      });
    } else {
      st = (*prod)->send(std::move(rec), [r = &run](const client::delivery_report& d) {
        if (!d.error.is_ok()) r->failed++;
      });
    }
    if (!st) return fail(st);
  }
  if (auto st = (*prod)->flush(); !st) return fail(st);
  double secs = std::chrono::duration<double>(clock_type::now() - start).count();
  report("produce", o.records, o.records * o.record_size, secs, lat);
  if (failed > 0) return fail(std::to_string(failed.load()) + " record(s) failed");
  return 0;
}

int bench_consume(const options& o) {
  options from_start = o;
  from_start.from_beginning = true;
  std::vector<client::topic_partition> tps;
  auto c = open_consumer(from_start, tps);
  if (!c) return fail(c.error());
  std::vector<int64_t> lat;
  lat.reserve(size_t(o.records));
  int64_t n = 0, bytes = 0;
  auto start = clock_type::now();
  auto last = start;
  while (n < o.records) {
    auto recs = (*c)->poll(std::chrono::milliseconds(500));
    if (!recs) return fail(recs.error());
    auto now_wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    for (auto& r : *recs) {
      bytes += int64_t(r.rec.value ? r.rec.value->size() : 0);
      lat.push_back((now_wall - r.rec.timestamp) * 1000000);  // end-to-end since CreateTime
    }
    n += int64_t(recs->size());
    if (!recs->empty()) last = clock_type::now();
    if (clock_type::now() - last > std::chrono::seconds(10))
      return fail("no records for 10 s after " + std::to_string(n) + " of " +
                  std::to_string(o.records));
  }
  double secs = std::chrono::duration<double>(clock_type::now() - start).count();
  report("consume", n, bytes, secs, lat);
  return 0;
}

}  // namespace brook::cli
