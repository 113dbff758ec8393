#pragma once
// One segment of a partition's log: the .log file of whole batches starting at `base_offset`,
// its sparse .index and .timeindex (layouts in log_format.hpp), and the in-memory state needed
// to append and look up without touching the disk for metadata.
// Owned by one partition_log; not thread-safe.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/bytes.hpp"
#include "runtime/file_slice.hpp"
#include "runtime/record_batch.hpp"
#include "runtime/storage/file.hpp"
#include "runtime/storage/index.hpp"
#include "runtime/types.hpp"

namespace brook::runtime::storage {

class segment {
 public:
  /// What open() had to repair.
  struct recovery_info {
    uint64_t truncated_bytes = 0;  // cut off the .log's tail (torn or corrupt batches)
    bool indexes_rebuilt = false;
    std::string problem;  // why the tail was cut, empty if nothing was
  };

  /// Creates an empty segment at `base`, dropping whatever files of that name held.
  static result<std::unique_ptr<segment>> create(env& e, const std::string& dir, offset base,
                                                 uint32_t index_interval_bytes);

  /// Opens an existing segment. With `full_scan` (the last segment, or any segment whose
  /// indexes do not check out) every batch is CRC-checked, the .log is truncated at the first
  /// torn or bad one and both indexes are rebuilt. Otherwise the indexes are trusted after a
  /// consistency check and only the batches after the last index entry are walked.
  static result<std::unique_ptr<segment>> open(env& e, const std::string& dir, offset base,
                                               uint32_t index_interval_bytes, bool full_scan);

  ~segment();
  segment(const segment&) = delete;
  segment& operator=(const segment&) = delete;

  offset base_offset() const { return base_; }
  /// One past the last offset stored; base_offset() when empty.
  offset next_offset() const { return offset{tail_.next_offset}; }
  uint64_t size() const;
  bool empty() const { return size() == 0; }
  /// Largest batch max timestamp stored, -1 if none.
  int64_t max_timestamp() const { return tail_.max_ts; }
  /// When the segment started filling, for segment.ms: the now_ms of its first append, or after
  /// a restart its first batch's max timestamp; -1 if unknown (empty).
  int64_t rolling_timestamp() const { return rolling_ts_; }
  /// False once a failed append could not be undone: the files may hold a partial batch.
  bool healthy() const { return healthy_; }
  const recovery_info& recovery() const { return recovery_; }

  /// Appends one whole batch whose header `h` was parsed from `batch` (base offset already
  /// assigned). REQUIRES: h.base_offset >= next_offset(), offsets and size fit the segment.
  /// Writes only the .log: index entries are written by sync(), take_unsynced() and seal().
  /// On failure nothing of the batch stays (file and memory rolled back) unless the rollback
  /// itself failed, in which case healthy() turns false.
  status append(const uint8_t* batch, size_t n, const batch_header& h, int64_t now_ms);

  /// File position of the first batch whose last offset is >= `o`; size() if there is none.
  result<uint64_t> position_of(offset o) const;
  /// Appends to `out` the whole batches starting at `pos` that fit in `max_bytes`; with
  /// `at_least_one`, the first batch even if it alone is larger. Returns the bytes appended.
  result<size_t> read(uint64_t pos, size_t max_bytes, bool at_least_one, bytes& out) const;
  /// The batches read() would append, ending before the first batch whose last offset is >=
  /// `limit`, as a range of the .log (for sendfile; the descriptor may be -1, see
  /// file::descriptor). Only batch headers are read: at most a few index intervals' worth.
  result<file_slice> slice(uint64_t pos, size_t max_bytes, bool at_least_one, offset limit) const;
  /// Base offset of the first batch whose max timestamp is >= `ts`, if any.
  result<std::optional<offset>> offset_for_timestamp(int64_t ts) const;

  /// Called when the segment stops being active: writes the index entries appends left in
  /// memory and records its final max timestamp in the .timeindex, so a restart trusts the
  /// indexes without scanning.
  status seal();
  /// Writes the pending index entries (a failure leaves them pending), then fdatasync of the
  /// .log and both indexes.
  status sync();
  /// For a flush on another thread: adds the .log and both indexes to `out` if the segment was
  /// appended to since, and counts it as synced from now on (a failed flush fails the whole
  /// log, partition_log::end_flush).
  void take_unsynced(std::vector<std::shared_ptr<file>>& out);
  /// Drops every batch whose last offset is >= `o` (a batch straddling `o` goes entirely).
  status truncate_to(offset o);
  /// The .log file, for a compaction pass that reads a closed segment on another thread
  /// (read_at is safe beside the owner's use; the pass reads no further than size() was).
  std::shared_ptr<const file> log_file() const { return log_; }

  /// Deletes the three files (.log first, so a crash leaves at most orphan indexes).
  status remove_files(env& e);

 private:
  // What the next append needs to know; recomputable from the files.
  struct tail_state {
    int64_t next_offset = 0;
    int64_t max_ts = -1;
    uint32_t offset_of_max = 0;  // relative offset of the batch holding max_ts
    int64_t last_time_ts = -1;   // timestamp of the last .timeindex entry
    uint64_t bytes_since_index = 0;
  };

  segment(std::string dir, offset base, uint32_t index_interval_bytes);
  status open_files(env& e);
  // Index entries due for a batch of `n` bytes at `pos`; advances `t`.
  void track(tail_state& t, const batch_header& h, uint64_t pos, size_t n,
             std::optional<offset_entry>& oe, std::optional<time_entry>& te) const;
  status recover(env& e, bool full_scan);
  status full_scan();
  // Rebuilds tail state from the indexes plus a header walk after the last index entry; false
  // if the files disagree with the indexes.
  result<bool> load_tail();
  status load_rolling_timestamp();
  // Writes the index entries appends added since the last call (one write per index).
  status write_indexes();
  std::string path(std::string_view suffix) const;

  std::string dir_;
  offset base_;
  uint32_t index_interval_;
  std::shared_ptr<file> log_;  // shared with a compaction pass reading it on another thread
  std::unique_ptr<offset_index> index_;
  std::unique_ptr<time_index> time_index_;
  tail_state tail_;
  int64_t rolling_ts_ = -1;
  bool dirty_ = false;  // appended to since the last sync() or take_unsynced()
  bool healthy_ = true;
  recovery_info recovery_;
};

}  // namespace brook::runtime::storage
