#pragma once
// The group room's contract (actors/group/): consumer groups and their committed offsets (kept in
// the internal topic __consumer_offsets), and the transactions of the transactional ids hashing to
// its partitions. Message structs and their msgpack layout: net/group_messages.hpp,
// net/txn_messages.hpp.
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/type_ids.hpp"

namespace brook::actors {

using group_coordinator_actor = caf::typed_actor<
    // session -> group coordinator (native protocol, or mapped from Kafka's group APIs)
    caf::replies_to<net::find_coordinator_request>::with<net::find_coordinator_response>,
    caf::replies_to<net::join_group_request>::with<net::join_group_response>,
    caf::replies_to<net::sync_group_request>::with<net::sync_group_response>,
    caf::replies_to<net::heartbeat_request>::with<net::status_response>,
    caf::replies_to<net::leave_group_request>::with<net::leave_group_response>,
    caf::replies_to<net::offset_commit_request>::with<net::offset_commit_response>,
    caf::replies_to<net::offset_fetch_request>::with<net::offset_fetch_response>,
    caf::replies_to<net::delete_groups_request>::with<net::delete_groups_response>,
    caf::replies_to<net::offset_delete_request>::with<net::offset_delete_response>,
    caf::replies_to<net::list_groups_request>::with<net::list_groups_response>,
    caf::replies_to<net::describe_groups_request>::with<net::describe_groups_response>,
    // producer session -> transaction coordinator (transactions live beside the groups)
    caf::replies_to<net::init_txn_request>::with<net::init_producer_id_response>,
    caf::replies_to<net::add_partitions_to_txn_request>::with<net::txn_partitions_response>,
    caf::replies_to<net::add_offsets_to_txn_request>::with<net::status_response>,
    caf::replies_to<net::end_txn_request>::with<net::status_response>,
    caf::replies_to<net::txn_offset_commit_request>::with<net::offset_commit_response>,
    caf::replies_to<net::describe_transactions_request>::with<net::describe_transactions_response>,
    caf::replies_to<net::list_transactions_request>::with<net::describe_transactions_response>,
    // transaction coordinator -> the group coordinator leading a __consumer_offsets partition:
    // its marker, which also makes the transaction's offsets committed (or drops them)
    caf::replies_to<net::write_txn_marker_request>::with<net::produce_response>,
    // self -> self: the markers of a transaction have all been written (or failed)
    caf::reacts_to<txn_done_atom, std::string, int64_t, int16_t, bool, int32_t>,
    // self -> self: write the markers of this transactional id again (after a failure)
    caf::reacts_to<retry_atom, std::string>,
    // self -> self: session expiry and rebalance deadlines
    caf::reacts_to<tick_atom>,
    // self -> self: read __consumer_offsets partition (int32) led at epoch (int32) from offset
    // (int64) on, again after a failed read
    caf::reacts_to<reload_atom, int32_t, int32_t, int64_t>>;

}  // namespace brook::actors
