#include "runtime/varint.hpp"

#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <limits>

namespace brook::runtime {
namespace {

bytes enc32(int32_t v) {
  bytes b;
  put_varint(b, v);
  return b;
}
bytes enc64(int64_t v) {
  bytes b;
  put_varlong(b, v);
  return b;
}
bytes encu(uint32_t v) {
  bytes b;
  put_uvarint(b, v);
  return b;
}

TEST(Varint, KnownZigZagEncodings) {
  EXPECT_EQ(enc32(0), bytes({0x00}));
  EXPECT_EQ(enc32(-1), bytes({0x01}));
  EXPECT_EQ(enc32(1), bytes({0x02}));
  EXPECT_EQ(enc32(-2), bytes({0x03}));
  EXPECT_EQ(enc32(63), bytes({0x7E}));
  EXPECT_EQ(enc32(-64), bytes({0x7F}));
  EXPECT_EQ(enc32(64), bytes({0x80, 0x01}));
  EXPECT_EQ(enc32(300), bytes({0xD8, 0x04}));   // zigzag 600
  EXPECT_EQ(enc32(-300), bytes({0xD7, 0x04}));  // zigzag 599
  EXPECT_EQ(enc32(INT32_MAX), bytes({0xFE, 0xFF, 0xFF, 0xFF, 0x0F}));
  EXPECT_EQ(enc32(INT32_MIN), bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x0F}));
  EXPECT_EQ(enc64(300), bytes({0xD8, 0x04}));
  EXPECT_EQ(enc64(INT64_MIN), bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}));
}

TEST(Varint, KnownUnsignedEncodings) {
  EXPECT_EQ(encu(0), bytes({0x00}));
  EXPECT_EQ(encu(1), bytes({0x01}));
  EXPECT_EQ(encu(127), bytes({0x7F}));
  EXPECT_EQ(encu(128), bytes({0x80, 0x01}));
  EXPECT_EQ(encu(300), bytes({0xAC, 0x02}));
  EXPECT_EQ(encu(UINT32_MAX), bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x0F}));
}

TEST(Varint, Int32RoundTripsAndSizes) {
  for (int32_t v : {0, 1, -1, 2, -2, 63, -64, 64, -65, 300, -300, 8191, 8192, 1 << 20, -(1 << 20),
                    INT32_MAX, INT32_MIN, INT32_MAX - 1, INT32_MIN + 1}) {
    const bytes b = enc32(v);
    EXPECT_EQ(b.size(), varint_size(v)) << v;
    const uint8_t* p = b.data();
    int32_t out = 0;
    ASSERT_TRUE(get_varint(p, b.data() + b.size(), out)) << v;
    EXPECT_EQ(out, v);
    EXPECT_EQ(p, b.data() + b.size());
  }
}

TEST(Varint, Int64RoundTripsAndSizes) {
  for (int64_t v :
       {int64_t(0), int64_t(-1), int64_t(1), int64_t(INT32_MAX) + 1, int64_t(INT32_MIN) - 1,
        int64_t(1) << 62, INT64_MAX, INT64_MIN, int64_t(1700000000000)}) {
    const bytes b = enc64(v);
    EXPECT_EQ(b.size(), varlong_size(v)) << v;
    const uint8_t* p = b.data();
    int64_t out = 0;
    ASSERT_TRUE(get_varlong(p, b.data() + b.size(), out)) << v;
    EXPECT_EQ(out, v);
    EXPECT_EQ(p, b.data() + b.size());
  }
}

TEST(Varint, UnsignedRoundTrips) {
  for (uint32_t v : {0u, 1u, 127u, 128u, 16383u, 16384u, UINT32_MAX}) {
    const bytes b = encu(v);
    const uint8_t* p = b.data();
    uint32_t out = 0;
    ASSERT_TRUE(get_uvarint(p, b.data() + b.size(), out));
    EXPECT_EQ(out, v);
    EXPECT_EQ(p, b.data() + b.size());
  }
}

TEST(Varint, DecodesConsecutiveValues) {
  bytes b;
  put_varint(b, -5);
  put_varlong(b, 1LL << 40);
  put_uvarint(b, 7);
  const uint8_t* p = b.data();
  const uint8_t* end = b.data() + b.size();
  int32_t a;
  int64_t l;
  uint32_t u;
  ASSERT_TRUE(get_varint(p, end, a));
  ASSERT_TRUE(get_varlong(p, end, l));
  ASSERT_TRUE(get_uvarint(p, end, u));
  EXPECT_EQ(a, -5);
  EXPECT_EQ(l, 1LL << 40);
  EXPECT_EQ(u, 7u);
  EXPECT_EQ(p, end);
}

TEST(Varint, TruncationIsDetected) {
  const bytes empty;
  const uint8_t* p = empty.data();
  int32_t v;
  EXPECT_FALSE(get_varint(p, p, v));

  const bytes cut = {0xD8};  // 300 without its second byte
  p = cut.data();
  EXPECT_FALSE(get_varint(p, cut.data() + 1, v));
  int64_t l;
  p = cut.data();
  EXPECT_FALSE(get_varlong(p, cut.data() + 1, l));
  uint32_t u;
  p = cut.data();
  EXPECT_FALSE(get_uvarint(p, cut.data() + 1, u));
}

TEST(Varint, OverLongIsRejected) {
  const bytes six = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  const uint8_t* p = six.data();
  int32_t v;
  EXPECT_FALSE(get_varint(p, six.data() + six.size(), v));
  uint32_t u;
  p = six.data();
  EXPECT_FALSE(get_uvarint(p, six.data() + six.size(), u));
  // Six bytes are fine for a varlong; eleven are not.
  int64_t l;
  p = six.data();
  EXPECT_TRUE(get_varlong(p, six.data() + six.size(), l));
  EXPECT_EQ(l, 0);
  const bytes eleven = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  p = eleven.data();
  EXPECT_FALSE(get_varlong(p, eleven.data() + eleven.size(), l));
}

TEST(Varint, PointerWritersMatchAppenders) {
  uint8_t buf[max_varlong_size];
  for (int64_t v : {int64_t(0), int64_t(-77), INT64_MIN, INT64_MAX}) {
    const bytes b = enc64(v);
    EXPECT_EQ(bytes(buf, write_varlong(buf, v)), b);
  }
  EXPECT_EQ(bytes(buf, write_varint(buf, -300)), enc32(-300));
}

}  // namespace
}  // namespace brook::runtime
