#include "runtime/producer_state.hpp"

#include <climits>

namespace brook::runtime {

namespace {
int32_t last_sequence(const batch_header& h) {
  // Sequences wrap at INT32_MAX to 0, as Kafka's DefaultRecordBatch.incrementSequence.
  int64_t last = int64_t(h.base_sequence) + h.last_offset_delta;
  return int32_t(last > INT32_MAX ? last - INT32_MAX - 1 : last);
}
int32_t next_sequence(int32_t seq) { return seq == INT32_MAX ? 0 : seq + 1; }
}  // namespace

producer_state_table::check_result producer_state_table::check(const batch_header& h) const {
  if (h.producer_id < 0) return {};
  auto it = table_.find(h.producer_id);
  if (it == table_.end()) return {};
  const auto& e = it->second;
  if (h.producer_epoch < e.epoch) return {verdict::fenced, -1};
  if (h.base_sequence < 0) return {};  // no sequence (a coordinator's write): only fenced by epoch
  if (h.producer_epoch > e.epoch)
    return {h.base_sequence == 0 ? verdict::append : verdict::out_of_order, -1, 0};
  int32_t last = last_sequence(h);
  for (const auto& b : e.last)
    if (b.first_seq == h.base_sequence && b.last_seq == last) return {verdict::duplicate, b.base_offset};
  if (e.last.empty() || h.base_sequence == next_sequence(e.last.back().last_seq)) return {};
  return {verdict::out_of_order, -1, next_sequence(e.last.back().last_seq)};
}

void producer_state_table::record(const batch_header& h) {
  if (h.producer_id < 0) return;
  auto& e = table_[h.producer_id];
  if (h.is_control() || h.base_sequence < 0) {  // a marker or a coordinator's write: no sequence,
                                                 // but a newer epoch fences older ones
    if (h.producer_epoch > e.epoch) {
      e.epoch = h.producer_epoch;
      e.last.clear();
    }
    return;
  }
  if (h.producer_epoch != e.epoch) {
    e.epoch = h.producer_epoch;
    e.last.clear();
  }
  e.last.push_back({h.base_sequence, last_sequence(h), h.base_offset});
  while (e.last.size() > batches_kept) e.last.pop_front();
}

}  // namespace brook::runtime
