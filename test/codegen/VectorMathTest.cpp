//===- VectorMathTest.cpp - vectorExp and vectorTanh against libm ---------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Both functions, JIT-compiled 16 lanes wide, over a dense sweep of
// arguments against the double-precision libm value rounded to f32.
// Bound: 2 ulp of the f32 result (measured: see the test output), and the
// edge cases exactly: exp(0) = 1, exp(-inf) = 0, tanh(0) = 0, tanh(+-20) =
// +-1, odd symmetry.
//
//===----------------------------------------------------------------------===//

#include "codegen/halide/VectorMath.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <vector>

namespace facet::codegen {
namespace {

/// Distance in units in the last place between two finite f32 of the same
/// sign (or between a value and 0, counted from the smallest normal).
int64_t ulpDistance(float a, float b) {
  auto ordered = [](float v) {
    int32_t bits;
    std::memcpy(&bits, &v, 4);
    return bits < 0 ? int64_t(INT32_MIN) - bits : int64_t(bits);
  };
  return std::llabs(ordered(a) - ordered(b));
}

std::vector<float> evaluate(const std::function<Halide::Expr(Halide::Expr)> &f,
                            const std::vector<float> &inputs) {
  // Whole vectors only: padded with zeros to a multiple of 16 lanes.
  int padded = int((inputs.size() + 15) / 16 * 16);
  Halide::Buffer<float> in(padded);
  in.fill(0.0f);
  for (size_t i = 0; i < inputs.size(); ++i)
    in(int(i)) = inputs[i];
  Halide::Var i("i");
  Halide::Func out("out");
  out(i) = f(in(i));
  out.vectorize(i, 16);
  Halide::Buffer<float> result = out.realize({padded});
  return std::vector<float>(result.data(), result.data() + inputs.size());
}

std::vector<float> sweep(float from, float to, int count) {
  std::vector<float> values;
  for (int i = 0; i < count; ++i)
    values.push_back(from + (to - from) * float(i) / float(count - 1));
  return values;
}

TEST(VectorMath, ExpWithinTwoUlpOverTheNormalRange) {
  std::vector<float> inputs = sweep(-87.0f, 88.0f, 1 << 20);
  for (float tiny : {0.0f, -0.0f, 1e-30f, -1e-30f, 1e-7f, -1e-7f})
    inputs.push_back(tiny);
  std::vector<float> got = evaluate(vectorExp, inputs);
  int64_t worst = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    float want = float(std::exp(double(inputs[i])));
    int64_t ulps = ulpDistance(got[i], want);
    ASSERT_LE(ulps, 2) << "exp(" << inputs[i] << "): got " << got[i]
                       << ", want " << want;
    worst = std::max(worst, ulps);
  }
  std::printf("vectorExp: worst %lld ulp over %zu arguments\n",
              static_cast<long long>(worst), inputs.size());
}

TEST(VectorMath, ExpEdgesAreExact) {
  float inf = std::numeric_limits<float>::infinity();
  std::vector<float> got =
      evaluate(vectorExp, {0.0f, -inf, -100.0f, -87.5f, 1.0f});
  EXPECT_EQ(got[0], 1.0f);
  EXPECT_EQ(got[1], 0.0f);
  EXPECT_EQ(got[2], 0.0f);
  EXPECT_EQ(got[3], 0.0f);
  EXPECT_LE(ulpDistance(got[4], float(std::exp(1.0))), 1);
}

TEST(VectorMath, TanhWithinTwoUlpAndOdd) {
  std::vector<float> inputs = sweep(-12.0f, 12.0f, 1 << 20);
  // Densely around the switch between the two forms, and near 0.
  for (float v : sweep(0.6f, 0.65f, 4096)) {
    inputs.push_back(v);
    inputs.push_back(-v);
  }
  for (float v : {1e-30f, 1e-10f, 1e-5f, 3e-3f, 20.0f, 100.0f}) {
    inputs.push_back(v);
    inputs.push_back(-v);
  }
  std::vector<float> got = evaluate(vectorTanh, inputs);
  int64_t worst = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    float want = float(std::tanh(double(inputs[i])));
    int64_t ulps = ulpDistance(got[i], want);
    ASSERT_LE(ulps, 2) << "tanh(" << inputs[i] << "): got " << got[i]
                       << ", want " << want;
    worst = std::max(worst, ulps);
  }
  std::printf("vectorTanh: worst %lld ulp over %zu arguments\n",
              static_cast<long long>(worst), inputs.size());
  std::vector<float> edges = evaluate(vectorTanh, {0.0f, 20.0f, -20.0f});
  EXPECT_EQ(edges[0], 0.0f);
  EXPECT_EQ(edges[1], 1.0f);
  EXPECT_EQ(edges[2], -1.0f);
}

} // namespace
} // namespace facet::codegen
