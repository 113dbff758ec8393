// Chaos testing as a user runs it: every kind of actor `brook admin actors` lists can be crashed
// with `brook admin kill` and the cluster recovers (a test per kind, on a `brook cluster up`
// cluster of 3 brokers), and `brook chaos run` finds nothing lost in a seeded run of 30+ faults,
// while the same faults with acks=1 lose records and it says so.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "apps/cli_cluster.hpp"
#include "harness.hpp"
#include "net/native_client.hpp"
#include "net/native_codec.hpp"

using namespace brook;
using namespace std::chrono_literals;
using str = std::string;

namespace {

using itest::eventually;

// One row of `brook admin actors`.
struct actor_row {
  str node;  // "broker 1", "coordinator"
  int pid = 0;
  str path, kind, role;
  int restarts = 0;
};

std::vector<cli::cluster::member> members(const str& dir) {
  auto ms = cli::cluster::parse_state(itest::read_file(dir + "/" + cli::cluster::state_file_name));
  return ms ? *ms : std::vector<cli::cluster::member>{};
}

// Stops, by pid, whatever the cluster directory's state file lists.
void stop_cluster(const str& dir) {
  itest::run({itest::bin("brook"), "cluster", "down", "--dir", dir}, "", 60s);
  for (const auto& m : members(dir))
    if (::kill(m.pid, 0) == 0) ::kill(m.pid, SIGKILL);
}

class ChaosKinds : public ::testing::Test {
 protected:
  void SetUp() override {
    auto up = itest::run({itest::bin("brook"), "cluster", "up", "--brokers", "3", "--dir", dir_, "-c",
                          "default.replication.factor=3", "-c", "min.insync.replicas=2"},
                         "", 90s);
    ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
    auto ms = members(dir_);
    ASSERT_EQ(ms.size(), 4u);
    for (const auto& m : ms) {
      auto address = "127.0.0.1:" + std::to_string(m.native_port);
      if (m.is_broker()) {
        bootstrap_ += (bootstrap_.empty() ? "" : ",") + address;
        broker_ports_[m.id] = m.native_port;
      } else {
        coordinator_ = address;
      }
    }
    auto r = brook({"topic", "create", "t", "--partitions", "3", "--replication-factor", "3"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(eventually([&] { return full_isr("t"); }, 60s));
  }
  void TearDown() override { stop_cluster(dir_); }

  itest::run_result brook(std::vector<str> args, const str& input = "") {
    args.insert(args.begin(), {itest::bin("brook"), "--bootstrap-server", bootstrap_});
    return itest::run(args, input, 60s);
  }

  std::vector<actor_row> actors() {
    auto r = brook({"admin", "actors", "--at", coordinator_});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<actor_row> rows;
    std::istringstream in(r.out);
    str line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream ls(line);
      actor_row a;
      str first, second;
      ls >> first;
      if (first == "broker") {
        ls >> second;
        a.node = first + " " + second;
      } else {
        a.node = first;
      }
      ls >> a.pid >> a.path >> a.kind >> a.role >> a.restarts;
      rows.push_back(a);
    }
    return rows;
  }

  // The first row of `kind` (and `role`, when given).
  std::optional<actor_row> find(const str& kind, const str& role = "") {
    for (const auto& a : actors())
      if (a.kind == kind && (role.empty() || a.role == role)) return a;
    return std::nullopt;
  }

  int restarts(const str& node, const str& path) {
    for (const auto& a : actors())
      if (a.node == node && a.path == path) return a.restarts;
    return -1;
  }

  // `brook admin kill` of `path` in the process `node` names.
  itest::run_result kill_command(const actor_row& a) {
    std::vector<str> args{"admin", "kill", a.path};
    if (a.node == "coordinator") {
      args.insert(args.end(), {"--at", coordinator_});
    } else {
      args.insert(args.end(), {"--broker", a.node.substr(7)});
    }
    return brook(args);
  }

  void kill(const actor_row& a) {
    auto r = kill_command(a);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("Killed " + a.path), str::npos) << r.out;
  }

  bool full_isr(const str& topic) {
    for (const auto& [id, port] : broker_ports_) {
      auto c = net::native_client::connect({"127.0.0.1", port}, 2s);
      if (!c) continue;
      auto m = (*c)->call<net::metadata_response>(net::native_type::metadata,
                                                  net::metadata_request{{topic}, false, false}, 5s);
      if (!m || m->topics.size() != 1 || m->topics[0].partitions.empty()) return false;
      for (const auto& p : m->topics[0].partitions)
        if (p.leader < 0 || p.isr.size() != 3) return false;
      return true;
    }
    return false;
  }

  // acks=all writes of `n` keyed lines, then all of them read back from the beginning.
  void writes_and_reads_work(const str& tag, int n = 30) {
    str lines;
    for (int i = 0; i < n; ++i) lines += tag + "-" + std::to_string(i) + ":v\n";
    auto p = brook({"produce", "t", "--key-separator", ":", "--acks", "all"}, lines);
    ASSERT_EQ(p.exit_code, 0) << p.err;
    total_ += n;
    auto c = brook({"consume", "t", "--from-beginning", "--count", std::to_string(total_),
                    "--timeout-ms", "20000"});
    ASSERT_EQ(c.exit_code, 0) << c.err;
    EXPECT_EQ(std::count(c.out.begin(), c.out.end(), '\n'), total_);
  }

  str log_of(int broker) { return itest::read_file(dir_ + "/broker-" + std::to_string(broker) + ".log"); }

  itest::temp_dir tmp_;
  str dir_ = tmp_.path() + "/cluster";
  str bootstrap_, coordinator_;
  std::map<int, uint16_t> broker_ports_;
  int total_ = 0;
};

TEST_F(ChaosKinds, APartitionLeaderActorIsRestartedAndServesAgain) {
  writes_and_reads_work("before");
  auto leader = find("partition", "leader");
  ASSERT_TRUE(leader);
  kill(*leader);
  EXPECT_TRUE(eventually([&] { return restarts(leader->node, leader->path) >= 1; }, 20s));
  writes_and_reads_work("after");
  EXPECT_TRUE(eventually([&] { return full_isr("t"); }, 30s));
}

TEST_F(ChaosKinds, AFollowerPartitionActorIsRestartedAndCatchesUp) {
  auto follower = find("partition", "follower");
  ASSERT_TRUE(follower);
  kill(*follower);
  EXPECT_TRUE(eventually([&] { return restarts(follower->node, follower->path) >= 1; }, 20s));
  writes_and_reads_work("after");
  EXPECT_TRUE(eventually([&] { return full_isr("t"); }, 30s));
}

TEST_F(ChaosKinds, AReplicaFetcherKilledMidFetchReconnectsAndTheFollowerKeepsUp) {
  auto fetcher = find("replica-fetcher");
  ASSERT_TRUE(fetcher);
  kill(*fetcher);
  writes_and_reads_work("after");  // acks=all with min.insync.replicas=2 needs the followers
  EXPECT_TRUE(eventually([&] { return full_isr("t"); }, 30s));
}

TEST_F(ChaosKinds, AKilledSessionActorClosesItsConnectionAndNewOnesAreServed) {
  auto c = net::native_client::connect({"127.0.0.1", broker_ports_[1]}, 2s);
  ASSERT_TRUE(c);
  net::metadata_request md{{"t"}, false, false};
  ASSERT_TRUE((*c)->call<net::metadata_response>(net::native_type::metadata, md, 5s));
  // Every session on broker 1 but the newest (the listing's own connection): ours among them.
  std::vector<actor_row> sessions;
  for (const auto& a : actors())
    if (a.node == "broker 1" && a.kind == "session") sessions.push_back(a);
  ASSERT_GE(sessions.size(), 2u);
  std::sort(sessions.begin(), sessions.end(), [](const actor_row& x, const actor_row& y) {
    return std::stol(x.path.substr(x.path.rfind('/') + 1)) < std::stol(y.path.substr(y.path.rfind('/') + 1));
  });
  sessions.pop_back();
  // Other short-lived sessions (another broker's metadata or coordinator look-up) may end
  // between the listing and the kill: "not_found" for those is fine, ours is long-lived.
  for (const auto& s : sessions) {
    auto r = kill_command(s);
    if (r.exit_code != 0) {
      EXPECT_NE(r.err.find("not_found"), str::npos) << r.err;
    }
  }
  EXPECT_TRUE(eventually(
      [&] { return !(*c)->call<net::metadata_response>(net::native_type::metadata, md, 2s); }, 10s))
      << "the connection of a killed session still answers";
  EXPECT_NE(log_of(1).find("session actor crashed"), str::npos);
  auto fresh = net::native_client::connect({"127.0.0.1", broker_ports_[1]}, 2s);
  ASSERT_TRUE(fresh);
  EXPECT_TRUE((*fresh)->call<net::metadata_response>(net::native_type::metadata, md, 5s));
  writes_and_reads_work("after");
}

TEST_F(ChaosKinds, TheControllerIsRestartedAndStillElectsLeadersForNewTopics) {
  auto controller = find("controller", "active");
  ASSERT_TRUE(controller);
  kill(*controller);
  EXPECT_TRUE(eventually([&] { return restarts(controller->node, controller->path) >= 1; }, 20s));
  auto r = brook({"topic", "create", "t2", "--partitions", "2", "--replication-factor", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(eventually([&] { return full_isr("t2"); }, 30s));
}

TEST_F(ChaosKinds, AGroupCoordinatorIsRestartedAndCommittedOffsetsSurvive) {
  writes_and_reads_work("before", 10);
  auto g = brook({"consume", "t", "--group", "readers", "--from-beginning", "--count", "10",
                  "--timeout-ms", "20000"});
  ASSERT_EQ(g.exit_code, 0) << g.err;
  // The CLI's group lives on the first bootstrap broker (broker 1) until issue 13.
  actor_row gc;
  for (const auto& a : actors())
    if (a.node == "broker 1" && a.kind == "group-coordinator") gc = a;
  ASSERT_EQ(gc.path, "group-coordinator");
  kill(gc);
  EXPECT_TRUE(eventually([&] { return restarts("broker 1", "group-coordinator") >= 1; }, 20s));
  str describe;
  EXPECT_TRUE(eventually(
      [&] {
        describe = brook({"group", "describe", "readers"}).out;
        int committed = 0;
        std::istringstream in(describe);
        for (str line; std::getline(in, line);)
          if (line.rfind("t ", 0) == 0) {
            std::istringstream ls(line);
            str topic;
            int partition = 0;
            long offset = 0;
            ls >> topic >> partition >> offset;
            committed += int(offset);
          }
        return committed == 10;
      },
      30s))
      << describe;
}

TEST_F(ChaosKinds, ABrokerActorIsRestartedByItsNodeSupervisor) {
  kill(actor_row{"broker 2", 0, "broker", "broker", "-", 0});
  EXPECT_TRUE(eventually([&] { return restarts("broker 2", "broker") >= 1; }, 20s));
  EXPECT_NE(log_of(2).find("broker actor died"), str::npos);
  writes_and_reads_work("after");
  EXPECT_TRUE(eventually([&] { return full_isr("t"); }, 30s));
}

TEST_F(ChaosKinds, ACoordinatorSessionKilledMakesItsBrokerRegisterAgain) {
  std::vector<actor_row> sessions;
  for (const auto& a : actors())
    if (a.kind == "coordinator-session") sessions.push_back(a);
  ASSERT_GE(sessions.size(), 4u);  // three brokers' and the listing's own
  std::sort(sessions.begin(), sessions.end(), [](const actor_row& x, const actor_row& y) {
    return std::stol(x.path.substr(x.path.rfind('/') + 1)) < std::stol(y.path.substr(y.path.rfind('/') + 1));
  });
  kill(sessions.front());  // the first broker to connect
  EXPECT_TRUE(eventually(
      [&] {
        for (int b = 1; b <= 3; ++b)
          if (log_of(b).find("lost the coordinator") != str::npos) return true;
        return false;
      },
      20s));
  writes_and_reads_work("after");
  EXPECT_TRUE(eventually([&] { return full_isr("t"); }, 30s));
}

// Regression: an idempotent producer created while its broker actor restarts (after a kill, or
// the coordinator connection lost) waited for nothing and failed with "broker is restarting".
TEST(ChaosRegressions, AnIdempotentProducerWaitsForItsProducerIdWhileTheBrokerRestarts) {
  itest::temp_dir dir;
  itest::brookd_process node(dir.path() + "/node");
  ASSERT_TRUE(node.start()) << node.log();
  for (int round = 0; round < 3; ++round) {  // the fifth failure in a minute would end brookd
    auto k = itest::run({itest::bin("brook"), "--bootstrap-server", node.bootstrap(), "admin", "kill",
                         "broker"});
    ASSERT_EQ(k.exit_code, 0) << k.err;
    auto p = itest::run({itest::bin("brook"), "--bootstrap-server", node.bootstrap(), "produce", "t",
                         "--acks", "all"},
                        "line\n");
    EXPECT_EQ(p.exit_code, 0) << p.err << node.log();
  }
}

// brook chaos run, checked through its JSON summary.
class ChaosRun : public ::testing::Test {
 protected:
  nlohmann::json run(const str& dir, std::vector<str> flags, int& exit_code) {
    std::vector<str> args{itest::bin("brook"), "chaos", "run", "--dir", dir};
    args.insert(args.end(), flags.begin(), flags.end());
    auto r = itest::run(args, "", 300s);
    exit_code = r.exit_code;
    stop_cluster(dir);  // in case the run could not
    std::ifstream in(dir + "/summary.json");
    EXPECT_TRUE(in) << r.out << r.err;
    nlohmann::json j;
    if (in) in >> j;
    output_ = r.out + r.err;
    return j;
  }
  itest::temp_dir tmp_;
  str output_;
};

// 36 planned: a few may find no target (a broker down at that moment).
TEST_F(ChaosRun, ASeededRunOfThirtyFaultsOfEveryKindLosesNothing) {
  str dir = tmp_.path() + "/seeded";
  int code = -1;
  // Every kind; network partitions need network namespaces (root): without them they are skipped.
  auto j = run(dir,
               {"--seed", "11", "--duration", "45", "--faults", "36", "--rate", "1000", "--json",
                dir + "/summary.json"},
               code);
  ASSERT_TRUE(j.contains("total")) << output_;
  EXPECT_EQ(code, 0) << output_;
  EXPECT_TRUE(j["ok"].get<bool>()) << output_;
  EXPECT_EQ(j["total"]["lost"].get<int64_t>(), 0);
  EXPECT_EQ(j["total"]["duplicated"].get<int64_t>(), 0);
  EXPECT_EQ(j["total"]["reordered"].get<int64_t>(), 0);
  EXPECT_GT(j["total"]["acked"].get<int64_t>(), 20000);
  std::set<str> kinds;
  int injected = 0;
  for (const auto& f : j["faults"])
    if (!f["skipped"].get<bool>()) {
      ++injected;
      kinds.insert(f["kind"].get<str>());
    }
  EXPECT_GE(injected, 30) << output_;
  const bool netns = ::geteuid() == 0 &&
                     itest::run({"/bin/sh", "-c", "ip netns add brookprobe && ip netns del brookprobe"})
                             .exit_code == 0;
  EXPECT_EQ(kinds.size(), netns ? 12u : 11u) << output_;
  if (!netns) {
    for (const auto& f : j["faults"])
      if (f["kind"] == "partition-broker")
        EXPECT_NE(f["error"].get<str>().find("network"), str::npos) << f["error"];
  }
  EXPECT_GE(j["failover_ms"]["count"].get<int64_t>(), 1);
  EXPECT_TRUE(std::filesystem::exists(dir + "/chaos-11.svg"));
  EXPECT_NE(output_.find("PASS"), str::npos);
}

// The checker catches real loss: the same faults (both followers paused, then the leader's
// broker killed) lose acknowledged records with acks=1 and none with acks=all.
TEST_F(ChaosRun, TheSameFaultsLoseRecordsWithAcksOneAndNoneWithAcksAll) {
  str schedule = tmp_.path() + "/loss.schedule";
  std::ofstream(schedule) << "# pause brokers 2 and 3, kill broker 1 while they are stopped\n"
                             "3 pause-broker 2 2000\n3 pause-broker 3 2000\n3.5 kill9-broker 1 4000\n";
  int code = -1;
  str one = tmp_.path() + "/acks1";
  auto j1 = run(one,
                {"--acks", "1", "-c", "unclean.leader.election.enable=true", "--schedule", schedule,
                 "--duration", "12", "--rate", "3000", "--json", one + "/summary.json"},
                code);
  ASSERT_TRUE(j1.contains("total")) << output_;
  EXPECT_EQ(code, 1) << output_;
  EXPECT_FALSE(j1["ok"].get<bool>());
  EXPECT_GT(j1["total"]["lost"].get<int64_t>(), 0) << output_;
  EXPECT_NE(output_.find("FAIL"), str::npos);

  str all = tmp_.path() + "/acksall";
  auto ja = run(all,
                {"--acks", "all", "--schedule", schedule, "--duration", "12", "--rate", "3000",
                 "--json", all + "/summary.json"},
                code);
  ASSERT_TRUE(ja.contains("total")) << output_;
  EXPECT_EQ(code, 0) << output_;
  EXPECT_EQ(ja["total"]["lost"].get<int64_t>(), 0) << output_;
}

}  // namespace
