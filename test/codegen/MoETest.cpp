//===- MoETest.cpp - moe_router and moe_experts
//----------------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Router and experts fused in one pipeline (the experts read the router's
// choice inside the kernel). The projection has duplicate rows and one token
// is all zeros, so probabilities tie and the lower expert index must win.
// Expert indices must match exactly; weights and outputs within 1e-5 of the
// largest reference value.
//
//===----------------------------------------------------------------------===//

#include "CodegenTestUtil.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace facet::codegen::testing {
namespace {

constexpr int64_t kD = 16, kExperts = 8, kTopK = 3, kWidth = 12;
constexpr float kInputScale = 0.25f;

const char *kModule = R"mlir(
facet.param @proj : tensor<8x16xbf16> class "router"
facet.param @scale : tensor<16xf32> class "router"
facet.param @pes : tensor<8xf32> class "router"
facet.param @gate_up : tensor<8x24x16xbf16> class "experts"
facet.param @down : tensor<8x16x12xf32> class "experts"
func.func @moe(%x: tensor<?x16xf32>)
    -> (tensor<?x3xf32>, tensor<?x3xi32>, tensor<?x16xf32>) {
  %proj = facet.weight @proj : tensor<8x16xbf16>
  %scale = facet.weight @scale : tensor<16xf32>
  %pes = facet.weight @pes : tensor<8xf32>
  %w, %e = facet.moe_router %x, %proj, %scale, %pes top_k 3 input_scale 0.25 eps 1.0e-6 : (tensor<?x16xf32>, tensor<8x16xbf16>, tensor<16xf32>, tensor<8xf32>) -> (tensor<?x3xf32>, tensor<?x3xi32>)
  %gu = facet.weight @gate_up : tensor<8x24x16xbf16>
  %dn = facet.weight @down : tensor<8x16x12xf32>
  %y = facet.moe_experts %x, %w, %e gate_up %gu down %dn : (tensor<?x16xf32>, tensor<?x3xf32>, tensor<?x3xi32>, tensor<8x24x16xbf16>, tensor<8x16x12xf32>) -> tensor<?x16xf32>
  return %w, %e, %y : tensor<?x3xf32>, tensor<?x3xi32>, tensor<?x16xf32>
}
)mlir";

struct Routing {
  std::vector<float> weights;
  std::vector<int32_t> experts;
};

Routing routerRef(const Tensor &x, const Tensor &proj, const Tensor &scale,
                  const Tensor &pes) {
  int64_t tokens = x.shape[0];
  Routing out;
  std::vector<float> z(kD);
  for (int64_t t = 0; t < tokens; ++t) {
    rmsNormRowRef(&x.data[t * kD], kD, 1e-6f, nullptr, z.data());
    for (int64_t i = 0; i < kD; ++i)
      z[i] = z[i] * scale.data[i] * kInputScale;
    std::vector<float> p(kExperts);
    float maximum = -INFINITY;
    for (int64_t e = 0; e < kExperts; ++e) {
      p[e] = dotRef(&proj.data[e * kD], z.data(), kD);
      maximum = std::max(maximum, p[e]);
    }
    float sum = 0.0f;
    for (float &v : p) {
      v = std::exp(v - maximum);
      sum += v;
    }
    for (float &v : p)
      v /= sum;
    std::vector<int32_t> order(kExperts);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int32_t a, int32_t b) { return p[a] > p[b]; });
    float chosen = 0.0f;
    for (int64_t k = 0; k < kTopK; ++k)
      chosen += p[order[k]];
    for (int64_t k = 0; k < kTopK; ++k) {
      out.weights.push_back(p[order[k]] / chosen * pes.data[order[k]]);
      out.experts.push_back(order[k]);
    }
  }
  return out;
}

std::vector<float> expertsRef(const Tensor &x, const Routing &routing,
                              const Tensor &gateUp, const Tensor &down) {
  int64_t tokens = x.shape[0];
  std::vector<float> out(tokens * kD, 0.0f), hidden(kWidth);
  for (int64_t t = 0; t < tokens; ++t)
    for (int64_t k = 0; k < kTopK; ++k) {
      int64_t e = routing.experts[t * kTopK + k];
      float w = routing.weights[t * kTopK + k];
      const float *gate = &gateUp.data[e * 2 * kWidth * kD];
      const float *up = gate + kWidth * kD;
      for (int64_t f = 0; f < kWidth; ++f)
        hidden[f] = geluTanhRef(dotRef(&gate[f * kD], &x.data[t * kD], kD)) *
                    dotRef(&up[f * kD], &x.data[t * kD], kD);
      for (int64_t o = 0; o < kD; ++o)
        out[t * kD + o] += w * dotRef(&down.data[(e * kD + o) * kWidth],
                                      hidden.data(), kWidth);
    }
  return out;
}

TEST(MoEEmitters, RouterTiesAndFusedExpertsMatchReference) {
  KernelFixture fixture(kModule);
  fixture.build("moe");
  Tensor proj = rounded(randomTensor({kExperts, kD}, 1, -2, 2), Storage::BF16);
  // Experts 5 and 2, and 6 and 1, have identical rows: equal probabilities.
  std::copy_n(&proj.data[2 * kD], kD, &proj.data[5 * kD]);
  std::copy_n(&proj.data[1 * kD], kD, &proj.data[6 * kD]);
  Tensor scale = randomTensor({kD}, 2, 0.5f, 1.5f);
  Tensor pes = randomTensor({kExperts}, 3, 0.5f, 2.0f);
  Tensor gateUp = randomTensor({kExperts, 2 * kWidth, kD}, 4);
  Tensor down = randomTensor({kExperts, kD, kWidth}, 5);
  fixture.setWeight("proj", proj, Storage::BF16);
  fixture.setWeight("scale", scale);
  fixture.setWeight("pes", pes);
  fixture.setWeight("gate_up", gateUp, Storage::BF16);
  fixture.setWeight("down", down);
  Tensor gateUpSeen = rounded(gateUp, Storage::BF16);

  for (int64_t tokens : {1, 6}) {
    SCOPED_TRACE("tokens = " + std::to_string(tokens));
    Tensor x = randomTensor({tokens, kD}, 10 + tokens, -3, 3);
    if (tokens > 1)
      std::fill_n(&x.data[kD], kD, 0.0f); // token 1: every expert ties
    fixture.setInput(0, x);
    std::vector<Tensor> out =
        fixture.run({{tokens, kTopK}, {tokens, kTopK}, {tokens, kD}});
    Routing routing = routerRef(x, proj, scale, pes);
    EXPECT_EQ(out[1].ints, routing.experts);
    EXPECT_LE(relativeError(out[0].data, routing.weights), 1e-5);
    EXPECT_LE(
        relativeError(out[2].data, expertsRef(x, routing, gateUpSeen, down)),
        1e-5);
    if (tokens > 1) {
      std::vector<int32_t> tied(out[1].ints.begin() + kTopK,
                                out[1].ints.begin() + 2 * kTopK);
      EXPECT_EQ(tied, (std::vector<int32_t>{0, 1, 2}));
    }
    // The duplicated experts tie: whenever both are chosen, the lower index
    // comes first.
    for (int64_t t = 0; t < tokens; ++t)
      for (auto [low, high] : {std::pair{2, 5}, std::pair{1, 6}}) {
        auto begin = out[1].ints.begin() + t * kTopK;
        auto first = std::find(begin, begin + kTopK, low);
        auto second = std::find(begin, begin + kTopK, high);
        if (first != begin + kTopK && second != begin + kTopK)
          EXPECT_LT(first, second);
      }
  }
}

} // namespace
} // namespace facet::codegen::testing
