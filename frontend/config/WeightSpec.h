//===- WeightSpec.h - The tensors a Gemma 4 checkpoint holds ----*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The text-decoder tensors (HF names and shapes, GEMMA4.md section 3.2) that a
// checkpoint of a given ModelConfig must contain.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_FRONTEND_CONFIG_WEIGHTSPEC_H
#define FACET_FRONTEND_CONFIG_WEIGHTSPEC_H

#include "frontend/config/ModelConfig.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace facet {

enum class WeightClass {
  Embedding,
  PLETable,
  PLEModelProjection,
  PLELayer,
  Attention,
  MLP,
  Experts,
  Router,
  Norm,
  LayerScalar,
};

/// "embedding", "ple_table", "ple_projection", "ple_layer", "attention",
/// "mlp", "experts", "router", "norm", "layer_scalar".
std::string_view weightClassName(WeightClass cls);

struct WeightSpec {
  std::string name;           ///< without the "model." prefix
  std::vector<int64_t> shape; ///< HF order: [out, in] for linears
  WeightClass cls;
  int layer; ///< -1 for model-level tensors
  int64_t numElements() const;
};

/// The HF name prefixes of text-decoder tensors: "model.language_model."
/// (Gemma4ForConditionalGeneration) and "model." (Gemma4ForCausalLM).
inline constexpr std::string_view kNestedWeightPrefix = "model.language_model.";
inline constexpr std::string_view kFlatWeightPrefix = "model.";

/// Every text-decoder tensor a checkpoint of `config` must hold, names
/// without the prefix, in a stable order (model-level first, then layer by
/// layer). The tied LM head is not listed (it is embed_tokens.weight).
/// KV-shared layers have no k_proj / v_proj / k_norm; k_eq_v full layers
/// have no v_proj.
std::vector<WeightSpec> expectedWeights(const ModelConfig &config);

} // namespace facet

#endif // FACET_FRONTEND_CONFIG_WEIGHTSPEC_H
