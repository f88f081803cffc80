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
// with outliers, a zero row and ties; and for the LM head with its table
// stored in HVX tiles (codegen/target/WeightTiles.h).
//
//===----------------------------------------------------------------------===//

#include "CodegenTestUtil.h"

#include "codegen/target/WeightTiles.h"

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

const char *kInt8LMHead = R"mlir(
func.func @f(%x: tensor<?x128xf32>, %w: !facet.qweight<64x128xi8, group 0, scale f32, symmetric>) -> tensor<?x64xf32> {
  %y = facet.lm_head %x, %w {int8_activations} : tensor<?x128xf32>, !facet.qweight<64x128xi8, group 0, scale f32, symmetric> -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}
)mlir";

constexpr int kIn = 64, kOut = 48, kRows = 5;

std::vector<float> reference(const std::vector<float> &x,
                             const std::vector<int8_t> &w,
                             const std::vector<float> &scales, int in,
                             int outputs) {
  int rows = int(x.size()) / in;
  std::vector<float> out(rows * outputs);
  for (int t = 0; t < rows; ++t) {
    const float *row = &x[t * in];
    float amax = 0;
    for (int k = 0; k < in; ++k)
      amax = std::max(amax, std::fabs(row[k]));
    float inverse = amax > 0 ? 127.0f / amax : 0.0f;
    std::vector<int32_t> q(in);
    for (int k = 0; k < in; ++k)
      q[k] = int32_t(
          std::clamp(std::nearbyint(row[k] * inverse), -127.0f, 127.0f));
    for (int n = 0; n < outputs; ++n) {
      int32_t dot = 0;
      for (int k = 0; k < in; ++k)
        dot += q[k] * int32_t(w[n * in + k]);
      out[t * outputs + n] = float(dot) * (amax / 127.0f) * scales[n];
    }
  }
  return out;
}

/// Binds x, the weight's integers (`stored`: its bytes as the package holds
/// them) and its scales to the kernel's three inputs.
void bindInputs(BuiltKernel &kernel, const std::vector<float> &x,
                const std::vector<int8_t> &stored,
                const std::vector<float> &scales, int in, int outputs) {
  ASSERT_EQ(kernel.inputs.size(), 3u);
  int rows = int(x.size()) / in;
  Halide::Buffer<float> xBuffer(in, rows);
  for (int t = 0; t < rows; ++t)
    for (int k = 0; k < in; ++k)
      xBuffer(k, t) = x[t * in + k];
  Halide::Buffer<int8_t> wBuffer(in, outputs);
  for (int n = 0; n < outputs; ++n)
    for (int k = 0; k < in; ++k)
      wBuffer(k, n) = stored[n * in + k];
  Halide::Buffer<float> sBuffer(1, outputs);
  for (int n = 0; n < outputs; ++n)
    sBuffer(0, n) = scales[n];
  kernel.inputs[0].set(xBuffer);
  kernel.inputs[1].set(wBuffer);
  kernel.inputs[2].set(sBuffer);
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
  std::vector<float> want = reference(x, w, scales, kIn, kOut);

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
    bindInputs(kernel, x, w, scales, kIn, kOut);
    std::vector<Tensor> got = fixture.run({{kRows, kOut}});
    EXPECT_LT(relativeError(got[0].data, want), 1e-6) << form.name;
    for (int n = 0; n < kOut; ++n)
      EXPECT_EQ(got[0].data[2 * kOut + n], 0.0f) << "zero row, n = " << n;
  }
}

// The LM head with int8 activations, its table stored in tiles of 32 rows x
// 4 inputs as for HVX: the kernel reads the permuted bytes and must give
// the row-major reference exactly as the untiled kernel does.
TEST(Int8LinearEmitter, LMHeadReadsTiledTables) {
  constexpr int in = 128, outputs = 64, rows = 3, tileRows = 32;
  std::vector<float> x = randomTensor({rows, in}, 5, -1.0f, 1.0f).data;
  std::vector<int8_t> w(outputs * in);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = int8_t(int(i * 53 % 255) - 127);
  std::vector<float> scales(outputs);
  for (int n = 0; n < outputs; ++n)
    scales[n] = 0.002f * float(n % 7 + 1);
  std::vector<float> want = reference(x, w, scales, in, outputs);

  KernelFixture probe(kInt8LMHead);
  auto type = mlir::cast<QuantizedWeightType>(
      probe.module().lookupSymbol<mlir::func::FuncOp>("f").getArgument(1)
          .getType());
  std::optional<WeightTiling> tiling = int8WeightTiling(tileRows, type);
  ASSERT_TRUE(tiling.has_value());
  std::vector<uint8_t> bytes(w.begin(), w.end());
  std::vector<uint8_t> tiledBytes = tileInt8Weight(bytes, *tiling);
  std::vector<int8_t> tiled(tiledBytes.begin(), tiledBytes.end());
  ASSERT_NE(tiled, w);

  for (bool tiledForm : {false, true}) {
    KernelFixture fixture(kInt8LMHead);
    KernelSchedule schedule = defaultSchedule(hostTarget());
    schedule.int8DotUnsignedBySigned = false;
    schedule.weightTileRows = tiledForm ? tileRows : 0;
    BuiltKernel &kernel = fixture.build("f", schedule);
    bindInputs(kernel, x, tiledForm ? tiled : w, scales, in, outputs);
    std::vector<Tensor> got = fixture.run({{rows, outputs}});
    EXPECT_LT(relativeError(got[0].data, want), 1e-6)
        << (tiledForm ? "tiled" : "row-major");
  }
}

} // namespace
} // namespace facet::codegen::testing
