#pragma once
// The transactional side of one partition's log (Kafka's transactions, KIP-98): each producer's
// open transaction (from its first transactional batch to the marker that ends it), the aborted
// ones a read_committed consumer must skip, and the last stable offset below which every
// transaction is decided. A marker is a control batch of one record: key = version int16 (0),
// type int16 (0 abort, 1 commit); value = version int16 (0), coordinator epoch int32.
// Used by exactly one partition actor; not thread-safe.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runtime/bytes.hpp"
#include "runtime/record_batch.hpp"
#include "runtime/status.hpp"

namespace brook::runtime {

/// The marker batch that commits or aborts `producer_id`'s transaction.
bytes build_marker_batch(int64_t producer_id, int16_t producer_epoch, bool commit,
                         int32_t coordinator_epoch, int64_t timestamp);

/// Whether the control batch at `batch` commits (true) or aborts (false).
/// Errors: corrupt_message for a batch that is no well-formed marker.
result<bool> marker_commits(const uint8_t* batch, size_t n);

/// An aborted transaction: its producer and the offsets from its first batch to its marker.
struct aborted_txn {
  int64_t producer_id = -1;
  int64_t first_offset = -1;
  int64_t last_offset = -1;  // the abort marker's offset
};

class txn_tracker {
 public:
  /// A batch now in the log: a transactional data batch opens its producer's transaction (if
  /// none is open); a marker (`commits` set: its type) closes it, an abort remembering it.
  void on_batch(const batch_header& h, std::optional<bool> commits = std::nullopt);
  /// The offset below which no transaction is open, at most `high_watermark`.
  int64_t last_stable_offset(int64_t high_watermark) const;
  /// The aborted transactions with records in [from, to), by first offset.
  std::vector<aborted_txn> aborted_between(int64_t from, int64_t to) const;
  /// The log start moved: transactions wholly below `start` are forgotten.
  void forget_before(int64_t start);
  /// Whether `producer_id` has a transaction open (its first offset in `first`).
  bool open(int64_t producer_id, int64_t* first = nullptr) const;
  void clear();

 private:
  std::map<int64_t, int64_t> open_;   // producer id -> first offset of its open transaction
  std::vector<aborted_txn> aborted_;  // by marker offset
};

}  // namespace brook::runtime
