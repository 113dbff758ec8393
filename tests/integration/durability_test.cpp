// Acknowledged records survive a kill -9 of brookd and kills of partition actors: every one is
// read back exactly once, in send order per partition, with its key, value and headers.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "actors/client/consumer.hpp"
#include "actors/client/producer.hpp"
#include "harness.hpp"
#include "net/native_client.hpp"

using namespace brook;
using namespace std::chrono_literals;

namespace {

constexpr int total_records = 100000;
constexpr int32_t partitions = 3;

struct acked {
  int32_t partition = -1;
  int64_t offset = -1;
};

void create_topic(const std::string& bootstrap, const std::string& topic, int32_t parts) {
  auto r = itest::run({itest::bin("brook"), "--bootstrap-server", bootstrap, "topic", "create", topic,
                         "--partitions", std::to_string(parts)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

// Produces total_records with acks=all while `disrupt` runs once 30% are acknowledged.
std::vector<acked> produce_through(const std::string& bootstrap, const std::string& topic,
                                   const std::function<void()>& disrupt) {
  client::producer_config cfg;
  cfg.bootstrap_servers = bootstrap;
  cfg.acks = -1;
  cfg.linger_ms = 2;
  cfg.retry_backoff_ms = 50;
  cfg.request_timeout_ms = 5000;
  cfg.delivery_timeout_ms = 120000;
  auto prod = client::producer::create(cfg);
  EXPECT_TRUE(prod) << prod.error().to_string();
  if (!prod) return {};
  std::vector<acked> acks(total_records);
  std::atomic<int> done{0}, failed{0};
  std::mutex err_mu;
  std::string first_error;
  std::thread chaos([&] {
    while (done < total_records * 3 / 10) std::this_thread::sleep_for(1ms);
    disrupt();
  });
  for (int i = 0; i < total_records; ++i) {
    client::producer_record rec;
    rec.topic = topic;
    rec.key = "key-" + std::to_string(i);
    rec.value = "value-" + std::to_string(i);
    rec.headers = {{"seq", std::to_string(i)}, {"nullable", std::nullopt}};
    auto st = (*prod)->send(std::move(rec), [&, i](const client::delivery_report& r) {
      if (r.error.is_ok()) {
        acks[size_t(i)] = {r.partition, r.offset};
      } else if (failed++ == 0) {
        std::lock_guard<std::mutex> g(err_mu);
        first_error = r.error.to_string();
      }
      done++;
    });
    EXPECT_TRUE(st) << st.to_string();
  }
  EXPECT_TRUE((*prod)->flush(120s));
  chaos.join();
  EXPECT_EQ(failed.load(), 0) << first_error;
  return acks;
}

// Reads every partition from the beginning to its end offset.
std::map<int32_t, std::vector<runtime::record>> read_all(const std::string& bootstrap, const std::string& topic) {
  client::consumer_config cfg;
  cfg.bootstrap_servers = bootstrap;
  cfg.max_poll_records = 5000;
  auto c = client::consumer::create(cfg);
  EXPECT_TRUE(c);
  std::vector<client::topic_partition> tps;
  for (int32_t p = 0; p < partitions; ++p) tps.push_back({topic, p});
  EXPECT_TRUE((*c)->assign(tps));
  EXPECT_TRUE((*c)->seek_to_beginning(tps));
  // End offsets, from a second consumer positioned at the end.
  auto probe = client::consumer::create(cfg);
  EXPECT_TRUE((*probe)->assign(tps));
  EXPECT_TRUE((*probe)->seek_to_end(tps));
  std::map<int32_t, int64_t> end;
  for (const auto& tp : tps) end[tp.partition] = *(*probe)->position(tp);
  std::map<int32_t, std::vector<runtime::record>> out;
  auto deadline = std::chrono::steady_clock::now() + 120s;
  auto finished = [&] {
    for (const auto& tp : tps)
      if (*(*c)->position(tp) < end[tp.partition]) return false;
    return true;
  };
  while (!finished() && std::chrono::steady_clock::now() < deadline) {
    auto recs = (*c)->poll(500ms);
    EXPECT_TRUE(recs) << recs.error().to_string();
    if (!recs) break;
    for (auto& r : *recs) out[r.partition].push_back(std::move(r.rec));
  }
  EXPECT_TRUE(finished()) << "did not reach the end offsets in time";
  return out;
}

void verify(const std::vector<acked>& acks, const std::map<int32_t, std::vector<runtime::record>>& log) {
  std::map<int, int> copies;
  std::map<std::pair<int32_t, int64_t>, const runtime::record*> by_offset;
  for (const auto& [p, recs] : log) {
    int64_t prev_offset = -1;
    int prev_seq = -1;
    for (const auto& r : recs) {
      EXPECT_GT(r.offset, prev_offset) << "offsets not increasing in partition " << p;
      prev_offset = r.offset;
      ASSERT_TRUE(r.key.has_value());
      int seq = std::stoi(r.key->substr(4));
      EXPECT_GT(seq, prev_seq) << "partition " << p << " out of send order at offset " << r.offset;
      prev_seq = seq;
      copies[seq]++;
      by_offset[{p, r.offset}] = &r;
    }
  }
  int checked = 0;
  for (int i = 0; i < total_records; ++i) {
    if (acks[size_t(i)].offset < 0) continue;
    ++checked;
    EXPECT_EQ(copies[i], 1) << "record " << i << " stored " << copies[i] << " times";
    auto it = by_offset.find({acks[size_t(i)].partition, acks[size_t(i)].offset});
    ASSERT_NE(it, by_offset.end()) << "acknowledged record " << i << " missing at partition "
                                   << acks[size_t(i)].partition << " offset " << acks[size_t(i)].offset;
    const auto& r = *it->second;
    EXPECT_EQ(r.key, "key-" + std::to_string(i));
    EXPECT_EQ(r.value, "value-" + std::to_string(i));
    ASSERT_EQ(r.headers.size(), 2u);
    EXPECT_EQ(r.headers[0].key, "seq");
    EXPECT_EQ(r.headers[0].value, std::to_string(i));
    EXPECT_EQ(r.headers[1].key, "nullable");
    EXPECT_FALSE(r.headers[1].value.has_value());
  }
  EXPECT_EQ(checked, total_records) << "every record should be acknowledged (retries span the outage)";
}

}  // namespace

TEST(Durability, AckedRecordsSurviveKillNineOfBrookd) {
  itest::temp_dir dir;
  itest::brookd_process broker(dir.path());
  ASSERT_TRUE(broker.start()) << broker.log();
  create_topic(broker.bootstrap(), "durable", partitions);
  bool restarted = false;
  auto acks = produce_through(broker.bootstrap(), "durable", [&] {
    broker.kill9();
    std::this_thread::sleep_for(300ms);
    restarted = broker.start();
  });
  ASSERT_TRUE(restarted) << broker.log();
  verify(acks, read_all(broker.bootstrap(), "durable"));
  EXPECT_EQ(broker.terminate(), 0);
}

TEST(Durability, AckedRecordsSurvivePartitionActorKills) {
  itest::temp_dir dir;
  itest::brookd_process broker(dir.path());
  ASSERT_TRUE(broker.start()) << broker.log();
  create_topic(broker.bootstrap(), "chaos", partitions);
  int kills = 0;
  auto acks = produce_through(broker.bootstrap(), "chaos", [&] {
    for (int round = 0; round < 3; ++round) {
      for (int32_t p = 0; p < partitions; ++p) {
        auto r = itest::run({itest::bin("brook"), "--bootstrap-server", broker.bootstrap(), "admin",
                               "kill-partition", "chaos", std::to_string(p)});
        if (r.exit_code == 0) ++kills;
      }
      std::this_thread::sleep_for(100ms);
    }
  });
  EXPECT_GE(kills, 3);
  verify(acks, read_all(broker.bootstrap(), "chaos"));
  EXPECT_NE(broker.log().find("restarted partition actor chaos-"), std::string::npos);
  EXPECT_TRUE(broker.running()) << "a partition-actor kill must not take the node down";
  EXPECT_EQ(broker.terminate(), 0);
}

TEST(Supervision, PartitionGivesUpLoudlyAfterRepeatedCrashesAndTheNodeKeepsServing) {
  itest::temp_dir dir;
  itest::brookd_process broker(dir.path());
  ASSERT_TRUE(broker.start()) << broker.log();
  create_topic(broker.bootstrap(), "fragile", 2);
  auto kill = [&] {
    return itest::run({itest::bin("brook"), "--bootstrap-server", broker.bootstrap(), "admin", "kill-partition",
                       "fragile", "0"});
  };
  // Each kill lands on a freshly restarted actor; the sixth crash within a minute is one too many.
  int kills = 0;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (broker.log().find("giving up") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    if (kill().exit_code == 0) ++kills;
    std::this_thread::sleep_for(50ms);
  }
  auto log = broker.log();
  EXPECT_NE(log.find("partition fragile-0 crashed 6 times within 60 s; giving up, partition is OFFLINE"),
            std::string::npos)
      << log;
  EXPECT_EQ(kills, 6);
  auto describe = itest::run({itest::bin("brook"), "--bootstrap-server", broker.bootstrap(), "topic", "describe", "fragile"});
  EXPECT_NE(describe.out.find("Partition: 0\tLeader: -1"), std::string::npos) << describe.out;
  EXPECT_NE(describe.out.find("Partition: 1\tLeader: 0"), std::string::npos) << describe.out;
  // The other partition, and the node, still serve.
  auto produce = itest::run({itest::bin("brook"), "--bootstrap-server", broker.bootstrap(), "produce", "fragile",
                             "--partition", "1"},
                            "still here\n");
  EXPECT_EQ(produce.exit_code, 0) << produce.err;
  auto consume = itest::run({itest::bin("brook"), "--bootstrap-server", broker.bootstrap(), "consume", "fragile",
                             "--partition", "1", "--from-beginning", "--count", "1", "--timeout-ms", "10000"});
  EXPECT_EQ(consume.out, "still here\n");
  EXPECT_TRUE(broker.running());
  EXPECT_EQ(broker.terminate(), 0);
}

// log.flush.interval.messages=1: every acks=1 write is answered only once the log flusher has
// made it durable, while the partition actor goes on taking appends (group commit). Flushes are
// held back with the test hook BROOK_TEST_FLUSH_HOLD_FILE; a kill -9 between the appends and
// their flush loses nothing that was acknowledged. (That unsynced writes would be lost in a
// power failure is shown with fault_env in tests/unit/storage/fault_test.cpp.)
TEST(Durability, FlushModeAcksWaitForTheirFlushAndKillNineLosesNothingAcknowledged) {
  itest::temp_dir dir;
  const std::string release = dir.path() + "/release-flushes";
  setenv("BROOK_TEST_FLUSH_HOLD_FILE", release.c_str(), 1);
  itest::brookd_process broker(dir.path(), {"log.flush.interval.messages=1"});
  bool started = broker.start();
  unsetenv("BROOK_TEST_FLUSH_HOLD_FILE");  // only this brookd has the hook
  ASSERT_TRUE(started) << broker.log();
  create_topic(broker.bootstrap(), "flushed", 1);

  client::producer_config cfg;
  cfg.bootstrap_servers = broker.bootstrap();
  cfg.acks = 1;
  cfg.linger_ms = 0;
  cfg.retry_backoff_ms = 50;
  cfg.request_timeout_ms = 3000;
  cfg.delivery_timeout_ms = 60000;
  auto prod = client::producer::create(cfg);
  ASSERT_TRUE(prod) << prod.error().to_string();
  constexpr int per_round = 50;
  std::mutex mu;
  std::map<int, int64_t> acked;  // record -> offset
  int failed = 0;
  auto send = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      client::producer_record rec;
      rec.topic = "flushed";
      rec.partition = 0;
      rec.key = "key-" + std::to_string(i);
      rec.value = "value-" + std::to_string(i);
      auto st = (*prod)->send(std::move(rec), [&, i](const client::delivery_report& r) {
        std::lock_guard<std::mutex> g(mu);
        if (r.error.is_ok())
          acked[i] = r.offset;
        else
          ++failed;
      });
      ASSERT_TRUE(st) << st.to_string();
    }
  };
  auto acked_count = [&] {
    std::lock_guard<std::mutex> g(mu);
    return int(acked.size());
  };

  // Round 1: appended, not flushed, so not acknowledged; released, all are.
  send(0, per_round);
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(acked_count(), 0) << "acks=1 writes were acknowledged before their flush";
  { std::ofstream(release) << "go"; }
  EXPECT_TRUE(itest::eventually([&] { return acked_count() == per_round; }, 30s))
      << acked_count() << " of " << per_round << " acknowledged after the flushes were released";

  // Round 2: flushes held again; the appends are in the log, unacknowledged, at the kill.
  std::filesystem::remove(release);
  std::this_thread::sleep_for(100ms);
  send(per_round, 2 * per_round);
  std::this_thread::sleep_for(1000ms);
  EXPECT_EQ(acked_count(), per_round) << "a held-back write was acknowledged";
  broker.kill9();
  { std::ofstream(release) << "go"; }  // the restarted brookd flushes normally
  ASSERT_TRUE(broker.start()) << broker.log();
  // The producer retries what was not acknowledged (idempotent: no second copy).
  EXPECT_TRUE((*prod)->flush(60s));
  {
    std::lock_guard<std::mutex> g(mu);
    EXPECT_EQ(failed, 0);
    EXPECT_EQ(int(acked.size()), 2 * per_round);
  }

  client::consumer_config ccfg;
  ccfg.bootstrap_servers = broker.bootstrap();
  auto c = client::consumer::create(ccfg);
  ASSERT_TRUE(c);
  ASSERT_TRUE((*c)->assign({{"flushed", 0}}));
  ASSERT_TRUE((*c)->seek_to_beginning({{"flushed", 0}}));
  std::map<int64_t, std::string> stored;  // offset -> key
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (stored.size() < size_t(2 * per_round) && std::chrono::steady_clock::now() < deadline) {
    auto recs = (*c)->poll(200ms);
    ASSERT_TRUE(recs) << recs.error().to_string();
    for (auto& r : *recs) stored[r.rec.offset] = r.rec.key.value_or("");
  }
  std::lock_guard<std::mutex> g(mu);
  for (const auto& [i, off] : acked) {
    auto it = stored.find(off);
    ASSERT_NE(it, stored.end()) << "acknowledged record " << i << " missing at offset " << off;
    EXPECT_EQ(it->second, "key-" + std::to_string(i));
  }
  EXPECT_EQ(stored.size(), size_t(2 * per_round)) << "a record stored twice or one too many";
  EXPECT_EQ(broker.terminate(), 0);
}
