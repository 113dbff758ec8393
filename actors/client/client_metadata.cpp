#include "actors/client/client_metadata.hpp"

#include <sstream>
#include <thread>

#include "net/group_messages.hpp"

namespace brook::client {

using runtime::errc;
using runtime::status;

runtime::result<std::vector<runtime::endpoint>> parse_bootstrap(const std::string& servers) {
  std::vector<runtime::endpoint> out;
  std::stringstream ss(servers);
  for (std::string s; std::getline(ss, s, ',');) {
    if (s.empty()) continue;
    auto ep = runtime::parse_endpoint(s);
    if (!ep) return status{errc::invalid_config, "bad bootstrap server '" + s + "'"};
    out.push_back(*ep);
  }
  if (out.empty()) return status{errc::invalid_config, "no bootstrap servers given"};
  return out;
}

client_metadata::client_metadata(std::vector<runtime::endpoint> bootstrap,
                                 std::chrono::milliseconds timeout, net::client_security security)
    : bootstrap_(std::move(bootstrap)), timeout_(timeout), security_(std::move(security)) {}

runtime::result<std::shared_ptr<net::native_client>> client_metadata::any_connection() {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (bootstrap_conn_ && bootstrap_conn_->is_open()) return bootstrap_conn_;
  }
  status last{errc::network_error, "no bootstrap server"};
  for (const auto& ep : bootstrap_) {
    auto c = net::native_client::connect(ep, timeout_, security_);
    if (c) {
      std::lock_guard<std::mutex> g(mu_);
      bootstrap_conn_ = *c;
      return *c;
    }
    last = c.error();
  }
  return last;
}

runtime::result<std::shared_ptr<net::native_client>> client_metadata::coordinator_connection(
    const std::string& group, std::chrono::milliseconds max_wait) {
  {
    std::lock_guard<std::mutex> g(mu_);
    auto it = coordinators_.find(group);
    if (it != coordinators_.end() && it->second->is_open()) return it->second;
  }
  auto deadline = std::chrono::steady_clock::now() + max_wait;
  for (;;) {
    status last;
    auto conn = any_connection();
    if (!conn) {
      last = conn.error();
    } else {
      auto r = (*conn)->call<net::find_coordinator_response>(
          net::native_type::find_coordinator, net::find_coordinator_request{group}, timeout_);
      if (!r) {
        last = r.error();
      } else if (r->error != errc::none) {
        last = status{r->error, "no coordinator for group " + group + ": " + r->message};
      } else {
        auto c = net::native_client::connect({r->coordinator.host, r->coordinator.port}, timeout_,
                                             security_);
        if (c) {
          std::lock_guard<std::mutex> g(mu_);
          coordinators_[group] = *c;
          return *c;
        }
        last = c.error();
      }
    }
    bool retriable = last.code() == errc::network_error || runtime::is_retriable(last.code());
    if (!retriable || std::chrono::steady_clock::now() >= deadline) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void client_metadata::forget_coordinator(const std::string& group) {
  std::lock_guard<std::mutex> g(mu_);
  coordinators_.erase(group);
}

bool client_metadata::coordinator_moved(errc e) {
  return e == errc::not_coordinator || e == errc::coordinator_not_available ||
         e == errc::network_error;
}

runtime::result<net::metadata_response> client_metadata::fetch(
    const std::vector<std::string>& topics, bool auto_create) {
  auto conn = any_connection();
  if (!conn) return conn.error();
  net::metadata_request req{topics, topics.empty(), auto_create};
  auto resp = (*conn)->call<net::metadata_response>(net::native_type::metadata, req, timeout_);
  if (!resp) return resp.error();
  std::lock_guard<std::mutex> g(mu_);
  for (const auto& b : resp->brokers) brokers_[b.id] = runtime::endpoint{b.host, b.port};
  for (const auto& t : resp->topics) {
    if (t.error != errc::none) continue;
    topic_meta m;
    m.partitions = int32_t(t.partitions.size());
    for (const auto& p : t.partitions) m.leaders.push_back(p.leader);
    if (auto it = t.configs.find("urgency"); it != t.configs.end())
      if (auto u = runtime::parse_urgency(it->second)) m.urgency_class = *u;
    topics_[t.name] = std::move(m);
  }
  return resp;
}

runtime::result<topic_meta> client_metadata::topic(const std::string& topic, bool allow_auto_create,
                                                   std::chrono::milliseconds max_wait) {
  auto deadline = std::chrono::steady_clock::now() + max_wait;
  for (;;) {
    {
      std::lock_guard<std::mutex> g(mu_);
      if (auto* m = fresh(topic)) return *m;
    }
    status err;
    auto resp = fetch({topic}, allow_auto_create);
    if (resp) {
      for (const auto& t : resp->topics)
        if (t.name == topic && t.error != errc::none)
          err =
              status{t.error, "topic '" + topic + "': " + std::string(runtime::to_string(t.error))};
    } else {
      err = resp.error();
    }
    {
      std::lock_guard<std::mutex> g(mu_);
      auto it = topics_.find(topic);
      if (err.is_ok() && it != topics_.end()) {
        stale_[topic] = false;
        return it->second;
      }
      if (it != topics_.end()) return it->second;  // stale beats nothing
    }
    if (err.is_ok())
      err = status{errc::unknown_topic_or_partition, "topic '" + topic + "' not in metadata"};
    bool retriable =
        runtime::is_retriable(err.code()) && err.code() != errc::unknown_topic_or_partition;
    if (!retriable || std::chrono::steady_clock::now() >= deadline) return err;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

const topic_meta* client_metadata::fresh(const std::string& topic) const {
  auto it = topics_.find(topic);
  if (it == topics_.end()) return nullptr;
  auto stale = stale_.find(topic);
  return stale != stale_.end() && stale->second ? nullptr : &it->second;
}

runtime::result<topic_shape> client_metadata::shape(const std::string& topic,
                                                    bool allow_auto_create,
                                                    std::chrono::milliseconds max_wait) {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (auto* m = fresh(topic)) return topic_shape{m->partitions, m->urgency_class};
  }
  auto m = this->topic(topic, allow_auto_create, max_wait);
  if (!m) return m.error();
  return topic_shape{m->partitions, m->urgency_class};
}

std::optional<topic_meta> client_metadata::cached(const std::string& topic) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = topics_.find(topic);
  if (it == topics_.end()) return std::nullopt;
  return it->second;
}

void client_metadata::invalidate(const std::string& topic) {
  std::lock_guard<std::mutex> g(mu_);
  stale_[topic] = true;
}

runtime::result<std::shared_ptr<net::native_client>> client_metadata::connection_to(int32_t broker,
                                                                                    lane l) {
  runtime::endpoint ep;
  {
    std::lock_guard<std::mutex> g(mu_);
    auto key = std::make_pair(broker, int(l));
    if (auto it = conns_.find(key); it != conns_.end() && it->second->is_open()) return it->second;
    auto b = brokers_.find(broker);
    if (b == brokers_.end())
      return status{errc::leader_not_available, "unknown broker " + std::to_string(broker)};
    ep = b->second;
  }
  auto c = net::native_client::connect(ep, timeout_, security_);
  if (!c) return c.error();
  std::lock_guard<std::mutex> g(mu_);
  conns_[{broker, int(l)}] = *c;
  return *c;
}

runtime::result<std::shared_ptr<net::native_client>> client_metadata::leader_connection(
    const std::string& topic, int32_t partition, lane l) {
  auto m = this->topic(topic, false);
  if (!m) return m.error();
  if (partition < 0 || partition >= m->partitions)
    return status{errc::unknown_topic_or_partition,
                  "partition " + std::to_string(partition) + " of '" + topic + "' does not exist"};
  int32_t leader = m->leaders[size_t(partition)];
  if (leader < 0) {
    invalidate(topic);
    return status{errc::leader_not_available,
                  "no leader for " + topic + "-" + std::to_string(partition)};
  }
  return connection_to(leader, l);
}

}  // namespace brook::client
