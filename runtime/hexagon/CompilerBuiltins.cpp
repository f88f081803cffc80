//===- CompilerBuiltins.cpp - Hexagon float helpers clang calls -----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The floating-point compiler-rt helpers of Hexagon, which Debian does not
// ship: float divide and square root (no instruction for either), and the
// double add/subtract/multiply/divide that Halide's runtime (built for
// v62, below the double instructions of v66/v67) and our own code call.
// They forward to the correctly rounded integer implementations in
// SoftFloat.cpp. Integer division is in IntDivision.cpp.
//
//===----------------------------------------------------------------------===//

#include "runtime/hexagon/SoftFloat.h"

using namespace facet::hexagon;

extern "C" {

float __hexagon_divsf3(float a, float b) { return softfloat::divide(a, b); }

float __hexagon_sqrtf(float x) { return softfloat::squareRoot(x); }

double __hexagon_adddf3(double a, double b) { return softfloat::add(a, b); }

double __hexagon_subdf3(double a, double b) {
  return softfloat::add(
      a, softfloat::doubleOf(softfloat::bitsOf(b) ^ (uint64_t(1) << 63)));
}

double __hexagon_muldf3(double a, double b) {
  return softfloat::multiply(a, b);
}

double __hexagon_divdf3(double a, double b) { return softfloat::divide(a, b); }

} // extern "C"
