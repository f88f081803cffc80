//===- MathSample.h - Math results shared by host and Hexagon ---*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// A fixed set of inputs for each math function and each soft-float helper,
// evaluated once on Hexagon (hexagon-math-sample, under qemu) and once on
// the host (hexagon-math-test) from the same source: the results must agree
// bit for bit, which checks the Hexagon build of runtime/hexagon/Math.cpp
// and, through plain `/`, sqrt and double arithmetic compiled for Hexagon,
// the compiler helpers against the host's hardware. Freestanding: only
// <stdint.h>.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_TEST_HEXAGON_MATHSAMPLE_H
#define FACET_TEST_HEXAGON_MATHSAMPLE_H

#include "runtime/hexagon/Math.h"
#include "runtime/hexagon/SoftFloat.h"

#include <stdint.h>

namespace facet::hexagon::test {

constexpr int kSampleCount = 2048;

enum SampleFunction {
  kExp,
  kLog,
  kTanh,
  kSin,
  kCos,
  kSqrt,
  kPow,
  kFloor,
  kCeil,
  kTrunc,
  kRound,
  kNearbyint,
  kFloatDivide,
  kDoubleAdd,
  kDoubleMultiply,
  kDoubleDivide,
  kSampleFunctions
};

class SampleRandom {
public:
  uint32_t next() {
    state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(state_ >> 32);
  }
  /// Uniform in [low, high].
  float uniform(float low, float high) {
    return low + (high - low) * static_cast<float>(next() >> 8) *
                     (1.0f / 16777216.0f);
  }
  double anyDouble() {
    uint64_t high = next();
    return softfloat::doubleOf((high << 32) | next());
  }

private:
  uint64_t state_ = 0x853c49e6748fea9bull;
};

/// Writes kSampleFunctions * kSampleCount results (float bits widened).
inline void computeSample(uint64_t *results) {
  using softfloat::bitsOf;
  SampleRandom random;
  for (int i = 0; i < kSampleCount; ++i) {
    uint64_t *row = results + i;
    auto put = [&](SampleFunction f, uint64_t value) {
      row[f * kSampleCount] = value;
    };
    put(kExp, bitsOf(math::exp(random.uniform(-104.0f, 89.0f))));
    put(kLog, bitsOf(math::log(random.uniform(0.0f, 1000.0f))));
    put(kTanh, bitsOf(math::tanh(random.uniform(-10.0f, 10.0f))));
    put(kSin, bitsOf(math::sin(random.uniform(-1e5f, 1e5f))));
    put(kCos, bitsOf(math::cos(random.uniform(-100.0f, 100.0f))));
    put(kSqrt, bitsOf(math::sqrt(random.uniform(0.0f, 1e6f))));
    float base = random.uniform(0.0f, 20000.0f);
    put(kPow, bitsOf(math::pow(base, random.uniform(-2.0f, 2.0f))));
    put(kFloor, bitsOf(math::floor(random.uniform(-1e3f, 1e3f))));
    put(kCeil, bitsOf(math::ceil(random.uniform(-1e3f, 1e3f))));
    put(kTrunc, bitsOf(math::trunc(random.uniform(-1e3f, 1e3f))));
    put(kRound, bitsOf(math::round(random.uniform(-1e3f, 1e3f))));
    put(kNearbyint, bitsOf(math::nearbyint(random.uniform(-1e3f, 1e3f))));
    // Plain operators: on Hexagon these are the compiler helpers.
    float a = softfloat::floatOf(random.next());
    float b = softfloat::floatOf(random.next());
    put(kFloatDivide, bitsOf(a / b));
    double x = random.anyDouble(), y = random.anyDouble();
    put(kDoubleAdd, bitsOf(x + y));
    put(kDoubleMultiply, bitsOf(x * y));
    put(kDoubleDivide, bitsOf(x / y));
  }
}

} // namespace facet::hexagon::test

#endif // FACET_TEST_HEXAGON_MATHSAMPLE_H
