//===- SoftFloat.cpp - IEEE arithmetic in integer code --------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Each operation unpacks its operands into an integer significand M and a
// power of two E (value = M * 2^E), handles the special values (NaN, inf,
// zero) first, computes an exact or truncated-plus-sticky integer result with
// more bits than the format holds, and rounds it once in `pack`, which also
// produces subnormals and overflows to infinity.
//
//===----------------------------------------------------------------------===//

#include "runtime/hexagon/SoftFloat.h"

namespace facet::hexagon::softfloat {

namespace {

struct FloatFormat {
  using Bits = uint32_t;
  static constexpr int kSignificandBits = 24; // with the hidden bit
  static constexpr int kExponentBits = 8;
  static constexpr int kMinLsbExponent = -149; // of the smallest subnormal
};

struct DoubleFormat {
  using Bits = uint64_t;
  static constexpr int kSignificandBits = 53;
  static constexpr int kExponentBits = 11;
  static constexpr int kMinLsbExponent = -1074;
};

int bitLength(uint64_t value) { return 64 - __builtin_clzll(value); }

/// Rounds (-1)^negative * (m + sticky fraction) * 2^e to the format, to
/// nearest even. `sticky` says that nonzero bits below m's last bit were
/// dropped (m must then keep at least two bits below the format's last).
template <typename F>
typename F::Bits pack(bool negative, uint64_t m, int e, bool sticky) {
  using Bits = typename F::Bits;
  constexpr int kTotalBits = sizeof(Bits) * 8;
  constexpr Bits kMaxField = (Bits(1) << F::kExponentBits) - 1;
  Bits sign = Bits(negative) << (kTotalBits - 1);
  if (m == 0)
    return sign;
  int shift = bitLength(m) - F::kSignificandBits;
  if (shift < F::kMinLsbExponent - e)
    shift = F::kMinLsbExponent - e; // subnormal: the last bit is fixed
  if (shift > 64)
    return sign; // below half the smallest subnormal
  if (shift > 0) {
    bool guard = (m >> (shift - 1)) & 1;
    uint64_t below = shift == 1 ? 0 : m & ((~uint64_t(0)) >> (65 - shift));
    m = shift == 64 ? 0 : m >> shift;
    if (guard && (sticky || below != 0 || (m & 1)))
      ++m;
  } else {
    m <<= -shift; // exact: any sticky bits stay below half an ulp
  }
  e += shift;
  int field = e - F::kMinLsbExponent; // biased exponent - 1 for normals
  if (field >= static_cast<int>(kMaxField) - 1)
    return sign | (kMaxField << (F::kSignificandBits - 1));
  // The hidden bit of m adds the missing 1 to the exponent field; a
  // rounding carry to 2^kSignificandBits moves to the next binade.
  return sign | ((Bits(field) << (F::kSignificandBits - 1)) + Bits(m));
}

/// A finite nonzero operand as M * 2^E with M normalized to the format's
/// significand width (subnormals shifted up).
template <typename F> struct Unpacked {
  uint64_t m;
  int e;
};

template <typename F> Unpacked<F> unpack(typename F::Bits bits) {
  constexpr int kFractionBits = F::kSignificandBits - 1;
  constexpr typename F::Bits kExponentMask =
      (typename F::Bits(1) << F::kExponentBits) - 1;
  int field = static_cast<int>((bits >> kFractionBits) & kExponentMask);
  uint64_t m = bits & ((uint64_t(1) << kFractionBits) - 1);
  if (field != 0)
    m |= uint64_t(1) << kFractionBits;
  else
    field = 1;
  int e = field - 1 + F::kMinLsbExponent;
  int normalize = F::kSignificandBits - bitLength(m);
  return {m << normalize, e - normalize};
}

constexpr uint32_t kFloatQuiet = 0x00400000u;
constexpr uint32_t kFloatDefaultNaN = 0x7fc00000u;
constexpr uint64_t kDoubleQuiet = uint64_t(1) << 51;
constexpr uint64_t kDoubleDefaultNaN = 0x7ff8000000000000ull;
constexpr uint64_t kDoubleSign = uint64_t(1) << 63;
constexpr uint64_t kDoubleInf = 0x7ff0000000000000ull;

bool isNaN(uint32_t bits) { return (bits & 0x7fffffffu) > 0x7f800000u; }
bool isInf(uint32_t bits) { return (bits & 0x7fffffffu) == 0x7f800000u; }
bool isZero(uint32_t bits) { return (bits & 0x7fffffffu) == 0; }
bool isNaN(uint64_t bits) { return (bits & ~kDoubleSign) > kDoubleInf; }
bool isInf(uint64_t bits) { return (bits & ~kDoubleSign) == kDoubleInf; }
bool isZero(uint64_t bits) { return (bits & ~kDoubleSign) == 0; }

/// `bits` of quotient of a / b (normalized, a >= b), plus whether a
/// remainder was left: restoring division, one bit per step.
uint64_t divideSignificands(uint64_t a, uint64_t b, int bits, bool &inexact) {
  uint64_t quotient = 0;
  for (int i = 0; i < bits; ++i) {
    quotient <<= 1;
    if (a >= b) {
      a -= b;
      quotient |= 1;
    }
    a <<= 1;
  }
  inexact = a != 0;
  return quotient;
}

} // namespace

float divide(float a, float b) {
  uint32_t ua = bitsOf(a), ub = bitsOf(b);
  bool negative = ((ua ^ ub) >> 31) != 0;
  uint32_t sign = negative ? 0x80000000u : 0;
  if (isNaN(ua))
    return floatOf(ua | kFloatQuiet);
  if (isNaN(ub))
    return floatOf(ub | kFloatQuiet);
  if (isInf(ua))
    return floatOf(isInf(ub) ? kFloatDefaultNaN : sign | 0x7f800000u);
  if (isInf(ub))
    return floatOf(sign);
  if (isZero(ub))
    return floatOf(isZero(ua) ? kFloatDefaultNaN : sign | 0x7f800000u);
  if (isZero(ua))
    return floatOf(sign);
  Unpacked<FloatFormat> x = unpack<FloatFormat>(ua);
  Unpacked<FloatFormat> y = unpack<FloatFormat>(ub);
  if (x.m < y.m) {
    x.m <<= 1;
    x.e -= 1;
  }
  // 26 quotient bits: 24 for the significand, a guard bit and one more.
  bool inexact;
  uint64_t q = divideSignificands(x.m, y.m, 26, inexact);
  return floatOf(pack<FloatFormat>(negative, q, x.e - y.e - 25, inexact));
}

float squareRoot(float value) {
  uint32_t bits = bitsOf(value);
  if (isNaN(bits))
    return floatOf(bits | kFloatQuiet);
  if (isZero(bits))
    return value; // sqrt(-0) = -0
  if (bits >> 31)
    return floatOf(kFloatDefaultNaN);
  if (isInf(bits))
    return value;
  Unpacked<FloatFormat> x = unpack<FloatFormat>(bits);
  if (x.e & 1) { // make the exponent even so that it halves exactly
    x.m <<= 1;
    x.e -= 1;
  }
  // n in [2^49, 2^51): its square root has 25 or 26 bits.
  uint64_t n = x.m << 26;
  uint64_t root = 0;
  uint64_t bit = uint64_t(1) << 50;
  while (bit > n)
    bit >>= 2;
  for (; bit != 0; bit >>= 2) {
    if (n >= root + bit) {
      n -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
  }
  // A square root is never exactly halfway between two floats, so the
  // remainder only needs to count as sticky.
  return floatOf(pack<FloatFormat>(false, root, (x.e - 26) >> 1, n != 0));
}

double add(double a, double b) {
  uint64_t ua = bitsOf(a), ub = bitsOf(b);
  if (isNaN(ua))
    return doubleOf(ua | kDoubleQuiet);
  if (isNaN(ub))
    return doubleOf(ub | kDoubleQuiet);
  if (isInf(ua))
    return isInf(ub) && ua != ub ? doubleOf(kDoubleDefaultNaN) : a;
  if (isInf(ub))
    return b;
  if (isZero(ua))
    return isZero(ub) ? doubleOf(ua & ub) : b; // -0 only for -0 + -0
  if (isZero(ub))
    return a;
  // Order by magnitude so that the difference below is nonnegative.
  if ((ua & ~kDoubleSign) < (ub & ~kDoubleSign)) {
    uint64_t t = ua;
    ua = ub;
    ub = t;
  }
  bool negative = (ua >> 63) != 0;
  bool subtract = ((ua ^ ub) >> 63) != 0;
  Unpacked<DoubleFormat> x = unpack<DoubleFormat>(ua);
  Unpacked<DoubleFormat> y = unpack<DoubleFormat>(ub);
  // Nine guard bits; bits shifted out of y are jammed into its last bit,
  // which keeps the rounding of sum and difference exact.
  uint64_t mx = x.m << 9, my = y.m << 9;
  int distance = x.e - y.e;
  if (distance >= 63)
    my = 1;
  else if (distance > 0)
    my = (my >> distance) |
         ((my & ((uint64_t(1) << distance) - 1)) != 0 ? 1 : 0);
  uint64_t m = subtract ? mx - my : mx + my;
  if (m == 0)
    return 0.0; // x - x is +0 when rounding to nearest
  return doubleOf(pack<DoubleFormat>(negative, m, x.e - 9, false));
}

double multiply(double a, double b) {
  uint64_t ua = bitsOf(a), ub = bitsOf(b);
  bool negative = ((ua ^ ub) >> 63) != 0;
  uint64_t sign = negative ? kDoubleSign : 0;
  if (isNaN(ua))
    return doubleOf(ua | kDoubleQuiet);
  if (isNaN(ub))
    return doubleOf(ub | kDoubleQuiet);
  if (isInf(ua) || isInf(ub))
    return doubleOf(isZero(ua) || isZero(ub) ? kDoubleDefaultNaN
                                             : sign | kDoubleInf);
  if (isZero(ua) || isZero(ub))
    return doubleOf(sign);
  Unpacked<DoubleFormat> x = unpack<DoubleFormat>(ua);
  Unpacked<DoubleFormat> y = unpack<DoubleFormat>(ub);
  // The 106-bit product from four 32x32->64 multiplies.
  uint64_t xl = x.m & 0xffffffffu, xh = x.m >> 32;
  uint64_t yl = y.m & 0xffffffffu, yh = y.m >> 32;
  uint64_t low = xl * yl, mid1 = xh * yl, mid2 = xl * yh, high = xh * yh;
  uint64_t middle = (low >> 32) + (mid1 & 0xffffffffu) + (mid2 & 0xffffffffu);
  uint64_t productHigh = high + (mid1 >> 32) + (mid2 >> 32) + (middle >> 32);
  uint64_t productLow = (middle << 32) | (low & 0xffffffffu);
  // The product is in [2^104, 2^106): keep its top 64 bits.
  uint64_t m = (productHigh << 22) | (productLow >> 42);
  bool sticky = (productLow & ((uint64_t(1) << 42) - 1)) != 0;
  return doubleOf(pack<DoubleFormat>(negative, m, x.e + y.e + 42, sticky));
}

double divide(double a, double b) {
  uint64_t ua = bitsOf(a), ub = bitsOf(b);
  bool negative = ((ua ^ ub) >> 63) != 0;
  uint64_t sign = negative ? kDoubleSign : 0;
  if (isNaN(ua))
    return doubleOf(ua | kDoubleQuiet);
  if (isNaN(ub))
    return doubleOf(ub | kDoubleQuiet);
  if (isInf(ua))
    return doubleOf(isInf(ub) ? kDoubleDefaultNaN : sign | kDoubleInf);
  if (isInf(ub))
    return doubleOf(sign);
  if (isZero(ub))
    return doubleOf(isZero(ua) ? kDoubleDefaultNaN : sign | kDoubleInf);
  if (isZero(ua))
    return doubleOf(sign);
  Unpacked<DoubleFormat> x = unpack<DoubleFormat>(ua);
  Unpacked<DoubleFormat> y = unpack<DoubleFormat>(ub);
  if (x.m < y.m) {
    x.m <<= 1;
    x.e -= 1;
  }
  bool inexact;
  uint64_t q = divideSignificands(x.m, y.m, 62, inexact);
  return doubleOf(pack<DoubleFormat>(negative, q, x.e - y.e - 61, inexact));
}

} // namespace facet::hexagon::softfloat
