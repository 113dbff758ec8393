// Producer settings behave with Kafka's meanings against a real brookd.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "actors/client/consumer.hpp"
#include "actors/client/producer.hpp"
#include "group_test_fixture.hpp"
#include "harness.hpp"
#include "net/native_client.hpp"
#include "net/native_codec.hpp"
#include "runtime/partitioner.hpp"
#include "runtime/record_batch.hpp"

using namespace brook;
using namespace std::chrono_literals;

namespace {

void create_topic(const std::string& bootstrap, const std::string& topic, int parts,
                  const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{itest::bin("brook"), "--bootstrap-server", bootstrap, "topic", "create",
                                topic, "--partitions", std::to_string(parts)};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = itest::run(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

client::producer_config base(const std::string& bootstrap) {
  client::producer_config c;
  c.bootstrap_servers = bootstrap;
  return c;
}

class Producer : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(broker.start()) << broker.log(); }
  itest::temp_dir dir;
  itest::brookd_process broker{dir.path()};
};

}  // namespace

TEST_F(Producer, SendBlocksForMaxBlockMsWhenBufferMemoryIsFullThenFails) {
  create_topic(broker.bootstrap(), "full", 1);
  auto cfg = base(broker.bootstrap());
  cfg.buffer_memory = 4096;
  cfg.max_block_ms = 300;
  cfg.linger_ms = 0;
  cfg.request_timeout_ms = 1000;
  cfg.delivery_timeout_ms = 3000;
  auto p = client::producer::create(cfg);
  ASSERT_TRUE(p);
  ASSERT_TRUE((*p)->send({"full", std::nullopt, std::nullopt, std::string(100, 'x'), {}, -1}));
  ASSERT_TRUE((*p)->flush(5s));
  broker.kill9();  // nothing drains the buffer now
  runtime::status last;
  int sent = 0;
  auto start = std::chrono::steady_clock::now();
  for (; sent < 1000; ++sent) {
    last = (*p)->send({"full", std::nullopt, std::nullopt, std::string(100, 'x'), {}, -1});
    if (!last) break;
  }
  auto blocked = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(last.is_ok()) << "send must fail once buffer.memory stays full";
  EXPECT_LT(sent, 60) << "4096 bytes of buffer hold only a few 100-byte records";
  EXPECT_NE(last.message().find("buffer.memory"), std::string::npos) << last.to_string();
  EXPECT_GE(blocked, 250ms) << "send blocks up to max.block.ms before failing";
}

TEST_F(Producer, RecordsFailWithAnErrorAfterDeliveryTimeout) {
  create_topic(broker.bootstrap(), "late", 1);
  auto cfg = base(broker.bootstrap());
  cfg.linger_ms = 0;
  cfg.request_timeout_ms = 500;
  cfg.delivery_timeout_ms = 1500;
  cfg.retry_backoff_ms = 100;
  auto p = client::producer::create(cfg);
  ASSERT_TRUE(p);
  ASSERT_TRUE((*p)->send({"late", std::nullopt, std::nullopt, std::string("warm"), {}, -1}));
  ASSERT_TRUE((*p)->flush(5s));
  broker.kill9();
  std::promise<client::delivery_report> report;
  ASSERT_TRUE((*p)->send({"late", std::nullopt, std::nullopt, std::string("lost"), {}, -1},
                         [&](const client::delivery_report& r) { report.set_value(r); }));
  auto fut = report.get_future();
  ASSERT_EQ(fut.wait_for(20s), std::future_status::ready) << "every record gets a delivery result";
  auto r = fut.get();
  EXPECT_FALSE(r.error.is_ok());
  EXPECT_EQ(r.offset, -1);
  EXPECT_NE(r.error.message().find("delivery.timeout.ms"), std::string::npos) << r.error.to_string();
}

TEST_F(Producer, AcksZeroReportsWithoutOffsetsAndStillDelivers) {
  create_topic(broker.bootstrap(), "fire", 1);
  auto cfg = base(broker.bootstrap());
  cfg.acks = 0;
  cfg.enable_idempotence = false;
  auto p = client::producer::create(cfg);
  ASSERT_TRUE(p);
  std::atomic<int> reports{0}, with_offset{0};
  for (int i = 0; i < 50; ++i)
    ASSERT_TRUE((*p)->send({"fire", std::nullopt, std::nullopt, std::to_string(i), {}, -1},
                           [&](const client::delivery_report& r) {
                             reports++;
                             if (r.offset >= 0) with_offset++;
                           }));
  ASSERT_TRUE((*p)->flush(5s));
  EXPECT_EQ(reports.load(), 50);
  EXPECT_EQ(with_offset.load(), 0);
  client::consumer_config cc;
  cc.bootstrap_servers = broker.bootstrap();
  auto c = client::consumer::create(cc);
  ASSERT_TRUE(c);
  ASSERT_TRUE((*c)->assign({{"fire", 0}}));
  ASSERT_TRUE((*c)->seek_to_beginning({{"fire", 0}}));
  std::vector<std::string> got;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (got.size() < 50 && std::chrono::steady_clock::now() < deadline) {
    auto recs = (*c)->poll(200ms);  // kept alive: ranging over *poll() would dangle
    ASSERT_TRUE(recs) << recs.error().to_string();
    for (auto& r : *recs) got.push_back(*r.rec.value);
  }
  ASSERT_EQ(got.size(), 50u);
  EXPECT_EQ(got.front(), "0");
  EXPECT_EQ(got.back(), "49");
}

TEST_F(Producer, KeyedRecordsLandWhereKafkaPutsThemAndUnkeyedStick) {
  create_topic(broker.bootstrap(), "parts", 6);
  auto cfg = base(broker.bootstrap());
  cfg.linger_ms = 50;
  auto p = client::producer::create(cfg);
  ASSERT_TRUE(p);
  std::mutex mu;
  std::map<std::string, int32_t> landed;
  std::set<int32_t> unkeyed_partitions;
  for (int i = 0; i < 200; ++i) {
    std::string key = "user-" + std::to_string(i);
    ASSERT_TRUE((*p)->send({"parts", std::nullopt, key, std::string("v"), {}, -1},
                           [&, key](const client::delivery_report& r) {
                             std::lock_guard<std::mutex> g(mu);
                             landed[key] = r.partition;
                           }));
  }
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE((*p)->send({"parts", std::nullopt, std::nullopt, std::string("sticky"), {}, -1},
                           [&](const client::delivery_report& r) {
                             std::lock_guard<std::mutex> g(mu);
                             unkeyed_partitions.insert(r.partition);
                           }));
  ASSERT_TRUE((*p)->flush(10s));
  ASSERT_EQ(landed.size(), 200u);
  for (const auto& [key, part] : landed) EXPECT_EQ(part, runtime::kafka_key_partition(key, 6)) << key;
  EXPECT_EQ(unkeyed_partitions.size(), 1u) << "small unkeyed burst fits one sticky batch";
}

// The sticky partitioner keeps unkeyed records of a topic in one partition until their batch
// fills, then moves on, however records to other topics interleave (send() remembers the last
// record's partition; this checks that memory against the partitioner's rule).
TEST_F(Producer, UnkeyedRecordsStickUntilTheirBatchFillsBesideOtherTopics) {
  create_topic(broker.bootstrap(), "spread", 6);
  create_topic(broker.bootstrap(), "beside", 3);
  auto cfg = base(broker.bootstrap());
  cfg.batch_size = 1024;
  cfg.linger_ms = 1000;  // batches leave when full (or at the flush), not on a timer
  auto p = client::producer::create(cfg);
  ASSERT_TRUE(p);
  constexpr int n = 300;
  std::vector<int32_t> partition(n, -1);
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE((*p)->send(
        {"spread", std::nullopt, std::nullopt, std::string(100, 'u'), {}, -1},
        [&partition, i](const client::delivery_report& r) { partition[size_t(i)] = r.partition; }));
    if (i < n / 2) continue;  // the second half interleaves records to another topic
    std::optional<std::string> key;
    if (i % 2) key = "k" + std::to_string(i);
    ASSERT_TRUE((*p)->send({"beside", std::nullopt, key, std::string("b"), {}, -1}));
  }
  ASSERT_TRUE((*p)->flush(10s));
  // Runs of one partition: every run but the last is one or more full batches (8 or 9 of these
  // records fit 1024 bytes), so none is short, and the partitioner moves on after each (a run
  // of nine batches, the random choice repeating eight times, is a one-in-a-million chance).
  std::vector<int> runs{1};
  for (int i = 1; i < n; ++i) {
    ASSERT_GE(partition[size_t(i)], 0);
    if (partition[size_t(i)] == partition[size_t(i) - 1])
      ++runs.back();
    else
      runs.push_back(1);
  }
  ASSERT_GE(runs.size(), 3u) << "the partitioner never moved on";
  for (size_t r = 0; r < runs.size(); ++r) {
    if (r + 1 < runs.size()) {
      EXPECT_GE(runs[r], 6) << "run " << r << " of " << ::testing::PrintToString(runs);
    }
    EXPECT_LE(runs[r], 72) << "run " << r << " of " << ::testing::PrintToString(runs);
  }
}

TEST_F(Producer, ExplicitPartitionOutOfRangeIsRejectedAtSend) {
  create_topic(broker.bootstrap(), "two", 2);
  auto p = client::producer::create(base(broker.bootstrap()));
  ASSERT_TRUE(p);
  auto st = (*p)->send({"two", 5, std::nullopt, std::string("v"), {}, -1});
  EXPECT_FALSE(st.is_ok());
  EXPECT_EQ(st.code(), runtime::errc::unknown_topic_or_partition);
}

TEST_F(Producer, ConflictingIdempotenceSettingsAreConfigErrors) {
  auto c = client::producer_config::from_properties({{"enable.idempotence", "true"}, {"acks", "1"}});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("acks=all"), std::string::npos);
  c = client::producer_config::from_properties({{"acks", "1"}});
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->enable_idempotence) << "default idempotence quietly off for acks=1, as Kafka";
  c = client::producer_config::from_properties({{"linger.mss", "1"}});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("linger.mss"), std::string::npos);
}

namespace {

runtime::bytes small_batch(int records, const std::string& tag) {
  runtime::batch_builder b;
  for (int i = 0; i < records; ++i)
    b.append(1000 + i, std::nullopt, tag + "-" + std::to_string(i), {});
  return b.build();
}

}  // namespace

// The native protocol takes several batches of a partition in one produce request (the native
// producer packs the batches that are ready together): each is appended in order and answered
// with its own base offset. The Kafka listener keeps Kafka's rule of exactly one batch per
// partition (INVALID_RECORD, 87), and stores nothing of such a request.
TEST_F(Producer, SeveralBatchesInOneNativeRequestGetTheirOwnOffsetsAndKafkaRefusesThem) {
  create_topic(broker.bootstrap(), "packed", 1);
  auto c = net::native_client::connect({"127.0.0.1", broker.port()}, 5s);
  ASSERT_TRUE(c);
  net::produce_request req{"packed", 0, 1, 5000, {}};
  for (auto [n, tag] : std::vector<std::pair<int, std::string>>{{3, "a"}, {5, "b"}, {2, "c"}}) {
    auto b = small_batch(n, tag);
    req.batch.insert(req.batch.end(), b.begin(), b.end());
  }
  auto r = (*c)->call<net::produce_response>(net::native_type::produce, req, 10s);
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->error, net::errc::none) << r->message;
  EXPECT_EQ(r->base_offset, 0);
  EXPECT_EQ(r->base_offsets, (std::vector<int64_t>{0, 3, 8}));

  // A trailing partial batch: refused as a whole, nothing more stored.
  net::produce_request torn{"packed", 0, 1, 5000, small_batch(2, "d")};
  auto tail = small_batch(2, "e");
  torn.batch.insert(torn.batch.end(), tail.begin(), tail.begin() + 20);
  auto bad = (*c)->call<net::produce_response>(net::native_type::produce, torn, 10s);
  ASSERT_TRUE(bad);
  EXPECT_NE(bad->error, net::errc::none);

  // Two batches in one partition's records through the Kafka listener.
  group_tests::kafka_conn kafka(broker.kafka_port());
  ASSERT_TRUE(kafka.connected());
  k::produce_request kreq;
  kreq.acks = 1;
  auto two = small_batch(1, "k1");
  auto second = small_batch(1, "k2");
  two.insert(two.end(), second.begin(), second.end());
  kreq.topics = {{"packed", {{0, two}}}};
  auto kresp = kafka.call<k::produce_response>(k::api_key::produce, 7, kreq);
  ASSERT_EQ(kresp.topics.size(), 1u);
  ASSERT_EQ(kresp.topics[0].partitions.size(), 1u);
  EXPECT_EQ(kresp.topics[0].partitions[0].error_code, 87);  // INVALID_RECORD

  client::consumer_config cc;
  cc.bootstrap_servers = broker.bootstrap();
  auto consumer = client::consumer::create(cc);
  ASSERT_TRUE(consumer);
  ASSERT_TRUE((*consumer)->assign({{"packed", 0}}));
  ASSERT_TRUE((*consumer)->seek_to_beginning({{"packed", 0}}));
  std::vector<std::pair<int64_t, std::string>> got;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (got.size() < 10 && std::chrono::steady_clock::now() < deadline) {
    auto recs = (*consumer)->poll(200ms);
    ASSERT_TRUE(recs) << recs.error().to_string();
    for (auto& rec : *recs) got.emplace_back(rec.rec.offset, *rec.rec.value);
  }
  std::vector<std::pair<int64_t, std::string>> want{{0, "a-0"}, {1, "a-1"}, {2, "a-2"}, {3, "b-0"},
                                                    {4, "b-1"}, {5, "b-2"}, {6, "b-3"}, {7, "b-4"},
                                                    {8, "c-0"}, {9, "c-1"}};
  EXPECT_EQ(got, want);
  std::this_thread::sleep_for(300ms);  // nothing after them (the refused requests)
  auto more = (*consumer)->poll(300ms);
  ASSERT_TRUE(more);
  EXPECT_TRUE(more->empty()) << more->size() << " record(s) past the 10 of the packed request";
}

// An idempotent producer with small batches: they travel several to a request, every record gets
// the offset it is stored at, in send order, once.
TEST_F(Producer, SmallBatchesPackedIntoRequestsKeepOrderOffsetsAndIdempotence) {
  create_topic(broker.bootstrap(), "small", 1);
  auto cfg = base(broker.bootstrap());
  cfg.acks = -1;
  cfg.batch_size = 512;  // a few records a batch: thousands of batches
  cfg.linger_ms = 20;
  auto p = client::producer::create(cfg);
  ASSERT_TRUE(p);
  constexpr int n = 20000;
  std::vector<int64_t> offset(n, -1);
  std::atomic<int> failed{0};
  for (int i = 0; i < n; ++i)
    ASSERT_TRUE((*p)->send({"small", std::nullopt, std::nullopt, "r" + std::to_string(i), {}, -1},
                           [&, i](const client::delivery_report& r) {
                             if (r.error.is_ok())
                               offset[size_t(i)] = r.offset;
                             else
                               failed++;
                           }));
  ASSERT_TRUE((*p)->flush(60s));
  ASSERT_EQ(failed.load(), 0);
  for (int i = 0; i < n; ++i) ASSERT_EQ(offset[size_t(i)], i) << "record " << i;
  client::consumer_config cc;
  cc.bootstrap_servers = broker.bootstrap();
  auto consumer = client::consumer::create(cc);
  ASSERT_TRUE(consumer);
  ASSERT_TRUE((*consumer)->assign({{"small", 0}}));
  ASSERT_TRUE((*consumer)->seek_to_beginning({{"small", 0}}));
  int next = 0;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (next < n && std::chrono::steady_clock::now() < deadline) {
    auto recs = (*consumer)->poll(200ms);
    ASSERT_TRUE(recs) << recs.error().to_string();
    for (auto& rec : *recs) {
      ASSERT_EQ(rec.rec.offset, next);
      ASSERT_EQ(*rec.rec.value, "r" + std::to_string(next));
      ++next;
    }
  }
  EXPECT_EQ(next, n);
}
