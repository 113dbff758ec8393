#include "runtime/storage/segment.hpp"

#include <algorithm>

#include "runtime/storage/batch_scanner.hpp"
#include "runtime/storage/log_format.hpp"

namespace brook::runtime::storage {

namespace {

// Read-ahead for lookups: enough to cover one index interval of batch headers in one pread.
size_t lookup_chunk(uint32_t index_interval) {
  return std::clamp<size_t>(size_t(index_interval) + 2 * batch_header_size, 4096, size_t(1) << 20);
}

status corrupt(const std::string& what) {
  return {errc::corrupt_message, what};
}

}  // namespace

segment::segment(std::string dir, offset base, uint32_t index_interval_bytes)
    : dir_(std::move(dir)), base_(base), index_interval_(index_interval_bytes) {
  tail_.next_offset = base.value();
}

segment::~segment() = default;

std::string segment::path(std::string_view suffix) const {
  return join_path(dir_, format::segment_file_name(base_.value(), suffix));
}

uint64_t segment::size() const {
  return log_->size();
}

status segment::open_files(env& e) {
  auto l = e.open(path(format::log_suffix));
  if (!l) return l.error();
  auto i = e.open(path(format::index_suffix));
  if (!i) return i.error();
  auto t = e.open(path(format::time_index_suffix));
  if (!t) return t.error();
  log_ = std::move(*l);
  index_ = std::make_unique<offset_index>(std::move(*i));
  time_index_ = std::make_unique<time_index>(std::move(*t));
  return status::ok();
}

result<std::unique_ptr<segment>> segment::create(env& e, const std::string& dir, offset base,
                                                 uint32_t index_interval_bytes) {
  std::unique_ptr<segment> seg(new segment(dir, base, index_interval_bytes));
  status s = seg->open_files(e);
  if (s && seg->log_->size() > 0) s = seg->log_->truncate(0);
  if (s) s = seg->index_->reset();
  if (s) s = seg->time_index_->reset();
  if (!s) return s;
  seg->dirty_ = true;  // the new directory entries need a sync
  return seg;
}

result<std::unique_ptr<segment>> segment::open(env& e, const std::string& dir, offset base,
                                               uint32_t index_interval_bytes, bool full_scan) {
  std::unique_ptr<segment> seg(new segment(dir, base, index_interval_bytes));
  status s = seg->recover(e, full_scan);
  if (s) s = seg->load_rolling_timestamp();
  if (!s) return s;
  return seg;
}

status segment::recover(env& e, bool full) {
  // An index file that is absent (rather than empty) cannot be trusted to describe the log.
  bool indexes_exist =
      e.exists(path(format::index_suffix)) && e.exists(path(format::time_index_suffix));
  status s = open_files(e);
  if (!s) return s;
  if (!full && (indexes_exist || log_->size() == 0)) {
    auto idx_ok = index_->load(log_->size(), format::max_segment_span);
    if (!idx_ok) return idx_ok.error();
    auto time_ok = time_index_->load(log_->size(), format::max_segment_span);
    if (!time_ok) return time_ok.error();
    if (*idx_ok && *time_ok) {
      auto tail_ok = load_tail();
      if (!tail_ok) return tail_ok.error();
      if (*tail_ok) return status::ok();
    }
  }
  return full_scan();
}

void segment::track(tail_state& t, const batch_header& h, uint64_t pos, size_t n,
                    std::optional<offset_entry>& oe, std::optional<time_entry>& te) const {
  auto rel = uint32_t(h.base_offset - base_.value());
  if (h.max_timestamp > t.max_ts) {
    t.max_ts = h.max_timestamp;
    t.offset_of_max = rel;
  }
  // Kafka's rule: a batch gets an entry once index_interval bytes were written since the last.
  if (t.bytes_since_index >= index_interval_) {
    oe = offset_entry{rel, uint32_t(pos)};
    t.bytes_since_index = 0;
    if (t.max_ts > t.last_time_ts) {
      te = time_entry{t.max_ts, t.offset_of_max};
      t.last_time_ts = t.max_ts;
    }
  }
  t.bytes_since_index += n;
  t.next_offset = h.last_offset() + 1;
}

status segment::full_scan() {
  tail_state t;
  t.next_offset = base_.value();
  std::vector<offset_entry> offsets;
  std::vector<time_entry> times;
  uint64_t size = log_->size();
  batch_scanner scan(*log_, 0, size, /*verify=*/true, base_.value(), format::recovery_read_chunk);
  uint64_t end = 0;
  std::string problem;
  for (;;) {
    auto b = scan.next();
    if (!b) return b.error();
    if (!*b) {
      end = scan.position();
      problem = scan.problem();
      break;
    }
    const auto& h = (*b)->header;
    if (uint64_t(h.last_offset() - base_.value()) > format::max_segment_span ||
        (*b)->position + (*b)->size() > format::max_segment_span) {
      end = (*b)->position;
      problem = "batch at position " + std::to_string(end) + " does not fit the segment";
      break;
    }
    std::optional<offset_entry> oe;
    std::optional<time_entry> te;
    track(t, h, (*b)->position, (*b)->size(), oe, te);
    if (oe) offsets.push_back(*oe);
    if (te) times.push_back(*te);
  }
  if (end < size) {
    status s = log_->truncate(end);
    if (!s) return s;
    recovery_.truncated_bytes = size - end;
    recovery_.problem = problem;
  }
  status s = index_->assign(std::move(offsets));
  if (s) s = time_index_->assign(std::move(times));
  if (!s) return s;
  recovery_.indexes_rebuilt = true;
  tail_ = t;
  dirty_ = true;
  return status::ok();
}

result<bool> segment::load_tail() {
  tail_state t;
  t.next_offset = base_.value();
  if (!time_index_->empty()) {
    t.max_ts = t.last_time_ts = time_index_->back().timestamp;
    t.offset_of_max = time_index_->back().relative_offset;
  }
  uint64_t from = index_->empty() ? 0 : index_->back().position;
  int64_t from_offset = base_.value() + (index_->empty() ? 0 : index_->back().relative_offset);
  batch_scanner scan(*log_, from, log_->size(), /*verify=*/false, base_.value(),
                     lookup_chunk(index_interval_));
  bool first = true;
  for (;;) {
    auto b = scan.next();
    if (!b) return b.error();
    if (!*b) break;
    const auto& h = (*b)->header;
    if (uint64_t(h.last_offset() - base_.value()) > format::max_segment_span) return false;
    if (first && !index_->empty()) {
      // The last index entry must point at a batch start with the offset it claims.
      if (h.base_offset != from_offset) return false;
      if (h.max_timestamp > t.max_ts) {
        t.max_ts = h.max_timestamp;
        t.offset_of_max = index_->back().relative_offset;
      }
      t.bytes_since_index = (*b)->size();
      t.next_offset = h.last_offset() + 1;
    } else {
      std::optional<offset_entry> oe;
      std::optional<time_entry> te;
      track(t, h, (*b)->position, (*b)->size(), oe, te);
      if (oe) return false;  // an entry the index should hold is missing
    }
    first = false;
  }
  if (!scan.problem().empty()) return false;
  if (!time_index_->empty() &&
      base_.value() + time_index_->back().relative_offset >= t.next_offset) {
    return false;
  }
  tail_ = t;
  return true;
}

status segment::load_rolling_timestamp() {
  rolling_ts_ = -1;
  if (log_->size() < batch_header_size) return status::ok();
  uint8_t buf[batch_header_size];
  auto got = log_->read_at(0, buf, sizeof buf);
  if (!got) return got.error();
  if (*got != sizeof buf)
    return corrupt("short read of first batch header in " + path(format::log_suffix));
  auto h = parse_batch_header(buf, sizeof buf);
  if (!h) return h.error();
  if (h->max_timestamp >= 0) rolling_ts_ = h->max_timestamp;
  return status::ok();
}

status segment::append(const uint8_t* batch, size_t n, const batch_header& h, int64_t now_ms) {
  BROOK_ASSERT(healthy_, "append to a segment whose last failed append was not undone");
  BROOK_ASSERT(h.base_offset >= tail_.next_offset, "batch offsets must grow");
  uint64_t pos = log_->size();
  tail_state t = tail_;
  std::optional<offset_entry> oe;
  std::optional<time_entry> te;
  track(t, h, pos, n, oe, te);
  status s = log_->append(batch, n);
  if (!s) {
    status r = log_->truncate(pos);
    if (!r) {
      healthy_ = false;
      return {s.code(), s.message() + "; undoing it failed: " + r.message()};
    }
    return s;
  }
  // Index entries reach their files when the segment is flushed or sealed (write_indexes).
  if (oe) index_->append(*oe);
  if (te) time_index_->append(*te);
  tail_ = t;
  dirty_ = true;
  if (rolling_ts_ < 0) rolling_ts_ = now_ms;
  return s;
}

status segment::write_indexes() {
  status s = index_->write_pending();
  return s ? time_index_->write_pending() : s;
}

result<uint64_t> segment::position_of(offset o) const {
  if (o.value() >= tail_.next_offset) return size();
  auto rel = uint32_t(std::max<int64_t>(0, o.value() - base_.value()));
  auto floor = floor_entry(*index_, rel);
  uint64_t from = floor ? floor->position : 0;
  batch_scanner scan(*log_, from, size(), /*verify=*/false, base_.value(),
                     lookup_chunk(index_interval_));
  for (;;) {
    auto b = scan.next();
    if (!b) return b.error();
    if (!*b) break;
    if ((*b)->header.last_offset() >= o.value()) return (*b)->position;
  }
  if (!scan.problem().empty()) return corrupt(path(format::log_suffix) + " " + scan.problem());
  return size();
}

result<size_t> segment::read(uint64_t pos, size_t max_bytes, bool at_least_one, bytes& out) const {
  uint64_t end = size();
  if (pos >= end) return size_t(0);
  uint64_t avail = end - pos;
  size_t want = size_t(
      std::min<uint64_t>(avail, std::max(max_bytes, at_least_one ? batch_header_size : size_t(0))));
  if (want == 0) return size_t(0);
  size_t old = out.size();
  auto fail = [&](status s) -> result<size_t> {
    out.resize(old);
    return s;
  };
  out.resize(old + want);
  auto got = log_->read_at(pos, out.data() + old, want);
  if (!got) return fail(got.error());
  if (*got != want) return fail({errc::io_error, "short read of " + path(format::log_suffix)});
  size_t taken = 0;
  while (taken + batch_header_size <= want) {
    auto h = parse_batch_header(out.data() + old + taken, want - taken);
    if (!h) return fail(h.error());
    if (taken + h->total_size() > want) break;
    taken += h->total_size();
  }
  if (taken == 0 && at_least_one) {
    // Kafka's fetch rule: the first batch is returned whole even when it exceeds max_bytes.
    auto h = parse_batch_header(out.data() + old, want);
    if (!h) return fail(h.error());
    size_t n = h->total_size();
    if (n > avail) return fail(corrupt("batch past the end of " + path(format::log_suffix)));
    out.resize(old + n);
    auto rest = log_->read_at(pos + want, out.data() + old + want, n - want);
    if (!rest) return fail(rest.error());
    if (*rest != n - want)
      return fail({errc::io_error, "short read of " + path(format::log_suffix)});
    taken = n;
  }
  out.resize(old + taken);
  return taken;
}

result<file_slice> segment::slice(uint64_t pos, size_t max_bytes, bool at_least_one,
                                  offset limit) const {
  file_slice out{log_, log_->descriptor(), pos, 0};
  uint64_t end = size();
  if (limit.value() < tail_.next_offset) {
    auto p = position_of(limit);
    if (!p) return p.error();
    end = std::min(end, *p);
  }
  if (pos >= end) return out;
  uint64_t want_end = pos + max_bytes;
  if (want_end >= end) {
    out.size = size_t(end - pos);
    return out;
  }
  // Cut at the last batch boundary <= want_end: walk the headers from the last index entry
  // before it (index entries are batch starts).
  const auto& entries = index_->entries();
  auto after =
      std::upper_bound(entries.begin(), entries.end(), want_end,
                       [](uint64_t v, const offset_entry& e) { return v < uint64_t(e.position); });
  uint64_t cut = pos;
  if (after != entries.begin() && std::prev(after)->position > pos)
    cut = std::prev(after)->position;
  batch_scanner scan(*log_, cut, end, /*verify=*/false, base_.value(),
                     lookup_chunk(index_interval_));
  for (;;) {
    auto b = scan.next();
    if (!b) return b.error();
    if (!*b) break;
    uint64_t batch_end = (*b)->position + (*b)->size();
    // Kafka's fetch rule: the first batch goes whole even when it exceeds max_bytes.
    if (batch_end > want_end && !(cut == pos && at_least_one)) break;
    cut = batch_end;
    if (cut >= want_end) break;
  }
  out.size = size_t(cut - pos);
  return out;
}

result<std::optional<offset>> segment::offset_for_timestamp(int64_t ts) const {
  using none = std::optional<offset>;
  if (tail_.max_ts < ts) return none();
  auto before = last_entry_before(*time_index_, ts);
  auto from = position_of(base_ + (before ? int64_t(before->relative_offset) : 0));
  if (!from) return from.error();
  batch_scanner scan(*log_, *from, size(), /*verify=*/false, base_.value(),
                     lookup_chunk(index_interval_));
  for (;;) {
    auto b = scan.next();
    if (!b) return b.error();
    if (!*b) break;
    if ((*b)->header.max_timestamp >= ts) return none(offset{(*b)->header.base_offset});
  }
  if (!scan.problem().empty()) return corrupt(path(format::log_suffix) + " " + scan.problem());
  return none();
}

status segment::seal() {
  bool final_time = tail_.max_ts > tail_.last_time_ts;
  if (!final_time && !index_->has_pending() && !time_index_->has_pending()) return status::ok();
  size_t count = time_index_->count();
  if (final_time) time_index_->append({tail_.max_ts, tail_.offset_of_max});
  status s = write_indexes();
  if (!s) {
    if (final_time && !time_index_->truncate_entries(count)) healthy_ = false;
    return s;
  }
  if (final_time) tail_.last_time_ts = tail_.max_ts;
  dirty_ = true;
  return s;
}

status segment::sync() {
  (void)write_indexes();  // as take_unsynced: a failed index write is retried, not fatal
  status s = log_->sync();
  if (s) s = index_->sync();
  if (s) s = time_index_->sync();
  if (s) dirty_ = false;
  return s;
}

void segment::take_unsynced(std::vector<std::shared_ptr<file>>& out) {
  if (!dirty_) return;
  // A failed write leaves the entries pending for the next flush or the seal; the records'
  // durability rests on the .log alone (recovery rebuilds an active segment's indexes).
  (void)write_indexes();
  out.push_back(log_);
  out.push_back(index_->shared_file());
  out.push_back(time_index_->shared_file());
  dirty_ = false;
}

status segment::truncate_to(offset o) {
  auto pos = position_of(o);
  if (!pos) return pos.error();
  if (*pos >= size()) return status::ok();
  uint8_t buf[batch_header_size];
  auto got = log_->read_at(*pos, buf, sizeof buf);
  if (!got) return got.error();
  auto h = parse_batch_header(buf, *got);
  if (!h) return h.error();
  auto cut_rel = uint32_t(h->base_offset - base_.value());
  const auto& offsets = index_->entries();
  size_t keep_index =
      size_t(std::lower_bound(offsets.begin(), offsets.end(), *pos,
                              [](const offset_entry& e, uint64_t p) { return e.position < p; }) -
             offsets.begin());
  const auto& times = time_index_->entries();
  size_t keep_times = size_t(
      std::lower_bound(times.begin(), times.end(), cut_rel,
                       [](const time_entry& e, uint32_t r) { return e.relative_offset < r; }) -
      times.begin());
  status s = log_->truncate(*pos);
  if (s) s = index_->truncate_entries(keep_index);
  if (s) s = time_index_->truncate_entries(keep_times);
  if (!s) {
    healthy_ = false;
    return s;
  }
  dirty_ = true;
  auto tail_ok = load_tail();
  if (!tail_ok) {
    healthy_ = false;
    return tail_ok.error();
  }
  if (!*tail_ok) s = full_scan();
  if (s) s = load_rolling_timestamp();
  if (!s) healthy_ = false;
  return s;
}

status segment::remove_files(env& e) {
  status first;
  for (auto suffix : {format::log_suffix, format::index_suffix, format::time_index_suffix}) {
    status s = e.remove(path(suffix));
    if (!s && s.code() != errc::not_found && first) first = s;
  }
  return first;
}

}  // namespace brook::runtime::storage
