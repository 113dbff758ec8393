#pragma once
// The deserialization handler, shared by the runtime's task actors and the test driver.
#include <string>

#include "actors/streams/streams_config.hpp"
#include "actors/streams/topology.hpp"

namespace brook::streams::detail {

/// Applies `cfg.on_bad_record` to a record that did not deserialize: fail rethrows; skip logs
/// and marks it processed; dead_letter also writes it, bytes unchanged, to the dead-letter topic
/// with headers __brook.error.{topic,partition,offset,message}.
/// REQUIRES: called inside the catch block of `e` (fail rethrows it).
void handle_bad_record(task_context& task, const deserialization_error& e,
                       const streams_config& cfg);

}  // namespace brook::streams::detail
