#pragma once
// What connection sessions need to reach the node's actors. The broker handle changes when the
// node supervisor restarts the broker, so it is read under a lock.
#include <memory>
#include <mutex>

#include "actors/directory/actor_registry.hpp"
#include "actors/directory/peer_connections.hpp"
#include "actors/directory/partition_directory.hpp"
#include "actors/interfaces/broker.hpp"
#include "actors/interfaces/group.hpp"
#include "runtime/config.hpp"

namespace brook::runtime::storage {
class log_flusher;
}
namespace brook::runtime::security {
class access_registry;
}

namespace brook::actors {

class node_context {
 public:
  explicit node_context(runtime::broker_config cfg)
      : config(std::move(cfg)),
        directory_(std::make_shared<partition_directory>()),
        actors_(std::make_shared<actor_registry>()) {}

  /// Set once at start-up, before any listener accepts; read-only afterwards.
  const runtime::broker_config config;
  runtime::endpoint kafka_advertised;  // what Kafka Metadata says about this broker
  const std::shared_ptr<partition_directory>& directory() const { return directory_; }
  /// What `brook admin actors` lists and `brook admin kill` crashes.
  const std::shared_ptr<actor_registry>& actors() const { return actors_; }
  broker_actor broker() const {
    std::lock_guard<std::mutex> g(mu_);
    return broker_;
  }
  void set_broker(broker_actor b) {
    std::lock_guard<std::mutex> g(mu_);
    broker_ = std::move(b);
  }
  /// Dynamic broker configs (AlterConfigs on a broker resource) in force on this broker, by
  /// broker-level key: those set for every broker and those set for this one. The broker actor
  /// keeps them up to date; DescribeConfigs reads them.
  struct dynamic_configs {
    runtime::properties cluster_default;
    runtime::properties own;
  };
  dynamic_configs broker_dynamic_configs() const {
    std::lock_guard<std::mutex> g(mu_);
    return dynamic_;
  }
  void set_broker_dynamic_configs(dynamic_configs d) {
    std::lock_guard<std::mutex> g(mu_);
    dynamic_ = std::move(d);
  }
  /// Connections to the other brokers (replica fetches, transaction markers); null on a node
  /// without a broker. Set once at start-up.
  std::shared_ptr<peer_connections> peers;
  /// Where the partition actors' fsyncs run (runtime/storage/log_flusher.hpp). Set once at
  /// start-up.
  std::shared_ptr<runtime::storage::log_flusher> flusher;
  /// Users and ACLs (runtime/security/access.hpp), kept up to date by the broker actor from the
  /// coordinator; listeners log clients in and sessions authorize requests against them. Set
  /// once at start-up.
  std::shared_ptr<runtime::security::access_registry> access;
  group_coordinator_actor group_coordinator() const {
    std::lock_guard<std::mutex> g(mu_);
    return coordinator_;
  }
  void set_group_coordinator(group_coordinator_actor c) {
    std::lock_guard<std::mutex> g(mu_);
    coordinator_ = std::move(c);
  }

 private:
  std::shared_ptr<partition_directory> directory_;
  std::shared_ptr<actor_registry> actors_;
  mutable std::mutex mu_;
  broker_actor broker_;
  group_coordinator_actor coordinator_;
  dynamic_configs dynamic_;
};

}  // namespace brook::actors
