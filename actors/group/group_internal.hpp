#pragma once
// Internal to the group coordinator: group_coordinator.cpp (Kafka's group state machine: joins,
// syncs, heartbeats, leaves, rebalances) and group_offsets.cpp (committed offsets: stored in and
// reloaded from __consumer_offsets).
#include <caf/typed_response_promise.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "actors/group/group_coordinator.hpp"
#include "actors/group/offsets_codec.hpp"
#include "net/group_messages.hpp"
#include "net/txn_messages.hpp"

namespace brook::actors {
class node_context;
}
namespace brook::runtime {
class batch_builder;
}

namespace brook::actors::group_detail {

using clock_type = std::chrono::steady_clock;
using net::errc;

enum class group_state { empty, preparing_rebalance, completing_rebalance, stable };

struct member {
  std::string id, client_id, client_host;
  std::optional<std::string> instance_id;  // group.instance.id of a static member (KIP-345)
  int32_t session_timeout_ms = 10000;
  int32_t rebalance_timeout_ms = 300000;
  std::vector<net::group_protocol> protocols;
  runtime::bytes assignment;
  clock_type::time_point last_seen;
  uint64_t joined_order = 0;
  std::optional<caf::typed_response_promise<net::join_group_response>> join;
  std::optional<caf::typed_response_promise<net::sync_group_response>> sync;
};

struct group {
  std::string id;
  group_state state = group_state::empty;
  int32_t generation = 0;
  std::string protocol_type, protocol, leader;
  std::map<std::string, member> members;
  std::map<std::string, std::string> static_members;  // group.instance.id -> member id
  std::map<std::string, clock_type::time_point>
      pending_members;  // MEMBER_ID_REQUIRED, not joined yet
  clock_type::time_point rebalance_deadline;
  std::map<std::pair<std::string, int32_t>, net::partition_offset> offsets;
  // Set while an empty group waits group.initial.rebalance.delay.ms for more members.
  bool initial_join = false;
  clock_type::time_point initial_join_limit;  // the delay is extended up to this
};

// A transaction's life (Kafka's TransactionState): a producer's first AddPartitions opens it
// (ongoing); EndTxn (or its timeout) prepares the outcome, the markers are written, and it is
// complete until the next one.
enum class txn_state : uint8_t {
  empty,
  ongoing,
  prepare_commit,
  prepare_abort,
  complete_commit,
  complete_abort
};
const char* txn_state_name(txn_state s);

struct txn_entry {
  std::string id;
  txn_record rec;
  txn_state state() const { return txn_state(rec.state); }
  bool writing_markers = false;
  // EndTxn requests answered once the markers are written.
  std::vector<caf::typed_response_promise<net::status_response>> waiting;
};

// A partition of __consumer_offsets that this broker leads: its groups are served here once
// they are read back from it.
struct owned_partition {
  int32_t leader_epoch = -1;
  bool loaded = false;
};

struct coordinator_state {
  std::shared_ptr<node_context> node;
  std::map<std::string, group> groups;  // of owned partitions only
  std::map<std::string, txn_entry> txns;  // transactional ids of owned partitions
  // TxnOffsetCommit: offsets of (group, producer id) that its transaction's marker commits or drops
  std::map<std::pair<std::string, int64_t>, std::vector<net::partition_offset>> txn_offsets;
  uint64_t marker_tokens = 0;
  std::map<int32_t, owned_partition> owned;
  int32_t offsets_partitions = 0;  // 0 until __consumer_offsets exists
  bool refreshing = false;         // a leadership look-up is under way
  bool creating = false;           // __consumer_offsets is being created
  uint64_t join_counter = 0;
  std::mt19937_64 rng{std::random_device{}()};
  static inline const char* name = "group_coordinator";
};

using self_ptr = group_coordinator_actor::stateful_pointer<coordinator_state>;

const char* state_name(group_state s);

// --- group_offsets.cpp
/// A committed offset of `k` stored (or, without a value, deleted).
void apply_commit(coordinator_state& st, const offset_key& k, std::optional<offset_value> v);
/// Appends `records` (one batch, acks=all) to the __consumer_offsets partition of `key` (a group
/// or transactional id); `done` gets none once stored, or what the failure means to a client.
void append_records(self_ptr self, const std::string& key, runtime::batch_builder& records,
                    std::function<void(errc)> done);
/// Whether this broker serves `group` now: none, or not_coordinator (another broker leads its
/// partition), coordinator_load_in_progress (being read back) or coordinator_not_available (no
/// __consumer_offsets yet).
errc serves(const coordinator_state& st, const std::string& group);
/// Looks up which partitions of __consumer_offsets this broker leads; reads the groups of those it
/// newly leads back from their log and forgets those of partitions it no longer leads.
void refresh_ownership(self_ptr self);
/// Reads partition `p` (led at `epoch`) of __consumer_offsets from offset `from` on.
void load_partition(self_ptr self, int32_t p, int32_t epoch, int64_t from);
/// The broker coordinating a group (FindCoordinator); creates __consumer_offsets on first use.
caf::typed_response_promise<net::find_coordinator_response> on_find_coordinator(
    self_ptr self, const net::find_coordinator_request& req);
caf::typed_response_promise<net::offset_commit_response> on_commit(self_ptr self,
                                                                   net::offset_commit_request& req);
net::offset_fetch_response on_offset_fetch(self_ptr self, const net::offset_fetch_request& req);
/// DeleteGroups: groups without members lose their committed offsets (tombstones) and are gone.
caf::typed_response_promise<net::delete_groups_response> on_delete_groups(
    self_ptr self, const net::delete_groups_request& req);
/// OffsetDelete: committed offsets of partitions no member consumes, tombstoned.
caf::typed_response_promise<net::offset_delete_response> on_offset_delete(
    self_ptr self, const net::offset_delete_request& req);

// --- txn_coordinator.cpp
caf::typed_response_promise<net::init_producer_id_response> on_init_txn(
    self_ptr self, const net::init_txn_request& req);
caf::typed_response_promise<net::txn_partitions_response> on_add_partitions_to_txn(
    self_ptr self, const net::add_partitions_to_txn_request& req);
caf::typed_response_promise<net::status_response> on_add_offsets_to_txn(
    self_ptr self, const net::add_offsets_to_txn_request& req);
caf::typed_response_promise<net::status_response> on_end_txn(self_ptr self,
                                                             const net::end_txn_request& req);
caf::typed_response_promise<net::offset_commit_response> on_txn_offset_commit(
    self_ptr self, const net::txn_offset_commit_request& req);
/// DescribeTransactions / ListTransactions of the transactional ids this broker serves.
net::describe_transactions_response on_describe_transactions(
    self_ptr self, const net::describe_transactions_request& req);
net::describe_transactions_response on_list_transactions(self_ptr self,
                                                        const net::list_transactions_request& req);
/// A marker for a __consumer_offsets partition this broker leads: appended, then the
/// transaction's offsets there are committed (or dropped).
caf::typed_response_promise<net::produce_response> on_offsets_marker(
    self_ptr self, const net::write_txn_marker_request& req);
/// Writes the markers of a deciding transaction (again).
void retry_markers(self_ptr self, const std::string& id);
/// The markers of a transaction are written (error none) or it must try again.
void on_markers_written(self_ptr self, const std::string& id, int64_t producer_id, int16_t epoch,
                        bool commit, errc e);
/// A transaction state read back from the log (or written now).
void apply_txn(coordinator_state& st, const std::string& id, const txn_record& rec);
/// Offsets of a transaction read back from the log: pending until its marker.
void apply_txn_offsets(coordinator_state& st, int64_t producer_id, const offset_key& k,
                       const offset_value& v);
/// The transaction's marker read back (or written): its pending offsets are committed or dropped.
void end_txn_offsets(coordinator_state& st, int32_t partition, int64_t producer_id, bool commit);
/// Transactions of partition p that were deciding when it was read back: their markers are
/// written again. Timed-out open transactions are aborted (housekeeping).
void resume_transactions(self_ptr self, int32_t partition);
void expire_transactions(self_ptr self);

// --- group_coordinator.cpp
/// Forgets a group this broker no longer coordinates; members waiting in a join or sync are told
/// NOT_COORDINATOR, so they find the new coordinator.
void drop_group(group& g);
/// FENCED_INSTANCE_ID when `instance_id` belongs to another member of `g` now (a newer instance
/// of a static member replaced this one), else none.
errc fenced(const group& g, const std::optional<std::string>& instance_id,
            const std::string& member_id);

}  // namespace brook::actors::group_detail
