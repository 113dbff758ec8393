#pragma once
// Per-partition log settings, with Kafka's defaults and meanings (topic-level key in brackets).
#include <cstdint>

namespace brook::runtime::storage {

struct log_config {
  /// Roll to a new segment before the active one would exceed this size [segment.bytes].
  /// Capped at format::max_segment_span (positions in the index are uint32).
  uint64_t segment_bytes = uint64_t(1) << 30;
  /// Roll when the active segment's first batch is older than this [segment.ms].
  int64_t segment_ms = int64_t(7) * 24 * 3600 * 1000;
  /// Delete closed segments whose newest timestamp is older than this; -1 = keep forever
  /// [retention.ms].
  int64_t retention_ms = int64_t(7) * 24 * 3600 * 1000;
  /// Delete the oldest closed segments while the log is larger than this; -1 = unlimited
  /// [retention.bytes].
  int64_t retention_bytes = -1;
  /// Ask for an fsync once this many messages are unflushed [flush.messages].
  int64_t flush_messages = INT64_MAX;
  /// Ask for an fsync once the oldest unflushed message is this old [flush.ms].
  int64_t flush_ms = INT64_MAX;
  /// Bytes of log between two sparse index entries [index.interval.bytes].
  uint32_t index_interval_bytes = 4096;
  /// [cleanup.policy] "delete" (retention_ms/retention_bytes delete old segments), "compact"
  /// (compaction keeps the last record of each key; retention does not apply) or both.
  bool cleanup_delete = true;
  bool cleanup_compact = false;
  /// Compaction keeps a tombstone (a record with a null value) at least this long after its
  /// segment's newest timestamp, so readers catching up see the delete [delete.retention.ms].
  int64_t delete_retention_ms = int64_t(24) * 3600 * 1000;
  /// Compact when at least this share of the closed segments' bytes was written since the last
  /// compaction [min.cleanable.dirty.ratio].
  double min_cleanable_dirty_ratio = 0.5;
  /// A record stays uncompacted, and supersedes nothing, until it is this old: segments whose
  /// newest timestamp is younger are left out of a pass [min.compaction.lag.ms].
  int64_t min_compaction_lag_ms = 0;
};

}  // namespace brook::runtime::storage
