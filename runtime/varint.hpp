#pragma once
// Variable-length integers of the Kafka protocol.
//  - varint / varlong: zig-zag signed (protobuf style), used inside RecordBatch v2 records.
//  - uvarint: plain unsigned LEB128, used by compact strings/arrays and tagged fields.
// Encoders append to a `bytes` or write through a raw pointer (the caller guarantees room for
// *_size() bytes, at most 5 for 32-bit and 10 for 64-bit values). Decoders read from
// [p, end), advance p past the value and return false on truncation or on an over-long
// encoding (more than 5 bytes for 32-bit, 10 for 64-bit); p is then unspecified.
#include <cstddef>
#include <cstdint>

#include "runtime/bytes.hpp"

namespace brook::runtime {

constexpr size_t max_varint_size = 5;
constexpr size_t max_varlong_size = 10;

inline uint32_t zigzag32(int32_t v) {
  return (uint32_t(v) << 1) ^ uint32_t(v >> 31);
}
inline uint64_t zigzag64(int64_t v) {
  return (uint64_t(v) << 1) ^ uint64_t(v >> 63);
}
inline int32_t unzigzag32(uint32_t u) {
  return int32_t((u >> 1) ^ (0u - (u & 1)));
}
inline int64_t unzigzag64(uint64_t u) {
  return int64_t((u >> 1) ^ (0ull - (u & 1)));
}

inline size_t uvarint_size(uint64_t u) {
  size_t n = 1;
  while (u >= 0x80) {
    u >>= 7;
    ++n;
  }
  return n;
}
inline size_t varint_size(int32_t v) {
  return uvarint_size(zigzag32(v));
}
inline size_t varlong_size(int64_t v) {
  return uvarint_size(zigzag64(v));
}

/// Writes `u` as LEB128 at p; returns the byte after it.
inline uint8_t* write_uvarint(uint8_t* p, uint64_t u) {
  while (u >= 0x80) {
    *p++ = uint8_t(u) | 0x80;
    u >>= 7;
  }
  *p++ = uint8_t(u);
  return p;
}
inline uint8_t* write_varint(uint8_t* p, int32_t v) {
  return write_uvarint(p, zigzag32(v));
}
inline uint8_t* write_varlong(uint8_t* p, int64_t v) {
  return write_uvarint(p, zigzag64(v));
}

inline void put_uvarint(bytes& b, uint32_t u) {
  uint8_t tmp[max_varint_size];
  append_raw(b, tmp, size_t(write_uvarint(tmp, u) - tmp));
}
inline void put_varint(bytes& b, int32_t v) {
  put_uvarint(b, zigzag32(v));
}
inline void put_varlong(bytes& b, int64_t v) {
  uint8_t tmp[max_varlong_size];
  append_raw(b, tmp, size_t(write_varlong(tmp, v) - tmp));
}

/// Reads LEB128 of at most max_bytes bytes into `out`.
inline bool get_uvarint64(const uint8_t*& p, const uint8_t* end, uint64_t& out,
                          size_t max_bytes = max_varlong_size) {
  uint64_t u = 0;
  for (size_t i = 0; i < max_bytes; ++i) {
    if (p == end) return false;
    const uint8_t b = *p++;
    u |= uint64_t(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) {
      out = u;
      return true;
    }
  }
  return false;  // continuation bit still set on the last allowed byte
}

inline bool get_uvarint(const uint8_t*& p, const uint8_t* end, uint32_t& out) {
  uint64_t u;
  if (!get_uvarint64(p, end, u, max_varint_size)) return false;
  out = uint32_t(u);  // like Kafka, bits past 32 in the fifth byte are dropped
  return true;
}
inline bool get_varint(const uint8_t*& p, const uint8_t* end, int32_t& out) {
  uint32_t u;
  if (!get_uvarint(p, end, u)) return false;
  out = unzigzag32(u);
  return true;
}
inline bool get_varlong(const uint8_t*& p, const uint8_t* end, int64_t& out) {
  uint64_t u;
  if (!get_uvarint64(p, end, u, max_varlong_size)) return false;
  out = unzigzag64(u);
  return true;
}

}  // namespace brook::runtime
