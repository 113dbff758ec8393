// brook cluster up|down|status: the state file, port plan and log parsing as pure functions; up
// and down against a fake brookd (a shell script that logs what brookd logs, so process handling is
// checked without the cluster code); and a real cluster of one coordinator and three brokers.
// Every test kills, by pid, whatever its cluster directory's state file lists when it ends.
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "apps/cli_cluster.hpp"
#include "harness.hpp"

using namespace brook;
using namespace std::chrono_literals;
using cli::cluster::member;
namespace fs = std::filesystem;

namespace {

// kill(pid, 0) also succeeds for a zombie (an exited process its reaper has not waited for yet);
// that one is gone as far as these tests care.
bool alive(pid_t pid) {
  if (kill(pid, 0) != 0) return false;
  auto stat = itest::read_file("/proc/" + std::to_string(pid) + "/stat");
  auto paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] != 'Z';
}

using itest::eventually;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string x; std::getline(in, x, sep);) out.push_back(x);
  return out;
}

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The endpoints `cluster up` printed on its line starting with `prefix` ("Native bootstrap").
std::vector<std::string> bootstrap_line(const std::string& out, const std::string& prefix) {
  for (const auto& l : lines_of(out))
    if (l.rfind(prefix, 0) == 0) return split(l.substr(l.rfind(": ") + 2), ',');
  return {};
}

// What `cluster status` printed, section by section.
struct status_view {
  std::set<int> alive_brokers;  // Processes: brokers whose STATE is alive
  std::set<int> brokers;        // Brokers: ids from the metadata
  int controller = -1;
  struct partition {
    std::string topic;
    int partition, leader, epoch;
    std::vector<std::string> replicas, isr;
  };
  std::vector<partition> partitions;
};

status_view parse_status(const std::string& out) {
  status_view v;
  std::string section;
  for (const auto& l : lines_of(out)) {
    if (!l.empty() && l[0] != ' ') {
      section = l.substr(0, l.find_first_of(" :"));  // "Processes (<state file>):", "Brokers:", ...
      if (section == "Controller") {
        auto w = words(l);
        v.controller = w.size() == 2 && w[1] != "none" ? std::stoi(w[1]) : -1;
      }
      continue;
    }
    auto w = words(l);
    if (w.empty() || w[0] == "ROLE" || w[0] == "ID" || w[0] == "TOPIC") continue;
    if (section == "Processes" && w.size() >= 4 && w[0] == "broker" && w[3] == "alive")
      v.alive_brokers.insert(std::stoi(w[1]));
    else if (section == "Brokers")
      v.brokers.insert(std::stoi(w[0]));
    else if (section == "Partitions" && w.size() == 6)
      v.partitions.push_back({w[0], std::stoi(w[1]), std::stoi(w[2]), std::stoi(w[3]),
                              split(w[4], ','), split(w[5], ',')});
  }
  return v;
}

class ClusterCliTest : public ::testing::Test {
 protected:
  // Nothing a test started outlives it, whether it passed or not: every pid the state file (or
  // the fake brookd's pid list) names is killed.
  void TearDown() override {
    auto ms = cli::cluster::parse_state(itest::read_file(dir() + "/cluster.state"));
    if (ms)
      for (const auto& m : *ms) kill(m.pid, SIGKILL);
    for (const auto& p : lines_of(itest::read_file(fake_pids())))
      if (!p.empty()) kill(pid_t(std::stol(p)), SIGKILL);
  }

  std::string dir() const { return tmp_.file("cluster"); }
  std::string fake_pids() const { return tmp_.file("fake.pids"); }

  itest::run_result brook(std::vector<std::string> args, std::chrono::seconds timeout = 60s,
                          const std::string& input = "") {
    args.insert(args.begin(), itest::bin("brook"));
    return itest::run(args, input, timeout);
  }

  std::vector<member> state() {
    auto ms = cli::cluster::parse_state(itest::read_file(dir() + "/cluster.state"));
    return ms ? *ms : std::vector<member>{};
  }

  // A stand-in for brookd: logs brookd's readiness lines with the port it was given (or a made-up
  // one for port 0) and its arguments, then idles until signalled. Broker `fail_id` exits at once.
  std::string fake_brookd(int fail_id = 0) {
    auto path = tmp_.file("fake-brookd");
    testutil::write_file(
        path,
        "#!/bin/sh\n"
        "echo $$ >> '" +
            fake_pids() +
            "'\n"
            "echo \"args: $*\"\n"
            "role=; id=0; port=0; kport=0\n"
            "for a in \"$@\"; do\n"
            "  case \"$a\" in\n"
            "    process.roles=*) role=${a#*=} ;;\n"
            "    broker.id=*) id=${a#*=} ;;\n"
            "    coordinator.listeners=*|native.listeners=*) port=${a##*:} ;;\n"
            "    listeners=*) kport=${a##*:} ;;\n"
            "  esac\n"
            "done\n"
            "if [ \"$role\" = coordinator ]; then\n"
            "  [ \"$port\" = 0 ] && port=21811\n"
            "  echo \"INFO binding to port 0.0.0.0/0.0.0.0:$port\"\n"
            "else\n"
            "  [ \"$id\" = " +
            std::to_string(fail_id) +
            " ] && { echo \"ERROR fake failure of broker $id\"; exit 3; }\n"
            "  [ \"$port\" = 0 ] && port=3100$id\n"
            "  [ \"$kport\" = 0 ] && kport=3200$id\n"
            "  echo \"INFO [KafkaServer id=$id] native protocol listening on 127.0.0.1:$port\"\n"
            "  echo \"INFO [KafkaServer id=$id] Kafka protocol listening on 127.0.0.1:$kport, "
            "advertised as 127.0.0.1:$kport\"\n"
            "  echo \"INFO [KafkaServer id=$id] started (brook.server.KafkaServer)\"\n"
            "fi\n"
            "while :; do sleep 0.1; done\n");
    chmod(path.c_str(), 0755);
    return path;
  }

  std::vector<pid_t> fake_pid_list() {
    std::vector<pid_t> out;
    for (const auto& p : lines_of(itest::read_file(fake_pids())))
      if (!p.empty()) out.push_back(pid_t(std::stol(p)));
    return out;
  }

  itest::temp_dir tmp_;
};

// ---- pure pieces ----

TEST(ClusterState, RoundTripsEveryMember) {
  std::vector<member> ms{
      {"coordinator", 0, 100, 2181, 0}, {"broker", 1, 101, 9001, 9002}, {"broker", 2, 102, 0, 0}};
  auto text = cli::cluster::format_state(ms);
  EXPECT_NE(text.find("coordinator 0 100 2181 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("broker 1 101 9001 9002\n"), std::string::npos) << text;
  auto back = cli::cluster::parse_state(text);
  ASSERT_TRUE(back) << back.error().to_string();
  ASSERT_EQ(back->size(), 3u);
  for (size_t i = 0; i < ms.size(); ++i) {
    EXPECT_EQ((*back)[i].role, ms[i].role);
    EXPECT_EQ((*back)[i].id, ms[i].id);
    EXPECT_EQ((*back)[i].pid, ms[i].pid);
    EXPECT_EQ((*back)[i].native_port, ms[i].native_port);
    EXPECT_EQ((*back)[i].kafka_port, ms[i].kafka_port);
  }
}

TEST(ClusterState, RoundTripsAMemberInANetworkNamespace) {
  member m{"broker", 2, 102, 9093, 9092};
  m.host = "10.250.7.2";
  m.netns = "bk123456-b2";
  auto text = cli::cluster::format_state({m});
  EXPECT_NE(text.find("broker 2 102 9093 9092 10.250.7.2 bk123456-b2\n"), std::string::npos) << text;
  auto back = cli::cluster::parse_state(text);
  ASSERT_TRUE(back) << back.error().to_string();
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].host, "10.250.7.2");
  EXPECT_EQ((*back)[0].netns, "bk123456-b2");
  EXPECT_EQ((*back)[0].address(9093), "10.250.7.2:9093");
  auto plain = cli::cluster::parse_state("broker 1 101 9001 9002\n");
  ASSERT_TRUE(plain);
  EXPECT_EQ((*plain)[0].host, "127.0.0.1");
  EXPECT_TRUE((*plain)[0].netns.empty());
  EXPECT_FALSE(cli::cluster::parse_state("broker 1 101 9001 9002 10.0.0.1\n"));  // host without netns
}

TEST(ClusterState, SkipsCommentsAndBlankLines) {
  auto ms = cli::cluster::parse_state("# header\n\n   \nbroker 3 42 1 2\n");
  ASSERT_TRUE(ms) << ms.error().to_string();
  ASSERT_EQ(ms->size(), 1u);
  EXPECT_EQ((*ms)[0].id, 3);
  EXPECT_EQ((*ms)[0].pid, 42);
}

TEST(ClusterState, RejectsMalformedLinesNamingThem) {
  for (const std::string bad :
       {"broker x 1 2 3", "leader 1 2 3 4", "broker 1 0 2 3", "broker 1 -5 2 3",
        "broker 1 2 3 70000", "broker 1 2 3 4 5", "broker 1 2 3"}) {
    auto ms = cli::cluster::parse_state("# header\n" + bad + "\n");
    ASSERT_FALSE(ms) << bad;
    EXPECT_NE(ms.error().message().find("line 2"), std::string::npos) << ms.error().message();
    EXPECT_NE(ms.error().message().find(bad), std::string::npos) << ms.error().message();
  }
}

TEST(ClusterPorts, BasePortGivesCoordinatorThenNativeAndKafkaPairs) {
  cli::cluster::port_plan p{9000};
  EXPECT_EQ(p.coordinator(), 9000);
  EXPECT_EQ(p.native(1), 9001);
  EXPECT_EQ(p.kafka(1), 9002);
  EXPECT_EQ(p.native(3), 9005);
  EXPECT_EQ(p.kafka(3), 9006);
  EXPECT_TRUE(p.fits(3));
  EXPECT_TRUE((cli::cluster::port_plan{65529}.fits(3)));   // last port 65535
  EXPECT_FALSE((cli::cluster::port_plan{65530}.fits(3)));  // would need 65536
  cli::cluster::port_plan any{0};
  EXPECT_EQ(any.coordinator(), 0);
  EXPECT_EQ(any.native(2), 0);
  EXPECT_EQ(any.kafka(2), 0);
  EXPECT_TRUE(any.fits(64));
}

TEST(ClusterPorts, ReadsThePortsBrookdLogs) {
  using cli::cluster::port_after;
  std::string broker =
      "2024-05-01 INFO [KafkaServer id=2] native protocol listening on 127.0.0.1:40123\n"
      "2024-05-01 INFO [KafkaServer id=2] Kafka protocol listening on 127.0.0.1:40124, advertised "
      "as "
      "127.0.0.1:40124\n";
  EXPECT_EQ(port_after(broker, cli::cluster::native_listening), 40123);
  EXPECT_EQ(port_after(broker, cli::cluster::kafka_listening), 40124);
  EXPECT_EQ(
      port_after("INFO binding to port 0.0.0.0/0.0.0.0:2181\n", cli::cluster::coordinator_ready),
      2181);
  EXPECT_EQ(port_after("INFO binding to port 2182", cli::cluster::coordinator_ready), 2182);
  EXPECT_EQ(port_after("INFO binding to port 127.0.0.1:0\n", cli::cluster::coordinator_ready),
            std::nullopt);
  EXPECT_EQ(port_after("INFO started\n", cli::cluster::coordinator_ready), std::nullopt);
  EXPECT_EQ(port_after("binding to port eighty\n", cli::cluster::coordinator_ready), std::nullopt);
}

// ---- bad input ----

TEST_F(ClusterCliTest, BadFlagsExitTwoWithAMessage) {
  auto zero = brook({"cluster", "up", "--brokers", "0", "--dir", dir()});
  EXPECT_EQ(zero.exit_code, 2);
  EXPECT_NE(zero.err.find("--brokers must be between 1 and"), std::string::npos) << zero.err;
  auto unknown = brook({"cluster", "up", "--brokers", "1", "--no-such-flag"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("--no-such-flag"), std::string::npos) << unknown.err;
  auto missing = brook({"cluster", "up", "--dir", dir()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--brokers"), std::string::npos) << missing.err;
  auto room = brook({"cluster", "up", "--brokers", "3", "--base-port", "65530", "--dir", dir()});
  EXPECT_EQ(room.exit_code, 2);
  EXPECT_NE(room.err.find("--base-port"), std::string::npos) << room.err;
  auto config = brook({"cluster", "up", "--brokers", "1", "--config", "novalue", "--dir", dir()});
  EXPECT_EQ(config.exit_code, 2);
  EXPECT_NE(config.err.find("novalue"), std::string::npos) << config.err;
  EXPECT_FALSE(fs::exists(dir() + "/cluster.state"));
}

TEST_F(ClusterCliTest, UnusableDirectoriesFailWithOneLine) {
  testutil::write_file(tmp_.file("plain-file"), "x");
  auto up = brook({"cluster", "up", "--brokers", "1", "--dir", tmp_.file("plain-file"), "--brookd",
                   "/bin/true"});
  EXPECT_EQ(up.exit_code, 1);
  EXPECT_NE(up.err.find("plain-file"), std::string::npos) << up.err;
  auto down = brook({"cluster", "down", "--dir", tmp_.file("nowhere")});
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_NE(down.err.find("no cluster"), std::string::npos) << down.err;
  fs::create_directories(dir());
  auto status = brook({"cluster", "status", "--dir", dir()});
  EXPECT_EQ(status.exit_code, 1);
  EXPECT_NE(status.err.find("no cluster"), std::string::npos) << status.err;
  auto brookd = brook(
      {"cluster", "up", "--brokers", "1", "--dir", dir(), "--brookd", tmp_.file("no-brookd")});
  EXPECT_EQ(brookd.exit_code, 1);
  EXPECT_NE(brookd.err.find("--brookd"), std::string::npos) << brookd.err;
  for (const auto* r : {&up, &down, &status, &brookd})
    EXPECT_EQ(std::count(r->err.begin(), r->err.end(), '\n'), 1) << r->err;
}

// ---- process handling, against the fake brookd ----

TEST_F(ClusterCliTest, UpStartsDetachedProcessesAndDownStopsThem) {
  auto fake = fake_brookd();
  auto up = brook({"cluster", "up", "--brokers", "2", "--dir", dir(), "--brookd", fake, "--config",
                   "min.insync.replicas=2"});
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  EXPECT_EQ(bootstrap_line(up.out, "Native bootstrap"),
            (std::vector<std::string>{"127.0.0.1:31001", "127.0.0.1:31002"}))
      << up.out;
  EXPECT_EQ(bootstrap_line(up.out, "Kafka bootstrap"),
            (std::vector<std::string>{"127.0.0.1:32001", "127.0.0.1:32002"}))
      << up.out;
  auto ms = state();
  ASSERT_EQ(ms.size(), 3u) << itest::read_file(dir() + "/cluster.state");
  EXPECT_EQ(ms[0].role, "coordinator");
  EXPECT_EQ(ms[0].native_port, 21811);
  EXPECT_EQ(ms[2].id, 2);
  EXPECT_EQ(ms[2].native_port, 31002);
  EXPECT_EQ(ms[2].kafka_port, 32002);
  for (const auto& m : ms) EXPECT_TRUE(alive(m.pid)) << m.name();
  auto log = itest::read_file(dir() + "/broker-2.log");
  EXPECT_NE(log.find("coordinator.connect=127.0.0.1:21811"), std::string::npos) << log;
  EXPECT_NE(log.find("min.insync.replicas=2"), std::string::npos) << log;
  EXPECT_NE(log.find("log.dirs=" + fs::weakly_canonical(dir()).string() + "/broker-2"),
            std::string::npos)
      << log;

  auto again = brook({"cluster", "up", "--brokers", "2", "--dir", dir(), "--brookd", fake});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already running"), std::string::npos) << again.err;
  EXPECT_EQ(state().size(), 3u);

  // No broker answers the native protocol here; status still shows which processes live.
  auto status = brook({"cluster", "status", "--dir", dir()});
  EXPECT_EQ(status.exit_code, 1);
  EXPECT_EQ(parse_status(status.out).alive_brokers, (std::set<int>{1, 2})) << status.out;

  auto down = brook({"cluster", "down", "--dir", dir()});
  ASSERT_EQ(down.exit_code, 0) << down.out << down.err;
  auto b2 = down.out.find("Stopped broker 2"), b1 = down.out.find("Stopped broker 1"),
       co = down.out.find("Stopped coordinator");
  EXPECT_TRUE(b2 != std::string::npos && b1 != std::string::npos && co != std::string::npos)
      << down.out;
  EXPECT_TRUE(b2 < co && b1 < co) << "brokers stop before the coordinator:\n" << down.out;
  for (const auto& m : ms) EXPECT_FALSE(alive(m.pid)) << m.name() << " pid " << m.pid;
  EXPECT_FALSE(fs::exists(dir() + "/cluster.state"));
  EXPECT_EQ(brook({"cluster", "down", "--dir", dir()}).exit_code, 1);
}

TEST_F(ClusterCliTest, UpUsesFixedPortsFromBasePort) {
  auto up = brook({"cluster", "up", "--brokers", "2", "--dir", dir(), "--brookd", fake_brookd(),
                   "--base-port", "40000"});
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  EXPECT_EQ(bootstrap_line(up.out, "Native bootstrap"),
            (std::vector<std::string>{"127.0.0.1:40001", "127.0.0.1:40003"}))
      << up.out;
  EXPECT_EQ(bootstrap_line(up.out, "Kafka bootstrap"),
            (std::vector<std::string>{"127.0.0.1:40002", "127.0.0.1:40004"}))
      << up.out;
  EXPECT_NE(itest::read_file(dir() + "/broker-1.log").find("coordinator.connect=127.0.0.1:40000"),
            std::string::npos);
  EXPECT_EQ(brook({"cluster", "down", "--dir", dir()}).exit_code, 0);
}

TEST_F(ClusterCliTest, UpStopsWhatItStartedWhenABrokerFails) {
  auto up = brook({"cluster", "up", "--brokers", "3", "--dir", dir(), "--brookd", fake_brookd(2)});
  EXPECT_EQ(up.exit_code, 1) << up.out;
  EXPECT_NE(up.err.find("broker 2"), std::string::npos) << up.err;
  EXPECT_NE(up.err.find("fake failure of broker 2"), std::string::npos) << "log tail missing:\n"
                                                                        << up.err;
  EXPECT_NE(up.err.find("stopping the 4 process(es) started"), std::string::npos) << up.err;
  auto pids = fake_pid_list();  // broker 3 may have been stopped before it ran a line
  EXPECT_GE(pids.size(), 3u);
  for (auto pid : pids) EXPECT_FALSE(alive(pid)) << "pid " << pid << " outlived the failed up";
  EXPECT_FALSE(fs::exists(dir() + "/cluster.state"));
}

// ---- a real cluster: one coordinator, three brokers ----

TEST_F(ClusterCliTest, ThreeBrokersHostAReplicatedTopic) {
  auto up = brook({"cluster", "up", "--brokers", "3", "--dir", dir()}, 120s);
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  auto native = bootstrap_line(up.out, "Native bootstrap");
  auto kafka = bootstrap_line(up.out, "Kafka bootstrap");
  ASSERT_EQ(native.size(), 3u) << up.out;
  ASSERT_EQ(kafka.size(), 3u) << up.out;
  for (const auto& e : native) EXPECT_EQ(e.rfind("127.0.0.1:", 0), 0u) << e;
  for (const auto& e : kafka) EXPECT_EQ(e.rfind("127.0.0.1:", 0), 0u) << e;
  auto members = state();
  ASSERT_EQ(members.size(), 4u);

  auto status = brook({"cluster", "status", "--dir", dir()});
  ASSERT_EQ(status.exit_code, 0) << status.out << status.err;
  auto view = parse_status(status.out);
  EXPECT_EQ(view.alive_brokers, (std::set<int>{1, 2, 3})) << status.out;
  EXPECT_EQ(view.brokers, (std::set<int>{1, 2, 3})) << status.out;
  EXPECT_TRUE(view.brokers.count(view.controller)) << "no controller among the brokers:\n"
                                                   << status.out;

  auto create = brook({"--bootstrap-server", native[0] + "," + native[1] + "," + native[2], "topic",
                       "create", "replicated", "--partitions", "6", "--replication-factor", "3"});
  ASSERT_EQ(create.exit_code, 0) << create.err;

  std::string last;
  auto placed = [&](int want) {
    return eventually(
        [&] {
          auto s = brook({"cluster", "status", "--dir", dir()});
          last = s.out + s.err;
          if (s.exit_code != 0) return false;
          int good = 0;
          for (const auto& p : parse_status(s.out).partitions) {
            if (p.topic != "replicated") continue;
            std::set<std::string> replicas(p.replicas.begin(), p.replicas.end());
            bool leads =
                std::count(p.replicas.begin(), p.replicas.end(), std::to_string(p.leader)) == 1;
            if (replicas.size() == 3 && replicas == std::set<std::string>{"1", "2", "3"} && leads)
              ++good;
          }
          return good == want;
        },
        30s);
  };
  EXPECT_TRUE(placed(6)) << "6 partitions, each led by one of its 3 replicas; last status:\n" << last;

  // Grown through a broker that is not necessarily the controller: the new partitions get three
  // replicas and a leader, and take acks=all writes at once.
  auto grow = brook({"--bootstrap-server", native[2], "topic", "alter", "replicated", "--partitions", "9"});
  ASSERT_EQ(grow.exit_code, 0) << grow.err;
  EXPECT_NE(grow.out.find("Topic replicated now has 9 partitions."), std::string::npos) << grow.out;
  EXPECT_TRUE(placed(9)) << "9 partitions, each led by one of its 3 replicas; last status:\n" << last;
  auto all = native[0] + "," + native[1] + "," + native[2];
  auto w = brook({"--bootstrap-server", all, "produce", "replicated", "--partition", "8", "--acks", "all"},
                 60s, "on-a-new-partition\n");
  ASSERT_EQ(w.exit_code, 0) << w.err;
  auto r = brook({"--bootstrap-server", all, "consume", "replicated", "--partition", "8",
                  "--from-beginning", "--count", "1", "--timeout-ms", "20000"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("on-a-new-partition"), std::string::npos) << r.out;
  auto shrink = brook({"--bootstrap-server", native[0], "topic", "alter", "replicated", "--partitions", "4"});
  EXPECT_NE(shrink.exit_code, 0);
  EXPECT_NE(shrink.err.find("Topic currently has 9 partitions, which is higher than the requested 4."),
            std::string::npos)
      << shrink.err;
  auto by_bootstrap = brook({"cluster", "status", "--bootstrap-server", native[1]});
  EXPECT_EQ(by_bootstrap.exit_code, 0) << by_bootstrap.err;
  EXPECT_EQ(parse_status(by_bootstrap.out).brokers, (std::set<int>{1, 2, 3})) << by_bootstrap.out;

  // A config altered through one broker reaches the others (their definition watch).
  auto alt = brook({"--bootstrap-server", native[1], "topic", "alter", "replicated", "--add-config",
                    "retention.ms=3600000"});
  ASSERT_EQ(alt.exit_code, 0) << alt.err;
  for (const auto& b : native)
    EXPECT_TRUE(eventually(
        [&] {
          auto d = brook({"--bootstrap-server", b, "topic", "describe", "replicated"});
          return d.out.find("retention.ms=3600000") != std::string::npos;
        },
        10s))
        << "broker " << b << " does not show the change";
  // Records deleted on the leader are deleted on the in-sync followers before the answer, so
  // they stay gone when the leader is killed -9 and a follower takes over.
  auto more = brook({"--bootstrap-server", all, "produce", "replicated", "--partition", "8", "--acks", "all"},
                    60s, "second\nthird\n");
  ASSERT_EQ(more.exit_code, 0) << more.err;
  auto del = brook({"--bootstrap-server", all, "topic", "delete-records", "replicated", "--partition",
                    "8", "--offset", "2"});
  ASSERT_EQ(del.exit_code, 0) << del.err;
  EXPECT_NE(del.out.find("Partition replicated-8 now starts at offset 2."), std::string::npos) << del.out;
  auto before = parse_status(brook({"cluster", "status", "--dir", dir()}).out);
  int leader = -1;
  for (const auto& p : before.partitions)
    if (p.topic == "replicated" && p.partition == 8) leader = p.leader;
  ASSERT_GT(leader, 0);
  for (const auto& m : members)
    if (m.is_broker() && m.id == leader) kill(m.pid, SIGKILL);
  auto after = brook({"--bootstrap-server", all, "consume", "replicated", "--partition", "8",
                      "--from-beginning", "--count", "1", "--timeout-ms", "30000"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(after.out, "third\n");

  auto down = brook({"cluster", "down", "--dir", dir()}, 120s);
  ASSERT_EQ(down.exit_code, 0) << down.out << down.err;
  for (const auto& m : members)
    EXPECT_FALSE(alive(m.pid)) << m.name() << " pid " << m.pid << " still runs";
  EXPECT_FALSE(fs::exists(dir() + "/cluster.state"));
}

}  // namespace
