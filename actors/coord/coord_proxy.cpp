#include "actors/coord/coord_proxy.hpp"

#include <caf/all.hpp>
#include <map>
#include <set>
#include <thread>

#include "net/native_client.hpp"
#include "runtime/log.hpp"

namespace brook::actors {

namespace {

using net::coord_response;
using net::errc;
using net::native_type;
using std::chrono::milliseconds;

constexpr milliseconds retry_interval{100};

// The coordinator's interface plus what the connection's I/O thread tells the proxy.
using proxy_actor = coordinator_actor::extend<
    // I/O thread -> proxy: the answer to the request with this correlation id
    caf::reacts_to<uint32_t, coord_response>,
    // I/O thread -> proxy: a coord_event frame
    caf::reacts_to<net::coord_watch_event>,
    // I/O thread -> proxy: the connection ended with this error
    caf::reacts_to<net::status_response>>;

coord_response fail(errc code, std::string message) {
  coord_response r;
  r.error = code;
  r.message = std::move(message);
  return r;
}

struct pending_call {
  caf::typed_response_promise<coord_response> promise;
  std::string watch_path;  // for a watch: `watcher` joins the path's subscribers if it succeeds
  caf::actor watcher;
};

struct proxy_state {
  runtime::endpoint ep;
  std::shared_ptr<net::native_client> client;
  std::map<uint32_t, pending_call> pending;                               // by correlation id
  std::map<std::string, std::map<caf::actor_addr, caf::actor>> watchers;  // path -> subscribers
  std::map<caf::actor_addr, std::set<std::string>> watched;               // subscriber -> paths
  std::map<std::string, int> watching;  // path -> watch requests awaiting their answer
  bool lost = false;
  static inline const char* name = "coord_proxy";

  // Whatever ends the proxy (lost connection, exit, kill), no requester waits forever. Runs
  // before `client` closes the connection.
  ~proxy_state() { fail_pending("coordinator proxy for " + ep.to_string() + " stopped"); }

  void fail_pending(const std::string& why) {
    auto calls = std::move(pending);
    pending.clear();
    for (auto& [id, call] : calls) call.promise.deliver(fail(errc::network_error, why));
  }
};

using self_ptr = proxy_actor::stateful_pointer<proxy_state>;

// Sends one request frame. The callback runs on the client's I/O thread, so it only posts the
// decoded answer back to the proxy (if the proxy still exists).
template <class Request>
caf::typed_response_promise<coord_response> call(self_ptr self, native_type t, const Request& req,
                                                 std::string watch_path = {},
                                                 caf::actor watcher = {}) {
  auto& st = self->state;
  auto rp = self->make_response_promise<coord_response>();
  uint32_t corr = st.client->next_correlation_id();
  st.pending.emplace(corr, pending_call{rp, std::move(watch_path), std::move(watcher)});
  auto weak = caf::actor_cast<caf::weak_actor_ptr>(self);
  st.client->send(net::encode_request(t, corr, req), corr,
                  [weak, corr](runtime::result<net::native_frame> f) {
                    coord_response r;
                    if (!f) {
                      r = fail(f.error().code(), f.error().message());
                    } else if (auto body = net::body_as<coord_response>(*f)) {
                      r = std::move(*body);
                    } else {
                      r = fail(body.error().code(), body.error().message());
                    }
                    caf::anon_send(caf::actor_cast<proxy_actor>(weak), corr, std::move(r));
                  });
  return rp;
}

// Ends the remote watch of `path` once it has no subscriber and no watch request under way.
void maybe_unwatch(self_ptr self, const std::string& path) {
  auto& st = self->state;
  if (st.watchers.count(path) != 0 || st.watching.count(path) != 0) return;
  uint32_t corr = st.client->next_correlation_id();
  st.client->send(
      net::encode_request(native_type::coord_unwatch, corr, net::coord_watch_request{path}), corr,
      [](runtime::result<net::native_frame>) {});
}

// Removes `who` from the subscribers of `path`.
void drop_watcher(self_ptr self, const std::string& path, const caf::actor_addr& who) {
  auto& st = self->state;
  auto it = st.watchers.find(path);
  if (it == st.watchers.end() || it->second.erase(who) == 0) return;
  if (!it->second.empty()) return;
  st.watchers.erase(it);
  maybe_unwatch(self, path);
}

void add_watcher(self_ptr self, const std::string& path, const caf::actor& who) {
  auto& st = self->state;
  auto& paths = st.watched[who.address()];
  if (paths.empty()) self->monitor(who);
  paths.insert(path);
  st.watchers[path].emplace(who.address(), who);
}

void on_lost(self_ptr self, const std::string& why) {
  auto& st = self->state;
  if (st.lost) return;
  st.lost = true;
  BROOK_LOG_WARN("[coord_proxy] lost the coordinator at " << st.ep.to_string() << ": " << why);
  st.fail_pending(why);
  self->quit(caf::make_error(caf::sec::runtime_error,
                             "lost the coordinator at " + st.ep.to_string() + ": " + why));
}

// Blocks this (detached) actor's thread until connected or out of time.
runtime::result<std::shared_ptr<net::native_client>> connect(const runtime::endpoint& ep,
                                                             milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    auto c = net::native_client::connect(ep, std::max(left, milliseconds(1)));
    if (c || std::chrono::steady_clock::now() + retry_interval >= deadline) return c;
    std::this_thread::sleep_for(retry_interval);
  }
}

proxy_actor::behavior_type proxy_impl(self_ptr self, runtime::endpoint ep, milliseconds timeout) {
  auto& st = self->state;
  st.ep = std::move(ep);
  if (auto c = connect(st.ep, timeout)) {
    st.client = std::move(*c);
    auto weak = caf::actor_cast<caf::weak_actor_ptr>(self);
    st.client->set_push_handler([weak](runtime::result<net::native_frame> f) {
      auto proxy = caf::actor_cast<proxy_actor>(weak);
      if (!f)
        return caf::anon_send(proxy, net::status_response{f.error().code(), f.error().message()});
      if (f->is_response() || f->kind() != native_type::coord_event) return;
      if (auto e = net::body_as<net::coord_watch_event>(*f)) caf::anon_send(proxy, std::move(*e));
    });
  } else {
    st.lost = true;
    BROOK_LOG_WARN("[coord_proxy] cannot reach the coordinator at " << st.ep.to_string() << ": "
                                                                    << c.error().message());
    self->quit(caf::make_error(caf::sec::runtime_error, c.error().message()));
  }
  self->set_down_handler([self](caf::down_msg& dm) {
    auto it = self->state.watched.find(dm.source);
    if (it == self->state.watched.end()) return;
    auto paths = std::move(it->second);
    self->state.watched.erase(it);
    for (auto& p : paths) drop_watcher(self, p, dm.source);
  });
  return {
      [self](net::coord_create_request& req) { return call(self, native_type::coord_create, req); },
      [self](net::coord_get_request& req) { return call(self, native_type::coord_get, req); },
      [self](net::coord_set_request& req) { return call(self, native_type::coord_set, req); },
      [self](net::coord_delete_request& req) { return call(self, native_type::coord_delete, req); },
      [self](net::coord_children_request& req) {
        return call(self, native_type::coord_children, req);
      },
      [self](net::coord_session_open_request& req) {
        return call(self, native_type::coord_session_open, req);
      },
      [self](net::coord_session_request& req) {
        return call(self, native_type::coord_session, req);
      },
      [self](watch_atom, std::string& path, caf::actor& who) {
        if (!who) {
          auto rp = self->make_response_promise<coord_response>();
          rp.deliver(fail(errc::invalid_request, "watch without a subscriber"));
          return rp;
        }
        // Sent even when the path is watched already: the server's answer orders this subscriber
        // after the events of earlier changes, as a local coordinator would.
        ++self->state.watching[path];
        return call(self, native_type::coord_watch, net::coord_watch_request{path}, path, who);
      },
      [self](unwatch_atom, std::string& path, caf::actor& who) {
        if (!who) return;
        auto it = self->state.watched.find(who.address());
        if (it == self->state.watched.end() || it->second.erase(path) == 0) return;
        if (it->second.empty()) {
          self->demonitor(who);
          self->state.watched.erase(it);
        }
        drop_watcher(self, path, who.address());
      },
      [](tick_atom) {
        // The remote coordinator keeps its own timers.
      },
      [self](uint32_t corr, coord_response& r) {
        auto it = self->state.pending.find(corr);
        if (it == self->state.pending.end()) return;
        auto c = std::move(it->second);
        self->state.pending.erase(it);
        if (c.watcher) {
          auto w = self->state.watching.find(c.watch_path);
          if (w != self->state.watching.end() && --w->second == 0) self->state.watching.erase(w);
          if (r.error == errc::none) add_watcher(self, c.watch_path, c.watcher);
          maybe_unwatch(self, c.watch_path);
        }
        c.promise.deliver(std::move(r));
      },
      [self](net::coord_watch_event& e) {
        auto it = self->state.watchers.find(e.path);
        if (it == self->state.watchers.end()) return;
        for (auto& [addr, who] : it->second) caf::anon_send(who, e);
      },
      [self](net::status_response& why) { on_lost(self, why.message); },
  };
}

}  // namespace

coordinator_actor spawn_remote_coordinator(caf::actor_system& sys, runtime::endpoint ep,
                                           std::chrono::milliseconds connect_timeout) {
  auto proxy = sys.spawn<caf::detached>(proxy_impl, std::move(ep), connect_timeout);
  return caf::actor_cast<coordinator_actor>(proxy);
}

}  // namespace brook::actors
