#pragma once
// Log compaction (cleanup.policy=compact) in three steps, so the slow middle one can run away from
// the log's owner (docs/log_format.md, "Compaction"):
//   1. partition_log::plan_compaction (owner's thread): which closed segments a pass covers;
//   2. run_compaction (any thread): reads them, writes the cleaned segments to
//      "<base>.log.cleaned" files and syncs them; touches no file of the log itself;
//   3. partition_log::install_compaction (owner's thread): renames the cleaned files into place,
//      or throws them away if the log's closed segments changed meanwhile.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/status.hpp"
#include "runtime/storage/log_config.hpp"

namespace brook::runtime::storage {

class env;
class file;

/// What one compaction pass did.
struct compaction_report {
  size_t segments_before = 0;  // closed segments the pass covered...
  size_t segments_after = 0;   // ...and how many they became (small ones merge)
  uint64_t bytes_before = 0, bytes_after = 0;
  int64_t records_removed = 0;     // superseded by a later record with the same key
  int64_t tombstones_removed = 0;  // null values whose segment is older than delete.retention.ms
  bool ran() const { return segments_before > 0; }
};

/// One pass over a log's closed segments, as planned on the owner's thread.
struct compaction_job {
  /// One closed segment: its .log file (shared with the log, read only) and what it held then.
  struct source {
    int64_t base = 0;
    int64_t next = 0;  // one past its last offset
    uint64_t size = 0;
    int64_t max_timestamp = -1;
    std::shared_ptr<const file> log;
  };
  env* fs = nullptr;
  std::string dir;
  log_config cfg;
  int64_t now_ms = 0;
  uint64_t layout = 0;           // the log's layout version when planned (see install)
  std::vector<source> segments;  // in offset order, all closed
  /// Set by the owner when it no longer wants the result (its actor stopped): the pass stops at
  /// the next batch.
  std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
};

/// What run_compaction wrote.
struct compaction_output {
  /// segments[first, last) of the job become one segment at segments[first].base; when
  /// `rewritten`, its content is in "<base>.log.cleaned", else the group stays as it is.
  struct group {
    size_t first = 0, last = 0;
    bool rewritten = false;
  };
  std::vector<group> groups;
  compaction_report report;
};

/// A finished step 2, as the thread that ran it hands it back to the log's owner (a message).
struct compaction_pass {
  std::shared_ptr<const compaction_job> job;
  std::shared_ptr<const result<compaction_output>> out;
};

/// Step 2. Keeps the last record of each key (across all of the job's segments), drops tombstones
/// whose segment's newest timestamp is more than delete_retention_ms before now_ms, keeps records
/// without a key and control batches. Batches keep their offsets; a batch left with no record
/// goes, except the last batch of each producer (its sequence numbers) and the last batch of
/// each group (so a group ends where it ended), which stay as empty batches. Adjacent segments
/// merge while their sizes fit segment_bytes. Safe on any thread; blocks on reads, writes and
/// fsyncs. On error or cancellation the cleaned files written so far are removed.
/// Errors: io_error, disk_full, corrupt_message; cancelled when job.cancelled was set.
result<compaction_output> run_compaction(const compaction_job& job);

}  // namespace brook::runtime::storage
