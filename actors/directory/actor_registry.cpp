#include "actors/directory/actor_registry.hpp"

#include <unistd.h>
#include <atomic>
#include <caf/abstract_actor.hpp>
#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/actor_cast.hpp>
#include <caf/error.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <map>

#include "net/frame_server.hpp"
#include "net/native_messages.hpp"

namespace brook::actors {

struct actor_registry::impl {
  struct item {
    entry e;
    caf::actor_addr addr;        // an actor's; empty for a hook
    std::function<void()> hook;  // set for what is not an actor of its own
  };
  std::mutex mu;
  std::map<std::string, item> items;
  std::map<std::string, int32_t> starts;  // how often each path was added

  void put(const std::string& path, std::string kind, std::string name, caf::actor_addr addr,
           std::function<void()> hook) {
    std::lock_guard<std::mutex> g(mu);
    int32_t restarts = starts[path]++;
    items[path] = item{entry{path, std::move(kind), std::move(name), restarts}, std::move(addr),
                       std::move(hook)};
  }
};

actor_registry::actor_registry() : impl_(std::make_shared<impl>()) {}
actor_registry::~actor_registry() = default;

void actor_registry::add(const std::string& path, std::string kind, std::string name,
                         const caf::actor& a) {
  if (!a) return;
  impl_->put(path, std::move(kind), std::move(name), a.address(), {});
  std::weak_ptr<impl> weak = impl_;
  caf::actor_addr addr = a.address();
  a->attach_functor([weak, path, addr] {
    auto p = weak.lock();
    if (!p) return;
    std::lock_guard<std::mutex> g(p->mu);
    auto it = p->items.find(path);
    if (it != p->items.end() && it->second.addr == addr) p->items.erase(it);
  });
}

void actor_registry::add_hook(const std::string& path, std::string kind, std::string name,
                              std::function<void()> kill) {
  impl_->put(path, std::move(kind), std::move(name), {}, std::move(kill));
}

void actor_registry::remove(const std::string& path) {
  std::lock_guard<std::mutex> g(impl_->mu);
  impl_->items.erase(path);
}

std::vector<actor_registry::entry> actor_registry::list() const {
  std::lock_guard<std::mutex> g(impl_->mu);
  std::vector<entry> out;
  for (const auto& [path, it] : impl_->items) out.push_back(it.e);
  return out;
}

runtime::status actor_registry::kill(const std::string& path) {
  std::function<void()> hook;
  caf::actor target;
  {
    std::lock_guard<std::mutex> g(impl_->mu);
    auto it = impl_->items.find(path);
    if (it == impl_->items.end())
      return {runtime::errc::not_found,
              "no actor at '" + path + "' (brook admin actors lists them)"};
    hook = it->second.hook;
    target = caf::actor_cast<caf::actor>(it->second.addr);
  }
  if (hook) {
    hook();
    return {};
  }
  if (!target) return {runtime::errc::not_found, "the actor at '" + path + "' has just exited"};
  caf::anon_send_exit(target, caf::exit_reason::kill);
  return {};
}

void register_connection_actor(actor_registry& registry, const std::string& kind,
                               const std::string& prefix, const caf::actor& session,
                               const std::shared_ptr<net::connection>& conn) {
  static std::atomic<uint64_t> connections{0};
  registry.add(prefix + "/" + std::to_string(++connections), kind, conn->peer(), session);
  std::weak_ptr<net::connection> weak = conn;
  session->attach_functor([weak, kind](const caf::error& reason) {
    if (!reason || reason == caf::exit_reason::user_shutdown) return;
    if (auto c = weak.lock()) c->close(kind + " actor crashed: " + caf::to_string(reason));
  });
}

net::list_actors_response describe(const actor_registry& registry, const std::string& node) {
  net::list_actors_response r;
  r.pid = int32_t(::getpid());
  r.node = node;
  for (auto& e : registry.list())
    r.actors.push_back({std::move(e.path), std::move(e.kind), std::move(e.name), e.restarts});
  return r;
}

}  // namespace brook::actors
