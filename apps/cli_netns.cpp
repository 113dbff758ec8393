#include "apps/cli_netns.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>

namespace brook::cli::netns {

namespace {

std::string ip_binary() {
  for (const char* p : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"})
    if (::access(p, X_OK) == 0) return p;
  return "ip";
}

// Runs `ip args...`; the error carries what it printed.
runtime::status ip(const std::vector<std::string>& args) {
  std::string cmd = ip_binary();
  for (const auto& a : args) cmd += " " + a;  // names and addresses only: nothing to quote
  std::string out;
  FILE* f = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!f) return {runtime::errc::io_error, "cannot run " + cmd};
  char buf[256];
  while (std::fgets(buf, sizeof buf, f)) out += buf;
  int rc = ::pclose(f);
  if (rc == 0) return {};
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return {runtime::errc::io_error, "'" + cmd + "' failed: " + out +
                                       (::geteuid() != 0 ? " (network namespaces need root)" : "")};
}

}  // namespace

member_net plan::of(const std::string& role, int32_t id) const {
  bool coordinator = role == "coordinator";
  std::string tag = coordinator ? "c" : std::to_string(id);
  return {bridge + "-" + (coordinator ? std::string("c") : "b" + tag), bridge + tag + "h",
          bridge + tag + "p", prefix + (coordinator ? "100" : tag)};
}

plan plan_for(const std::string& canonical_dir) {
  auto h = std::hash<std::string>{}(canonical_dir);
  char name[16];
  std::snprintf(name, sizeof name, "bk%06zx", size_t(h & 0xffffff));
  return {name, "10.250." + std::to_string((h >> 24) % 250) + "."};
}

runtime::status create(const plan& p, const std::vector<std::pair<std::string, int32_t>>& members) {
  const std::string subnet = "/24";
  if (auto s = ip({"link", "add", "name", p.bridge, "type", "bridge"}); !s) return s;
  for (auto& args : std::vector<std::vector<std::string>>{
           {"addr", "add", p.prefix + "254" + subnet, "dev", p.bridge},
           {"link", "set", p.bridge, "up"}})
    if (auto s = ip(args); !s) return s;
  for (const auto& [role, id] : members) {
    auto m = p.of(role, id);
    for (auto& args : std::vector<std::vector<std::string>>{
             {"netns", "add", m.ns},
             {"link", "add", m.veth_host, "type", "veth", "peer", "name", m.veth_peer},
             {"link", "set", m.veth_peer, "netns", m.ns},
             {"link", "set", m.veth_host, "master", p.bridge},
             {"link", "set", m.veth_host, "up"},
             {"netns", "exec", m.ns, ip_binary(), "addr", "add", m.ip + subnet, "dev", m.veth_peer},
             {"netns", "exec", m.ns, ip_binary(), "link", "set", m.veth_peer, "up"},
             {"netns", "exec", m.ns, ip_binary(), "link", "set", "lo", "up"}})
      if (auto s = ip(args); !s) return s;
  }
  return {};
}

void destroy(const plan& p, const std::vector<std::pair<std::string, int32_t>>& members) {
  for (const auto& [role, id] : members) {
    auto m = p.of(role, id);
    ip({"netns", "del", m.ns});
    ip({"link", "del", m.veth_host});
  }
  ip({"link", "del", p.bridge});
}

runtime::status available() {
  if (::geteuid() != 0) return {runtime::errc::invalid_config, "network namespaces need root"};
  const std::string probe = "bkprobe" + std::to_string(::getpid());
  auto s = ip({"netns", "add", probe});
  ip({"netns", "del", probe});
  return s;
}

runtime::status set_link(const member_net& m, bool up) {
  return ip({"link", "set", m.veth_host, up ? "up" : "down"});
}

std::vector<std::string> exec_prefix(const member_net& m) {
  return {ip_binary(), "netns", "exec", m.ns};
}

}  // namespace brook::cli::netns
