// Appends, reads, rolls, lookups and the flush policy of partition_log.
#include "runtime/storage/partition_log.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/unit/storage/storage_test_util.hpp"

namespace brook::runtime::storage::test {
namespace {

class partition_log_test : public ::testing::Test {
 protected:
  std::unique_ptr<partition_log> open(log_config cfg = {}) {
    return open_log(env::posix(), dir_, cfg);
  }
  temp_dir dir_;
};

TEST_F(partition_log_test, empty_dir_starts_at_offset_zero) {
  auto log = open();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->start_offset(), offset{0});
  EXPECT_EQ(log->end_offset(), offset{0});
  EXPECT_EQ(log->segment_count(), 1u);
  EXPECT_EQ(log->last_timestamp(), -1);
  EXPECT_TRUE(std::filesystem::exists(segment_path(dir_, 0, format::log_suffix)));
  auto data = log->read(offset{0}, 100);
  ASSERT_TRUE(data.has_value());
  EXPECT_TRUE(data->empty());
}

TEST_F(partition_log_test, append_assigns_offsets_and_rewrites_header) {
  auto log = open();
  ASSERT_NE(log, nullptr);
  bytes b = make_batch(5, 1000);
  auto first = log->append(b.data(), b.size(), 7, 0);
  ASSERT_TRUE(first.has_value()) << first.error().to_string();
  EXPECT_EQ(first->base_offset, offset{0});
  EXPECT_EQ(first->last_offset, offset{4});
  EXPECT_EQ(first->max_timestamp, 1000);
  auto second = append_copy(*log, make_batch(3, 2000), 0, 8);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->base_offset, offset{5});
  EXPECT_EQ(second->last_offset, offset{7});
  EXPECT_EQ(log->end_offset(), offset{8});

  auto data = log->read(offset{0}, 1 << 20);
  ASSERT_TRUE(data.has_value());
  auto hs = headers_of(*data);
  ASSERT_EQ(hs.size(), 2u);
  EXPECT_EQ(hs[0].base_offset, 0);
  EXPECT_EQ(hs[0].leader_epoch, 7);
  EXPECT_EQ(hs[1].base_offset, 5);
  EXPECT_EQ(hs[1].leader_epoch, 8);
  // Stored bytes are the appended bytes, rewritten in place.
  EXPECT_TRUE(std::equal(b.begin(), b.end(), data->begin()));
  auto recs = records_of(*data);
  ASSERT_EQ(recs.size(), 8u);
  for (size_t i = 0; i < recs.size(); ++i) EXPECT_EQ(recs[i].offset, int64_t(i));
  EXPECT_EQ(*recs[6].value, std::string("v1") + std::string(14, '.'));
}

TEST_F(partition_log_test, round_trip_across_many_segments) {
  log_config cfg;
  cfg.segment_bytes = 1024;
  cfg.index_interval_bytes = 128;
  auto log = open(cfg);
  ASSERT_NE(log, nullptr);
  int64_t next = 0;
  for (int i = 0; i < 300; ++i) {
    int n = 1 + i % 4;
    auto r = append_copy(*log, make_batch(n, 1000 + i), i);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->base_offset, offset{next});
    next += n;
  }
  EXPECT_GT(log->segment_count(), 20u);
  EXPECT_EQ(log->end_offset(), offset{next});
  for (size_t max_bytes : {size_t(1), size_t(700), size_t(5000), size_t(1) << 20}) {
    auto all = read_all(*log, max_bytes);
    ASSERT_EQ(all.size(), size_t(next)) << "max_bytes " << max_bytes;
    for (int64_t i = 0; i < next; ++i) EXPECT_EQ(all[size_t(i)].offset, i);
  }
  // Every offset reads back starting with the batch that contains it.
  for (int64_t o = 0; o < next; ++o) {
    auto data = log->read(offset{o}, 1);
    ASSERT_TRUE(data.has_value());
    auto hs = headers_of(*data);
    ASSERT_EQ(hs.size(), 1u);
    EXPECT_LE(hs[0].base_offset, o);
    EXPECT_GE(hs[0].last_offset(), o);
  }
}

TEST_F(partition_log_test, read_crosses_segment_boundaries) {
  log_config cfg;
  cfg.segment_bytes = 1;  // one batch per segment
  auto log = open(cfg);
  ASSERT_NE(log, nullptr);
  bytes b = make_batch(2, 10);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(append_copy(*log, b).has_value());
  EXPECT_EQ(log->segment_count(), 5u);
  auto data = log->read(offset{3}, 3 * b.size());
  ASSERT_TRUE(data.has_value());
  auto hs = headers_of(*data);
  ASSERT_EQ(hs.size(), 3u);
  EXPECT_EQ(hs[0].base_offset, 2);
  EXPECT_EQ(hs[2].base_offset, 6);
}

TEST_F(partition_log_test, index_lookup_lands_in_the_middle_of_a_segment) {
  log_config cfg;
  cfg.index_interval_bytes = 300;
  auto log = open(cfg);
  ASSERT_NE(log, nullptr);
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(append_copy(*log, make_batch(1, i)).has_value());
  ASSERT_EQ(log->segment_count(), 1u);
  ASSERT_TRUE(log->flush().is_ok());  // index entries reach the file at flushes and seals
  // The sparse index holds entries, each at a batch start with the offset it names.
  std::string idx = read_file(segment_path(dir_, 0, format::index_suffix));
  ASSERT_GT(idx.size(), 0u);
  ASSERT_EQ(idx.size() % format::index_entry_size, 0u);
  std::string logdata = read_file(segment_path(dir_, 0, format::log_suffix));
  for (size_t i = 0; i < idx.size(); i += format::index_entry_size) {
    const auto* p = reinterpret_cast<const uint8_t*>(idx.data() + i);
    uint32_t rel = load_be32(p);
    uint32_t pos = load_be32(p + 4);
    ASSERT_LT(pos, logdata.size());
    auto h = parse_batch_header(reinterpret_cast<const uint8_t*>(logdata.data()) + pos,
                                logdata.size() - pos);
    ASSERT_TRUE(h.has_value());
    EXPECT_EQ(h->base_offset, int64_t(rel));
  }
  for (int64_t o : {0, 1, 57, 99, 100, 150, 199}) {
    auto data = log->read(offset{o}, 1);
    ASSERT_TRUE(data.has_value());
    auto hs = headers_of(*data);
    ASSERT_EQ(hs.size(), 1u);
    EXPECT_EQ(hs[0].base_offset, o);
  }
}

TEST_F(partition_log_test, read_returns_one_whole_batch_above_max_bytes) {
  auto log = open();
  ASSERT_NE(log, nullptr);
  bytes big = make_batch(10, 5, 100);
  ASSERT_TRUE(append_copy(*log, big).has_value());
  ASSERT_TRUE(append_copy(*log, big).has_value());
  ASSERT_TRUE(append_copy(*log, big).has_value());
  auto one = log->read(offset{0}, 10);
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->size(), big.size());
  auto still_one = log->read(offset{0}, big.size() + big.size() / 2);
  ASSERT_TRUE(still_one.has_value());
  EXPECT_EQ(still_one->size(), big.size());
  auto two = log->read(offset{5}, 2 * big.size());
  ASSERT_TRUE(two.has_value());
  EXPECT_EQ(two->size(), 2 * big.size());
  EXPECT_EQ(headers_of(*two).front().base_offset, 0);
  auto last = log->read(offset{29}, 0);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(headers_of(*last).front().base_offset, 20);
}

TEST_F(partition_log_test, read_outside_the_log_is_offset_out_of_range) {
  auto log = open();
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(append_copy(*log, make_batch(3, 1)).has_value());
  auto past = log->read(offset{4}, 100);
  ASSERT_FALSE(past.has_value());
  EXPECT_EQ(past.error().code(), errc::offset_out_of_range);
  auto negative = log->read(offset{-1}, 100);
  ASSERT_FALSE(negative.has_value());
  EXPECT_EQ(negative.error().code(), errc::offset_out_of_range);
  auto at_end = log->read(offset{3}, 100);
  ASSERT_TRUE(at_end.has_value());
  EXPECT_TRUE(at_end->empty());
}

TEST_F(partition_log_test, offset_for_timestamp_finds_first_batch_at_or_after) {
  log_config cfg;
  cfg.segment_bytes = 600;
  cfg.index_interval_bytes = 100;
  auto log = open(cfg);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->offset_for_timestamp(0), offset{0});
  // Batch i (2 records, offsets 2i..2i+1) has timestamp 1000 * (i + 1).
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(append_copy(*log, make_batch(2, 1000 * (i + 1))));
  EXPECT_GT(log->segment_count(), 3u);
  EXPECT_EQ(log->offset_for_timestamp(0), offset{0});
  EXPECT_EQ(log->offset_for_timestamp(1000), offset{0});
  EXPECT_EQ(log->offset_for_timestamp(1001), offset{2});
  EXPECT_EQ(log->offset_for_timestamp(17000), offset{32});
  EXPECT_EQ(log->offset_for_timestamp(16500), offset{32});
  EXPECT_EQ(log->offset_for_timestamp(40000), offset{78});
  EXPECT_EQ(log->offset_for_timestamp(40001), log->end_offset());
  EXPECT_EQ(log->last_timestamp(), 40000);
  // Out-of-order timestamps: the first batch whose max reaches ts wins.
  ASSERT_TRUE(append_copy(*log, make_batch(1, 90000)));
  ASSERT_TRUE(append_copy(*log, make_batch(1, 50000)));
  EXPECT_EQ(log->offset_for_timestamp(60000), offset{80});
  EXPECT_EQ(log->offset_for_timestamp(45000), offset{80});
}

TEST_F(partition_log_test, rolls_by_size) {
  bytes b = make_batch(4, 1, 50);
  log_config cfg;
  cfg.segment_bytes = 3 * b.size();
  auto log = open(cfg);
  ASSERT_NE(log, nullptr);
  for (int i = 0; i < 9; ++i) ASSERT_TRUE(append_copy(*log, b).has_value());
  EXPECT_EQ(log->segment_count(), 3u);
  ASSERT_TRUE(append_copy(*log, b).has_value());
  EXPECT_EQ(log->segment_count(), 4u);
  EXPECT_TRUE(std::filesystem::exists(segment_path(dir_, 12, format::log_suffix)));
  EXPECT_TRUE(std::filesystem::exists(segment_path(dir_, 36, format::index_suffix)));
  EXPECT_EQ(file_size(segment_path(dir_, 12, format::log_suffix)), 3 * b.size());
  // A batch larger than segment_bytes still goes in, alone in its segment.
  ASSERT_TRUE(append_copy(*log, make_batch(50, 1, 100)).has_value());
  ASSERT_TRUE(append_copy(*log, b).has_value());
  EXPECT_EQ(log->segment_count(), 6u);
}

TEST_F(partition_log_test, rolls_by_time) {
  log_config cfg;
  cfg.segment_ms = 1000;
  auto log = open(cfg);
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(append_copy(*log, make_batch(1, 1), 10000));
  ASSERT_TRUE(append_copy(*log, make_batch(1, 1), 10500));
  ASSERT_TRUE(append_copy(*log, make_batch(1, 1), 11000));
  EXPECT_EQ(log->segment_count(), 1u);
  ASSERT_TRUE(append_copy(*log, make_batch(1, 1), 11001));
  EXPECT_EQ(log->segment_count(), 2u);
  EXPECT_EQ(log->end_offset(), offset{4});
  // enforce_retention rolls an aged active segment without an append.
  EXPECT_EQ(log->enforce_retention(11500), 0u);
  EXPECT_EQ(log->segment_count(), 2u);
  log->enforce_retention(12002);
  EXPECT_EQ(log->segment_count(), 3u);
  // An empty active segment never rolls.
  log->enforce_retention(99999);
  EXPECT_EQ(log->segment_count(), 3u);
}

TEST_F(partition_log_test, retention_by_time_moves_start_offset) {
  log_config cfg;
  cfg.segment_bytes = 1;  // one batch per segment
  cfg.retention_ms = 1000;
  auto log = open(cfg);
  ASSERT_NE(log, nullptr);
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(append_copy(*log, make_batch(2, 1000 * (i + 1))));
  EXPECT_EQ(log->segment_count(), 6u);
  EXPECT_EQ(log->enforce_retention(2000), 0u);
  // At 3500 the segments with max timestamps 1000 and 2000 are past retention.
  EXPECT_EQ(log->enforce_retention(3500), 2u);
  EXPECT_EQ(log->start_offset(), offset{4});
  EXPECT_FALSE(std::filesystem::exists(segment_path(dir_, 0, format::log_suffix)));
  EXPECT_FALSE(std::filesystem::exists(segment_path(dir_, 2, format::index_suffix)));
  auto below = log->read(offset{3}, 100);
  ASSERT_FALSE(below.has_value());
  EXPECT_EQ(below.error().code(), errc::offset_out_of_range);
  auto at = log->read(offset{4}, 1);
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(headers_of(*at).front().base_offset, 4);
  EXPECT_EQ(log->offset_for_timestamp(0), offset{4});
  // Everything old: all but the active segment goes; start is the active base.
  EXPECT_EQ(log->enforce_retention(1000000), 3u);
  EXPECT_EQ(log->segment_count(), 1u);
  EXPECT_EQ(log->start_offset(), offset{10});
  EXPECT_EQ(log->end_offset(), offset{12});
}

TEST_F(partition_log_test, retention_by_bytes_keeps_at_least_the_limit) {
  bytes b = make_batch(2, 1, 40);
  log_config cfg;
  cfg.segment_bytes = 2 * b.size();
  cfg.retention_ms = -1;
  cfg.retention_bytes = int64_t(5 * b.size());
  auto log = open(cfg);
  ASSERT_NE(log, nullptr);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(append_copy(*log, b));
  EXPECT_EQ(log->segment_count(), 5u);
  EXPECT_EQ(log->size_bytes(), 10 * b.size());
  EXPECT_EQ(log->enforce_retention(0), 2u);
  EXPECT_EQ(log->size_bytes(), 6 * b.size());
  EXPECT_EQ(log->start_offset(), offset{8});
  EXPECT_FALSE(log->read(offset{7}, 10).has_value());
  EXPECT_EQ(read_all(*log).size(), 12u);
  EXPECT_EQ(log->enforce_retention(0), 0u);
}

TEST_F(partition_log_test, unlimited_retention_deletes_nothing) {
  log_config cfg;
  cfg.segment_bytes = 1;
  cfg.retention_ms = -1;
  auto log = open(cfg);
  ASSERT_NE(log, nullptr);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(append_copy(*log, make_batch(1, 1)));
  EXPECT_EQ(log->enforce_retention(INT64_MAX / 2), 0u);
  EXPECT_EQ(log->start_offset(), offset{0});
}

TEST_F(partition_log_test, truncate_to_drops_the_tail) {
  log_config cfg;
  cfg.segment_bytes = 1000;
  cfg.index_interval_bytes = 50;
  auto log = open(cfg);
  ASSERT_NE(log, nullptr);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(append_copy(*log, make_batch(2, i + 1)));
  size_t segments = log->segment_count();
  ASSERT_GT(segments, 3u);
  EXPECT_TRUE(log->truncate_to(offset{200}).is_ok());  // past the end: no-op
  EXPECT_EQ(log->end_offset(), offset{100});
  ASSERT_TRUE(log->truncate_to(offset{40}).is_ok());
  EXPECT_EQ(log->end_offset(), offset{40});
  EXPECT_LT(log->segment_count(), segments);
  EXPECT_EQ(log->last_timestamp(), 20);
  EXPECT_EQ(log->offset_for_timestamp(21), offset{40});
  EXPECT_FALSE(log->read(offset{41}, 10).has_value());
  auto all = read_all(*log);
  ASSERT_EQ(all.size(), 40u);
  // A cut inside a batch drops the whole batch.
  ASSERT_TRUE(log->truncate_to(offset{33}).is_ok());
  EXPECT_EQ(log->end_offset(), offset{32});
  auto r = append_copy(*log, make_batch(3, 100));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->base_offset, offset{32});
  EXPECT_EQ(read_all(*log).size(), 35u);
  // Reopen sees the truncated log.
  log.reset();
  log = open(cfg);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->end_offset(), offset{35});
  EXPECT_EQ(log->offset_for_timestamp(100), offset{32});
}

TEST_F(partition_log_test, truncate_below_start_restarts_the_log) {
  log_config cfg;
  cfg.segment_bytes = 1;
  cfg.retention_ms = 1000;
  auto log = open(cfg);
  ASSERT_NE(log, nullptr);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(append_copy(*log, make_batch(2, 1000 * (i + 1))));
  log->enforce_retention(1000000);
  ASSERT_EQ(log->start_offset(), offset{8});
  ASSERT_TRUE(log->truncate_to(offset{3}).is_ok());
  EXPECT_EQ(log->start_offset(), offset{3});
  EXPECT_EQ(log->end_offset(), offset{3});
  EXPECT_EQ(log->segment_count(), 1u);
  auto r = append_copy(*log, make_batch(1, 1));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->base_offset, offset{3});
  ASSERT_TRUE(log->truncate_to(offset{3}).is_ok());
  EXPECT_EQ(log->end_offset(), offset{3});
}

TEST_F(partition_log_test, flush_due_by_messages_and_by_time) {
  log_config cfg;
  cfg.flush_messages = 10;
  cfg.flush_ms = 500;
  auto log = open(cfg);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->flushed_offset(), offset{0});
  EXPECT_FALSE(log->flush_due(1000000));
  auto r = append_copy(*log, make_batch(4, 1), 1000);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->flush_due);
  r = append_copy(*log, make_batch(5, 1), 1100);
  EXPECT_FALSE(r->flush_due);
  r = append_copy(*log, make_batch(1, 1), 1200);
  EXPECT_TRUE(r->flush_due);  // 10 messages
  EXPECT_EQ(log->flushed_offset(), offset{0});
  ASSERT_TRUE(log->flush().is_ok());
  EXPECT_EQ(log->flushed_offset(), offset{10});
  EXPECT_FALSE(log->flush_due(1200));
  r = append_copy(*log, make_batch(1, 1), 2000);
  EXPECT_FALSE(r->flush_due);
  EXPECT_FALSE(log->flush_due(2499));
  EXPECT_TRUE(log->flush_due(2500));  // the oldest unflushed append is 500 ms old
  r = append_copy(*log, make_batch(1, 1), 2600);
  EXPECT_TRUE(r->flush_due);
  ASSERT_TRUE(log->flush().is_ok());
  EXPECT_EQ(log->flushed_offset(), offset{12});
}

TEST_F(partition_log_test, default_flush_policy_never_asks) {
  auto log = open();
  ASSERT_NE(log, nullptr);
  for (int i = 0; i < 100; ++i) {
    auto r = append_copy(*log, make_batch(10, 1), i * 1000000);
    ASSERT_TRUE(r.has_value());
    EXPECT_FALSE(r->flush_due);
  }
}

TEST_F(partition_log_test, rejects_a_batch_whose_length_does_not_match) {
  auto log = open();
  ASSERT_NE(log, nullptr);
  bytes b = make_batch(2, 1);
  auto r = log->append(b.data(), b.size() - 1, 0, 0);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), errc::corrupt_message);
  EXPECT_EQ(log->end_offset(), offset{0});
}

// DeleteRecords: the start moves inside a segment, whole segments below it go, reads below it
// are out of range, and the start survives a reopen.
TEST_F(partition_log_test, advance_start_deletes_records_and_survives_a_reopen) {
  log_config cfg;
  cfg.segment_bytes = 1;  // one batch (2 records) per segment
  {
    auto log = open(cfg);
    ASSERT_NE(log, nullptr);
    bytes b = make_batch(2, 10);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(append_copy(*log, b).has_value());
    ASSERT_EQ(log->segment_count(), 5u);
    EXPECT_TRUE(log->advance_start(offset{0}).is_ok());  // not above the start: no-op
    ASSERT_TRUE(log->advance_start(offset{5}).is_ok());
    EXPECT_EQ(log->start_offset(), offset{5});
    EXPECT_EQ(log->segment_count(), 3u);  // [0,2) and [2,4) removed; [4,6) holds offset 5
    auto below = log->read(offset{4}, 1000);
    ASSERT_FALSE(below.has_value());
    EXPECT_EQ(below.error().code(), errc::offset_out_of_range);
    auto at = log->read(offset{5}, 1000);
    ASSERT_TRUE(at.has_value());
    EXPECT_EQ(headers_of(*at).front().base_offset, 4);  // the straddling batch, whole
    EXPECT_EQ(log->offset_for_timestamp(0), offset{5});  // never below the start
    auto past = log->advance_start(offset{11});
    EXPECT_EQ(past.code(), errc::offset_out_of_range);
    EXPECT_EQ(log->start_offset(), offset{5});
  }
  auto log = open(cfg);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->start_offset(), offset{5});
  EXPECT_EQ(log->end_offset(), offset{10});
  // Up to the end: an empty log that goes on at 10.
  ASSERT_TRUE(log->advance_start(offset{10}).is_ok());
  EXPECT_EQ(log->start_offset(), offset{10});
  ASSERT_TRUE(append_copy(*log, make_batch(1, 20)).has_value());
  EXPECT_EQ(log->end_offset(), offset{11});
}

// The bytes of `slices`, read back with pread from their descriptors (what sendfile sends).
bytes bytes_of(const std::vector<file_slice>& slices) {
  bytes out;
  for (const auto& s : slices) {
    size_t at = out.size();
    out.resize(at + s.size);
    EXPECT_EQ(::pread(s.fd, out.data() + at, s.size, off_t(s.position)), ssize_t(s.size));
  }
  return out;
}

// read() with the batches whose last offset is >= limit dropped (the leader's high watermark).
bytes read_below(const partition_log& log, offset from, size_t max_bytes, offset limit) {
  auto data = log.read(from, max_bytes);
  EXPECT_TRUE(data.has_value());
  if (!data) return {};
  auto batches = split_batches(data->data(), data->size(), false);
  EXPECT_TRUE(batches.has_value());
  if (!batches) return {};
  size_t keep = 0;
  for (const auto& b : *batches) {
    if (b.header.last_offset() >= limit.value()) break;
    keep = size_t(b.data - data->data()) + b.size;
  }
  data->resize(keep);
  return *data;
}

// Zero-copy fetch: read_files names exactly the bytes read() returns (whole batches, the first
// one even when larger than max_bytes, across segments, cut before the limit), reading only
// headers; the slices stay readable after their segment is deleted.
TEST_F(partition_log_test, read_files_names_the_bytes_read_returns) {
  log_config cfg;
  cfg.segment_bytes = 2048;
  cfg.index_interval_bytes = 256;
  auto log = open(cfg);
  ASSERT_NE(log, nullptr);
  EXPECT_TRUE(log->can_send_files());
  for (int i = 0; i < 120; ++i)
    ASSERT_TRUE(
        append_copy(*log, make_batch(1 + i % 5, 1000 + i, i % 17 == 0 ? 900 : 16)).has_value());
  ASSERT_GT(log->segment_count(), 10u);
  int64_t end = log->end_offset().value();
  for (int64_t from = 0; from <= end; from += 7)
    for (size_t max_bytes : {size_t(1), size_t(100), size_t(700), size_t(3000), size_t(1) << 20})
      for (int64_t limit : {end, end - 1, from + 3, from + 40}) {
        SCOPED_TRACE("from " + std::to_string(from) + " max_bytes " + std::to_string(max_bytes) +
                     " limit " + std::to_string(limit));
        auto files = log->read_files(offset{from}, max_bytes, offset{limit});
        ASSERT_TRUE(files.has_value()) << files.error().to_string();
        for (const auto& f : *files) EXPECT_GT(f.size, 0u);
        EXPECT_EQ(bytes_of(*files), read_below(*log, offset{from}, max_bytes, offset{limit}));
      }
  auto beyond = log->read_files(offset{end + 1}, 100, offset{end});
  ASSERT_FALSE(beyond.has_value());
  EXPECT_EQ(beyond.error().code(), errc::offset_out_of_range);

  auto first = log->read_files(offset{0}, 1000, offset{end});
  ASSERT_TRUE(first.has_value());
  bytes before = bytes_of(*first);
  ASSERT_TRUE(log->advance_start(offset{end - 1}).is_ok());  // deletes the first segments
  EXPECT_FALSE(std::filesystem::exists(segment_path(dir_, 0, format::log_suffix)));
  EXPECT_EQ(bytes_of(*first), before);
}

// A follower whose log ends below the leader's start: emptied and restarted there.
TEST_F(partition_log_test, restart_at_empties_the_log_and_moves_it) {
  auto log = open();
  ASSERT_NE(log, nullptr);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(append_copy(*log, make_batch(2, 10)).has_value());
  ASSERT_TRUE(log->restart_at(offset{100}).is_ok());
  EXPECT_EQ(log->start_offset(), offset{100});
  EXPECT_EQ(log->end_offset(), offset{100});
  EXPECT_EQ(log->segment_count(), 1u);
  bytes b = make_batch(2, 10);
  auto r = log->append_replica(b.data(), b.size(), *parse_batch_header(b.data(), b.size()), 0);
  EXPECT_FALSE(r.has_value());  // base offset 0 lies below the new end
  ASSERT_TRUE(append_copy(*log, make_batch(1, 20)).has_value());
  EXPECT_EQ(log->end_offset(), offset{101});
  log.reset();
  log = open();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->start_offset(), offset{100});
  EXPECT_EQ(log->end_offset(), offset{101});
  // Truncating below the start restarts the log at the truncation point.
  ASSERT_TRUE(log->truncate_to(offset{100}).is_ok());
  EXPECT_EQ(log->start_offset(), offset{100});
  EXPECT_EQ(log->end_offset(), offset{100});
}

}  // namespace
}  // namespace brook::runtime::storage::test
