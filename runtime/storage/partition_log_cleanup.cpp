// partition_log: retention (deleting old segments), DeleteRecords (moving the log start) and
// truncation (replication's divergence fix).
#include "runtime/durable_file.hpp"
#include "runtime/log.hpp"
#include "runtime/storage/log_format.hpp"
#include "runtime/storage/partition_log.hpp"
#include "runtime/storage/segment.hpp"

namespace brook::runtime::storage {

status partition_log::remove_segment(segment& s) {
  dir_dirty_ = true;
  ++layout_;  // a compaction pass planned before this no longer matches the log
  status r = s.remove_files(env_);
  if (!r) BROOK_LOG_WARN("log " << dir_ << ": deleting segment files: " << r.to_string());
  return r;
}

bool partition_log::remove_front() {
  if (!remove_segment(*segments_.front())) return false;
  segments_.erase(segments_.begin());
  return true;
}

size_t partition_log::enforce_retention(int64_t now_ms) {
  if (failure_.is_ok() && segment_ms_elapsed(*segments_.back(), now_ms)) {
    status s = roll();
    if (!s) BROOK_LOG_WARN("log " << dir_ << ": time-based roll failed: " << s.to_string());
  }
  size_t deleted = 0;
  if (!cfg_.cleanup_delete) return deleted;  // compact only: kept until compaction removes it
  if (cfg_.retention_ms >= 0) {
    while (segments_.size() > 1) {
      const segment& s = *segments_.front();
      // A closed segment with no batch holds nothing worth keeping.
      bool expired =
          s.empty() || (s.max_timestamp() >= 0 && now_ms - s.max_timestamp() > cfg_.retention_ms);
      if (!expired || !remove_front()) break;
      ++deleted;
    }
  }
  if (cfg_.retention_bytes >= 0) {
    uint64_t total = size_bytes();
    while (segments_.size() > 1) {
      uint64_t first = segments_.front()->size();
      if (total - first < uint64_t(cfg_.retention_bytes) || !remove_front()) break;
      total -= first;
      ++deleted;
    }
  }
  return deleted;
}

status partition_log::write_log_start() {
  return write_file_durably(join_path(dir_, std::string(format::log_start_file)),
                            std::to_string(log_start_.value()) + "\n");
}

status partition_log::advance_start(offset new_start) {
  if (!failure_.is_ok()) return failure_;
  if (new_start > end_offset())
    return {errc::offset_out_of_range, "log " + dir_ + ": cannot start at " +
                                           std::to_string(new_start.value()) + ", past its end " +
                                           std::to_string(end_offset().value())};
  if (new_start <= start_offset()) return status::ok();
  log_start_ = new_start;
  if (status s = write_log_start(); !s) return s;
  while (segments_.size() > 1 && segments_.front()->next_offset() <= new_start)
    if (!remove_front()) break;
  return status::ok();
}

status partition_log::restart_at(offset start) {
  if (!failure_.is_ok()) return failure_;
  // The new (empty) active segment first, so the log is never without one: a segment already
  // based at `start` is emptied and kept, as its files have that name.
  std::unique_ptr<segment> fresh;
  for (auto& seg : segments_) {
    if (seg->base_offset() != start) continue;
    if (status s = seg->truncate_to(start); !s) {
      fail(s);
      return s;
    }
    fresh = std::move(seg);
  }
  if (!fresh) {
    auto created = segment::create(env_, dir_, start, cfg_.index_interval_bytes);
    if (!created) return created.error();
    fresh = std::move(*created);
  }
  for (auto& seg : segments_) {
    if (!seg) continue;
    if (status s = remove_segment(*seg); !s) BROOK_LOG_WARN("log " << dir_ << ": " << s.to_string());
  }
  segments_.clear();
  segments_.push_back(std::move(fresh));
  dir_dirty_ = true;
  flushed_ = start;
  ++truncations_;
  log_start_ = start;
  return write_log_start();
}

status partition_log::truncate_to(offset new_end) {
  if (!failure_.is_ok()) return failure_;
  if (new_end >= end_offset()) return status::ok();
  while (segments_.size() > 1 && segments_.back()->base_offset() >= new_end) {
    status s = remove_segment(*segments_.back());
    if (!s) {
      fail(s);
      return s;
    }
    segments_.pop_back();
  }
  segment& last = *segments_.back();
  if (new_end < last.base_offset()) {
    // Below the log start: empty the log and restart it at new_end.
    auto fresh = segment::create(env_, dir_, new_end, cfg_.index_interval_bytes);
    if (!fresh) return fresh.error();
    status s = remove_segment(last);
    if (!s) {
      fail(s);
      return s;
    }
    segments_.back() = std::move(*fresh);
    dir_dirty_ = true;
  } else {
    status s = last.truncate_to(new_end);
    if (!s) {
      if (!last.healthy()) fail(s);
      return s;
    }
  }
  if (flushed_ > end_offset()) flushed_ = end_offset();
  ++truncations_;
  if (log_start_ > end_offset()) {  // truncated below the start: the log restarts at its end
    log_start_ = end_offset();
    if (status s = write_log_start(); !s) return s;
  }
  return status::ok();
}

}  // namespace brook::runtime::storage
