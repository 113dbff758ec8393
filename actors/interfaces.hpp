#pragma once
// Every actor's message contract, in one place (CAF typed actors).
#include <caf/typed_actor.hpp>
#include <caf/replies_to.hpp>

#include "actors/messages.hpp"

namespace brook::actors {

/// One hosted partition replica (leader on a single node). Owns its log.
using partition_actor = caf::typed_actor<
    // connection -> partition leader: append one batch
    caf::replies_to<net::produce_request>::with<net::produce_response>,
    // connection -> partition leader: read stored batches (may park until min_bytes or max_wait)
    caf::replies_to<net::fetch_request>::with<net::fetch_response>,
    // connection -> partition leader: offset by time / earliest / latest
    caf::replies_to<net::list_offsets_request>::with<net::list_offsets_response>,
    // self -> self: housekeeping timer; `true` for the periodic tick (re-arms), false when a
    // parked fetch's wait ends
    caf::reacts_to<tick_atom, bool>,
    // broker -> partition: topic deleted; remove files, then quit
    caf::replies_to<drop_atom>::with<bool>>;

/// The broker: topic registry, partition supervision, metadata.
using broker_actor = caf::typed_actor<
    caf::replies_to<net::metadata_request>::with<net::metadata_response>,
    caf::replies_to<net::create_topic_request>::with<net::status_response>,
    caf::replies_to<net::delete_topic_request>::with<net::status_response>,
    caf::replies_to<net::kill_actor_request>::with<net::status_response>,
    caf::replies_to<net::init_producer_id_request>::with<net::init_producer_id_response>,
    // self -> self: restart a crashed partition actor after its backoff
    caf::reacts_to<restart_atom, std::string, int32_t>>;

/// The producer's sender (client library): drains the accumulator and talks to partition leaders.
using producer_actor = caf::typed_actor<
    // producer facade -> sender: batches are ready (full, urgent, flushed) or may have lingered
    caf::reacts_to<drain_atom>,
    // connection I/O thread -> sender: the response for in-flight batch `id`
    caf::reacts_to<drain_atom, uint64_t, net::produce_response>,
    // self -> self: retry batch `id` after its backoff
    caf::reacts_to<restart_atom, uint64_t>>;

}  // namespace brook::actors
