#pragma once
// Idempotent-producer bookkeeping of one partition: for every producer id, its epoch and the
// last 64 batches it wrote (Kafka keeps 5, the most a Kafka producer may have in flight; Brook's
// native producer packs the batches that are ready together into one request and keeps up to 64
// of a partition unanswered). A retried batch that matches one of them is a duplicate and gets
// its original offsets instead of a second append. Rebuilt from the log's batch headers when a
// partition opens. Used by exactly one partition actor; not thread-safe.
#include <cstdint>
#include <deque>
#include <unordered_map>

#include "runtime/record_batch.hpp"

namespace brook::runtime {

class producer_state_table {
 public:
  static constexpr size_t batches_kept = 64;

  enum class verdict { append, duplicate, out_of_order, fenced };
  struct check_result {
    verdict v = verdict::append;
    int64_t base_offset = -1;  // for duplicate: where the batch already is
    int32_t expected = -1;     // for out_of_order: the sequence that would follow
  };

  /// Judges a batch before it is appended. Batches without a producer id (-1) always append;
  /// an unknown producer id appends from any sequence (its history may have aged out); a batch
  /// without a sequence (-1: a marker, or the group coordinator's transactional offsets) is
  /// checked only for a fenced epoch.
  check_result check(const batch_header& h) const;
  /// Records a batch that is now in the log (h.base_offset is its assigned offset).
  void record(const batch_header& h);
  size_t producers() const { return table_.size(); }

 private:
  struct batch_seq {
    int32_t first_seq;
    int32_t last_seq;
    int64_t base_offset;
  };
  struct entry {
    int16_t epoch = -1;
    std::deque<batch_seq> last;
  };
  std::unordered_map<int64_t, entry> table_;
};

}  // namespace brook::runtime
