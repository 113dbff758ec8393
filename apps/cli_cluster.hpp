#pragma once
// brook cluster up|down|status: a local cluster of detached brookd processes (one coordinator and
// N brokers on 127.0.0.1) kept in one directory. The pure pieces (state file, port plan, ports read
// back from brookd's log) are inline here so tests check them without starting processes.
#include <sys/types.h>

#include <cctype>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "apps/cli_netns.hpp"
#include "runtime/status.hpp"

namespace brook::cli {

/// Flags of `brook cluster ...`.
struct cluster_options {
  std::string dir = "brook-cluster";  // state file, logs and data dirs
  int32_t brokers = 0;                // up: how many brokers (ids 1..brokers)
  int32_t base_port = 0;              // up: fixed ports from here (cluster::port_plan); 0: any free
  std::vector<std::string> configs;   // up: key=value overrides for every broker
  std::string brookd;                 // up: brookd binary; empty: the one next to brook
  std::string bootstrap;              // status: ask this host:port list instead of the state file
  bool netns = false;  // up: each process in a network namespace of its own (root; cli_netns.hpp)
};

/// Each returns the process exit code: 0, 1 on failure, 2 on bad flags.
int cluster_up(const cluster_options& o);
int cluster_down(const cluster_options& o);
int cluster_status(const cluster_options& o);

namespace cluster {

constexpr const char* state_file_name = "cluster.state";
constexpr const char* host = "127.0.0.1";
constexpr int32_t max_brokers = 64;

/// One line of <dir>/cluster.state: `<role> <id> <pid> <native-port> <kafka-port>`, then
/// `<host> <netns>` for a process in a network namespace.
/// role is `coordinator` (id 0; native-port is its coordinator.listeners port; kafka-port 0) or
/// `broker` (id = broker.id). A port of 0 means not known yet: up writes each process's line as
/// soon as it is spawned, so down can stop it even if up itself was interrupted.
struct member {
  std::string role;
  int32_t id = 0;
  pid_t pid = 0;
  uint16_t native_port = 0;
  uint16_t kafka_port = 0;
  std::string host = cluster::host;  // where it listens
  std::string netns;                 // the network namespace it runs in; empty: the host's
  bool is_broker() const { return role == "broker"; }
  std::string address(uint16_t port) const { return host + ":" + std::to_string(port); }
  std::string name() const { return is_broker() ? "broker " + std::to_string(id) : role; }
};

/// The state file's text: a `#` header line naming the columns, then one line per member.
inline std::string format_state(const std::vector<member>& ms) {
  std::string s = "# brook cluster state: role id pid native-port kafka-port\n";
  for (const auto& m : ms)
    s += m.role + " " + std::to_string(m.id) + " " + std::to_string(m.pid) + " " +
         std::to_string(m.native_port) + " " + std::to_string(m.kafka_port) +
         (m.netns.empty() ? "" : " " + m.host + " " + m.netns) + "\n";
  return s;
}

/// Parses format_state's text (blank and `#` lines skipped); the error names the bad line.
inline runtime::result<std::vector<member>> parse_state(const std::string& text) {
  std::vector<member> out;
  std::istringstream in(text);
  int lineno = 0;
  for (std::string line; std::getline(in, line);) {
    ++lineno;
    auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    std::istringstream ls(line);
    member m;
    long long id = -1, pid = -1, np = -1, kp = -1;
    std::string extra;
    bool ok = bool(ls >> m.role >> id >> pid >> np >> kp);
    if (ok && ls >> m.host) ok = bool(ls >> m.netns);  // the optional pair
    ok = ok && !(ls >> extra);
    ok = ok && (m.role == "broker" || m.role == "coordinator") && id >= 0 && id <= INT32_MAX &&
         pid > 0 && pid <= INT32_MAX && np >= 0 && np <= 65535 && kp >= 0 && kp <= 65535;
    if (!ok)
      return runtime::status{
          runtime::errc::invalid_config,
          "line " + std::to_string(lineno) +
              ": expected 'broker|coordinator id pid native-port kafka-port [host netns]', got '" +
              line + "'"};
    m.id = int32_t(id);
    m.pid = pid_t(pid);
    m.native_port = uint16_t(np);
    m.kafka_port = uint16_t(kp);
    out.push_back(std::move(m));
  }
  return out;
}

/// Fixed ports from --base-port P: the coordinator listens on P, broker n on P+2n-1 (native
/// protocol, for brook) and P+2n (Kafka protocol). With P 0 every port is 0 (pick a free one).
struct port_plan {
  int32_t base = 0;
  uint16_t coordinator() const { return uint16_t(base); }
  uint16_t native(int32_t broker) const { return base ? uint16_t(base + 2 * broker - 1) : 0; }
  uint16_t kafka(int32_t broker) const { return base ? uint16_t(base + 2 * broker) : 0; }
  /// Whether every port of `brokers` brokers fits in 1..65535 (always true for base 0).
  bool fits(int32_t brokers) const {
    return base == 0 || (base >= 1 && int64_t(base) + 2 * int64_t(brokers) <= 65535);
  }
};

/// The port in the first line of `log` that contains `marker` followed by `port`, `host:port`
/// or `host/addr:port` (ended by a space, a comma or the line's end). nullopt when no such line
/// exists or the port is 0 (brookd reports the port it bound, never 0).
inline std::optional<uint16_t> port_after(const std::string& log, const std::string& marker) {
  auto at = log.find(marker);
  if (at == std::string::npos) return std::nullopt;
  auto begin = at + marker.size();
  auto end = log.find_first_of(" \t\r\n,", begin);
  std::string token = log.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
  if (auto colon = token.rfind(':'); colon != std::string::npos) token = token.substr(colon + 1);
  if (token.empty() || token.size() > 5) return std::nullopt;
  for (char c : token)
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  int port = std::stoi(token);
  if (port < 1 || port > 65535) return std::nullopt;
  return uint16_t(port);
}

// What brookd logs (actors/node.cpp, the coordinator): readiness and the ports it bound.
constexpr const char* coordinator_ready = "binding to port ";
constexpr const char* native_listening = "native protocol listening on ";
constexpr const char* kafka_listening = "Kafka protocol listening on ";
inline std::string broker_ready(int32_t id) {
  return "[KafkaServer id=" + std::to_string(id) + "] started";
}

// For `brook chaos`, which kills and restarts members of a cluster `up` started.

/// The members in <dir>/cluster.state. Errors: not_found (no cluster there), io_error,
/// invalid_config (a bad line).
runtime::result<std::vector<member>> load(const std::string& dir);
/// Whether `m` runs, as a brookd of the cluster in `dir`.
bool alive(const member& m, const std::string& dir);
/// The command line `m` runs with (read from /proc while it runs), with its listener ports fixed
/// to the ones it has, so that it starts again on the same addresses.
runtime::result<std::vector<std::string>> command_line(const member& m);
/// The network (namespace, link, address) of `m`, a member in a network namespace.
netns::member_net network_of(const std::string& dir, const member& m);
/// Starts `m` again with `argv` (from command_line), logging to its log file, waits until it is
/// ready and records its new pid in the state file. Returns the new pid.
runtime::result<pid_t> restart(const std::string& dir, const member& m,
                               const std::vector<std::string>& argv);

}  // namespace cluster
}  // namespace brook::cli
