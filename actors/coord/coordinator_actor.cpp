#include "actors/coord/coordinator_actor.hpp"

#include <caf/all.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <set>

#include "runtime/clock.hpp"
#include "runtime/coord/store.hpp"
#include "runtime/log.hpp"
#include "runtime/storage/file.hpp"

namespace brook::actors {

namespace {

using net::coord_response;
using net::errc;
using runtime::coord::event_type;
using std::chrono::milliseconds;

constexpr milliseconds tick_interval{100};

static_assert(int8_t(event_type::created) == int8_t(net::coord_event::created) &&
                  int8_t(event_type::changed) == int8_t(net::coord_event::changed) &&
                  int8_t(event_type::deleted) == int8_t(net::coord_event::deleted) &&
                  int8_t(event_type::children_changed) ==
                      int8_t(net::coord_event::children_changed),
              "coord_event must mirror runtime::coord::event_type");

struct subscriber {
  caf::actor handle;
  std::set<std::string> paths;  // watched paths, to forget the subscriber with its last watch
};

struct coordinator_state {
  std::unique_ptr<runtime::coord::store> store;
  std::string dir;
  uint64_t next_subscriber = 1;
  std::map<uint64_t, subscriber> subscribers;
  std::map<caf::actor_addr, uint64_t> subscriber_ids;
  static inline const char* name = "coordinator";
};

using self_ptr = coordinator_actor::stateful_pointer<coordinator_state>;

coord_response fail(const runtime::status& s) {
  coord_response r;
  r.error = s.code();
  r.message = s.message();
  return r;
}

// Sends the store's queued events to their subscribers, in the order the changes happened.
void deliver_events(self_ptr self) {
  auto& st = self->state;
  for (auto& e : st.store->drain_events()) {
    auto it = st.subscribers.find(e.subscriber);
    if (it == st.subscribers.end()) continue;
    caf::anon_send(it->second.handle,
                   net::coord_watch_event{std::move(e.path), int8_t(e.type), e.seq});
  }
}

// Every mutation answers with the store's sequence after it and then pushes its events.
coord_response finish(self_ptr self, coord_response r) {
  r.seq = self->state.store->seq();
  deliver_events(self);
  return r;
}

void forget_subscriber(self_ptr self, uint64_t id) {
  auto& st = self->state;
  auto it = st.subscribers.find(id);
  if (it == st.subscribers.end()) return;
  st.store->unwatch_all(id);
  self->demonitor(it->second.handle);
  st.subscriber_ids.erase(it->second.handle.address());
  st.subscribers.erase(it);
}

coord_response on_create(self_ptr self, const net::coord_create_request& req) {
  if (req.ephemeral && req.session == 0)
    return fail({errc::invalid_request, "ephemeral node without a session"});
  auto v = self->state.store->create(req.path, req.value, req.ephemeral ? req.session : 0,
                                     req.make_parents);
  if (!v) return finish(self, fail(v.error()));
  coord_response r;
  r.version = *v;
  return finish(self, std::move(r));
}

coord_response on_watch(self_ptr self, const std::string& path, const caf::actor& who) {
  auto& st = self->state;
  if (!who) return fail({errc::invalid_request, "watch without a subscriber"});
  uint64_t id;
  if (auto it = st.subscriber_ids.find(who.address()); it != st.subscriber_ids.end()) {
    id = it->second;
  } else {
    id = st.next_subscriber++;
    st.subscriber_ids.emplace(who.address(), id);
    st.subscribers[id].handle = who;
    self->monitor(who);
  }
  auto s = st.store->watch(path, id);
  if (!s) {
    if (st.subscribers[id].paths.empty()) forget_subscriber(self, id);
    return fail(s);
  }
  st.subscribers[id].paths.insert(path);
  coord_response r;
  r.seq = st.store->seq();
  return r;
}

void on_unwatch(self_ptr self, const std::string& path, const caf::actor& who) {
  auto& st = self->state;
  auto it = st.subscriber_ids.find(who.address());
  if (it == st.subscriber_ids.end()) return;
  uint64_t id = it->second;
  st.store->unwatch(path, id);
  auto& sub = st.subscribers[id];
  sub.paths.erase(path);
  if (sub.paths.empty()) forget_subscriber(self, id);
}

void on_tick(self_ptr self) {
  auto& st = self->state;
  auto expired = st.store->expire(runtime::steady_ms());
  if (!expired) {
    BROOK_LOG_WARN("[Coordinator] expiring sessions failed: " << expired.error().to_string());
  } else {
    for (auto id : *expired)
      BROOK_LOG_INFO("[Coordinator] session 0x" << std::hex << id << std::dec << " expired");
  }
  deliver_events(self);
}

coordinator_actor::behavior_type coordinator_impl(self_ptr self, std::string dir) {
  auto& st = self->state;
  st.dir = std::move(dir);
  auto opened =
      runtime::coord::store::open(runtime::storage::env::posix(), st.dir, runtime::steady_ms());
  if (!opened) {
    BROOK_LOG_ERROR("[Coordinator] cannot open the store in " << st.dir << ": "
                                                              << opened.error().to_string());
    self->quit(caf::make_error(caf::sec::runtime_error, opened.error().to_string()));
  } else {
    st.store = std::move(*opened);
    self->delayed_send(self, tick_interval, tick_atom::value);
  }
  self->set_down_handler([self](caf::down_msg& dm) {
    auto it = self->state.subscriber_ids.find(dm.source);
    if (it != self->state.subscriber_ids.end()) forget_subscriber(self, it->second);
  });
  return {
      [self](net::coord_create_request& req) { return on_create(self, req); },
      [self](net::coord_get_request& req) {
        auto d = self->state.store->get(req.path);
        if (!d) return fail(d.error());
        coord_response r;
        r.version = d->version;
        r.value = std::move(d->value);
        r.session = d->ephemeral_session;
        r.seq = d->modified_seq;
        return r;
      },
      [self](net::coord_set_request& req) {
        auto v = self->state.store->set(req.path, req.value, req.expected_version);
        if (!v) return finish(self, fail(v.error()));
        coord_response r;
        r.version = *v;
        return finish(self, std::move(r));
      },
      [self](net::coord_delete_request& req) {
        auto s = self->state.store->remove(req.path, req.expected_version);
        return finish(self, s ? coord_response{} : fail(s));
      },
      [self](net::coord_children_request& req) {
        auto c = self->state.store->children(req.path);
        if (!c) return fail(c.error());
        coord_response r;
        r.children = std::move(*c);
        r.seq = self->state.store->seq();
        return r;
      },
      [self](net::coord_session_open_request& req) {
        auto id = self->state.store->open_session(req.timeout_ms, runtime::steady_ms());
        if (!id) return fail(id.error());
        BROOK_LOG_INFO("[Coordinator] session 0x" << std::hex << *id << std::dec
                                                  << " opened (timeout " << req.timeout_ms
                                                  << " ms)");
        coord_response r;
        r.session = *id;
        return finish(self, std::move(r));
      },
      [self](net::coord_session_request& req) {
        auto& store = *self->state.store;
        auto s = req.close ? store.close_session(req.session)
                           : store.heartbeat(req.session, runtime::steady_ms());
        if (s && req.close)
          BROOK_LOG_INFO("[Coordinator] session 0x" << std::hex << req.session << std::dec
                                                    << " closed");
        coord_response r = s ? coord_response{} : fail(s);
        r.session = req.session;
        return finish(self, std::move(r));
      },
      [self](watch_atom, std::string& path, caf::actor& who) { return on_watch(self, path, who); },
      [self](unwatch_atom, std::string& path, caf::actor& who) { on_unwatch(self, path, who); },
      [self](tick_atom) {
        on_tick(self);  // session expiry (monotonic: heartbeats compared within this process)
        self->delayed_send(self, tick_interval, tick_atom::value);
      },
  };
}

}  // namespace

coordinator_actor spawn_coordinator(caf::actor_system& sys, std::string dir) {
  return sys.spawn<caf::detached>(coordinator_impl, std::move(dir));
}

}  // namespace brook::actors
