//===- KVConvertTest.cpp - f32 KV rows -> bf16, f16, int8 -----------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Expected bit patterns are computed by hand from the IEEE formats (the
// comments give the arithmetic), not by another converter.
//
//===----------------------------------------------------------------------===//

#include "runtime/core/KVConvert.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

using namespace facet::core;

namespace {

float fromBits(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

} // namespace

TEST(KVConvert, BF16RoundsToNearestEven) {
  EXPECT_EQ(floatToBF16(1.0f), 0x3f80);
  EXPECT_EQ(floatToBF16(-2.0f), 0xc000);
  // Below half an ulp (0x8000 of the low bits): down; above: up.
  EXPECT_EQ(floatToBF16(fromBits(0x3f807fff)), 0x3f80);
  EXPECT_EQ(floatToBF16(fromBits(0x3f808001)), 0x3f81);
  // Ties: to the even neighbour.
  EXPECT_EQ(floatToBF16(fromBits(0x3f808000)), 0x3f80);
  EXPECT_EQ(floatToBF16(fromBits(0x3f818000)), 0x3f82);
  // The largest finite f32 rounds up to inf; infinities and zeros stay.
  EXPECT_EQ(floatToBF16(fromBits(0x7f7fffff)), 0x7f80);
  EXPECT_EQ(floatToBF16(-std::numeric_limits<float>::infinity()), 0xff80);
  EXPECT_EQ(floatToBF16(-0.0f), 0x8000);
  // f32 subnormals keep their upper bits.
  EXPECT_EQ(floatToBF16(fromBits(0x00010000)), 0x0001);
  uint16_t nan = floatToBF16(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nan & 0x7f80, 0x7f80);
  EXPECT_NE(nan & 0x007f, 0);
  // A signalling NaN whose payload sits in the low bits stays a NaN.
  EXPECT_NE(floatToBF16(fromBits(0x7f800001)) & 0x007f, 0);
}

TEST(KVConvert, F16Normals) {
  EXPECT_EQ(floatToF16(1.0f), 0x3c00);
  EXPECT_EQ(floatToF16(-2.0f), 0xc000);
  EXPECT_EQ(floatToF16(0.5f), 0x3800);
  EXPECT_EQ(floatToF16(65504.0f), 0x7bff); // the largest half
  // 1 + 2^-11 is a tie between 1 and 1 + 2^-10: even (1). 1 + 3 * 2^-11 is
  // a tie between 1 + 2^-10 (odd) and 1 + 2^-9 (even).
  EXPECT_EQ(floatToF16(1.0f + std::ldexp(1.0f, -11)), 0x3c00);
  EXPECT_EQ(floatToF16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
  EXPECT_EQ(floatToF16(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)),
            0x3c01);
  // 2047.5 is a tie between 2047 (odd mantissa) and 2048: 2048.
  EXPECT_EQ(floatToF16(2047.5f), 0x6800);
}

TEST(KVConvert, F16Overflow) {
  // 65519.99 rounds down to 65504; 65520 is the tie with 65536: inf.
  EXPECT_EQ(floatToF16(std::nextafter(65520.0f, 0.0f)), 0x7bff);
  EXPECT_EQ(floatToF16(65520.0f), 0x7c00);
  EXPECT_EQ(floatToF16(-1e10f), 0xfc00);
  EXPECT_EQ(floatToF16(std::numeric_limits<float>::infinity()), 0x7c00);
  uint16_t nan = floatToF16(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nan & 0x7c00, 0x7c00);
  EXPECT_NE(nan & 0x03ff, 0);
}

TEST(KVConvert, F16Subnormals) {
  float tiny = std::ldexp(1.0f, -24); // the smallest half subnormal
  EXPECT_EQ(floatToF16(tiny), 0x0001);
  EXPECT_EQ(floatToF16(-3 * tiny), 0x8003);
  EXPECT_EQ(floatToF16(std::ldexp(1.0f, -14)), 0x0400); // smallest normal
  // The largest subnormal, 1023 * 2^-24, and a value that rounds up from
  // it into the smallest normal (1023.5 * 2^-24 is a tie: 1024 is even).
  EXPECT_EQ(floatToF16(1023 * tiny), 0x03ff);
  EXPECT_EQ(floatToF16(1023.5f * tiny), 0x0400);
  // Ties between subnormals: 2.5 -> 2, 3.5 -> 4 (units of 2^-24).
  EXPECT_EQ(floatToF16(2.5f * tiny), 0x0002);
  EXPECT_EQ(floatToF16(3.5f * tiny), 0x0004);
  // Half the smallest subnormal is a tie with zero: zero. Just above: 1.
  EXPECT_EQ(floatToF16(0.5f * tiny), 0x0000);
  EXPECT_EQ(floatToF16(std::nextafter(0.5f * tiny, 1.0f)), 0x0001);
  EXPECT_EQ(floatToF16(std::ldexp(1.0f, -30)), 0x0000);
  EXPECT_EQ(floatToF16(-std::ldexp(1.0f, -30)), 0x8000);
}

// Maxima of 127 * 2^k make the scale a power of two, so that x / scale is
// exact and the ties below are ties.
TEST(KVConvert, Int8ScaleAndRounding) {
  // max|x| = 31.75: scale 0.25; x / scale = 127, -63.5 (away from zero:
  // -64), 0.4 (0), 25.2 (25).
  std::vector<float> row{31.75f, -15.875f, 0.1f, 6.3f};
  std::vector<int8_t> q(row.size());
  float scale = quantizeInt8(row.data(), int64_t(row.size()), q.data());
  EXPECT_EQ(scale, 0.25f);
  EXPECT_EQ(q, (std::vector<int8_t>{127, -64, 0, 25}));
  // Dequantized values lie within half a step of the input.
  for (size_t i = 0; i < row.size(); ++i)
    EXPECT_LE(std::fabs(q[i] * scale - row[i]), scale / 2);
}

TEST(KVConvert, Int8NegativeMaximumAndZeroRow) {
  std::vector<float> row{-127.0f, 31.75f, 63.5f};
  std::vector<int8_t> q(3);
  EXPECT_EQ(quantizeInt8(row.data(), 3, q.data()), 1.0f);
  EXPECT_EQ(q, (std::vector<int8_t>{-127, 32, 64})); // never -128

  // A scale that is not a power of two: 1 / 127 is inexact, yet the maximum
  // still maps to 127 and the other value to round(0.5 * 127) = 64.
  std::vector<float> odd{1.0f, -0.49f};
  std::vector<int8_t> oq(2);
  EXPECT_FLOAT_EQ(quantizeInt8(odd.data(), 2, oq.data()), 1.0f / 127.0f);
  EXPECT_EQ(oq, (std::vector<int8_t>{127, -62})); // -62.23

  std::vector<float> zeros{0.0f, -0.0f, 0.0f};
  std::vector<int8_t> z{5, 5, 5};
  EXPECT_EQ(quantizeInt8(zeros.data(), 3, z.data()), 0.0f);
  EXPECT_EQ(z, (std::vector<int8_t>{0, 0, 0}));
}

TEST(KVConvert, RowsGetOneScalePerHead) {
  // 2 rows x 2 heads x 2 values; heads scale independently.
  std::vector<float> rows{127.0f, -63.5f, 254.0f,  127.0f,
                          0.0f,   0.0f,   -31.75f, 15.875f};
  std::vector<int8_t> q(8);
  std::vector<float> scales(4);
  convertKVRows(ElementType::I8, rows.data(), 2, 2, 2, q.data(), scales.data());
  EXPECT_EQ(scales, (std::vector<float>{1.0f, 2.0f, 0.0f, 0.25f}));
  EXPECT_EQ(q, (std::vector<int8_t>{127, -64, 127, 64, 0, 0, -127, 64}));

  // 127 = 1.984375 * 2^6, 15.875 = 1.984375 * 2^3: mantissa 0x3f0.
  std::vector<uint16_t> half(8);
  convertKVRows(ElementType::F16, rows.data(), 2, 2, 2, half.data(), nullptr);
  EXPECT_EQ(half[0], 0x57f0);
  EXPECT_EQ(half[7], 0x4bf0);
  convertKVRows(ElementType::BF16, rows.data(), 2, 2, 2, half.data(), nullptr);
  EXPECT_EQ(half[1], 0xc27e); // -63.5
  EXPECT_EQ(half[2], 0x437e); // 254

  std::vector<float> copy(8);
  convertKVRows(ElementType::F32, rows.data(), 2, 2, 2, copy.data(), nullptr);
  EXPECT_EQ(copy, rows);
}
