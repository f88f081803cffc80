//===- Math.cpp - The float math library of the Hexagon runner ------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// exp, log and tanh follow Cephes' single-precision algorithms (range
// reduction by ln 2, minimax polynomials in float): cheap on Hexagon's scalar
// float unit and within 2 ulp. sin, cos and pow reduce and evaluate in double
// (musl's kernels for sin/cos; a log/exp pair with 2^-40 relative error for
// pow), so their float results are within 1 ulp: RoPE angles reach 1e5 and
// RoPE frequencies take a pow whose argument y*ln(x) reaches 14, both of
// which float evaluation would turn into tens of ulp. On Hexagon the double
// multiplies and divides run in SoftFloat.cpp.
//
// Rounding functions work on the bits and are exact.
//
//===----------------------------------------------------------------------===//

#include "runtime/hexagon/Math.h"

#include "runtime/hexagon/SoftFloat.h"

#include <stdint.h>

namespace facet::hexagon::math {

using softfloat::bitsOf;
using softfloat::doubleOf;
using softfloat::floatOf;

namespace {

constexpr uint32_t kSign = 0x80000000u;

bool isNaN(float x) { return (bitsOf(x) & ~kSign) > 0x7f800000u; }
bool isInf(float x) { return (bitsOf(x) & ~kSign) == 0x7f800000u; }
float withSignOf(float magnitude, float sign) {
  return floatOf((bitsOf(magnitude) & ~kSign) | (bitsOf(sign) & kSign));
}

/// x * 2^k for k in [-300, 300], with at most one rounding (at the end).
float scale(float x, int k) {
  if (k > 127) {
    x *= floatOf(0x7f000000u); // 2^127
    k -= 127;
    if (k > 127)
      k = 127;
  }
  if (k < -126) {
    x *= floatOf(0x0c800000u); // 2^-102: keeps x normal for one more step
    k += 102;
    if (k < -126) {
      x *= floatOf(0x0c800000u);
      k += 102;
      if (k < -126)
        k = -126;
    }
  }
  return x * floatOf(static_cast<uint32_t>(k + 127) << 23);
}

/// Round to nearest even integer of a double with |d| < 2^51.
double nearestInteger(double d) {
  const double kShifter = 6755399441055744.0; // 1.5 * 2^52
  return (d + kShifter) - kShifter;
}

double truncDouble(double d) {
  uint64_t bits = bitsOf(d);
  int exponent = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  if (exponent >= 52)
    return d;
  if (exponent < 0)
    return doubleOf(bits & (uint64_t(1) << 63));
  return doubleOf(bits & ~((uint64_t(1) << (52 - exponent)) - 1));
}

// musl's __sindf and __cosdf: |error| < 2^-37 for |x| <= pi/4.
double sinKernel(double x) {
  const double S1 = -0x15555554cbac77.0p-55, S2 = 0x111110896efbb2.0p-59,
               S3 = -0x1a00f9e2cae774.0p-65, S4 = 0x16cd878c3b46a7.0p-71;
  double z = x * x, w = z * z, r = S3 + z * S4, s = z * x;
  return (x + s * (S1 + z * S2)) + s * w * r;
}

double cosKernel(double x) {
  const double C0 = -0x1ffffffd0c5e81.0p-54, C1 = 0x155553e1053a42.0p-57,
               C2 = -0x16c087e80f1e27.0p-62, C3 = 0x199342e0ee5069.0p-68;
  double z = x * x, w = z * z, r = C2 + z * C3;
  return ((1.0 + z * C0) + w * C1) + (w * z) * r;
}

/// Reduces x to y in [-pi/4, pi/4] with x = y + quadrant * pi/2, in double
/// (musl's __rem_pio2f): exact enough for |x| < 2^28 * pi/2. Larger x (far
/// beyond any RoPE angle) lose accuracy but stay finite.
double reduceQuarterPi(float x, int &quadrant) {
  const double kInvPio2 = 6.36619772367581382433e-01;
  const double kPio2Hi = 1.57079631090164184570e+00; // first 25 bits
  const double kPio2Lo = 1.58932547735281966916e-08; // pi/2 - kPio2Hi
  double xd = x;
  double n = xd * kInvPio2;
  n = (n < 2251799813685248.0 && n > -2251799813685248.0) ? nearestInteger(n)
                                                          : truncDouble(n);
  quadrant = static_cast<int>(n - 4.0 * truncDouble(n * 0.25)) & 3;
  return xd - n * kPio2Hi - n * kPio2Lo;
}

float clampUnit(double value) {
  return value > 1.0 ? 1.0f
                     : (value < -1.0 ? -1.0f : static_cast<float>(value));
}

/// ln(|x|) for finite nonzero x, relative error below 2^-45.
double logDouble(float x) {
  uint32_t bits = bitsOf(x) & ~kSign;
  int exponent = 0;
  if (bits < 0x00800000u) { // subnormal: scale by 2^25 first
    bits = bitsOf(floatOf(bits) * floatOf(0x4c000000u));
    exponent = -25;
  }
  exponent += static_cast<int>(bits >> 23) - 127;
  double m = floatOf((bits & 0x007fffffu) | 0x3f800000u); // [1, 2)
  if (m > 1.41421356237309504880) {
    m *= 0.5;
    exponent += 1;
  }
  // ln m = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.1716: series to s^15.
  double s = (m - 1.0) / (m + 1.0);
  double z = s * s;
  double series =
      1.0 +
      z * (1.0 / 3 +
           z * (1.0 / 5 +
                z * (1.0 / 7 +
                     z * (1.0 / 9 +
                          z * (1.0 / 11 + z * (1.0 / 13 + z * (1.0 / 15)))))));
  return exponent * 6.93147180559945286227e-01 + 2.0 * s * series;
}

/// e^t for |t| <= 200 in double, relative error below 2^-45.
double expDouble(double t) {
  const double kInvLn2 = 1.44269504088896338700e+00;
  const double kLn2Hi = 6.93147180369123816490e-01; // 32 bits: k*kLn2Hi exact
  const double kLn2Lo = 1.90821492927058770002e-10;
  double k = nearestInteger(t * kInvLn2);
  double r = (t - k * kLn2Hi) - k * kLn2Lo; // |r| <= 0.347
  double p = 1.0 / 3628800;                 // Taylor series to r^10
  const double kInverseFactorials[] = {
      1.0 / 362880, 1.0 / 40320, 1.0 / 5040, 1.0 / 720, 1.0 / 120,
      1.0 / 24,     1.0 / 6,     0.5,        1.0,       1.0};
  for (double c : kInverseFactorials)
    p = p * r + c;
  int64_t exponent = static_cast<int64_t>(k) + 1023;
  return p * doubleOf(static_cast<uint64_t>(exponent) << 52);
}

bool isInteger(float y) { return trunc(y) == y; }
bool isOddInteger(float y) {
  return isInteger(y) && fabs(y) < 16777216.0f &&
         (static_cast<int32_t>(y) & 1) != 0;
}

} // namespace

float fabs(float x) { return floatOf(bitsOf(x) & ~kSign); }

float trunc(float x) {
  uint32_t bits = bitsOf(x);
  int exponent = static_cast<int>((bits >> 23) & 0xff) - 127;
  if (exponent >= 23)
    return x; // already an integer, inf or NaN
  if (exponent < 0)
    return floatOf(bits & kSign);
  return floatOf(bits & ~(0x007fffffu >> exponent));
}

float floor(float x) {
  float t = trunc(x);
  return x < 0.0f && t != x ? t - 1.0f : t;
}

float ceil(float x) {
  float t = trunc(x);
  return x > 0.0f && t != x ? t + 1.0f : t;
}

float round(float x) {
  float t = trunc(x);
  if (fabs(x - t) >= 0.5f)
    t += x < 0.0f ? -1.0f : 1.0f;
  return t;
}

float nearbyint(float x) {
  float magnitude = fabs(x);
  if (!(magnitude < 8388608.0f))
    return x; // >= 2^23 is an integer already; inf and NaN pass through
  // Adding 2^23 leaves no fraction bits: the FPU rounds to nearest even.
  return withSignOf((magnitude + 8388608.0f) - 8388608.0f, x);
}

float fmax(float a, float b) {
  if (isNaN(a))
    return b;
  if (isNaN(b))
    return a;
  if (a == b) // +0 is the larger zero
    return (bitsOf(a) & kSign) ? b : a;
  return a > b ? a : b;
}

float fmin(float a, float b) {
  if (isNaN(a))
    return b;
  if (isNaN(b))
    return a;
  if (a == b)
    return (bitsOf(a) & kSign) ? a : b;
  return a < b ? a : b;
}

float sqrt(float x) { return softfloat::squareRoot(x); }

float exp(float x) {
  if (isNaN(x))
    return x + x;
  if (x > 88.72283935546875f)
    return floatOf(0x7f800000u);
  if (x < -103.97208404541015625f)
    return 0.0f;
  float k = nearbyint(x * 1.44269504088896341f);
  // Cody-Waite: 0.693359375 has 9 bits, so k * it is exact.
  float r = (x - k * 0.693359375f) + k * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  float y = (p * r * r + r) + 1.0f;
  return scale(y, static_cast<int>(k));
}

float log(float x) {
  uint32_t bits = bitsOf(x);
  if (isNaN(x))
    return x + x;
  if ((bits & ~kSign) == 0)
    return floatOf(0xff800000u); // -inf
  if (bits & kSign)
    return floatOf(0x7fc00000u);
  if (isInf(x))
    return x;
  int exponent = 0;
  if (bits < 0x00800000u) {
    bits = bitsOf(x * floatOf(0x4c000000u)); // 2^25
    exponent = -25;
  }
  exponent += static_cast<int>(bits >> 23) - 126;
  float m = floatOf((bits & 0x007fffffu) | 0x3f000000u); // [0.5, 1)
  float f;
  if (m < 0.707106781186547524f) {
    exponent -= 1;
    f = (m + m) - 1.0f;
  } else {
    f = m - 1.0f;
  }
  float z = f * f;
  float y = 7.0376836292e-2f;
  y = y * f - 1.1514610310e-1f;
  y = y * f + 1.1676998740e-1f;
  y = y * f - 1.2420140846e-1f;
  y = y * f + 1.4249322787e-1f;
  y = y * f - 1.6668057665e-1f;
  y = y * f + 2.0000714765e-1f;
  y = y * f - 2.4999993993e-1f;
  y = y * f + 3.3333331174e-1f;
  y = y * f * z;
  float e = static_cast<float>(exponent);
  y += e * -2.12194440e-4f;
  y += -0.5f * z;
  return (f + y) + e * 0.693359375f;
}

float tanh(float x) {
  if (isNaN(x))
    return x + x;
  float magnitude = fabs(x);
  if (magnitude > 9.1f) // tanh rounds to +-1 in float
    return withSignOf(1.0f, x);
  if (magnitude >= 0.625f) {
    float e = exp(magnitude + magnitude);
    return withSignOf(1.0f - 2.0f / (e + 1.0f), x);
  }
  if (magnitude < 2.44140625e-4f) // 2^-12: tanh x rounds to x (keeps -0)
    return x;
  float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  return x + x * z * p;
}

float sin(float x) {
  if (isNaN(x) || isInf(x))
    return x - x;
  if (fabs(x) < 2.44140625e-4f) // 2^-12: sin x rounds to x
    return x;
  int quadrant;
  double y = reduceQuarterPi(x, quadrant);
  switch (quadrant) {
  case 0:
    return clampUnit(sinKernel(y));
  case 1:
    return clampUnit(cosKernel(y));
  case 2:
    return clampUnit(-sinKernel(y));
  default:
    return clampUnit(-cosKernel(y));
  }
}

float cos(float x) {
  if (isNaN(x) || isInf(x))
    return x - x;
  if (fabs(x) < 2.44140625e-4f) // 2^-12: cos x rounds to 1
    return 1.0f;
  int quadrant;
  double y = reduceQuarterPi(x, quadrant);
  switch (quadrant) {
  case 0:
    return clampUnit(cosKernel(y));
  case 1:
    return clampUnit(-sinKernel(y));
  case 2:
    return clampUnit(-cosKernel(y));
  default:
    return clampUnit(sinKernel(y));
  }
}

float pow(float x, float y) {
  // C99 Annex F special cases, in the order the standard lists them.
  if (y == 0.0f || x == 1.0f)
    return 1.0f;
  if (isNaN(x) || isNaN(y))
    return x + y;
  const float kInf = floatOf(0x7f800000u);
  if (x == 0.0f) {
    bool odd = isOddInteger(y);
    if (y < 0.0f)
      return odd ? withSignOf(kInf, x) : kInf;
    return odd ? x : 0.0f;
  }
  if (isInf(y)) {
    float magnitude = fabs(x);
    if (magnitude == 1.0f)
      return 1.0f;
    return (magnitude < 1.0f) == (y < 0.0f) ? kInf : 0.0f;
  }
  if (isInf(x)) {
    bool odd = isOddInteger(y);
    float result = y < 0.0f ? 0.0f : kInf;
    return x < 0.0f && odd ? -result : result;
  }
  bool negate = false;
  if (x < 0.0f) {
    if (!isInteger(y))
      return floatOf(0x7fc00000u);
    negate = isOddInteger(y);
  }
  double t = y * logDouble(x);
  // Beyond +-200 the float result has over- or underflowed anyway.
  if (t > 200.0)
    t = 200.0;
  if (t < -200.0)
    t = -200.0;
  float result = static_cast<float>(expDouble(t));
  return negate ? -result : result;
}

} // namespace facet::hexagon::math
