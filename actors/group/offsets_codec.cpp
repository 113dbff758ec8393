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

int32_t offsets_partition_for(const std::string& group, int32_t partitions) {
  // Java's String.hashCode over UTF-16 code units; group ids are ASCII in practice, and for
  // other bytes this still gives one fixed answer per group, which is all placement needs.
  int32_t h = 0;
  for (unsigned char c : group) h = int32_t(uint32_t(h) * 31u + c);
  int32_t positive = h == INT32_MIN ? 0 : (h < 0 ? -h : h);
  return positive % partitions;
}

}  // namespace brook::actors
