#pragma once
// Consumer-group messages of the native protocol: the group coordinator's contract. The Kafka
// session maps JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch, ListGroups
// and DescribeGroups onto these, so both protocols reach the same groups.
#include <optional>

#include "net/native_messages.hpp"

namespace brook::net {

/// One protocol a member can run (e.g. "range"), with its opaque subscription metadata.
struct group_protocol {
  std::string name;
  runtime::bytes metadata;
  MSGPACK_DEFINE(name, metadata)
};

/// consumer -> coordinator: join (or rejoin) a group. An empty member_id asks for one; with
/// require_member_id (Kafka JoinGroup v4+) the first answer is MEMBER_ID_REQUIRED with the id.
/// A static member (group_instance_id, KIP-345) gets its id at once, and rejoining under the same
/// instance id within its session takes its place without a rebalance.
struct join_group_request {
  std::string group_id;
  int32_t session_timeout_ms = 10000;
  int32_t rebalance_timeout_ms = 300000;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string protocol_type = "consumer";
  std::vector<group_protocol> protocols;
  std::string client_id;
  std::string client_host;
  bool require_member_id = false;
  MSGPACK_DEFINE(group_id, session_timeout_ms, rebalance_timeout_ms, member_id, group_instance_id,
                 protocol_type, protocols, client_id, client_host, require_member_id)
};

struct group_member_metadata {
  std::string member_id;
  runtime::bytes metadata;
  std::optional<std::string> group_instance_id;  // JoinGroup's member list: a static member's
  MSGPACK_DEFINE(member_id, metadata, group_instance_id)
};

/// coordinator -> consumer: the new generation; only the leader gets `members`.
struct join_group_response {
  errc error = errc::none;
  int32_t generation_id = -1;
  std::string protocol_name;
  std::string leader;
  std::string member_id;
  std::vector<group_member_metadata> members;
  MSGPACK_DEFINE(error, generation_id, protocol_name, leader, member_id, members)
};

/// consumer -> coordinator: the leader sends every member's assignment; followers send none.
struct sync_group_request {
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::vector<group_member_metadata> assignments;  // metadata = assignment bytes
  std::optional<std::string> group_instance_id;    // a static member's (fenced if taken over)
  MSGPACK_DEFINE(group_id, generation_id, member_id, assignments, group_instance_id)
};

struct sync_group_response {
  errc error = errc::none;
  runtime::bytes assignment;
  MSGPACK_DEFINE(error, assignment)
};

/// consumer -> coordinator: still alive (answer: none, rebalance_in_progress, ...).
struct heartbeat_request {
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  MSGPACK_DEFINE(group_id, generation_id, member_id, group_instance_id)
};

/// consumer -> coordinator: these members leave now (rebalance at once). A static member may be
/// named by its group.instance.id (group_instance_ids, parallel to member_ids; member id empty).
struct leave_group_request {
  std::string group_id;
  std::vector<std::string> member_ids;
  std::vector<std::optional<std::string>> group_instance_ids;
  MSGPACK_DEFINE(group_id, member_ids, group_instance_ids)
};

struct leave_group_response {
  errc error = errc::none;
  std::vector<errc> member_errors;  // per member id, in request order
  MSGPACK_DEFINE(error, member_errors)
};

struct partition_offset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = -1;
  std::optional<std::string> metadata;
  errc error = errc::none;
  MSGPACK_DEFINE(topic, partition, offset, metadata, error)
};

/// consumer -> coordinator: commit positions. generation -1 with an empty member id commits for
/// a consumer outside any group (assign() + commit), allowed while the group has no members.
struct offset_commit_request {
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::vector<partition_offset> offsets;
  std::optional<std::string> group_instance_id;
  MSGPACK_DEFINE(group_id, generation_id, member_id, offsets, group_instance_id)
};

/// coordinator -> consumer: one entry per committed partition with its error.
struct offset_commit_response {
  std::vector<partition_offset> offsets;
  MSGPACK_DEFINE(offsets)
};

/// consumer -> coordinator: committed offsets of these partitions (all, when `all`).
struct offset_fetch_request {
  std::string group_id;
  std::vector<partition_offset> partitions;  // topic + partition
  bool all = false;
  MSGPACK_DEFINE(group_id, partitions, all)
};

/// offset -1 with error none: nothing committed for that partition.
struct offset_fetch_response {
  errc error = errc::none;
  std::vector<partition_offset> offsets;
  MSGPACK_DEFINE(error, offsets)
};

/// admin client -> group coordinator: delete groups that have no members, with their committed
/// offsets. Per group: none, group_id_not_found, non_empty_group, or why this broker cannot
/// (not_coordinator, coordinator_load_in_progress, ...).
struct delete_groups_request {
  std::vector<std::string> group_ids;
  MSGPACK_DEFINE(group_ids)
};

struct group_result {
  std::string group_id;
  errc error = errc::none;
  MSGPACK_DEFINE(group_id, error)
};

struct delete_groups_response {
  std::vector<group_result> results;
  MSGPACK_DEFINE(results)
};

/// admin client -> group coordinator: delete a group's committed offsets of these partitions
/// (only topic and partition are read). Group-level error: group_id_not_found or the
/// coordinator's; per partition: group_subscribed_to_topic while a member consumes the topic,
/// unknown_topic_or_partition.
struct offset_delete_request {
  std::string group_id;
  std::vector<partition_offset> partitions;
  MSGPACK_DEFINE(group_id, partitions)
};

struct offset_delete_response {
  errc error = errc::none;
  std::vector<partition_offset> partitions;  // each with its error
  MSGPACK_DEFINE(error, partitions)
};

/// client -> any broker: which broker coordinates `group_id` (the leader of its partition of
/// __consumer_offsets, created on first use). Errors: coordinator_not_available while the topic
/// is being created or the partition has no leader (retriable), invalid_request for an empty id.
struct find_coordinator_request {
  std::string group_id;
  MSGPACK_DEFINE(group_id)
};

struct find_coordinator_response {
  errc error = errc::none;
  std::string message;
  broker_info coordinator;  // native and Kafka addresses of the coordinating broker
  MSGPACK_DEFINE(error, message, coordinator)
};

struct list_groups_request {
  int32_t unused = 0;
  MSGPACK_DEFINE(unused)
};

struct group_overview {
  std::string group_id;
  std::string protocol_type;
  std::string state;
  MSGPACK_DEFINE(group_id, protocol_type, state)
};

struct list_groups_response {
  errc error = errc::none;
  std::vector<group_overview> groups;
  MSGPACK_DEFINE(error, groups)
};

struct describe_groups_request {
  std::vector<std::string> group_ids;
  MSGPACK_DEFINE(group_ids)
};

struct group_member_description {
  std::string member_id;
  std::string client_id;
  std::string client_host;
  runtime::bytes metadata;
  runtime::bytes assignment;
  std::optional<std::string> group_instance_id;
  MSGPACK_DEFINE(member_id, client_id, client_host, metadata, assignment, group_instance_id)
};

struct group_description {
  errc error = errc::none;
  std::string group_id;
  std::string state;  // Empty, PreparingRebalance, CompletingRebalance, Stable, Dead
  std::string protocol_type;
  std::string protocol;
  int32_t generation_id = 0;
  std::vector<group_member_description> members;
  MSGPACK_DEFINE(error, group_id, state, protocol_type, protocol, generation_id, members)
};

struct describe_groups_response {
  std::vector<group_description> groups;
  MSGPACK_DEFINE(groups)
};

}  // namespace brook::net
