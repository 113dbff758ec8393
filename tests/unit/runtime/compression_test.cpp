#include "runtime/compression.hpp"

#include <gtest/gtest.h>
#include <snappy.h>
#include <zstd.h>

#include <cstring>
#include <random>
#include <string>

namespace brook::runtime {
namespace {

constexpr compression all_codecs[] = {compression::none, compression::gzip, compression::snappy,
                                      compression::lz4, compression::zstd};
constexpr compression real_codecs[] = {compression::gzip, compression::snappy, compression::lz4,
                                       compression::zstd};

bytes random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  bytes b(n);
  for (auto& x : b) x = uint8_t(rng());
  return b;
}

bytes text_bytes(size_t n) {
  static const char* words[] = {"broker",   "partition", "offset", "leader ", "{\"id\":", "42,",
                                "consumer", "group",     " ",      "\n",      "topic-",   "value"};
  std::mt19937 rng(7);
  bytes b;
  while (b.size() < n) {
    const char* w = words[rng() % 12];
    append_raw(b, w, std::strlen(w));
  }
  b.resize(n);
  return b;
}

bytes compress_ok(compression c, const bytes& in) {
  auto r = compress(c, in.data(), in.size());
  EXPECT_TRUE(r) << to_string(c) << ": " << r.error().to_string();
  return r ? *r : bytes{};
}

void expect_round_trip(compression c, const bytes& in) {
  const bytes packed = compress_ok(c, in);
  auto out = decompress(c, packed.data(), packed.size());
  ASSERT_TRUE(out) << to_string(c) << ": " << out.error().to_string();
  EXPECT_EQ(*out, in) << to_string(c) << " with " << in.size() << " bytes";
}

TEST(Compression, ParseAndName) {
  for (auto c : all_codecs) {
    auto parsed = parse_compression(to_string(c));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, c);
  }
  EXPECT_EQ(*parse_compression("ZSTD"), compression::zstd);
  auto bad = parse_compression("brotli");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), errc::invalid_config);
  EXPECT_NE(bad.error().message().find("brotli"), std::string::npos);
  EXPECT_FALSE(parse_compression(""));
  EXPECT_EQ(to_string(compression(7)), "unknown");
}

TEST(Compression, RoundTripEveryCodec) {
  for (auto c : all_codecs) {
    expect_round_trip(c, {});
    expect_round_trip(c, {'x'});
    expect_round_trip(c, random_bytes(100'000, 1));
    expect_round_trip(c, text_bytes(1 << 20));
  }
}

TEST(Compression, TextActuallyShrinks) {
  const bytes text = text_bytes(256 * 1024);
  for (auto c : real_codecs)
    EXPECT_LT(compress_ok(c, text).size(), text.size() / 2) << to_string(c);
}

TEST(Compression, OutputsUseTheFormatsKafkaExpects) {
  const bytes text = text_bytes(100'000);
  const bytes gz = compress_ok(compression::gzip, text);
  EXPECT_EQ(gz[0], 0x1F);
  EXPECT_EQ(gz[1], 0x8B);
  const bytes sn = compress_ok(compression::snappy, text);
  const uint8_t xerial[] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1};
  ASSERT_GE(sn.size(), sizeof xerial);
  EXPECT_EQ(std::memcmp(sn.data(), xerial, sizeof xerial), 0);
  const bytes lz = compress_ok(compression::lz4, text);
  EXPECT_EQ(load_be32(lz.data()), 0x04224D18u);  // LZ4 frame magic, little-endian 0x184D2204
  EXPECT_TRUE(lz[4] & 0x20) << "FLG must set block independence (Kafka's Java reader)";
  const bytes zs = compress_ok(compression::zstd, text);
  EXPECT_EQ(load_be32(zs.data()), 0x28B52FFDu);
}

TEST(Compression, RawSnappyIsAccepted) {
  const bytes text = text_bytes(50'000);
  std::string raw;
  snappy::Compress(reinterpret_cast<const char*>(text.data()), text.size(), &raw);
  auto out =
      decompress(compression::snappy, reinterpret_cast<const uint8_t*>(raw.data()), raw.size());
  ASSERT_TRUE(out) << out.error().to_string();
  EXPECT_EQ(*out, text);
}

TEST(Compression, ZstdWithoutContentSizeIsAccepted) {
  const bytes text = text_bytes(300'000);
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
  bytes packed(ZSTD_compressBound(text.size()));
  ZSTD_inBuffer in{text.data(), text.size(), 0};
  ZSTD_outBuffer out{packed.data(), packed.size(), 0};
  ASSERT_EQ(ZSTD_compressStream2(cctx, &out, &in, ZSTD_e_end), 0u);
  ZSTD_freeCCtx(cctx);
  packed.resize(out.pos);
  ASSERT_EQ(ZSTD_getFrameContentSize(packed.data(), packed.size()), ZSTD_CONTENTSIZE_UNKNOWN);
  auto r = decompress(compression::zstd, packed.data(), packed.size());
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(*r, text);
}

TEST(Compression, ConcatenatedFramesAreAllDecoded) {
  const bytes a = text_bytes(1000), b = random_bytes(500, 3);
  bytes joined = a;
  append_raw(joined, b.data(), b.size());
  for (auto c : {compression::gzip, compression::lz4, compression::zstd}) {
    bytes packed = compress_ok(c, a);
    const bytes second = compress_ok(c, b);
    append_raw(packed, second.data(), second.size());
    auto r = decompress(c, packed.data(), packed.size());
    ASSERT_TRUE(r) << to_string(c) << ": " << r.error().to_string();
    EXPECT_EQ(*r, joined) << to_string(c);
  }
}

TEST(Compression, GarbageIsAnErrorNotACrash) {
  for (auto c : real_codecs) {
    for (uint32_t seed = 0; seed < 20; ++seed) {
      const bytes junk = random_bytes(1 + seed * 37, seed);
      auto r = decompress(c, junk.data(), junk.size());
      if (!r) {
        EXPECT_EQ(r.error().code(), errc::corrupt_message) << to_string(c);
      }
    }
    auto empty = decompress(c, nullptr, 0);
    EXPECT_FALSE(empty) << to_string(c) << " accepted empty input";
  }
}

TEST(Compression, TruncatedInputIsAnError) {
  const bytes text = text_bytes(200'000);
  for (auto c : real_codecs) {
    const bytes packed = compress_ok(c, text);
    for (size_t cut : {packed.size() / 2, packed.size() - 1}) {
      auto r = decompress(c, packed.data(), cut);
      ASSERT_FALSE(r) << to_string(c) << " accepted " << cut << " of " << packed.size();
      EXPECT_EQ(r.error().code(), errc::corrupt_message);
    }
  }
}

TEST(Compression, OutputLimitIsEnforced) {
  const bytes zeros(1 << 20, 0);
  for (auto c : all_codecs) {
    const bytes packed = compress_ok(c, zeros);
    auto exact = decompress(c, packed.data(), packed.size(), zeros.size());
    ASSERT_TRUE(exact) << to_string(c) << ": " << exact.error().to_string();
    EXPECT_EQ(exact->size(), zeros.size());
    auto over = decompress(c, packed.data(), packed.size(), zeros.size() - 1);
    ASSERT_FALSE(over) << to_string(c);
    EXPECT_EQ(over.error().code(), errc::corrupt_message);
  }
}

TEST(Compression, HostileSnappyLengthDoesNotAllocate) {
  // Preamble claims 0xFFFFFFFF bytes of output.
  const bytes bomb = {0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00};
  auto r = decompress(compression::snappy, bomb.data(), bomb.size());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), errc::corrupt_message);
}

TEST(Compression, UnknownCodecValue) {
  const bytes x = {1, 2, 3};
  auto r = decompress(compression(6), x.data(), x.size());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), errc::unsupported_compression);
  EXPECT_EQ(compress(compression(6), x.data(), x.size()).error().code(),
            errc::unsupported_compression);
}

}  // namespace
}  // namespace brook::runtime
