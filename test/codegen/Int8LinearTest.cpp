//===- Int8LinearTest.cpp - facet.linear with int8 activations ------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The emitter's arithmetic is exact up to the last two float multiplies:
// the row quantization (round half to even of x * 127 / max|x|) and the
// int32 dot product. So the JIT result must equal plain loops doing the
// same to 1e-6, in both dot-product forms (signed x signed as for ARM sdot,
// unsigned x signed with the 128 correction as for x86 vpdpbusd), for rows
// with outliers, a zero row and ties.
//
//===----------------------------------------------------------------------===//

#include "CodegenTestUtil.h"

#include <gtest/gtest.h>

#include <cmath>

namespace facet::codegen::testing {
namespace {

const char *kInt8Linear = R"mlir(
func.func @f(%x: tensor<?x64xf32>, %w: !facet.qweight<48x64xi8, group 0, scale f32, symmetric>) -> tensor<?x48xf32> {
  %y = facet.linear %x, %w {int8_activations} : tensor<?x64xf32>, !facet.qweight<48x64xi8, group 0, scale f32, symmetric> -> tensor<?x48xf32>
  return %y : tensor<?x48xf32>
}
)mlir";

constexpr int kIn = 64, kOut = 48, kRows = 5;

std::vector<float> reference(const std::vector<float> &x,
                             const std::vector<int8_t> &w,
                             const std::vector<float> &scales) {
  std::vector<float> out(kRows * kOut);
  for (int t = 0; t < kRows; ++t) {
    const float *row = &x[t * kIn];
    float amax = 0;
    for (int k = 0; k < kIn; ++k)
      amax = std::max(amax, std::fabs(row[k]));
    float inverse = amax > 0 ? 127.0f / amax : 0.0f;
    int32_t q[kIn];
    for (int k = 0; k < kIn; ++k)
      q[k] = int32_t(
          std::clamp(std::nearbyint(row[k] * inverse), -127.0f, 127.0f));
    for (int n = 0; n < kOut; ++n) {
      int32_t dot = 0;
      for (int k = 0; k < kIn; ++k)
        dot += q[k] * int32_t(w[n * kIn + k]);
      out[t * kOut + n] = float(dot) * (amax / 127.0f) * scales[n];
    }
  }
  return out;
}

TEST(Int8LinearEmitter, MatchesPlainLoopsInEveryDotForm) {
  Tensor xs = randomTensor({kRows, kIn}, 31, -2.0f, 2.0f);
  std::vector<float> x = xs.data;
  x[3] = 40.0f;                 // an outlier sets row 0's scale
  for (int k = 0; k < kIn; ++k) // row 2 is all zeros
    x[2 * kIn + k] = 0.0f;
  x[3 * kIn + 0] = 127.0f; // row 3: x * 127 / 127 = x, with ties
  x[3 * kIn + 1] = 2.5f;
  x[3 * kIn + 2] = -3.5f;
  std::vector<int8_t> w(kOut * kIn);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = int8_t(int(i * 37 % 255) - 127);
  std::vector<float> scales(kOut);
  for (int n = 0; n < kOut; ++n)
    scales[n] = 0.001f * float(n + 1);
  std::vector<float> want = reference(x, w, scales);

  // Across rows as sdot (s8 x s8) and VNNI (u8 x s8) do, and along each
  // row's inputs in 16 partial sums as HVX vrmpy does (64 inputs = 16
  // lanes x 4 bytes).
  struct Form {
    const char *name;
    bool unsignedBySigned, alongInputs;
  };
  for (Form form : {Form{"s8 x s8", false, false}, Form{"u8 x s8", true, false},
                    Form{"s8 x s8 along inputs", false, true}}) {
    KernelFixture fixture(kInt8Linear);
    KernelSchedule schedule = defaultSchedule(hostTarget());
    schedule.int8DotUnsignedBySigned = form.unsignedBySigned;
    schedule.dotAlongInputs = form.alongInputs;
    if (form.alongInputs)
      schedule.dotLanes = 16;
    BuiltKernel &kernel = fixture.build("f", schedule);
    // Inputs: x, then the weight's integers and its scales.
    ASSERT_EQ(kernel.inputs.size(), 3u);
    Halide::Buffer<float> xBuffer(kIn, kRows);
    for (int t = 0; t < kRows; ++t)
      for (int k = 0; k < kIn; ++k)
        xBuffer(k, t) = x[t * kIn + k];
    Halide::Buffer<int8_t> wBuffer(kIn, kOut);
    for (int n = 0; n < kOut; ++n)
      for (int k = 0; k < kIn; ++k)
        wBuffer(k, n) = w[n * kIn + k];
    Halide::Buffer<float> sBuffer(1, kOut);
    for (int n = 0; n < kOut; ++n)
      sBuffer(0, n) = scales[n];
    kernel.inputs[0].set(xBuffer);
    kernel.inputs[1].set(wBuffer);
    kernel.inputs[2].set(sBuffer);
    std::vector<Tensor> got = fixture.run({{kRows, kOut}});
    EXPECT_LT(relativeError(got[0].data, want), 1e-6) << form.name;
    for (int n = 0; n < kOut; ++n)
      EXPECT_EQ(got[0].data[2 * kOut + n], 0.0f) << "zero row, n = " << n;
  }
}

} // namespace
} // namespace facet::codegen::testing
