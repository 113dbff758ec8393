#pragma once
// The verdict of a chaos run: what producers were told (acknowledged records), what consumers
// saw, and what the partitions hold at the end, compared per partition. Pure: no I/O.
//
// Each workload record is (producer, seq), seq counting up per producer, sent to one partition.
#include <cstdint>
#include <string>
#include <vector>

namespace brook::chaos {

/// Record (producer, seq) at an offset of a partition.
struct placed_record {
  int32_t partition = 0;
  int64_t offset = 0;
  int32_t producer = 0;
  int64_t seq = 0;
};
/// Where a producer was told its record is (its acknowledgement).
using acked_record = placed_record;
/// A record in a partition at the end of the run (read from its start to its end).
using stored_record = placed_record;

/// A record a consumer saw. `session` changes whenever the group gave the consumer a new
/// assignment (it then starts again from the committed offsets, so offsets may go back).
struct seen_record {
  int32_t consumer = 0;
  int64_t session = 0;
  int32_t partition = 0;
  int64_t offset = 0;
  int32_t producer = 0;
  int64_t seq = 0;
};

struct partition_verdict {
  int32_t partition = 0;
  int64_t acked = 0;       // acknowledged records sent here
  int64_t stored = 0;      // records in the partition at the end
  int64_t lost = 0;        // acknowledged, and not at their offset at the end
  int64_t duplicated = 0;  // extra copies of a (producer, seq) at the end
  int64_t reordered = 0;   // records stored after a later record of the same producer
  int64_t went_back = 0;   // a consumer's offset going back within one assignment
  int64_t skipped = 0;     // stored records a consumer stepped over within one assignment
  int64_t vanished = 0;    // records a consumer saw that are not at that offset at the end
  std::vector<std::string> examples;  // the first few problems, in words
  bool ok() const {
    return lost == 0 && duplicated == 0 && reordered == 0 && went_back == 0 && skipped == 0 &&
           vanished == 0;
  }
};

struct verdict {
  std::vector<partition_verdict> partitions;  // one per partition, in order
  partition_verdict total;                    // the sums (partition -1), examples of all
  bool ok() const { return total.ok(); }
};

verdict check(int32_t partitions, const std::vector<acked_record>& acked,
              const std::vector<stored_record>& stored, const std::vector<seen_record>& seen);

}  // namespace brook::chaos
