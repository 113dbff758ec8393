#include "runtime/transactions.hpp"

#include <algorithm>

namespace brook::runtime {

namespace {

std::string be16(int16_t v) {
  return {char(uint16_t(v) >> 8), char(v & 0xff)};
}

}  // namespace

bytes build_marker_batch(int64_t producer_id, int16_t producer_epoch, bool commit,
                         int32_t coordinator_epoch, int64_t timestamp) {
  std::string key = be16(0) + be16(commit ? 1 : 0);
  std::string value = be16(0) + be16(int16_t(uint32_t(coordinator_epoch) >> 16)) +
                      be16(int16_t(coordinator_epoch & 0xffff));
  return build_control_batch(producer_id, producer_epoch, timestamp, key, value);
}

result<bool> marker_commits(const uint8_t* batch, size_t n) {
  auto records = decode_records(batch, n);
  if (!records) return records.error();
  if (records->size() != 1 || !(*records)[0].key || (*records)[0].key->size() < 4)
    return status{errc::corrupt_message, "a control batch without a marker record"};
  const auto& key = *(*records)[0].key;
  int16_t type = int16_t((uint8_t(key[2]) << 8) | uint8_t(key[3]));
  if (type != 0 && type != 1)
    return status{errc::corrupt_message, "unknown control record type " + std::to_string(type)};
  return type == 1;
}

void txn_tracker::on_batch(const batch_header& h, std::optional<bool> commits) {
  if (h.producer_id < 0 || !h.is_transactional()) return;
  if (!h.is_control()) {
    open_.emplace(h.producer_id, h.base_offset);  // keeps the first offset of an open one
    return;
  }
  auto it = open_.find(h.producer_id);
  if (it == open_.end()) return;  // a marker for nothing open here (a retried marker)
  if (commits && !*commits) aborted_.push_back({h.producer_id, it->second, h.base_offset});
  open_.erase(it);
}

int64_t txn_tracker::last_stable_offset(int64_t high_watermark) const {
  int64_t lso = high_watermark;
  for (const auto& [pid, first] : open_) lso = std::min(lso, first);
  return lso;
}

std::vector<aborted_txn> txn_tracker::aborted_between(int64_t from, int64_t to) const {
  std::vector<aborted_txn> out;
  for (const auto& a : aborted_)
    if (a.last_offset >= from && a.first_offset < to) out.push_back(a);
  std::sort(out.begin(), out.end(), [](const aborted_txn& a, const aborted_txn& b) {
    return a.first_offset < b.first_offset;
  });
  return out;
}

void txn_tracker::forget_before(int64_t start) {
  aborted_.erase(std::remove_if(aborted_.begin(), aborted_.end(),
                                [start](const aborted_txn& a) { return a.last_offset < start; }),
                 aborted_.end());
}

bool txn_tracker::open(int64_t producer_id, int64_t* first) const {
  auto it = open_.find(producer_id);
  if (it == open_.end()) return false;
  if (first) *first = it->second;
  return true;
}

void txn_tracker::clear() {
  open_.clear();
  aborted_.clear();
}

}  // namespace brook::runtime
