#pragma once
// Kafka RecordBatch v2 (magic 2): parsing, validation, decoding and building.
// Layout (big-endian; docs/ and /work/shared/reference/kafka-protocol.md):
//   0 baseOffset i64 | 8 batchLength i32 | 12 partitionLeaderEpoch i32 | 16 magic i8 |
//   17 crc u32 (CRC-32C of bytes 21..end) | 21 attributes i16 | 23 lastOffsetDelta i32 |
//   27 baseTimestamp i64 | 35 maxTimestamp i64 | 43 producerId i64 | 51 producerEpoch i16 |
//   53 baseSequence i32 | 57 recordsCount i32 | 61 records (compressed as a whole if codec != none)
// All functions are pure and thread-safe; batch_builder is single-threaded.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/bytes.hpp"
#include "runtime/compression.hpp"
#include "runtime/status.hpp"

namespace brook::runtime {

constexpr size_t batch_header_size = 61;   // bytes before the records
constexpr size_t batch_log_overhead = 12;  // baseOffset + batchLength
constexpr int8_t batch_magic = 2;

// Field offsets within a batch.
constexpr size_t batch_base_offset_at = 0;
constexpr size_t batch_length_at = 8;
constexpr size_t batch_leader_epoch_at = 12;
constexpr size_t batch_magic_at = 16;
constexpr size_t batch_crc_at = 17;
constexpr size_t batch_attributes_at = 21;  // CRC coverage starts here
constexpr size_t batch_last_offset_delta_at = 23;
constexpr size_t batch_base_timestamp_at = 27;
constexpr size_t batch_max_timestamp_at = 35;
constexpr size_t batch_producer_id_at = 43;
constexpr size_t batch_producer_epoch_at = 51;
constexpr size_t batch_base_sequence_at = 53;
constexpr size_t batch_records_count_at = 57;

// Attribute bits.
constexpr int16_t batch_codec_mask = 0x07;
constexpr int16_t batch_log_append_time_bit = 0x08;
constexpr int16_t batch_transactional_bit = 0x10;
constexpr int16_t batch_control_bit = 0x20;

struct record_header {
  std::string key;
  std::optional<std::string> value;
};

struct record {
  int64_t offset = 0;     // absolute (base_offset + offsetDelta)
  int64_t timestamp = 0;  // absolute (CreateTime: base + delta; LogAppendTime attr: max_timestamp)
  std::optional<std::string> key, value;
  std::vector<record_header> headers;
};

struct batch_header {
  int64_t base_offset;
  int32_t batch_length;
  int32_t leader_epoch;
  int8_t magic;
  uint32_t crc;
  int16_t attributes;
  int32_t last_offset_delta;
  int64_t base_timestamp;
  int64_t max_timestamp;
  int64_t producer_id;
  int16_t producer_epoch;
  int32_t base_sequence;
  int32_t records_count;

  /// Raw codec bits; may be a value outside the enum (5-7) in a hostile batch.
  compression codec() const { return compression(attributes & batch_codec_mask); }
  bool is_transactional() const { return attributes & batch_transactional_bit; }
  bool is_control() const { return attributes & batch_control_bit; }
  bool log_append_time() const { return attributes & batch_log_append_time_bit; }
  int64_t last_offset() const { return base_offset + last_offset_delta; }
  size_t total_size() const { return size_t(batch_length) + batch_log_overhead; }
};

/// Parses the fixed header; no CRC check.
/// Error corrupt_message if n < 61, magic != 2, batch_length < 49.
result<batch_header> parse_batch_header(const uint8_t* p, size_t n);

/// Full check of a batch a client sent: n == total_size, magic 2, known codec, CRC-32C over
/// bytes 21..end, records_count >= 1 and last_offset_delta == records_count - 1.
/// Errors: corrupt_message (message says what is wrong), unsupported_compression.
status validate_batch(const uint8_t* p, size_t n);
/// The same check for a batch whose header `h` was already parsed from `p` (parse once).
status validate_batch(const batch_header& h, const uint8_t* p, size_t n);

/// The check for a batch as stored in a log (a leader's, replicated): size, magic, codec, CRC,
/// and 0 <= records_count <= last_offset_delta + 1, since log compaction removes records (even
/// all of them) but keeps a batch's offsets. Errors as validate_batch.
status validate_stored_batch(const batch_header& h, const uint8_t* p, size_t n);

/// The batch `original` with only the records `kept` (decoded from it, in offset order): same
/// base offset, lastOffsetDelta, timestamps, producer fields and codec, new count and CRC. With
/// nothing kept the batch is an empty, uncompressed header (what compaction leaves to mark the
/// offsets a batch covered). Used by log compaction.
bytes rebuild_batch(const batch_header& original, const std::vector<record>& kept);

/// A control batch (transactional and control bits set, base sequence -1) holding one record
/// with `key` and `value`, for producer (`producer_id`, `producer_epoch`): how a transaction
/// marker is written (runtime/transactions.hpp). Base offset 0, leader epoch -1, CRC set.
bytes build_control_batch(int64_t producer_id, int16_t producer_epoch, int64_t timestamp,
                          const std::string& key, const std::string& value);

/// The batch at `p` (header `h`, already validated) with its records encoded under `codec`:
/// same offsets, timestamps, producer fields and other attributes, new CRC. What a broker does
/// when a topic's compression.type differs from the producer's codec.
/// Errors: corrupt_message, unsupported_compression (from decoding the original).
result<bytes> recompress_batch(const batch_header& h, const uint8_t* p, size_t n,
                               compression codec);

/// One batch inside a larger buffer; `data` points into the caller's buffer.
struct batch_view {
  const uint8_t* data;
  size_t size;
  batch_header header;
};

/// Splits concatenated batches (a fetch response, a log segment) by their headers; no CRC
/// check. A truncated final batch is an error unless allow_partial_tail, in which case it is
/// dropped (Kafka fetch responses may end mid-batch).
result<std::vector<batch_view>> split_batches(const uint8_t* p, size_t n, bool allow_partial_tail);

/// Rewrite fields outside the CRC, so a stored batch stays valid. REQUIRES: >= 61 bytes at batch.
void set_base_offset(uint8_t* batch, int64_t base_offset);
void set_leader_epoch(uint8_t* batch, int32_t epoch);

/// Checks size/magic/CRC, decompresses and returns the records with absolute offsets and
/// timestamps. Never trusts a count or length beyond what the bytes can hold.
/// Errors: corrupt_message, unsupported_compression.
result<std::vector<record>> decode_records(const uint8_t* batch, size_t n);
/// The same, appending to `out` (on an error `out` may hold some of the batch's records).
status decode_records(const uint8_t* batch, size_t n, std::vector<record>& out);

/// Builds one batch. append() is the producer's hot path: records are encoded straight into
/// an internal buffer, with no per-record allocation.
class batch_builder {
 public:
  explicit batch_builder(compression codec = compression::none);

  /// Idempotent producer fields for the next build(); reset() restores -1 (none).
  void set_producer(int64_t producer_id, int16_t producer_epoch, int32_t base_sequence);
  /// Marks the next build() as part of its producer's transaction; reset() clears it.
  void set_transactional() { transactional_ = true; }
  /// Adds a record with CreateTime `timestamp` (ms). Offsets are assigned 0, 1, ...
  void append(int64_t timestamp, std::optional<std::string_view> key,
              std::optional<std::string_view> value,
              const std::vector<record_header>& headers = {});

  size_t record_count() const { return count_; }
  /// Header + encoded records so far (uncompressed estimate).
  size_t size_bytes() const { return len_; }
  bool empty() const { return count_ == 0; }
  compression codec() const { return codec_; }

  /// The finished batch: base_offset 0, leader epoch -1, producer fields as set (else -1),
  /// CRC set. REQUIRES: !empty(). Resets the builder (keeps the codec).
  bytes build();
  /// Drops all records and producer fields; keeps the codec.
  void reset();

 private:
  uint8_t* reserve(size_t n);

  compression codec_;
  bytes buf_;       // header placeholder + encoded records; size() is the capacity in use
  size_t len_ = 0;  // bytes written into buf_
  int32_t count_ = 0;
  int64_t base_timestamp_ = 0;
  int64_t max_timestamp_ = 0;
  int64_t producer_id_ = -1;
  int16_t producer_epoch_ = -1;
  int32_t base_sequence_ = -1;
  bool transactional_ = false;
};

}  // namespace brook::runtime
