#include "runtime/record_batch.hpp"

#include <algorithm>
#include <climits>
#include <cstring>
#include <string>

#include "runtime/crc32c.hpp"
#include "runtime/varint.hpp"

namespace brook::runtime {
namespace {

// batchLength counts the bytes after itself: 61 - 12.
constexpr int32_t min_batch_length = int32_t(batch_header_size - batch_log_overhead);
// Smallest encodings, used to bound vector growth by what the bytes could hold.
constexpr size_t min_record_size = 7;  // length, attributes, ts, offset, key, value, headers
constexpr size_t min_header_size = 2;  // key length, value length
// The builder keeps at most this much buffer between batches.
constexpr size_t max_capacity_hint = size_t(1) << 20;

status corrupt(std::string what) {
  return {errc::corrupt_message, std::move(what)};
}

bool known_codec(compression c) {
  return uint8_t(c) <= uint8_t(compression::zstd);
}

uint32_t batch_crc(const uint8_t* p, size_t n) {
  return crc32c(p + batch_attributes_at, n - batch_attributes_at);
}

// Size, magic, codec and CRC: what every decoder must check before trusting the bytes.
status check_integrity(const batch_header& h, const uint8_t* p, size_t n) {
  if (n != h.total_size())
    return corrupt("batch length field says " + std::to_string(h.total_size()) + " bytes but " +
                   std::to_string(n) + " were given");
  if (!known_codec(h.codec()))
    return {errc::unsupported_compression,
            "unknown compression codec " + std::to_string(unsigned(h.codec()))};
  const uint32_t crc = batch_crc(p, n);
  if (crc != h.crc)
    return corrupt("CRC mismatch: header says " + std::to_string(h.crc) + ", bytes give " +
                   std::to_string(crc));
  return status::ok();
}

// Nullable byte string: varint length (-1 null), bytes; within [p, end).
bool get_nullable(const uint8_t*& p, const uint8_t* end, std::optional<std::string>& out) {
  int32_t len;
  if (!get_varint(p, end, len) || len < -1 || len > end - p) return false;
  if (len == -1) {
    out.reset();
    return true;
  }
  out.emplace(reinterpret_cast<const char*>(p), size_t(len));
  p += len;
  return true;
}

status decode_record(const uint8_t*& p, const uint8_t* end, const batch_header& h, record& r) {
  int32_t len;
  if (!get_varint(p, end, len)) return corrupt("truncated record length");
  if (len < 1 || len > end - p)
    return corrupt("record length " + std::to_string(len) + " does not fit the batch");
  const uint8_t* rend = p + len;
  ++p;  // attributes: unused by magic 2
  int64_t ts_delta;
  int32_t offset_delta;
  if (!get_varlong(p, rend, ts_delta)) return corrupt("bad record timestampDelta");
  if (!get_varint(p, rend, offset_delta)) return corrupt("bad record offsetDelta");
  if (!get_nullable(p, rend, r.key)) return corrupt("bad record key length");
  if (!get_nullable(p, rend, r.value)) return corrupt("bad record value length");
  int32_t count;
  if (!get_varint(p, rend, count) || count < 0) return corrupt("bad record header count");
  r.headers.reserve(std::min(size_t(count), size_t(rend - p) / min_header_size));
  for (int32_t i = 0; i < count; ++i) {
    std::optional<std::string> key;
    record_header rh;
    if (!get_nullable(p, rend, key) || !key) return corrupt("bad record header key");
    rh.key = std::move(*key);
    if (!get_nullable(p, rend, rh.value)) return corrupt("bad record header value");
    r.headers.push_back(std::move(rh));
  }
  if (p != rend)
    return corrupt("record declares " + std::to_string(len) + " bytes but its fields use " +
                   std::to_string(len - (rend - p)));
  r.offset = h.base_offset + offset_delta;
  r.timestamp = h.log_append_time() ? h.max_timestamp
                                    : int64_t(uint64_t(h.base_timestamp) + uint64_t(ts_delta));
  return status::ok();
}

size_t nullable_size(std::optional<std::string_view> s) {
  return s ? varint_size(int32_t(s->size())) + s->size() : 1;
}

uint8_t* write_nullable(uint8_t* p, std::optional<std::string_view> s) {
  if (!s) return write_varint(p, -1);
  p = write_varint(p, int32_t(s->size()));
  std::memcpy(p, s->data(), s->size());
  return p + s->size();
}

std::optional<std::string_view> view(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return std::string_view(*s);
}

// Bytes of one record's body (after its length varint).
size_t record_body_size(int64_t ts_delta, int32_t offset_delta, std::optional<std::string_view> key,
                        std::optional<std::string_view> value,
                        const std::vector<record_header>& headers) {
  size_t body = 1 + varlong_size(ts_delta) + varint_size(offset_delta) + nullable_size(key) +
                nullable_size(value) + varint_size(int32_t(headers.size()));
  for (const auto& h : headers) body += nullable_size(h.key) + nullable_size(view(h.value));
  BROOK_ASSERT(body <= size_t(INT32_MAX), "record larger than 2 GiB");
  return body;
}

// Writes one record (length varint + body of `body` bytes) at p; returns the end.
uint8_t* write_record(uint8_t* p, size_t body, int64_t ts_delta, int32_t offset_delta,
                      std::optional<std::string_view> key, std::optional<std::string_view> value,
                      const std::vector<record_header>& headers) {
  p = write_varint(p, int32_t(body));
  *p++ = 0;  // record attributes
  p = write_varlong(p, ts_delta);
  p = write_varint(p, offset_delta);
  p = write_nullable(p, key);
  p = write_nullable(p, value);
  p = write_varint(p, int32_t(headers.size()));
  for (const auto& h : headers) {
    p = write_nullable(p, h.key);
    p = write_nullable(p, view(h.value));
  }
  return p;
}

// Fills in a batch's header from `h` (all fields but crc and batch_length, which come from the
// bytes) and sets its length and CRC. REQUIRES: out holds the header and the records section.
void finish_batch(bytes& out, const batch_header& h) {
  BROOK_ASSERT(out.size() - batch_log_overhead <= size_t(INT32_MAX), "batch larger than 2 GiB");
  uint8_t* p = out.data();
  store_be64(p + batch_base_offset_at, uint64_t(h.base_offset));
  store_be32(p + batch_length_at, uint32_t(out.size() - batch_log_overhead));
  store_be32(p + batch_leader_epoch_at, uint32_t(h.leader_epoch));
  p[batch_magic_at] = uint8_t(batch_magic);
  store_be16(p + batch_attributes_at, uint16_t(h.attributes));
  store_be32(p + batch_last_offset_delta_at, uint32_t(h.last_offset_delta));
  store_be64(p + batch_base_timestamp_at, uint64_t(h.base_timestamp));
  store_be64(p + batch_max_timestamp_at, uint64_t(h.max_timestamp));
  store_be64(p + batch_producer_id_at, uint64_t(h.producer_id));
  store_be16(p + batch_producer_epoch_at, uint16_t(h.producer_epoch));
  store_be32(p + batch_base_sequence_at, uint32_t(h.base_sequence));
  store_be32(p + batch_records_count_at, uint32_t(h.records_count));
  store_be32(p + batch_crc_at, batch_crc(p, out.size()));
}

}  // namespace

result<batch_header> parse_batch_header(const uint8_t* p, size_t n) {
  if (n < batch_header_size)
    return corrupt("batch of " + std::to_string(n) + " bytes is shorter than its 61-byte header");
  batch_header h;
  h.base_offset = int64_t(load_be64(p + batch_base_offset_at));
  h.batch_length = int32_t(load_be32(p + batch_length_at));
  h.leader_epoch = int32_t(load_be32(p + batch_leader_epoch_at));
  h.magic = int8_t(p[batch_magic_at]);
  h.crc = load_be32(p + batch_crc_at);
  h.attributes = int16_t(load_be16(p + batch_attributes_at));
  h.last_offset_delta = int32_t(load_be32(p + batch_last_offset_delta_at));
  h.base_timestamp = int64_t(load_be64(p + batch_base_timestamp_at));
  h.max_timestamp = int64_t(load_be64(p + batch_max_timestamp_at));
  h.producer_id = int64_t(load_be64(p + batch_producer_id_at));
  h.producer_epoch = int16_t(load_be16(p + batch_producer_epoch_at));
  h.base_sequence = int32_t(load_be32(p + batch_base_sequence_at));
  h.records_count = int32_t(load_be32(p + batch_records_count_at));
  if (h.magic != batch_magic)
    return corrupt("unsupported record batch magic " + std::to_string(h.magic) + " (need 2)");
  if (h.batch_length < min_batch_length)
    return corrupt("batch length " + std::to_string(h.batch_length) + " is below 49");
  return h;
}

status validate_batch(const uint8_t* p, size_t n) {
  auto h = parse_batch_header(p, n);
  if (!h) return h.error();
  return validate_batch(*h, p, n);
}

status validate_batch(const batch_header& h, const uint8_t* p, size_t n) {
  if (auto s = check_integrity(h, p, n); !s) return s;
  if (h.records_count < 1)
    return corrupt("batch has " + std::to_string(h.records_count) + " records");
  if (int64_t(h.last_offset_delta) != int64_t(h.records_count) - 1)
    return corrupt("lastOffsetDelta " + std::to_string(h.last_offset_delta) + " does not match " +
                   std::to_string(h.records_count) + " records");
  return status::ok();
}

status validate_stored_batch(const batch_header& h, const uint8_t* p, size_t n) {
  if (auto s = check_integrity(h, p, n); !s) return s;
  if (h.records_count < 0 || h.last_offset_delta < 0 ||
      int64_t(h.records_count) > int64_t(h.last_offset_delta) + 1)
    return corrupt("batch has " + std::to_string(h.records_count) +
                   " records for lastOffsetDelta " + std::to_string(h.last_offset_delta));
  return status::ok();
}

namespace {

// Encodes `kept` (records of the batch `h` describes) under h's header fields and codec.
bytes encode_batch(batch_header h, const std::vector<record>& kept) {
  h.records_count = int32_t(kept.size());
  // An empty records section is never compressed (a zero-length gzip stream is not valid).
  if (kept.empty()) h.attributes = int16_t(h.attributes & ~batch_codec_mask);
  bytes records;
  size_t len = 0;
  for (const auto& r : kept) {
    BROOK_ASSERT(r.offset >= h.base_offset && r.offset <= h.last_offset(),
                 "encode_batch: record outside its batch");
    const auto ts_delta = int64_t(uint64_t(r.timestamp) - uint64_t(h.base_timestamp));
    const auto offset_delta = int32_t(r.offset - h.base_offset);
    auto key = view(r.key), value = view(r.value);
    size_t body = record_body_size(ts_delta, offset_delta, key, value, r.headers);
    records.resize(len + varint_size(int32_t(body)) + body);
    write_record(records.data() + len, body, ts_delta, offset_delta, key, value, r.headers);
    len = records.size();
  }
  bytes out(batch_header_size);
  if (h.codec() == compression::none || kept.empty()) {
    append_raw(out, records.data(), records.size());
  } else {
    auto packed = compress(h.codec(), records.data(), records.size());
    BROOK_ASSERT(packed.has_value(), "encode_batch: " + packed.error().to_string());
    append_raw(out, packed->data(), packed->size());
  }
  finish_batch(out, h);
  return out;
}

}  // namespace

bytes rebuild_batch(const batch_header& original, const std::vector<record>& kept) {
  return encode_batch(original, kept);
}

bytes build_control_batch(int64_t producer_id, int16_t producer_epoch, int64_t timestamp,
                          const std::string& key, const std::string& value) {
  batch_header h{};
  h.leader_epoch = -1;
  h.attributes = int16_t(batch_transactional_bit | batch_control_bit);
  h.base_timestamp = h.max_timestamp = timestamp;
  h.producer_id = producer_id;
  h.producer_epoch = producer_epoch;
  h.base_sequence = -1;
  record r;
  r.timestamp = timestamp;
  r.key = key;
  r.value = value;
  return encode_batch(h, {r});
}

result<bytes> recompress_batch(const batch_header& h, const uint8_t* p, size_t n,
                               compression codec) {
  auto records = decode_records(p, n);
  if (!records) return records.error();
  batch_header target = h;
  target.attributes = int16_t((h.attributes & ~batch_codec_mask) | int16_t(codec));
  return encode_batch(target, *records);
}

result<std::vector<batch_view>> split_batches(const uint8_t* p, size_t n, bool allow_partial_tail) {
  std::vector<batch_view> out;
  size_t pos = 0;
  while (pos < n) {
    const uint8_t* b = p + pos;
    const size_t rem = n - pos;
    bool partial = rem < batch_log_overhead;
    if (!partial) {
      const int32_t len = int32_t(load_be32(b + batch_length_at));
      if (len < min_batch_length)
        return corrupt("batch at byte " + std::to_string(pos) + " has length " +
                       std::to_string(len));
      partial = rem < size_t(len) + batch_log_overhead;
    }
    if (partial) {
      if (allow_partial_tail) break;
      return corrupt("truncated batch at byte " + std::to_string(pos));
    }
    const size_t size = size_t(load_be32(b + batch_length_at)) + batch_log_overhead;
    auto h = parse_batch_header(b, size);
    if (!h) return corrupt("batch at byte " + std::to_string(pos) + ": " + h.error().message());
    out.push_back({b, size, *h});
    pos += size;
  }
  return out;
}

void set_base_offset(uint8_t* batch, int64_t base_offset) {
  store_be64(batch + batch_base_offset_at, uint64_t(base_offset));
}

void set_leader_epoch(uint8_t* batch, int32_t epoch) {
  store_be32(batch + batch_leader_epoch_at, uint32_t(epoch));
}

status decode_records(const uint8_t* batch, size_t n, std::vector<record>& out) {
  auto h = parse_batch_header(batch, n);
  if (!h) return h.error();
  if (auto s = check_integrity(*h, batch, n); !s) return s;
  if (h->records_count < 0)
    return corrupt("negative records count " + std::to_string(h->records_count));
  const uint8_t* p = batch + batch_header_size;
  const uint8_t* end = batch + n;
  bytes inflated;
  if (h->codec() != compression::none) {
    auto d = decompress(h->codec(), p, size_t(end - p));
    if (!d) return d.error();
    inflated = std::move(*d);
    p = inflated.data();
    end = p + inflated.size();
  }
  size_t need = out.size() + std::min(size_t(h->records_count), size_t(end - p) / min_record_size);
  if (out.capacity() < need) out.reserve(std::max(need, 2 * out.capacity()));
  for (int32_t i = 0; i < h->records_count; ++i) {
    if (p == end)
      return corrupt("batch declares " + std::to_string(h->records_count) + " records but holds " +
                     std::to_string(i));
    out.emplace_back();
    if (auto s = decode_record(p, end, *h, out.back()); !s)
      return corrupt("record " + std::to_string(i) + ": " + s.message());
  }
  if (p != end)
    return corrupt(std::to_string(end - p) + " bytes follow the last of " +
                   std::to_string(h->records_count) + " records");
  return status::ok();
}

result<std::vector<record>> decode_records(const uint8_t* batch, size_t n) {
  std::vector<record> out;
  if (auto s = decode_records(batch, n, out); !s) return s;
  return out;
}

batch_builder::batch_builder(compression codec) : codec_(codec) {
  BROOK_ASSERT(known_codec(codec), "batch_builder: unknown codec");
  reset();
}

void batch_builder::set_producer(int64_t producer_id, int16_t producer_epoch,
                                 int32_t base_sequence) {
  producer_id_ = producer_id;
  producer_epoch_ = producer_epoch;
  base_sequence_ = base_sequence;
}

uint8_t* batch_builder::reserve(size_t n) {
  if (len_ + n > buf_.size()) buf_.resize(std::max(buf_.size() * 2, len_ + n));
  uint8_t* p = buf_.data() + len_;
  len_ += n;
  return p;
}

void batch_builder::append(int64_t timestamp, std::optional<std::string_view> key,
                           std::optional<std::string_view> value,
                           const std::vector<record_header>& headers) {
  BROOK_ASSERT(count_ < INT32_MAX, "batch_builder: too many records");
  if (count_ == 0) base_timestamp_ = max_timestamp_ = timestamp;
  max_timestamp_ = std::max(max_timestamp_, timestamp);
  const auto ts_delta = int64_t(uint64_t(timestamp) - uint64_t(base_timestamp_));
  size_t body = record_body_size(ts_delta, count_, key, value, headers);
  uint8_t* p = reserve(varint_size(int32_t(body)) + body);
  write_record(p, body, ts_delta, count_, key, value, headers);
  ++count_;
}

bytes batch_builder::build() {
  BROOK_ASSERT(count_ > 0, "batch_builder::build() on an empty batch");
  bytes out;
  if (codec_ == compression::none) {
    buf_.resize(len_);
    out = std::move(buf_);
    buf_.clear();
  } else {
    auto packed = compress(codec_, buf_.data() + batch_header_size, len_ - batch_header_size);
    BROOK_ASSERT(packed.has_value(), "batch_builder: " + packed.error().to_string());
    out.reserve(batch_header_size + packed->size());
    out.assign(buf_.begin(), buf_.begin() + batch_header_size);
    append_raw(out, packed->data(), packed->size());
  }
  batch_header h{};
  h.leader_epoch = -1;
  h.attributes = int16_t(int16_t(codec_) | (transactional_ ? batch_transactional_bit : 0));
  h.last_offset_delta = count_ - 1;
  h.base_timestamp = base_timestamp_;
  h.max_timestamp = max_timestamp_;
  h.producer_id = producer_id_;
  h.producer_epoch = producer_epoch_;
  h.base_sequence = base_sequence_;
  h.records_count = count_;
  finish_batch(out, h);

  // The next batch likely has a similar size: allocate for it once instead of regrowing.
  if (buf_.empty()) buf_.resize(std::min(len_, max_capacity_hint));
  reset();
  return out;
}

void batch_builder::reset() {
  if (buf_.size() < batch_header_size) buf_.resize(batch_header_size);
  len_ = batch_header_size;
  count_ = 0;
  base_timestamp_ = max_timestamp_ = 0;
  producer_id_ = -1;
  producer_epoch_ = -1;
  base_sequence_ = -1;
  transactional_ = false;
}

}  // namespace brook::runtime
