#include "actors/coord/zk_coordinator.hpp"

// The synchronous calls of the multi-threaded client are declared only with THREADED.
#define THREADED
#include <zookeeper/zookeeper.h>

#include <algorithm>
#include <caf/all.hpp>
#include <map>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "runtime/log.hpp"

namespace brook::actors {

namespace {

using net::coord_response;
using net::errc;
using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

constexpr milliseconds tick_interval{100};

// The coordinator's interface plus the watch events ZooKeeper's thread hands to the actor.
using zk_actor = coordinator_actor::extend<caf::reacts_to<net::coord_watch_event>>;

// What ZooKeeper's event thread needs to pass a watch on: the actor, and the chroot to strip.
struct watch_target {
  caf::actor_addr actor;
  std::string chroot;
};

// Runs on ZooKeeper's event thread for every watch that fires (session events are ignored: the
// actor's tick reads the connection state itself).
void on_zk_event(zhandle_t*, int type, int, const char* path, void* ctx) {
  net::coord_event kind;
  if (type == ZOO_CREATED_EVENT)
    kind = net::coord_event::created;
  else if (type == ZOO_CHANGED_EVENT)
    kind = net::coord_event::changed;
  else if (type == ZOO_DELETED_EVENT)
    kind = net::coord_event::deleted;
  else if (type == ZOO_CHILD_EVENT)
    kind = net::coord_event::children_changed;
  else
    return;
  auto* target = static_cast<watch_target*>(ctx);
  std::string p = path ? path : "";
  if (!target->chroot.empty())
    p = p.size() <= target->chroot.size() ? "/" : p.substr(target->chroot.size());
  if (auto a = caf::actor_cast<caf::actor>(target->actor))
    caf::anon_send(a, net::coord_watch_event{std::move(p), int8_t(kind), 0});
}

// The client's own lines (one per refused member and retry while an ensemble elects a leader)
// go to debug; the actor's tick logs what changed for Brook: connection lost, back, expired.
void zk_log(const char* message) { BROOK_LOG_DEBUG("[ZooKeeper client] " << message); }

struct zk_state {
  std::string hosts;
  std::string chroot;
  int timeout_ms = 6000;
  milliseconds connect_timeout{30000};
  zhandle_t* zh = nullptr;                  // the actor's own session: requests and watches
  std::map<uint64_t, zhandle_t*> sessions;  // opened through coord_session_open
  std::map<std::string, std::map<caf::actor_addr, caf::actor>> watchers;  // path -> subscribers
  std::unique_ptr<watch_target> target;
  std::vector<char> buffer = std::vector<char>(1 << 20);
  int last_state = 0;
  static inline const char* name = "zookeeper_coordinator";

  // Closing a handle joins ZooKeeper's threads, so no event reaches `target` after this.
  ~zk_state() {
    for (auto& [id, h] : sessions) zookeeper_close(h);
    if (zh) zookeeper_close(zh);
  }

  // The znode of a coordinator path.
  std::string full(const std::string& path) const {
    if (chroot.empty()) return path;
    return path == "/" ? chroot : chroot + path;
  }
};

using self_ptr = zk_actor::stateful_pointer<zk_state>;

std::string hex(uint64_t id) {
  std::ostringstream os;
  os << "0x" << std::hex << id;
  return os.str();
}

coord_response fail(errc code, std::string message) {
  coord_response r;
  r.error = code;
  r.message = std::move(message);
  return r;
}

coord_response fail(int rc, const std::string& path) {
  errc code = errc::coordinator_not_available;
  if (rc == ZNONODE)
    code = errc::no_node;
  else if (rc == ZNODEEXISTS)
    code = errc::node_exists;
  else if (rc == ZBADVERSION)
    code = errc::bad_version;
  else if (rc == ZNOTEMPTY)
    code = errc::not_empty;
  else if (rc == ZNOCHILDRENFOREPHEMERALS)
    code = errc::no_children_for_ephemerals;
  else if (rc == ZBADARGUMENTS)
    code = errc::invalid_request;
  else if (rc == ZSESSIONEXPIRED)
    code = errc::session_expired;
  return fail(code, "ZooKeeper: " + std::string(zerror(rc)) + " (" + path + ")");
}

// The answer to a create or set: the node's version and the change's zxid.
coord_response written(const Stat& stat) {
  coord_response r;
  r.version = stat.version;
  r.seq = stat.mzxid;
  return r;
}

bool is_connection_loss(int rc) { return rc == ZCONNECTIONLOSS || rc == ZOPERATIONTIMEOUT; }

// Waits until `h` is connected; false at the deadline or once its session is gone for good.
bool wait_connected(zhandle_t* h, steady::time_point deadline) {
  for (;;) {
    int s = zoo_state(h);
    if (s == ZOO_CONNECTED_STATE) return true;
    if (s == ZOO_EXPIRED_SESSION_STATE || s == ZOO_AUTH_FAILED_STATE || steady::now() >= deadline)
      return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
}

// Runs `call` (one ZooKeeper call on `h`), again after each lost connection once the client has
// reconnected, for up to the session timeout. `retried` tells whether an earlier try may have
// been applied without its answer reaching us.
template <class Call>
int with_retry(const zk_state& st, zhandle_t* h, bool& retried, Call call) {
  auto deadline = steady::now() + milliseconds(st.timeout_ms);
  for (;;) {
    int rc = call();
    if (!is_connection_loss(rc) || !wait_connected(h, deadline)) return rc;
    retried = true;
  }
}

template <class Call>
int with_retry(const zk_state& st, zhandle_t* h, Call call) {
  bool retried = false;
  return with_retry(st, h, retried, call);
}

zhandle_t* open_handle(zk_state& st, int timeout_ms) {
  return zookeeper_init2(st.hosts.c_str(), on_zk_event, timeout_ms, nullptr, st.target.get(), 0,
                         zk_log);
}

// Creates the persistent ancestors of `path` (a znode path) that are missing.
int create_ancestors(zk_state& st, const std::string& path) {
  for (size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    auto a = path.substr(0, slash);
    int rc = with_retry(st, st.zh, [&] {
      return zoo_create(st.zh, a.c_str(), nullptr, -1, &ZOO_OPEN_ACL_UNSAFE, 0, nullptr, 0);
    });
    if (rc != ZOK && rc != ZNODEEXISTS) return rc;
  }
  return ZOK;
}

coord_response on_create(self_ptr self, const net::coord_create_request& req) {
  auto& st = self->state;
  if (req.ephemeral && req.session == 0)
    return fail(errc::invalid_request, "ephemeral node without a session");
  zhandle_t* h = st.zh;
  if (req.ephemeral) {
    auto it = st.sessions.find(req.session);
    if (it == st.sessions.end())
      return fail(errc::session_expired, "session " + hex(req.session) + " is not open here");
    h = it->second;
  }
  auto path = st.full(req.path);
  if (req.make_parents)
    if (int rc = create_ancestors(st, path); rc != ZOK) return fail(rc, req.path);
  Stat stat{};
  bool retried = false;
  int rc = with_retry(st, h, retried, [&] {
    return zoo_create2(h, path.c_str(), req.value.data(), int(req.value.size()),
                       &ZOO_OPEN_ACL_UNSAFE, req.ephemeral ? ZOO_EPHEMERAL : 0, nullptr, 0,
                       &stat);
  });
  // A try whose answer was lost may have created it: ours if this session owns it.
  if (rc == ZNODEEXISTS && retried && req.ephemeral &&
      zoo_exists(h, path.c_str(), 0, &stat) == ZOK && uint64_t(stat.ephemeralOwner) == req.session)
    rc = ZOK;
  if (rc != ZOK) return fail(rc, req.path);
  return written(stat);
}

coord_response on_get(self_ptr self, const net::coord_get_request& req) {
  auto& st = self->state;
  auto path = st.full(req.path);
  Stat stat{};
  int len = 0;
  int rc;
  do {
    len = int(st.buffer.size());
    rc = with_retry(st, st.zh, [&] {
      return zoo_get(st.zh, path.c_str(), 0, st.buffer.data(), &len, &stat);
    });
    if (rc == ZOK && stat.dataLength > int(st.buffer.size())) {
      st.buffer.resize(size_t(stat.dataLength));
      continue;
    }
    break;
  } while (true);
  if (rc != ZOK) return fail(rc, req.path);
  coord_response r;
  if (len > 0) r.value.assign(st.buffer.data(), size_t(len));
  r.version = stat.version;
  r.session = uint64_t(stat.ephemeralOwner);
  r.seq = stat.mzxid;
  return r;
}

coord_response on_set(self_ptr self, const net::coord_set_request& req) {
  auto& st = self->state;
  auto path = st.full(req.path);
  int expected = req.expected_version >= 0 ? int(req.expected_version) : -1;
  Stat stat{};
  bool retried = false;
  int rc = with_retry(st, st.zh, retried, [&] {
    return zoo_set2(st.zh, path.c_str(), req.value.data(), int(req.value.size()), expected, &stat);
  });
  if (rc == ZBADVERSION && retried) {
    // A try whose answer was lost may have written it: done if the node holds it, one version on.
    auto now = on_get(self, net::coord_get_request{req.path});
    if (now.error == errc::none && now.version == expected + 1 && now.value == req.value) {
      now.value.clear();
      return now;
    }
  }
  if (rc != ZOK) return fail(rc, req.path);
  return written(stat);
}

coord_response on_delete(self_ptr self, const net::coord_delete_request& req) {
  auto& st = self->state;
  if (req.path == "/") return fail(errc::invalid_request, "the root cannot be removed");
  auto path = st.full(req.path);
  int expected = req.expected_version >= 0 ? int(req.expected_version) : -1;
  bool retried = false;
  int rc = with_retry(st, st.zh, retried, [&] { return zoo_delete(st.zh, path.c_str(), expected); });
  if (rc == ZNONODE && retried) rc = ZOK;  // the lost try removed it
  return rc == ZOK ? coord_response{} : fail(rc, req.path);
}

coord_response on_children(self_ptr self, const net::coord_children_request& req) {
  auto& st = self->state;
  auto path = st.full(req.path);
  String_vector names{};
  Stat stat{};
  int rc = with_retry(st, st.zh, [&] {
    return zoo_get_children2(st.zh, path.c_str(), 0, &names, &stat);
  });
  if (rc != ZOK) return fail(rc, req.path);
  coord_response r;
  for (int32_t i = 0; i < names.count; ++i) r.children.emplace_back(names.data[i]);
  deallocate_String_vector(&names);
  std::sort(r.children.begin(), r.children.end());
  r.seq = stat.pzxid;
  return r;
}

coord_response on_session_open(self_ptr self, const net::coord_session_open_request& req) {
  auto& st = self->state;
  if (req.timeout_ms <= 0 || req.timeout_ms > INT32_MAX)
    return fail(errc::invalid_session_timeout, "session timeout must be positive");
  zhandle_t* h = open_handle(st, int(req.timeout_ms));
  if (!h) return fail(errc::coordinator_not_available, "cannot start a ZooKeeper client");
  if (!wait_connected(h, steady::now() + st.connect_timeout)) {
    zookeeper_close(h);
    return fail(errc::coordinator_not_available, "no ZooKeeper member of " + st.hosts + " answered");
  }
  auto id = uint64_t(zoo_client_id(h)->client_id);
  st.sessions[id] = h;
  BROOK_LOG_INFO("[Coordinator] ZooKeeper session " << hex(id) << " opened (timeout "
                                                    << zoo_recv_timeout(h) << " ms)");
  coord_response r;
  r.session = id;
  return r;
}

coord_response on_session(self_ptr self, const net::coord_session_request& req) {
  auto& st = self->state;
  auto it = st.sessions.find(req.session);
  if (it == st.sessions.end())
    return fail(errc::session_expired, "session " + hex(req.session) + " is not open here");
  bool expired = zoo_state(it->second) == ZOO_EXPIRED_SESSION_STATE;
  if (req.close || expired) {
    zookeeper_close(it->second);
    st.sessions.erase(it);
    BROOK_LOG_INFO("[Coordinator] ZooKeeper session " << hex(req.session)
                                                      << (expired ? " expired" : " closed"));
  }
  coord_response r = expired ? fail(errc::session_expired, "ZooKeeper expired session " +
                                                               hex(req.session))
                             : coord_response{};
  r.session = req.session;
  return r;
}

// Sets the data and child watches of `path` (a data watch also when it does not exist yet).
int arm(zk_state& st, const std::string& path) {
  auto znode = st.full(path);
  Stat stat{};
  int rc = with_retry(st, st.zh, [&] {
    return zoo_wexists(st.zh, znode.c_str(), on_zk_event, st.target.get(), &stat);
  });
  if (rc == ZNONODE) return ZOK;  // its creation fires the data watch
  if (rc != ZOK) return rc;
  String_vector names{};
  rc = with_retry(st, st.zh, [&] {
    return zoo_wget_children(st.zh, znode.c_str(), on_zk_event, st.target.get(), &names);
  });
  if (rc == ZOK) deallocate_String_vector(&names);
  return rc == ZNONODE ? ZOK : rc;  // deleted meanwhile: the data watch fires
}

coord_response on_watch(self_ptr self, const std::string& path, const caf::actor& who) {
  auto& st = self->state;
  if (!who) return fail(errc::invalid_request, "watch without a subscriber");
  auto& subs = st.watchers[path];
  if (subs.empty()) {
    if (int rc = arm(st, path); rc != ZOK) {
      st.watchers.erase(path);
      return fail(rc, path);
    }
  }
  if (subs.emplace(who.address(), who).second) self->monitor(who);
  return {};
}

void drop_subscriber(self_ptr self, const caf::actor_addr& who) {
  auto& w = self->state.watchers;
  for (auto it = w.begin(); it != w.end();) {
    it->second.erase(who);
    it = it->second.empty() ? w.erase(it) : std::next(it);
  }
}

void on_watch_fired(self_ptr self, const net::coord_watch_event& e) {
  auto& st = self->state;
  auto it = st.watchers.find(e.path);
  if (it == st.watchers.end()) return;  // nobody watches it any more; the watch is spent
  if (int rc = arm(st, e.path); rc != ZOK)
    BROOK_LOG_WARN("[Coordinator] cannot watch " << e.path << " again: " << zerror(rc));
  for (auto& [addr, who] : it->second) caf::anon_send(who, e);
}

void on_tick(self_ptr self) {
  auto& st = self->state;
  int s = zoo_state(st.zh);
  if (s == ZOO_EXPIRED_SESSION_STATE) {
    BROOK_LOG_ERROR("[Coordinator] ZooKeeper expired this process's session at " << st.hosts);
    return self->quit(caf::make_error(caf::sec::runtime_error, "ZooKeeper session expired"));
  }
  if (s != st.last_state) {
    if (s == ZOO_CONNECTED_STATE)
      BROOK_LOG_INFO("[Coordinator] connected to ZooKeeper at " << st.hosts);
    else if (st.last_state == ZOO_CONNECTED_STATE)
      BROOK_LOG_WARN("[Coordinator] lost the ZooKeeper connection; reconnecting to "
                     << st.hosts);
    st.last_state = s;
  }
  self->delayed_send(self, tick_interval, tick_atom::value);
}

zk_actor::behavior_type zk_impl(self_ptr self, std::string hosts, std::string chroot,
                                milliseconds session_timeout, milliseconds connect_timeout) {
  auto& st = self->state;
  st.hosts = std::move(hosts);
  st.chroot = std::move(chroot);
  st.timeout_ms = int(session_timeout.count());
  st.connect_timeout = connect_timeout;
  st.target = std::make_unique<watch_target>(watch_target{self->address(), st.chroot});
  zoo_set_debug_level(ZOO_LOG_LEVEL_WARN);
  st.zh = open_handle(st, st.timeout_ms);
  std::string why;
  if (!st.zh)
    why = "cannot start a ZooKeeper client for " + st.hosts;
  else if (!wait_connected(st.zh, steady::now() + connect_timeout))
    why = "no ZooKeeper member of " + st.hosts + " answered within " +
          std::to_string(connect_timeout.count()) + " ms";
  else if (!st.chroot.empty())
    if (int rc = create_ancestors(st, st.chroot + "/"); rc != ZOK)
      why = "cannot create the chroot " + st.chroot + ": " + zerror(rc);
  if (!why.empty()) {
    BROOK_LOG_ERROR("[Coordinator] " << why);
    self->quit(caf::make_error(caf::sec::runtime_error, why));
  } else {
    st.last_state = ZOO_CONNECTED_STATE;
    BROOK_LOG_INFO("[Coordinator] using ZooKeeper at " << st.hosts
                                                       << (st.chroot.empty() ? "" : st.chroot)
                                                       << " (session "
                                                       << hex(uint64_t(zoo_client_id(st.zh)->client_id))
                                                       << ")");
    self->delayed_send(self, tick_interval, tick_atom::value);
  }
  self->set_down_handler([self](caf::down_msg& dm) { drop_subscriber(self, dm.source); });
  return {
      [self](net::coord_create_request& req) { return on_create(self, req); },
      [self](net::coord_get_request& req) { return on_get(self, req); },
      [self](net::coord_set_request& req) { return on_set(self, req); },
      [self](net::coord_delete_request& req) { return on_delete(self, req); },
      [self](net::coord_children_request& req) { return on_children(self, req); },
      [self](net::coord_session_open_request& req) { return on_session_open(self, req); },
      [self](net::coord_session_request& req) { return on_session(self, req); },
      [self](watch_atom, std::string& path, caf::actor& who) { return on_watch(self, path, who); },
      [self](unwatch_atom, std::string& path, caf::actor& who) {
        auto it = self->state.watchers.find(path);
        if (it != self->state.watchers.end() && it->second.erase(who.address()) &&
            it->second.empty())
          self->state.watchers.erase(it);
      },
      [self](tick_atom) { on_tick(self); },
      [self](net::coord_watch_event& e) { on_watch_fired(self, e); },
  };
}

}  // namespace

coordinator_actor spawn_zookeeper_coordinator(caf::actor_system& sys, std::string hosts,
                                              std::string chroot, milliseconds session_timeout,
                                              milliseconds connect_timeout) {
  auto h = sys.spawn<caf::detached>(zk_impl, std::move(hosts), std::move(chroot),
                                    session_timeout, connect_timeout);
  return caf::actor_cast<coordinator_actor>(h);
}

}  // namespace brook::actors
