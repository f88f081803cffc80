//===- LibmExports.cpp - C names of the runner's math library -------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Halide kernels call libm by its C names (tanhf, sinf, nearbyintf, ...);
// these give Math.h's implementations those names. Kept apart from Math.cpp
// so that the host test of Math.cpp does not clash with the host's libm.
//
//===----------------------------------------------------------------------===//

#include "runtime/hexagon/Math.h"

using namespace facet::hexagon;

extern "C" {

float expf(float x) { return math::exp(x); }
float logf(float x) { return math::log(x); }
float sqrtf(float x) { return math::sqrt(x); }
float tanhf(float x) { return math::tanh(x); }
float sinf(float x) { return math::sin(x); }
float cosf(float x) { return math::cos(x); }
float powf(float x, float y) { return math::pow(x, y); }
float floorf(float x) { return math::floor(x); }
float ceilf(float x) { return math::ceil(x); }
float truncf(float x) { return math::trunc(x); }
float roundf(float x) { return math::round(x); }
float nearbyintf(float x) { return math::nearbyint(x); }
float rintf(float x) { return math::nearbyint(x); }
float fabsf(float x) { return math::fabs(x); }
float fmaxf(float a, float b) { return math::fmax(a, b); }
float fminf(float a, float b) { return math::fmin(a, b); }

} // extern "C"
