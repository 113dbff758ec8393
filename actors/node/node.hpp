#pragma once
// A Brook node: the CAF actor system, the node supervisor (which supervises the broker actor), and
// the listeners. Used by brookd; tests start brookd as a process instead.
#include "runtime/config.hpp"

namespace brook::actors {

/// Runs a node until SIGTERM/SIGINT (exit code 0) or until the supervisor gives up on the broker
/// (exit code 1). REQUIRES: called from main() before any other thread exists (signal mask).
int run_node(const runtime::broker_config& cfg);

}  // namespace brook::actors
