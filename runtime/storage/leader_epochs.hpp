#pragma once
// A replica's leader-epoch history: for each leader epoch, the first offset written in it
// (Kafka's leader-epoch-checkpoint). Replicas compare histories to find where their logs
// diverge: a follower truncates to the end of the last epoch it shares with the leader, so logs
// never keep records a new leader does not have. Kept in <partition dir>/leader-epoch-checkpoint
// (text: one "epoch start_offset" line per epoch, ascending), rewritten durably on every change,
// always before the records of a new epoch are appended.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "runtime/status.hpp"

namespace brook::runtime::storage {

class leader_epochs {
 public:
  struct entry {
    int32_t epoch;
    int64_t start_offset;
  };

  /// Loads the checkpoint in `dir` (missing: empty) and drops entries starting past
  /// `log_end` (records recovery cut off). Errors: io_error, corrupt_message naming the file.
  static result<leader_epochs> load(const std::string& dir, int64_t log_end);

  /// Records that `epoch` starts at `start_offset`; a no-op unless epoch is newer than the
  /// latest. Entries of older epochs starting at or after start_offset are dropped (they hold
  /// no records). Written durably before it returns.
  status assign(int32_t epoch, int64_t start_offset);
  /// Forgets epochs starting at or after `log_end` (the log was truncated there; such an epoch
  /// holds no records).
  status truncate_from(int64_t log_end);

  /// The latest epoch, -1 when none.
  int32_t latest() const { return entries_.empty() ? -1 : entries_.back().epoch; }
  /// The largest epoch <= `epoch` and its end offset (the next epoch's start, or `log_end` for
  /// the latest). {-1, first start (or log_end)} when every epoch is newer.
  std::pair<int32_t, int64_t> end_offset_for(int32_t epoch, int64_t log_end) const;
  const std::vector<entry>& entries() const { return entries_; }

 private:
  status save() const;
  std::string path_;
  std::vector<entry> entries_;
};

}  // namespace brook::runtime::storage
