#pragma once
// The broker actor: the topic registry (persisted under <log.dir>/__brook_meta/topics), one
// supervised partition actor per hosted partition, metadata answers, and the admin kill message.
// It monitors its partition actors: a crash restarts the partition from its log on disk after a
// backoff (0 ms for the first crash, then 100, 200, 400, 800 ms); the 6th crash within 60 s marks
// the partition OFFLINE and is logged as an error. It also runs the group coordinator, restarted
// 100 ms after a crash. Its children end when the broker ends.
#include <memory>

#include "actors/interfaces.hpp"
#include "actors/partition_directory.hpp"
#include "runtime/config.hpp"

namespace brook::actors {

class node_context;

struct broker_spec {
  runtime::broker_config config;
  std::shared_ptr<node_context> node;  // where the broker publishes its group coordinator
  std::shared_ptr<partition_directory> directory;
  std::string advertised_host;  // what metadata says about this broker's native listener
  uint16_t advertised_port = 0;
};

/// Spawns the broker. It loads the persisted topics and spawns their partition actors; if the
/// log directory cannot be used it quits with an error.
broker_actor spawn_broker(caf::actor_system& sys, broker_spec spec);

/// Kafka's legal topic names: [a-zA-Z0-9._-]{1,249}, not "." or "..".
bool valid_topic_name(const std::string& name);

}  // namespace brook::actors
