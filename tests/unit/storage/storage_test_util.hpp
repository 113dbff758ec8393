#pragma once
// Shared helpers for the storage tests: a fresh temp directory per test and batch builders.
#include <gtest/gtest.h>

#include "tests/temp_dir.hpp"
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "runtime/record_batch.hpp"
#include "runtime/storage/file.hpp"
#include "runtime/storage/log_format.hpp"
#include "runtime/storage/partition_log.hpp"

namespace brook::runtime::storage::test {

using temp_dir = brook::testutil::temp_dir;

/// A batch of `records` records, all with timestamp `ts`, values "v<i>" padded to value_size.
inline bytes make_batch(int records, int64_t ts, size_t value_size = 16) {
  batch_builder b;
  for (int i = 0; i < records; ++i) {
    std::string v = "v" + std::to_string(i);
    if (v.size() < value_size) v.resize(value_size, '.');
    b.append(ts, std::string_view("k"), std::string_view(v));
  }
  return b.build();
}

/// Appends a copy of `batch` (append rewrites it in place).
inline result<append_info> append_copy(partition_log& log, const bytes& batch, int64_t now_ms = 0,
                                       int32_t epoch = 0) {
  bytes copy = batch;
  return log.append(copy.data(), copy.size(), epoch, now_ms);
}

/// Headers of the batches in `data`; fails the test if it does not split cleanly.
inline std::vector<batch_header> headers_of(const bytes& data) {
  std::vector<batch_header> out;
  auto split = split_batches(data.data(), data.size(), false);
  EXPECT_TRUE(split.has_value()) << split.error().to_string();
  if (!split) return out;
  for (const auto& v : *split) {
    EXPECT_TRUE(validate_stored_batch(v.header, v.data, v.size).is_ok());
    out.push_back(v.header);
  }
  return out;
}

/// Every record in `data`, decoded.
inline std::vector<record> records_of(const bytes& data) {
  std::vector<record> out;
  auto split = split_batches(data.data(), data.size(), false);
  EXPECT_TRUE(split.has_value());
  if (!split) return out;
  for (const auto& v : *split) {
    auto recs = decode_records(v.data, v.size);
    EXPECT_TRUE(recs.has_value()) << recs.error().to_string();
    if (recs) out.insert(out.end(), recs->begin(), recs->end());
  }
  return out;
}

/// Reads the whole log from start_offset() by repeated fetches of `max_bytes`.
inline std::vector<record> read_all(const partition_log& log, size_t max_bytes = 1 << 20) {
  std::vector<record> out;
  offset from = log.start_offset();
  while (from < log.end_offset()) {
    auto data = log.read(from, max_bytes);
    EXPECT_TRUE(data.has_value()) << data.error().to_string();
    if (!data || data->empty()) break;
    auto hs = headers_of(*data);
    if (hs.empty()) break;
    auto recs = records_of(*data);
    out.insert(out.end(), recs.begin(), recs.end());
    from = offset{hs.back().last_offset() + 1};
  }
  return out;
}

inline std::string segment_path(const temp_dir& dir, int64_t base, std::string_view suffix) {
  return dir.file(format::segment_file_name(base, suffix));
}

using brook::testutil::file_size;
using brook::testutil::flip_byte;
using brook::testutil::resize_file;
using brook::testutil::read_file;
using brook::testutil::write_file;

/// Opens a log or fails the test.
inline std::unique_ptr<partition_log> open_log(env& e, const temp_dir& dir, log_config cfg) {
  auto log = partition_log::open(e, dir.path(), cfg);
  EXPECT_TRUE(log.has_value()) << log.error().to_string();
  return log ? std::move(*log) : nullptr;
}

}  // namespace brook::runtime::storage::test
