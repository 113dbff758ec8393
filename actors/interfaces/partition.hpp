#pragma once
// The partition room's contract (actors/partition/): one hosted replica of one partition, leader
// or follower. Message structs and their msgpack layout: net/native_messages.hpp (produce, fetch,
// list offsets) and net/cluster_messages.hpp (roles, replica fetches, ISR changes).
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/type_ids.hpp"

namespace brook::actors {

using partition_actor = caf::typed_actor<
    // session -> leader: append one batch (acks=all: answered once the ISR has it)
    caf::replies_to<net::produce_request>::with<net::produce_response>,
    // session or follower -> leader: read stored batches (may park until min_bytes or max_wait)
    caf::replies_to<net::fetch_request>::with<net::fetch_response>,
    // session -> leader: offset by time / earliest / latest
    caf::replies_to<net::list_offsets_request>::with<net::list_offsets_response>,
    // transaction coordinator -> leader: a commit or abort marker (WriteTxnMarkers)
    caf::replies_to<net::write_txn_marker_request>::with<net::produce_response>,
    // session -> leader: move the log start offset up (DeleteRecords)
    caf::replies_to<net::delete_records_request>::with<net::delete_records_response>,
    // broker -> partition: this replica's size and lag, for DescribeLogDirs
    caf::replies_to<net::describe_log_dirs_request>::with<net::log_dir_partition>,
    // broker -> partition: the topic's configs changed (AlterConfigs, dynamic broker defaults)
    caf::reacts_to<runtime::topic_config>,
    // broker -> partition: topic deleted; remove the files, then quit
    caf::replies_to<drop_atom>::with<bool>,
    // broker -> partition: its role (leader, follower, ISR) from the latest metadata
    caf::reacts_to<net::partition_role>,
    // replica fetch I/O thread -> follower: the leader's answer to its fetch
    caf::reacts_to<net::replica_fetch_result>,
    // self -> self: flush, retention and parked-fetch housekeeping
    caf::reacts_to<tick_atom>,
    // compaction worker -> partition: a compaction pass it ran over the closed segments
    caf::reacts_to<runtime::storage::compaction_pass>,
    // log flusher -> partition: a flush it ran (fsync off the actor, group commit)
    caf::reacts_to<runtime::storage::flush_done>,
    // self -> self: a parked fetch's wait ended
    caf::reacts_to<wake_atom>,
    // self -> self: the replication timer of role generation `n` (ISR checks, fetch retries)
    caf::reacts_to<replica_tick_atom, uint64_t>>;

/// What a partition leader needs of its supervisor: somewhere to send ISR changes (the broker,
/// which writes them to the coordinator; the new ISR comes back as a role).
using isr_writer = caf::typed_actor<caf::reacts_to<net::alter_isr_request>>;

}  // namespace brook::actors
