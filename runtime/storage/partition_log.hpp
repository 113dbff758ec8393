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
#include "runtime/status.hpp"
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

  /// Whole stored batches from the one containing `from`, up to `max_bytes` in total but always
  /// at least one batch when one exists at `from` (Kafka's fetch rule); may cross segments.
  /// Empty when from == end_offset(). Errors: offset_out_of_range when from < start_offset() or
  /// from > end_offset(); io_error.
  result<bytes> read(offset from, size_t max_bytes) const;

  /// First offset still stored (moves with retention).
  offset start_offset() const;
  /// Next offset to be assigned (the log end offset).
  offset end_offset() const;
  /// Base offset of the first batch whose max timestamp is >= `ts` (ListOffsets by time);
  /// end_offset() if none. On a read error, the base of the segment holding the answer
  /// (an earlier offset, never a later one).
  offset offset_for_timestamp(int64_t ts) const;
  /// Largest timestamp in the log, -1 if it holds no batch.
  int64_t last_timestamp() const;

  /// fsyncs every segment written since the last flush, with its indexes and the directory.
  /// A failed fsync leaves the page cache in an unknown state (dirty pages may be dropped), so
  /// the log then refuses appends and flushes with that error until reopened (recovery rereads
  /// what is really on disk).
  status flush();
  /// Every offset below this is durable.
  offset flushed_offset() const;
  /// True when the flush policy wants a flush at `now_ms`: at least flush_messages unflushed
  /// messages, or the oldest unflushed append happened flush_ms or more ago.
  bool flush_due(int64_t now_ms) const;

  /// Rolls the active segment if segment_ms elapsed, then deletes whole closed segments, oldest
  /// first, whose max timestamp is more than retention_ms before `now_ms` or while the log
  /// stays at or above retention_bytes without them. Returns the number deleted.
  size_t enforce_retention(int64_t now_ms);

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
  status sync_all();
  bool segment_ms_elapsed(const segment& s, int64_t now_ms) const;
  bool should_roll(const segment& active, size_t n, int64_t last_offset, int64_t now_ms) const;
  status roll();
  bool remove_front();
  status remove_segment(segment& s);
  void fail(const status& s);

  env& env_;
  std::string dir_;
  log_config cfg_;
  std::vector<std::unique_ptr<segment>> segments_;  // by base offset; back() is active
  offset flushed_;
  int64_t unflushed_messages_ = 0;
  int64_t first_unflushed_ms_ = -1;  // now_ms of the oldest unflushed append, -1 if none
  bool dir_dirty_ = false;           // segment files created or removed since the last flush
  status failure_;
  recovery_report recovery_;
};

}  // namespace brook::runtime::storage
