#pragma once
// The actor-system config for unit tests that run real actors: Brook's message types added,
// built once (CAF's config is not copyable).
#include <caf/actor_system_config.hpp>

#include "actors/type_ids.hpp"

namespace brook::testutil {

inline caf::actor_system_config& actor_test_config() {
  static caf::actor_system_config cfg = [] {
    caf::actor_system_config c;
    c.add_message_types<caf::id_block::brook>();
    return c;
  }();
  return cfg;
}

}  // namespace brook::testutil
