#pragma once
// The messages of a running streams application and their CAF type-ID block (`brook_streams`,
// after the Kafka session's). They never leave the process.
#include <caf/type_id.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "actors/streams/detail/graph.hpp"

namespace brook::streams::run {

/// stream thread -> task actor: input records of the task's partitions, in offset order.
struct task_input {
  std::vector<detail::raw_record> records;
};

/// producer (delivery report) -> task actor: the outcome of one of the task's sends.
struct task_ack {
  uint64_t seq = 0;
  uint32_t channel = 0;
  int64_t offset = -1;
  std::string error;  // empty: written
};

}  // namespace brook::streams::run

// clang-format off
CAF_BEGIN_TYPE_ID_BLOCK(brook_streams, caf::first_custom_type_id + 200)
  CAF_ADD_TYPE_ID(brook_streams, (brook::streams::run::task_input))
  CAF_ADD_TYPE_ID(brook_streams, (brook::streams::run::task_ack))
  // punct: task actor -> itself, run the wall-clock punctuators that are due (it re-arms itself)
  CAF_ADD_ATOM(brook_streams, brook::streams::run, punctuate_atom, "punct")
CAF_END_TYPE_ID_BLOCK(brook_streams)

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::streams::run::task_input)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(brook::streams::run::task_ack)
// clang-format on
