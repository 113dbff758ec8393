#include "net/kafka/wire.hpp"

namespace brook::net::kafka {

void reader::uvarint(uint32_t& x) {
  x = 0;
  for (int shift = 0; shift <= 28; shift += 7) {
    uint8_t b = 0;
    if (!take(1)) return;
    b = p_[-1];
    x |= uint32_t(b & 0x7f) << shift;
    if (!(b & 0x80)) return;
  }
  fail("unsigned varint longer than 5 bytes");
}

int64_t reader::length_prefix(bool wide) {
  if (flexible) {
    uint32_t n = 0;
    uvarint(n);
    return int64_t(n) - 1;
  }
  if (wide) {
    int32_t n = 0;
    i32(n);
    if (n < -1) fail("negative length");
    return n;
  }
  int16_t n = 0;
  i16(n);
  if (n < -1) fail("negative length");
  return n;
}

void reader::nstr(std::optional<std::string>& s) {
  int64_t n = length_prefix(false);
  if (!ok()) return;
  if (n < 0) {
    s.reset();
    return;
  }
  if (size_t(n) > remaining()) return fail("string longer than the request");
  s.emplace(reinterpret_cast<const char*>(p_), size_t(n));
  p_ += n;
}

void reader::nbytes(std::optional<bytes>& b) {
  int64_t n = length_prefix(true);
  if (!ok()) return;
  if (n < 0) {
    b.reset();
    return;
  }
  if (size_t(n) > remaining()) return fail("bytes longer than the request");
  b.emplace(p_, p_ + n);
  p_ += n;
}

void reader::tags() {
  if (!flexible) return;
  uint32_t count = 0;
  uvarint(count);
  for (uint32_t i = 0; i < count && ok(); ++i) {
    uint32_t tag = 0, size = 0;
    uvarint(tag);
    uvarint(size);
    take(size);
  }
}

void writer::uvarint(uint32_t x) {
  while (x >= 0x80) {
    out_.push_back(uint8_t(x | 0x80));
    x >>= 7;
  }
  out_.push_back(uint8_t(x));
}

}  // namespace brook::net::kafka
