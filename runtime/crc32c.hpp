#pragma once
// CRC-32C (Castagnoli), the checksum of Kafka RecordBatch v2 (bytes 21..end of a batch).
#include <cstddef>
#include <cstdint>

namespace brook::runtime {

/// Standard CRC-32C of `n` bytes at `data`: crc32c("123456789", 9) == 0xE3069283.
/// Chains: crc32c(b, nb, crc32c(a, na)) == crc32c(a ++ b). Pass crc = 0 to start.
/// Hardware-accelerated (ISA-L); thread-safe; any thread.
uint32_t crc32c(const void* data, size_t n, uint32_t crc = 0);

}  // namespace brook::runtime
