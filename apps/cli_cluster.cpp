// brook cluster up|down|status: a local cluster of detached brookd processes in one directory.
// Processes are tracked by pid in <dir>/cluster.state (apps/cli_cluster.hpp) and only ever
// signalled by pid, after checking that the pid still runs a brookd of this directory.
#include "apps/cli_cluster.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include "actors/client/client_metadata.hpp"
#include "apps/cli_common.hpp"
#include "apps/cli_netns.hpp"

namespace brook::cli {

namespace {

namespace fs = std::filesystem;
using cluster::member;
using clock_type = std::chrono::steady_clock;

constexpr auto start_timeout = std::chrono::seconds(30);  // per stage: coordinator, then brokers
constexpr auto stop_timeout = std::chrono::seconds(10);   // per process, before SIGKILL
constexpr auto poll_interval = std::chrono::milliseconds(50);
constexpr int log_tail_lines = 20;

int usage_error(const std::string& message) {
  std::fprintf(stderr, "brook: %s\n", message.c_str());
  return 2;
}

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// Absolute, symlink-free, so up and down compare the same path against brookd's command line.
std::string canonical_dir(const std::string& dir) {
  std::error_code ec;
  auto p = fs::weakly_canonical(fs::absolute(dir), ec);
  return (ec ? fs::absolute(dir).lexically_normal() : p).string();
}

std::string state_path(const std::string& dir) {
  return dir + "/" + cluster::state_file_name;
}
std::string log_path(const std::string& dir, const member& m) {
  return dir + "/" + (m.is_broker() ? "broker-" + std::to_string(m.id) : m.role) + ".log";
}
std::string data_dir(const std::string& dir, const member& m) {
  return dir + "/" + (m.is_broker() ? "broker-" + std::to_string(m.id) : m.role);
}
std::string shown(const member& m, uint16_t port) {
  return port ? m.address(port) : "-";
}

// The (role, id) of every member, for the network namespaces.
std::vector<std::pair<std::string, int32_t>> roles_of(const std::vector<member>& ms) {
  std::vector<std::pair<std::string, int32_t>> out;
  for (const auto& m : ms) out.emplace_back(m.role, m.id);
  return out;
}

runtime::result<std::vector<member>> load_state(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(state_path(dir), ec))
    return runtime::status{runtime::errc::not_found,
                           "no cluster in " + dir + " (" + state_path(dir) + " does not exist)"};
  std::ifstream f(state_path(dir));
  if (!f) return runtime::status{runtime::errc::io_error, "cannot read " + state_path(dir)};
  auto ms = cluster::parse_state(std::string(std::istreambuf_iterator<char>(f), {}));
  if (!ms) return runtime::status{ms.error().code(), state_path(dir) + ": " + ms.error().message()};
  return ms;
}

// Written to a temp file and renamed over, so a reader never sees half a state file.
runtime::status save_state(const std::string& dir, const std::vector<member>& ms) {
  auto tmp = state_path(dir) + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << cluster::format_state(ms);
    if (!f.flush()) return {runtime::errc::io_error, "cannot write " + tmp};
  }
  std::error_code ec;
  fs::rename(tmp, state_path(dir), ec);
  if (ec) return {runtime::errc::io_error, "cannot write " + state_path(dir) + ": " + ec.message()};
  return {};
}

// Running and not a zombie (a dead child of ours, or of a reaper that has not waited yet).
bool running(pid_t pid) {
  ::waitpid(pid, nullptr, WNOHANG);  // reaps it if it is our child; harmless otherwise
  if (::kill(pid, 0) != 0 && errno != EPERM) return false;
  auto stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  auto paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] != 'Z';
}

// True if `pid` runs and is a brookd started for `dir`: its command line carries
// log.dirs=<dir>/... A pid reused by another program after a reboot is never signalled.
bool is_ours(pid_t pid, const std::string& dir) {
  if (!running(pid)) return false;
  auto cmdline = read_text("/proc/" + std::to_string(pid) + "/cmdline");
  if (cmdline.empty()) return false;
  std::string want = "log.dirs=" + dir + "/";
  size_t at = 0;
  while (at < cmdline.size()) {
    auto end = cmdline.find('\0', at);
    if (end == std::string::npos) end = cmdline.size();
    if (cmdline.compare(at, want.size(), want) == 0) return true;
    at = end + 1;
  }
  return false;
}

enum class stop_outcome { stopped, killed, not_running, failed };

// SIGTERM, up to stop_timeout for it to exit, then SIGKILL.
stop_outcome stop_process(pid_t pid) {
  if (!running(pid)) return stop_outcome::not_running;
  if (::kill(pid, SIGTERM) != 0)
    return errno == ESRCH ? stop_outcome::not_running : stop_outcome::failed;
  auto deadline = clock_type::now() + stop_timeout;
  while (clock_type::now() < deadline) {
    if (!running(pid)) return stop_outcome::stopped;
    std::this_thread::sleep_for(poll_interval);
  }
  if (::kill(pid, SIGKILL) != 0 && errno != ESRCH) return stop_outcome::failed;
  for (int i = 0; i < 40 && running(pid); ++i) std::this_thread::sleep_for(poll_interval);
  return running(pid) ? stop_outcome::failed : stop_outcome::killed;
}

// Stops brokers first (highest id first), the coordinator last; one line per process. `children`:
// the pids are this process's own children, so they are ours even before they exec brookd.
// Returns false if some process could not be stopped.
bool stop_members(std::vector<member> ms, const std::string& dir, bool children, bool verbose) {
  std::stable_sort(ms.begin(), ms.end(), [](const member& a, const member& b) {
    if (a.is_broker() != b.is_broker()) return a.is_broker();
    return a.id > b.id;
  });
  bool ok = true;
  for (const auto& m : ms) {
    auto who = m.name() + " (pid " + std::to_string(m.pid) + ")";
    if (!(children ? running(m.pid) : is_ours(m.pid, dir))) {
      if (verbose) std::printf("%s was not running\n", who.c_str());
      continue;
    }
    switch (stop_process(m.pid)) {
      case stop_outcome::stopped:
        if (verbose) std::printf("Stopped %s\n", who.c_str());
        break;
      case stop_outcome::killed:
        std::printf("Killed %s with SIGKILL: still running %llds after SIGTERM\n", who.c_str(),
                    (long long)stop_timeout.count());
        break;
      case stop_outcome::not_running:
        if (verbose) std::printf("%s was not running\n", who.c_str());
        break;
      case stop_outcome::failed:
        std::fprintf(stderr,
                     "brook: cannot stop %s: not permitted, or still running after SIGKILL\n",
                     who.c_str());
        ok = false;
        break;
    }
  }
  std::fflush(stdout);
  return ok;
}

// Starts `argv` detached: own session, stdin /dev/null, stdout and stderr appended to `log`.
runtime::result<pid_t> spawn(const std::vector<std::string>& argv, const std::string& log) {
  int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0)
    return runtime::status{runtime::errc::io_error,
                           "cannot open " + log + ": " + std::strerror(errno)};
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  long max_fd = std::min(::sysconf(_SC_OPEN_MAX), 65536L);
  pid_t pid = ::fork();
  if (pid == 0) {  // only async-signal-safe calls from here to exec
    ::setsid();
    ::dup2(null_fd >= 0 ? null_fd : log_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    for (long fd = 3; fd < max_fd; ++fd) ::close(int(fd));
    ::execv(args[0], args.data());
    const char msg[] = "brook: cannot execute brookd\n";
    (void)!::write(2, msg, sizeof(msg) - 1);
    ::_exit(127);
  }
  int err = errno;
  ::close(log_fd);
  if (null_fd >= 0) ::close(null_fd);
  if (pid < 0)
    return runtime::status{runtime::errc::io_error, std::string("fork: ") + std::strerror(err)};
  return pid;
}

// Waits until the log (from `offset`) contains `marker`; the error says why it never did.
runtime::result<std::string> wait_for_line(const member& m, const std::string& log, size_t offset,
                                           const std::string& marker,
                                           clock_type::time_point deadline) {
  for (;;) {
    auto text = read_text(log);
    text = offset < text.size() ? text.substr(offset) : std::string();
    if (text.find(marker) != std::string::npos) return text;
    int st = 0;
    if (::waitpid(m.pid, &st, WNOHANG) == m.pid) {
      auto why = WIFEXITED(st) ? "exited with code " + std::to_string(WEXITSTATUS(st))
                               : "was killed by signal " + std::to_string(WTERMSIG(st));
      return runtime::status{runtime::errc::unknown,
                             m.name() + " (pid " + std::to_string(m.pid) + ") " + why};
    }
    if (clock_type::now() >= deadline)
      return runtime::status{runtime::errc::request_timed_out,
                             m.name() + " (pid " + std::to_string(m.pid) + ") did not log '" +
                                 marker + "' within " + std::to_string(start_timeout.count()) +
                                 "s"};
    std::this_thread::sleep_for(poll_interval);
  }
}

// The last log_tail_lines lines this run wrote to `log`, to stderr.
void print_log_tail(const std::string& log, size_t offset) {
  auto text = read_text(log);
  std::vector<std::string> lines;
  std::istringstream in(offset < text.size() ? text.substr(offset) : std::string());
  for (std::string l; std::getline(in, l);) lines.push_back(std::move(l));
  size_t first = lines.size() > size_t(log_tail_lines) ? lines.size() - log_tail_lines : 0;
  std::fprintf(stderr, "--- last lines of %s ---\n", log.c_str());
  for (size_t i = first; i < lines.size(); ++i) std::fprintf(stderr, "%s\n", lines[i].c_str());
  std::fprintf(stderr, "--- end of %s ---\n", log.c_str());
}

std::string brookd_path(const cluster_options& o) {
  if (!o.brookd.empty()) return o.brookd;
  std::error_code ec;
  auto self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("brookd") : (self.parent_path() / "brookd").string();
}

}  // namespace

namespace cluster {

runtime::result<std::vector<member>> load(const std::string& dir) {
  return load_state(canonical_dir(dir));
}

bool alive(const member& m, const std::string& dir) {
  return is_ours(m.pid, canonical_dir(dir));
}

runtime::result<std::vector<std::string>> command_line(const member& m) {
  auto raw = read_text("/proc/" + std::to_string(m.pid) + "/cmdline");
  if (raw.empty())
    return runtime::status{runtime::errc::not_found,
                           m.name() + " (pid " + std::to_string(m.pid) + ") is not running"};
  std::vector<std::string> argv;
  for (size_t at = 0; at < raw.size();) {
    auto end = raw.find('\0', at);
    if (end == std::string::npos) end = raw.size();
    argv.push_back(raw.substr(at, end - at));
    at = end + 1;
  }
  auto fix = [&](const std::string& prefix, const std::string& value) {
    for (auto& a : argv)
      if (a.rfind(prefix, 0) == 0) a = prefix + value;
  };
  if (m.is_broker()) {
    fix("native.listeners=", m.address(m.native_port));
    fix("listeners=PLAINTEXT://", m.address(m.kafka_port));
  } else {
    fix("coordinator.listeners=", m.address(m.native_port));
  }
  if (!m.netns.empty()) {  // /proc shows brookd's own command line: run it in its namespace again
    auto prefix = netns::exec_prefix(netns::member_net{m.netns, "", "", m.host});
    argv.insert(argv.begin(), prefix.begin(), prefix.end());
  }
  return argv;
}

netns::member_net network_of(const std::string& dir, const member& m) {
  return netns::plan_for(canonical_dir(dir)).of(m.role, m.id);
}

runtime::result<pid_t> restart(const std::string& dir_arg, const member& m,
                               const std::vector<std::string>& argv) {
  auto dir = canonical_dir(dir_arg);
  auto members = load_state(dir);
  if (!members) return members.error();
  auto log = log_path(dir, m);
  size_t offset = read_text(log).size();
  auto pid = spawn(argv, log);
  if (!pid) return pid.error();
  member started = m;
  started.pid = *pid;
  for (auto& x : *members)
    if (x.role == m.role && x.id == m.id) x.pid = *pid;
  if (auto s = save_state(dir, *members); !s) return s;
  auto marker = m.is_broker() ? broker_ready(m.id) : std::string(coordinator_ready);
  auto ready = wait_for_line(started, log, offset, marker, clock_type::now() + start_timeout);
  if (!ready) return ready.error();
  return *pid;
}

}  // namespace cluster

int cluster_up(const cluster_options& o) {
  if (o.brokers < 1 || o.brokers > cluster::max_brokers)
    return usage_error("--brokers must be between 1 and " + std::to_string(cluster::max_brokers) +
                       ", got " + std::to_string(o.brokers));
  cluster::port_plan plan{o.base_port};
  if (!plan.fits(o.brokers))
    return usage_error("--base-port " + std::to_string(o.base_port) + " leaves no room for " +
                       std::to_string(o.brokers) + " broker(s): they need ports up to " +
                       std::to_string(int64_t(o.base_port) + 2 * o.brokers) + " (max 65535)");
  std::vector<std::string> overrides;
  for (const auto& c : o.configs) {
    auto kv = runtime::parse_assignment(c);
    if (!kv) return usage_error("--config " + c + ": " + kv.error().message());
    overrides.push_back(kv->first + "=" + kv->second);
  }
  auto brookd = brookd_path(o);
  if (::access(brookd.c_str(), X_OK) != 0)
    return fail("cannot run brookd at " + brookd + ": " + std::strerror(errno) +
                " (use --brookd PATH)");
  std::error_code ec;
  fs::create_directories(o.dir, ec);
  if (ec || !fs::is_directory(o.dir, ec))
    return fail("cannot use " + o.dir +
                " as the cluster directory: " + (ec ? ec.message() : "not a directory"));
  auto dir = canonical_dir(o.dir);
  if (fs::exists(state_path(dir), ec)) {
    auto old = load_state(dir);
    if (!old) return fail(old.error().message() + "; remove it if no cluster is running there");
    std::string live;
    for (const auto& m : *old)
      if (is_ours(m.pid, dir))
        live += (live.empty() ? "" : ", ") + m.name() + " pid " + std::to_string(m.pid);
    if (!live.empty())
      return fail("a cluster is already running in " + dir + " (" + live +
                  "); stop it with `brook cluster down --dir " + o.dir + "`");
  }

  std::vector<member> members;
  std::vector<size_t> log_offsets;
  // With --netns: a namespace per process (fixed ports inside it), made before anything starts.
  const auto net = netns::plan_for(dir);
  std::vector<std::pair<std::string, int32_t>> roles{{"coordinator", 0}};
  for (int32_t id = 1; id <= o.brokers; ++id) roles.emplace_back("broker", id);
  if (o.netns) {
    if (::geteuid() != 0) return usage_error("--netns needs root (it creates network namespaces)");
    netns::destroy(net, roles);  // leftovers of an earlier run in this directory
    if (auto s = netns::create(net, roles); !s) {
      netns::destroy(net, roles);
      return fail(s);
    }
  }
  auto placed = [&](member m) {
    if (!o.netns) return m;
    auto n = net.of(m.role, m.id);
    m.host = n.ip;
    m.netns = n.ns;
    m.native_port = m.is_broker() ? 9093 : 2181;
    m.kafka_port = m.is_broker() ? 9092 : 0;
    return m;
  };
  // Stops everything started so far and forgets it; the failing process's log goes to stderr.
  auto abort_up = [&](const runtime::status& why, const member* culprit) {
    std::fprintf(stderr, "brook: %s\n", why.message().c_str());
    if (culprit) {
      auto i = size_t(culprit - members.data());
      print_log_tail(log_path(dir, *culprit), log_offsets[i]);
    }
    std::fprintf(stderr, "brook: stopping the %zu process(es) started\n", members.size());
    if (stop_members(members, dir, true, false)) fs::remove(state_path(dir), ec);
    if (o.netns) netns::destroy(net, roles);
    return 1;
  };
  auto start = [&](member m, std::vector<std::string> args) -> runtime::status {
    args.insert(args.begin(), brookd);
    if (!m.netns.empty()) {
      auto prefix = netns::exec_prefix(net.of(m.role, m.id));
      args.insert(args.begin(), prefix.begin(), prefix.end());
    }
    args.push_back("--override");
    args.push_back("log.dirs=" + data_dir(dir, m));
    auto log = log_path(dir, m);
    size_t offset = read_text(log).size();
    auto pid = spawn(args, log);
    if (!pid) return pid.error();
    m.pid = *pid;
    members.push_back(m);
    log_offsets.push_back(offset);
    return save_state(dir, members);
  };

  member coord = placed({"coordinator", 0, 0, plan.coordinator(), 0});
  auto st = start(coord, {"--override", "process.roles=coordinator", "--override",
                          "coordinator.listeners=" + coord.address(coord.native_port)});
  if (!st) return abort_up(st, nullptr);
  {
    auto& c = members[0];
    auto text = wait_for_line(c, log_path(dir, c), log_offsets[0], cluster::coordinator_ready,
                              clock_type::now() + start_timeout);
    if (!text) return abort_up(text.error(), &c);
    auto port = cluster::port_after(*text, cluster::coordinator_ready);
    if (!port && !c.native_port)
      return abort_up(
          {runtime::errc::unknown, "coordinator logged no port after 'binding to port'"}, &c);
    c.native_port = port ? *port : c.native_port;
    std::printf("coordinator  pid %-7d  %s\n", int(c.pid), shown(c, c.native_port).c_str());
    std::fflush(stdout);
  }
  std::string coordinator_connect = members[0].address(members[0].native_port);

  for (int32_t id = 1; id <= o.brokers; ++id) {
    member b = placed({"broker", id, 0, plan.native(id), plan.kafka(id)});
    std::vector<std::string> args{"--override", "process.roles=broker",
                                  "--override", "broker.id=" + std::to_string(id),
                                  "--override", "coordinator.connect=" + coordinator_connect,
                                  "--override", "native.listeners=" + b.address(b.native_port),
                                  "--override", "listeners=PLAINTEXT://" + b.address(b.kafka_port)};
    for (const auto& kv : overrides) {
      args.push_back("--override");
      args.push_back(kv);
    }
    if (auto s = start(b, args); !s) return abort_up(s, nullptr);
  }
  // Brokers start together (they may wait for each other); each gets the same deadline.
  auto deadline = clock_type::now() + start_timeout;
  for (size_t i = 1; i < members.size(); ++i) {
    auto& b = members[i];
    auto text =
        wait_for_line(b, log_path(dir, b), log_offsets[i], cluster::broker_ready(b.id), deadline);
    if (!text) return abort_up(text.error(), &b);
    auto native = cluster::port_after(*text, cluster::native_listening);
    auto kafka = cluster::port_after(*text, cluster::kafka_listening);
    if (native) b.native_port = *native;
    if (kafka) b.kafka_port = *kafka;
    if (!b.native_port || !b.kafka_port)
      return abort_up(
          {runtime::errc::unknown, b.name() + " logged no '" + cluster::native_listening +
                                       "' or '" + cluster::kafka_listening + "' port"},
          &b);
    std::printf("broker %-4d  pid %-7d  native %s  kafka %s\n", b.id, int(b.pid),
                shown(b, b.native_port).c_str(), shown(b, b.kafka_port).c_str());
    std::fflush(stdout);
  }
  if (auto s = save_state(dir, members); !s) return abort_up(s, nullptr);

  std::string native_bootstrap, kafka_bootstrap;
  for (const auto& m : members) {
    if (!m.is_broker()) continue;
    native_bootstrap += (native_bootstrap.empty() ? "" : ",") + shown(m, m.native_port);
    kafka_bootstrap += (kafka_bootstrap.empty() ? "" : ",") + shown(m, m.kafka_port);
  }
  std::printf(
      "Cluster of %d broker(s) running in %s (logs: *.log there; stop: brook cluster down --dir "
      "%s)\n",
      o.brokers, dir.c_str(), o.dir.c_str());
  std::printf("Native bootstrap (brook --bootstrap-server, BROOK_BOOTSTRAP_SERVER): %s\n",
              native_bootstrap.c_str());
  std::printf("Kafka bootstrap (kcat -b, bootstrap.servers): %s\n", kafka_bootstrap.c_str());
  return 0;
}

int cluster_down(const cluster_options& o) {
  std::error_code ec;
  if (!fs::is_directory(o.dir, ec)) return fail("no cluster in " + o.dir + ": not a directory");
  auto dir = canonical_dir(o.dir);
  auto ms = load_state(dir);
  if (!ms) return fail(ms.error().message());
  if (!stop_members(*ms, dir, false, true))
    return fail("some processes are still running; " + state_path(dir) + " is kept");
  if (std::any_of(ms->begin(), ms->end(), [](const member& m) { return !m.netns.empty(); }))
    netns::destroy(netns::plan_for(dir), roles_of(*ms));
  fs::remove(state_path(dir), ec);
  if (ec) return fail("cannot remove " + state_path(dir) + ": " + ec.message());
  std::printf("Cluster in %s stopped (logs and data are kept there)\n", dir.c_str());
  return 0;
}

int cluster_status(const cluster_options& o) {
  std::string bootstrap = o.bootstrap;
  std::error_code ec;
  bool have_state = fs::is_directory(o.dir, ec) && fs::exists(state_path(canonical_dir(o.dir)), ec);
  if (bootstrap.empty() && !have_state)
    return fail("no cluster in " + o.dir + " (no " + cluster::state_file_name +
                "); give --dir of a `brook cluster up` or --bootstrap-server host:port");
  if (have_state) {
    auto dir = canonical_dir(o.dir);
    auto ms = load_state(dir);
    if (!ms) return fail(ms.error().message());
    std::printf("Processes (%s):\n", state_path(dir).c_str());
    std::printf("  %-12s %-4s %-8s %-8s %-21s %s\n", "ROLE", "ID", "PID", "STATE", "NATIVE",
                "KAFKA");
    std::string live_bootstrap;
    for (const auto& m : *ms) {
      bool alive = is_ours(m.pid, dir);
      std::printf("  %-12s %-4d %-8d %-8s %-21s %s\n", m.role.c_str(), m.id, int(m.pid),
                  alive ? "alive" : "dead", shown(m, m.native_port).c_str(),
                  shown(m, m.kafka_port).c_str());
      if (alive && m.is_broker() && m.native_port)
        live_bootstrap += (live_bootstrap.empty() ? "" : ",") + shown(m, m.native_port);
    }
    std::fflush(stdout);
    if (bootstrap.empty()) bootstrap = live_bootstrap;
    if (bootstrap.empty()) return fail("no broker of the cluster in " + dir + " is running");
  }
  auto servers = client::parse_bootstrap(bootstrap);
  if (!servers) return fail(servers.error().message());
  client::client_metadata meta(*servers, std::chrono::seconds(5));
  auto conn = meta.any_connection();
  if (!conn) return fail("no broker answered at " + bootstrap + ": " + conn.error().to_string());
  net::metadata_request req{{}, true, false};
  auto md = (*conn)->call<net::metadata_response>(net::native_type::metadata, req);
  if (!md) return fail("metadata from " + bootstrap + ": " + md.error().to_string());

  auto brokers = md->brokers;
  std::sort(brokers.begin(), brokers.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  std::printf("Brokers:\n  %-4s %-21s %s\n", "ID", "NATIVE", "KAFKA");
  for (const auto& b : brokers)
    std::printf("  %-4d %-21s %s\n", b.id, (b.host + ":" + std::to_string(b.port)).c_str(),
                b.kafka_port ? (b.kafka_host + ":" + std::to_string(b.kafka_port)).c_str() : "-");
  std::printf("Controller: %s\n",
              md->controller_id >= 0 ? std::to_string(md->controller_id).c_str() : "none");
  auto join = [](const std::vector<int32_t>& v) {
    std::string s;
    for (auto x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
    return s.empty() ? std::string("-") : s;
  };
  auto topics = md->topics;
  std::sort(topics.begin(), topics.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  std::printf("Partitions:\n  %-24s %-9s %-6s %-6s %-16s %s\n", "TOPIC", "PARTITION", "LEADER",
              "EPOCH", "REPLICAS", "ISR");
  for (const auto& t : topics) {
    if (t.error != runtime::errc::none) {
      std::printf("  %-24s error: %s\n", t.name.c_str(),
                  std::string(runtime::to_string(t.error)).c_str());
      continue;
    }
    auto ps = t.partitions;
    std::sort(ps.begin(), ps.end(),
              [](const auto& a, const auto& b) { return a.partition < b.partition; });
    for (const auto& p : ps)
      std::printf("  %-24s %-9d %-6d %-6d %-16s %s\n", t.name.c_str(), p.partition, p.leader,
                  p.leader_epoch, join(p.replicas).c_str(), join(p.isr).c_str());
  }
  return 0;
}

}  // namespace brook::cli
