//===- MathTest.cpp - Accuracy of the Hexagon math library, on the host ---===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
//   hexagon-math-test                  accuracy against glibc, soft float
//                                      against the hardware
//   hexagon-math-test --compare FILE   FILE from hexagon-math-sample must
//                                      equal the host's results bit for bit
//
// runtime/hexagon/Math.cpp and SoftFloat.cpp are plain C++, built here for
// the host. Each function is compared with glibc over the range LLM kernels
// use, in ulp (distance in representable floats), against a stated bound;
// special values must match glibc exactly. The soft-float operations must be
// bit-identical to the host FPU (round to nearest even) on random bits,
// which include NaN, infinities, zeros and subnormals.
//
//===----------------------------------------------------------------------===//

#include "MathSample.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

namespace math = facet::hexagon::math;
namespace softfloat = facet::hexagon::softfloat;

namespace {

int64_t ordered(float value) {
  int32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits < 0 ? int64_t(INT32_MIN) - bits : bits;
}

/// ulp distance; NaN equals only NaN.
double ulpDistance(float a, float b) {
  if (std::isnan(a) || std::isnan(b))
    return std::isnan(a) && std::isnan(b) ? 0 : 1e30;
  return std::fabs(double(ordered(a) - ordered(b)));
}

int failures = 0;

template <typename Ours, typename Reference>
void compareRange(const char *name, Ours ours, Reference reference, float low,
                  float high, double bound) {
  constexpr int kSteps = 1000000;
  double worst = 0;
  float worstInput = low;
  for (int i = 0; i <= kSteps; ++i) {
    float x = float(low + (double(high) - low) * i / kSteps);
    double distance = ulpDistance(ours(x), reference(x));
    if (distance > worst) {
      worst = distance;
      worstInput = x;
    }
  }
  bool ok = worst <= bound;
  std::printf("%-10s [%g, %g]: max %g ulp (bound %g) at %a%s\n", name, low,
              high, worst, bound, worstInput, ok ? "" : "  FAILED");
  failures += !ok;
}

// Values where every function must match glibc exactly, sign included.
const float kSpecials[] = {0.0f,   -0.0f,    1e-40f,    -1e-40f,
                           1e-30f, INFINITY, -INFINITY, NAN};

// Operands of pow's special cases (C99 F.9.4.4) and ordinary neighbours.
const float kPowOperands[] = {
    0.0f,  -0.0f,  1.0f,  -1.0f,       0.5f,     -0.5f,     2.0f,
    -2.0f, 3.0f,   -3.0f, 2.5f,        -2.5f,    1e-40f,    -1e-40f,
    1e30f, -1e30f, 1e10f, 16777217.0f, INFINITY, -INFINITY, NAN};

template <typename Ours, typename Reference>
void compareSpecials(const char *name, Ours ours, Reference reference) {
  for (float x : kSpecials) {
    if (ulpDistance(ours(x), reference(x)) != 0 ||
        std::signbit(ours(x)) != std::signbit(reference(x))) {
      if (!(std::isnan(ours(x)) && std::isnan(reference(x)))) {
        std::printf("%s(%a) = %a, glibc %a  FAILED\n", name, x, ours(x),
                    reference(x));
        ++failures;
      }
    }
  }
}

void comparePowSpecials() {
  for (float x : kPowOperands)
    for (float y : kPowOperands) {
      float ours = math::pow(x, y), reference = std::pow(x, y);
      if (ulpDistance(ours, reference) > 1 ||
          (!std::isnan(reference) &&
           std::signbit(ours) != std::signbit(reference))) {
        std::printf("pow(%a, %a) = %a, glibc %a  FAILED\n", x, y, ours,
                    reference);
        ++failures;
      }
    }
}

void compareSoftFloat() {
  facet::hexagon::test::SampleRandom random;
  long mismatches = 0;
  auto same = [](auto a, auto b) {
    return softfloat::bitsOf(a) == softfloat::bitsOf(b) ||
           (std::isnan(a) && std::isnan(b));
  };
  for (int i = 0; i < 2000000; ++i) {
    float a = softfloat::floatOf(random.next());
    float b = softfloat::floatOf(random.next());
    if (i & 1) // also operands near 1, where most quotients land
      b = softfloat::floatOf((random.next() & 0x807fffffu) | 0x3f800000u);
    mismatches += !same(softfloat::divide(a, b), a / b);
    mismatches += !same(softfloat::squareRoot(a), std::sqrt(a));
    double x = random.anyDouble(), y = random.anyDouble();
    if (i & 2)
      y = double(b);
    mismatches += !same(softfloat::add(x, y), x + y);
    mismatches += !same(softfloat::multiply(x, y), x * y);
    mismatches += !same(softfloat::divide(x, y), x / y);
  }
  std::printf("soft float: %ld mismatches with the FPU in 10000000 "
              "operations%s\n",
              mismatches, mismatches ? "  FAILED" : "");
  failures += mismatches != 0;
}

int compareWithHexagon(const char *path) {
  using namespace facet::hexagon::test;
  std::vector<uint64_t> expected(size_t(kSampleFunctions) * kSampleCount);
  std::vector<uint64_t> actual(expected.size());
  computeSample(expected.data());
  FILE *file = std::fopen(path, "rb");
  if (!file || std::fread(actual.data(), sizeof(uint64_t), actual.size(),
                          file) != actual.size()) {
    std::printf("cannot read %zu results from %s\n", actual.size(), path);
    return 1;
  }
  std::fclose(file);
  static const char *const kNames[] = {
      "exp",     "log",      "tanh",     "sin",     "cos",   "sqrt",
      "pow",     "floor",    "ceil",     "trunc",   "round", "nearbyint",
      "float /", "double +", "double *", "double /"};
  int differing = 0;
  for (int f = 0; f < kSampleFunctions; ++f) {
    int count = 0;
    for (int i = 0; i < kSampleCount; ++i) {
      uint64_t want = expected[size_t(f) * kSampleCount + i];
      uint64_t got = actual[size_t(f) * kSampleCount + i];
      bool nan = f >= kDoubleAdd
                     ? std::isnan(softfloat::doubleOf(want)) &&
                           std::isnan(softfloat::doubleOf(got))
                     : std::isnan(softfloat::floatOf(uint32_t(want))) &&
                           std::isnan(softfloat::floatOf(uint32_t(got)));
      count += want != got && !nan;
    }
    std::printf("%-10s Hexagon vs host: %d of %d differ\n", kNames[f], count,
                kSampleCount);
    differing += count;
  }
  return differing != 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc == 3 && std::strcmp(argv[1], "--compare") == 0)
    return compareWithHexagon(argv[2]);

  compareRange("exp", math::exp, expf, -104.0f, 88.7f, 1);
  compareRange("log", math::log, logf, 1e-30f, 1e4f, 1);
  compareRange("log", math::log, logf, 0.5f, 2.0f, 1);
  compareRange("tanh", math::tanh, tanhf, -12.0f, 12.0f, 2);
  compareRange("sin", math::sin, sinf, -6.3f, 6.3f, 1);
  compareRange("sin", math::sin, sinf, -2e5f, 2e5f, 1);
  compareRange("cos", math::cos, cosf, -6.3f, 6.3f, 1);
  compareRange("cos", math::cos, cosf, -2e5f, 2e5f, 1);
  compareRange("sqrt", math::sqrt, sqrtf, 0.0f, 1e6f, 0);
  // RoPE: theta^(-2i/d) for theta up to 1e6, and general bases.
  compareRange(
      "pow(1e4,y)", [](float y) { return math::pow(1e4f, y); },
      [](float y) { return powf(1e4f, y); }, -1.0f, 1.0f, 1);
  compareRange(
      "pow(1e6,y)", [](float y) { return math::pow(1e6f, y); },
      [](float y) { return powf(1e6f, y); }, -1.0f, 1.0f, 1);
  compareRange(
      "pow(x,2.5)", [](float x) { return math::pow(x, 2.5f); },
      [](float x) { return powf(x, 2.5f); }, 0.0f, 1e4f, 1);
  compareRange("floor", math::floor, floorf, -1e3f, 1e3f, 0);
  compareRange("ceil", math::ceil, ceilf, -1e3f, 1e3f, 0);
  compareRange("trunc", math::trunc, truncf, -1e3f, 1e3f, 0);
  compareRange("round", math::round, roundf, -1e3f, 1e3f, 0);
  compareRange("nearbyint", math::nearbyint, nearbyintf, -1e3f, 1e3f, 0);

  compareSpecials("exp", math::exp, expf);
  compareSpecials("log", math::log, logf);
  compareSpecials("tanh", math::tanh, tanhf);
  compareSpecials("sin", math::sin, sinf);
  compareSpecials("cos", math::cos, cosf);
  compareSpecials("sqrt", math::sqrt, sqrtf);
  compareSpecials("floor", math::floor, floorf);
  compareSpecials("ceil", math::ceil, ceilf);
  compareSpecials("trunc", math::trunc, truncf);
  compareSpecials("round", math::round, roundf);
  compareSpecials("nearbyint", math::nearbyint, nearbyintf);
  compareSpecials("fabs", math::fabs, fabsf);
  compareSpecials(
      "fmax1", [](float x) { return math::fmax(x, 1.0f); },
      [](float x) { return fmaxf(x, 1.0f); });
  compareSpecials(
      "fmin1", [](float x) { return math::fmin(x, 1.0f); },
      [](float x) { return fminf(x, 1.0f); });
  comparePowSpecials();
  compareSoftFloat();
  std::printf(failures ? "math test FAILED\n" : "math test passed\n");
  return failures != 0;
}
