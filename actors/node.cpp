#include "actors/node.hpp"

#include <caf/all.hpp>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <functional>
#include <thread>

#include "actors/kafka_session.hpp"
#include "actors/native_session.hpp"
#include "actors/node_supervisor.hpp"
#include "net/frame_server.hpp"
#include "runtime/log.hpp"

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
runtime::endpoint advertised_kafka_endpoint(const runtime::broker_config& cfg, uint16_t bound_port) {
  if (!cfg.advertised_listeners.empty())
    if (auto ep = runtime::parse_endpoint(cfg.advertised_listeners.substr(0, cfg.advertised_listeners.find(','))))
      return *ep;
  runtime::endpoint ep = cfg.kafka_listener;
  if (ep.host == "0.0.0.0" || ep.host.empty()) ep.host = "127.0.0.1";
  ep.port = bound_port;
  return ep;
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
  caf::actor_system sys{sys_cfg};
  auto node = std::make_shared<node_context>(cfg);

  std::mutex mu;
  std::condition_variable cv;
  bool supervisor_down = false;
  int signal_seen = 0;

  broker_spec spec{cfg, node, node->directory(), cfg.native_listener.host, cfg.native_listener.port};
  net::io_pool pool(cfg.io_threads);
  net::server_options opts{"native", cfg.socket_request_max_bytes};
  net::frame_server server(pool, cfg.native_listener, opts, native_session_factory(sys, node));
  // Bind first so the advertised port is known (port 0 picks a free one).
  auto port = server.start();
  if (!port) {
    BROOK_LOG_ERROR("[KafkaServer id=" << cfg.broker_id << "] " << port.error().message());
    return 1;
  }
  spec.advertised_port = *port;
  if (spec.advertised_host == "0.0.0.0") spec.advertised_host = "127.0.0.1";
  net::frame_server kafka_server(pool, cfg.kafka_listener, net::server_options{"kafka", cfg.socket_request_max_bytes},
                                 kafka_session_factory(sys, node));
  auto kafka_port = kafka_server.start();
  if (!kafka_port) {
    BROOK_LOG_ERROR("[KafkaServer id=" << cfg.broker_id << "] " << kafka_port.error().message());
    return 1;
  }
  node->kafka_advertised = advertised_kafka_endpoint(cfg, *kafka_port);

  auto sup = spawn_node_supervisor(sys, spec, node);
  sup->attach_functor([&](const caf::error&) {
    std::lock_guard<std::mutex> g(mu);
    supervisor_down = true;
    cv.notify_all();
  });
  auto gave_up = [&] {
    std::lock_guard<std::mutex> g(mu);
    return supervisor_down;
  };
  if (!wait_for_broker(sys, *node, std::chrono::seconds(60), gave_up)) {
    BROOK_LOG_ERROR("[KafkaServer id=" << cfg.broker_id << "] broker did not come up; see errors above");
    server.stop();
    caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
    pool.stop();
    return 1;
  }
  BROOK_LOG_INFO("[KafkaServer id=" << cfg.broker_id << "] native protocol listening on "
                                    << cfg.native_listener.host << ":" << *port);
  BROOK_LOG_INFO("[KafkaServer id=" << cfg.broker_id << "] Kafka protocol listening on "
                                    << cfg.kafka_listener.host << ":" << *kafka_port << ", advertised as "
                                    << node->kafka_advertised.to_string());
  BROOK_LOG_INFO("[KafkaServer id=" << cfg.broker_id << "] started (brook.server.KafkaServer)");

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
    BROOK_LOG_INFO("[KafkaServer id=" << cfg.broker_id << "] shutting down (signal " << signal_seen << ")");
  else
    BROOK_LOG_ERROR("[KafkaServer id=" << cfg.broker_id << "] supervisor gave up; exiting");
  server.stop();
  kafka_server.stop();
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  {
    std::unique_lock<std::mutex> lk(mu);
    cv.wait_for(lk, std::chrono::seconds(10), [&] { return supervisor_down; });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let connection closes run
  pool.stop();
  if (clean) BROOK_LOG_INFO("[KafkaServer id=" << cfg.broker_id << "] shut down completed");
  return clean ? 0 : 1;
}

}  // namespace brook::actors
