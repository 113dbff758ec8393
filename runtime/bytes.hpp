#pragma once
// Byte buffers and big-endian field access (Kafka's wire and on-disk byte order).
#include <cstdint>
#include <cstring>
#include <vector>

namespace brook::runtime {

using bytes = std::vector<uint8_t>;

inline uint16_t load_be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
inline uint32_t load_be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
inline uint64_t load_be64(const uint8_t* p) {
  return uint64_t(load_be32(p)) << 32 | load_be32(p + 4);
}
inline void store_be16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v >> 8);
  p[1] = uint8_t(v);
}
inline void store_be32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v >> 24);
  p[1] = uint8_t(v >> 16);
  p[2] = uint8_t(v >> 8);
  p[3] = uint8_t(v);
}
inline void store_be64(uint8_t* p, uint64_t v) {
  store_be32(p, uint32_t(v >> 32));
  store_be32(p + 4, uint32_t(v));
}

inline void append_be16(bytes& b, uint16_t v) {
  b.resize(b.size() + 2);
  store_be16(b.data() + b.size() - 2, v);
}
inline void append_be32(bytes& b, uint32_t v) {
  b.resize(b.size() + 4);
  store_be32(b.data() + b.size() - 4, v);
}
inline void append_be64(bytes& b, uint64_t v) {
  b.resize(b.size() + 8);
  store_be64(b.data() + b.size() - 8, v);
}
inline void append_raw(bytes& b, const void* p, size_t n) {
  const auto* c = static_cast<const uint8_t*>(p);
  b.insert(b.end(), c, c + n);
}

}  // namespace brook::runtime
