#include "runtime/crc32c.hpp"

#include <isa-l/crc.h>

#include <climits>

namespace brook::runtime {

uint32_t crc32c(const void* data, size_t n, uint32_t crc) {
  // ISA-L's crc32_iscsi neither inverts its seed nor its result; the standard CRC-32C
  // does both, so invert around it. Chaining then works on the standard values.
  auto* p = static_cast<unsigned char*>(const_cast<void*>(data));
  uint32_t c = ~crc;
  constexpr size_t chunk = size_t(1) << 30;  // crc32_iscsi takes an int length
  while (n > 0) {
    const size_t len = n < chunk ? n : chunk;
    c = crc32_iscsi(p, int(len), c);
    p += len;
    n -= len;
  }
  return ~c;
}

}  // namespace brook::runtime
