#include "actors/node/node.hpp"

#include <atomic>
#include <caf/all.hpp>
#include <condition_variable>
#include <csignal>
#include <functional>
#include <thread>

#include "actors/coord/coord_server.hpp"
#include "actors/coord/coordinator_actor.hpp"
#include "actors/directory/node_context.hpp"
#include "actors/directory/peer_connections.hpp"
#include "actors/node/node_supervisor.hpp"
#include "actors/session/session_messages.hpp"
#include "actors/session/sessions.hpp"
#include "net/frame_server.hpp"
#include "net/tls.hpp"
#include "runtime/log.hpp"
#include "runtime/security/access.hpp"
#include "runtime/storage/log_flusher.hpp"

namespace brook::actors {

namespace {

// Waits until the broker answers a metadata request (topics loaded, partitions spawned); false
// on timeout or once `gave_up()` says the supervisor stopped trying.
bool wait_for_broker(caf::actor_system& sys, node_context& node, std::chrono::seconds limit,
                     const std::function<bool()>& gave_up) {
  caf::scoped_actor self{sys};
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline && !gave_up()) {
    if (auto b = node.broker()) {
      bool ok = false;
      self->request(b, std::chrono::seconds(5), net::metadata_request{{}, false, false})
          .receive([&](net::metadata_response&) { ok = true; }, [&](caf::error&) {});
      if (ok) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// What Kafka Metadata advertises: advertised.listeners if set, else the bound listener (with a
// wildcard host replaced by loopback, and port 0 by the port actually bound).
runtime::endpoint advertised_kafka_endpoint(const runtime::broker_config& cfg,
                                            uint16_t bound_port) {
  if (!cfg.advertised_listeners.empty())
    if (auto ep = runtime::parse_endpoint(
            cfg.advertised_listeners.substr(0, cfg.advertised_listeners.find(','))))
      return *ep;
  runtime::endpoint ep = cfg.kafka_listener;
  if (ep.host == "0.0.0.0" || ep.host.empty()) ep.host = "127.0.0.1";
  ep.port = bound_port;
  return ep;
}

// Whether this node hosts the coordinator: process.roles has coordinator, or a broker has no
// coordinator.connect (the single-node default).
bool hosts_coordinator(const runtime::broker_config& cfg) {
  return cfg.role_coordinator || !cfg.remote_coordinator();
}

// Starts the in-process coordinator and checks it opened its store; null if it did not.
coordinator_actor start_coordinator(caf::actor_system& sys, const runtime::broker_config& cfg) {
  auto coord = spawn_coordinator(sys, cfg.log_dirs.front() + "/__brook_meta/coordinator");
  caf::scoped_actor self{sys};
  bool ok = false;
  self->request(coord, std::chrono::seconds(30), net::coord_get_request{"/"})
      .receive([&](net::coord_response& r) { ok = r.error == net::errc::none; },
               [&](caf::error&) {});
  if (!ok) return {};
  return coord;
}

}  // namespace

int run_node(const runtime::broker_config& cfg) {
  // Signals are taken by a waiting thread; block them before CAF starts its threads.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  caf::actor_system_config sys_cfg;
  sys_cfg.add_message_types<caf::id_block::brook>();
  sys_cfg.add_message_types<caf::id_block::brook_session>();
  // Work sharing: one queue, idle workers wait on a condition variable and are woken by the
  // next message. CAF's default work stealing lets an idle worker poll with 50 us sleeps, which
  // adds up to that to every hop of a request (listener -> session -> partition -> session):
  // measured side by side, sharing fetched 1.9-2.0 M records/s where stealing fetched 1.4 M, and
  // a producer of 16 KiB batches went from 0.8-0.9 to 1.2-1.3 M records/s (docs/performance.md).
  sys_cfg.set("scheduler.policy", caf::atom("sharing"));
  caf::actor_system sys{sys_cfg};
  auto node = std::make_shared<node_context>(cfg);
  // Two threads: one partition's fsync does not hold up another's. The hold file is a test
  // hook (flushes wait while it is missing), so a test can kill -9 between append and flush.
  const char* hold = std::getenv("BROOK_TEST_FLUSH_HOLD_FILE");
  node->flusher = std::make_shared<runtime::storage::log_flusher>(2, hold ? hold : "");
  const auto& sec = cfg.security;
  node->access = std::make_shared<runtime::security::access_registry>(
      runtime::security::authorizer_settings{sec.super_users, sec.allow_everyone_if_no_acl_found},
      sec.authorizer, sec.failed_authentication_delay_ms);
  const std::string tag = cfg.role_broker
                              ? "[KafkaServer id=" + std::to_string(cfg.broker_id) + "] "
                              : "[Coordinator] ";

  std::mutex mu;
  std::condition_variable cv;
  bool supervisor_down = false;
  int signal_seen = 0;
  auto on_down = [&](const caf::error&) {
    std::lock_guard<std::mutex> g(mu);
    supervisor_down = true;
    cv.notify_all();
  };

  net::io_pool pool(cfg.io_threads);
  coordinator_actor coord;
  if (hosts_coordinator(cfg) && !(coord = start_coordinator(sys, cfg))) {
    BROOK_LOG_ERROR(tag << "the coordinator could not open its store; see errors above");
    return 1;
  }
  std::unique_ptr<net::frame_server> coord_server, server, kafka_server;
  caf::actor sup_handle;
  // A node that cannot start (a port taken, the broker not coming up) stops what it started,
  // so the actor system's destructor does not wait forever for a running coordinator.
  auto give_up_start = [&](const std::string& why) {
    BROOK_LOG_ERROR(tag << why);
    if (server) server->stop();
    if (kafka_server) kafka_server->stop();
    if (coord_server) coord_server->stop();
    if (sup_handle) caf::anon_send_exit(sup_handle, caf::exit_reason::user_shutdown);
    if (coord) caf::anon_send_exit(coord, caf::exit_reason::user_shutdown);
    pool.stop();
    return 1;
  };
  if (cfg.role_coordinator) {
    coord_server = std::make_unique<net::frame_server>(
        pool, cfg.coordinator_listener,
        net::server_options{"coordinator", cfg.socket_request_max_bytes},
        coord_session_factory(sys, coord, node->actors()));
    auto port = coord_server->start();
    if (!port) return give_up_start(port.error().message());
    // ZooKeeper's wording, which `docker-compose logs ... | grep -i binding` looks for.
    BROOK_LOG_INFO("[Coordinator] binding to port " << cfg.coordinator_listener.host << ":"
                                                    << *port);
  }
  if (coord) coord->attach_functor(on_down);

  if (cfg.role_broker) {
    broker_spec spec{cfg, node, node->directory(), cfg.native_listener.host,
                     cfg.native_listener.port};
    spec.coordinator = cfg.remote_coordinator() ? coordinator_actor{} : coord;
    spec.peers = std::make_shared<peer_connections>(net::client_security{
        sec.native_protocol, sec.truststore_location, sec.inter_broker_mechanism,
        sec.inter_broker_username, sec.inter_broker_password});
    node->peers = spec.peers;
    // One TLS context (certificate, key, trusted CAs) for whichever listeners use TLS.
    std::shared_ptr<net::tls_context> tls;
    if (runtime::uses_tls(sec.kafka_protocol) || runtime::uses_tls(sec.native_protocol)) {
      auto t = net::tls_context::server(
          {sec.keystore_location, sec.key_password, sec.truststore_location, sec.client_auth});
      if (!t) return give_up_start(t.error().message());
      tls = *t;
    }
    net::server_options opts{"native", cfg.socket_request_max_bytes};
    if (runtime::uses_tls(sec.native_protocol)) opts.tls = tls;
    server = std::make_unique<net::frame_server>(pool, cfg.native_listener, opts,
                                                 native_session_factory(sys, node));
    // Bind first so the advertised port is known (port 0 picks a free one).
    auto port = server->start();
    if (!port) return give_up_start(port.error().message());
    spec.advertised_port = *port;
    if (spec.advertised_host == "0.0.0.0") spec.advertised_host = "127.0.0.1";
    net::server_options kafka_opts{"kafka", cfg.socket_request_max_bytes};
    if (runtime::uses_tls(sec.kafka_protocol)) kafka_opts.tls = tls;
    kafka_server = std::make_unique<net::frame_server>(pool, cfg.kafka_listener, kafka_opts,
                                                       kafka_session_factory(sys, node));
    auto kafka_port = kafka_server->start();
    if (!kafka_port) return give_up_start(kafka_port.error().message());
    node->kafka_advertised = advertised_kafka_endpoint(cfg, *kafka_port);
    spec.kafka_advertised = node->kafka_advertised;

    auto sup = spawn_node_supervisor(sys, spec, node);
    sup_handle = caf::actor_cast<caf::actor>(sup);
    sup->attach_functor(on_down);
    auto gave_up = [&] {
      std::lock_guard<std::mutex> g(mu);
      return supervisor_down;
    };
    if (!wait_for_broker(sys, *node, std::chrono::seconds(60), gave_up))
      return give_up_start("broker did not come up; see errors above");
    BROOK_LOG_INFO(tag << "native protocol listening on " << cfg.native_listener.host << ":"
                       << *port << " (" << to_string(sec.native_protocol) << ")");
    BROOK_LOG_INFO(tag << "Kafka protocol listening on " << cfg.kafka_listener.host << ":"
                       << *kafka_port << " (" << to_string(sec.kafka_protocol)
                       << "), advertised as " << node->kafka_advertised.to_string());
    BROOK_LOG_INFO(tag << "started (brook.server.KafkaServer)");
  } else {
    BROOK_LOG_INFO(tag << "started (coordinator only)");
  }

  std::thread signal_waiter([&] {
    timespec poll{0, 100 * 1000 * 1000};
    for (;;) {
      int sig = sigtimedwait(&sigs, nullptr, &poll);
      std::lock_guard<std::mutex> g(mu);
      if (sig > 0) signal_seen = sig;
      if (signal_seen || supervisor_down) {
        cv.notify_all();
        return;
      }
    }
  });
  bool clean;
  {
    std::unique_lock<std::mutex> lk(mu);
    cv.wait(lk, [&] { return signal_seen || supervisor_down; });
    clean = signal_seen != 0;
  }
  signal_waiter.join();
  if (clean)
    BROOK_LOG_INFO(tag << "shutting down (signal " << signal_seen << ")");
  else
    BROOK_LOG_ERROR(tag << "supervisor gave up; exiting");
  if (server) server->stop();
  if (kafka_server) kafka_server->stop();
  if (sup_handle) {
    {
      std::lock_guard<std::mutex> g(mu);
      supervisor_down = false;
    }
    caf::anon_send_exit(sup_handle, caf::exit_reason::user_shutdown);
    std::unique_lock<std::mutex> lk(mu);
    cv.wait_for(lk, std::chrono::seconds(10), [&] { return supervisor_down; });
  }
  if (coord_server) coord_server->stop();
  if (coord) caf::anon_send_exit(coord, caf::exit_reason::user_shutdown);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let connection closes run
  pool.stop();
  if (clean) BROOK_LOG_INFO(tag << "shut down completed");
  return clean ? 0 : 1;
}

}  // namespace brook::actors
