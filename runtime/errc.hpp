#pragma once
// Brook's internal error codes. The one mapping to Kafka wire codes is
// brook::runtime::to_kafka_code() in errc.cpp (table-tested).
#include <cstdint>
#include <string_view>

namespace brook::runtime {

enum class errc : uint8_t {
  none = 0,
  offset_out_of_range,
  corrupt_message,  // bad CRC, bad magic, malformed batch
  unknown_topic_or_partition,
  leader_not_available,
  not_leader_or_follower,
  request_timed_out,
  message_too_large,
  not_enough_replicas,
  topic_already_exists,
  invalid_partitions,
  invalid_replication_factor,
  invalid_request,  // malformed or semantically wrong request
  invalid_config,
  unsupported_compression,
  io_error,       // storage failure (short write, failed fsync)
  network_error,  // connection refused, reset or closed
  disk_full,
  not_found,
  policy_violation,        // e.g. auto-create disabled
  out_of_order_sequence,   // idempotent producer: a gap before this batch
  invalid_producer_epoch,  // idempotent producer: fenced by a newer epoch
  coordinator_load_in_progress,
  coordinator_not_available,
  not_coordinator,
  illegal_generation,
  inconsistent_group_protocol,
  unknown_member_id,
  invalid_session_timeout,
  rebalance_in_progress,
  member_id_required,
  group_id_not_found,
  invalid_group_id,
  // Metadata coordinator (runtime/coord), ZooKeeper's error cases; Kafka has no codes for them.
  node_exists,                 // create of a path that exists
  no_node,                     // the path (or, for create, its parent) does not exist
  bad_version,                 // compare-and-set: expected version differs from the node's
  session_expired,             // unknown, closed or expired coordinator session
  not_empty,                   // remove of a node that has children
  no_children_for_ephemerals,  // create under an ephemeral node
  // Replication.
  not_enough_replicas_after_append,  // acks=all: the ISR shrank below min.insync.replicas
  fenced_leader_epoch,               // the request's leader epoch is older than the replica's
  unknown_leader_epoch,              // the request's leader epoch is newer than the replica's
  invalid_record,                    // a record the topic refuses (no key on a compacted topic)
  // Topic administration.
  invalid_replica_assignment,  // CreatePartitions/CreateTopics: replicas that cannot be used
  invalid_topic,               // an illegal topic name (characters, length, "." or "..")
  mismatched_endpoint_type,    // DescribeCluster v1+: controllers asked of a broker
  unsupported_endpoint_type,   // DescribeCluster v1+: an endpoint type Kafka does not define
  // Group administration.
  non_empty_group,            // DeleteGroups: the group still has members
  group_subscribed_to_topic,  // OffsetDelete: a member of the group consumes the topic
  fenced_instance_id,         // static membership: another member took this group.instance.id
  // Transactions.
  invalid_txn_state,            // EndTxn/AddPartitions in a state that does not allow it
  invalid_producer_id_mapping,  // a producer id that is not the transactional.id's
  invalid_transaction_timeout,  // transaction.timeout.ms above transaction.max.timeout.ms
  concurrent_transactions,      // the previous transaction is still being completed (retriable)
  operation_not_attempted,      // AddPartitionsToTxn: not added because another partition failed
  transactional_id_not_found,   // DescribeTransactions: no such transactional id here
  // Security.
  topic_authorization_failed,             // the principal lacks the operation on the topic
  group_authorization_failed,             // ... on the group
  cluster_authorization_failed,           // ... on the cluster
  transactional_id_authorization_failed,  // ... on the transactional id
  unsupported_sasl_mechanism,             // SaslHandshake: a mechanism the listener does not enable
  illegal_sasl_state,                     // a SASL request out of turn
  sasl_authentication_failed,             // wrong user or password, or a malformed SASL exchange
  security_disabled,                      // ACL administration while no authorizer is configured
  unknown,
};

/// Kafka-style lower_snake name for logs and error messages (the native protocol sends the
/// enum's integer value).
std::string_view to_string(errc e);

/// Kafka protocol error code for `e` (0 for none).
int16_t to_kafka_code(errc e);

/// True when a client may retry the request unchanged (Kafka's RetriableException).
bool is_retriable(errc e);

}  // namespace brook::runtime
