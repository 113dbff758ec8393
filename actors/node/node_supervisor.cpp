#include "actors/node/node_supervisor.hpp"

#include <caf/all.hpp>

#include "runtime/log.hpp"
#include "runtime/restart_backoff.hpp"

namespace brook::actors {

namespace {

// 100, 200, 400, 800 ms; the 5th failure within 60 s gives up (brookd exits 1).
constexpr runtime::restart_policy broker_restarts{4, std::chrono::seconds(60)};
// After a lost coordinator: back off (up to 5 s) and try again for as long as it takes, as a
// Kafka broker keeps reconnecting to ZooKeeper; these restarts do not count toward giving up.
constexpr runtime::restart_policy coordinator_loss_restarts{};

struct supervisor_state {
  broker_spec spec;
  std::shared_ptr<node_context> node;
  broker_actor broker;
  runtime::restart_backoff restarts{broker_restarts};
  runtime::restart_backoff coordinator_losses{coordinator_loss_restarts};
  static inline const char* name = "node_supervisor";
};

using self_ptr = node_supervisor_actor::stateful_pointer<supervisor_state>;

void start_broker(self_ptr self) {
  auto& st = self->state;
  st.broker = spawn_broker(self->system(), st.spec);
  self->monitor(st.broker);
  st.node->actors()->add("broker", "broker", "broker " + std::to_string(st.spec.config.broker_id),
                         caf::actor_cast<caf::actor>(st.broker));
  st.node->set_broker(st.broker);
}

node_supervisor_actor::behavior_type supervisor_impl(self_ptr self, broker_spec spec,
                                                     std::shared_ptr<node_context> node) {
  self->state.spec = std::move(spec);
  self->state.node = std::move(node);
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    if (!st.broker || msg.source != st.broker.address()) return;
    st.node->set_broker(broker_actor{});
    st.broker = broker_actor{};
    bool lost_coordinator =
        caf::to_string(msg.reason).find(lost_coordinator_reason) != std::string::npos;
    auto& backoff = lost_coordinator ? st.coordinator_losses : st.restarts;
    auto delay = backoff.on_crash(std::chrono::steady_clock::now());
    if (!delay) {
      BROOK_LOG_ERROR("[NodeSupervisor] broker actor failed "
                      << backoff.crashes() << " times within 60 s; giving up. Last reason: "
                      << caf::to_string(msg.reason));
      self->quit(msg.reason);
      return;
    }
    BROOK_LOG_WARN("[NodeSupervisor] broker actor died ("
                   << caf::to_string(msg.reason) << "); restarting in " << delay->count() << " ms");
    self->delayed_send(self, *delay, restart_atom::value);
  });
  self->set_exit_handler([self](caf::exit_msg& msg) {
    if (self->state.broker) self->send_exit(self->state.broker, msg.reason);
    self->quit(msg.reason);
  });
  start_broker(self);
  return {
      [self](restart_atom) {
        if (!self->state.broker) start_broker(self);
      },
  };
}

}  // namespace

node_supervisor_actor spawn_node_supervisor(caf::actor_system& sys, broker_spec spec,
                                            std::shared_ptr<node_context> node) {
  return sys.spawn(supervisor_impl, std::move(spec), std::move(node));
}

}  // namespace brook::actors
