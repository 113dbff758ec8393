#pragma once
// Transactions (Kafka's KIP-98): what a transactional producer asks of its transaction
// coordinator, the group coordinator of the __consumer_offsets partition its transactional.id
// hashes to. The Kafka session maps InitProducerId (with a transactional.id),
// AddPartitionsToTxn, AddOffsetsToTxn, EndTxn and TxnOffsetCommit onto these.
#include "net/group_messages.hpp"

namespace brook::net {

/// producer -> transaction coordinator: the producer id and (bumped) epoch of a
/// transactional.id; an open transaction of an earlier epoch is aborted first.
/// Answer: init_producer_id_response.
struct init_txn_request {
  std::string transactional_id;
  int32_t transaction_timeout_ms = 60000;
  MSGPACK_DEFINE(transactional_id, transaction_timeout_ms)
};

/// producer -> transaction coordinator: these partitions take part in the open transaction
/// (only topic and partition are read). Answer: txn_partitions_response.
struct add_partitions_to_txn_request {
  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  std::vector<partition_offset> partitions;
  MSGPACK_DEFINE(transactional_id, producer_id, producer_epoch, partitions)
};

/// One error per requested partition (in request order).
struct txn_partitions_response {
  std::vector<partition_offset> partitions;
  MSGPACK_DEFINE(partitions)
};

/// producer -> transaction coordinator: the group's offsets partition takes part in the
/// transaction (TxnOffsetCommit follows). Answer: status_response.
struct add_offsets_to_txn_request {
  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  std::string group_id;
  MSGPACK_DEFINE(transactional_id, producer_id, producer_epoch, group_id)
};

/// producer -> transaction coordinator: commit or abort the open transaction; answered once
/// every partition in it has its marker. Answer: status_response.
struct end_txn_request {
  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  bool commit = false;
  MSGPACK_DEFINE(transactional_id, producer_id, producer_epoch, commit)
};

/// producer -> the group's coordinator: offsets that become the group's committed offsets when
/// the transaction commits (and are dropped if it aborts). Answer: offset_commit_response.
struct txn_offset_commit_request {
  std::string transactional_id;
  std::string group_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  std::vector<partition_offset> offsets;
  MSGPACK_DEFINE(transactional_id, group_id, producer_id, producer_epoch, offsets)
};

/// admin client -> transaction coordinators: the state of these transactional ids (each
/// coordinator answers for those it serves; others get not_coordinator or
/// transactional_id_not_found).
struct describe_transactions_request {
  std::vector<std::string> transactional_ids;
  MSGPACK_DEFINE(transactional_ids)
};

struct txn_description {
  std::string transactional_id;
  errc error = errc::none;
  std::string state;  // Kafka's names: Empty, Ongoing, PrepareCommit, ...
  int32_t timeout_ms = 0;
  int64_t start_time_ms = -1;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  std::vector<partition_offset> partitions;  // topic and partition
  MSGPACK_DEFINE(transactional_id, error, state, timeout_ms, start_time_ms, producer_id,
                 producer_epoch, partitions)
};

struct describe_transactions_response {
  std::vector<txn_description> transactions;
  MSGPACK_DEFINE(transactions)
};

/// admin client -> every broker: the transactions it coordinates, filtered by state names and
/// producer ids (empty: any). Answer: describe_transactions_response.
struct list_transactions_request {
  std::vector<std::string> states;
  std::vector<int64_t> producer_ids;
  MSGPACK_DEFINE(states, producer_ids)
};

}  // namespace brook::net
