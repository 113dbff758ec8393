// Micro-benchmark of partition_log::append: prebuilt 16 KiB batches of 100-byte records written to
// a log in a temp dir (page cache; no fsync, as with Kafka's default flush policy).
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "runtime/record_batch.hpp"
#include "runtime/storage/partition_log.hpp"

namespace {

using namespace brook::runtime;

constexpr size_t batch_bytes = 16 * 1024;
constexpr size_t record_bytes = 100;

// Fills one batch up to ~16 KiB with records whose value makes each record ~100 bytes.
bytes make_batch(int& records) {
  batch_builder b;
  std::string value(record_bytes - 10, 'v');
  records = 0;
  while (b.size_bytes() + record_bytes <= batch_bytes) {
    b.append(1700000000000 + records, std::string_view("key"), std::string_view(value));
    ++records;
  }
  return b.build();
}

void BM_LogAppend(benchmark::State& state) {
  char tmpl[] = "/tmp/brook_log_bench_XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  storage::log_config cfg;
  cfg.segment_bytes = 64 << 20;  // exercises rolls without filling the disk
  cfg.retention_bytes = 256 << 20;
  auto log = storage::partition_log::open(storage::env::posix(), dir, cfg);
  if (!log) {
    state.SkipWithError(log.error().to_string().c_str());
    return;
  }
  int records = 0;
  const bytes batch = make_batch(records);
  bytes work = batch;
  int64_t now = 0;
  for (auto _ : state) {
    auto r = (*log)->append(work.data(), work.size(), 1, now);
    if (!r) {
      state.SkipWithError(r.error().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(r->last_offset);
    if (++now % 4096 == 0) {
      state.PauseTiming();
      (*log)->enforce_retention(now);
      state.ResumeTiming();
    }
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(batch.size()));
  state.SetItemsProcessed(int64_t(state.iterations()) * records);
  state.counters["batch_bytes"] = double(batch.size());
  log->reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
BENCHMARK(BM_LogAppend);

}  // namespace
