//===- WeightSpec.cpp - The tensors a Gemma 4 checkpoint holds ------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "frontend/config/WeightSpec.h"
#include "frontend/support/Error.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <limits>

namespace facet {

std::string_view weightClassName(WeightClass cls) {
  switch (cls) {
  case WeightClass::Embedding:
    return "embedding";
  case WeightClass::PLETable:
    return "ple_table";
  case WeightClass::PLEModelProjection:
    return "ple_projection";
  case WeightClass::PLELayer:
    return "ple_layer";
  case WeightClass::Attention:
    return "attention";
  case WeightClass::MLP:
    return "mlp";
  case WeightClass::Experts:
    return "experts";
  case WeightClass::Router:
    return "router";
  case WeightClass::Norm:
    return "norm";
  case WeightClass::LayerScalar:
    return "layer_scalar";
  }
  return "unknown";
}

int64_t WeightSpec::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    if (dim < 0 || __builtin_mul_overflow(count, dim, &count))
      throw Error(fmt::format("weight {}: shape [{}] has no valid element "
                              "count",
                              name, fmt::join(shape, ", ")));
  return count;
}

std::vector<WeightSpec> expectedWeights(const ModelConfig &config) {
  const int64_t d = config.hiddenSize;
  const int64_t L = config.numLayers;
  const int64_t P = config.plePerLayerWidth;
  const int64_t H = config.numHeads;

  std::vector<WeightSpec> weights;
  auto add = [&](std::string name, std::vector<int64_t> shape, WeightClass cls,
                 int layer) {
    weights.push_back({std::move(name), std::move(shape), cls, layer});
  };

  add("embed_tokens.weight", {config.vocabSize, d}, WeightClass::Embedding, -1);
  if (config.hasPLE()) {
    add("embed_tokens_per_layer.weight", {config.pleVocabSize, L * P},
        WeightClass::PLETable, -1);
    add("per_layer_model_projection.weight", {L * P, d},
        WeightClass::PLEModelProjection, -1);
    add("per_layer_projection_norm.weight", {P}, WeightClass::Norm, -1);
  }
  add("norm.weight", {d}, WeightClass::Norm, -1);

  for (const LayerSpec &layer : config.layers) {
    const int i = layer.index;
    const std::string p = fmt::format("layers.{}.", i);
    const int64_t hd = layer.headDim;
    const int64_t kv = layer.kvHeads;
    const int64_t ff = layer.mlpWidth;

    add(p + "input_layernorm.weight", {d}, WeightClass::Norm, i);
    add(p + "self_attn.q_proj.weight", {H * hd, d}, WeightClass::Attention, i);
    add(p + "self_attn.q_norm.weight", {hd}, WeightClass::Norm, i);
    if (!layer.isKVShared()) {
      add(p + "self_attn.k_proj.weight", {kv * hd, d}, WeightClass::Attention,
          i);
      add(p + "self_attn.k_norm.weight", {hd}, WeightClass::Norm, i);
      if (!layer.kEqV)
        add(p + "self_attn.v_proj.weight", {kv * hd, d}, WeightClass::Attention,
            i);
    }
    add(p + "self_attn.o_proj.weight", {d, H * hd}, WeightClass::Attention, i);
    add(p + "post_attention_layernorm.weight", {d}, WeightClass::Norm, i);

    add(p + "pre_feedforward_layernorm.weight", {d}, WeightClass::Norm, i);
    add(p + "mlp.gate_proj.weight", {ff, d}, WeightClass::MLP, i);
    add(p + "mlp.up_proj.weight", {ff, d}, WeightClass::MLP, i);
    add(p + "mlp.down_proj.weight", {d, ff}, WeightClass::MLP, i);
    add(p + "post_feedforward_layernorm.weight", {d}, WeightClass::Norm, i);

    if (config.moe) {
      const int64_t E = config.numExperts;
      const int64_t F = config.moeIntermediateSize;
      add(p + "router.proj.weight", {E, d}, WeightClass::Router, i);
      add(p + "router.scale", {d}, WeightClass::Router, i);
      add(p + "router.per_expert_scale", {E}, WeightClass::Router, i);
      add(p + "experts.gate_up_proj", {E, 2 * F, d}, WeightClass::Experts, i);
      add(p + "experts.down_proj", {E, d, F}, WeightClass::Experts, i);
      add(p + "pre_feedforward_layernorm_2.weight", {d}, WeightClass::Norm, i);
      add(p + "post_feedforward_layernorm_1.weight", {d}, WeightClass::Norm, i);
      add(p + "post_feedforward_layernorm_2.weight", {d}, WeightClass::Norm, i);
    }

    if (config.hasPLE()) {
      add(p + "per_layer_input_gate.weight", {P, d}, WeightClass::PLELayer, i);
      add(p + "per_layer_projection.weight", {d, P}, WeightClass::PLELayer, i);
      add(p + "post_per_layer_input_norm.weight", {d}, WeightClass::Norm, i);
    }

    add(p + "layer_scalar", {1}, WeightClass::LayerScalar, i);
  }
  return weights;
}

} // namespace facet
