#pragma once
// Spawning the broker actor (contract: actors/interfaces/broker.hpp). It registers the broker in
// the coordinator, keeps the metadata cache, and supervises this broker's partition actors, group
// coordinator and controller (monitored, restarted with backoff; see broker_internal.hpp).
// Losing the coordinator ends it with an error: its supervisor (actors/node/) starts a new one.
// Its children end when it ends.
#include <memory>

#include "actors/interfaces/broker.hpp"
#include "actors/interfaces/coordinator.hpp"
#include "runtime/config.hpp"

namespace brook::actors {

class node_context;
class partition_directory;
class peer_connections;

struct broker_spec {
  runtime::broker_config config;
  std::shared_ptr<node_context> node;  // where the broker publishes its group coordinator
  std::shared_ptr<partition_directory> directory;
  std::string advertised_host;  // what metadata says about this broker's native listener
  uint16_t advertised_port = 0;
  runtime::endpoint kafka_advertised;  // what Kafka metadata says about this broker
  /// The in-process coordinator; when null, the config names a remote one (coordinator.connect)
  /// or a ZooKeeper ensemble (zookeeper.connect).
  coordinator_actor coordinator;
  std::shared_ptr<peer_connections> peers;  // connections to the other brokers
};

/// Spawns the broker. It registers with the coordinator, loads the cluster metadata and spawns
/// the partition actors of the replicas assigned to it.
broker_actor spawn_broker(caf::actor_system& sys, broker_spec spec);

/// How the broker's exit reason begins when it quits because its coordinator connection ended:
/// not a fault of its own, so its supervisor restarts it without ever giving up.
constexpr const char* lost_coordinator_reason = "lost the coordinator";

/// Kafka's legal topic names: [a-zA-Z0-9._-]{1,249}, not "." or "..". check_topic_name says
/// why not with Kafka's message (errc::invalid_topic, INVALID_TOPIC_EXCEPTION).
runtime::status check_topic_name(const std::string& name);
bool valid_topic_name(const std::string& name);

}  // namespace brook::actors
