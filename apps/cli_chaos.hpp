#pragma once
// brook chaos run: starts (or attaches to) a local cluster, runs a workload of idempotent
// producers and group consumers on a replicated topic, injects faults from a seeded plan or a
// schedule (actor kills, kill -9 and restart, SIGSTOP/SIGCONT), then reads everything back and
// checks it (apps/chaos/). Exit 0 only when nothing acknowledged was lost, duplicated or
// reordered and no consumer saw something vanish or stepped over a record.
#include <cstdint>
#include <string>
#include <vector>

namespace brook::cli {

struct chaos_options {
  std::string dir = "brook-chaos";  // the cluster's directory; reports go there too
  bool attach = false;              // use the cluster `brook cluster up` runs in dir
  bool keep = false;                // leave the started cluster running afterwards
  int32_t brokers = 3;
  std::vector<std::string> configs;  // broker config key=value (cluster up)
  std::string brookd;
  int32_t partitions = 6;
  int32_t replication = 3;
  std::string acks = "all";
  int32_t producers = 2;
  int32_t consumers = 2;
  int64_t rate = 2000;  // records per second, all producers together
  uint64_t seed = 1;
  int64_t duration_s = 60;
  int32_t faults = 30;
  std::vector<std::string> kinds;  // fault kinds to draw from; empty: all
  std::string schedule;            // a schedule file instead of the seeded plan
  std::string json, svg;           // report paths (default <dir>/chaos-<seed>.json, .svg)
  /// Start the cluster in network namespaces (cli_netns.hpp), so partition-broker faults can cut
  /// a broker off: "auto" (as root, when the plan has such faults), "on" or "off".
  std::string netns = "auto";
};

int chaos_run(const chaos_options& o);

}  // namespace brook::cli
