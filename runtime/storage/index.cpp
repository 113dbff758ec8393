#include "runtime/storage/index.hpp"

#include <algorithm>

#include "runtime/bytes.hpp"
#include "runtime/storage/log_format.hpp"

namespace brook::runtime::storage {

namespace {

// Per-entry encoding and the ordering rule each index must satisfy.
template <class Entry>
struct codec;

template <>
struct codec<offset_entry> {
  static constexpr size_t size = format::index_entry_size;
  static void encode(const offset_entry& e, uint8_t* p) {
    store_be32(p, e.relative_offset);
    store_be32(p + 4, e.position);
  }
  static offset_entry decode(const uint8_t* p) { return {load_be32(p), load_be32(p + 4)}; }
  // Batch starts: offsets and positions both strictly increase.
  static bool ordered(const offset_entry& prev, const offset_entry& next) {
    return next.relative_offset > prev.relative_offset && next.position > prev.position;
  }
  static bool in_bounds(const offset_entry& e, uint64_t log_size, uint64_t max_relative) {
    return e.position < log_size && e.relative_offset <= max_relative;
  }
};

template <>
struct codec<time_entry> {
  static constexpr size_t size = format::time_index_entry_size;
  static void encode(const time_entry& e, uint8_t* p) {
    store_be64(p, uint64_t(e.timestamp));
    store_be32(p + 8, e.relative_offset);
  }
  static time_entry decode(const uint8_t* p) { return {int64_t(load_be64(p)), load_be32(p + 8)}; }
  // Written only when the max timestamp grows.
  static bool ordered(const time_entry& prev, const time_entry& next) {
    return next.timestamp > prev.timestamp && next.relative_offset >= prev.relative_offset;
  }
  static bool in_bounds(const time_entry& e, uint64_t, uint64_t max_relative) {
    return e.relative_offset <= max_relative;
  }
};

}  // namespace

template <class Entry>
result<bool> sparse_index<Entry>::load(uint64_t log_size, uint64_t max_relative) {
  using c = codec<Entry>;
  entries_.clear();
  uint64_t n = file_->size();
  if (n % c::size != 0) return false;
  bytes buf(static_cast<size_t>(n));
  if (n > 0) {
    auto r = file_->read_at(0, buf.data(), buf.size());
    if (!r) return r.error();
    if (*r != n) return false;
  }
  std::vector<Entry> loaded;
  loaded.reserve(size_t(n / c::size));
  for (size_t i = 0; i < n; i += c::size) {
    Entry e = c::decode(buf.data() + i);
    if (!c::in_bounds(e, log_size, max_relative)) return false;
    if (!loaded.empty() && !c::ordered(loaded.back(), e)) return false;
    loaded.push_back(e);
  }
  entries_ = std::move(loaded);
  written_ = entries_.size();
  return true;
}

template <class Entry>
status sparse_index<Entry>::write_pending() {
  using c = codec<Entry>;
  if (file_->size() != uint64_t(written_) * c::size) {  // a failed write's partial entry
    status s = file_->truncate(uint64_t(written_) * c::size);
    if (!s) return s;
  }
  if (!has_pending()) return status::ok();
  bytes buf((entries_.size() - written_) * c::size);
  for (size_t i = written_; i < entries_.size(); ++i)
    c::encode(entries_[i], buf.data() + (i - written_) * c::size);
  status s = file_->append(buf.data(), buf.size());
  if (s) written_ = entries_.size();
  return s;
}

template <class Entry>
status sparse_index<Entry>::truncate_entries(size_t n) {
  n = std::min(n, entries_.size());
  size_t keep = std::min(n, written_);
  if (file_->size() != uint64_t(keep) * codec<Entry>::size) {
    status s = file_->truncate(uint64_t(keep) * codec<Entry>::size);
    if (!s) return s;
  }
  written_ = keep;
  entries_.resize(n);
  return status::ok();
}

template <class Entry>
status sparse_index<Entry>::assign(std::vector<Entry> entries) {
  using c = codec<Entry>;
  status s = reset();
  if (!s) return s;
  bytes buf(entries.size() * c::size);
  for (size_t i = 0; i < entries.size(); ++i) c::encode(entries[i], buf.data() + i * c::size);
  if (!buf.empty()) s = file_->append(buf.data(), buf.size());
  if (s) {
    entries_ = std::move(entries);
    written_ = entries_.size();
  }
  return s;
}

template class sparse_index<offset_entry>;
template class sparse_index<time_entry>;

std::optional<offset_entry> floor_entry(const offset_index& idx, uint32_t relative) {
  const auto& v = idx.entries();
  auto it = std::upper_bound(v.begin(), v.end(), relative, [](uint32_t r, const offset_entry& e) {
    return r < e.relative_offset;
  });
  if (it == v.begin()) return std::nullopt;
  return *(it - 1);
}

std::optional<time_entry> last_entry_before(const time_index& idx, int64_t ts) {
  const auto& v = idx.entries();
  auto it = std::lower_bound(v.begin(), v.end(), ts,
                             [](const time_entry& e, int64_t t) { return e.timestamp < t; });
  if (it == v.begin()) return std::nullopt;
  return *(it - 1);
}

}  // namespace brook::runtime::storage
