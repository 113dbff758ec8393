#pragma once
// A chaos campaign's faults: what, when, and on which partition or broker. Made from a seed (the
// same seed, brokers, partitions and duration give the same plan) or read from a schedule file.
// Which broker leads a partition is looked up only when its fault fires.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/status.hpp"

namespace brook::chaos {

enum class fault_kind {
  kill_leader,               // the partition actor of a partition's leader
  kill_follower,             // the partition actor of one of its followers
  kill_fetcher,              // a follower's replica fetcher (its connection and fetch)
  kill_session,              // a connection session actor on a broker (Kafka or native)
  kill_controller,           // the active controller actor
  kill_group_coordinator,    // a broker's group coordinator actor
  kill_broker_actor,         // a broker actor (the node supervisor restarts it)
  kill_coordinator_session,  // a session actor of the metadata coordinator's listener
  kill9_broker,              // SIGKILL of a broker process, restarted after duration_ms
  kill9_coordinator,         // SIGKILL of the coordinator process, restarted after duration_ms
  pause_broker,              // SIGSTOP of a broker process, SIGCONT after duration_ms
  partition_broker,          // a broker cut off the network for duration_ms (network namespaces)
};

/// "kill-leader", "kill9-broker", ... (the names --kinds and schedule files use).
std::string_view name_of(fault_kind k);
std::optional<fault_kind> fault_from_name(std::string_view name);
const std::vector<fault_kind>& all_fault_kinds();
/// Faults that take a whole process or its network away for a while (one at a time).
bool is_outage(fault_kind k);

struct fault {
  int64_t at_ms = 0;  // from the start of the workload
  fault_kind kind = fault_kind::kill_leader;
  int32_t partition = 0;    // kill-leader, kill-follower, kill-fetcher
  int32_t broker = 1;       // the other broker faults: a broker id (1..brokers)
  int64_t duration_ms = 0;  // kill9 (time down), pause, partition
};

/// "12.5s kill-leader partition 2", "30.0s kill9-broker 2 for 1500 ms", for logs and reports.
std::string describe(const fault& f);

struct plan_options {
  uint64_t seed = 1;
  int32_t faults = 10;
  int64_t duration_ms = 60000;  // the workload's length; faults fall in its first 85%
  int32_t brokers = 3;
  int32_t partitions = 6;
  std::vector<fault_kind> kinds = all_fault_kinds();
};

/// `faults` faults spread over the duration, kinds taken in turn from a seeded shuffle of
/// `kinds` (so every kind appears once there are at least as many faults as kinds), targets and
/// outage lengths drawn from the seed. Outages never overlap: at most one broker (or the
/// coordinator) is away at a time, so a 3-broker cluster with min.insync.replicas=2 stays
/// writable and a run measures recovery rather than unavailability.
std::vector<fault> random_plan(const plan_options& o);

/// A schedule: one fault per line, "<at seconds> <kind> [partition|broker] [duration ms]" ('#'
/// comments and blank lines skipped), e.g. "5 kill-leader 2", "12.5 kill9-broker 3 2000".
/// Errors name the line.
runtime::result<std::vector<fault>> parse_schedule(const std::string& text, int32_t brokers,
                                                   int32_t partitions);

}  // namespace brook::chaos
