//===- SoftFloat.h - IEEE arithmetic in integer code ------------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Hexagon v66 has no float divide, no square root and (below v67) no double
// multiply instruction; clang and Halide call compiler-rt helpers instead,
// which Debian does not ship for Hexagon. These are the correctly rounded
// (round to nearest even) operations behind those helpers, written with
// integer arithmetic only: the same source builds on the host, where tests
// compare every result bit for bit with the hardware's. No `/` or `%` on
// integers (they would call the division helpers), no libc.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_HEXAGON_SOFTFLOAT_H
#define FACET_RUNTIME_HEXAGON_SOFTFLOAT_H

#include <stdint.h>

namespace facet::hexagon::softfloat {

inline uint32_t bitsOf(float value) {
  uint32_t bits;
  __builtin_memcpy(&bits, &value, sizeof(bits));
  return bits;
}
inline float floatOf(uint32_t bits) {
  float value;
  __builtin_memcpy(&value, &bits, sizeof(value));
  return value;
}
inline uint64_t bitsOf(double value) {
  uint64_t bits;
  __builtin_memcpy(&bits, &value, sizeof(bits));
  return bits;
}
inline double doubleOf(uint64_t bits) {
  double value;
  __builtin_memcpy(&value, &bits, sizeof(value));
  return value;
}

float divide(float a, float b);
float squareRoot(float value);

double add(double a, double b);
double multiply(double a, double b);
double divide(double a, double b);

} // namespace facet::hexagon::softfloat

#endif // FACET_RUNTIME_HEXAGON_SOFTFLOAT_H
