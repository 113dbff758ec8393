// compose/: the docker-compose file is valid (Debian's docker-compose reads it; no Docker engine
// runs here), and the entrypoint every service runs starts a working cluster when run as plain
// processes on 127.0.0.1: the coordinator logs "binding" and each broker "started", the lines
// `docker-compose logs zookeeper | grep -i binding` and `docker-compose logs kafka | grep -i
// started` look for, and kcat writes through one broker and reads through another.
#include <signal.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <regex>
#include <thread>
#include <sstream>

#include "harness.hpp"

namespace brook::itest {
namespace {

using namespace std::chrono_literals;

std::string source_dir() {
  const char* d = std::getenv("BROOK_SOURCE_DIR");
  return d ? d : BROOK_SOURCE_DIR;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

// The processes the test started, stopped by pid whatever happens.
struct processes {
  std::vector<pid_t> pids;
  ~processes() {
    for (auto pid : pids) kill(pid, SIGTERM);
    for (auto pid : pids) {
      int status = 0;
      for (int i = 0; i < 200 && waitpid(pid, &status, WNOHANG) == 0; ++i)
        std::this_thread::sleep_for(50ms);
      if (waitpid(pid, &status, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
      }
    }
  }
};

TEST(Compose, TheComposeFileIsValid) {
  auto r = run({"/usr/bin/docker-compose", "-f", source_dir() + "/compose/docker-compose.yml", "config", "-q"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = run({"/usr/bin/docker-compose", "-f", source_dir() + "/compose/docker-compose.yml", "config", "--services"});
  EXPECT_EQ(r.out, "zookeeper\nkafka\nkafka-2\nkafka-3\n") << r.err;
}

TEST(Compose, TheServicesEntrypointStartsAClusterAsPlainProcesses) {
  temp_dir dir;
  processes procs;
  const std::string script = source_dir() + "/compose/brook-entrypoint.sh";
  const std::string coordinator = "127.0.0.1:" + std::to_string(free_port());
  auto env = [&](const std::string& data) {
    return std::vector<std::string>{"/usr/bin/env", "BROOKD=" + bin("brookd"), "BROOK_DATA=" + dir.path() + "/" + data,
                                    "COORDINATOR_LISTENER=" + coordinator, "COORDINATOR=" + coordinator,
                                    "NATIVE_LISTENER=127.0.0.1:0"};
  };
  auto args = env("zookeeper");
  args.insert(args.end(), {script, "zookeeper"});
  const std::string zk_log = dir.path() + "/zookeeper.log";
  procs.pids.push_back(spawn_logged(args, zk_log));
  EXPECT_TRUE(eventually([&] { return lower(read_file(zk_log)).find("binding") != std::string::npos; }, 30s))
      << read_file(zk_log);

  std::vector<std::string> kafka;
  for (int id = 1; id <= 3; ++id) {
    auto listener = "127.0.0.1:" + std::to_string(free_port());
    kafka.push_back(listener);
    args = env("kafka-" + std::to_string(id));
    args.insert(args.end(), {"KAFKA_LISTENER=" + listener, "KAFKA_ADVERTISED=" + listener, script, "kafka",
                             std::to_string(id)});
    procs.pids.push_back(spawn_logged(args, dir.path() + "/kafka-" + std::to_string(id) + ".log"));
  }
  for (int id = 1; id <= 3; ++id) {
    auto log = dir.path() + "/kafka-" + std::to_string(id) + ".log";
    EXPECT_TRUE(eventually([&] { return lower(read_file(log)).find("started") != std::string::npos; }, 60s))
        << read_file(log);
  }
  // A topic created by the first write has three replicas (the entrypoint's defaults); kcat
  // reads through the third broker what it wrote through the first.
  std::string lines;
  for (int i = 0; i < 100; ++i) lines += "record-" + std::to_string(i) + "\n";
  auto w = run({"/usr/bin/kcat", "-b", kafka[0], "-P", "-t", "compose", "-X", "acks=all"}, lines);
  ASSERT_EQ(w.exit_code, 0) << w.err;
  run_result r;
  ASSERT_TRUE(eventually(
      [&] {
        r = run({"/usr/bin/kcat", "-b", kafka[2], "-C", "-t", "compose", "-o", "beginning", "-e", "-q"}, "", 30s);
        return r.exit_code == 0 && std::count(r.out.begin(), r.out.end(), '\n') == 100;
      },
      30s))
      << r.out << r.err;
  EXPECT_EQ(r.out, lines);
  auto md = run({"/usr/bin/kcat", "-b", kafka[1], "-L", "-t", "compose"});
  EXPECT_TRUE(std::regex_search(md.out, std::regex("replicas: [123],[123],[123],"))) << md.out;
}

}  // namespace
}  // namespace brook::itest
