//===- NormLinearTest.cpp - rms_norm, linear, lm_head, PLE, RoPE ----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Weights arrive as f32, bf16 and f16 (with f16 subnormals); the reference
// sees the same rounded values. Tolerance: 1e-5 of the largest reference
// value. Reductions sum in index order in both, so the remaining difference
// is FMA contraction and libm-vs-Halide rounding, far below that.
//
//===----------------------------------------------------------------------===//

#include "CodegenTestUtil.h"

#include <gtest/gtest.h>

#include <cmath>

namespace facet::codegen::testing {
namespace {

constexpr double kTolerance = 1e-5;

const char *kNormLinear = R"mlir(
facet.param @norm : tensor<64xf32> class "norm"
facet.param @w32 : tensor<48x64xf32> class "mlp"
facet.param @w16 : tensor<32x64xf16> class "mlp"
facet.param @wbf : tensor<40x64xbf16> class "mlp"
facet.param @table : tensor<100x64xbf16> class "embedding"
func.func @norm_linear(%x: tensor<?x64xf32>, %q: tensor<?x4x16xf32>)
    -> (tensor<?x64xf32>, tensor<?x4x16xf32>, tensor<?x48xf32>,
        tensor<?x32xf32>, tensor<?x40xf32>, tensor<?x100xf32>) {
  %nw = facet.weight @norm : tensor<64xf32>
  %n = facet.rms_norm %x, %nw eps 1.0e-6 : tensor<?x64xf32>, tensor<64xf32>
  %qn = facet.rms_norm %q eps 1.0e-6 : tensor<?x4x16xf32>
  %w32 = facet.weight @w32 : tensor<48x64xf32>
  %y32 = facet.linear %n, %w32 : tensor<?x64xf32>, tensor<48x64xf32> -> tensor<?x48xf32>
  %w16 = facet.weight @w16 : tensor<32x64xf16>
  %y16 = facet.linear %x, %w16 : tensor<?x64xf32>, tensor<32x64xf16> -> tensor<?x32xf32>
  %wbf = facet.weight @wbf : tensor<40x64xbf16>
  %ybf = facet.linear %x, %wbf : tensor<?x64xf32>, tensor<40x64xbf16> -> tensor<?x40xf32>
  %table = facet.weight @table : tensor<100x64xbf16>
  %logits = facet.lm_head %n, %table : tensor<?x64xf32>, tensor<100x64xbf16> -> tensor<?x100xf32>
  return %n, %qn, %y32, %y16, %ybf, %logits : tensor<?x64xf32>, tensor<?x4x16xf32>, tensor<?x48xf32>, tensor<?x32xf32>, tensor<?x40xf32>, tensor<?x100xf32>
}
)mlir";

/// y[r][n] = sum_k x[r][k] * w[n][k]
std::vector<float> matVecRef(const std::vector<float> &x, int64_t rows,
                             const std::vector<float> &w, int64_t out,
                             int64_t in) {
  std::vector<float> y(rows * out);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t n = 0; n < out; ++n)
      y[r * out + n] = dotRef(&x[r * in], &w[n * in], in);
  return y;
}

std::vector<float> rmsNormRef(const std::vector<float> &x, int64_t n,
                              const float *weight) {
  std::vector<float> out(x.size());
  for (size_t row = 0; row < x.size() / n; ++row)
    rmsNormRowRef(&x[row * n], n, 1e-6f, weight, &out[row * n]);
  return out;
}

TEST(NormLinearEmitters, MatchReferenceWithF32F16AndBF16Weights) {
  KernelFixture fixture(kNormLinear);
  fixture.build("norm_linear");
  Tensor norm = randomTensor({64}, 10, 0.5f, 1.5f);
  Tensor w32 = randomTensor({48, 64}, 11);
  Tensor w16 = randomTensor({32, 64}, 12);
  for (size_t i = 0; i < w16.data.size(); i += 7)
    w16.data[i] *= 1e-5f; // f16 subnormals
  Tensor wbf = randomTensor({40, 64}, 13);
  Tensor table = randomTensor({100, 64}, 14);
  fixture.setWeight("norm", norm);
  fixture.setWeight("w32", w32);
  fixture.setWeight("w16", w16, Storage::F16);
  fixture.setWeight("wbf", wbf, Storage::BF16);
  fixture.setWeight("table", table, Storage::BF16);
  Tensor w16Seen = rounded(w16, Storage::F16);
  Tensor wbfSeen = rounded(wbf, Storage::BF16);
  Tensor tableSeen = rounded(table, Storage::BF16);

  for (int64_t tokens : {1, 5}) {
    SCOPED_TRACE("tokens = " + std::to_string(tokens));
    Tensor x = randomTensor({tokens, 64}, 20 + tokens, -3, 3);
    Tensor q = randomTensor({tokens, 4, 16}, 30 + tokens, -2, 2);
    fixture.setInput(0, x);
    fixture.setInput(1, q);
    std::vector<Tensor> out = fixture.run({{tokens, 64},
                                           {tokens, 4, 16},
                                           {tokens, 48},
                                           {tokens, 32},
                                           {tokens, 40},
                                           {tokens, 100}});
    std::vector<float> n = rmsNormRef(x.data, 64, norm.data.data());
    EXPECT_LE(relativeError(out[0].data, n), kTolerance);
    EXPECT_LE(relativeError(out[1].data, rmsNormRef(q.data, 16, nullptr)),
              kTolerance);
    EXPECT_LE(
        relativeError(out[2].data, matVecRef(n, tokens, w32.data, 48, 64)),
        kTolerance);
    EXPECT_LE(relativeError(out[3].data,
                            matVecRef(x.data, tokens, w16Seen.data, 32, 64)),
              kTolerance);
    EXPECT_LE(relativeError(out[4].data,
                            matVecRef(x.data, tokens, wbfSeen.data, 40, 64)),
              kTolerance);
    EXPECT_LE(relativeError(out[5].data,
                            matVecRef(n, tokens, tableSeen.data, 100, 64)),
              kTolerance);
  }
}

const char *kRoPEAndPLE = R"mlir(
facet.param @ple_table : tensor<12x12xbf16> class "ple_table"
facet.param @ple_proj : tensor<12x16xbf16> class "ple_projection"
facet.param @ple_norm : tensor<4xf32> class "norm"
func.func @rope_ple(%q: tensor<?x2x32xf32>, %pos: tensor<?xi32>,
                    %ids: tensor<?xi32>, %emb: tensor<?x16xf32>)
    -> (tensor<?x2x32xf32>, tensor<?x2x32xf32>, tensor<?x3x4xf32>) {
  %full = facet.rope %q, %pos theta 10000.0 rotary_dims 32 : tensor<?x2x32xf32>, tensor<?xi32>
  %part = facet.rope %q, %pos theta 1000000.0 rotary_dims 8 : tensor<?x2x32xf32>, tensor<?xi32>
  %t = facet.weight @ple_table : tensor<12x12xbf16>
  %p = facet.weight @ple_proj : tensor<12x16xbf16>
  %nw = facet.weight @ple_norm : tensor<4xf32>
  %ple = facet.per_layer_inputs %ids, %emb table %t projection %p norm %nw {combine_scale = 0.707106769 : f32, epsilon = 1.0e-6 : f32, projection_scale = 0.25 : f32, token_scale = 2.0 : f32} : (tensor<?xi32>, tensor<?x16xf32>, tensor<12x12xbf16>, tensor<12x16xbf16>, tensor<4xf32>) -> tensor<?x3x4xf32>
  return %full, %part, %ple : tensor<?x2x32xf32>, tensor<?x2x32xf32>, tensor<?x3x4xf32>
}
)mlir";

std::vector<float> ropeRef(const Tensor &x, const std::vector<int32_t> &pos,
                           float theta, int64_t rotaryDims) {
  int64_t tokens = x.shape[0], heads = x.shape[1], headDim = x.shape[2];
  int64_t half = headDim / 2, pairs = rotaryDims / 2;
  std::vector<float> out = x.data;
  for (int64_t t = 0; t < tokens; ++t)
    for (int64_t j = 0; j < pairs; ++j) {
      float inv = 1.0f / std::pow(theta, static_cast<float>(2 * j) /
                                             static_cast<float>(headDim));
      float angle = static_cast<float>(pos[t]) * inv;
      float c = std::cos(angle), s = std::sin(angle);
      for (int64_t h = 0; h < heads; ++h) {
        int64_t base = (t * heads + h) * headDim;
        float x1 = x.data[base + j], x2 = x.data[base + j + half];
        out[base + j] = x1 * c - x2 * s;
        out[base + j + half] = x2 * c + x1 * s;
      }
    }
  return out;
}

TEST(RoPEAndPLEEmitters, MatchReference) {
  KernelFixture fixture(kRoPEAndPLE);
  fixture.build("rope_ple");
  Tensor table = randomTensor({12, 12}, 40);
  Tensor proj = randomTensor({12, 16}, 41);
  Tensor norm = randomTensor({4}, 42, 0.5f, 1.5f);
  fixture.setWeight("ple_table", table, Storage::BF16);
  fixture.setWeight("ple_proj", proj, Storage::BF16);
  fixture.setWeight("ple_norm", norm);
  Tensor tableSeen = rounded(table, Storage::BF16);
  Tensor projSeen = rounded(proj, Storage::BF16);

  // Positions up to 131071 exercise f32 angles far from zero.
  for (std::vector<int32_t> positions :
       {std::vector<int32_t>{5},
        std::vector<int32_t>{0, 1, 100000, 131071, 7}}) {
    int64_t tokens = positions.size();
    SCOPED_TRACE("tokens = " + std::to_string(tokens));
    Tensor q = randomTensor({tokens, 2, 32}, 50 + tokens);
    std::vector<int32_t> idValues;
    for (int64_t t = 0; t < tokens; ++t)
      idValues.push_back(static_cast<int32_t>((7 * t + 2) % 12));
    Tensor emb = randomTensor({tokens, 16}, 60 + tokens, -2, 2);
    fixture.setInput(0, q);
    fixture.setInput(1, intTensor({tokens}, positions));
    fixture.setInput(2, intTensor({tokens}, idValues));
    fixture.setInput(3, emb);
    std::vector<Tensor> out =
        fixture.run({{tokens, 2, 32}, {tokens, 2, 32}, {tokens, 3, 4}});
    EXPECT_LE(relativeError(out[0].data, ropeRef(q, positions, 1e4f, 32)),
              kTolerance);
    std::vector<float> partial = ropeRef(q, positions, 1e6f, 8);
    EXPECT_LE(relativeError(out[1].data, partial), kTolerance);
    // Proportional RoPE: pairs 4..15 pass through bit for bit.
    for (int64_t t = 0; t < tokens; ++t)
      for (int64_t h = 0; h < 2; ++h)
        for (int64_t j : {4, 15, 20, 31})
          EXPECT_EQ(out[1].data[(t * 2 + h) * 32 + j],
                    q.data[(t * 2 + h) * 32 + j]);

    std::vector<float> ple(tokens * 12), context(12), normed(4);
    for (int64_t t = 0; t < tokens; ++t) {
      for (int64_t c = 0; c < 12; ++c)
        context[c] =
            dotRef(&emb.data[t * 16], &projSeen.data[c * 16], 16) * 0.25f;
      for (int64_t l = 0; l < 3; ++l) {
        rmsNormRowRef(&context[l * 4], 4, 1e-6f, norm.data.data(),
                      normed.data());
        for (int64_t i = 0; i < 4; ++i)
          ple[t * 12 + l * 4 + i] =
              (normed[i] +
               tableSeen.data[idValues[t] * 12 + l * 4 + i] * 2.0f) *
              0.707106769f;
      }
    }
    EXPECT_LE(relativeError(out[2].data, ple), kTolerance);
  }
}

} // namespace
} // namespace facet::codegen::testing
