#include "runtime/record_batch.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "runtime/crc32c.hpp"
#include "runtime/varint.hpp"

namespace brook::runtime {
namespace {

constexpr compression all_codecs[] = {compression::none, compression::gzip, compression::snappy,
                                      compression::lz4, compression::zstd};
constexpr int64_t t0 = 1700000000000;

// Recomputes the CRC after a test edits bytes inside it.
void reseal(bytes& b) {
  store_be32(b.data() + batch_crc_at, crc32c(b.data() + batch_attributes_at, b.size() - 21));
}

// A batch with hand-written records section `recs` claiming `count` records (uncompressed).
bytes raw_batch(const bytes& recs, int32_t count) {
  batch_builder bb;
  bb.append(t0, "k", "v");
  bytes b = bb.build();
  b.resize(batch_header_size);
  append_raw(b, recs.data(), recs.size());
  store_be32(b.data() + batch_length_at, uint32_t(b.size() - batch_log_overhead));
  store_be32(b.data() + batch_records_count_at, uint32_t(count));
  store_be32(b.data() + batch_last_offset_delta_at, uint32_t(count - 1));
  reseal(b);
  return b;
}

std::vector<record> sample_records() {
  std::vector<record> rs(5);
  rs[0].key = "key-0";
  rs[0].value = "value-0";
  rs[0].timestamp = t0;
  rs[1].key = std::nullopt;  // null key
  rs[1].value = std::string(1000, 'x');
  rs[1].timestamp = t0 + 5;
  rs[2].key = "tombstone";
  rs[2].value = std::nullopt;  // null value
  rs[2].timestamp = t0 - 3;    // out of order: negative delta
  rs[3].key = "";
  rs[3].value = "";
  rs[3].timestamp = t0 + 1000;
  rs[3].headers = {{"trace", std::string("abc")}, {"empty", std::nullopt}, {"", std::string("")}};
  rs[4].key = std::string("\0bin\xff", 5);
  rs[4].value = std::string(70000, 'y');
  rs[4].timestamp = t0 + 1;
  for (size_t i = 0; i < rs.size(); ++i) rs[i].offset = int64_t(i);
  return rs;
}

bytes build_sample(compression c) {
  batch_builder bb(c);
  for (const auto& r : sample_records()) {
    std::optional<std::string_view> k, v;
    if (r.key) k = *r.key;
    if (r.value) v = *r.value;
    bb.append(r.timestamp, k, v, r.headers);
  }
  return bb.build();
}

void expect_same(const std::vector<record>& got, const std::vector<record>& want,
                 int64_t base = 0) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].offset, want[i].offset + base) << i;
    EXPECT_EQ(got[i].timestamp, want[i].timestamp) << i;
    EXPECT_EQ(got[i].key, want[i].key) << i;
    EXPECT_EQ(got[i].value, want[i].value) << i;
    ASSERT_EQ(got[i].headers.size(), want[i].headers.size()) << i;
    for (size_t h = 0; h < got[i].headers.size(); ++h) {
      EXPECT_EQ(got[i].headers[h].key, want[i].headers[h].key);
      EXPECT_EQ(got[i].headers[h].value, want[i].headers[h].value);
    }
  }
}

TEST(RecordBatch, RoundTripEveryCodec) {
  for (auto c : all_codecs) {
    SCOPED_TRACE(std::string(to_string(c)));
    const bytes b = build_sample(c);
    ASSERT_TRUE(validate_batch(b.data(), b.size()));
    auto h = parse_batch_header(b.data(), b.size());
    ASSERT_TRUE(h);
    EXPECT_EQ(h->codec(), c);
    auto rs = decode_records(b.data(), b.size());
    ASSERT_TRUE(rs) << rs.error().to_string();
    expect_same(*rs, sample_records());
  }
}

// A broker storing a topic in its own codec: every field but the codec bits and the CRC is kept.
TEST(RecordBatch, RecompressKeepsEverythingButTheCodec) {
  for (auto from : all_codecs) {
    for (auto to : all_codecs) {
      SCOPED_TRACE(std::string(to_string(from)) + " -> " + std::string(to_string(to)));
      bytes b = build_sample(from);
      set_base_offset(b.data(), 1000);
      auto h = parse_batch_header(b.data(), b.size());
      ASSERT_TRUE(h);
      auto packed = recompress_batch(*h, b.data(), b.size(), to);
      ASSERT_TRUE(packed) << packed.error().to_string();
      ASSERT_TRUE(validate_batch(packed->data(), packed->size()));
      auto ph = parse_batch_header(packed->data(), packed->size());
      ASSERT_TRUE(ph);
      EXPECT_EQ(ph->codec(), to);
      EXPECT_EQ(ph->base_offset, 1000);
      EXPECT_EQ(ph->last_offset_delta, h->last_offset_delta);
      EXPECT_EQ(ph->base_timestamp, h->base_timestamp);
      EXPECT_EQ(ph->max_timestamp, h->max_timestamp);
      EXPECT_EQ(ph->producer_id, h->producer_id);
      EXPECT_EQ(ph->base_sequence, h->base_sequence);
      EXPECT_EQ(ph->attributes & ~batch_codec_mask, h->attributes & ~batch_codec_mask);
      auto rs = decode_records(packed->data(), packed->size());
      ASSERT_TRUE(rs) << rs.error().to_string();
      expect_same(*rs, sample_records(), 1000);
    }
  }
  bytes broken = build_sample(compression::gzip);
  auto h = parse_batch_header(broken.data(), broken.size());
  broken[broken.size() - 3] ^= 0xff;
  EXPECT_FALSE(recompress_batch(*h, broken.data(), broken.size(), compression::none));
}

TEST(RecordBatch, HeaderFieldsSitWhereTheLayoutSays) {
  batch_builder bb;
  bb.set_producer(1234567, 5, 77);
  bb.append(t0 + 10, "a", "1");
  bb.append(t0 + 30, "b", "2");
  bb.append(t0 + 20, "c", "3");
  const bytes b = bb.build();
  const uint8_t* p = b.data();
  EXPECT_EQ(load_be64(p + 0), 0u);                              // baseOffset
  EXPECT_EQ(load_be32(p + 8), uint32_t(b.size() - 12));         // batchLength
  EXPECT_EQ(load_be32(p + 12), 0xFFFFFFFFu);                    // partitionLeaderEpoch
  EXPECT_EQ(p[16], 2);                                          // magic
  EXPECT_EQ(load_be32(p + 17), crc32c(p + 21, b.size() - 21));  // crc
  EXPECT_EQ(load_be16(p + 21), 0u);                             // attributes
  EXPECT_EQ(load_be32(p + 23), 2u);                             // lastOffsetDelta
  EXPECT_EQ(int64_t(load_be64(p + 27)), t0 + 10);               // baseTimestamp
  EXPECT_EQ(int64_t(load_be64(p + 35)), t0 + 30);               // maxTimestamp
  EXPECT_EQ(load_be64(p + 43), 1234567u);                       // producerId
  EXPECT_EQ(load_be16(p + 51), 5u);                             // producerEpoch
  EXPECT_EQ(load_be32(p + 53), 77u);                            // baseSequence
  EXPECT_EQ(load_be32(p + 57), 3u);                             // recordsCount

  auto h = parse_batch_header(p, b.size());
  ASSERT_TRUE(h);
  EXPECT_EQ(h->base_offset, 0);
  EXPECT_EQ(h->batch_length, int32_t(b.size() - 12));
  EXPECT_EQ(h->leader_epoch, -1);
  EXPECT_EQ(h->magic, 2);
  EXPECT_EQ(h->last_offset_delta, 2);
  EXPECT_EQ(h->base_timestamp, t0 + 10);
  EXPECT_EQ(h->max_timestamp, t0 + 30);
  EXPECT_EQ(h->producer_id, 1234567);
  EXPECT_EQ(h->producer_epoch, 5);
  EXPECT_EQ(h->base_sequence, 77);
  EXPECT_EQ(h->records_count, 3);
  EXPECT_EQ(h->last_offset(), 2);
  EXPECT_EQ(h->total_size(), b.size());
  EXPECT_FALSE(h->is_transactional() || h->is_control() || h->log_append_time());
}

TEST(RecordBatch, DefaultsAreNoProducer) {
  batch_builder bb(compression::lz4);
  bb.append(t0, std::nullopt, "v");
  const bytes b = bb.build();
  auto h = parse_batch_header(b.data(), b.size());
  ASSERT_TRUE(h);
  EXPECT_EQ(h->producer_id, -1);
  EXPECT_EQ(h->producer_epoch, -1);
  EXPECT_EQ(h->base_sequence, -1);
  EXPECT_EQ(h->attributes, 3);
}

TEST(RecordBatch, KnownVectorOneRecord) {
  const uint8_t ts[8] = {0x00, 0x00, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x00};  // 1700000000000
  bytes want = {0,    0,    0,    0,    0, 0, 0, 0,                        // baseOffset 0
                0,    0,    0,    58,                 // batchLength: 49 + 9 record bytes
                0xFF, 0xFF, 0xFF, 0xFF,               // partitionLeaderEpoch -1
                2,                                    // magic
                0,    0,    0,    0,                  // crc, filled below
                0,    0,                              // attributes
                0,    0,    0,    0};                 // lastOffsetDelta
  append_raw(want, ts, 8);                            // baseTimestamp
  append_raw(want, ts, 8);                            // maxTimestamp
  for (int i = 0; i < 8; ++i) want.push_back(0xFF);   // producerId -1
  want.insert(want.end(), {0xFF, 0xFF});              // producerEpoch -1
  want.insert(want.end(), {0xFF, 0xFF, 0xFF, 0xFF});  // baseSequence -1
  want.insert(want.end(), {0, 0, 0, 1});              // recordsCount
  want.insert(want.end(), {0x10,                      // record length 8
                           0x00,                      // attributes
                           0x00,                      // timestampDelta 0
                           0x00,                      // offsetDelta 0
                           0x02, 'k',                 // key length 1, "k"
                           0x02, 'v',                 // value length 1, "v"
                           0x00});                    // no headers
  ASSERT_EQ(want.size(), 70u);
  reseal(want);

  batch_builder bb;
  bb.append(t0, "k", "v");
  EXPECT_EQ(bb.build(), want);

  auto rs = decode_records(want.data(), want.size());
  ASSERT_TRUE(rs) << rs.error().to_string();
  ASSERT_EQ(rs->size(), 1u);
  EXPECT_EQ((*rs)[0].key, "k");
  EXPECT_EQ((*rs)[0].value, "v");
  EXPECT_EQ((*rs)[0].timestamp, t0);
}

TEST(RecordBatch, AnyFlippedCoveredByteFailsValidation) {
  for (auto c : {compression::none, compression::zstd}) {
    const bytes good = build_sample(c);
    for (size_t i = batch_magic_at; i < good.size(); i += (i < 100 ? 1 : 997)) {
      bytes bad = good;
      bad[i] ^= 0x40;
      EXPECT_FALSE(validate_batch(bad.data(), bad.size())) << "byte " << i;
      EXPECT_FALSE(decode_records(bad.data(), bad.size())) << "byte " << i;
    }
  }
}

TEST(RecordBatch, OffsetAndEpochRewritesKeepTheCrc) {
  bytes b = build_sample(compression::snappy);
  set_base_offset(b.data(), 1'000'000);
  set_leader_epoch(b.data(), 7);
  ASSERT_TRUE(validate_batch(b.data(), b.size()));
  auto h = parse_batch_header(b.data(), b.size());
  EXPECT_EQ(h->base_offset, 1'000'000);
  EXPECT_EQ(h->leader_epoch, 7);
  EXPECT_EQ(h->last_offset(), 1'000'004);
  auto rs = decode_records(b.data(), b.size());
  ASSERT_TRUE(rs);
  expect_same(*rs, sample_records(), 1'000'000);
}

TEST(RecordBatch, ValidateRejectsInconsistentBatches) {
  const bytes good = build_sample(compression::none);
  EXPECT_EQ(validate_batch(good.data(), good.size() - 1).code(), errc::corrupt_message);
  bytes longer = good;
  longer.push_back(0);
  EXPECT_EQ(validate_batch(longer.data(), longer.size()).code(), errc::corrupt_message);

  bytes delta = good;
  store_be32(delta.data() + batch_last_offset_delta_at, 9);
  reseal(delta);
  EXPECT_EQ(validate_batch(delta.data(), delta.size()).code(), errc::corrupt_message);

  bytes none = good;
  store_be32(none.data() + batch_records_count_at, 0);
  store_be32(none.data() + batch_last_offset_delta_at, uint32_t(-1));
  reseal(none);
  EXPECT_EQ(validate_batch(none.data(), none.size()).code(), errc::corrupt_message);

  bytes codec = good;
  store_be16(codec.data() + batch_attributes_at, 6);
  reseal(codec);
  EXPECT_EQ(validate_batch(codec.data(), codec.size()).code(), errc::unsupported_compression);
  EXPECT_EQ(decode_records(codec.data(), codec.size()).error().code(),
            errc::unsupported_compression);
}

TEST(RecordBatch, ParseHeaderRejectsBadFixedFields) {
  const bytes good = build_sample(compression::none);
  EXPECT_FALSE(parse_batch_header(good.data(), 60));
  bytes magic = good;
  magic[batch_magic_at] = 1;
  EXPECT_EQ(parse_batch_header(magic.data(), magic.size()).error().code(), errc::corrupt_message);
  bytes len = good;
  store_be32(len.data() + batch_length_at, 48);
  EXPECT_FALSE(parse_batch_header(len.data(), len.size()));
  store_be32(len.data() + batch_length_at, uint32_t(-5));
  EXPECT_FALSE(parse_batch_header(len.data(), len.size()));
}

TEST(RecordBatch, SplitBatchesWithPartialTail) {
  bytes all;
  std::vector<size_t> sizes;
  for (auto c : {compression::none, compression::gzip, compression::lz4}) {
    bytes b = build_sample(c);
    set_base_offset(b.data(), int64_t(sizes.size()) * 5);
    sizes.push_back(b.size());
    append_raw(all, b.data(), b.size());
  }
  auto whole = split_batches(all.data(), all.size(), false);
  ASSERT_TRUE(whole) << whole.error().to_string();
  ASSERT_EQ(whole->size(), 3u);
  size_t pos = 0;
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*whole)[i].data, all.data() + pos);
    EXPECT_EQ((*whole)[i].size, sizes[i]);
    EXPECT_EQ((*whole)[i].header.base_offset, int64_t(i) * 5);
    EXPECT_TRUE(validate_batch((*whole)[i].data, (*whole)[i].size));
    pos += sizes[i];
  }

  const bytes fourth = build_sample(compression::zstd);
  for (size_t tail : {size_t(5), size_t(40), fourth.size() - 1}) {
    bytes cut = all;
    append_raw(cut, fourth.data(), tail);
    auto lenient = split_batches(cut.data(), cut.size(), true);
    ASSERT_TRUE(lenient) << lenient.error().to_string();
    EXPECT_EQ(lenient->size(), 3u) << "tail " << tail;
    auto strict = split_batches(cut.data(), cut.size(), false);
    ASSERT_FALSE(strict) << "tail " << tail;
    EXPECT_EQ(strict.error().code(), errc::corrupt_message);
  }

  auto empty = split_batches(nullptr, 0, false);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());

  bytes bad = all;
  store_be32(bad.data() + sizes[0] + batch_length_at, 3);  // second batch's length
  EXPECT_FALSE(split_batches(bad.data(), bad.size(), true));
  bytes magic = all;
  magic[sizes[0] + batch_magic_at] = 0;
  EXPECT_FALSE(split_batches(magic.data(), magic.size(), true));
}

TEST(RecordBatch, LogAppendTimeUsesMaxTimestamp) {
  bytes b = build_sample(compression::none);
  store_be16(b.data() + batch_attributes_at, batch_log_append_time_bit);
  store_be64(b.data() + batch_max_timestamp_at, uint64_t(t0 + 99999));
  reseal(b);
  auto rs = decode_records(b.data(), b.size());
  ASSERT_TRUE(rs) << rs.error().to_string();
  for (const auto& r : *rs) EXPECT_EQ(r.timestamp, t0 + 99999);
}

TEST(RecordBatch, DecodeRejectsMalformedRecords) {
  // One well-formed record: length 8, attrs, ts 0, offset 0, key "k", value "v", 0 headers.
  const bytes rec = {0x10, 0, 0, 0, 0x02, 'k', 0x02, 'v', 0};
  const bytes ok = raw_batch(rec, 1);
  ASSERT_TRUE(decode_records(ok.data(), ok.size()));

  auto fails = [](const bytes& recs, int32_t count, const char* why) {
    const bytes b = raw_batch(recs, count);
    auto r = decode_records(b.data(), b.size());
    ASSERT_FALSE(r) << why;
    EXPECT_EQ(r.error().code(), errc::corrupt_message) << why;
  };
  fails(rec, 2, "count above the records present");
  fails(rec, 0x7FFFFFFF, "huge count");
  fails(rec, -1, "negative count");
  bytes two = rec;
  append_raw(two, rec.data(), rec.size());
  fails(two, 1, "bytes after the declared records");
  fails({0x7E, 0, 0, 0, 0x02, 'k', 0x02, 'v', 0}, 1, "record length past the end");
  fails({0x01, 0, 0, 0, 0x02, 'k', 0x02, 'v', 0}, 1, "negative record length");
  fails({0x10, 0, 0, 0, 0x7E, 'k', 0x02, 'v', 0}, 1, "key length past the record");
  fails({0x10, 0, 0, 0, 0x03, 'k', 0x02, 'v', 0}, 1, "key length -2");
  fails({0x10, 0, 0, 0, 0x02, 'k', 0x02, 'v', 0x01}, 1, "negative header count");
  fails({0x10, 0, 0, 0, 0x02, 'k', 0x02, 'v', 0x7E}, 1, "huge header count");
  fails({0x12, 0, 0, 0, 0x02, 'k', 0x02, 'v', 0, 0}, 1, "record longer than its fields");
  fails({0x0E, 0, 0, 0, 0x02, 'k', 0x02, 'v', 0}, 1, "record shorter than its fields");
  fails({0x12, 0, 0, 0, 0x02, 'k', 0x01, 0x02, 0x01, 0x00}, 1, "null header key");
  fails({0x80}, 1, "truncated length varint");
}

TEST(RecordBatch, RandomCorruptionNeverCrashes) {
  std::mt19937 rng(1);
  for (auto c : all_codecs) {
    const bytes good = build_sample(c);
    for (int iter = 0; iter < 1000; ++iter) {
      bytes b = good;
      const int flips = 1 + int(rng() % 4);
      for (int f = 0; f < flips; ++f)
        b[batch_header_size + rng() % (b.size() - batch_header_size)] = uint8_t(rng());
      reseal(b);  // get past the CRC so the record parser sees the damage
      auto r = decode_records(b.data(), b.size());
      if (!r) {
        EXPECT_NE(r.error().message(), "");
      }
    }
  }
}

TEST(RecordBatch, BuilderResetsAndReuses) {
  batch_builder bb(compression::gzip);
  EXPECT_TRUE(bb.empty());
  EXPECT_EQ(bb.size_bytes(), batch_header_size);
  EXPECT_EQ(bb.codec(), compression::gzip);
  bb.set_producer(9, 1, 0);
  bb.append(t0, "a", "b");
  EXPECT_EQ(bb.record_count(), 1u);
  EXPECT_EQ(bb.size_bytes(), batch_header_size + 9);
  const bytes first = bb.build();
  EXPECT_TRUE(bb.empty());
  EXPECT_EQ(bb.size_bytes(), batch_header_size);

  bb.append(t0 + 1, "x", std::nullopt);
  bb.reset();
  EXPECT_TRUE(bb.empty());
  for (int i = 0; i < 100; ++i) bb.append(t0 + i, std::nullopt, std::to_string(i));
  const bytes second = bb.build();
  auto h = parse_batch_header(second.data(), second.size());
  ASSERT_TRUE(h);
  EXPECT_EQ(h->producer_id, -1);
  EXPECT_EQ(h->records_count, 100);
  EXPECT_EQ(h->codec(), compression::gzip);
  auto rs = decode_records(second.data(), second.size());
  ASSERT_TRUE(rs);
  ASSERT_EQ(rs->size(), 100u);
  EXPECT_EQ((*rs)[99].value, "99");
  EXPECT_EQ((*rs)[99].offset, 99);
  EXPECT_EQ((*rs)[99].timestamp, t0 + 99);
  EXPECT_TRUE(validate_batch(first.data(), first.size()));
}

}  // namespace
}  // namespace brook::runtime
