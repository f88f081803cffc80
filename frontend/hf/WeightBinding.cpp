//===- WeightBinding.cpp - Match a checkpoint to a config's weights -------===//

#include "frontend/hf/WeightBinding.h"

#include "frontend/support/Error.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdio>
#include <set>

namespace facet {
namespace {

const char *const kPrefixes[] = {"model.language_model.", "model."};

std::string shapeText(const std::vector<int64_t> &shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

/// The prefix under which this checkpoint stores the text decoder, found by
/// the embedding table every Gemma 4 checkpoint has.
std::string detectPrefix(const CheckpointFiles &checkpoint) {
  for (const char *prefix : kPrefixes)
    if (checkpoint.find(std::string(prefix) + "embed_tokens.weight"))
      return prefix;
  throw Error(fmt::format(
      "{}: no text decoder found: expected tensor "
      "'model.language_model.embed_tokens.weight' or "
      "'model.embed_tokens.weight'",
      checkpoint.dir()));
}

/// Tensors a valid checkpoint may hold that the text decoder does not use:
/// the vision/audio towers, and k/v projections and norms that older
/// conversions still wrote for KV-shared layers (GEMMA4.md §2.6).
bool isIgnorable(const ModelConfig &config, const std::string &name,
                 const std::string &prefix) {
  std::string rest = name.substr(prefix.size());
  for (const char *tower :
       {"vision_tower.", "embed_vision.", "audio_tower.", "embed_audio."})
    if (rest.rfind(tower, 0) == 0)
      return true;
  int layer = -1;
  char field[64] = {0};
  if (std::sscanf(rest.c_str(), "layers.%d.self_attn.%63s", &layer, field) != 2)
    return false;
  if (layer < config.firstKVSharedLayer() || layer >= config.numLayers)
    return false;
  std::string f = field;
  return f == "k_proj.weight" || f == "v_proj.weight" ||
         f == "k_norm.weight" || f == "v_norm.weight";
}

} // namespace

WeightBinding bindWeights(const ModelConfig &config,
                          const CheckpointFiles &checkpoint) {
  WeightBinding binding;
  binding.prefix = detectPrefix(checkpoint);

  std::set<std::string> used;
  for (WeightSpec &spec : expectedWeights(config)) {
    std::string fullName = binding.prefix + spec.name;
    const TensorView *tensor = checkpoint.find(fullName);
    if (!tensor)
      throw Error(fmt::format("{}: missing tensor '{}' (expected shape {})",
                              checkpoint.dir(), fullName,
                              shapeText(spec.shape)));
    if (tensor->shape != spec.shape)
      throw Error(fmt::format(
          "{}: tensor '{}' has shape {} but the config requires {}",
          checkpoint.dir(), fullName, shapeText(tensor->shape),
          shapeText(spec.shape)));
    if (tensor->dtype != DType::F32 && tensor->dtype != DType::F16 &&
        tensor->dtype != DType::BF16)
      throw Error(fmt::format(
          "{}: tensor '{}' has dtype {}; Facet imports F32, F16 or BF16 "
          "weights",
          checkpoint.dir(), fullName, dtypeName(tensor->dtype)));
    used.insert(fullName);
    binding.weights.push_back({std::move(spec), tensor});
  }

  // An explicit LM head must be the tied embedding's twin, or the model is
  // not the one this config describes.
  if (const TensorView *head = checkpoint.find("lm_head.weight")) {
    const TensorView *embed =
        checkpoint.find(binding.prefix + "embed_tokens.weight");
    if (head->shape != embed->shape)
      throw Error(fmt::format(
          "{}: 'lm_head.weight' has shape {} but the tied embedding is {}",
          checkpoint.dir(), shapeText(head->shape), shapeText(embed->shape)));
  }

  // Anything else under the decoder's prefix means the checkpoint and the
  // config disagree (a PLE table the config does not declare, an extra
  // layer...): refuse rather than silently drop weights.
  for (const std::string &name : checkpoint.tensorNames()) {
    if (used.count(name))
      continue;
    ++binding.ignoredTensors;
    if (name.rfind(binding.prefix, 0) != 0 || isIgnorable(config, name, binding.prefix))
      continue;
    throw Error(fmt::format(
        "{}: tensor '{}' is not part of the Gemma 4 text decoder described "
        "by config.json (the checkpoint and the config disagree)",
        checkpoint.dir(), name));
  }
  return binding;
}

} // namespace facet
