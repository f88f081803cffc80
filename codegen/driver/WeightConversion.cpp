//===- WeightConversion.cpp - checkpoint floats -> package floats ---------===//

#include "codegen/driver/WeightConversion.h"

#include "frontend/support/Error.h"

#include <cstring>

namespace facet::codegen {
namespace {

uint32_t bitsOf(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  return bits;
}

float floatOf(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
}

float loadFloat(const uint8_t *source, DType from, uint64_t i) {
  switch (from) {
  case DType::F32: {
    float value;
    std::memcpy(&value, source + 4 * i, 4);
    return value;
  }
  case DType::F16:
  case DType::BF16: {
    uint16_t bits;
    std::memcpy(&bits, source + 2 * i, 2);
    return from == DType::F16 ? f16ToFloat(bits) : bf16ToFloat(bits);
  }
  default:
    throw Error("internal: weight conversion from a non-float type");
  }
}

} // namespace

float bf16ToFloat(uint16_t bits) { return floatOf(uint32_t(bits) << 16); }

float f16ToFloat(uint16_t bits) {
  uint32_t sign = uint32_t(bits & 0x8000) << 16;
  uint32_t exponent = (bits >> 10) & 0x1f;
  uint32_t mantissa = bits & 0x3ff;
  if (exponent == 0x1f) // inf / nan
    return floatOf(sign | 0x7f800000 | (mantissa << 13));
  if (exponent == 0) { // zero / subnormal: mantissa * 2^-24
    float magnitude = float(mantissa) * (1.0f / 16777216.0f);
    return sign ? -magnitude : magnitude;
  }
  return floatOf(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

uint16_t floatToBF16(float value) {
  uint32_t bits = bitsOf(value);
  if ((bits & 0x7fffffff) > 0x7f800000) // nan: keep it a (quiet) nan
    return uint16_t((bits >> 16) | 0x40);
  uint32_t roundingBias = 0x7fff + ((bits >> 16) & 1);
  return uint16_t((bits + roundingBias) >> 16);
}

uint16_t floatToF16(float value) {
  uint32_t bits = bitsOf(value);
  uint16_t sign = uint16_t((bits >> 16) & 0x8000);
  uint32_t magnitude = bits & 0x7fffffff;
  if (magnitude > 0x7f800000) // nan
    return sign | 0x7e00;
  if (magnitude >= 0x477ff000) // rounds to >= 65520: inf
    return sign | 0x7c00;
  if (magnitude < 0x38800000) { // below 2^-14: f16 subnormal (or zero)
    // value * 2^24 rounded to nearest even is the subnormal mantissa.
    float scaled = floatOf(magnitude) * 16777216.0f;
    uint32_t whole = uint32_t(scaled);
    float rest = scaled - float(whole);
    if (rest > 0.5f || (rest == 0.5f && (whole & 1)))
      ++whole;
    return sign | uint16_t(whole);
  }
  // Normal: rebias the exponent, round the 13 dropped mantissa bits to even.
  uint32_t rebiased = magnitude - (112u << 23);
  uint32_t roundingBias = 0xfff + ((rebiased >> 13) & 1);
  return sign | uint16_t((rebiased + roundingBias) >> 13);
}

void convertFloats(const uint8_t *source, DType from, uint8_t *destination,
                   package::ElementType to, uint64_t count) {
  if (to != package::ElementType::F32 && to != package::ElementType::F16 &&
      to != package::ElementType::BF16)
    throw Error("internal: weight conversion to a non-float type");
  for (uint64_t i = 0; i < count; ++i) {
    float value = loadFloat(source, from, i);
    if (to == package::ElementType::F32) {
      std::memcpy(destination + 4 * i, &value, 4);
      continue;
    }
    uint16_t bits = to == package::ElementType::F16 ? floatToF16(value)
                                                    : floatToBF16(value);
    std::memcpy(destination + 2 * i, &bits, 2);
  }
}

} // namespace facet::codegen
