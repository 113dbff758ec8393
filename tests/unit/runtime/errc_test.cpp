#include <gtest/gtest.h>

#include "runtime/errc.hpp"

using namespace brook::runtime;

// The one mapping from Brook errors to Kafka wire codes, checked against Kafka's numbers.
TEST(Errc, KafkaCodes) {
  struct row {
    errc e;
    int16_t kafka;
    bool retriable;
  };
  const row rows[] = {
      {errc::none, 0, false},
      {errc::offset_out_of_range, 1, false},
      {errc::corrupt_message, 2, true},
      {errc::unknown_topic_or_partition, 3, true},
      {errc::leader_not_available, 5, true},
      {errc::not_leader_or_follower, 6, true},
      {errc::request_timed_out, 7, true},
      {errc::message_too_large, 10, false},
      {errc::not_enough_replicas, 19, true},
      {errc::not_enough_replicas_after_append, 20, true},
      {errc::topic_already_exists, 36, false},
      {errc::invalid_partitions, 37, false},
      {errc::invalid_replication_factor, 38, false},
      {errc::invalid_config, 40, false},
      {errc::invalid_request, 42, false},
      {errc::policy_violation, 44, false},
      {errc::out_of_order_sequence, 45, false},
      {errc::invalid_producer_epoch, 47, false},
      {errc::network_error, 13, true},
      {errc::coordinator_load_in_progress, 14, true},
      {errc::coordinator_not_available, 15, true},
      {errc::not_coordinator, 16, true},
      {errc::illegal_generation, 22, false},
      {errc::inconsistent_group_protocol, 23, false},
      {errc::unknown_member_id, 25, false},
      {errc::invalid_session_timeout, 26, false},
      {errc::rebalance_in_progress, 27, false},
      {errc::group_id_not_found, 69, false},
      {errc::invalid_group_id, 24, false},
      {errc::member_id_required, 79, false},
      {errc::io_error, 56, true},
      {errc::disk_full, 56, true},
      {errc::fenced_leader_epoch, 74, true},
      {errc::unknown_leader_epoch, 75, true},
      {errc::invalid_record, 87, false},
      {errc::invalid_replica_assignment, 39, false},
      {errc::invalid_topic, 17, false},
      {errc::mismatched_endpoint_type, 114, false},
      {errc::unsupported_endpoint_type, 115, false},
      {errc::non_empty_group, 68, false},
      {errc::group_subscribed_to_topic, 86, false},
      {errc::fenced_instance_id, 82, false},
      {errc::invalid_txn_state, 48, false},
      {errc::invalid_producer_id_mapping, 49, false},
      {errc::invalid_transaction_timeout, 50, false},
      {errc::concurrent_transactions, 51, true},
      {errc::operation_not_attempted, 55, false},
      {errc::transactional_id_not_found, 105, false},
      {errc::topic_authorization_failed, 29, false},
      {errc::group_authorization_failed, 30, false},
      {errc::cluster_authorization_failed, 31, false},
      {errc::transactional_id_authorization_failed, 53, false},
      {errc::unsupported_sasl_mechanism, 33, false},
      {errc::illegal_sasl_state, 34, false},
      {errc::sasl_authentication_failed, 58, false},
      {errc::security_disabled, 54, false},
      {errc::unsupported_compression, 76, false},
      {errc::node_exists, -1, false},
      {errc::no_node, -1, false},
      {errc::bad_version, -1, false},
      {errc::session_expired, -1, false},
      {errc::not_empty, -1, false},
      {errc::no_children_for_ephemerals, -1, false},
      {errc::unknown, -1, false},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(to_kafka_code(r.e), r.kafka) << to_string(r.e);
    EXPECT_EQ(is_retriable(r.e), r.retriable) << to_string(r.e);
    EXPECT_FALSE(to_string(r.e).empty());
  }
}
