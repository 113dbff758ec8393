#pragma once
// Cluster metadata: what brokers and the controller keep in the metadata coordinator (values are
// msgpack of these structs), and the messages between a broker and its partition actors about
// roles. Layout of the coordinator's tree (docs/architecture.md):
//   /brokers/ids/<id>              ephemeral, broker_info (native and Kafka endpoints)
//   /brokers/topics/<topic>        topic_definition (partition count, overrides, replicas)
//   /brokers/topics/<topic>/<p>    partition_state (leader, leader epoch, ISR)
//   /brokers/producer_id_block     next unreserved producer id (decimal text)
//   /controller                    ephemeral, the controller's broker id (decimal text)
#include <algorithm>
#include <cstdint>
#include <map>
#include <msgpack.hpp>
#include <string>
#include <vector>

#include "net/native_messages.hpp"
#include "runtime/status.hpp"

namespace brook::net {

namespace cluster_paths {
inline const std::string broker_ids = "/brokers/ids";
inline const std::string topics = "/brokers/topics";
inline const std::string controller = "/controller";
inline const std::string producer_id_block = "/brokers/producer_id_block";
inline std::string broker(int32_t id) { return broker_ids + "/" + std::to_string(id); }
inline std::string topic(const std::string& name) { return topics + "/" + name; }
inline std::string partition(const std::string& name, int32_t p) {
  return topic(name) + "/" + std::to_string(p);
}
// Dynamic broker configs (a packed map of broker-level keys): one broker's, or with an empty
// name those of every broker ("<default>", as Kafka names it).
inline const std::string broker_configs = "/config/brokers";
inline std::string broker_config(const std::string& id) {
  return broker_configs + "/" + (id.empty() ? "<default>" : id);
}
}  // namespace cluster_paths

/// A topic as created: changes only to be marked `deleting` before it is removed.
struct topic_definition {
  int32_t partitions = 0;
  std::map<std::string, std::string> configs;  // topic-level overrides
  std::vector<std::vector<int32_t>> replicas;  // per partition; the first is the preferred leader
  bool deleting = false;  // set first when the topic is deleted: the controller leaves it alone
  MSGPACK_DEFINE(partitions, configs, replicas, deleting)
};

/// One partition's leadership. Written by the controller (elections) and by the leader (ISR
/// changes), always as a compare-and-set on the node's version.
struct partition_state {
  int32_t leader = -1;  // -1: offline (no live in-sync replica)
  int32_t leader_epoch = 0;
  std::vector<int32_t> isr;
  MSGPACK_DEFINE(leader, leader_epoch, isr)
};

/// broker -> partition actor: this replica's role from the latest metadata.
struct partition_role {
  int32_t broker_id = -1;  // this broker
  partition_state state;
  std::vector<int32_t> replicas;
  broker_info leader;  // endpoints of the leader (id -1 when there is none)
};

/// partition leader -> broker: write this ISR for the partition, if the leader epoch still holds.
struct alter_isr_request {
  std::string topic;
  int32_t partition = 0;
  int32_t leader_epoch = 0;
  std::vector<int32_t> isr;
};

/// replica fetch I/O -> follower partition actor: the leader's answer to fetch `generation`.
struct replica_fetch_result {
  uint64_t generation = 0;
  fetch_response resp;
};

/// Whether broker `id` is in a replica list (replicas, ISR).
inline bool has_replica(const std::vector<int32_t>& list, int32_t id) {
  return std::find(list.begin(), list.end(), id) != list.end();
}

/// "[1,2,3]", for logs.
inline std::string format_replicas(const std::vector<int32_t>& list) {
  std::string s = "[";
  for (size_t i = 0; i < list.size(); ++i) s += (i ? "," : "") + std::to_string(list[i]);
  return s + "]";
}

/// Encodes a coordinator value.
template <class T>
std::string pack_value(const T& v) {
  msgpack::sbuffer buf;
  msgpack::pack(buf, v);
  return std::string(buf.data(), buf.size());
}

/// Decodes a coordinator value; a value that does not fit T is errc::corrupt_message.
template <class T>
runtime::result<T> unpack_value(const std::string& s) {
  try {
    auto h = msgpack::unpack(s.data(), s.size());
    T out;
    h.get().convert(out);
    return out;
  } catch (const std::exception& e) {
    return runtime::status{errc::corrupt_message, std::string("bad cluster metadata value: ") + e.what()};
  }
}

}  // namespace brook::net
