// Producer settings behave with Kafka's meanings against a real brookd.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <set>

#include "actors/client/consumer.hpp"
#include "actors/client/producer.hpp"
#include "harness.hpp"
#include "runtime/partitioner.hpp"

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
