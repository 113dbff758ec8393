// brook admin actors | kill: the killable actors of a cluster (apps/cli_actors.hpp).
#include "apps/cli_actors.hpp"

#include <chrono>
#include <cstdio>

#include "apps/cli_clients.hpp"
#include "apps/cli_commands.hpp"
#include "apps/cli_common.hpp"
#include "net/native_client.hpp"

namespace brook::cli {

using std::chrono::milliseconds;

namespace {

template <class Response, class Request>
runtime::result<Response> ask(const std::string& address, net::native_type t, const Request& req) {
  auto ep = runtime::parse_endpoint(address);
  if (!ep) return ep.error();
  auto c = net::native_client::connect(*ep, milliseconds(3000));
  if (!c) return c.error();
  return (*c)->call<Response>(t, req, milliseconds(5000));
}

}  // namespace

std::string broker_address(const net::metadata_response& md, int32_t id) {
  for (const auto& b : md.brokers)
    if (b.id == id) return b.host + ":" + std::to_string(b.port);
  return "";
}

std::vector<process_actors> list_actors(const net::metadata_response& md,
                                        const std::vector<std::string>& extra) {
  std::vector<process_actors> out;
  auto one = [&](const std::string& address, int32_t broker_id) {
    process_actors p{address, broker_id, {}, {}};
    auto r = ask<net::list_actors_response>(address, net::native_type::list_actors,
                                            net::list_actors_request{});
    if (!r) {
      p.error = r.error();
    } else if (r->error != runtime::errc::none) {
      p.error = {r->error, r->message};
    } else {
      p.list = std::move(*r);
    }
    out.push_back(std::move(p));
  };
  for (const auto& b : md.brokers) one(b.host + ":" + std::to_string(b.port), b.id);
  for (const auto& a : extra) one(a, -1);
  return out;
}

std::string role_of(const net::metadata_response& md, int32_t broker_id, const std::string& path) {
  if (broker_id < 0) return "";
  if (path == "controller") return md.controller_id == broker_id ? "active" : "standby";
  const std::string prefix = "partition/";
  if (path.rfind(prefix, 0) != 0) return "";
  auto name = path.substr(prefix.size());
  auto dash = name.rfind('-');
  if (dash == std::string::npos) return "";
  auto topic = name.substr(0, dash);
  int32_t p = std::atoi(name.c_str() + dash + 1);
  for (const auto& t : md.topics) {
    if (t.name != topic || p < 0 || size_t(p) >= t.partitions.size()) continue;
    return t.partitions[size_t(p)].leader == broker_id ? "leader" : "follower";
  }
  return "";
}

runtime::status kill_actor_at(const std::string& address, const std::string& path) {
  net::kill_actor_request req;
  req.path = path;
  auto r = ask<net::status_response>(address, net::native_type::kill_actor, req);
  if (!r) return r.error();
  return {r->error, r->message};
}

int admin_actors(const options& o) {
  auto md = cluster_metadata(o.bootstrap, {});
  if (!md) return fail(md.error());
  auto procs = list_actors(*md, o.addresses);
  std::printf("%-24s %-8s %-36s %-20s %-9s %-8s %s\n", "NODE", "PID", "PATH", "KIND", "ROLE",
              "RESTARTS", "NAME");
  int failed = 0;
  for (const auto& p : procs) {
    if (!p.error.is_ok()) {
      std::fprintf(stderr, "brook: %s: %s\n", p.address.c_str(), p.error.to_string().c_str());
      ++failed;
      continue;
    }
    for (const auto& a : p.list.actors) {
      auto role = role_of(*md, p.broker_id, a.path);
      std::printf("%-24s %-8d %-36s %-20s %-9s %-8d %s\n", p.list.node.c_str(), p.list.pid,
                  a.path.c_str(), a.kind.c_str(), role.empty() ? "-" : role.c_str(), a.restarts,
                  a.name.c_str());
    }
  }
  return failed ? 1 : 0;
}

int admin_kill(const options& o) {
  std::string address = o.at;
  if (address.empty()) {
    auto md = cluster_metadata(o.bootstrap, {});
    if (!md) return fail(md.error());
    int32_t id = o.broker_id;
    if (id < 0 && md->brokers.size() == 1) id = md->brokers.front().id;
    if (id < 0) return fail("the cluster has several brokers: give --broker N or --at host:port");
    address = broker_address(*md, id);
    if (address.empty()) return fail("no broker " + std::to_string(id) + " in the cluster");
  }
  if (auto s = kill_actor_at(address, o.path); !s) return fail(s);
  std::printf("Killed %s at %s.\n", o.path.c_str(), address.c_str());
  return 0;
}

}  // namespace brook::cli
