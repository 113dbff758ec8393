#include "runtime/compression.hpp"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>
#include <string>

namespace brook::runtime {
namespace {

constexpr size_t max_input_size = size_t(INT32_MAX);  // a batch never exceeds int32 length

// snappy-java's stream header: magic, then int32 version and int32 min-compatible version.
constexpr uint8_t xerial_magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr size_t xerial_header_size = 16;
constexpr int32_t xerial_version = 1;
constexpr size_t xerial_block_size = 32 * 1024;  // snappy-java's default block

constexpr int zstd_level = 3;  // zstd's and Kafka's default

status corrupt(std::string_view codec, std::string_view what) {
  return {errc::corrupt_message, std::string(codec) + ": " + std::string(what)};
}

status too_large(std::string_view codec, size_t limit) {
  return corrupt(codec, "decompressed size exceeds " + std::to_string(limit) + " bytes");
}

// Streaming decoders write into `out`, whose size is the room available. It is allowed to reach
// limit + 1 bytes so that "exactly limit" and "more than limit" can be told apart.
// Returns false when the buffer is already at that hard cap.
bool grow(bytes& out, size_t limit) {
  const size_t cap = limit + 1;
  if (out.size() >= cap) return false;
  out.resize(std::min(cap, std::max<size_t>(out.size() * 2, 64 * 1024)));
  return true;
}

size_t initial_guess(size_t n, size_t limit) {
  return std::min(limit + 1, std::max<size_t>(64 * 1024, n * 4));
}

result<bytes> gzip_compress(const uint8_t* data, size_t n) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return status{errc::unknown, "gzip: deflateInit2 failed"};
  bytes out(deflateBound(&zs, uLong(n)));
  zs.next_in = const_cast<Bytef*>(data);
  zs.avail_in = uInt(n);
  zs.next_out = out.data();
  zs.avail_out = uInt(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return status{errc::unknown, "gzip: deflate did not finish"};
  return out;
}

result<bytes> gzip_decompress(const uint8_t* data, size_t n, size_t limit) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK)  // +32: accept a gzip or zlib wrapper
    return status{errc::unknown, "gzip: inflateInit2 failed"};
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
  zs.next_in = const_cast<Bytef*>(data);
  zs.avail_in = uInt(n);
  bytes out(initial_guess(n, limit));
  size_t produced = 0;
  for (;;) {
    if (produced == out.size() && !grow(out, limit)) return too_large("gzip", limit);
    zs.next_out = out.data() + produced;
    zs.avail_out = uInt(std::min<size_t>(out.size() - produced, UINT_MAX));
    const uInt room = zs.avail_out;
    const int rc = inflate(&zs, Z_NO_FLUSH);
    produced += room - zs.avail_out;
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      if (inflateReset(&zs) != Z_OK) return corrupt("gzip", "cannot reset for the next member");
      continue;  // concatenated gzip members
    }
    if (rc == Z_BUF_ERROR && zs.avail_out == 0) continue;  // output full: grow
    if (rc != Z_OK) return corrupt("gzip", zs.msg ? zs.msg : "truncated stream");
    if (zs.avail_in == 0 && zs.avail_out > 0) return corrupt("gzip", "truncated stream");
  }
  if (produced > limit) return too_large("gzip", limit);
  out.resize(produced);
  return out;
}

result<bytes> snappy_compress(const uint8_t* data, size_t n) {
  bytes out(xerial_magic, xerial_magic + sizeof xerial_magic);
  append_be32(out, uint32_t(xerial_version));
  append_be32(out, uint32_t(xerial_version));
  for (size_t pos = 0; pos < n; pos += xerial_block_size) {
    const size_t len = std::min(xerial_block_size, n - pos);
    const size_t at = out.size();
    out.resize(at + 4 + snappy::MaxCompressedLength(len));
    size_t written = 0;
    snappy::RawCompress(reinterpret_cast<const char*>(data + pos), len,
                        reinterpret_cast<char*>(out.data() + at + 4), &written);
    store_be32(out.data() + at, uint32_t(written));
    out.resize(at + 4 + written);
  }
  return out;
}

// Decodes one raw snappy block, appending to out.
status snappy_block(const uint8_t* data, size_t n, bytes& out, size_t limit) {
  const auto* src = reinterpret_cast<const char*>(data);
  size_t len = 0;
  if (!snappy::GetUncompressedLength(src, n, &len)) return corrupt("snappy", "bad block preamble");
  if (len > limit - out.size()) return too_large("snappy", limit);
  const size_t at = out.size();
  out.resize(at + len);
  if (!snappy::RawUncompress(src, n, reinterpret_cast<char*>(out.data() + at)))
    return corrupt("snappy", "malformed block");
  return status::ok();
}

result<bytes> snappy_decompress(const uint8_t* data, size_t n, size_t limit) {
  bytes out;
  const bool framed =
      n >= xerial_header_size && std::memcmp(data, xerial_magic, sizeof xerial_magic) == 0;
  if (!framed) {
    if (auto s = snappy_block(data, n, out, limit); !s) return s;
    return out;
  }
  const uint8_t* p = data + xerial_header_size;
  const uint8_t* end = data + n;
  while (p < end) {
    if (end - p < 4) return corrupt("snappy", "truncated xerial chunk length");
    const uint32_t len = load_be32(p);
    p += 4;
    if (len > size_t(end - p)) return corrupt("snappy", "xerial chunk runs past the end");
    if (auto s = snappy_block(p, len, out, limit); !s) return s;
    p += len;
  }
  return out;
}

result<bytes> lz4_compress(const uint8_t* data, size_t n) {
  LZ4F_preferences_t prefs;
  std::memset(&prefs, 0, sizeof prefs);
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;  // Kafka's Java reader requires it
  bytes out(LZ4F_compressFrameBound(n, &prefs));
  const size_t rc = LZ4F_compressFrame(out.data(), out.size(), data, n, &prefs);
  if (LZ4F_isError(rc)) return status{errc::unknown, std::string("lz4: ") + LZ4F_getErrorName(rc)};
  out.resize(rc);
  return out;
}

result<bytes> lz4_decompress(const uint8_t* data, size_t n, size_t limit) {
  LZ4F_dctx* raw = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION)))
    return status{errc::unknown, "lz4: cannot create a decompression context"};
  std::unique_ptr<LZ4F_dctx, size_t (*)(LZ4F_dctx*)> dctx(raw, LZ4F_freeDecompressionContext);
  bytes out(initial_guess(n, limit));
  size_t produced = 0;
  const uint8_t* src = data;
  size_t remaining = n;
  for (;;) {
    if (produced == out.size() && !grow(out, limit)) return too_large("lz4", limit);
    size_t dst_len = out.size() - produced;
    size_t src_len = remaining;
    const size_t hint =
        LZ4F_decompress(dctx.get(), out.data() + produced, &dst_len, src, &src_len, nullptr);
    if (LZ4F_isError(hint)) return corrupt("lz4", LZ4F_getErrorName(hint));
    produced += dst_len;
    src += src_len;
    remaining -= src_len;
    if (hint == 0 && remaining == 0) break;  // frame complete, no further frame
    if (remaining == 0 && produced < out.size()) return corrupt("lz4", "truncated frame");
  }
  if (produced > limit) return too_large("lz4", limit);
  out.resize(produced);
  return out;
}

struct zstd_cctx_free {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct zstd_dctx_free {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

result<bytes> zstd_compress(const uint8_t* data, size_t n) {
  thread_local std::unique_ptr<ZSTD_CCtx, zstd_cctx_free> cctx(ZSTD_createCCtx());
  bytes out(ZSTD_compressBound(n));
  const size_t rc = ZSTD_compressCCtx(cctx.get(), out.data(), out.size(), data, n, zstd_level);
  if (ZSTD_isError(rc)) return status{errc::unknown, std::string("zstd: ") + ZSTD_getErrorName(rc)};
  out.resize(rc);
  return out;
}

result<bytes> zstd_decompress(const uint8_t* data, size_t n, size_t limit) {
  thread_local std::unique_ptr<ZSTD_DCtx, zstd_dctx_free> dctx(ZSTD_createDCtx());
  ZSTD_DCtx_reset(dctx.get(), ZSTD_reset_session_only);
  size_t guess = initial_guess(n, limit);
  const unsigned long long declared = ZSTD_getFrameContentSize(data, n);
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != ZSTD_CONTENTSIZE_ERROR) {
    if (declared > limit) return too_large("zstd", limit);
    guess = std::max<size_t>(size_t(declared), 1);  // a hint only: frames may follow
  }
  bytes out(guess);
  ZSTD_inBuffer in{data, n, 0};
  size_t produced = 0;
  for (;;) {
    if (produced == out.size() && !grow(out, limit)) return too_large("zstd", limit);
    ZSTD_outBuffer ob{out.data(), out.size(), produced};
    const size_t rc = ZSTD_decompressStream(dctx.get(), &ob, &in);
    if (ZSTD_isError(rc)) return corrupt("zstd", ZSTD_getErrorName(rc));
    produced = ob.pos;
    if (in.pos == in.size) {
      if (rc == 0) break;  // last frame complete
      if (produced < out.size()) return corrupt("zstd", "truncated frame");
    }
  }
  if (produced > limit) return too_large("zstd", limit);
  out.resize(produced);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x >= 'A' && x <= 'Z' ? char(x - 'A' + 'a') : x) == y;
         });
}

status unknown_codec(compression c) {
  return {errc::unsupported_compression,
          "unknown compression codec " + std::to_string(unsigned(c))};
}

}  // namespace

result<compression> parse_compression(std::string_view name) {
  for (auto c : {compression::none, compression::gzip, compression::snappy, compression::lz4,
                 compression::zstd})
    if (iequals(name, to_string(c))) return c;
  return status{errc::invalid_config, "unknown compression type '" + std::string(name) +
                                          "' (expected none, gzip, snappy, lz4 or zstd)"};
}

std::string_view to_string(compression c) {
  switch (c) {
    case compression::none:
      return "none";
    case compression::gzip:
      return "gzip";
    case compression::snappy:
      return "snappy";
    case compression::lz4:
      return "lz4";
    case compression::zstd:
      return "zstd";
  }
  return "unknown";
}

result<bytes> compress(compression codec, const uint8_t* data, size_t n) {
  if (n > max_input_size) return status{errc::invalid_request, "compress: input larger than 2 GiB"};
  switch (codec) {
    case compression::none:
      return bytes(data, data + n);
    case compression::gzip:
      return gzip_compress(data, n);
    case compression::snappy:
      return snappy_compress(data, n);
    case compression::lz4:
      return lz4_compress(data, n);
    case compression::zstd:
      return zstd_compress(data, n);
  }
  return unknown_codec(codec);
}

result<bytes> decompress(compression codec, const uint8_t* data, size_t n, size_t limit) {
  if (n > max_input_size)
    return status{errc::corrupt_message, "decompress: input larger than 2 GiB"};
  switch (codec) {
    case compression::none:
      if (n > limit) return too_large("none", limit);
      return bytes(data, data + n);
    case compression::gzip:
      return gzip_decompress(data, n, limit);
    case compression::snappy:
      return snappy_decompress(data, n, limit);
    case compression::lz4:
      return lz4_decompress(data, n, limit);
    case compression::zstd:
      return zstd_decompress(data, n, limit);
  }
  return unknown_codec(codec);
}

}  // namespace brook::runtime
