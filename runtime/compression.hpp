#pragma once
// Kafka's record compression codecs, byte-compatible with the Java client and librdkafka.
// Only the records section of a RecordBatch v2 is compressed (see record_batch.hpp).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "runtime/bytes.hpp"
#include "runtime/status.hpp"

namespace brook::runtime {

/// Values are the codec bits (0-2) of a batch's attributes.
enum class compression : uint8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };

/// Decompression refuses to produce more than this, so a hostile batch cannot exhaust memory.
constexpr size_t max_decompressed_size = size_t(256) << 20;

/// "none", "gzip", "snappy", "lz4", "zstd" (case-insensitive); else errc::invalid_config.
result<compression> parse_compression(std::string_view name);
/// Lower-case name as accepted by parse_compression; "unknown" for values outside the enum.
std::string_view to_string(compression c);

/// Encodes as Kafka writes it: gzip = deflate in a gzip wrapper; snappy = xerial/snappy-java
/// framing (what the Java client writes); lz4 = LZ4 frame, independent 64 KiB blocks (Java
/// rejects linked blocks); zstd = one standard frame. none copies.
/// Errors: errc::unsupported_compression for an unknown codec value.
result<bytes> compress(compression codec, const uint8_t* data, size_t n);

/// Decodes what any Kafka client writes: gzip (or zlib) streams, xerial-framed or raw snappy,
/// LZ4 frames, zstd frames with or without content size, concatenated frames/members.
/// Errors: errc::corrupt_message for malformed or truncated input or output past `limit`;
/// errc::unsupported_compression for an unknown codec value. Thread-safe.
result<bytes> decompress(compression codec, const uint8_t* data, size_t n,
                         size_t limit = max_decompressed_size);

}  // namespace brook::runtime
