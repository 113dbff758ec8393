// Micro-benchmarks of the record batch hot paths: CRC, encode, decode, compression.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "runtime/compression.hpp"
#include "runtime/crc32c.hpp"
#include "runtime/record_batch.hpp"

namespace {

using namespace brook::runtime;

// Text-like values: JSON-ish words, so compressors see realistic redundancy.
std::vector<std::string> make_values(size_t count, size_t size) {
  static const char* words[] = {"{\"user\":", "\"alice\"",  ",\"event\":", "\"click\"", ",\"ts\":",
                                "1700000000", ",\"page\":", "\"/home\"",   "}",         " "};
  std::mt19937 rng(3);
  std::vector<std::string> out(count);
  for (auto& v : out) {
    while (v.size() < size) v += words[rng() % 10];
    v.resize(size);
  }
  return out;
}

void BM_Crc32c(benchmark::State& state) {
  const std::vector<uint8_t> buf(size_t(state.range(0)), 0xA5);
  for (auto _ : state) benchmark::DoNotOptimize(crc32c(buf.data(), buf.size()));
  state.SetBytesProcessed(int64_t(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Crc32c)->Arg(1 << 10)->Arg(64 << 10)->Arg(1 << 20);

void BM_BatchEncode(benchmark::State& state) {
  const auto values = make_values(1000, 100);
  batch_builder bb;
  for (auto _ : state) {
    for (size_t i = 0; i < values.size(); ++i)
      bb.append(1700000000000 + int64_t(i), std::nullopt, values[i]);
    benchmark::DoNotOptimize(bb.build());
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * 1000);
}
BENCHMARK(BM_BatchEncode);

void BM_BatchDecode(benchmark::State& state) {
  const auto values = make_values(1000, 100);
  batch_builder bb;
  for (size_t i = 0; i < values.size(); ++i)
    bb.append(1700000000000 + int64_t(i), std::nullopt, values[i]);
  const bytes batch = bb.build();
  for (auto _ : state) benchmark::DoNotOptimize(decode_records(batch.data(), batch.size()));
  state.SetItemsProcessed(int64_t(state.iterations()) * 1000);
}
BENCHMARK(BM_BatchDecode);

// Compresses the records section of a ~64 KiB batch, as the producer does once per batch.
void BM_Compress(benchmark::State& state) {
  const auto codec = compression(state.range(0));
  const auto values = make_values(640, 100);
  batch_builder bb;
  for (size_t i = 0; i < values.size(); ++i)
    bb.append(1700000000000 + int64_t(i), std::nullopt, values[i]);
  const bytes batch = bb.build();
  const uint8_t* recs = batch.data() + batch_header_size;
  const size_t n = batch.size() - batch_header_size;
  size_t packed = 0;
  for (auto _ : state) {
    auto r = compress(codec, recs, n);
    packed = r->size();
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(n));
  state.SetLabel(std::string(to_string(codec)) + " ratio " +
                 std::to_string(double(n) / double(packed)).substr(0, 4));
}
BENCHMARK(BM_Compress)->DenseRange(1, 4);

}  // namespace
