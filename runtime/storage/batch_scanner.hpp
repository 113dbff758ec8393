#pragma once
// Walks the batches stored in a log file from a position, reading ahead in chunks so that a
// scan costs one pread per chunk rather than one per batch. Used by recovery (with full CRC
// checks) and by lookups (headers only). Not thread-safe; the file must outlive the scanner.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "runtime/bytes.hpp"
#include "runtime/record_batch.hpp"
#include "runtime/storage/file.hpp"

namespace brook::runtime::storage {

/// One batch found in a log file.
struct scanned_batch {
  uint64_t position;  // of its first byte in the file
  batch_header header;
  size_t size() const { return header.total_size(); }
};

class batch_scanner {
 public:
  /// Scans [from, limit) of `f`. With `verify`, every batch must pass validate_batch (CRC);
  /// otherwise only its header is parsed. Every batch's base offset must be >= `min_offset`
  /// and above the previous batch's last offset.
  batch_scanner(const file& f, uint64_t from, uint64_t limit, bool verify, int64_t min_offset,
                size_t chunk);

  /// The next good batch, or nullopt when the scan is over: at `limit` (problem() empty) or at
  /// a torn, malformed or CRC-failing batch (problem() says what). Errors are I/O failures only.
  result<std::optional<scanned_batch>> next();

  /// With `verify`: the bytes of `b`, the batch next() last returned; valid until the next call.
  const uint8_t* data_of(const scanned_batch& b) const { return at(b.position); }

  /// Start of the batch next() reads: after a stop, the end of the last good batch.
  uint64_t position() const { return pos_; }
  const std::string& problem() const { return problem_; }

 private:
  // Makes [pos, pos + n) available in buf_; false if the file ends first.
  result<bool> fill(uint64_t pos, size_t n);
  const uint8_t* at(uint64_t pos) const { return buf_.data() + (pos - buf_start_); }

  const file& file_;
  uint64_t pos_;
  uint64_t limit_;
  bool verify_;
  int64_t min_offset_;
  size_t chunk_;
  bytes buf_;
  uint64_t buf_start_ = 0;
  size_t buf_len_ = 0;
  std::string problem_;
};

}  // namespace brook::runtime::storage
