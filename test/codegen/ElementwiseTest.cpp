//===- ElementwiseTest.cpp - embed, views and pointwise emitters ----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// One pipeline chains embed (bf16 table), add, mul, gelu_tanh, softcap and
// layer_scalar, and also yields split_heads, merge_heads and layer_input.
// It runs for two token counts, so the token extent is really dynamic.
// Tolerance: 1e-6 of the largest reference value (these ops have no
// reductions; differences come from tanh/FMA rounding only).
//
//===----------------------------------------------------------------------===//

#include "CodegenTestUtil.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

namespace facet::codegen::testing {
namespace {

const char *kModule = R"mlir(
facet.param @table : tensor<16x8xbf16> class "embedding"
facet.param @scalar : tensor<1xf32> class "layer_scalar"
func.func @chain(%ids: tensor<?xi32>, %a: tensor<?x8xf32>, %b: tensor<?x8xf32>,
                 %p: tensor<?x3x8xf32>)
    -> (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x2x4xf32>, tensor<?x8xf32>,
        tensor<?x8xf32>) {
  %table = facet.weight @table : tensor<16x8xbf16>
  %e = facet.embed %table[%ids] scale 2.5 : tensor<16x8xbf16>, tensor<?xi32> -> tensor<?x8xf32>
  %s = facet.add %e, %a : tensor<?x8xf32>
  %m = facet.mul %s, %b : tensor<?x8xf32>
  %g = facet.gelu_tanh %m : tensor<?x8xf32>
  %c = facet.softcap %g cap 1.5 : tensor<?x8xf32>
  %w = facet.weight @scalar : tensor<1xf32>
  %l = facet.layer_scalar %c, %w : tensor<?x8xf32>, tensor<1xf32>
  %h = facet.split_heads %l : tensor<?x8xf32> -> tensor<?x2x4xf32>
  %mm = facet.merge_heads %h : tensor<?x2x4xf32> -> tensor<?x8xf32>
  %li = facet.layer_input %p[1] : tensor<?x3x8xf32> -> tensor<?x8xf32>
  return %e, %l, %h, %mm, %li : tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x2x4xf32>, tensor<?x8xf32>, tensor<?x8xf32>
}
)mlir";

TEST(ElementwiseEmitters, ChainMatchesReferenceForTwoTokenCounts) {
  KernelFixture fixture(kModule);
  fixture.build("chain");
  Tensor table = randomTensor({16, 8}, 1, -2, 2);
  fixture.setWeight("table", table, Storage::BF16);
  Tensor tableSeen = rounded(table, Storage::BF16);
  const float scalar = 0.37f;
  fixture.setWeight("scalar", Tensor{{1}, {scalar}, {}});

  for (int64_t tokens : {3, 7}) {
    SCOPED_TRACE("tokens = " + std::to_string(tokens));
    std::vector<int32_t> idValues;
    for (int64_t t = 0; t < tokens; ++t)
      idValues.push_back(static_cast<int32_t>((t * 5 + 3) % 16));
    Tensor ids = intTensor({tokens}, idValues);
    Tensor a = randomTensor({tokens, 8}, 2 + tokens);
    Tensor b = randomTensor({tokens, 8}, 3 + tokens, -3, 3);
    Tensor p = randomTensor({tokens, 3, 8}, 4 + tokens);
    fixture.setInput(0, ids);
    fixture.setInput(1, a);
    fixture.setInput(2, b);
    fixture.setInput(3, p);
    std::vector<Tensor> out = fixture.run(
        {{tokens, 8}, {tokens, 8}, {tokens, 2, 4}, {tokens, 8}, {tokens, 8}});

    std::vector<float> embed, chain, layer;
    for (int64_t t = 0; t < tokens; ++t)
      for (int64_t i = 0; i < 8; ++i) {
        float e = tableSeen.data[idValues[t] * 8 + i] * 2.5f;
        float m = (e + a.data[t * 8 + i]) * b.data[t * 8 + i];
        float c = 1.5f * std::tanh(geluTanhRef(m) / 1.5f);
        embed.push_back(e);
        chain.push_back(c * scalar);
        layer.push_back(p.data[(t * 3 + 1) * 8 + i]);
      }
    EXPECT_EQ(out[0].data, embed); // a gather times a constant is exact
    EXPECT_LE(relativeError(out[1].data, chain), 1e-6);
    EXPECT_EQ(out[2].data, out[1].data); // split_heads keeps the layout
    EXPECT_EQ(out[3].data, out[1].data); // merge_heads undoes it
    EXPECT_EQ(out[4].data, layer);
  }
}

TEST(ElementwiseEmitters, RejectsTokenIdsOutsideTheTable) {
  KernelFixture fixture(kModule);
  fixture.build("chain");
  fixture.setWeight("table", randomTensor({16, 8}, 1), Storage::BF16);
  fixture.setWeight("scalar", Tensor{{1}, {1.0f}, {}});
  fixture.setInput(0, intTensor({2}, {3, 16}));
  fixture.setInput(1, randomTensor({2, 8}, 2));
  fixture.setInput(2, randomTensor({2, 8}, 3));
  fixture.setInput(3, randomTensor({2, 3, 8}, 4));
  try {
    fixture.run({{2, 8}, {2, 8}, {2, 2, 4}, {2, 8}, {2, 8}});
    ADD_FAILURE() << "expected a runtime error";
  } catch (const Halide::RuntimeError &error) {
    EXPECT_NE(std::string(error.what()).find("token id 16"), std::string::npos)
        << error.what();
  }
}

TEST(ElementwiseEmitters, NarrowResultsAreRoundedToTheirType) {
  KernelFixture fixture(R"mlir(
func.func @narrow(%a: tensor<?x16xbf16>, %b: tensor<?x16xbf16>,
                  %c: tensor<?x16xf16>, %d: tensor<?x16xf16>)
    -> (tensor<?x16xbf16>, tensor<?x16xf16>) {
  %x = facet.add %a, %b : tensor<?x16xbf16>
  %y = facet.mul %c, %d : tensor<?x16xf16>
  return %x, %y : tensor<?x16xbf16>, tensor<?x16xf16>
}
)mlir");
  BuiltKernel &kernel = fixture.build("narrow");
  ASSERT_EQ(kernel.outputs.size(), 2u);
  EXPECT_EQ(kernel.outputs[0].output_types()[0], Halide::BFloat(16));
  EXPECT_EQ(kernel.outputs[1].output_types()[0], Halide::Float(16));
  Tensor a = randomTensor({3, 16}, 1), b = randomTensor({3, 16}, 2),
         c = randomTensor({3, 16}, 3), d = randomTensor({3, 16}, 4);
  fixture.setInput(0, a, Storage::BF16);
  fixture.setInput(1, b, Storage::BF16);
  fixture.setInput(2, c, Storage::F16);
  fixture.setInput(3, d, Storage::F16);
  Halide::Buffer<Halide::bfloat16_t> x(16, 3);
  Halide::Buffer<Halide::float16_t> y(16, 3);
  kernel.pipeline.realize(Halide::Realization({x, y}),
                          jitTarget(hostTarget()));
  for (int t = 0; t < 3; ++t)
    for (int i = 0; i < 16; ++i) {
      int at = t * 16 + i;
      float sum = roundTo(Storage::BF16, a.data[at]) +
                  roundTo(Storage::BF16, b.data[at]);
      float product =
          roundTo(Storage::F16, c.data[at]) * roundTo(Storage::F16, d.data[at]);
      EXPECT_EQ(float(x(i, t)), roundTo(Storage::BF16, sum)) << at;
      EXPECT_EQ(float(y(i, t)), roundTo(Storage::F16, product)) << at;
    }
}

TEST(ElementwiseEmitters, F16WideningIsExactForEveryFiniteValue) {
  Halide::ImageParam in(Halide::Float(16), 1, "halves");
  Halide::Var i("i");
  Halide::Func widened("widened");
  widened(i) = widenToF32(in(i), Halide::Float(16));
  widened.vectorize(i, 16);
  Halide::Buffer<Halide::float16_t> halves(65536);
  for (int bits = 0; bits < 65536; ++bits)
    halves(bits) = Halide::float16_t::make_from_bits(uint16_t(bits));
  in.set(halves);
  Halide::Buffer<float> out = widened.realize({65536});
  int checked = 0;
  for (int bits = 0; bits < 65536; ++bits) {
    if ((bits & 0x7c00) == 0x7c00)
      continue; // inf and nan: not carried (see widenToF32)
    float want = static_cast<float>(halves(bits));
    ASSERT_EQ(std::memcmp(&out(bits), &want, 4), 0)
        << "f16 bits 0x" << std::hex << bits << ": got " << out(bits)
        << ", want " << want;
    ++checked;
  }
  EXPECT_EQ(checked, 63488);
}

} // namespace
} // namespace facet::codegen::testing
