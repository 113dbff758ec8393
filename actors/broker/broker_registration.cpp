// The broker's coordinator session (opened, heartbeated, the previous run's ended) and its
// registration as the ephemeral /brokers/ids/<id>.
#include <algorithm>
#include <caf/all.hpp>
#include <filesystem>
#include <fstream>

#include "actors/broker/broker_internal.hpp"
#include "actors/coord/coord_proxy.hpp"
#include "actors/coord/zk_coordinator.hpp"
#include "runtime/durable_file.hpp"
#include "runtime/log.hpp"

namespace brook::actors::broker_detail {

namespace paths = net::cluster_paths;
using net::coord_response;
using net::errc;

namespace {

void register_broker(self_ptr self) {
  auto& st = self->state;
  st.last_register_try = clock_type::now();
  net::broker_info me{my_id(st), st.spec.advertised_host, st.spec.advertised_port,
                      st.spec.kafka_advertised.host, st.spec.kafka_advertised.port};
  net::coord_create_request req{paths::broker(me.id), net::pack_value(me), true, st.session, true};
  ask(self, std::move(req), [self](coord_response& r) {
    auto& st = self->state;
    if (r.error == errc::node_exists) {
      // An earlier incarnation's session ends within its timeout; a live broker with the same
      // id holds it for good.
      auto now = clock_type::now();
      if (st.register_conflict_since == clock_type::time_point{}) {
        st.register_conflict_since = now;
        BROOK_LOG_INFO("[Broker id="
                       << my_id(st) << "] " << paths::broker(my_id(st))
                       << " is still held by an earlier session; waiting for it to end");
      }
      if (now - st.register_conflict_since >
          2 * std::chrono::milliseconds(st.spec.config.coordinator_session_timeout_ms))
        fail(self, "broker.id " + std::to_string(my_id(st)) +
                       " is registered by another live broker; "
                       "give every broker its own broker.id");
      return;  // on_tick tries again
    }
    if (r.error != errc::none) return fail(self, "cannot register: " + to_status(r).to_string());
    st.registered = true;
    BROOK_LOG_INFO("[Broker id=" << my_id(st) << "] registered at " << paths::broker(my_id(st)));
    load_metadata(self, [self] { on_ready(self); });
  });
}

// Where the broker keeps the id of its coordinator session (to end it after a crash).
std::string session_file(const state& st) {
  return st.spec.config.log_dirs.front() + "/__brook_meta/coordinator_session";
}

}  // namespace

void fail(self_ptr self, const std::string& why) {
  BROOK_LOG_ERROR("[Broker id=" << my_id(self->state) << "] " << why);
  self->quit(caf::make_error(caf::sec::runtime_error, why));
}

void start_cluster(self_ptr self) {
  auto& st = self->state;
  const auto& cfg = st.spec.config;
  if (st.spec.coordinator) {
    st.coord = st.spec.coordinator;
  } else if (!cfg.zookeeper_hosts.empty()) {
    st.coord = spawn_zookeeper_coordinator(
        self->system(), cfg.zookeeper_hosts, cfg.zookeeper_chroot,
        std::chrono::milliseconds(cfg.coordinator_session_timeout_ms), std::chrono::seconds(30));
  } else {
    auto ep = runtime::parse_endpoint(st.spec.config.coordinator_connect);
    st.coord = spawn_remote_coordinator(self->system(), *ep, std::chrono::seconds(30));
  }
  self->monitor(st.coord);
  net::coord_session_open_request open{st.spec.config.coordinator_session_timeout_ms};
  ask(self, open, [self](coord_response& r) {
    if (r.error != errc::none)
      return fail(self, "cannot open a coordinator session: " + to_status(r).to_string());
    auto& st = self->state;
    st.session = r.session;
    st.last_heartbeat = clock_type::now();
    // The session of this broker's previous run (kill -9, crash) still holds /brokers/ids/<id>
    // until it times out; it is ours, so end it now rather than wait.
    auto file = session_file(st);
    std::ifstream in(file);
    uint64_t previous = 0;
    if (in >> previous && previous != st.session) {
      ask(self, net::coord_session_request{previous, true},
          [self](coord_response&) { register_broker(self); });
    } else {
      register_broker(self);
    }
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(file).parent_path(), ec);
    if (auto w = runtime::write_file_durably(file, std::to_string(st.session) + "\n"); !w)
      BROOK_LOG_WARN("[Broker id=" << my_id(st) << "] " << w.to_string());
  });
  self->delayed_send(self, std::chrono::milliseconds(100), tick_atom::value);
}

void on_tick(self_ptr self) {
  auto& st = self->state;
  auto now = clock_type::now();
  auto every = std::chrono::milliseconds(st.spec.config.coordinator_session_timeout_ms / 3);
  if (st.session && now - st.last_heartbeat >= every) {
    st.last_heartbeat = now;
    ask(self, net::coord_session_request{st.session, false}, [self](coord_response& r) {
      if (r.error == errc::session_expired)
        fail(self, "coordinator session expired");
      else if (r.error != errc::none)
        BROOK_LOG_WARN("[Broker id=" << my_id(self->state) << "] heartbeat failed: " << r.message);
    });
  }
  if (st.session && !st.registered && now - st.last_register_try >= std::chrono::milliseconds(200))
    register_broker(self);
  self->delayed_send(self, std::chrono::milliseconds(100), tick_atom::value);
}

}  // namespace brook::actors::broker_detail
