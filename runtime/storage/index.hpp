#pragma once
// The two sparse indexes of a segment, each an append-only file plus an in-memory copy that
// lookups binary-search. Entry layouts are in log_format.hpp. Owned by one segment; not
// thread-safe.
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "runtime/storage/file.hpp"

namespace brook::runtime::storage {

/// .index: the batch with this base offset (relative to the segment base) starts at `position`.
struct offset_entry {
  uint32_t relative_offset;
  uint32_t position;
};

/// .timeindex: every batch up to and including the one at `relative_offset` has a max timestamp
/// <= `timestamp`, and that batch's max timestamp is `timestamp`.
struct time_entry {
  int64_t timestamp;
  uint32_t relative_offset;
};

/// An index file of fixed-size entries, both in strictly increasing key order.
template <class Entry>
class sparse_index {
 public:
  explicit sparse_index(std::unique_ptr<file> f) : file_(std::move(f)) {}

  /// Reads the whole file. Returns false (leaving no entries) if it is not a whole number of
  /// entries, is out of order, or points past `log_size` bytes / `max_relative` offsets: the
  /// caller then rebuilds it with reset() and append().
  result<bool> load(uint64_t log_size, uint64_t max_relative);
  /// Adds one entry to the in-memory copy; the file gets it with the next write_pending() or
  /// sync(). (The segment writes them when it is flushed or sealed: an active segment's
  /// indexes are rebuilt by recovery anyway, so a batch costs one write, not three.)
  /// REQUIRES: ordered after the last entry.
  void append(const Entry& e) { entries_.push_back(e); }
  /// Writes the entries the file does not have yet, in one write. On failure they stay pending
  /// (a partial entry the failed write left is cut by the next call).
  status write_pending();
  bool has_pending() const { return written_ < entries_.size(); }
  /// Keeps the first `n` entries (in the file and in memory).
  status truncate_entries(size_t n);
  /// Drops every entry.
  status reset() { return truncate_entries(0); }
  /// Replaces the whole file with `entries` in one write (rebuilding after a scan).
  /// REQUIRES: ordered. On failure the index is left empty (possibly with a partial file).
  status assign(std::vector<Entry> entries);
  /// fsync of what the file holds (write_pending() first to include the pending entries).
  status sync() { return file_->sync(); }
  /// The file, for a flush that syncs it on another thread (file::sync is safe beside writes);
  /// write_pending() first.
  std::shared_ptr<file> shared_file() const { return file_; }

  size_t count() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  const Entry& back() const { return entries_.back(); }
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  std::shared_ptr<file> file_;
  std::vector<Entry> entries_;
  size_t written_ = 0;  // the first written_ entries are in the file
};

using offset_index = sparse_index<offset_entry>;
using time_index = sparse_index<time_entry>;

/// Last entry whose relative offset is <= `relative`, if any.
std::optional<offset_entry> floor_entry(const offset_index& idx, uint32_t relative);
/// Last entry whose timestamp is < `ts`, if any (every batch up to it is older than `ts`).
std::optional<time_entry> last_entry_before(const time_index& idx, int64_t ts);

}  // namespace brook::runtime::storage
