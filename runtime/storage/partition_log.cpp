// partition_log: appends, reads, lookups and the flush policy.
#include "runtime/storage/partition_log.hpp"

#include <algorithm>
#include <sstream>

#include "runtime/log.hpp"
#include "runtime/record_batch.hpp"
#include "runtime/storage/log_format.hpp"
#include "runtime/storage/segment.hpp"

namespace brook::runtime::storage {

void partition_log::fail(const status& s) {
  if (failure_.is_ok()) {
    failure_ = status(s.code(), "log " + dir_ + " refuses writes until reopened: " + s.message());
    BROOK_LOG_ERROR(failure_.to_string());
  }
}

bool partition_log::segment_ms_elapsed(const segment& s, int64_t now_ms) const {
  int64_t since = s.rolling_timestamp();
  return !s.empty() && since >= 0 && now_ms - since > cfg_.segment_ms;
}

bool partition_log::should_roll(const segment& active, size_t n, int64_t last_offset,
                                int64_t now_ms) const {
  if (active.empty()) return false;
  uint64_t limit = std::min<uint64_t>(cfg_.segment_bytes, format::max_segment_span);
  return active.size() + n > limit ||
         uint64_t(last_offset - active.base_offset().value()) > format::max_segment_span ||
         segment_ms_elapsed(active, now_ms);
}

status partition_log::roll() {
  segment& old = *segments_.back();
  status s = old.seal();
  if (!s) {
    if (!old.healthy()) fail(s);
    return s;
  }
  auto seg = segment::create(env_, dir_, end_offset(), cfg_.index_interval_bytes);
  if (!seg) return seg.error();
  segments_.push_back(std::move(*seg));
  dir_dirty_ = true;
  return status::ok();
}

result<append_info> partition_log::append(uint8_t* batch, size_t n, int32_t leader_epoch,
                                          int64_t now_ms) {
  auto h = parse_batch_header(batch, n);
  if (!h) return h.error();
  return append(batch, n, *h, leader_epoch, now_ms);
}

result<append_info> partition_log::append(uint8_t* batch, size_t n, batch_header header,
                                          int32_t leader_epoch, int64_t now_ms) {
  if (status s = appendable(header, n); !s) return s;
  header.base_offset = end_offset().value();
  header.leader_epoch = leader_epoch;
  set_base_offset(batch, header.base_offset);
  set_leader_epoch(batch, leader_epoch);
  return store(batch, n, header, now_ms);
}

result<append_info> partition_log::append_replica(const uint8_t* batch, size_t n,
                                                  const batch_header& header, int64_t now_ms) {
  if (status s = appendable(header, n); !s) return s;
  if (header.base_offset < end_offset().value()) {
    return status(errc::corrupt_message,
                  "replicated batch at offset " + std::to_string(header.base_offset) +
                      " is below the log end " + std::to_string(end_offset().value()));
  }
  return store(batch, n, header, now_ms);
}

status partition_log::appendable(const batch_header& h, size_t n) const {
  if (!failure_.is_ok()) return failure_;
  if (h.total_size() != n || h.last_offset_delta < 0)
    return status(errc::corrupt_message, "batch length or offset delta does not match its size");
  return status::ok();
}

result<append_info> partition_log::store(const uint8_t* batch, size_t n, const batch_header& h,
                                         int64_t now_ms) {
  if (should_roll(*segments_.back(), n, h.last_offset(), now_ms)) {
    status s = roll();
    if (!s) return s;
  }
  segment& active = *segments_.back();
  status s = active.append(batch, n, h, now_ms);
  if (!s) {
    if (!active.healthy()) fail(s);
    return s;
  }
  unflushed_messages_ += int64_t(h.last_offset_delta) + 1;
  if (first_unflushed_ms_ < 0) first_unflushed_ms_ = now_ms;
  return append_info{offset{h.base_offset}, offset{h.last_offset()}, h.max_timestamp,
                     flush_due(now_ms)};
}

// Hands `take(segment, position, budget)` each segment's part of a read from `from` of up
// to `max_bytes`; take returns the bytes it took and the walk stops where a segment was not taken
// to its end.
template <class Take>
status partition_log::walk_read(offset from, size_t max_bytes, Take take) const {
  if (from < start_offset() || from > end_offset()) {
    std::ostringstream msg;
    msg << "offset " << from << " is outside [" << start_offset() << ", " << end_offset() << "] of "
        << dir_;
    return status(errc::offset_out_of_range, msg.str());
  }
  if (from == end_offset()) return status::ok();
  // The last segment whose base is <= from holds it (or, in a gap, the batches after it).
  auto it = std::upper_bound(
      segments_.begin(), segments_.end(), from,
      [](offset o, const std::unique_ptr<segment>& s) { return o < s->base_offset(); });
  if (it != segments_.begin()) --it;
  size_t budget = max_bytes;
  bool first = true;
  for (; it != segments_.end(); ++it) {
    uint64_t pos = 0;
    if (first) {
      auto p = (*it)->position_of(from);
      if (!p) return p.error();
      pos = *p;
    }
    first = false;
    auto got = take(**it, pos, budget);
    if (!got) return got.error();
    budget -= std::min(budget, *got);
    if (pos + *got < (*it)->size() || budget == 0) break;  // budget spent inside this segment
  }
  return status::ok();
}

result<bytes> partition_log::read(offset from, size_t max_bytes) const {
  bytes out;
  auto s = walk_read(from, max_bytes, [&](const segment& seg, uint64_t pos, size_t budget) {
    return seg.read(pos, budget, out.empty(), out);
  });
  if (!s.is_ok()) return s;
  return out;
}

result<std::vector<file_slice>> partition_log::read_files(offset from, size_t max_bytes,
                                                          offset limit) const {
  std::vector<file_slice> out;
  auto s = walk_read(from, max_bytes,
                     [&](const segment& seg, uint64_t pos, size_t budget) -> result<size_t> {
                       auto sl = seg.slice(pos, budget, out.empty(), limit);
                       if (!sl) return sl.error();
                       size_t n = sl->size;
                       if (n > 0) out.push_back(std::move(*sl));
                       return n;
                     });
  if (!s.is_ok()) return s;
  return out;
}

bool partition_log::can_send_files() const {
  return segments_.back()->log_file()->descriptor() >= 0;
}

offset partition_log::start_offset() const {
  return std::max(segments_.front()->base_offset(), log_start_);
}

offset partition_log::end_offset() const {
  return segments_.back()->next_offset();
}

offset partition_log::offset_for_timestamp(int64_t ts) const {
  for (const auto& seg : segments_) {
    if (seg->max_timestamp() < ts) continue;
    auto found = seg->offset_for_timestamp(ts);
    if (!found) {
      BROOK_LOG_WARN("log " << dir_ << ": timestamp lookup failed, answering segment base "
                            << seg->base_offset() << ": " << found.error().to_string());
      return std::max(seg->base_offset(), start_offset());
    }
    // Never below the log start (DeleteRecords may have moved it inside this batch).
    if (*found) return std::max(**found, start_offset());
  }
  return end_offset();
}

int64_t partition_log::last_timestamp() const {
  int64_t ts = -1;
  for (const auto& seg : segments_) ts = std::max(ts, seg->max_timestamp());
  return ts;
}

status flush_plan::run() const {
  for (const auto& f : files)
    if (status s = f->sync(); !s) return s;
  if (!dir.empty()) return fs->sync_dir(dir);
  return status::ok();
}

result<flush_plan> partition_log::begin_flush() {
  if (!failure_.is_ok()) return failure_;
  flush_plan plan;
  plan.fs = &env_;
  for (auto& seg : segments_) seg->take_unsynced(plan.files);
  if (dir_dirty_) plan.dir = dir_;
  dir_dirty_ = false;
  plan.up_to = end_offset();
  plan.generation = truncations_;
  unflushed_messages_ = 0;
  first_unflushed_ms_ = -1;
  return plan;
}

status partition_log::end_flush(const flush_plan& plan, const status& outcome) {
  if (!outcome) {
    fail(outcome);
    return outcome;
  }
  // After a truncation the offsets below up_to may hold other, unsynced batches.
  if (plan.generation == truncations_ && plan.up_to > flushed_)
    flushed_ = std::min(plan.up_to, end_offset());
  return failure_;
}

status partition_log::flush() {
  auto plan = begin_flush();
  if (!plan) return plan.error();
  return end_flush(*plan, plan->run());
}

offset partition_log::flushed_offset() const {
  return flushed_;
}

bool partition_log::flush_due(int64_t now_ms) const {
  if (unflushed_messages_ == 0) return false;
  return unflushed_messages_ >= cfg_.flush_messages ||
         (first_unflushed_ms_ >= 0 && now_ms - first_unflushed_ms_ >= cfg_.flush_ms);
}

uint64_t partition_log::size_bytes() const {
  uint64_t total = 0;
  for (const auto& seg : segments_) total += seg->size();
  return total;
}

size_t partition_log::segment_count() const {
  return segments_.size();
}

}  // namespace brook::runtime::storage
