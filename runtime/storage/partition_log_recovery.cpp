// partition_log: opening a log directory and recovering it after a crash.
#include <algorithm>
#include <fstream>
#include <map>

#include "runtime/log.hpp"
#include "runtime/storage/batch_scanner.hpp"
#include "runtime/storage/log_format.hpp"
#include "runtime/storage/partition_log.hpp"
#include "runtime/storage/segment.hpp"

namespace brook::runtime::storage {

partition_log::partition_log(env& e, std::string dir, log_config cfg)
    : env_(e), dir_(std::move(dir)), cfg_(cfg) {}

partition_log::~partition_log() = default;

result<std::unique_ptr<partition_log>> partition_log::open(env& e, std::string dir,
                                                           log_config cfg) {
  std::unique_ptr<partition_log> log(new partition_log(e, std::move(dir), cfg));
  status s = log->load();
  if (!s) return s;
  return log;
}

result<bool> partition_log::finish_swaps(const std::vector<std::string>& names) {
  bool any = false;
  for (const auto& name : names) {
    auto base = format::parse_segment_file_name(name, format::swap_suffix);
    if (!base) continue;
    // A compaction install that a crash interrupted: the swap file is complete (synced before
    // it got its name) and replaces every segment from its base to its end.
    auto f = env_.open(join_path(dir_, name));
    if (!f) return f.error();
    batch_scanner scan(**f, 0, (*f)->size(), /*verify=*/true, *base, format::recovery_read_chunk);
    int64_t end = *base;
    for (;;) {
      auto b = scan.next();
      if (!b) return b.error();
      if (!*b) break;
      end = (*b)->header.last_offset() + 1;
    }
    f->reset();
    if (!scan.problem().empty())
      return status(errc::corrupt_message,
                    "log " + dir_ + ": compacted segment " + name + " " + scan.problem());
    BROOK_LOG_WARN("log " << dir_ << ": finishing the install of compacted segment " << name
                          << " (offsets " << *base << " to " << end << ")");
    for (const auto& other : names) {
      for (auto suffix : {format::log_suffix, format::index_suffix, format::time_index_suffix}) {
        auto b = format::parse_segment_file_name(other, suffix);
        if (!b || *b < *base || *b >= end) continue;
        status s = env_.remove(join_path(dir_, other));
        if (!s && s.code() != errc::not_found) return s;
      }
    }
    status s = env_.rename(join_path(dir_, name),
                           join_path(dir_, format::segment_file_name(*base, format::log_suffix)));
    if (!s) return s;
    dir_dirty_ = true;
    any = true;
  }
  return any;
}

status partition_log::load() {
  status s = env_.create_dirs(dir_);
  if (!s) return s;
  auto names = env_.list(dir_);
  if (!names) return names.error();
  auto swapped = finish_swaps(*names);
  if (!swapped) return swapped.error();
  if (*swapped) names = env_.list(dir_);
  if (!names) return names.error();

  // Segments are defined by their .log files; indexes without one are leftovers of a deletion
  // that a crash interrupted (.log files are removed first).
  std::vector<int64_t> bases;
  std::map<int64_t, std::vector<std::string>> index_files;
  for (const auto& name : *names) {
    if (auto base = format::parse_segment_file_name(name, format::log_suffix)) {
      bases.push_back(*base);
    } else if (auto b = format::parse_segment_file_name(name, format::index_suffix)) {
      index_files[*b].push_back(name);
    } else if (auto b = format::parse_segment_file_name(name, format::time_index_suffix)) {
      index_files[*b].push_back(name);
    } else if (format::parse_segment_file_name(name, format::cleaned_suffix)) {
      // A compaction pass that a crash interrupted before its install: the old files stand.
      BROOK_LOG_WARN("log " << dir_ << ": removing unfinished compaction output " << name);
      s = env_.remove(join_path(dir_, name));
      if (!s && s.code() != errc::not_found) return s;
      dir_dirty_ = true;
    }
  }
  std::sort(bases.begin(), bases.end());
  for (const auto& [base, files] : index_files) {
    if (std::binary_search(bases.begin(), bases.end(), base)) continue;
    for (const auto& name : files) {
      BROOK_LOG_WARN("log " << dir_ << ": removing orphan index file " << name);
      s = env_.remove(join_path(dir_, name));
      if (!s && s.code() != errc::not_found) return s;
      dir_dirty_ = true;
    }
  }

  if (bases.empty()) {
    auto seg = segment::create(env_, dir_, offset{0}, cfg_.index_interval_bytes);
    if (!seg) return seg.error();
    segments_.push_back(std::move(*seg));
    dir_dirty_ = true;
  }
  for (size_t i = 0; i < bases.size(); ++i) {
    bool last = i + 1 == bases.size();
    auto seg = segment::open(env_, dir_, offset{bases[i]}, cfg_.index_interval_bytes, last);
    if (!seg) return seg.error();
    const auto& rec = (*seg)->recovery();
    recovery_.segments_scanned += rec.indexes_rebuilt ? 1 : 0;
    recovery_.indexes_rebuilt += rec.indexes_rebuilt && !last ? 1 : 0;
    recovery_.truncated_bytes += rec.truncated_bytes;
    if (rec.truncated_bytes > 0) {
      BROOK_LOG_WARN("log " << dir_ << ": truncated " << rec.truncated_bytes
                            << " bytes off segment " << bases[i] << " (" << rec.problem << ")");
    } else if (rec.indexes_rebuilt && !last) {
      BROOK_LOG_WARN("log " << dir_ << ": rebuilt indexes of segment " << bases[i]);
    }
    if (!segments_.empty() && segments_.back()->next_offset() > (*seg)->base_offset()) {
      return {errc::corrupt_message, "log " + dir_ + ": segment " + std::to_string(bases[i]) +
                                         " overlaps the offsets of the segment before it"};
    }
    segments_.push_back(std::move(*seg));
  }
  recovery_.segments = segments_.size();
  // DeleteRecords' start, never past what the log holds (a crash may have cut the tail).
  std::ifstream start_file(join_path(dir_, std::string(format::log_start_file)));
  int64_t start = 0;
  if (start_file >> start && start > 0) log_start_ = std::min(offset{start}, end_offset());

  // A closed segment's final max timestamp belongs in its .timeindex (no-op when present).
  for (size_t i = 0; i + 1 < segments_.size(); ++i) {
    s = segments_[i]->seal();
    if (!s) return s;
  }
  // Whatever survived a process crash may still sit only in the page cache.
  s = sync_all();
  if (!s) return s;
  flushed_ = end_offset();
  return status::ok();
}

status partition_log::sync_all() {
  for (auto& seg : segments_) {
    status s = seg->sync();
    if (!s) return s;
  }
  status s = env_.sync_dir(dir_);
  if (s) dir_dirty_ = false;
  return s;
}

}  // namespace brook::runtime::storage
