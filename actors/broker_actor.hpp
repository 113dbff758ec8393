#pragma once
// The broker actor: registers the broker in the metadata coordinator (ephemeral
// /brokers/ids/<id> on a heartbeated session), keeps a metadata cache in sync with it through
// watches (brokers, controller, topics, partition states), runs one supervised partition actor
// per replica hosted here and tells it its role, answers metadata, creates and deletes topics
// in the coordinator, hands out producer ids from coordinator-reserved blocks, and handles the
// admin kill message. It also runs this broker's controller actor and group coordinator.
// It monitors its partition actors: a crash restarts the partition from its log on disk after a
// backoff (0 ms for the first crash, then 100, 200, 400, 800 ms); the 6th crash within 60 s marks
// the partition OFFLINE and is logged as an error. The group coordinator restarts 100 ms after a
// crash. Losing the coordinator session ends the broker with an error (its supervisor restarts
// it, which registers again). Its children end when the broker ends.
#include <memory>

#include "actors/interfaces.hpp"
#include "actors/partition_directory.hpp"
#include "runtime/config.hpp"

namespace brook::actors {

class node_context;
class peer_connections;

struct broker_spec {
  runtime::broker_config config;
  std::shared_ptr<node_context> node;  // where the broker publishes its group coordinator
  std::shared_ptr<partition_directory> directory;
  std::string advertised_host;  // what metadata says about this broker's native listener
  uint16_t advertised_port = 0;
  runtime::endpoint kafka_advertised;  // what Kafka metadata says about this broker
  /// The in-process coordinator; when null, config.coordinator_connect names a remote one.
  coordinator_actor coordinator;
  std::shared_ptr<peer_connections> peers;  // connections to the other brokers
};

/// Spawns the broker. It registers with the coordinator, loads the cluster metadata and spawns
/// the partition actors of the replicas assigned to it.
broker_actor spawn_broker(caf::actor_system& sys, broker_spec spec);

/// Kafka's legal topic names: [a-zA-Z0-9._-]{1,249}, not "." or "..".
bool valid_topic_name(const std::string& name);

}  // namespace brook::actors
