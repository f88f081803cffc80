//===- WeightSpecTest.cpp - Tests of the expected checkpoint tensors ------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "frontend/config/WeightSpec.h"
#include "test/unit/GemmaConfigs.h"
#include "test/unit/TestUtil.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

using namespace facet;
using namespace facet::test;
using nlohmann::json;

namespace {

ModelConfig parse(const json &config) {
  return parseModelConfig(config.dump(), "config.json");
}

const WeightSpec *findWeight(const std::vector<WeightSpec> &weights,
                             const std::string &name) {
  for (const WeightSpec &w : weights)
    if (w.name == name)
      return &w;
  return nullptr;
}

int64_t total(const std::vector<WeightSpec> &weights) {
  int64_t sum = 0;
  for (const WeightSpec &w : weights)
    sum += w.numElements();
  return sum;
}

double totalOf(const std::vector<WeightSpec> &weights, WeightClass cls) {
  int64_t sum = 0;
  for (const WeightSpec &w : weights)
    if (w.cls == cls)
      sum += w.numElements();
  return static_cast<double>(sum);
}

void expectWithin(double actual, double expected, double relative) {
  EXPECT_LE(std::abs(actual - expected), relative * expected)
      << "actual " << actual << " expected " << expected;
}

} // namespace

// GEMMA4.md 3.3: total text-decoder parameters (within 0.5 %).
TEST(WeightSpec, ParameterTotalsMatchGemma4Md) {
  struct Case {
    const char *name;
    json config;
    double billions;
  } cases[] = {
      {"E2B", e2bConfig(), 4.63},
      {"E4B", e4bConfig(), 7.46},
      {"26B-A4B", moe26bConfig(), 25.23},
      {"31B", dense31bConfig(), 30.70},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<WeightSpec> weights = expectedWeights(parse(c.config));
    expectWithin(static_cast<double>(total(weights)), c.billions * 1e9, 0.005);
  }
}

// The per-class breakdown of GEMMA4.md 3.3 (within 0.5 %).
TEST(WeightSpec, ParameterBreakdownMatchesGemma4Md) {
  std::vector<WeightSpec> e2b = expectedWeights(parse(e2bConfig()));
  expectWithin(totalOf(e2b, WeightClass::Attention), 278.4e6, 0.005);
  expectWithin(totalOf(e2b, WeightClass::MLP), 1557.1e6, 0.005);
  expectWithin(totalOf(e2b, WeightClass::PLELayer), 27.5e6, 0.005);
  expectWithin(totalOf(e2b, WeightClass::PLEModelProjection), 13.8e6, 0.005);
  expectWithin(totalOf(e2b, WeightClass::Embedding), 402.7e6, 0.005);
  expectWithin(totalOf(e2b, WeightClass::PLETable), 2348.8e6, 0.005);

  std::vector<WeightSpec> moe = expectedWeights(parse(moe26bConfig()));
  expectWithin(totalOf(moe, WeightClass::Attention), 1110.2e6, 0.005);
  expectWithin(totalOf(moe, WeightClass::MLP), 535.3e6, 0.005);
  expectWithin(totalOf(moe, WeightClass::Experts), 22838.0e6, 0.005);
  expectWithin(totalOf(moe, WeightClass::Router), 10.9e6, 0.005);

  std::vector<WeightSpec> dense = expectedWeights(parse(dense31bConfig()));
  expectWithin(totalOf(dense, WeightClass::Attention), 8477.7e6, 0.005);
  expectWithin(totalOf(dense, WeightClass::MLP), 20809.0e6, 0.005);
}

TEST(WeightSpec, E2BNamesAndShapes) {
  std::vector<WeightSpec> w = expectedWeights(parse(e2bConfig()));
  // Model-level tensors come first.
  ASSERT_GE(w.size(), 5u);
  EXPECT_EQ(w[0].name, "embed_tokens.weight");
  EXPECT_EQ(w[0].shape, (std::vector<int64_t>{262144, 1536}));
  EXPECT_EQ(w[0].layer, -1);
  const WeightSpec *table = findWeight(w, "embed_tokens_per_layer.weight");
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->shape, (std::vector<int64_t>{262144, 8960}));
  EXPECT_EQ(table->cls, WeightClass::PLETable);
  EXPECT_EQ(findWeight(w, "per_layer_model_projection.weight")->shape,
            (std::vector<int64_t>{8960, 1536}));
  EXPECT_EQ(findWeight(w, "per_layer_projection_norm.weight")->shape,
            (std::vector<int64_t>{256}));
  EXPECT_EQ(findWeight(w, "lm_head.weight"), nullptr); // tied

  // Layer 4: full, owns its cache.
  EXPECT_EQ(findWeight(w, "layers.4.self_attn.q_proj.weight")->shape,
            (std::vector<int64_t>{4096, 1536}));
  EXPECT_EQ(findWeight(w, "layers.4.self_attn.k_proj.weight")->shape,
            (std::vector<int64_t>{512, 1536}));
  EXPECT_EQ(findWeight(w, "layers.4.self_attn.v_proj.weight")->shape,
            (std::vector<int64_t>{512, 1536}));
  EXPECT_EQ(findWeight(w, "layers.4.self_attn.o_proj.weight")->shape,
            (std::vector<int64_t>{1536, 4096}));
  EXPECT_EQ(findWeight(w, "layers.4.self_attn.q_norm.weight")->shape,
            (std::vector<int64_t>{512}));
  // Layer 0: sliding.
  EXPECT_EQ(findWeight(w, "layers.0.self_attn.k_proj.weight")->shape,
            (std::vector<int64_t>{256, 1536}));
  EXPECT_EQ(findWeight(w, "layers.0.mlp.gate_proj.weight")->shape,
            (std::vector<int64_t>{6144, 1536}));
  // Layer 20: KV-shared, double-wide MLP.
  EXPECT_EQ(findWeight(w, "layers.20.self_attn.k_proj.weight"), nullptr);
  EXPECT_EQ(findWeight(w, "layers.20.self_attn.v_proj.weight"), nullptr);
  EXPECT_EQ(findWeight(w, "layers.20.self_attn.k_norm.weight"), nullptr);
  EXPECT_NE(findWeight(w, "layers.20.self_attn.q_norm.weight"), nullptr);
  EXPECT_EQ(findWeight(w, "layers.20.mlp.down_proj.weight")->shape,
            (std::vector<int64_t>{1536, 12288}));
  // PLE per layer and the layer scalar.
  EXPECT_EQ(findWeight(w, "layers.3.per_layer_input_gate.weight")->shape,
            (std::vector<int64_t>{256, 1536}));
  EXPECT_EQ(findWeight(w, "layers.3.per_layer_projection.weight")->shape,
            (std::vector<int64_t>{1536, 256}));
  const WeightSpec *scalar = findWeight(w, "layers.34.layer_scalar");
  ASSERT_NE(scalar, nullptr);
  EXPECT_EQ(scalar->shape, (std::vector<int64_t>{1}));
  EXPECT_EQ(scalar->cls, WeightClass::LayerScalar);
  EXPECT_EQ(scalar->layer, 34);
  EXPECT_EQ(findWeight(w, "layers.0.router.scale"), nullptr);
}

TEST(WeightSpec, MoeNamesAndShapes) {
  std::vector<WeightSpec> w = expectedWeights(parse(moe26bConfig()));
  EXPECT_EQ(findWeight(w, "embed_tokens_per_layer.weight"), nullptr);
  // Full layer 5: k_eq_v, no v_proj.
  EXPECT_EQ(findWeight(w, "layers.5.self_attn.v_proj.weight"), nullptr);
  EXPECT_EQ(findWeight(w, "layers.5.self_attn.k_proj.weight")->shape,
            (std::vector<int64_t>{1024, 2816}));
  EXPECT_EQ(findWeight(w, "layers.4.self_attn.v_proj.weight")->shape,
            (std::vector<int64_t>{2048, 2816}));
  EXPECT_EQ(findWeight(w, "layers.0.router.proj.weight")->shape,
            (std::vector<int64_t>{128, 2816}));
  EXPECT_EQ(findWeight(w, "layers.0.router.scale")->shape,
            (std::vector<int64_t>{2816}));
  EXPECT_EQ(findWeight(w, "layers.0.router.per_expert_scale")->shape,
            (std::vector<int64_t>{128}));
  EXPECT_EQ(findWeight(w, "layers.0.experts.gate_up_proj")->shape,
            (std::vector<int64_t>{128, 1408, 2816}));
  EXPECT_EQ(findWeight(w, "layers.0.experts.down_proj")->shape,
            (std::vector<int64_t>{128, 2816, 704}));
  for (const char *norm : {"layers.7.pre_feedforward_layernorm_2.weight",
                           "layers.7.post_feedforward_layernorm_1.weight",
                           "layers.7.post_feedforward_layernorm_2.weight"}) {
    const WeightSpec *spec = findWeight(w, norm);
    ASSERT_NE(spec, nullptr) << norm;
    EXPECT_EQ(spec->shape, (std::vector<int64_t>{2816}));
    EXPECT_EQ(spec->cls, WeightClass::Norm);
  }
}

TEST(WeightSpec, NamesUniqueAndOrdered) {
  for (const json &config :
       {e2bConfig(), e4bConfig(), moe26bConfig(), dense31bConfig()}) {
    std::vector<WeightSpec> w = expectedWeights(parse(config));
    std::set<std::string> names;
    int lastLayer = -1;
    for (const WeightSpec &spec : w) {
      EXPECT_TRUE(names.insert(spec.name).second) << spec.name;
      EXPECT_GE(spec.layer, lastLayer) << spec.name;
      lastLayer = spec.layer;
      for (int64_t dim : spec.shape)
        EXPECT_GT(dim, 0) << spec.name;
    }
  }
}

TEST(WeightSpec, ClassNames) {
  EXPECT_EQ(weightClassName(WeightClass::Embedding), "embedding");
  EXPECT_EQ(weightClassName(WeightClass::PLETable), "ple_table");
  EXPECT_EQ(weightClassName(WeightClass::PLEModelProjection), "ple_projection");
  EXPECT_EQ(weightClassName(WeightClass::PLELayer), "ple_layer");
  EXPECT_EQ(weightClassName(WeightClass::Attention), "attention");
  EXPECT_EQ(weightClassName(WeightClass::MLP), "mlp");
  EXPECT_EQ(weightClassName(WeightClass::Experts), "experts");
  EXPECT_EQ(weightClassName(WeightClass::Router), "router");
  EXPECT_EQ(weightClassName(WeightClass::Norm), "norm");
  EXPECT_EQ(weightClassName(WeightClass::LayerScalar), "layer_scalar");
}
