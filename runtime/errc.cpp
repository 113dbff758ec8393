#include "runtime/errc.hpp"

namespace brook::runtime {

namespace {
struct entry {
  errc code;
  std::string_view name;
  int16_t kafka;
  bool retriable;
};

// The single table mapping Brook errors to Kafka wire codes.
constexpr entry table[] = {
    {errc::none, "none", 0, false},
    {errc::offset_out_of_range, "offset_out_of_range", 1, false},
    {errc::corrupt_message, "corrupt_message", 2, true},
    {errc::unknown_topic_or_partition, "unknown_topic_or_partition", 3, true},
    {errc::leader_not_available, "leader_not_available", 5, true},
    {errc::not_leader_or_follower, "not_leader_or_follower", 6, true},
    {errc::request_timed_out, "request_timed_out", 7, true},
    {errc::message_too_large, "message_too_large", 10, false},
    {errc::not_enough_replicas, "not_enough_replicas", 19, true},
    {errc::topic_already_exists, "topic_already_exists", 36, false},
    {errc::invalid_partitions, "invalid_partitions", 37, false},
    {errc::invalid_replication_factor, "invalid_replication_factor", 38, false},
    {errc::invalid_request, "invalid_request", 42, false},
    {errc::invalid_config, "invalid_config", 40, false},
    {errc::unsupported_compression, "unsupported_compression_type", 76, false},
    {errc::io_error, "kafka_storage_error", 56, true},
    {errc::network_error, "network_exception", 13, true},
    {errc::disk_full, "kafka_storage_error", 56, true},
    {errc::not_found, "not_found", 3, false},
    {errc::policy_violation, "policy_violation", 44, false},
    {errc::out_of_order_sequence, "out_of_order_sequence_number", 45, false},
    {errc::invalid_producer_epoch, "invalid_producer_epoch", 47, false},
    {errc::coordinator_load_in_progress, "coordinator_load_in_progress", 14, true},
    {errc::coordinator_not_available, "coordinator_not_available", 15, true},
    {errc::not_coordinator, "not_coordinator", 16, true},
    {errc::illegal_generation, "illegal_generation", 22, false},
    {errc::inconsistent_group_protocol, "inconsistent_group_protocol", 23, false},
    {errc::unknown_member_id, "unknown_member_id", 25, false},
    {errc::invalid_session_timeout, "invalid_session_timeout", 26, false},
    {errc::rebalance_in_progress, "rebalance_in_progress", 27, false},
    {errc::member_id_required, "member_id_required", 79, false},
    {errc::group_id_not_found, "group_id_not_found", 69, false},
    {errc::invalid_group_id, "invalid_group_id", 24, false},
    {errc::node_exists, "node_exists", -1, false},
    {errc::no_node, "no_node", -1, false},
    {errc::bad_version, "bad_version", -1, false},
    {errc::session_expired, "session_expired", -1, false},
    {errc::not_empty, "not_empty", -1, false},
    {errc::no_children_for_ephemerals, "no_children_for_ephemerals", -1, false},
    {errc::not_enough_replicas_after_append, "not_enough_replicas_after_append", 20, true},
    {errc::fenced_leader_epoch, "fenced_leader_epoch", 74, true},
    {errc::unknown_leader_epoch, "unknown_leader_epoch", 75, true},
    {errc::invalid_record, "invalid_record", 87, false},
    {errc::invalid_replica_assignment, "invalid_replica_assignment", 39, false},
    {errc::invalid_topic, "invalid_topic_exception", 17, false},
    {errc::mismatched_endpoint_type, "mismatched_endpoint_type", 114, false},
    {errc::unsupported_endpoint_type, "unsupported_endpoint_type", 115, false},
    {errc::non_empty_group, "non_empty_group", 68, false},
    {errc::group_subscribed_to_topic, "group_subscribed_to_topic", 86, false},
    {errc::fenced_instance_id, "fenced_instance_id", 82, false},
    {errc::invalid_txn_state, "invalid_txn_state", 48, false},
    {errc::invalid_producer_id_mapping, "invalid_producer_id_mapping", 49, false},
    {errc::invalid_transaction_timeout, "invalid_transaction_timeout", 50, false},
    {errc::concurrent_transactions, "concurrent_transactions", 51, true},
    {errc::operation_not_attempted, "operation_not_attempted", 55, false},
    {errc::transactional_id_not_found, "transactional_id_not_found", 105, false},
    {errc::topic_authorization_failed, "topic_authorization_failed", 29, false},
    {errc::group_authorization_failed, "group_authorization_failed", 30, false},
    {errc::cluster_authorization_failed, "cluster_authorization_failed", 31, false},
    {errc::transactional_id_authorization_failed, "transactional_id_authorization_failed", 53,
     false},
    {errc::unsupported_sasl_mechanism, "unsupported_sasl_mechanism", 33, false},
    {errc::illegal_sasl_state, "illegal_sasl_state", 34, false},
    {errc::sasl_authentication_failed, "sasl_authentication_failed", 58, false},
    {errc::security_disabled, "security_disabled", 54, false},
    {errc::unknown, "unknown_server_error", -1, false},
};

const entry& lookup(errc e) {
  for (const auto& x : table)
    if (x.code == e) return x;
  return table[sizeof(table) / sizeof(table[0]) - 1];
}
}  // namespace

std::string_view to_string(errc e) { return lookup(e).name; }
int16_t to_kafka_code(errc e) { return lookup(e).kafka; }
bool is_retriable(errc e) { return lookup(e).retriable; }

}  // namespace brook::runtime
