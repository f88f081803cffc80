//===- Math.h - The float math library of the Hexagon runner ----*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The libm subset that Halide kernels and the runner call (exported under the
// C names expf, logf, ... by LibmExports.cpp). Plain C++ without libc, so the
// same source builds on the host, where test/hexagon compares it with glibc
// over the range LLM kernels use. Special values (0, inf, NaN) are exact.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_HEXAGON_MATH_H
#define FACET_RUNTIME_HEXAGON_MATH_H

namespace facet::hexagon::math {

float exp(float x);
float log(float x);
float sqrt(float x);
float tanh(float x);
float sin(float x);
float cos(float x);
float pow(float x, float y);
float floor(float x);
float ceil(float x);
float trunc(float x);
float round(float x);     // halfway cases away from zero
float nearbyint(float x); // halfway cases to even
float fabs(float x);
float fmax(float a, float b); // the number when one operand is NaN
float fmin(float a, float b);

} // namespace facet::hexagon::math

#endif // FACET_RUNTIME_HEXAGON_MATH_H
