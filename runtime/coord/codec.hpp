#pragma once
// Binary encoding helpers for the coordinator's files (format.hpp): big-endian fields, strings,
// CRC-32C frames. Pure; any thread.
#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/bytes.hpp"
#include "runtime/status.hpp"

namespace brook::runtime::coord {

inline void put_u8(bytes& b, uint8_t v) {
  b.push_back(v);
}
inline void put_u32(bytes& b, uint32_t v) {
  append_be32(b, v);
}
inline void put_u64(bytes& b, uint64_t v) {
  append_be64(b, v);
}
inline void put_i64(bytes& b, int64_t v) {
  append_be64(b, uint64_t(v));
}
inline void put_str(bytes& b, std::string_view s) {
  append_be32(b, uint32_t(s.size()));
  append_raw(b, s.data(), s.size());
}

/// Reads fields from a bounded buffer. A read past the end sets !ok() and yields zeros, so a
/// decoder reads everything and checks ok() once at the end.
class reader {
 public:
  reader(const uint8_t* p, size_t n) : p_(p), end_(p + n) {}
  uint8_t u8();
  uint32_t u32();
  uint64_t u64();
  int64_t i64() { return int64_t(u64()); }
  std::string str();
  bool ok() const { return ok_; }
  bool at_end() const { return p_ == end_; }

 private:
  bool take(size_t n);
  const uint8_t* p_;
  const uint8_t* end_;
  bool ok_ = true;
};

/// Appends [u32 length][u32 crc32c(payload)][payload] to `out`.
void append_frame(bytes& out, const bytes& payload);

/// Payload length stated by a frame header (format::frame_header_size bytes at `header`).
uint32_t frame_length(const uint8_t* header);
/// True when the CRC in `header` matches the `n` payload bytes at `payload`.
bool frame_crc_ok(const uint8_t* header, const uint8_t* payload, size_t n);

}  // namespace brook::runtime::coord
