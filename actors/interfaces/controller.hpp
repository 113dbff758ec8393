#pragma once
// The controller room's contract (actors/controller/): one controller per broker, active on the
// broker holding /controller; it elects leaders and writes partition states to the coordinator.
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/type_ids.hpp"

namespace brook::actors {

using controller_actor = caf::typed_actor<
    // coordinator -> controller: /controller, /brokers/ids or /brokers/topics changed
    caf::reacts_to<net::coord_watch_event>,
    // self -> self: periodic reconciliation while active
    caf::reacts_to<tick_atom>>;

}  // namespace brook::actors
