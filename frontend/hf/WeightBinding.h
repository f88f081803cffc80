//===- WeightBinding.h - Match a checkpoint to a config's weights -*- C++ -*-===//
//
// Finds every weight a Gemma 4 config needs in a Hugging Face checkpoint,
// accepting the `model.language_model.` (multimodal) and `model.` (text-only)
// prefixes, and checks dtypes and shapes. No MLIR here: the runtime will bind
// weights the same way when it packs a checkpoint at load time.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_FRONTEND_HF_WEIGHTBINDING_H
#define FACET_FRONTEND_HF_WEIGHTBINDING_H

#include "frontend/config/ModelConfig.h"
#include "frontend/config/WeightSpec.h"
#include "frontend/safetensors/Checkpoint.h"

#include <string>
#include <vector>

namespace facet {

struct BoundWeight {
  WeightSpec spec;
  const TensorView *tensor; // inside the checkpoint's mapped files
};

struct WeightBinding {
  std::string prefix; // "model.language_model." or "model."
  std::vector<BoundWeight> weights; // in expectedWeights() order
  // Tensors present but deliberately unused (KV-shared layers' k/v, a copy
  // of the tied LM head, vision/audio towers), counted for the report.
  size_t ignoredTensors = 0;
};

/// Binds every expected weight; throws facet::Error naming the tensor, the
/// expected shape and what was found, for the first weight that is missing,
/// mis-shaped or not f32/f16/bf16.
WeightBinding bindWeights(const ModelConfig &config,
                          const CheckpointFiles &checkpoint);

} // namespace facet

#endif // FACET_FRONTEND_HF_WEIGHTBINDING_H
