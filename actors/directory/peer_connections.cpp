#include "actors/directory/peer_connections.hpp"

#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/native_client.hpp"
#include "runtime/log.hpp"

namespace brook::actors {

struct peer_connections::impl {
  struct entry {
    std::string address;  // host:port the connection is (being) made to
    std::shared_ptr<net::native_client> conn;
    bool connecting = false;
  };
  std::mutex mu;
  std::map<std::pair<int32_t, std::string>, entry> peers;
  bool closed = false;
  net::client_security security;
};

peer_connections::peer_connections(net::client_security security)
    : impl_(std::make_shared<impl>()) {
  impl_->security = std::move(security);
}
peer_connections::~peer_connections() {
  close_all();
}

std::shared_ptr<net::native_client> peer_connections::get(const net::broker_info& b,
                                                          const std::string& channel) {
  runtime::endpoint ep{b.host, b.port};
  auto address = ep.to_string();
  std::lock_guard<std::mutex> g(impl_->mu);
  if (impl_->closed) return nullptr;
  auto key = std::make_pair(b.id, channel);
  auto& e = impl_->peers[key];
  if (e.address != address && e.conn) {
    e.conn->close();
    e.conn.reset();
  }
  e.address = address;
  if (e.conn && e.conn->is_open()) return e.conn;
  if (e.connecting) return nullptr;
  e.connecting = true;
  // The thread holds the shared state, so it may finish after this object is gone.
  std::thread([state = impl_, key, ep, address] {
    auto c = net::native_client::connect(ep, std::chrono::milliseconds(1000), state->security);
    std::lock_guard<std::mutex> g(state->mu);
    auto& e = state->peers[key];
    e.connecting = false;
    if (!c) {
      if (c.error().code() == runtime::errc::sasl_authentication_failed)
        BROOK_LOG_ERROR("cannot log in to broker " << key.first << " at " << address << ": "
                                                   << c.error().message());
      BROOK_LOG_DEBUG("cannot connect to broker " << key.first << " at " << address << ": "
                                                  << c.error().to_string());
      return;
    }
    if (state->closed || e.address != address) {
      (*c)->close();
      return;
    }
    e.conn = std::move(*c);
  }).detach();
  return nullptr;
}

void peer_connections::drop(const std::string& channel) {
  std::vector<std::shared_ptr<net::native_client>> dropped;
  {
    std::lock_guard<std::mutex> g(impl_->mu);
    for (auto& [key, e] : impl_->peers)
      if (key.second == channel && e.conn) dropped.push_back(std::move(e.conn));
  }
  for (auto& c : dropped) c->close();
}

void peer_connections::close_all() {
  std::map<std::pair<int32_t, std::string>, impl::entry> peers;
  {
    std::lock_guard<std::mutex> g(impl_->mu);
    impl_->closed = true;
    peers.swap(impl_->peers);
  }
  for (auto& [key, e] : peers)
    if (e.conn) e.conn->close();
}

}  // namespace brook::actors
