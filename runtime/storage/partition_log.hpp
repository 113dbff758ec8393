#pragma once
// One partition's log: an ordered run of segments in `<log.dirs>/<topic>-<partition>/`, the
// last of which (the active segment) takes appends. Offsets are assigned here.
//
// Threading: used by exactly one actor (the partition's); not thread-safe. Every call may block
// on file I/O; flush() blocks on fsync. The env must outlive the log.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/bytes.hpp"
#include "runtime/file_slice.hpp"
#include "runtime/status.hpp"
#include "runtime/storage/compaction.hpp"
#include "runtime/storage/file.hpp"
#include "runtime/storage/log_config.hpp"
#include "runtime/types.hpp"

namespace brook::runtime {
struct batch_header;
}

namespace brook::runtime::storage {

class segment;

/// What one append stored.
struct append_info {
  offset base_offset;
  offset last_offset;
  int64_t max_timestamp;
  bool flush_due;  // the flush policy asks the owner to call flush() now
};

/// One flush taken from the log's owner to another thread (group commit): the files written
/// since the last flush, synced by run() while the log goes on taking appends.
struct flush_plan {
  /// Syncs every file, then the directory if entries were created or removed. Safe on any
  /// thread; the files stay open as long as the plan lives, even if the log drops them.
  status run() const;

  env* fs = nullptr;
  std::vector<std::shared_ptr<file>> files;
  std::string dir;          // empty when the directory needs no sync
  offset up_to;             // the log end when the plan was taken: durable once run() succeeded
  uint64_t generation = 0;  // the log's truncation count then (a truncation voids up_to)
};

/// A flush plan that ran on the log flusher, as its thread hands it back to the log's owner (a
/// message).
struct flush_done {
  std::shared_ptr<const flush_plan> plan;
  status outcome;
};

/// What open() found and repaired.
struct recovery_report {
  size_t segments = 0;           // segments opened
  size_t segments_scanned = 0;   // CRC-checked batch by batch: the last one, plus any counted below
  size_t indexes_rebuilt = 0;    // closed segments whose indexes were missing or inconsistent
  uint64_t truncated_bytes = 0;  // torn or corrupt tails cut off
};

class partition_log {
 public:
  /// Opens or creates the log in `dir` (creating the directory). Segments are sorted by base
  /// offset; the last one, and any whose indexes are missing or inconsistent, is scanned batch
  /// by batch with full CRC validation and truncated at the first torn or bad batch, and its
  /// indexes rebuilt. Everything recovered is fsynced before open returns, so
  /// flushed_offset() == end_offset(). An empty dir starts at offset 0.
  static result<std::unique_ptr<partition_log>> open(env& e, std::string dir, log_config cfg);
  ~partition_log();

  /// Appends one batch that validate_batch accepted. Assigns it base offset end_offset() and
  /// `leader_epoch` by rewriting those header fields in place (outside the CRC), rolling first if
  /// the active segment would pass segment_bytes or is older than segment_ms.
  /// On failure nothing of the batch stays and nothing appended before is lost; if undoing a
  /// failed write itself fails, every later append fails with errc::io_error until reopened.
  /// Errors: io_error, disk_full; corrupt_message for a batch whose header does not parse.
  result<append_info> append(uint8_t* batch, size_t n, int32_t leader_epoch, int64_t now_ms);
  /// The same for a batch whose header `h` the caller already parsed from `batch`.
  result<append_info> append(uint8_t* batch, size_t n, batch_header h, int32_t leader_epoch,
                             int64_t now_ms);

  /// Appends a batch replicated from the leader as it is: its offsets and leader epoch are kept.
  /// Its base offset may lie past end_offset() (compaction on the leader removed whole batches:
  /// the gap stays a gap) but not below it. Errors as append().
  result<append_info> append_replica(const uint8_t* batch, size_t n, const batch_header& h,
                                     int64_t now_ms);

  /// Whole stored batches from the one containing `from`, up to `max_bytes` in total but always
  /// at least one batch when one exists at `from` (Kafka's fetch rule); may cross segments.
  /// Empty when from == end_offset(). Errors: offset_out_of_range when from < start_offset() or
  /// from > end_offset(); io_error.
  result<bytes> read(offset from, size_t max_bytes) const;
  /// The batches read() would return, ending before the first one whose last offset is >=
  /// `limit`, as ranges of the segment files for sendfile(2) (zero-copy fetch). Reads only
  /// batch headers. The ranges stay readable after the log drops or compacts their segment
  /// (the slices keep the files open); a truncation below them changes what they hold.
  result<std::vector<file_slice>> read_files(offset from, size_t max_bytes, offset limit) const;
  /// True when the segment files have descriptors read_files' slices can be sent from.
  bool can_send_files() const;

  /// First offset readers may read (moves with retention and advance_start).
  offset start_offset() const;
  /// Kafka's DeleteRecords: makes `new_start` the log start offset. Closed segments wholly below
  /// it are removed; reads below it fail with offset_out_of_range, and a batch straddling it is
  /// still returned whole (readers skip the records before their fetch offset). Kept durably in
  /// <dir>/log-start-offset, so it holds after a restart. No-op when not above start_offset().
  /// Errors: offset_out_of_range past end_offset(); io_error.
  status advance_start(offset new_start);
  /// Empties the log and restarts it at `start` (Kafka's truncateFullyAndStartAt): what a
  /// follower does when the leader no longer has the offsets it would fetch next.
  status restart_at(offset start);
  /// Used by set_config (AlterConfigs): later appends, rolls, retention and compaction follow
  /// `cfg`; what is stored stays as it is.
  void set_config(const log_config& cfg) { cfg_ = cfg; }
  /// Next offset to be assigned (the log end offset).
  offset end_offset() const;
  /// Base offset of the first batch whose max timestamp is >= `ts` (ListOffsets by time), or
  /// start_offset() when that batch begins below it; end_offset() if none. On a read error, the base of the segment holding the answer
  /// (an earlier offset, never a later one).
  offset offset_for_timestamp(int64_t ts) const;
  /// Largest timestamp in the log, -1 if it holds no batch.
  int64_t last_timestamp() const;

  /// fsyncs every segment written since the last flush, with its indexes and the directory.
  /// A failed fsync leaves the page cache in an unknown state (dirty pages may be dropped), so
  /// the log then refuses appends and flushes with that error until reopened (recovery rereads
  /// what is really on disk).
  status flush();
  /// The same in three steps, for a flush on another thread: begin_flush takes what is unsynced
  /// (appends after it count towards the next flush), the plan runs anywhere, end_flush hands
  /// its outcome back. A failed run fails the log as a failed flush() does. Errors of
  /// begin_flush: the log's failure.
  result<flush_plan> begin_flush();
  status end_flush(const flush_plan& plan, const status& outcome);
  /// Every offset below this is durable.
  offset flushed_offset() const;
  /// True when the flush policy wants a flush at `now_ms`: at least flush_messages unflushed
  /// messages, or the oldest unflushed append happened flush_ms or more ago.
  bool flush_due(int64_t now_ms) const;

  /// Rolls the active segment if segment_ms elapsed, then (with cleanup_delete) deletes whole
  /// closed segments, oldest first, whose max timestamp is more than retention_ms before
  /// `now_ms` or while the log stays at or above retention_bytes without them. Returns the
  /// number deleted.
  size_t enforce_retention(int64_t now_ms);

  /// Log compaction (cleanup.policy=compact), step 1 (compaction.hpp): the closed segments that
  /// lie wholly below `cleanable_end` (the caller's high watermark, so nothing is removed in
  /// favour of a record that may still be truncated), up to the first whose newest timestamp is
  /// less than min_compaction_lag_ms before `now_ms`, or nullptr when there are none or, without
  /// `force`, when less than min_cleanable_dirty_ratio of their bytes was written since the last
  /// pass. The job reads those segments' files while the log goes on taking appends.
  std::unique_ptr<compaction_job> plan_compaction(int64_t now_ms, offset cleanable_end,
                                                  bool force) const;

  /// Step 3: puts what run_compaction(job) wrote in place of the job's segments. Each rewritten
  /// group: "<base>.log.cleaned" renamed to "<base>.log.swap" (from then on open() finishes the
  /// install after a crash), the group's files removed, the swap renamed to "<base>.log", the
  /// segment reopened (indexes rebuilt). If the closed segments changed since the
  /// plan (retention, truncation) nothing is swapped, the cleaned files are removed, and the
  /// answer is false. Errors: io_error; a failure after a rename makes the log refuse appends
  /// until reopened, as a failed fsync does.
  result<bool> install_compaction(const compaction_job& job, const compaction_output& out);

  /// The three steps on the caller's thread (tests, tools). An empty report when no pass ran.
  result<compaction_report> compact(int64_t now_ms, offset cleanable_end, bool force = false);

  /// Drops every batch whose last offset is >= new_end (a batch straddling new_end goes
  /// entirely, so end_offset() <= new_end afterwards). No-op if new_end >= end_offset(); below
  /// start_offset() the log is emptied and restarts at new_end (Kafka's truncateFullyAndStartAt).
  status truncate_to(offset new_end);

  /// Bytes of stored batches (the .log files; indexes not counted).
  uint64_t size_bytes() const;
  size_t segment_count() const;
  const std::string& dir() const { return dir_; }
  const log_config& config() const { return cfg_; }
  const recovery_report& recovery() const { return recovery_; }
  /// Why appends are refused; ok while the log is healthy.
  const status& failure() const { return failure_; }

 private:
  partition_log(env& e, std::string dir, log_config cfg);
  status load();
  // Finishes compaction installs a crash interrupted (.swap files); true if there were any.
  result<bool> finish_swaps(const std::vector<std::string>& names);
  status sync_all();
  bool segment_ms_elapsed(const segment& s, int64_t now_ms) const;
  bool should_roll(const segment& active, size_t n, int64_t last_offset, int64_t now_ms) const;
  status roll();
  // Errors for a batch no append may take: the log refuses writes, or the header lies.
  status appendable(const batch_header& h, size_t n) const;
  result<append_info> store(const uint8_t* batch, size_t n, const batch_header& h, int64_t now_ms);
  bool remove_front();
  template <class Take>
  status walk_read(offset from, size_t max_bytes, Take take) const;
  // Swaps one rewritten group of segments_, starting at `first`, for its cleaned file.
  status install_group(size_t first, size_t count);
  status remove_segment(segment& s);
  status write_log_start();
  void fail(const status& s);

  env& env_;
  std::string dir_;
  log_config cfg_;
  std::vector<std::unique_ptr<segment>> segments_;  // by base offset; back() is active
  offset flushed_;
  uint64_t truncations_ = 0;  // bumped by truncate_to and restart_at (flush_plan::generation)
  int64_t unflushed_messages_ = 0;
  int64_t first_unflushed_ms_ = -1;  // now_ms of the oldest unflushed append, -1 if none
  bool dir_dirty_ = false;           // segment files created or removed since the last flush
  offset cleaned_end_{0};            // closed segments below this were compacted by the last pass
  uint64_t layout_ = 0;              // bumped whenever closed segments are removed, cut or replaced
  offset log_start_{0};  // DeleteRecords' start; start_offset() is the larger of it and the
                         // first segment's base
  status failure_;
  recovery_report recovery_;
};

}  // namespace brook::runtime::storage
