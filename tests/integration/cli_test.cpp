// The brook CLI and brookd's configuration as a user sees them: exit codes, one-line errors,
// exact output of produce/consume round trips, and what lands on disk.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "harness.hpp"
#include "runtime/partitioner.hpp"
#include "runtime/record_batch.hpp"

using namespace brook;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

using clock_type = std::chrono::steady_clock;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

bool has_line(const std::string& text, const std::string& line) {
  auto ls = lines_of(text);
  return std::find(ls.begin(), ls.end(), line) != ls.end();
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

// A failed command as the user should see it: a non-zero exit of its own (not killed by the run
// timeout) and exactly one line on stderr.
::testing::AssertionResult fails_with_one_line(const itest::run_result& r) {
  if (r.exit_code == 0) return ::testing::AssertionFailure() << "exit code 0; stdout: " << r.out;
  if (r.exit_code == -1)
    return ::testing::AssertionFailure() << "killed (hung until timeout); stderr: " << r.err;
  if (r.err.empty() || r.err.back() != '\n' || std::count(r.err.begin(), r.err.end(), '\n') != 1)
    return ::testing::AssertionFailure() << "expected one stderr line, got: [" << r.err << "]";
  return ::testing::AssertionSuccess();
}

using itest::eventually;

// A TCP port on 127.0.0.1 that nothing listens on (bound, read back, released).
uint16_t unused_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof(a);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    close(fd);
    return 0;
  }
  close(fd);
  return ntohs(a.sin_port);
}

// brookd started with a properties file (the harness only passes --override), output to a file.
// Stopped with SIGTERM, or SIGKILL when the test ends early.
class brookd_with_file {
 public:
  brookd_with_file(const std::string& dir, const std::string& config_file,
                   std::vector<std::string> overrides)
      : log_path_(dir + "/brookd.out") {
    std::vector<std::string> args{itest::bin("brookd"), config_file,
                                  "--override",         "log.dirs=" + dir + "/logs",
                                  "--override",         "native.listeners=127.0.0.1:0",
                                  "--override",         "listeners=127.0.0.1:0"};
    for (auto& o : overrides) {
      args.push_back("--override");
      args.push_back(o);
    }
    pid_ = itest::spawn_logged(args, log_path_);
  }
  ~brookd_with_file() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  /// Waits until the log contains `text`; false if brookd exits first or `limit` passes.
  bool wait_for(const std::string& text, std::chrono::milliseconds limit) {
    return eventually([&] { return log().find(text) != std::string::npos || exited(); }, limit) &&
           log().find(text) != std::string::npos;
  }
  bool exited() {
    int status = 0;
    if (pid_ > 0 && waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_status_ = status;
      pid_ = -1;
    }
    return pid_ <= 0;
  }
  /// SIGTERM and wait up to 20 s; the exit code, or -1 if it did not exit by itself.
  int terminate() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      if (!eventually([&] { return exited(); }, 20s)) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        pid_ = -1;
        return -1;
      }
    }
    return WIFEXITED(exit_status_) ? WEXITSTATUS(exit_status_) : -1;
  }
  std::string log() const { return itest::read_file(log_path_); }

 private:
  std::string log_path_;
  pid_t pid_ = -1;
  int exit_status_ = -1;
};

// Runs brookd to completion (for configurations that must be refused at startup).
itest::run_result run_brookd(const itest::temp_dir& dir, std::vector<std::string> args) {
  std::vector<std::string> argv{itest::bin("brookd"),
                                "--override",
                                "log.dirs=" + dir.path() + "/logs",
                                "--override",
                                "native.listeners=127.0.0.1:0",
                                "--override",
                                "listeners=127.0.0.1:0"};
  argv.insert(argv.end(), args.begin(), args.end());
  return itest::run(argv, "", 10s);
}

// Sets an environment variable for the scope of a test.
class scoped_env {
 public:
  scoped_env(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old, had_ = true;
    setenv(name, value.c_str(), 1);
  }
  ~scoped_env() {
    if (had_)
      setenv(name_, old_.c_str(), 1);
    else
      unsetenv(name_);
  }

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// brookd configuration
// ---------------------------------------------------------------------------------------------

TEST(Config, UnknownKeyIsRefusedNamingTheKey) {
  itest::temp_dir dir;
  auto r = run_brookd(dir, {"--override", "log.dirz=/x"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.exit_code, -1) << "brookd kept running with an unknown key";
  EXPECT_NE(r.err.find("log.dirz"), std::string::npos) << r.err;
}

// A port another process holds: brookd says so and exits (it used to hang in the actor
// system's shutdown, waiting for the coordinator it had already started).
TEST(Config, ATakenPortIsAClearErrorAndBrookdExits) {
  int holder = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(holder, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(holder, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(holder, 1), 0);
  socklen_t len = sizeof a;
  ASSERT_EQ(::getsockname(holder, reinterpret_cast<sockaddr*>(&a), &len), 0);
  std::string taken = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  for (const char* key : {"listeners=", "native.listeners="}) {
    itest::temp_dir dir;
    auto r = run_brookd(dir, {"--override", key + taken});
    EXPECT_EQ(r.exit_code, 1) << key << " (-1: brookd did not exit within 10 s)\n" << r.err;
    EXPECT_NE((r.out + r.err).find("cannot listen on " + taken), std::string::npos)
        << key << "\n"
        << r.out << r.err;
  }
  ::close(holder);
}

TEST(Config, BadValueIsRefusedNamingTheKey) {
  itest::temp_dir dir;
  auto r = run_brookd(dir, {"--override", "num.partitions=zero"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.exit_code, -1) << "brookd kept running with a bad value";
  EXPECT_NE(r.err.find("num.partitions"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("zero"), std::string::npos) << r.err;
}

TEST(Config, MissingConfigFileIsAClearError) {
  itest::temp_dir dir;
  std::string missing = dir.path() + "/no-such-server.properties";
  auto r = run_brookd(dir, {missing});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.exit_code, -1) << "brookd kept running without its config file";
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("cannot read"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(Config, PropertiesFileIsRead) {
  itest::temp_dir dir;
  std::string file = dir.path() + "/server.properties";
  std::ofstream(file) << "# a comment\n\nbroker.id=5\nnum.partitions: 2\n";
  brookd_with_file d(dir.path(), file, {});
  ASSERT_TRUE(d.wait_for("] started", 20s)) << d.log();
  EXPECT_NE(d.log().find("[KafkaServer id=5] started"), std::string::npos) << d.log();
  EXPECT_EQ(d.terminate(), 0) << d.log();
}

TEST(Config, OverrideWinsOverFile) {
  itest::temp_dir dir;
  std::string file = dir.path() + "/server.properties";
  std::ofstream(file) << "broker.id=5\n";
  brookd_with_file d(dir.path(), file, {"broker.id=7"});
  ASSERT_TRUE(d.wait_for("] started", 20s)) << d.log();
  EXPECT_NE(d.log().find("[KafkaServer id=7] started"), std::string::npos) << d.log();
  EXPECT_EQ(d.log().find("KafkaServer id=5"), std::string::npos) << d.log();
  EXPECT_EQ(d.terminate(), 0) << d.log();
}

TEST(Config, SigtermShutsDownCleanly) {
  itest::temp_dir dir;
  itest::brookd_process d(dir.path(), {"listeners=127.0.0.1:0"});
  ASSERT_TRUE(d.start()) << d.log();
  EXPECT_EQ(d.terminate(), 0) << d.log();
  EXPECT_FALSE(d.running());
  EXPECT_NE(d.log().find("shut down completed"), std::string::npos) << d.log();
}

// ---------------------------------------------------------------------------------------------
// brook CLI
// ---------------------------------------------------------------------------------------------

class Cli : public ::testing::Test {
 protected:
  void TearDown() override {
    if (node_) {
      EXPECT_EQ(node_->terminate(), 0) << node_->log();
    }
  }

  /// Starts this test's brookd; the test fails if it does not come up.
  void start(std::vector<std::string> overrides = {}) {
    overrides.insert(overrides.begin(), "listeners=127.0.0.1:0");  // the Kafka listener, too
    node_ = std::make_unique<itest::brookd_process>(data_dir(), std::move(overrides));
    ASSERT_TRUE(node_->start()) << node_->log();
  }
  std::string data_dir() const { return dir_.path() + "/data"; }
  std::string bootstrap() const { return node_->bootstrap(); }

  /// `brook --bootstrap-server <this node> args...`
  itest::run_result brook(const std::vector<std::string>& args, const std::string& input = "",
                          std::chrono::seconds timeout = 30s) {
    std::vector<std::string> argv{itest::bin("brook"), "--bootstrap-server", bootstrap()};
    argv.insert(argv.end(), args.begin(), args.end());
    return itest::run(argv, input, timeout);
  }
  void create(const std::string& topic, int partitions, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"topic", "create", topic, "--partitions",
                                  std::to_string(partitions)};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = brook(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "Created topic " + topic + ".\n");
  }
  void produce(const std::string& topic, const std::string& input,
               std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"produce", topic};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = brook(args, input);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  /// Consumes exactly `count` records (failing after 10 s without one) and returns stdout.
  std::string consume(const std::string& topic, int64_t count,
                      std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"consume",      topic,  "--count", std::to_string(count),
                                  "--timeout-ms", "10000"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = brook(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
  std::vector<std::string> partition_dirs(const std::string& topic) const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(data_dir() + "/logs", ec))
      if (e.path().filename().string().rfind(topic + "-", 0) == 0) out.push_back(e.path().string());
    return out;
  }

  itest::temp_dir dir_;
  std::unique_ptr<itest::brookd_process> node_;
};

TEST_F(Cli, TopicCreateListDescribeDelete) {
  start();
  create("orders", 3);

  auto list = brook({"topic", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_TRUE(has_line(list.out, "orders")) << list.out;

  auto desc = brook({"topic", "describe", "orders"});
  ASSERT_EQ(desc.exit_code, 0) << desc.err;
  EXPECT_TRUE(has_line(desc.out, "Topic: orders\tPartitionCount: 3")) << desc.out;
  for (int p = 0; p < 3; ++p)
    EXPECT_NE(desc.out.find("\tTopic: orders\tPartition: " + std::to_string(p) + "\tLeader: 0\t"),
              std::string::npos)
        << desc.out;
  EXPECT_EQ(desc.out.find("Partition: 3"), std::string::npos) << desc.out;

  auto again = brook({"topic", "create", "orders", "--partitions", "3"});
  EXPECT_TRUE(fails_with_one_line(again));
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;

  // Records in two of the partitions, so the delete has segment files to remove.
  produce("orders", "a\nb\nc\n", {"--partition", "0"});
  produce("orders", "d\n", {"--partition", "2"});
  EXPECT_TRUE(eventually([&] { return partition_dirs("orders").size() == 3; }, 5s))
      << partition_dirs("orders").size() << " partition dirs before delete";

  auto del = brook({"topic", "delete", "orders"});
  ASSERT_EQ(del.exit_code, 0) << del.err;
  EXPECT_EQ(del.out, "Deleted topic orders.\n");
  list = brook({"topic", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_FALSE(has_line(list.out, "orders")) << list.out;
  EXPECT_TRUE(eventually([&] { return partition_dirs("orders").empty(); }, 5s))
      << "left behind: " << join_lines(partition_dirs("orders"));

  auto gone = brook({"topic", "describe", "orders"});
  EXPECT_TRUE(fails_with_one_line(gone));
}

TEST_F(Cli, TopicConfigShowsInDescribe) {
  start();
  create("short-lived", 1, {"--config", "retention.ms=1000"});
  auto desc = brook({"topic", "describe", "short-lived"});
  ASSERT_EQ(desc.exit_code, 0) << desc.err;
  EXPECT_TRUE(std::regex_search(desc.out, std::regex("Configs: (.*,)?retention\\.ms=1000(,|\n)")))
      << desc.out;
}

TEST_F(Cli, TopicCreateRefusesUnknownConfigKey) {
  start();
  auto r = brook({"topic", "create", "t1", "--config", "nosuch=1"});
  EXPECT_TRUE(fails_with_one_line(r));
  EXPECT_NE(r.err.find("nosuch"), std::string::npos) << r.err;
  auto list = brook({"topic", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_FALSE(has_line(list.out, "t1")) << "topic created despite the bad config:\n" << list.out;
}

TEST_F(Cli, TopicCreateRefusesInvalidName) {
  start();
  for (const std::string& name :
       std::vector<std::string>{"bad/name", "bad name", "..", std::string(250, 'x')}) {
    auto r = brook({"topic", "create", name});
    EXPECT_TRUE(fails_with_one_line(r)) << "name '" << name << "'";
    EXPECT_NE(r.err.find("Topic name is invalid: "), std::string::npos) << r.err;
  }
  // Names equal but for '.' and '_' collide (Kafka's metric names cannot tell them apart).
  ASSERT_EQ(brook({"topic", "create", "a.b"}).exit_code, 0);
  auto twin = brook({"topic", "create", "a_b"});
  EXPECT_TRUE(fails_with_one_line(twin));
  EXPECT_NE(twin.err.find("Topic 'a_b' collides with existing topic: a.b"), std::string::npos) << twin.err;
  ASSERT_EQ(brook({"topic", "delete", "a.b"}).exit_code, 0);
  auto list = brook({"topic", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out, "");
  EXPECT_FALSE(fs::exists(fs::path(data_dir()) / "logs" / "bad" / "name-0"));
}

TEST_F(Cli, ProduceWithKeySeparatorConsumePrintsKeys) {
  start();
  create("keyed", 1);
  produce("keyed", "k1:v1\nk2:v2\nk3:v3 with spaces\nk4:a:b\nno-separator\n:empty-key\nk7:\n",
          {"--key-separator", ":"});
  auto out = consume("keyed", 7, {"--from-beginning", "--print-key"});
  EXPECT_EQ(out,
            "k1\tv1\n"
            "k2\tv2\n"
            "k3\tv3 with spaces\n"
            "k4\ta:b\n"
            "null\tno-separator\n"
            "\tempty-key\n"
            "k7\t\n");
  // Without --print-key only values are printed.
  EXPECT_EQ(consume("keyed", 2, {"--from-beginning"}), "v1\nv2\n");
}

TEST_F(Cli, ConsumeFromPartitionAndOffset) {
  start();
  create("seek", 2);
  std::string input;
  for (int i = 0; i < 10; ++i) input += "v" + std::to_string(i) + "\n";
  produce("seek", input, {"--partition", "1"});
  EXPECT_EQ(consume("seek", 3, {"--partition", "1", "--offset", "4"}), "v4\nv5\nv6\n");
  EXPECT_EQ(consume("seek", 1, {"--partition", "1", "--offset", "9"}), "v9\n");
  EXPECT_EQ(consume("seek", 2, {"--partition", "1", "--from-beginning"}), "v0\nv1\n");
  // Partition 0 got nothing: waiting for a record there times out with one error line.
  auto r = brook({"consume", "seek", "--partition", "0", "--from-beginning", "--count", "1",
                  "--timeout-ms", "500"});
  EXPECT_TRUE(fails_with_one_line(r));
  EXPECT_EQ(r.out, "");
}

TEST_F(Cli, ProduceFailsWhenTopicMissingAndAutoCreateOff) {
  start({"auto.create.topics.enable=false"});
  auto r = brook({"produce", "missing"}, "one\ntwo\n");
  EXPECT_TRUE(fails_with_one_line(r));
  EXPECT_NE(r.err.find("missing"), std::string::npos) << r.err;
  auto list = brook({"topic", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_FALSE(has_line(list.out, "missing")) << list.out;
}

TEST_F(Cli, ProduceAutoCreatesTopicByDefault) {
  start({"num.partitions=2"});
  produce("auto", "x\n");
  auto desc = brook({"topic", "describe", "auto"});
  ASSERT_EQ(desc.exit_code, 0) << desc.err;
  EXPECT_TRUE(has_line(desc.out, "Topic: auto\tPartitionCount: 2")) << desc.out;
  EXPECT_EQ(consume("auto", 1, {"--from-beginning"}), "x\n");
}

TEST_F(Cli, CompressionRoundTrips) {
  start();
  auto log_bytes = [&](const std::string& topic) {
    uintmax_t total = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(data_dir() + "/logs/" + topic + "-0", ec))
      if (e.path().extension() == ".log") total += e.file_size(ec);
    return total;
  };
  uintmax_t uncompressed = 0;
  for (std::string codec : {"none", "gzip", "snappy", "lz4", "zstd"}) {
    SCOPED_TRACE(codec);
    std::string topic = "z-" + codec;
    create(topic, 1);
    std::vector<std::string> lines;
    for (int i = 0; i < 200; ++i)
      lines.push_back("record " + std::to_string(i) + " " +
                      std::string(size_t(40 + i % 37), char('a' + i % 26)));
    produce(topic, join_lines(lines), {"-X", "compression.type=" + codec});
    EXPECT_EQ(consume(topic, 200, {"--from-beginning"}), join_lines(lines));
    // The codec was applied: these repetitive values take far less space than uncompressed.
    if (codec == "none")
      uncompressed = log_bytes(topic);
    else
      EXPECT_LT(log_bytes(topic) * 2, uncompressed)
          << log_bytes(topic) << " bytes vs " << uncompressed;
  }
}

// A topic's compression.type is the codec its batches are stored in, whatever the producer sent
// (Kafka recompresses on the broker); "producer" keeps the producer's codec.
TEST_F(Cli, TopicCompressionTypeIsTheCodecBatchesAreStoredIn) {
  start();
  auto stored_codecs = [&](const std::string& topic) {
    std::set<std::string> codecs;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(data_dir() + "/logs/" + topic + "-0", ec)) {
      if (e.path().extension() != ".log") continue;
      std::ifstream in(e.path(), std::ios::binary);
      runtime::bytes data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      auto batches = runtime::split_batches(data.data(), data.size(), true);
      EXPECT_TRUE(batches) << batches.error().to_string();
      if (!batches) continue;
      for (const auto& b : *batches) {
        EXPECT_TRUE(runtime::validate_batch(b.data, b.size));
        codecs.insert(std::string(runtime::to_string(b.header.codec())));
      }
    }
    return codecs;
  };
  std::vector<std::string> lines;
  for (int i = 0; i < 50; ++i) lines.push_back("record " + std::to_string(i) + std::string(60, 'x'));
  struct row {
    std::string topic_codec, producer_codec, stored;
  };
  for (const row& c : {row{"gzip", "none", "gzip"}, row{"zstd", "lz4", "zstd"},
                       row{"uncompressed", "snappy", "none"}, row{"producer", "lz4", "lz4"}}) {
    SCOPED_TRACE(c.topic_codec + " <- " + c.producer_codec);
    std::string topic = "stored-" + c.topic_codec;
    create(topic, 1, {"--config", "compression.type=" + c.topic_codec});
    produce(topic, join_lines(lines), {"-X", "compression.type=" + c.producer_codec});
    EXPECT_EQ(consume(topic, 50, {"--from-beginning"}), join_lines(lines));
    EXPECT_EQ(stored_codecs(topic), std::set<std::string>{c.stored});
  }
  auto r = brook({"topic", "create", "bad-codec", "--config", "compression.type=none"});
  EXPECT_TRUE(fails_with_one_line(r));
  EXPECT_NE(r.err.find("compression.type"), std::string::npos) << r.err;
}

TEST_F(Cli, UnknownCompressionTypeIsRefused) {
  start();
  auto r = brook({"produce", "t", "-X", "compression.type=brotli"}, "x\n");
  EXPECT_TRUE(fails_with_one_line(r));
  EXPECT_NE(r.err.find("compression.type"), std::string::npos) << r.err;
}

TEST_F(Cli, AcksZeroAndOneDeliver) {
  start();
  create("acks", 1);
  std::vector<std::string> a0, a1;
  for (int i = 0; i < 50; ++i) a0.push_back("acks0-" + std::to_string(i));
  for (int i = 0; i < 50; ++i) a1.push_back("acks1-" + std::to_string(i));
  produce("acks", join_lines(a0), {"--acks", "0"});
  produce("acks", join_lines(a1), {"--acks", "1"});
  std::vector<std::string> all = a0;
  all.insert(all.end(), a1.begin(), a1.end());
  EXPECT_EQ(consume("acks", 100, {"--from-beginning"}), join_lines(all));
}

TEST_F(Cli, BootstrapServerFromEnvironment) {
  start();
  scoped_env env("BROOK_BOOTSTRAP_SERVER", bootstrap());
  auto b = itest::bin("brook");
  auto c = itest::run({b, "topic", "create", "envtopic", "--partitions", "1"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto p = itest::run({b, "produce", "envtopic"}, "from-env\n");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  auto r = itest::run(
      {b, "consume", "envtopic", "--from-beginning", "--count", "1", "--timeout-ms", "10000"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "from-env\n");
  // The flag still wins over the environment.
  scoped_env bad("BROOK_BOOTSTRAP_SERVER", "127.0.0.1:" + std::to_string(unused_port()));
  auto l = brook({"topic", "list"});
  ASSERT_EQ(l.exit_code, 0) << l.err;
  EXPECT_EQ(l.out, "envtopic\n");
}

TEST_F(Cli, KeyedRecordsLandOnKafkaPartition) {
  start();
  constexpr int32_t parts = 6;
  create("hashed", parts);
  std::map<int32_t, std::vector<std::string>> expected;
  std::string input;
  for (int i = 0; i < 120; ++i) {
    std::string key = "user-" + std::to_string(i * 7919);
    std::string value = "event-" + std::to_string(i);
    input += key + "=" + value + "\n";
    expected[runtime::kafka_key_partition(key, parts)].push_back(key + "\t" + value);
  }
  produce("hashed", input, {"--key-separator", "="});
  // Each partition starts with exactly its keys, in order; as the counts add up to every record
  // sent, no partition holds any other key.
  size_t total = 0;
  for (int32_t p = 0; p < parts; ++p) {
    SCOPED_TRACE("partition " + std::to_string(p));
    ASSERT_FALSE(expected[p].empty()) << "test keys do not cover every partition";
    total += expected[p].size();
    EXPECT_EQ(consume("hashed", int64_t(expected[p].size()),
                      {"--partition", std::to_string(p), "--from-beginning", "--print-key"}),
              join_lines(expected[p]));
  }
  EXPECT_EQ(total, 120u);
}

TEST_F(Cli, RetentionBytesMovesLogStart) {
  start({"log.retention.check.interval.ms=100"});
  create("retained", 1, {"--config", "segment.bytes=1024", "--config", "retention.bytes=2048"});
  std::vector<std::string> lines;
  for (int i = 0; i < 300; ++i) {
    auto n = std::to_string(i);
    lines.push_back("line-" + n + "-" + std::string(50 - 6 - n.size(), 'r'));  // 50 bytes
  }
  ASSERT_EQ(lines[0].size(), 50u);
  // Small batches (records pile up behind in-flight requests even with linger.ms=0), so that
  // segments hold a few batches each and retention can delete whole segments.
  produce("retained", join_lines(lines), {"-X", "linger.ms=0", "-X", "batch.size=256"});
  // Kafka's rule: drop oldest segments while what remains is still >= retention.bytes, so once
  // retention has run the log holds less than retention.bytes plus one segment.
  auto log_bytes = [&] {
    uintmax_t total = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(data_dir() + "/logs/retained-0", ec))
      if (e.path().extension() == ".log") total += e.file_size(ec);
    return total;
  };
  std::string first;
  bool moved = eventually(
      [&] {
        auto r = brook(
            {"consume", "retained", "--from-beginning", "--count", "1", "--timeout-ms", "2000"});
        first = r.exit_code == 0 ? r.out : "error: " + r.err;
        return r.exit_code == 0 && r.out != lines[0] + "\n" && log_bytes() < 2048 + 1024 + 512;
      },
      10s);
  EXPECT_TRUE(moved) << "first record: " << first << "on-disk log bytes: " << log_bytes();
  // The new first record is one that was produced, from the tail.
  auto it = std::find(lines.begin(), lines.end(), first.substr(0, first.size() - 1));
  ASSERT_NE(it, lines.end()) << first;
  EXPECT_GT(it - lines.begin(), 200) << first;
  // The tail is still all there.
  EXPECT_EQ(consume("retained", 1, {"--partition", "0", "--offset", "299"}), lines[299] + "\n");
  // Reading below the new log start is an error, not data.
  auto below = brook({"consume", "retained", "--partition", "0", "--offset", "0", "--count", "1",
                      "--timeout-ms", "2000", "-X", "auto.offset.reset=none"});
  EXPECT_TRUE(fails_with_one_line(below)) << below.out;
}

TEST_F(Cli, BenchProduceAndConsumeReport) {
  start();
  auto p = brook({"bench", "produce", "--topic", "b", "--records", "20000", "--record-size", "100",
                  "--acks", "1"},
                 "", 60s);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  for (const char* token :
       {"produce: 20000 records", "records/s", "MB/s", "p50", "p99", "p99.9", "max"})
    EXPECT_NE(p.out.find(token), std::string::npos) << token << " missing from: " << p.out;
  auto c = brook({"bench", "consume", "--topic", "b", "--records", "20000"}, "", 60s);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  for (const char* token :
       {"consume: 20000 records", "records/s", "MB/s", "p50", "p99", "p99.9", "max"})
    EXPECT_NE(c.out.find(token), std::string::npos) << token << " missing from: " << c.out;
}

TEST_F(Cli, UnreachableBootstrapFailsWithOneLine) {
  auto port = unused_port();
  ASSERT_NE(port, 0);
  std::string server = "127.0.0.1:" + std::to_string(port);
  auto b = itest::bin("brook");
  const std::vector<std::vector<std::string>> commands = {
      {"topic", "list"},
      {"topic", "create", "t"},
      {"produce", "t"},
      {"consume", "t", "--from-beginning", "--count", "1"},
      {"bench", "produce", "--topic", "t", "--records", "10"},
  };
  for (const auto& cmd : commands) {
    std::vector<std::string> argv{b, "--bootstrap-server", server};
    argv.insert(argv.end(), cmd.begin(), cmd.end());
    SCOPED_TRACE(cmd[0] + " " + cmd[1]);
    auto start = clock_type::now();
    auto r = itest::run(argv, "x\n", 20s);
    EXPECT_TRUE(fails_with_one_line(r));
    EXPECT_LT(clock_type::now() - start, 15s);
  }
}

// Regression: the broker used to send the kill itself, and CAF drops the link to an exit
// message's sender, so the partition was never restarted.
TEST_F(Cli, AdminKillPartitionKeepsServing) {
  start();
  create("chaos", 1);
  produce("chaos", "before-1\nbefore-2\n");
  auto k = brook({"admin", "kill-partition", "chaos", "0"});
  ASSERT_EQ(k.exit_code, 0) << k.err;
  EXPECT_EQ(k.out, "Killed partition actor chaos-0.\n");
  auto after =
      brook({"produce", "chaos", "-X", "delivery.timeout.ms=10000", "-X", "request.timeout.ms=5000"},
            "after-1\nafter-2\n", 15s);
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(consume("chaos", 4, {"--from-beginning"}), "before-1\nbefore-2\nafter-1\nafter-2\n");
  auto bad = brook({"admin", "kill-partition", "chaos", "5"});
  EXPECT_TRUE(fails_with_one_line(bad));
}

TEST_F(Cli, UrgentTopicDelivers) {
  start();
  create("alerts", 1, {"--config", "urgency=urgent"});
  auto desc = brook({"topic", "describe", "alerts"});
  ASSERT_EQ(desc.exit_code, 0) << desc.err;
  EXPECT_TRUE(std::regex_search(desc.out, std::regex("[:,]\\s*urgency=urgent(,|\n)"))) << desc.out;
  std::vector<std::string> lines;
  for (int i = 0; i < 10; ++i) lines.push_back("alert-" + std::to_string(i));
  produce("alerts", join_lines(lines));
  EXPECT_EQ(consume("alerts", 10, {"--from-beginning"}), join_lines(lines));
}
