#include "actors/group/offsets_codec.hpp"

#include "net/kafka/wire.hpp"

namespace brook::actors {

namespace k = net::kafka;

std::string encode_offset_key(const offset_key& key) {
  runtime::bytes out;
  k::writer w(out, 1, false);
  w.i16(1);
  w.str(key.group);
  w.str(key.topic);
  w.i32(key.partition);
  return std::string(out.begin(), out.end());
}

std::string encode_offset_value(const offset_value& v) {
  runtime::bytes out;
  k::writer w(out, 3, false);
  w.i16(3);
  w.i64(v.offset);
  w.i32(-1);  // leader epoch
  w.str(v.metadata.value_or(""));
  w.i64(v.commit_timestamp);
  return std::string(out.begin(), out.end());
}

std::optional<offset_key> decode_offset_key(std::string_view bytes) {
  k::reader r(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), 0, false);
  int16_t version = 0;
  r.i16(version);
  if (!r.ok() || (version != 0 && version != 1)) return std::nullopt;
  offset_key key;
  r.str(key.group);
  r.str(key.topic);
  r.i32(key.partition);
  if (!r.ok()) return std::nullopt;
  return key;
}

std::optional<offset_value> decode_offset_value(std::string_view bytes) {
  k::reader r(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), 0, false);
  int16_t version = 0;
  r.i16(version);
  if (!r.ok() || version < 0 || version > 3) return std::nullopt;
  offset_value v;
  r.i64(v.offset);
  if (version >= 3) {
    int32_t epoch = 0;
    r.i32(epoch);
  }
  std::string metadata;
  r.str(metadata);
  v.metadata = metadata;
  r.i64(v.commit_timestamp);
  if (version == 1) {
    int64_t expire = 0;
    r.i64(expire);
  }
  if (!r.ok()) return std::nullopt;
  return v;
}

namespace {
constexpr int16_t txn_key_version = 100;
constexpr int16_t txn_value_version = 0;
}  // namespace

std::string encode_txn_key(const std::string& transactional_id) {
  runtime::bytes out;
  k::writer w(out, 0, false);
  w.i16(txn_key_version);
  w.str(transactional_id);
  return std::string(out.begin(), out.end());
}

std::string encode_txn_value(const txn_record& v) {
  runtime::bytes out;
  k::writer w(out, 0, false);
  w.i16(txn_value_version);
  w.i64(v.producer_id);
  w.i16(v.producer_epoch);
  w.i32(v.timeout_ms);
  w.i8(int8_t(v.state));
  w.i32(int32_t(v.partitions.size()));
  for (const auto& [topic, p] : v.partitions) {
    w.str(topic);
    w.i32(p);
  }
  w.i64(v.started_ms);
  return std::string(out.begin(), out.end());
}

std::optional<std::string> decode_txn_key(std::string_view bytes) {
  k::reader r(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), 0, false);
  int16_t version = 0;
  r.i16(version);
  if (!r.ok() || version != txn_key_version) return std::nullopt;
  std::string id;
  r.str(id);
  if (!r.ok()) return std::nullopt;
  return id;
}

std::optional<txn_record> decode_txn_value(std::string_view bytes) {
  k::reader r(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), 0, false);
  int16_t version = 0;
  r.i16(version);
  if (!r.ok() || version != txn_value_version) return std::nullopt;
  txn_record v;
  int8_t state = 0;
  int32_t n = 0;
  r.i64(v.producer_id);
  r.i16(v.producer_epoch);
  r.i32(v.timeout_ms);
  r.i8(state);
  r.i32(n);
  if (!r.ok() || n < 0 || size_t(n) > bytes.size()) return std::nullopt;
  v.state = uint8_t(state);
  for (int32_t i = 0; i < n && r.ok(); ++i) {
    std::pair<std::string, int32_t> tp;
    r.str(tp.first);
    r.i32(tp.second);
    v.partitions.push_back(std::move(tp));
  }
  r.i64(v.started_ms);
  if (!r.ok()) return std::nullopt;
  return v;
}

int32_t offsets_partition_for(const std::string& group, int32_t partitions) {
  // Java's String.hashCode over UTF-16 code units; group ids are ASCII in practice, and for
  // other bytes this still gives one fixed answer per group, which is all placement needs.
  int32_t h = 0;
  for (unsigned char c : group) h = int32_t(uint32_t(h) * 31u + c);
  int32_t positive = h == INT32_MIN ? 0 : (h < 0 ? -h : h);
  return positive % partitions;
}

}  // namespace brook::actors
