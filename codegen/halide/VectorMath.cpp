//===- VectorMath.cpp - exp and tanh that vectorize -----------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The classic f32 constructions (as in the Cephes library's expf and
// tanhf): exp reduces x = n ln2 + r with ln2 split in two so n ln2 is
// exact, evaluates a degree-7 polynomial for e^r on |r| <= ln2 / 2 and
// scales by 2^n through the exponent bits; tanh uses a minimax odd
// polynomial near 0 and the exp form elsewhere.
//
//===----------------------------------------------------------------------===//

#include "codegen/halide/VectorMath.h"

using namespace Halide;

namespace facet::codegen {

Expr vectorExp(const Expr &input) {
  Expr x = cast<float>(input);
  const float lowest = -87.33654f; // ln(2^-126): the smallest normal result
  Expr clamped = clamp(x, lowest, 88.0f);
  Expr n = floor(clamped * 1.44269504088896341f + 0.5f);
  // ln 2 = 0.693359375 - 2.12194440e-4: the first part has 9 significant
  // bits, so n * it is exact for |n| <= 2^15.
  Expr r = clamped - n * 0.693359375f;
  r = r + n * 2.12194440e-4f;
  Expr r2 = r * r;
  Expr p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  Expr er = p * r2 + r + 1.0f;
  // 2^n for n in [-126, 127]: the biased exponent in place.
  Expr twoToN = reinterpret(Float(32), (cast<int32_t>(n) + 127) << 23);
  return select(x < lowest, 0.0f, er * twoToN);
}

Expr vectorTanh(const Expr &input) {
  Expr x = cast<float>(input);
  Expr a = abs(x);
  // |x| < 0.625: x + x^3 P(x^2).
  Expr z = x * x;
  Expr p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  Expr small = p * z * x + x;
  // Elsewhere: (1 - e) / (1 + e), e = e^(-2|x|) in (0, 0.29].
  Expr e = vectorExp(-2.0f * a);
  Expr large = (1.0f - e) / (1.0f + e);
  large = select(x < 0.0f, -large, large);
  return select(a < 0.625f, small, large);
}

} // namespace facet::codegen
