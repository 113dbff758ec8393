#include "harness.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace brook::itest {

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

std::string bin(const std::string& name) {
  const char* dir = std::getenv("BROOK_BIN_DIR");
  return std::string(dir ? dir : "build/bin") + "/" + name;
}

namespace {

std::vector<char*> to_argv(const std::vector<std::string>& args) {
  std::vector<char*> v;
  for (const auto& a : args) v.push_back(const_cast<char*>(a.c_str()));
  v.push_back(nullptr);
  return v;
}

}  // namespace

pid_t spawn_logged(const std::vector<std::string>& args, const std::string& log_path) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
    auto argv = to_argv(args);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

raw_socket::raw_socket(uint16_t port) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
}

raw_socket::~raw_socket() { close(fd_); }

void raw_socket::send_bytes(const std::vector<uint8_t>& b) { (void)::send(fd_, b.data(), b.size(), MSG_NOSIGNAL); }

void raw_socket::send_frame(const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> f{uint8_t(payload.size() >> 24), uint8_t(payload.size() >> 16), uint8_t(payload.size() >> 8),
                         uint8_t(payload.size())};
  f.insert(f.end(), payload.begin(), payload.end());
  send_bytes(f);
}

std::optional<std::vector<uint8_t>> raw_socket::read_frame(std::chrono::milliseconds timeout) {
  uint8_t len[4];
  if (!read_exact(len, 4, timeout)) return std::nullopt;
  std::vector<uint8_t> payload(uint32_t(len[0]) << 24 | uint32_t(len[1]) << 16 | uint32_t(len[2]) << 8 | len[3]);
  if (!read_exact(payload.data(), payload.size(), timeout)) return std::nullopt;
  return payload;
}

bool raw_socket::closed_by_peer(std::chrono::milliseconds timeout, std::vector<uint8_t>* unread) {
  uint8_t b[512];
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, int(timeout.count())) <= 0) return false;
    ssize_t n = recv(fd_, b, sizeof(b), 0);
    if (n <= 0) return true;  // EOF or reset
    if (unread) unread->insert(unread->end(), b, b + n);
  }
}

bool raw_socket::read_exact(uint8_t* p, size_t n, std::chrono::milliseconds timeout) {
  size_t got = 0;
  while (got < n) {
    pollfd pf{fd_, POLLIN, 0};
    if (poll(&pf, 1, int(timeout.count())) <= 0) return false;
    ssize_t r = recv(fd_, p + got, n - got, 0);
    if (r <= 0) return false;
    got += size_t(r);
  }
  return true;
}

run_result run(const std::vector<std::string>& argv, const std::string& input, std::chrono::seconds timeout) {
  // A child that exits without reading its stdin must fail its test, not kill the test binary.
  signal(SIGPIPE, SIG_IGN);
  int in[2], out[2], err[2];
  if (pipe(in) || pipe(out) || pipe(err)) throw std::runtime_error("pipe failed");
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
    auto args = to_argv(argv);
    execv(args[0], args.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  // Feed stdin from a thread so a large input cannot deadlock against unread output.
  std::thread feeder([fd = in[1], &input] {
    size_t off = 0;
    while (off < input.size()) {
      ssize_t n = write(fd, input.data() + off, input.size() - off);
      if (n <= 0) break;
      off += size_t(n);
    }
    close(fd);
  });
  run_result r;
  auto deadline = clock_type::now() + timeout;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now()).count();
    if (left <= 0) {
      kill(pid, SIGKILL);
      break;
    }
    if (poll(fds, 2, int(std::min<long>(left, 1000))) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? r.out : r.err).append(buf, size_t(n));
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
  feeder.join();
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

brookd_process::brookd_process(std::string data_dir, std::vector<std::string> overrides, kind k)
    : data_dir_(std::move(data_dir)), overrides_(std::move(overrides)), kind_(k) {
  fs::create_directories(data_dir_);
  log_path_ = data_dir_ + "/brookd.out";
}

brookd_process::~brookd_process() {
  if (pid_ > 0) kill9();
}

bool brookd_process::start(std::chrono::seconds timeout) {
  std::vector<std::string> args{bin("brookd"), "--override", "log.dirs=" + data_dir_ + "/logs",
                                "--override",
                                "native.listeners=127.0.0.1:" + std::to_string(port_), "--override",
                                "listeners=PLAINTEXT://127.0.0.1:" + std::to_string(kafka_port_)};
  if (kind_ == kind::coordinator)
    for (std::string o : std::vector<std::string>{"process.roles=coordinator",
                          "coordinator.listeners=127.0.0.1:" + std::to_string(coordinator_port_)}) {
      args.push_back("--override");
      args.push_back(o);
    }
  for (const auto& o : overrides_) {
    args.push_back("--override");
    args.push_back(o);
  }
  if (const char* level = std::getenv("BROOK_TEST_LOG_LEVEL")) {  // e.g. debug, to chase a failure
    args.push_back("--log-level");
    args.push_back(level);
  }
  size_t log_offset = read_file(log_path_).size();
  pid_ = spawn_logged(args, log_path_);
  static const std::regex listening("native protocol listening on [0-9.]+:([0-9]+)");
  static const std::regex kafka_listening("Kafka protocol listening on [0-9.]+:([0-9]+)");
  static const std::regex binding("binding to port [0-9.]+:([0-9]+)");
  auto deadline = clock_type::now() + timeout;
  while (clock_type::now() < deadline) {
    auto text = read_file(log_path_).substr(log_offset);
    std::smatch m, km;
    if (kind_ == kind::coordinator && text.find("] started") != std::string::npos &&
        std::regex_search(text, m, binding)) {
      coordinator_port_ = uint16_t(std::stoi(m[1]));
      return true;
    }
    if (kind_ == kind::broker && text.find("] started") != std::string::npos &&
        std::regex_search(text, m, listening) && std::regex_search(text, km, kafka_listening)) {
      port_ = uint16_t(std::stoi(m[1]));
      kafka_port_ = uint16_t(std::stoi(km[1]));
      return true;
    }
    if (!running()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill9();
  return false;
}

bool brookd_process::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

void brookd_process::kill9() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

int brookd_process::terminate() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  auto deadline = clock_type::now() + std::chrono::seconds(20);
  int status = 0;
  while (clock_type::now() < deadline) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill9();
  return -1;
}

std::string brookd_process::log() const { return read_file(log_path_); }

}  // namespace brook::itest

namespace brook::itest {

uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

namespace {

// ZooKeeper's answer to a four-letter command ("" if the member does not answer).
std::string four_letter(uint16_t port, const std::string& command) {
  raw_socket s(port);
  if (!s.connected()) return "";
  s.send_bytes(std::vector<uint8_t>(command.begin(), command.end()));
  std::vector<uint8_t> out;
  s.closed_by_peer(std::chrono::seconds(2), &out);
  return std::string(out.begin(), out.end());
}

}  // namespace

zookeeper_ensemble::zookeeper_ensemble(std::string dir, int members)
    : dir_(std::move(dir)), pids_(size_t(members), -1) {
  std::vector<std::string> servers;
  for (int i = 0; i < members; ++i) {
    client_ports_.push_back(free_port());
    servers.push_back("server." + std::to_string(i + 1) + "=127.0.0.1:" +
                      std::to_string(free_port()) + ":" + std::to_string(free_port()));
  }
  for (int i = 0; i < members; ++i) {
    auto home = dir_ + "/zk-" + std::to_string(i + 1);
    fs::create_directories(home + "/data");
    std::ofstream(home + "/data/myid") << i + 1 << "\n";
    std::ofstream cfg(home + "/zoo.cfg");
    // Short ticks so a lost member is noticed and a leader elected within a second or two;
    // session timeouts may then be 0.6 to 6 s.
    cfg << "tickTime=300\ninitLimit=20\nsyncLimit=5\ndataDir=" << home << "/data\n"
        << "clientPort=" << client_ports_[size_t(i)] << "\nclientPortAddress=127.0.0.1\n"
        << "admin.enableServer=false\n4lw.commands.whitelist=srvr,ruok\n"
        << "maxSessionTimeout=6000\n";
    if (members > 1)
      for (const auto& s : servers) cfg << s << "\n";
  }
}

zookeeper_ensemble::~zookeeper_ensemble() {
  for (int i = 0; i < int(pids_.size()); ++i) kill9(i);
}

bool zookeeper_ensemble::start_member(int i, std::chrono::seconds timeout) {
  auto home = dir_ + "/zk-" + std::to_string(i + 1);
  const std::string jar = "/usr/share/java/zookeeper.jar";
  if (!fs::exists(jar)) {
    std::ofstream(home + "/log", std::ios::app)
        << jar << " is missing: install Debian's zookeeper package (.ci/install-deps does)\n";
    return false;
  }
  pids_[size_t(i)] = spawn_logged(
      {"/usr/bin/java", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
       "-cp", "/etc/zookeeper/conf:" + jar, "org.apache.zookeeper.server.quorum.QuorumPeerMain",
       home + "/zoo.cfg"},
      home + "/log");
  return eventually(
      [&] { return four_letter(client_ports_[size_t(i)], "ruok") == "imok"; },
      std::chrono::duration_cast<std::chrono::milliseconds>(timeout));
}

bool zookeeper_ensemble::start(std::chrono::seconds timeout) {
  for (int i = 0; i < int(pids_.size()); ++i)
    if (!start_member(i, timeout)) return false;
  return eventually([&] { return leader() >= 0; },
                    std::chrono::duration_cast<std::chrono::milliseconds>(timeout));
}

void zookeeper_ensemble::kill9(int i) {
  auto& pid = pids_[size_t(i)];
  if (pid <= 0) return;
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  pid = -1;
}

int zookeeper_ensemble::leader() const {
  for (int i = 0; i < int(pids_.size()); ++i) {
    if (pids_[size_t(i)] <= 0) continue;
    auto srvr = four_letter(client_ports_[size_t(i)], "srvr");
    if (srvr.find("Mode: leader") != std::string::npos ||
        srvr.find("Mode: standalone") != std::string::npos)
      return i;
  }
  return -1;
}

std::string zookeeper_ensemble::hosts() const {
  std::string s;
  for (auto p : client_ports_) s += (s.empty() ? "127.0.0.1:" : ",127.0.0.1:") + std::to_string(p);
  return s;
}

std::string zookeeper_ensemble::log(int i) const {
  return read_file(dir_ + "/zk-" + std::to_string(i + 1) + "/log");
}

}  // namespace brook::itest
