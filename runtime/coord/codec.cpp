#include "runtime/coord/codec.hpp"

#include "runtime/crc32c.hpp"

namespace brook::runtime::coord {

bool reader::take(size_t n) {
  if (!ok_ || size_t(end_ - p_) < n) {
    ok_ = false;
    p_ = end_;
    return false;
  }
  return true;
}

uint8_t reader::u8() {
  if (!take(1)) return 0;
  return *p_++;
}

uint32_t reader::u32() {
  if (!take(4)) return 0;
  uint32_t v = load_be32(p_);
  p_ += 4;
  return v;
}

uint64_t reader::u64() {
  if (!take(8)) return 0;
  uint64_t v = load_be64(p_);
  p_ += 8;
  return v;
}

std::string reader::str() {
  uint32_t n = u32();
  if (!take(n)) return {};
  std::string s(reinterpret_cast<const char*>(p_), n);
  p_ += n;
  return s;
}

void append_frame(bytes& out, const bytes& payload) {
  append_be32(out, uint32_t(payload.size()));
  append_be32(out, crc32c(payload.data(), payload.size()));
  append_raw(out, payload.data(), payload.size());
}

uint32_t frame_length(const uint8_t* header) {
  return load_be32(header);
}

bool frame_crc_ok(const uint8_t* header, const uint8_t* payload, size_t n) {
  return load_be32(header + 4) == crc32c(payload, n);
}

}  // namespace brook::runtime::coord
