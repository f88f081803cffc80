//===- KVConvert.cpp - f32 KV rows -> the cache's storage type ------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Integer bit manipulation instead of the compiler's _Float16 / __bf16, and
// rounding by hand instead of libm's round: the result must not depend on
// the compiler, its flags, the FP environment's rounding mode or whether
// there is a libm at all (the Hexagon runner has none).
//
//===----------------------------------------------------------------------===//

#include "runtime/core/KVConvert.h"

namespace facet::core {

namespace {

uint32_t bitsOf(float value) {
  uint32_t bits;
  __builtin_memcpy(&bits, &value, sizeof bits);
  return bits;
}

/// `value >> shift` rounded to nearest, ties to even (shift 1 to 31).
uint32_t shiftRoundEven(uint32_t value, unsigned shift) {
  uint32_t kept = value >> shift;
  uint32_t rest = value & ((uint32_t(1) << shift) - 1);
  uint32_t half = uint32_t(1) << (shift - 1);
  if (rest > half || (rest == half && (kept & 1)))
    ++kept;
  return kept;
}

/// round(q) (half away from zero) clamped to [-127, 127]; NaN gives 0.
int8_t roundToInt8(float q) {
  if (q != q)
    return 0;
  float magnitude = __builtin_fabsf(q);
  int32_t rounded = 127;
  if (magnitude < 127.0f) {
    // Exact: magnitude < 2^23, so it and its fraction are representable.
    rounded = int32_t(magnitude);
    if (magnitude - float(rounded) >= 0.5f)
      ++rounded;
  }
  return int8_t(q < 0.0f ? -rounded : rounded);
}

} // namespace

uint16_t floatToBF16(float value) {
  uint32_t bits = bitsOf(value);
  if ((bits & 0x7fffffff) > 0x7f800000) // NaN: keep it one, quiet
    return uint16_t((bits >> 16) | 0x0040);
  // A carry out of the mantissa bumps the exponent, up to inf: correct.
  return uint16_t(shiftRoundEven(bits, 16));
}

uint16_t floatToF16(float value) {
  uint32_t bits = bitsOf(value);
  uint16_t sign = uint16_t((bits >> 16) & 0x8000);
  uint32_t magnitude = bits & 0x7fffffff;
  if (magnitude > 0x7f800000) // NaN
    return uint16_t(sign | 0x7e00);
  // 65520 (0x477ff000) lies halfway between the largest half, 65504 (odd
  // mantissa), and 65536: ties to even round it, and all above, to inf.
  if (magnitude >= 0x477ff000)
    return uint16_t(sign | 0x7c00);
  if (magnitude >= 0x38800000) // a normal half (>= 2^-14): rebias 127 -> 15
    return uint16_t(sign | shiftRoundEven(magnitude - 0x38000000, 13));
  // Subnormal half: m * 2^-24. At most 2^-25 (0x33000000, a tie with 0)
  // rounds to zero.
  if (magnitude <= 0x33000000)
    return sign;
  uint32_t exponent = magnitude >> 23; // 102 .. 112
  uint32_t mantissa = (magnitude & 0x7fffff) | 0x800000;
  // value = mantissa * 2^(exponent - 150); in units of 2^-24 that is
  // mantissa >> (126 - exponent). Rounding up to 0x400 gives the smallest
  // normal, which is the right encoding.
  return uint16_t(sign | shiftRoundEven(mantissa, 126 - exponent));
}

float quantizeInt8(const float *values, int64_t count, int8_t *out) {
  float maxAbs = 0.0f;
  for (int64_t i = 0; i < count; ++i)
    if (__builtin_fabsf(values[i]) > maxAbs) // NaN compares false: skipped
      maxAbs = __builtin_fabsf(values[i]);
  float scale = maxAbs / 127.0f;
  for (int64_t i = 0; i < count; ++i)
    out[i] = scale > 0.0f ? roundToInt8(values[i] / scale) : 0;
  return scale;
}

bool convertKVRows(ElementType type, const float *source, int64_t rows,
                   int64_t kvHeads, int64_t headDim, void *target,
                   float *scales) {
  int64_t count = rows * kvHeads * headDim;
  switch (type) {
  case ElementType::F32:
    __builtin_memcpy(target, source, size_t(count) * sizeof(float));
    return true;
  case ElementType::BF16: {
    auto *out = static_cast<uint16_t *>(target);
    for (int64_t i = 0; i < count; ++i)
      out[i] = floatToBF16(source[i]);
    return true;
  }
  case ElementType::F16: {
    auto *out = static_cast<uint16_t *>(target);
    for (int64_t i = 0; i < count; ++i)
      out[i] = floatToF16(source[i]);
    return true;
  }
  case ElementType::I8: {
    auto *out = static_cast<int8_t *>(target);
    for (int64_t head = 0; head < rows * kvHeads; ++head)
      scales[head] =
          quantizeInt8(source + head * headDim, headDim, out + head * headDim);
    return true;
  }
  default:
    return false;
  }
}

} // namespace facet::core
