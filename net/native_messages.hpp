#pragma once
// Native protocol messages (docs/protocol.md). Each struct is defined once here with its msgpack
// layout; it is msgpack-encoded when it leaves the process and passed as a C++ object inside it.
// Frame: [u32 BE length][msgpack array: type, correlation_id, body].
#include <cstdint>
#include <map>
#include <optional>
#include <msgpack.hpp>
#include <string>
#include <vector>

#include "runtime/bytes.hpp"
#include "runtime/errc.hpp"
#include "runtime/file_slice.hpp"

MSGPACK_ADD_ENUM(brook::runtime::errc);

namespace brook::net {

using runtime::errc;

/// Request types; a response carries the request's type with response_flag set.
enum class native_type : uint16_t {
  error = 0,
  produce = 1,
  fetch = 2,
  metadata = 3,
  list_offsets = 4,
  create_topic = 5,
  delete_topic = 6,
  kill_actor = 7,
  init_producer_id = 8,
  join_group = 9,
  sync_group = 10,
  heartbeat = 11,
  leave_group = 12,
  offset_commit = 13,
  offset_fetch = 14,
  list_groups = 15,
  describe_groups = 16,
  // metadata coordinator (net/coord_messages.hpp), served on coordinator.listeners
  coord_create = 17,
  coord_get = 18,
  coord_set = 19,
  coord_delete = 20,
  coord_children = 21,
  coord_session_open = 22,
  coord_session = 23,
  coord_watch = 24,    // coord_watch_request -> coord_response; events follow as coord_event
  coord_unwatch = 25,  // coord_watch_request -> coord_response
  coord_event = 26,    // coordinator -> client push (correlation id 0): coord_watch_event
  // chaos testing, on a broker's native listener and on coordinator.listeners
  list_actors = 27,  // list_actors_request -> list_actors_response
  // consumer groups: which broker coordinates a group (net/group_messages.hpp)
  find_coordinator = 28,  // find_coordinator_request -> find_coordinator_response
  // topic administration beyond create and delete
  create_partitions = 29,  // create_partitions_request -> status_response
  // consumer groups: deleting groups and committed offsets (net/group_messages.hpp)
  delete_groups = 30,  // delete_groups_request -> delete_groups_response
  offset_delete = 31,  // offset_delete_request -> offset_delete_response
  // dynamic configs, deleting records, where partitions are stored
  alter_configs = 32,      // alter_configs_request -> status_response
  delete_records = 33,     // delete_records_request -> delete_records_response
  describe_log_dirs = 34,  // describe_log_dirs_request -> describe_log_dirs_response
  // transactions: a coordinator -> partition leaders
  write_txn_marker = 35,  // write_txn_marker_request -> produce_response
  // security (net/security_messages.hpp)
  alter_user = 36,      // alter_user_request -> status_response
  describe_users = 37,  // describe_users_request -> describe_users_response
  create_acls = 38,     // create_acls_request -> acls_response
  delete_acls = 39,     // delete_acls_request -> acls_response
  describe_acls = 40,   // describe_acls_request -> acls_response
  // a SASL native listener's login, before any other request (net/security_messages.hpp)
  sasl_handshake = 41,     // sasl_handshake_request -> sasl_handshake_response
  sasl_authenticate = 42,  // sasl_authenticate_request -> sasl_authenticate_response
};
constexpr uint16_t response_flag = 0x8000;
constexpr int16_t acks_all = -1;
constexpr int64_t latest_timestamp = -1;    // list_offsets: the log end offset
constexpr int64_t earliest_timestamp = -2;  // list_offsets: the log start offset

/// client -> broker: RecordBatch v2 for one partition: one, or several back to back (the native
/// producer packs the batches of a partition that are ready together into one request; the Kafka
/// listener passes exactly one, Kafka's rule). acks 0: no response frame at all.
struct produce_request {
  std::string topic;
  int32_t partition = 0;
  int16_t acks = 1;
  int32_t timeout_ms = 30000;
  runtime::bytes batch;
  MSGPACK_DEFINE(topic, partition, acks, timeout_ms, batch)
};

/// broker -> client: where the batch landed, or why it did not. For a request of several batches:
/// `base_offsets` has each one's base offset, in order; an error is the whole request's.
struct produce_response {
  errc error = errc::none;
  std::string message;
  int64_t base_offset = -1;
  int64_t log_start_offset = -1;
  std::vector<int64_t> base_offsets;
  MSGPACK_DEFINE(error, message, base_offset, log_start_offset, base_offsets)
};

/// client -> broker: stored batches from `offset`; parked up to max_wait_ms until min_bytes exist.
/// fetch_request::replica_id of the group coordinator loading the __consumer_offsets partition it
/// now leads: everything in the log, also above the high watermark (Kafka's debugging replica id).
constexpr int32_t log_end_reader = -2;

struct fetch_request {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int32_t max_bytes = 1048576;
  int32_t min_bytes = 1;
  int32_t max_wait_ms = 500;
  /// Replication (follower -> leader); consumers leave the defaults. replica_id: the fetching
  /// broker (-1 for a consumer, which never reads past the high watermark; log_end_reader for a
  /// reader in the leader's own broker that reads to the log end); leader_epoch: the
  /// epoch the fetcher believes current (-1: unchecked); last_fetched_epoch: the epoch of the
  /// fetcher's last batch, to detect diverging logs (-1: none).
  int32_t replica_id = -1;
  int32_t leader_epoch = -1;
  int32_t last_fetched_epoch = -1;
  /// A follower's log start offset, so the leader knows when DeleteRecords reached it (-1: a
  /// consumer).
  int64_t log_start_offset = -1;
  /// 0 read_uncommitted (up to the high watermark), 1 read_committed (up to the last stable
  /// offset, with the aborted transactions the reader must skip).
  int8_t isolation_level = 0;
  /// In-process only (not on the wire): the asker writes the records with sendfile(2), so the
  /// leader may answer with record_files instead of reading the records into memory.
  bool send_files = false;
  MSGPACK_DEFINE(topic, partition, offset, max_bytes, min_bytes, max_wait_ms, replica_id,
                 leader_epoch, last_fetched_epoch, log_start_offset, isolation_level)
};

/// An aborted transaction a read_committed reader skips: its producer's records from
/// first_offset up to its abort marker.
struct aborted_transaction {
  int64_t producer_id = -1;
  int64_t first_offset = -1;
  MSGPACK_DEFINE(producer_id, first_offset)
};

/// broker -> client: whole stored batches, byte-for-byte as on disk.
struct fetch_response {
  errc error = errc::none;
  std::string message;
  int64_t high_watermark = -1;
  int64_t log_start_offset = -1;
  runtime::bytes records;
  /// To a follower whose log diverges from the leader's: truncate to diverging_end_offset (the
  /// end of diverging_epoch on the leader) before fetching again. -1 when the logs agree.
  int32_t diverging_epoch = -1;
  int64_t diverging_end_offset = -1;
  int64_t last_stable_offset = -1;  // below it every transaction is decided
  std::vector<aborted_transaction> aborted;  // read_committed: those overlapping the records
  /// In-process only, for a fetch_request with send_files: the records as ranges of the log's
  /// files (then `records` is empty).
  std::vector<runtime::file_slice> record_files;
  size_t records_size() const { return records.size() + runtime::total_size(record_files); }
  MSGPACK_DEFINE(error, message, high_watermark, log_start_offset, records, diverging_epoch,
                 diverging_end_offset, last_stable_offset, aborted)
};

/// A fetch_response read without copying its records (the same fields; the consumer's hot
/// path): `records` points into the frame it was decoded from, which must outlive it
/// (decode_frame with the payload handed over).
struct fetch_response_view {
  errc error = errc::none;
  std::string message;
  int64_t high_watermark = -1;
  int64_t log_start_offset = -1;
  msgpack::type::raw_ref records;
  int32_t diverging_epoch = -1;
  int64_t diverging_end_offset = -1;
  int64_t last_stable_offset = -1;
  std::vector<aborted_transaction> aborted;
  MSGPACK_DEFINE(error, message, high_watermark, log_start_offset, records, diverging_epoch,
                 diverging_end_offset, last_stable_offset, aborted)
};

/// client -> broker: topics to describe (all when `all_topics`); may auto-create missing ones.
struct metadata_request {
  std::vector<std::string> topics;
  bool all_topics = false;
  bool allow_auto_create = true;
  MSGPACK_DEFINE(topics, all_topics, allow_auto_create)
};

/// A live broker: its native endpoint (host, port) and its Kafka endpoint.
struct broker_info {
  int32_t id = 0;
  std::string host;
  uint16_t port = 0;
  std::string kafka_host;
  uint16_t kafka_port = 0;
  MSGPACK_DEFINE(id, host, port, kafka_host, kafka_port)
};

struct partition_info {
  int32_t partition = 0;
  errc error = errc::none;
  int32_t leader = -1;
  int32_t leader_epoch = 0;
  std::vector<int32_t> replicas;
  std::vector<int32_t> isr;
  MSGPACK_DEFINE(partition, error, leader, leader_epoch, replicas, isr)
};

struct topic_info {
  std::string name;
  errc error = errc::none;
  std::vector<partition_info> partitions;
  std::map<std::string, std::string> configs;  // every effective topic-level setting
  std::vector<std::string> overrides;          // the keys set for this topic (not defaults)
  MSGPACK_DEFINE(name, error, partitions, configs, overrides)
};

/// broker -> client: brokers, controller and the requested topics.
struct metadata_response {
  std::vector<broker_info> brokers;
  int32_t controller_id = -1;
  std::vector<topic_info> topics;
  MSGPACK_DEFINE(brokers, controller_id, topics)
};

/// client -> broker: offset for a timestamp (or latest_timestamp / earliest_timestamp).
struct list_offsets_request {
  std::string topic;
  int32_t partition = 0;
  int64_t timestamp = latest_timestamp;
  /// 1 (read_committed): "latest" is the last stable offset instead of the high watermark.
  int8_t isolation_level = 0;
  MSGPACK_DEFINE(topic, partition, timestamp, isolation_level)
};

struct list_offsets_response {
  errc error = errc::none;
  std::string message;
  int64_t offset = -1;
  int64_t timestamp = -1;
  MSGPACK_DEFINE(error, message, offset, timestamp)
};

/// client -> broker: create a topic; partitions/replication_factor -1 mean the broker defaults.
struct create_topic_request {
  std::string name;
  int32_t partitions = -1;
  int16_t replication_factor = -1;
  std::map<std::string, std::string> configs;
  bool validate_only = false;  // check everything, create nothing
  MSGPACK_DEFINE(name, partitions, replication_factor, configs, validate_only)
};

/// client -> broker: grow a topic to `count` partitions. `assignments` (empty: chosen as at
/// creation) holds the replicas of each new partition, the first the preferred leader.
struct create_partitions_request {
  std::string name;
  int32_t count = 0;
  std::vector<std::vector<int32_t>> assignments;
  bool validate_only = false;
  MSGPACK_DEFINE(name, count, assignments, validate_only)
};

/// client -> broker: delete a topic and its data.
struct delete_topic_request {
  std::string name;
  MSGPACK_DEFINE(name)
};

/// admin client -> broker: crash an actor (chaos). kind "partition" needs topic and partition.
struct kill_actor_request {
  std::string kind;
  std::string topic;
  int32_t partition = 0;
  /// When set, the actor registered at this path (list_actors) and the fields above are ignored.
  std::string path;
  MSGPACK_DEFINE(kind, topic, partition, path)
};

/// CLI -> broker or coordinator: what `brook admin kill` can crash in that process.
struct list_actors_request {
  int32_t unused = 0;
  MSGPACK_DEFINE(unused)
};

/// One killable actor (actors/directory/actor_registry.hpp).
struct actor_info {
  std::string path;  // the name kill_actor_request.path takes
  std::string kind;
  std::string name;
  int32_t restarts = 0;
  MSGPACK_DEFINE(path, kind, name, restarts)
};

/// broker or coordinator -> CLI.
struct list_actors_response {
  errc error = errc::none;
  std::string message;
  int32_t pid = 0;   // the process
  std::string node;  // "broker 1", "coordinator"
  std::vector<actor_info> actors;
  MSGPACK_DEFINE(error, message, pid, node, actors)
};

/// producer -> broker: a producer id for the idempotent producer (Kafka's InitProducerId).
struct init_producer_id_request {
  int32_t timeout_ms = 30000;
  MSGPACK_DEFINE(timeout_ms)
};

/// broker -> producer: an id never handed out before on this node, epoch 0.
struct init_producer_id_response {
  errc error = errc::none;
  std::string message;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  MSGPACK_DEFINE(error, message, producer_id, producer_epoch)
};

/// The resources whose configs alter_configs_request changes (Kafka's ConfigResource types).
constexpr int8_t config_resource_topic = 2;
constexpr int8_t config_resource_broker = 4;

/// One change of an alter_configs_request: Kafka's IncrementalAlterConfigs operations.
enum class config_op : int8_t { set = 0, remove = 1, append = 2, subtract = 3 };
struct config_change {
  std::string name;
  int8_t op = int8_t(config_op::set);
  std::optional<std::string> value;
  MSGPACK_DEFINE(name, op, value)
};

/// client -> broker: change the dynamic configs of a topic, or of a broker (resource_name its
/// id, or "" for the default of every broker). `replace` (Kafka's AlterConfigs): the changes,
/// all sets, become the whole set of dynamic configs; otherwise each change applies in turn
/// (IncrementalAlterConfigs).
struct alter_configs_request {
  int8_t resource_type = config_resource_topic;
  std::string resource_name;
  std::vector<config_change> changes;
  bool replace = false;
  bool validate_only = false;
  MSGPACK_DEFINE(resource_type, resource_name, changes, replace, validate_only)
};

/// client -> partition leader: make `offset` (-1: the high watermark) the partition's log start
/// offset, so every record below it is gone for readers (Kafka's DeleteRecords). Answered once
/// every in-sync replica has moved its start too, or after timeout_ms.
struct delete_records_request {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = -1;
  int32_t timeout_ms = 30000;
  MSGPACK_DEFINE(topic, partition, offset, timeout_ms)
};

/// leader -> client: the low watermark after the deletion (the lowest log start offset of the
/// in-sync replicas).
struct delete_records_response {
  errc error = errc::none;
  std::string message;
  int64_t low_watermark = -1;
  MSGPACK_DEFINE(error, message, low_watermark)
};

/// client -> broker: the replicas this broker stores, by log directory (Kafka's
/// DescribeLogDirs); only `topics` unless all_topics. Also broker -> partition actor: its entry.
struct describe_log_dirs_request {
  std::vector<std::string> topics;
  bool all_topics = true;
  MSGPACK_DEFINE(topics, all_topics)
};

/// One stored replica: bytes of its batches, and how far its end lags the high watermark.
struct log_dir_partition {
  std::string topic;
  int32_t partition = 0;
  int64_t size = 0;
  int64_t offset_lag = 0;
  MSGPACK_DEFINE(topic, partition, size, offset_lag)
};

struct log_dir_info {
  std::string path;
  errc error = errc::none;
  std::vector<log_dir_partition> partitions;
  int64_t total_bytes = -1;   // of the file system holding it
  int64_t usable_bytes = -1;
  MSGPACK_DEFINE(path, error, partitions, total_bytes, usable_bytes)
};

struct describe_log_dirs_response {
  std::vector<log_dir_info> dirs;
  MSGPACK_DEFINE(dirs)
};

/// transaction coordinator -> partition leader: end `producer_id`'s transaction in this
/// partition with a commit or abort marker (Kafka's WriteTxnMarkers). Answered once the ISR has
/// the marker; its offset in base_offset.
struct write_txn_marker_request {
  std::string topic;
  int32_t partition = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  bool commit = false;
  int32_t coordinator_epoch = 0;
  int32_t timeout_ms = 30000;
  MSGPACK_DEFINE(topic, partition, producer_id, producer_epoch, commit, coordinator_epoch,
                 timeout_ms)
};

/// broker -> client: outcome of create/delete/kill, and the body of native_type::error frames.
struct status_response {
  errc error = errc::none;
  std::string message;
  MSGPACK_DEFINE(error, message)
};

}  // namespace brook::net
