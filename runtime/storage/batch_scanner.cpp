#include "runtime/storage/batch_scanner.hpp"

#include <algorithm>

namespace brook::runtime::storage {

batch_scanner::batch_scanner(const file& f, uint64_t from, uint64_t limit, bool verify,
                             int64_t min_offset, size_t chunk)
    : file_(f),
      pos_(from),
      limit_(limit),
      verify_(verify),
      min_offset_(min_offset),
      chunk_(std::max(chunk, batch_header_size)) {}

result<bool> batch_scanner::fill(uint64_t pos, size_t n) {
  if (pos >= buf_start_ && pos + n <= buf_start_ + buf_len_) return true;
  if (pos + n > limit_) return false;
  size_t len = size_t(std::min<uint64_t>(std::max(n, chunk_), limit_ - pos));
  if (buf_.size() < len) buf_.resize(len);
  auto got = file_.read_at(pos, buf_.data(), len);
  if (!got) return got.error();
  buf_start_ = pos;
  buf_len_ = *got;
  return buf_len_ >= n;
}

result<std::optional<scanned_batch>> batch_scanner::next() {
  if (!problem_.empty() || pos_ >= limit_) return std::optional<scanned_batch>();
  auto stop = [this](std::string why) {
    problem_ = "at position " + std::to_string(pos_) + ": " + std::move(why);
    return std::optional<scanned_batch>();
  };
  auto have = fill(pos_, batch_header_size);
  if (!have) return have.error();
  if (!*have) return stop("torn batch header");
  auto h = parse_batch_header(at(pos_), batch_header_size);
  if (!h) return stop(h.error().message());
  if (h->last_offset_delta < 0) return stop("negative last offset delta");
  if (h->base_offset < min_offset_) {
    return stop("batch base offset " + std::to_string(h->base_offset) + " below " +
                std::to_string(min_offset_));
  }
  size_t n = h->total_size();
  if (pos_ + n > limit_) return stop("torn batch (" + std::to_string(n) + " bytes)");
  if (verify_) {
    auto full = fill(pos_, n);
    if (!full) return full.error();
    if (!*full) return stop("torn batch (" + std::to_string(n) + " bytes)");
    status v = validate_stored_batch(*h, at(pos_), n);
    if (!v) return stop(v.message());
  }
  scanned_batch b{pos_, *h};
  pos_ += n;
  min_offset_ = h->last_offset() + 1;
  return std::optional<scanned_batch>(b);
}

}  // namespace brook::runtime::storage
