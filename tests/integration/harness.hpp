#pragma once
// Integration-test harness: real brookd processes on 127.0.0.1 ports chosen at run time, data in a
// temp dir, stopped by pid when the test ends. Binaries come from $BROOK_BIN_DIR.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tests/temp_dir.hpp"

namespace brook::itest {

using temp_dir = brook::testutil::temp_dir;

/// Path of a built binary (brookd, brook).
std::string bin(const std::string& name);

/// Polls `pred` every 50 ms until it holds or `limit` passes; false if it never did.
bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds limit);

/// Whole contents of a file ("" if it cannot be read).
using brook::testutil::read_file;

/// A plain TCP connection to 127.0.0.1:port for sending hand-made (often malformed) frames.
class raw_socket {
 public:
  explicit raw_socket(uint16_t port);
  ~raw_socket();
  raw_socket(const raw_socket&) = delete;
  raw_socket& operator=(const raw_socket&) = delete;

  bool connected() const { return connected_; }
  void send_bytes(const std::vector<uint8_t>& b);
  /// Sends `payload` behind its u32 big-endian length, as both protocols frame requests.
  void send_frame(const std::vector<uint8_t>& payload);
  /// One response frame's payload; nullopt on close or timeout.
  std::optional<std::vector<uint8_t>> read_frame(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// True if the server closed the connection within the timeout (bytes it sent first go to
  /// `unread`).
  bool closed_by_peer(std::chrono::milliseconds timeout = std::chrono::seconds(5),
                      std::vector<uint8_t>* unread = nullptr);

 private:
  bool read_exact(uint8_t* p, size_t n, std::chrono::milliseconds timeout);
  int fd_ = -1;
  bool connected_ = false;
};

struct run_result {
  int exit_code = -1;
  std::string out;
  std::string err;
};
/// Runs a program to completion with `input` on stdin; kills it (by pid) after `timeout`.
run_result run(const std::vector<std::string>& argv, const std::string& input = "",
               std::chrono::seconds timeout = std::chrono::seconds(60));

/// A port that was free on 127.0.0.1 a moment ago, for servers that take theirs from a config.
uint16_t free_port();

/// Starts `args` (args[0] is the program's path) with stdout and stderr appended to `log_path`;
/// returns its pid. The caller stops it by that pid.
pid_t spawn_logged(const std::vector<std::string>& args, const std::string& log_path);

/// One brookd process. The first start() picks free ports (native.listeners=127.0.0.1:0 and
/// listeners=PLAINTEXT://127.0.0.1:0, read back from the log); restarts reuse them so clients
/// reconnect to the same addresses.
class brookd_process {
 public:
  /// broker: a broker (with its own coordinator unless the overrides set coordinator.connect);
  /// coordinator: process.roles=coordinator on coordinator.listeners=127.0.0.1:<free port>.
  enum class kind { broker, coordinator };
  explicit brookd_process(std::string data_dir, std::vector<std::string> overrides = {},
                          kind k = kind::broker);
  ~brookd_process();  // kill -9 if still running
  brookd_process(const brookd_process&) = delete;
  brookd_process& operator=(const brookd_process&) = delete;

  /// Starts brookd and waits for "[KafkaServer id=N] started" (a coordinator: "binding to port"
  /// and "started"); false if it exits or times out.
  bool start(std::chrono::seconds timeout = std::chrono::seconds(30));
  void kill9();
  /// SIGTERM and wait; returns the exit code (or -1 if it had to be killed).
  int terminate();
  bool running();
  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }
  std::string bootstrap() const { return "127.0.0.1:" + std::to_string(port_); }
  /// The Kafka-protocol listener (listeners=PLAINTEXT://127.0.0.1:<port>).
  uint16_t kafka_port() const { return kafka_port_; }
  std::string kafka_bootstrap() const { return "127.0.0.1:" + std::to_string(kafka_port_); }
  /// A coordinator's listener, for coordinator.connect.
  std::string coordinator_address() const { return "127.0.0.1:" + std::to_string(coordinator_port_); }
  /// Everything the process printed, over all its runs.
  std::string log() const;

 private:
  std::string data_dir_;
  std::vector<std::string> overrides_;
  std::string log_path_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  uint16_t kafka_port_ = 0;
  kind kind_ = kind::broker;
  uint16_t coordinator_port_ = 0;
};


/// A real ZooKeeper ensemble (Debian's zookeeper package, run with java) on 127.0.0.1 ports chosen
/// at run time, its data in `dir`; every member is killed by pid when it goes.
class zookeeper_ensemble {
 public:
  zookeeper_ensemble(std::string dir, int members);
  ~zookeeper_ensemble();
  zookeeper_ensemble(const zookeeper_ensemble&) = delete;
  zookeeper_ensemble& operator=(const zookeeper_ensemble&) = delete;

  /// Starts every member and waits until a quorum has elected a leader; false on timeout.
  bool start(std::chrono::seconds timeout = std::chrono::seconds(60));
  /// Starts member i again (0-based) and waits until it serves.
  bool start_member(int i, std::chrono::seconds timeout = std::chrono::seconds(60));
  void kill9(int i);
  bool running(int i) const { return pids_[size_t(i)] > 0; }
  /// The member that says "Mode: leader" (or standalone), -1 if none does.
  int leader() const;
  /// "127.0.0.1:p1,127.0.0.1:p2,..." for zookeeper.connect.
  std::string hosts() const;
  /// What the members printed.
  std::string log(int i) const;

 private:
  std::string dir_;
  std::vector<uint16_t> client_ports_;
  std::vector<pid_t> pids_;
};

}  // namespace brook::itest
