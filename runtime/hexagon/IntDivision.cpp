//===- IntDivision.cpp - Hexagon integer division helpers -----------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Hexagon has no integer divide instruction: clang lowers `/` and `%` on
// 32- and 64-bit integers to calls of these compiler-rt helpers, which Debian
// does not ship for Hexagon. Shift-and-subtract long division, starting at
// the divisor's leading bit; the code below uses no `/` or `%` itself, which
// would call back into these functions. Division by zero is undefined in C;
// here it yields all ones (unsigned) without trapping.
//
//===----------------------------------------------------------------------===//

#include <stdint.h>

namespace {

int leadingZeros(uint32_t value) { return __builtin_clz(value); }
int leadingZeros(uint64_t value) { return __builtin_clzll(value); }

template <typename U> U divideUnsigned(U dividend, U divisor, U &remainder) {
  if (divisor == 0) {
    remainder = dividend;
    return ~static_cast<U>(0);
  }
  if (dividend < divisor) {
    remainder = dividend;
    return 0;
  }
  // Align the divisor's top bit with the dividend's, then one quotient bit
  // per step.
  int shift = leadingZeros(divisor) - leadingZeros(dividend);
  U quotient = 0;
  U shifted = divisor << shift;
  for (int bit = shift; bit >= 0; --bit, shifted >>= 1) {
    if (dividend >= shifted) {
      dividend -= shifted;
      quotient |= static_cast<U>(1) << bit;
    }
  }
  remainder = dividend;
  return quotient;
}

/// C semantics: the quotient truncates toward zero and the remainder has
/// the dividend's sign.
template <typename S, typename U> S divideSigned(S a, S b, S *remainder) {
  U magnitudeA = a < 0 ? U(0) - U(a) : U(a);
  U magnitudeB = b < 0 ? U(0) - U(b) : U(b);
  U rest;
  U quotient = divideUnsigned<U>(magnitudeA, magnitudeB, rest);
  if (remainder)
    *remainder = a < 0 ? S(U(0) - rest) : S(rest);
  return (a < 0) != (b < 0) ? S(U(0) - quotient) : S(quotient);
}

} // namespace

extern "C" {

uint32_t __hexagon_udivsi3(uint32_t a, uint32_t b) {
  uint32_t rest;
  return divideUnsigned<uint32_t>(a, b, rest);
}

uint32_t __hexagon_umodsi3(uint32_t a, uint32_t b) {
  uint32_t rest;
  divideUnsigned<uint32_t>(a, b, rest);
  return rest;
}

int32_t __hexagon_divsi3(int32_t a, int32_t b) {
  return divideSigned<int32_t, uint32_t>(a, b, nullptr);
}

int32_t __hexagon_modsi3(int32_t a, int32_t b) {
  int32_t rest;
  divideSigned<int32_t, uint32_t>(a, b, &rest);
  return rest;
}

uint64_t __hexagon_udivdi3(uint64_t a, uint64_t b) {
  uint64_t rest;
  return divideUnsigned<uint64_t>(a, b, rest);
}

uint64_t __hexagon_umoddi3(uint64_t a, uint64_t b) {
  uint64_t rest;
  divideUnsigned<uint64_t>(a, b, rest);
  return rest;
}

int64_t __hexagon_divdi3(int64_t a, int64_t b) {
  return divideSigned<int64_t, uint64_t>(a, b, nullptr);
}

int64_t __hexagon_moddi3(int64_t a, int64_t b) {
  int64_t rest;
  divideSigned<int64_t, uint64_t>(a, b, &rest);
  return rest;
}

} // extern "C"
