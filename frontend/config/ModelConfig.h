//===- ModelConfig.h - Gemma 4 text-decoder configuration -------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Parses a Hugging Face config.json of a Gemma 4 model (either the multimodal
// form, model_type "gemma4" with a nested "text_config", or the text-only
// form, model_type "gemma4_text") and derives the per-layer geometry of the
// text decoder: attention kind, window, head dim, KV heads, KV sharing,
// k_eq_v, MLP width and RoPE. See /work/shared/GEMMA4.md sections 1-2.
//
// The file is untrusted: every problem is a facet::Error naming the file and
// the field path ("config.json: text_config.hidden_size: ..."), and sizes are
// bounded so that no input can make Facet allocate absurd amounts of memory.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_FRONTEND_CONFIG_MODELCONFIG_H
#define FACET_FRONTEND_CONFIG_MODELCONFIG_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace facet {

enum class AttentionKind { Sliding, Full };

/// "sliding" / "full".
std::string_view attentionKindName(AttentionKind kind);

/// The RoPE parameters of one layer type (config.json "rope_parameters").
struct RopeConfig {
  std::string type; ///< "default" or "proportional"
  double theta;
  double partialRotaryFactor = 1.0;
};

/// The derived geometry of one decoder layer.
struct LayerSpec {
  int index;
  AttentionKind kind;
  int64_t window;    ///< sliding_window for sliding layers, 0 for full layers
  int64_t headDim;   ///< head_dim (sliding) or the global head dim (full)
  int64_t kvHeads;   ///< KV heads of this layer (of its source if KV-shared)
  int kvSourceLayer; ///< -1 if the layer computes and owns its KV cache; else
                     ///< the layer whose cache it reads
  bool kEqV;         ///< full layer with attention_k_eq_v: no v_proj, V is the
                     ///< raw K projection
  int64_t mlpWidth;  ///< intermediate_size, x2 on KV-shared layers when
                     ///< use_double_wide_mlp
  double ropeTheta;
  int64_t rotaryDims; ///< dims that rotate: headDim for "default",
                      ///< 2*floor(partial_rotary_factor*headDim/2) for
                      ///< "proportional"

  bool isKVShared() const { return kvSourceLayer >= 0; }
};

struct ModelConfig {
  std::string origin;    ///< file name for messages
  std::string modelType; ///< "gemma4" (nested text_config) or "gemma4_text"
  bool nestedTextConfig = false;

  int64_t vocabSize = 0, hiddenSize = 0, intermediateSize = 0, numLayers = 0,
          numHeads = 0, numKVHeads = 0, headDim = 0, globalHeadDim = 0;
  std::optional<int64_t> numGlobalKVHeads;
  bool attentionKEqV = false;
  double rmsNormEps = 1e-6;
  int64_t slidingWindow = 0;
  std::optional<double> finalLogitSoftcap;
  bool tieWordEmbeddings = true;
  int64_t maxPositionEmbeddings = 0;
  int64_t plePerLayerWidth = 0; ///< hidden_size_per_layer_input; 0 = no PLE
  int64_t pleVocabSize = 0;     ///< vocab_size_per_layer_input
  int64_t numKVSharedLayers = 0;
  bool doubleWideMlp = false;
  bool moe = false;
  int64_t numExperts = 0, topKExperts = 0, moeIntermediateSize = 0;
  std::string hiddenActivation;
  RopeConfig slidingRope, fullRope;
  std::vector<LayerSpec> layers; ///< derived per-layer geometry, numLayers long
  /// Non-fatal findings (e.g. the last layer forced to full attention), for
  /// the driver to print.
  std::vector<std::string> warnings;

  bool hasPLE() const { return plePerLayerWidth > 0; }
  /// numLayers - numKVSharedLayers.
  int firstKVSharedLayer() const {
    return static_cast<int>(numLayers - numKVSharedLayers);
  }
};

/// Sanity limits on config values (far above any real model, low enough that
/// no value can trigger huge allocations or int64 overflow in shape math).
struct ModelConfigLimits {
  static constexpr int64_t kMaxDim = int64_t(1) << 20; // hidden, FFN, head dim
  static constexpr int64_t kMaxVocab = int64_t(1) << 24;
  static constexpr int64_t kMaxLayers = 1024;
  static constexpr int64_t kMaxHeads = 4096;
  static constexpr int64_t kMaxExperts = 4096;
  static constexpr int64_t kMaxPositions = int64_t(1) << 30;
};

/// Parses config.json text. Throws facet::Error.
ModelConfig parseModelConfig(std::string_view jsonText,
                             const std::string &origin);

/// Reads and parses the file at `path` (messages name `path`).
ModelConfig loadModelConfig(const std::string &path);

} // namespace facet

#endif // FACET_FRONTEND_CONFIG_MODELCONFIG_H
