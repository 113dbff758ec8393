#pragma once
// What a chaos run shows a person and a script: a timeline of acknowledged writes per second with
// the faults marked (terminal text and SVG), the checker's verdict, failover times, and the same
// as JSON.
#include <cstdint>
#include <string>
#include <vector>

#include "apps/chaos/checker.hpp"
#include "apps/chaos/plan.hpp"

namespace brook::chaos {

/// One fault as it happened.
struct fault_outcome {
  fault planned;
  int64_t fired_ms = -1;  // from the start of the workload; -1: never fired
  std::string target;     // what it hit: "partition/chaos-2 on broker 3", "broker 2 (pid 123)"
  std::string error;      // why it could not be injected (skipped), empty when it was
  std::vector<int32_t> partitions;  // partitions the fault took a leader from
  /// Fault -> the first write acknowledged afterwards on every partition in `partitions` (or on
  /// any partition when it names none); -1 when none came before the run ended.
  int64_t failover_ms = -1;
};

struct run_summary {
  uint64_t seed = 0;
  int64_t duration_ms = 0;
  int32_t brokers = 0, partitions = 0, producers = 0, consumers = 0;
  std::string acks;
  std::string topic;
  std::vector<int64_t> acked_per_second;   // index: second of the workload
  std::vector<int64_t> errors_per_second;  // failed sends
  std::vector<fault_outcome> faults;
  verdict result;
};

/// Failover times of the faults that have one: median, p99 and max in ms (all -1 if none).
struct failover_stats {
  int64_t count = 0, median = -1, p99 = -1, max = -1;
};
failover_stats failover_of(const std::vector<fault_outcome>& faults);

/// The throughput chart with fault markers, the fault list and the verdict, for a terminal.
std::string timeline_text(const run_summary& s);
/// The throughput chart with fault markers as a standalone SVG document.
std::string timeline_svg(const run_summary& s);
/// Everything above for scripts.
std::string summary_json(const run_summary& s);

}  // namespace brook::chaos
