//===- VectorMath.h - exp and tanh that vectorize --------------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Halide 14 lowers exp and tanh of a vector to one libm call per lane (its
// header says they "do not vectorize well"), and its fast_exp gives up the
// last 5 bits of the mantissa. Decode calls tanh for every MLP activation
// (GELU) and every logit (softcap), about half a million calls a token for
// E2B, and exp for every attention score. These are written with vector
// arithmetic only (range reduction, polynomials, one division) and are
// accurate to a few ulp of f32 (VectorMathTest states and checks the
// bound).
//
//===----------------------------------------------------------------------===//

#ifndef FACET_CODEGEN_HALIDE_VECTORMATH_H
#define FACET_CODEGEN_HALIDE_VECTORMATH_H

#include <Halide.h>

namespace facet::codegen {

/// e^x in f32. Exact 0 below -87.33 (where e^x leaves the normal range;
/// -inf included), and x is clamped to 88 above (no caller exponentiates a
/// positive score: softmax subtracts the maximum first).
Halide::Expr vectorExp(const Halide::Expr &x);

/// tanh(x) in f32: an odd polynomial below |x| = 0.625, (1 - e) / (1 + e)
/// with e = exp(-2|x|) above, so neither cancels nor overflows.
Halide::Expr vectorTanh(const Halide::Expr &x);

} // namespace facet::codegen

#endif // FACET_CODEGEN_HALIDE_VECTORMATH_H
