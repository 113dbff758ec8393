// A real cluster: three brokers on 127.0.0.1 with their metadata in one Brook coordinator process
// (Cluster) or in a real 3-member ZooKeeper ensemble (ZkCluster). An idempotent acks=all producer
// writes while the test kills the leader of partition 0 (the process, or its partition actor)
// five times, with ZooKeeper members killed too; afterwards every acknowledged record is on every
// replica exactly once, in send order, and the consumer never saw an offset twice or out of order.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "actors/client/consumer.hpp"
#include "actors/client/producer.hpp"
#include "harness.hpp"
#include "net/native_client.hpp"
#include "net/native_codec.hpp"
#include "runtime/storage/file.hpp"
#include "runtime/log.hpp"
#include "runtime/record_batch.hpp"
#include "runtime/storage/partition_log.hpp"

namespace brook {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
constexpr int32_t partitions = 6;
constexpr int kills = 5;

class Cluster : public ::testing::Test {
 protected:
  void SetUp() override {
    runtime::log::level level;
    if (const char* l = std::getenv("BROOK_TEST_LOG_LEVEL"); l && runtime::log::parse_level(l, level))
      runtime::log::set_level(level);
    std::vector<std::string> metadata;
    if (zookeeper()) {
      zk_ = std::make_unique<itest::zookeeper_ensemble>(dir_.path(), 3);
      ASSERT_TRUE(zk_->start()) << zk_->log(0) << zk_->log(1) << zk_->log(2);
      metadata = {"zookeeper.connect=" + zk_->hosts() + "/brook", "zookeeper.session.timeout.ms=3000"};
    } else {
      coordinator_ = std::make_unique<itest::brookd_process>(dir_.path() + "/coordinator", std::vector<std::string>{},
                                                             itest::brookd_process::kind::coordinator);
      ASSERT_TRUE(coordinator_->start()) << coordinator_->log();
      EXPECT_NE(coordinator_->log().find("binding to port"), std::string::npos);
      metadata = {"coordinator.connect=" + coordinator_->coordinator_address()};
    }
    for (int id = 1; id <= 3; ++id) {
      std::vector<std::string> overrides{"broker.id=" + std::to_string(id), "process.roles=broker",
                                         "default.replication.factor=3", "min.insync.replicas=2",
                                         "replica.high.watermark.checkpoint.interval.ms=100"};
      overrides.insert(overrides.end(), metadata.begin(), metadata.end());
      brokers_.push_back(
          std::make_unique<itest::brookd_process>(dir_.path() + "/broker-" + std::to_string(id), overrides));
      ASSERT_TRUE(brokers_.back()->start()) << brokers_.back()->log();
    }
    auto r = itest::run({itest::bin("brook"), "--bootstrap-server", bootstrap(), "topic", "create", topic_,
                         "--partitions", std::to_string(partitions), "--replication-factor", "3"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    ASSERT_TRUE(wait_for_full_isr());
  }

  std::string bootstrap() const {
    std::string s;
    for (const auto& b : brokers_) s += (s.empty() ? "" : ",") + b->bootstrap();
    return s;
  }

  itest::brookd_process& broker(int32_t id) { return *brokers_[size_t(id - 1)]; }

  runtime::result<std::unique_ptr<client::producer>> acks_all_producer() {
    client::producer_config cfg;
    cfg.bootstrap_servers = bootstrap();
    cfg.acks = -1;
    return client::producer::create(cfg);
  }

  /// Metadata of the topic from broker `id`; nullopt if it does not answer.
  std::optional<net::metadata_response> metadata_from(int32_t id) {
    if (!broker(id).running()) return std::nullopt;
    auto c = net::native_client::connect({"127.0.0.1", broker(id).port()}, 2s);
    if (!c) return std::nullopt;
    net::metadata_request req{{topic_}, false, false};
    auto m = (*c)->call<net::metadata_response>(net::native_type::metadata, req, 5s);
    if (!m || m->topics.size() != 1 || m->topics[0].partitions.size() != size_t(partitions)) return std::nullopt;
    return *m;
  }

  std::optional<net::metadata_response> metadata_from_any() {
    for (int32_t id = 1; id <= 3; ++id)
      if (auto m = metadata_from(id)) return m;
    return std::nullopt;
  }

  int32_t leader_of(int32_t p) {
    auto m = metadata_from_any();
    return m ? m->topics[0].partitions[size_t(p)].leader : -1;
  }

  /// Waits until every partition has a leader and all three replicas in its ISR.
  bool wait_for_full_isr(std::chrono::seconds limit = 60s) {
    auto deadline = clock_type::now() + limit;
    while (clock_type::now() < deadline) {
      if (auto m = metadata_from_any()) {
        bool full = true;
        for (const auto& p : m->topics[0].partitions) full = full && p.leader >= 0 && p.isr.size() == 3;
        if (full) return true;
      }
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }

  /// Every live broker names the same leader and epoch for every partition.
  bool metadata_agrees(std::string* why) {
    std::optional<net::metadata_response> first;
    for (int32_t id = 1; id <= 3; ++id) {
      auto m = metadata_from(id);
      if (!m) continue;
      if (!first) {
        first = m;
        continue;
      }
      for (int32_t p = 0; p < partitions; ++p) {
        const auto& a = first->topics[0].partitions[size_t(p)];
        const auto& b = m->topics[0].partitions[size_t(p)];
        if (a.leader != b.leader || a.leader_epoch != b.leader_epoch) {
          *why = "broker " + std::to_string(id) + " says partition " + std::to_string(p) + " is led by " +
                 std::to_string(b.leader) + " at epoch " + std::to_string(b.leader_epoch) + ", another says " +
                 std::to_string(a.leader) + " at epoch " + std::to_string(a.leader_epoch);
          return false;
        }
      }
    }
    if (!first) *why = "no broker answered metadata";
    return bool(first);
  }

  /// Records of partition p in broker `id`'s log, read from its files (the broker is stopped).
  std::vector<runtime::record> replica_records(int32_t id, int32_t p) {
    auto dir = dir_.path() + "/broker-" + std::to_string(id) + "/logs/" + topic_ + "-" + std::to_string(p);
    auto log = runtime::storage::partition_log::open(runtime::storage::env::posix(), dir, {});
    EXPECT_TRUE(log) << dir << ": " << log.error().to_string();
    std::vector<runtime::record> out;
    if (!log) return out;
    auto from = (*log)->start_offset();
    while (from < (*log)->end_offset()) {
      auto data = (*log)->read(from, 1 << 20);
      auto batches = data ? runtime::split_batches(data->data(), data->size(), false)
                          : runtime::result<std::vector<runtime::batch_view>>(data.error());
      EXPECT_TRUE(batches) << batches.error().to_string();
      if (!batches || batches->empty()) break;
      for (const auto& b : *batches) {
        auto recs = runtime::decode_records(b.data, b.size);
        EXPECT_TRUE(recs) << recs.error().to_string();
        if (recs)
          for (auto& r : *recs) out.push_back(std::move(r));
      }
      from = runtime::offset{batches->back().header.last_offset() + 1};
    }
    return out;
  }

  struct produced {
    std::mutex mu;
    std::map<int32_t, std::vector<int>> acked;          // per partition, seqs in ack order
    std::vector<std::pair<clock_type::time_point, int64_t>> p0_acks;  // when and where partition 0 acked
    std::atomic<int> failures{0};
    std::string first_error;
  };

  // Produces to every partition until `stop`, with sequence numbers per partition in the values.
  void produce_until(std::atomic<bool>& stop, produced& out) {
    client::producer_config cfg;
    cfg.bootstrap_servers = bootstrap();
    cfg.acks = -1;
    cfg.linger_ms = 2;
    cfg.retry_backoff_ms = 20;
    cfg.request_timeout_ms = 3000;
    cfg.delivery_timeout_ms = 120000;
    auto prod = client::producer::create(cfg);
    ASSERT_TRUE(prod) << prod.error().to_string();
    std::vector<int> next(partitions, 0);
    while (!stop) {
      for (int32_t p = 0; p < partitions; ++p) {
        client::producer_record rec;
        rec.topic = topic_;
        rec.partition = p;
        int seq = next[size_t(p)]++;
        rec.key = std::to_string(p);
        rec.value = std::to_string(seq);
        auto st = (*prod)->send(std::move(rec), [&out, p, seq](const client::delivery_report& r) {
          std::lock_guard<std::mutex> g(out.mu);
          if (!r.error.is_ok()) {
            if (out.failures++ == 0) out.first_error = r.error.to_string();
            return;
          }
          out.acked[p].push_back(seq);
          if (p == 0) out.p0_acks.emplace_back(clock_type::now(), r.offset);
        });
        ASSERT_TRUE(st) << st.to_string();
      }
      std::this_thread::sleep_for(1ms);  // ~6k records/s: a steady stream, bounded in size
    }
    EXPECT_TRUE((*prod)->flush(120s));
  }

  // Consumes every partition from the start until `stop`; checks offsets and sequences only grow.
  void consume_until(std::atomic<bool>& stop, std::map<int32_t, size_t>& seen) {
    client::consumer_config cfg;
    cfg.bootstrap_servers = bootstrap();
    auto c = client::consumer::create(cfg);
    ASSERT_TRUE(c) << c.error().to_string();
    std::vector<client::topic_partition> tps;
    for (int32_t p = 0; p < partitions; ++p) tps.push_back({topic_, p});
    ASSERT_TRUE((*c)->assign(tps));
    ASSERT_TRUE((*c)->seek_to_beginning(tps));
    std::map<int32_t, int64_t> last_offset;
    std::map<int32_t, int> last_seq;
    while (!stop) {
      auto recs = (*c)->poll(200ms);
      if (!recs) continue;  // a leader moving: the consumer retries
      for (auto& r : *recs) {
        auto lo = last_offset.count(r.partition) ? last_offset[r.partition] : -1;
        EXPECT_GT(r.rec.offset, lo) << "consumer saw offset " << r.rec.offset << " of partition " << r.partition
                                    << " after " << lo;
        int seq = std::stoi(*r.rec.value);
        auto ls = last_seq.count(r.partition) ? last_seq[r.partition] : -1;
        EXPECT_GT(seq, ls) << "consumer saw sequence " << seq << " after " << ls << " in partition " << r.partition;
        last_offset[r.partition] = r.rec.offset;
        last_seq[r.partition] = seq;
        seen[r.partition]++;
      }
    }
  }

  // Each replica holds every acknowledged record once, in send order.
  void verify_replicas(produced& out) {
    for (auto& b : brokers_) EXPECT_EQ(b->terminate(), 0) << b->log();
    for (int32_t p = 0; p < partitions; ++p) {
      std::vector<int> acked = out.acked[p];
      std::sort(acked.begin(), acked.end());
      for (int32_t id = 1; id <= 3; ++id) {
        auto recs = replica_records(id, p);
        std::vector<int> seqs;
        for (const auto& r : recs) seqs.push_back(std::stoi(*r.value));
        for (size_t i = 1; i < seqs.size(); ++i)
          ASSERT_LT(seqs[i - 1], seqs[i]) << "broker " << id << " partition " << p << ": sequence " << seqs[i]
                                          << " after " << seqs[i - 1] << " (duplicate or out of order)";
        for (int s : acked)
          ASSERT_TRUE(std::binary_search(seqs.begin(), seqs.end(), s))
              << "acknowledged record " << s << " of partition " << p << " missing on broker " << id;
      }
    }
  }

  static void report_failover(const std::vector<double>& ms) {
    if (ms.empty()) return;
    auto sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    std::cout << "failover (kill -9 of the leader to the first write acknowledged by the new leader), ms:";
    for (double x : ms) std::cout << " " << x;
    std::cout << "; median " << sorted[sorted.size() / 2] << ", max " << sorted.back() << std::endl;
  }

  /// Stops and joins a producer or consumer thread however the test ends.
  struct worker {
    std::atomic<bool> stop{false};
    std::thread thread;
    void finish() {
      stop = true;
      if (thread.joinable()) thread.join();
    }
    ~worker() { finish(); }
  };

  /// Whether the metadata lives in ZooKeeper rather than in a Brook coordinator.
  virtual bool zookeeper() const { return false; }

  // Kills the leader of partition 0 with kill -9 `kills` times while records are produced and
  // consumed, and restarts it once a new leader writes; `at_kill(k)` runs right after kill k and
  // `before_restart(k)` before the killed broker comes back. Then checks every replica.
  void kill_leaders(const std::function<void(int)>& at_kill = {},
                    const std::function<void(int)>& before_restart = {});

  itest::temp_dir dir_;
  std::string topic_ = "chaos";
  std::unique_ptr<itest::zookeeper_ensemble> zk_;
  std::unique_ptr<itest::brookd_process> coordinator_;
  std::vector<std::unique_ptr<itest::brookd_process>> brokers_;
};

class ZkCluster : public Cluster {
 protected:
  bool zookeeper() const override { return true; }
};

void Cluster::kill_leaders(const std::function<void(int)>& at_kill,
                           const std::function<void(int)>& before_restart) {
  produced out;
  std::map<int32_t, size_t> seen;
  worker consumer, producer;
  producer.thread = std::thread([&] { produce_until(producer.stop, out); });
  consumer.thread = std::thread([&] { consume_until(consumer.stop, seen); });
  std::vector<double> failover_ms;
  std::this_thread::sleep_for(1s);
  for (int k = 0; k < kills; ++k) {
    int32_t leader = leader_of(0);
    ASSERT_GE(leader, 1) << "no leader for partition 0";
    auto killed_at = clock_type::now();
    broker(leader).kill9();
    if (at_kill) at_kill(k);
    // Failover ends with the first acknowledgement written by the new leader: at or past the
    // first offset of its leader epoch (its leader-epoch-checkpoint says where that starts).
    // Answers the old leader sent just before it died do not count.
    auto deadline = killed_at + 30s;
    net::partition_info moved;
    while (clock_type::now() < deadline) {
      if (auto m = metadata_from_any()) moved = m->topics[0].partitions[0];
      if (moved.leader >= 1 && moved.leader != leader) break;
      std::this_thread::sleep_for(1ms);
    }
    ASSERT_NE(moved.leader, leader) << "partition 0 still led by the killed broker " << leader;
    int64_t epoch_start = -1;
    while (epoch_start < 0 && clock_type::now() < deadline) {
      std::istringstream in(testutil::read_file(dir_.path() + "/broker-" + std::to_string(moved.leader) + "/logs/" +
                                                topic_ + "-0/leader-epoch-checkpoint"));
      for (int64_t e, start; in >> e >> start;)
        if (e == moved.leader_epoch) epoch_start = start;
      if (epoch_start < 0) std::this_thread::sleep_for(1ms);
    }
    while (clock_type::now() < deadline) {
      {
        std::lock_guard<std::mutex> g(out.mu);
        auto it = std::find_if(out.p0_acks.begin(), out.p0_acks.end(),
                               [&](const auto& a) { return a.first > killed_at && a.second >= epoch_start; });
        if (it != out.p0_acks.end()) {
          failover_ms.push_back(std::chrono::duration<double, std::milli>(it->first - killed_at).count());
          break;
        }
      }
      std::this_thread::sleep_for(1ms);  // (the delivery callbacks need the lock too)
    }
    ASSERT_EQ(failover_ms.size(), size_t(k + 1)) << "no write acknowledged within 30 s of killing broker " << leader;
    std::string why;
    bool agreed = false;
    for (auto by = clock_type::now() + 10s; !agreed && clock_type::now() < by;) {
      agreed = metadata_agrees(&why);
      if (!agreed) std::this_thread::sleep_for(20ms);
    }
    EXPECT_TRUE(agreed) << why;
    EXPECT_NE(leader_of(0), leader);
    if (before_restart) before_restart(k);
    ASSERT_TRUE(broker(leader).start()) << broker(leader).log();
    ASSERT_TRUE(wait_for_full_isr()) << "broker " << leader << " did not rejoin the ISR";
    std::this_thread::sleep_for(300ms);  // writes go on with all replicas in sync before the next kill
  }
  std::this_thread::sleep_for(500ms);
  producer.finish();
  ASSERT_TRUE(wait_for_full_isr());
  std::this_thread::sleep_for(1s);  // the consumer reaches the end
  consumer.finish();
  EXPECT_EQ(out.failures.load(), 0) << out.first_error;
  report_failover(failover_ms);
  size_t acked = 0;
  for (const auto& [p, v] : out.acked) acked += v.size();
  std::cout << acked << " records acknowledged" << std::endl;
  EXPECT_GT(acked, 1000u);
  verify_replicas(out);
}

TEST_F(Cluster, KillingTheLeaderProcessLosesAndDuplicatesNothing) { kill_leaders(); }

TEST_F(ZkCluster, KillingTheLeaderProcessLosesAndDuplicatesNothing) {
  kill_leaders();
  // The brokers kept their state in ZooKeeper, under the chroot.
  EXPECT_NE(broker(1).log().find("using ZooKeeper at " + zk_->hosts() + "/brook"), std::string::npos);
}

// One ZooKeeper member down (another each round): a quorum of two goes on electing leaders.
TEST_F(ZkCluster, AZooKeeperMemberDownKeepsLeadersBeingElected) {
  int down = -1;
  kill_leaders(
      [&](int k) {
        if (k == 0 || k == 2) {
          down = (zk_->leader() + 1 + k) % 3;  // a follower first, another one later
          zk_->kill9(down);
        }
      },
      [&](int) {
        if (down >= 0 && !zk_->running(down)) ASSERT_TRUE(zk_->start_member(down)) << zk_->log(down);
      });
}

// The ZooKeeper leader dies at the same moment as the partition leader: the brokers wait for the
// two remaining members to elect a new ZooKeeper leader, then fail over; nothing acknowledged is
// lost or written twice.
TEST_F(ZkCluster, KillingTheZooKeeperLeaderDuringABrokerFailoverLosesNothing) {
  int down = -1;
  kill_leaders(
      [&](int k) {
        if (k % 2 == 0) {
          down = zk_->leader();
          ASSERT_GE(down, 0);
          zk_->kill9(down);
        }
      },
      [&](int) {
        if (down >= 0 && !zk_->running(down)) ASSERT_TRUE(zk_->start_member(down)) << zk_->log(down);
      });
}

TEST_F(Cluster, KillingTheLeaderPartitionActorLosesAndDuplicatesNothing) {
  produced out;
  std::map<int32_t, size_t> seen;
  worker consumer, producer;
  producer.thread = std::thread([&] { produce_until(producer.stop, out); });
  consumer.thread = std::thread([&] { consume_until(consumer.stop, seen); });
  std::this_thread::sleep_for(1s);
  for (int k = 0; k < kills; ++k) {
    int32_t leader = leader_of(0);
    ASSERT_GE(leader, 1);
    auto r = itest::run({itest::bin("brook"), "--bootstrap-server", broker(leader).bootstrap(), "admin",
                         "kill-partition", topic_, "0"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    std::this_thread::sleep_for(700ms);
  }
  producer.finish();
  ASSERT_TRUE(wait_for_full_isr());
  std::this_thread::sleep_for(1s);
  consumer.finish();
  EXPECT_EQ(out.failures.load(), 0) << out.first_error;
  std::string log = broker(1).log() + broker(2).log() + broker(3).log();
  size_t restarts = 0;
  for (size_t pos = 0; (pos = log.find("restarted partition actor " + topic_ + "-0", pos)) != std::string::npos; ++pos)
    ++restarts;
  EXPECT_EQ(restarts, size_t(kills));
  verify_replicas(out);
}

TEST_F(Cluster, TwoBrokersDownRefusesAcksAllWithNotEnoughReplicas) {
  broker(2).kill9();
  broker(3).kill9();
  // The controller drops the dead brokers from every ISR; broker 1 leads everything alone.
  auto deadline = clock_type::now() + 10s;
  bool alone = false;
  while (!alone && clock_type::now() < deadline) {
    auto m = metadata_from(1);
    alone = m.has_value();
    if (m)
      for (const auto& p : m->topics[0].partitions) alone = alone && p.leader == 1 && p.isr == std::vector<int32_t>{1};
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(alone);
  client::producer_config cfg;
  cfg.bootstrap_servers = broker(1).bootstrap();
  cfg.acks = -1;
  cfg.delivery_timeout_ms = 1500;
  cfg.request_timeout_ms = 500;
  auto prod = client::producer::create(cfg);
  ASSERT_TRUE(prod);
  std::atomic<int> done{0};
  std::vector<client::delivery_report> reports(partitions);
  for (int32_t p = 0; p < partitions; ++p) {
    client::producer_record rec;
    rec.topic = topic_;
    rec.partition = p;
    rec.value = "refused";
    ASSERT_TRUE((*prod)->send(std::move(rec), [&, p](const client::delivery_report& r) {
      reports[size_t(p)] = r;
      done++;
    }));
  }
  EXPECT_TRUE((*prod)->flush(30s));
  ASSERT_EQ(done.load(), partitions);
  for (const auto& r : reports) EXPECT_EQ(r.error.code(), net::errc::not_enough_replicas) << r.error.to_string();
  // Nothing was appended: the records are refused, not half-written.
  EXPECT_EQ(broker(1).terminate(), 0);
  for (int32_t p = 0; p < partitions; ++p) EXPECT_TRUE(replica_records(1, p).empty());
}

// unclean.leader.election.enable set at run time for every broker (AlterConfigs on the default
// broker resource) reaches the controller: a partition left without a live in-sync replica gets
// the live out-of-sync one as leader, which it did not before the change.
TEST_F(Cluster, UncleanElectionEnabledAtRunTimeElectsAnOutOfSyncReplica) {
  broker(2).kill9();
  broker(3).kill9();
  auto alone = [&] {
    auto m = metadata_from(1);
    return m && m->topics[0].partitions[0].leader == 1 &&
           m->topics[0].partitions[0].isr == std::vector<int32_t>{1};
  };
  ASSERT_TRUE(itest::eventually(alone, 10s));
  // Broker 1 (the only in-sync replica) goes too; broker 2 comes back, out of sync.
  broker(1).kill9();
  ASSERT_TRUE(broker(2).start()) << broker(2).log();
  auto led_by_2 = [&] {
    auto m = metadata_from(2);
    return m && m->topics[0].partitions[0].leader == 2;
  };
  std::this_thread::sleep_for(3s);  // more than a controller pass (and its 2 s safety tick)
  ASSERT_FALSE(led_by_2()) << "elected outside the ISR with unclean election off";
  auto r = itest::run({itest::bin("brook"), "--bootstrap-server", broker(2).bootstrap(), "broker",
                       "alter-config", "--add-config", "unclean.leader.election.enable=true"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(itest::eventually(led_by_2, 15s)) << broker(2).log();
}

TEST_F(Cluster, PartitionActorThatKeepsCrashingHandsLeadershipOver) {
  auto before = metadata_from_any();
  ASSERT_TRUE(before);
  auto old = before->topics[0].partitions[0];
  // Kill the leader's partition actor whenever it is back, until the broker gives up on it
  // (the 6th crash within 60 s): the partition must then be led elsewhere, from the ISR.
  auto deadline = clock_type::now() + 30s;
  net::partition_info now = old;
  while (clock_type::now() < deadline) {
    if (auto m = metadata_from_any()) now = m->topics[0].partitions[0];
    if (now.leader != old.leader) break;
    itest::run({itest::bin("brook"), "--bootstrap-server", broker(old.leader).bootstrap(), "admin",
                "kill-partition", topic_, "0"});
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_NE(now.leader, old.leader) << broker(old.leader).log();
  EXPECT_GE(now.leader, 1);
  EXPECT_GT(now.leader_epoch, old.leader_epoch);
  EXPECT_EQ(std::count(now.isr.begin(), now.isr.end(), old.leader), 0);
  EXPECT_NE(broker(old.leader).log().find("partition " + topic_ + "-0 crashed 6 times"), std::string::npos);
  // The new leader takes acks=all writes (the ISR still has two replicas).
  auto prod = acks_all_producer();
  ASSERT_TRUE(prod);
  std::atomic<int> ok{0};
  client::producer_record rec;
  rec.topic = topic_;
  rec.partition = 0;
  rec.value = "after";
  ASSERT_TRUE((*prod)->send(std::move(rec), [&](const client::delivery_report& r) {
    EXPECT_TRUE(r.error.is_ok()) << r.error.to_string();
    ok += r.error.is_ok();
  }));
  EXPECT_TRUE((*prod)->flush(30s));
  EXPECT_EQ(ok.load(), 1);
}

// The leader of partition 0 killed -9 and started again while its followers are paused (so no
// one moves leadership or fetches): it comes back with the high watermark it had checkpointed and
// answers the acknowledged end as the latest offset. Before the checkpoint it answered 0 until
// its followers fetched again (or left the ISR), hiding everything committed.
TEST_F(Cluster, ARestartedLeaderComesBackWithItsHighWatermark) {
  auto prod = acks_all_producer();
  ASSERT_TRUE(prod);
  std::atomic<int> acked{0};
  for (int i = 0; i < 300; ++i) {
    client::producer_record rec;
    rec.topic = topic_;
    rec.partition = 0;
    rec.value = std::to_string(i);
    ASSERT_TRUE((*prod)->send(std::move(rec), [&](const client::delivery_report& r) { acked += r.error.is_ok(); }));
  }
  ASSERT_TRUE((*prod)->flush(30s));
  ASSERT_EQ(acked.load(), 300);
  prod->reset();
  int32_t leader = leader_of(0);
  ASSERT_GE(leader, 1);
  auto checkpoint = testutil::read_file(dir_.path() + "/broker-" + std::to_string(leader) + "/logs/" + topic_ +
                                        "-0/high-watermark-checkpoint");
  ASSERT_TRUE(itest::eventually(
      [&] {
        checkpoint = testutil::read_file(dir_.path() + "/broker-" + std::to_string(leader) + "/logs/" + topic_ +
                                         "-0/high-watermark-checkpoint");
        return checkpoint == "300\n";
      },
      10s))
      << checkpoint;
  std::vector<int32_t> paused;
  for (int32_t id = 1; id <= 3; ++id)
    if (id != leader) {
      kill(broker(id).pid(), SIGSTOP);
      paused.push_back(id);
    }
  broker(leader).kill9();
  ASSERT_TRUE(broker(leader).start()) << broker(leader).log();
  int answers = 0;
  auto deadline = clock_type::now() + 2s;  // well inside the paused brokers' session timeout
  for (; clock_type::now() < deadline; std::this_thread::sleep_for(20ms)) {
    auto c = net::native_client::connect({"127.0.0.1", broker(leader).port()}, 2s);
    if (!c) continue;
    auto r = (*c)->call<net::list_offsets_response>(net::native_type::list_offsets,
                                                     net::list_offsets_request{topic_, 0, net::latest_timestamp}, 5s);
    if (!r || r->error != net::errc::none) continue;
    ++answers;
    EXPECT_EQ(r->offset, 300) << "the restarted leader answered a latest offset of " << r->offset;
    if (r->offset != 300) break;
  }
  for (auto id : paused) kill(broker(id).pid(), SIGCONT);
  EXPECT_GT(answers, 0);
  EXPECT_EQ(leader_of(0), leader);
}

// Records past the high watermark (written with acks=1 while the followers are paused) are not
// readable by a client, even one that asks for the log end with replica id -2: that is for the
// group coordinator inside the broker only.
TEST_F(Cluster, AClientCannotReadPastTheHighWatermarkAsTheLogEndReader) {
  int32_t leader = leader_of(0);
  ASSERT_GE(leader, 1);
  std::vector<int32_t> paused;
  for (int32_t id = 1; id <= 3; ++id)
    if (id != leader) {
      kill(broker(id).pid(), SIGSTOP);
      paused.push_back(id);
    }
  auto c = net::native_client::connect({"127.0.0.1", broker(leader).port()}, 2s);
  ASSERT_TRUE(c);
  runtime::batch_builder bb;
  bb.append(0, std::nullopt, std::string_view("uncommitted"), {});
  net::produce_request produce{topic_, 0, 1, 5000, bb.build()};
  auto w = (*c)->call<net::produce_response>(net::native_type::produce, produce, 5s);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->error, net::errc::none) << w->message;
  net::fetch_request f{topic_, 0, 0, 1 << 20, 0, 0, net::log_end_reader};
  auto r = (*c)->call<net::fetch_response>(net::native_type::fetch, f, 5s);
  for (auto id : paused) kill(broker(id).pid(), SIGCONT);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->error, net::errc::none) << r->message;
  EXPECT_EQ(r->high_watermark, 0);
  EXPECT_TRUE(r->records.empty()) << "a client read " << r->records.size() << " bytes past the high watermark";
}

// A broker restarted after kill -9 ends its previous run's coordinator session itself and
// registers at once, instead of waiting for that session to time out.
TEST(ClusterSession, RestartAfterKillNineRegistersWithoutWaitingForTheOldSession) {
  itest::temp_dir dir;
  itest::brookd_process node(dir.path());
  ASSERT_TRUE(node.start()) << node.log();
  node.kill9();
  ASSERT_TRUE(node.start()) << node.log();
  auto log = node.log();
  EXPECT_EQ(log.find("still held by an earlier session"), std::string::npos) << log;
  EXPECT_NE(log.find("[Coordinator] session 0x1 closed"), std::string::npos) << log;
  EXPECT_EQ(node.terminate(), 0);
}

}  // namespace
}  // namespace brook
