// Log compaction (cleanup.policy=compact): what a pass keeps, what it removes, and what a crash or
// a concurrent change of the log does to it.
#include <gtest/gtest.h>

#include <map>

#include "runtime/storage/compaction.hpp"
#include "runtime/storage/partition_log.hpp"
#include "tests/unit/storage/storage_test_util.hpp"

namespace brook::runtime::storage::test {
namespace {

constexpr int64_t kNow = 10'000'000;

/// One record batch of one record; a null value is a tombstone.
bytes keyed(std::optional<std::string> key, std::optional<std::string> value, int64_t ts = kNow,
            compression codec = compression::none) {
  batch_builder b(codec);
  b.append(ts, key ? std::optional<std::string_view>(*key) : std::nullopt,
           value ? std::optional<std::string_view>(*value) : std::nullopt);
  return b.build();
}

class compaction_test : public ::testing::Test {
 protected:
  std::unique_ptr<partition_log> open() { return open_log(env::posix(), dir_, cfg_); }

  compaction_test() {
    cfg_.segment_bytes = 600;  // a segment every few records
    cfg_.cleanup_compact = true;
    cfg_.cleanup_delete = false;
    cfg_.delete_retention_ms = 1000;
  }

  /// Appends `rounds` updates to keys k0..k<keys-1>, value "r<round>", then one more record so the
  /// last round's segment is closed.
  void write_rounds(partition_log& log, int keys, int rounds) {
    for (int r = 0; r < rounds; ++r)
      for (int k = 0; k < keys; ++k)
        ASSERT_TRUE(
            append_copy(log, keyed("k" + std::to_string(k), "r" + std::to_string(r)), kNow));
  }

  /// The latest value of each key as a reader of the whole log sees it.
  static std::map<std::string, std::optional<std::string>> latest(const partition_log& log) {
    std::map<std::string, std::optional<std::string>> out;
    for (auto& r : read_all(log))
      if (r.key) out[*r.key] = r.value;
    return out;
  }

  void expect_no_file_named(const std::string& part) {
    for (const auto& e : std::filesystem::directory_iterator(dir_.path()))
      EXPECT_EQ(e.path().filename().string().find(part), std::string::npos) << e.path();
  }

  log_config cfg_;
  temp_dir dir_;
};

TEST_F(compaction_test, keeps_the_last_record_of_each_key_and_the_offsets) {
  auto log = open();
  ASSERT_NE(log, nullptr);
  write_rounds(*log, 5, 40);
  ASSERT_TRUE(append_copy(*log, keyed(std::nullopt, "no key"), kNow));
  const auto before = latest(*log);
  const auto end = log->end_offset();
  const auto size = log->size_bytes();
  ASSERT_GT(log->segment_count(), 10u);

  auto report = log->compact(kNow, end, /*force=*/false);
  ASSERT_TRUE(report.has_value()) << report.error().to_string();
  EXPECT_TRUE(report->ran());
  EXPECT_GT(report->records_removed, 150);
  EXPECT_LT(log->size_bytes(), size / 3);
  EXPECT_EQ(log->end_offset(), end);
  EXPECT_EQ(log->start_offset(), offset{0});
  EXPECT_EQ(latest(*log), before);

  // Offsets keep their place: increasing, each record where it was written.
  auto records = read_all(*log);
  int64_t prev = -1;
  for (const auto& r : records) {
    EXPECT_GT(r.offset, prev);
    prev = r.offset;
    if (r.key) EXPECT_EQ(*r.value, "r" + std::to_string(r.offset / 5)) << r.offset;
  }
  EXPECT_EQ(records.back().offset, end.value() - 1);  // the keyless record, in the active segment
  EXPECT_FALSE(records.back().key.has_value());

  // Nothing new written: the next pass finds nothing dirty.
  auto again = log->compact(kNow, end, false);
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(again->ran());
  // Groups are formed by the segments' sizes before a pass: the shrunk segments merge on the next.
  const auto segments = log->segment_count();
  auto merged = log->compact(kNow, end, /*force=*/true);
  ASSERT_TRUE(merged.has_value());
  EXPECT_LT(merged->segments_after, merged->segments_before);
  EXPECT_LT(log->segment_count(), segments);
  EXPECT_EQ(latest(*log), before);

  // A reopened log reads the same, and appends go on at the same end.
  log.reset();
  log = open();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->end_offset(), end);
  EXPECT_EQ(latest(*log), before);
  auto next = append_copy(*log, keyed("k0", "after"), kNow);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->base_offset, end);
}

TEST_F(compaction_test, reads_from_inside_a_removed_range_start_at_the_next_batch) {
  auto log = open();
  ASSERT_NE(log, nullptr);
  write_rounds(*log, 2, 30);
  ASSERT_TRUE(log->compact(kNow, log->end_offset(), true).has_value());
  auto data = log->read(offset{3}, 1 << 20);  // offset 3 was k1's second value: gone
  ASSERT_TRUE(data.has_value());
  auto hs = headers_of(*data);
  ASSERT_FALSE(hs.empty());
  EXPECT_GE(hs.front().last_offset(), 3);
}

TEST_F(compaction_test, only_segments_below_the_cleanable_end) {
  auto log = open();
  ASSERT_NE(log, nullptr);
  write_rounds(*log, 3, 10);
  offset cleanable{12};
  write_rounds(*log, 3, 10);
  auto report = log->compact(kNow, cleanable, true);
  ASSERT_TRUE(report.has_value());
  EXPECT_GT(report->records_removed, 0);
  // Every record at or past the cleanable end is still there.
  int64_t from_cleanable_end = 0;
  for (const auto& r : read_all(*log)) from_cleanable_end += r.offset >= cleanable.value();
  EXPECT_EQ(from_cleanable_end, log->end_offset().value() - cleanable.value());
}

TEST_F(compaction_test, young_segments_wait_for_the_compaction_lag) {
  cfg_.min_compaction_lag_ms = 1000;
  auto log = open();
  ASSERT_NE(log, nullptr);
  write_rounds(*log, 3, 20);
  auto early = log->compact(kNow + 500, log->end_offset(), true);
  ASSERT_TRUE(early.has_value());
  EXPECT_FALSE(early->ran());
  auto late = log->compact(kNow + 1001, log->end_offset(), true);
  ASSERT_TRUE(late.has_value());
  EXPECT_TRUE(late->ran());
  EXPECT_GT(late->records_removed, 0);
}

TEST_F(compaction_test, tombstones_stay_until_delete_retention_then_go) {
  auto log = open();
  ASSERT_NE(log, nullptr);
  write_rounds(*log, 3, 5);
  ASSERT_TRUE(append_copy(*log, keyed("k1", std::nullopt), kNow));  // delete k1
  write_rounds(*log, 1, 10);                                        // more of k0: closes segments
  const auto end = log->end_offset();

  ASSERT_TRUE(log->compact(kNow, end, true).has_value());
  auto now = latest(*log);
  ASSERT_TRUE(now.count("k1"));
  EXPECT_FALSE(now["k1"].has_value()) << "the tombstone is what a reader must still see";
  EXPECT_EQ(now["k2"], std::optional<std::string>("r4"));

  auto later = log->compact(kNow + cfg_.delete_retention_ms + 1, end, true);
  ASSERT_TRUE(later.has_value());
  EXPECT_EQ(later->tombstones_removed, 1);
  now = latest(*log);
  EXPECT_EQ(now.count("k1"), 0u);
  EXPECT_EQ(now["k2"], std::optional<std::string>("r4"));
}

TEST_F(compaction_test, compressed_batches_stay_compressed) {
  auto log = open();
  ASSERT_NE(log, nullptr);
  for (int r = 0; r < 30; ++r) {
    batch_builder b(compression::zstd);
    for (int k = 0; k < 4; ++k)
      b.append(kNow, std::string("k") + std::to_string(k), "r" + std::to_string(r));
    bytes batch = b.build();
    ASSERT_TRUE(log->append(batch.data(), batch.size(), 0, kNow).has_value());
  }
  auto before = latest(*log);
  ASSERT_TRUE(log->compact(kNow, log->end_offset(), true).has_value());
  EXPECT_EQ(latest(*log), before);
  auto data = log->read(log->start_offset(), 1 << 20);
  ASSERT_TRUE(data.has_value());
  for (const auto& h : headers_of(*data))
    if (h.records_count > 0) EXPECT_EQ(h.codec(), compression::zstd);
}

TEST_F(compaction_test, a_producers_last_batch_stays_as_an_empty_batch) {
  auto log = open();
  ASSERT_NE(log, nullptr);
  batch_builder b;
  b.set_producer(42, 0, 0);
  b.append(kNow, std::string_view("k"), std::string_view("old"));
  bytes mine = b.build();
  ASSERT_TRUE(log->append(mine.data(), mine.size(), 0, kNow).has_value());
  write_rounds(*log, 1, 20);  // "k0" many times, closing segments
  ASSERT_TRUE(append_copy(*log, keyed("k", "new"), kNow));
  write_rounds(*log, 1, 20);
  ASSERT_TRUE(log->compact(kNow, log->end_offset(), true).has_value());

  auto data = log->read(offset{0}, 1 << 20);
  ASSERT_TRUE(data.has_value());
  auto hs = headers_of(*data);
  ASSERT_FALSE(hs.empty());
  EXPECT_EQ(hs.front().base_offset, 0);
  EXPECT_EQ(hs.front().producer_id, 42);
  EXPECT_EQ(hs.front().records_count, 0) << "its record was superseded; the batch stays";
  EXPECT_EQ(latest(*log)["k"], std::optional<std::string>("new"));
}

TEST_F(compaction_test, a_pass_planned_before_retention_or_truncation_is_thrown_away) {
  auto log = open();
  ASSERT_NE(log, nullptr);
  write_rounds(*log, 3, 20);
  auto before = read_all(*log);
  auto job = log->plan_compaction(kNow, log->end_offset(), true);
  ASSERT_NE(job, nullptr);
  auto out = run_compaction(*job);
  ASSERT_TRUE(out.has_value()) << out.error().to_string();
  ASSERT_TRUE(std::filesystem::exists(segment_path(dir_, 0, format::cleaned_suffix)));
  ASSERT_TRUE(log->truncate_to(offset{50}).is_ok());  // a follower's truncation, meanwhile

  auto installed = log->install_compaction(*job, *out);
  ASSERT_TRUE(installed.has_value());
  EXPECT_FALSE(*installed);
  EXPECT_FALSE(std::filesystem::exists(segment_path(dir_, 0, format::cleaned_suffix)));
  auto after = read_all(*log);
  ASSERT_EQ(after.size(), 50u);
  for (size_t i = 0; i < after.size(); ++i) EXPECT_EQ(after[i].value, before[i].value);
}

TEST_F(compaction_test, a_cancelled_pass_leaves_no_file) {
  auto log = open();
  ASSERT_NE(log, nullptr);
  write_rounds(*log, 3, 20);
  auto job = log->plan_compaction(kNow, log->end_offset(), true);
  ASSERT_NE(job, nullptr);
  job->cancelled->store(true);
  EXPECT_FALSE(run_compaction(*job).has_value());
  expect_no_file_named(".cleaned");
}

TEST_F(compaction_test, open_discards_an_unfinished_cleaned_file) {
  auto log = open();
  ASSERT_NE(log, nullptr);
  write_rounds(*log, 3, 20);
  auto before = read_all(*log);
  auto job = log->plan_compaction(kNow, log->end_offset(), true);
  ASSERT_NE(job, nullptr);
  ASSERT_TRUE(run_compaction(*job).has_value());
  job.reset();
  log.reset();  // a crash before the rename: the cleaned file is left over
  ASSERT_TRUE(std::filesystem::exists(segment_path(dir_, 0, format::cleaned_suffix)));
  log = open();
  ASSERT_NE(log, nullptr);
  EXPECT_FALSE(std::filesystem::exists(segment_path(dir_, 0, format::cleaned_suffix)));
  auto after = read_all(*log);
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) EXPECT_EQ(after[i].value, before[i].value);
}

TEST_F(compaction_test, open_finishes_an_install_a_crash_interrupted) {
  auto log = open();
  ASSERT_NE(log, nullptr);
  write_rounds(*log, 3, 20);
  ASSERT_TRUE(log->compact(kNow, log->end_offset(), true).has_value());  // shrinks
  const auto before = latest(*log);
  const auto end = log->end_offset();
  const auto segments = log->segment_count();
  auto job = log->plan_compaction(kNow, end, true);  // this pass would merge
  ASSERT_NE(job, nullptr);
  auto out = run_compaction(*job);
  ASSERT_TRUE(out.has_value());
  // The first step of the install, then a crash: each cleaned file named .swap, the old files all
  // still there.
  size_t swaps = 0;
  for (const auto& g : out->groups) {
    if (!g.rewritten) continue;
    auto base = job->segments[g.first].base;
    std::filesystem::rename(segment_path(dir_, base, format::cleaned_suffix),
                            segment_path(dir_, base, format::swap_suffix));
    ++swaps;
  }
  ASSERT_GT(swaps, 0u);
  job.reset();
  log.reset();
  log = open();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->end_offset(), end);
  EXPECT_LT(log->segment_count(), segments);
  EXPECT_EQ(latest(*log), before);
  expect_no_file_named(".swap");
}

TEST_F(compaction_test, a_replica_may_append_past_a_gap_but_not_below_its_end) {
  auto log = open();
  ASSERT_NE(log, nullptr);
  write_rounds(*log, 1, 3);
  bytes later = keyed("k", "v");
  set_base_offset(later.data(), 10);
  auto h = parse_batch_header(later.data(), later.size());
  ASSERT_TRUE(h.has_value());
  auto r = log->append_replica(later.data(), later.size(), *h, kNow);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(log->end_offset(), offset{11});
  EXPECT_FALSE(log->append_replica(later.data(), later.size(), *h, kNow).has_value());
}

}  // namespace
}  // namespace brook::runtime::storage::test
