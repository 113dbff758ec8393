// partition_log: steps 1 and 3 of log compaction (compaction.hpp; docs/log_format.md,
// "Compaction").
#include "runtime/log.hpp"
#include "runtime/storage/log_format.hpp"
#include "runtime/storage/partition_log.hpp"
#include "runtime/storage/segment.hpp"

namespace brook::runtime::storage {

std::unique_ptr<compaction_job> partition_log::plan_compaction(int64_t now_ms, offset cleanable_end,
                                                               bool force) const {
  if (!failure_.is_ok()) return nullptr;
  auto job = std::make_unique<compaction_job>();
  uint64_t total = 0, dirty = 0;
  // Closed segments wholly below cleanable_end and older than the compaction lag; the active one
  // is never touched.
  for (size_t i = 0; i + 1 < segments_.size(); ++i) {
    const segment& s = *segments_[i];
    if (s.next_offset() > cleanable_end) break;
    if (cfg_.min_compaction_lag_ms > 0 && s.max_timestamp() > now_ms - cfg_.min_compaction_lag_ms)
      break;
    total += s.size();
    if (s.base_offset() >= cleaned_end_) dirty += s.size();
    job->segments.push_back({s.base_offset().value(), s.next_offset().value(), s.size(),
                             s.max_timestamp(), s.log_file()});
  }
  if (job->segments.empty()) return nullptr;
  if (!force && (dirty == 0 || double(dirty) < cfg_.min_cleanable_dirty_ratio * double(total)))
    return nullptr;
  job->fs = &env_;
  job->dir = dir_;
  job->cfg = cfg_;
  job->now_ms = now_ms;
  job->layout = layout_;
  return job;
}

result<bool> partition_log::install_compaction(const compaction_job& job,
                                               const compaction_output& out) {
  auto cleaned = [&](const compaction_output::group& g) {
    return join_path(dir_,
                     format::segment_file_name(job.segments[g.first].base, format::cleaned_suffix));
  };
  if (!failure_.is_ok() || job.layout != layout_) {
    for (const auto& g : out.groups)
      if (g.rewritten) env_.remove(cleaned(g));
    if (!failure_.is_ok()) return failure_;
    return false;
  }
  // Groups from the back, so the positions of those still to swap stay as planned.
  for (auto g = out.groups.rbegin(); g != out.groups.rend(); ++g) {
    if (!g->rewritten) continue;
    if (status s = install_group(g->first, g->last - g->first); !s) {
      for (auto rest = g + 1; rest != out.groups.rend(); ++rest)
        if (rest->rewritten) env_.remove(cleaned(*rest));
      return s;
    }
  }
  ++layout_;
  cleaned_end_ = offset{job.segments.back().next};
  return true;
}

status partition_log::install_group(size_t first, size_t count) {
  const offset base = segments_[first]->base_offset();
  auto path = [&](std::string_view suffix) {
    return join_path(dir_, format::segment_file_name(base.value(), suffix));
  };
  // Once the cleaned file is named .swap it is the group: a crash from here on is finished by
  // open() (finish_swaps), which removes the group's files and renames the swap to .log.
  status s = env_.rename(path(format::cleaned_suffix), path(format::swap_suffix));
  if (s) s = env_.sync_dir(dir_);
  if (!s) {
    env_.remove(path(format::cleaned_suffix));
    env_.remove(path(format::swap_suffix));
    return s;
  }
  auto failed = [&](status why) {
    fail(why);  // the actor restarts the log, and open() finishes the swap
    return why;
  };
  for (size_t k = first + 1; k < first + count; ++k)
    if (s = segments_[k]->remove_files(env_); !s) return failed(s);
  for (auto suffix : {format::index_suffix, format::time_index_suffix})
    if (s = env_.remove(path(suffix)); !s && s.code() != errc::not_found) return failed(s);
  if (s = env_.rename(path(format::swap_suffix), path(format::log_suffix)); !s) return failed(s);
  if (s = env_.sync_dir(dir_); !s) return failed(s);
  auto fresh = segment::open(env_, dir_, base, cfg_.index_interval_bytes, /*full_scan=*/true);
  if (!fresh) return failed(fresh.error());
  if (s = (*fresh)->seal(); s) s = (*fresh)->sync();
  if (!s) return failed(s);
  segments_.erase(segments_.begin() + std::ptrdiff_t(first) + 1,
                  segments_.begin() + std::ptrdiff_t(first + count));
  segments_[first] = std::move(*fresh);
  return status::ok();
}

result<compaction_report> partition_log::compact(int64_t now_ms, offset cleanable_end, bool force) {
  auto job = plan_compaction(now_ms, cleanable_end, force);
  if (!job) {
    if (!failure_.is_ok()) return failure_;
    return compaction_report{};
  }
  auto out = run_compaction(*job);
  if (!out) return out.error();
  auto installed = install_compaction(*job, *out);
  if (!installed) return installed.error();
  return out->report;
}

}  // namespace brook::runtime::storage
