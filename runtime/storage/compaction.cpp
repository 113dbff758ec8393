// Step 2 of log compaction: reading closed segments and writing the cleaned ones.
#include "runtime/storage/compaction.hpp"

#include <algorithm>
#include <unordered_map>

#include "runtime/record_batch.hpp"
#include "runtime/storage/batch_scanner.hpp"
#include "runtime/storage/file.hpp"
#include "runtime/storage/log_format.hpp"

namespace brook::runtime::storage {

namespace {

/// What the first read of the segments learned.
struct key_map {
  std::unordered_map<std::string, int64_t> last_of_key;   // key -> offset of its last record
  std::unordered_map<int64_t, int64_t> last_of_producer;  // producer id -> base of its last batch
};

// Calls fn(header, bytes) for every batch of `s`, CRC-checked; stops at the first error.
template <class F>
status for_each_batch(const compaction_job& job, const compaction_job::source& s, F&& fn) {
  batch_scanner scan(*s.log, 0, s.size, /*verify=*/true, s.base, format::recovery_read_chunk);
  for (;;) {
    if (job.cancelled->load()) return {errc::io_error, "compaction of " + job.dir + " cancelled"};
    auto b = scan.next();
    if (!b) return b.error();
    if (!*b) break;
    if (status st = fn((*b)->header, scan.data_of(**b)); !st) return st;
  }
  if (!scan.problem().empty())
    return status(errc::corrupt_message, "compaction of " + job.dir + ", segment " +
                                             std::to_string(s.base) + ": " + scan.problem());
  return status::ok();
}

result<key_map> map_keys(const compaction_job& job) {
  key_map m;
  for (const auto& s : job.segments) {
    status st = for_each_batch(job, s, [&](const batch_header& h, const uint8_t* p) -> status {
      if (h.producer_id >= 0) m.last_of_producer[h.producer_id] = h.base_offset;
      if (h.is_control()) return status::ok();
      auto records = decode_records(p, h.total_size());
      if (!records) return records.error();
      for (auto& r : *records)
        if (r.key) m.last_of_key[std::move(*r.key)] = r.offset;
      return status::ok();
    });
    if (!st) return st;
  }
  return m;
}

// Groups of adjacent segments whose sizes together fit one segment (and its offset span).
std::vector<compaction_output::group> group_segments(const compaction_job& job) {
  std::vector<compaction_output::group> groups;
  const uint64_t limit = std::min<uint64_t>(job.cfg.segment_bytes, format::max_segment_span);
  const auto& segs = job.segments;
  for (size_t i = 0; i < segs.size();) {
    uint64_t bytes = segs[i].size;
    size_t j = i + 1;
    while (j < segs.size() && bytes + segs[j].size <= limit &&
           uint64_t(segs[j].next - segs[i].base) <= format::max_segment_span) {
      bytes += segs[j].size;
      ++j;
    }
    groups.push_back({i, j, false});
    i = j;
  }
  return groups;
}

std::string cleaned_path(const compaction_job& job, int64_t base) {
  return join_path(job.dir, format::segment_file_name(base, format::cleaned_suffix));
}

// Writes one group's cleaned segment; sets g.rewritten unless nothing would change (then no
// file is left).
status clean_group(const compaction_job& job, const key_map& keys, compaction_output::group& g,
                   compaction_report& report) {
  const int64_t group_last = job.segments[g.last - 1].next - 1;
  const std::string path = cleaned_path(job, job.segments[g.first].base);
  auto opened = job.fs->open(path);
  if (!opened) return opened.error();
  std::unique_ptr<file> out = std::move(*opened);
  bool changed = g.last - g.first > 1;
  status s = out->truncate(0);
  for (size_t k = g.first; k < g.last && s; ++k) {
    const auto& seg = job.segments[k];
    report.bytes_before += seg.size;
    const bool tombstones_expire =
        seg.max_timestamp >= 0 && job.now_ms - seg.max_timestamp > job.cfg.delete_retention_ms;
    s = for_each_batch(job, seg, [&](const batch_header& h, const uint8_t* p) -> status {
      const size_t n = h.total_size();
      if (h.is_control()) return out->append(p, n);
      auto records = decode_records(p, n);
      if (!records) return records.error();
      std::vector<record> kept;
      kept.reserve(records->size());
      for (auto& r : *records) {
        if (r.key && keys.last_of_key.at(*r.key) != r.offset) {
          ++report.records_removed;
        } else if (r.key && !r.value && tombstones_expire) {
          ++report.tombstones_removed;
        } else {
          kept.push_back(std::move(r));
        }
      }
      if (kept.size() == records->size()) return out->append(p, n);
      changed = true;
      if (kept.empty()) {
        auto producer = keys.last_of_producer.find(h.producer_id);
        bool needed = h.last_offset() == group_last || (producer != keys.last_of_producer.end() &&
                                                        producer->second == h.base_offset);
        if (!needed) return status::ok();
      }
      bytes rebuilt = rebuild_batch(h, kept);
      return out->append(rebuilt.data(), rebuilt.size());
    });
  }
  if (s && changed) s = out->sync();
  if (s && changed) report.bytes_after += out->size();
  out.reset();
  if (!s || !changed) {
    job.fs->remove(path);
  } else {
    g.rewritten = true;
  }
  return s;
}

}  // namespace

result<compaction_output> run_compaction(const compaction_job& job) {
  compaction_output out;
  auto keys = map_keys(job);
  if (!keys) return keys.error();
  out.groups = group_segments(job);
  out.report.segments_before = job.segments.size();
  out.report.segments_after = out.groups.size();
  for (auto& g : out.groups) {
    if (status s = clean_group(job, *keys, g, out.report); !s) {
      for (const auto& done : out.groups)
        if (done.rewritten) job.fs->remove(cleaned_path(job, job.segments[done.first].base));
      return s;
    }
    if (!g.rewritten)
      for (size_t k = g.first; k < g.last; ++k) out.report.bytes_after += job.segments[k].size;
  }
  return out;
}

}  // namespace brook::runtime::storage
