//===- ModelConfig.cpp - Gemma 4 text-decoder configuration ---------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Field names, defaults and derivation rules follow transformers'
// Gemma4TextConfig (GEMMA4.md section 1). Both on-disk schemas are accepted:
// the older one with `global_head_dim` / `num_global_key_value_heads`, and the
// newer one where save_pretrained writes a `per_layer_config` of per-layer
// overrides (and no `global_head_dim`).
//
//===----------------------------------------------------------------------===//

#include "frontend/config/ModelConfig.h"
#include "frontend/support/Error.h"
#include "frontend/support/Json.h"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include <sys/stat.h>

using nlohmann::json;

namespace facet {

std::string_view attentionKindName(AttentionKind kind) {
  return kind == AttentionKind::Sliding ? "sliding" : "full";
}

namespace {

using Limits = ModelConfigLimits;

constexpr const char *kSlidingType = "sliding_attention";
constexpr const char *kFullType = "full_attention";

/// Typed, range-checked access to the fields of one JSON object, with
/// messages of the form "<origin>: <prefix><key>: <problem>".
class Fields {
public:
  Fields(const json &object, std::string prefix, const std::string &origin)
      : object_(object), prefix_(std::move(prefix)), origin_(origin) {}

  std::string path(std::string_view key) const {
    return prefix_ + std::string(key);
  }

  [[noreturn]] void fail(std::string_view key,
                         const std::string &problem) const {
    throw Error(fmt::format("{}: {}: {}", origin_, path(key), problem));
  }

  /// The value, or nullptr if absent.
  const json *get(std::string_view key) const {
    auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }

  /// The value, or nullptr if absent or null.
  const json *getNonNull(std::string_view key) const {
    const json *value = get(key);
    return value && !value->is_null() ? value : nullptr;
  }

  int64_t requiredInt(std::string_view key, int64_t min, int64_t max) const {
    const json *value = get(key);
    if (!value)
      fail(key, "missing required field");
    return toInt(key, *value, min, max);
  }

  /// Absent or null: `defaultValue`.
  int64_t optionalInt(std::string_view key, int64_t defaultValue, int64_t min,
                      int64_t max) const {
    const json *value = getNonNull(key);
    return value ? toInt(key, *value, min, max) : defaultValue;
  }

  /// Absent or null: std::nullopt.
  std::optional<int64_t> nullableInt(std::string_view key, int64_t min,
                                     int64_t max) const {
    const json *value = getNonNull(key);
    if (!value)
      return std::nullopt;
    return toInt(key, *value, min, max);
  }

  bool optionalBool(std::string_view key, bool defaultValue) const {
    const json *value = getNonNull(key);
    if (!value)
      return defaultValue;
    if (!value->is_boolean())
      fail(key, fmt::format("expected a boolean, found {}", describe(*value)));
    return value->get<bool>();
  }

  std::optional<double> nullableNumber(std::string_view key) const {
    const json *value = getNonNull(key);
    if (!value)
      return std::nullopt;
    return toNumber(key, *value);
  }

  double requiredNumber(std::string_view key) const {
    const json *value = get(key);
    if (!value)
      fail(key, "missing required field");
    return toNumber(key, *value);
  }

  std::optional<std::string> nullableString(std::string_view key) const {
    const json *value = getNonNull(key);
    if (!value)
      return std::nullopt;
    if (!value->is_string())
      fail(key, fmt::format("expected a string, found {}", describe(*value)));
    return value->get<std::string>();
  }

  static std::string describe(const json &value) {
    switch (value.type()) {
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
    case json::value_t::boolean:
      return fmt::format("{} {}", jsonTypeName(value), value.dump());
    case json::value_t::string:
      return fmt::format("string {}",
                         quoteForMessage(value.get_ref<const std::string &>()));
    default:
      return jsonTypeName(value);
    }
  }

private:
  int64_t toInt(std::string_view key, const json &value, int64_t min,
                int64_t max) const {
    if (!value.is_number_integer())
      fail(key, fmt::format("expected an integer, found {}", describe(value)));
    if (value.is_number_unsigned() &&
        value.get<uint64_t>() >
            static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      fail(key, fmt::format("{} is out of range (expected {}..{})",
                            value.dump(), min, max));
    int64_t result = value.get<int64_t>();
    if (result < min || result > max)
      fail(key, fmt::format("{} is out of range (expected {}..{})", result, min,
                            max));
    return result;
  }

  double toNumber(std::string_view key, const json &value) const {
    if (!value.is_number())
      fail(key, fmt::format("expected a number, found {}", describe(value)));
    double result = value.get<double>();
    if (!std::isfinite(result))
      fail(key, fmt::format("{} is not a finite number", value.dump()));
    return result;
  }

  const json &object_;
  std::string prefix_;
  const std::string &origin_;
};

RopeConfig defaultRope(AttentionKind kind) {
  if (kind == AttentionKind::Sliding)
    return {"default", 10000.0, 1.0};
  return {"proportional", 1000000.0, 0.25};
}

RopeConfig parseRope(const json &entry, const std::string &prefix,
                     const std::string &origin, ModelConfig &config) {
  Fields fields(entry, prefix, origin);
  RopeConfig rope;
  std::optional<std::string> type = fields.nullableString("rope_type");
  if (!type)
    fields.fail("rope_type", "missing required field");
  if (*type != "default" && *type != "proportional")
    fields.fail("rope_type",
                fmt::format("unsupported rope_type {} (Facet supports "
                            "'default' and 'proportional')",
                            quoteForMessage(*type)));
  rope.type = *type;
  rope.theta = fields.requiredNumber("rope_theta");
  if (rope.theta <= 0)
    fields.fail("rope_theta", fmt::format("{} is not positive", rope.theta));
  rope.partialRotaryFactor =
      fields.nullableNumber("partial_rotary_factor").value_or(1.0);
  if (!(rope.partialRotaryFactor > 0 && rope.partialRotaryFactor <= 1))
    fields.fail("partial_rotary_factor",
                fmt::format("{} is out of range (expected 0 < factor <= 1)",
                            rope.partialRotaryFactor));
  if (rope.type == "default" && rope.partialRotaryFactor != 1.0)
    config.warnings.push_back(fmt::format(
        "{}: {}partial_rotary_factor {} is ignored for rope_type 'default' "
        "(Gemma 4 rotates all head dims of such layers)",
        origin, prefix, rope.partialRotaryFactor));
  // RoPE scaling (the "factor" of proportional / linear RoPE) is not used by
  // any Gemma 4 release; refuse rather than silently ignore it.
  for (const char *scaling : {"factor", "attention_factor"}) {
    std::optional<double> value = fields.nullableNumber(scaling);
    if (value && *value != 1.0)
      fields.fail(scaling, fmt::format("RoPE scaling {} is not supported "
                                       "(expected 1.0 or absent)",
                                       *value));
  }
  return rope;
}

std::string readConfigFile(const std::string &path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    throw Error(
        fmt::format("{}: cannot read config: {}", path, std::strerror(errno)));
  if (!S_ISREG(st.st_mode))
    throw Error(
        fmt::format("{}: cannot read config: not a regular file", path));
  constexpr off_t kMaxConfigSize = 16 << 20;
  if (st.st_size > kMaxConfigSize)
    throw Error(fmt::format("{}: config is {} bytes, more than the {} byte "
                            "limit for a config.json",
                            path, static_cast<int64_t>(st.st_size),
                            static_cast<int64_t>(kMaxConfigSize)));
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(
        fmt::format("{}: cannot read config: {}", path, std::strerror(errno)));
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad())
    throw Error(fmt::format("{}: cannot read config: read error", path));
  return contents.str();
}

} // namespace

ModelConfig parseModelConfig(std::string_view jsonText,
                             const std::string &origin) {
  ModelConfig config;
  config.origin = origin;

  JsonParseOptions options;
  options.rejectDuplicateKeys = false; // Python's json keeps the last one too
  options.maxDepth = 64;
  options.maxArrayLength = 1 << 16; // layer_types has at most kMaxLayers
  json root = parseJson(jsonText, origin, options);
  if (!root.is_object())
    throw Error(fmt::format("{}: config is a JSON {}, expected an object",
                            origin, jsonTypeName(root)));

  // --- model_type and the text_config nesting -----------------------------
  Fields top(root, "", origin);
  const json *modelTypeJson = top.get("model_type");
  if (!modelTypeJson || modelTypeJson->is_null())
    top.fail("model_type", "missing required field (expected 'gemma4' or "
                           "'gemma4_text')");
  if (!modelTypeJson->is_string())
    top.fail("model_type", fmt::format("expected a string, found {}",
                                       Fields::describe(*modelTypeJson)));
  config.modelType = modelTypeJson->get<std::string>();

  const json *text = &root;
  std::string prefix;
  if (config.modelType == "gemma4") {
    config.nestedTextConfig = true;
    const json *textConfig = top.get("text_config");
    if (!textConfig || textConfig->is_null())
      top.fail("text_config", "missing required field (model_type 'gemma4' "
                              "keeps the decoder in a nested text_config)");
    if (!textConfig->is_object())
      top.fail("text_config", fmt::format("expected an object, found {}",
                                          Fields::describe(*textConfig)));
    if (!top.optionalBool("tie_word_embeddings", true))
      top.fail("tie_word_embeddings",
               "false is not supported: Facet supports tied LM heads only "
               "(all Gemma 4 releases tie lm_head to embed_tokens)");
    text = textConfig;
    prefix = "text_config.";
    Fields nested(*text, prefix, origin);
    std::optional<std::string> nestedType = nested.nullableString("model_type");
    if (nestedType && *nestedType != "gemma4_text")
      nested.fail("model_type", fmt::format("expected 'gemma4_text', found {}",
                                            quoteForMessage(*nestedType)));
  } else if (config.modelType != "gemma4_text") {
    top.fail("model_type",
             fmt::format("unsupported model_type {}: Facet compiles Gemma 4 "
                         "(gemma4, gemma4_text)",
                         quoteForMessage(config.modelType)));
  }
  Fields f(*text, prefix, origin);

  // --- scalar fields --------------------------------------------------------
  config.vocabSize = f.requiredInt("vocab_size", 1, Limits::kMaxVocab);
  config.hiddenSize = f.requiredInt("hidden_size", 1, Limits::kMaxDim);
  config.intermediateSize =
      f.requiredInt("intermediate_size", 1, Limits::kMaxDim);
  config.numLayers = f.requiredInt("num_hidden_layers", 1, Limits::kMaxLayers);
  config.numHeads = f.requiredInt("num_attention_heads", 1, Limits::kMaxHeads);
  config.numKVHeads =
      f.requiredInt("num_key_value_heads", 1, Limits::kMaxHeads);
  config.headDim = f.requiredInt("head_dim", 1, Limits::kMaxDim);

  // global_head_dim: absent -> 512; null or 0 ("falsy") -> head_dim.
  int64_t configuredGlobalHeadDim = 512;
  if (const json *value = f.get("global_head_dim")) {
    if (value->is_null())
      configuredGlobalHeadDim = config.headDim;
    else {
      configuredGlobalHeadDim =
          f.optionalInt("global_head_dim", 512, 0, Limits::kMaxDim);
      if (configuredGlobalHeadDim == 0)
        configuredGlobalHeadDim = config.headDim;
    }
  }
  config.numGlobalKVHeads =
      f.nullableInt("num_global_key_value_heads", 1, Limits::kMaxHeads);
  config.attentionKEqV = f.optionalBool("attention_k_eq_v", false);

  config.hiddenActivation =
      f.nullableString("hidden_activation").value_or("gelu_pytorch_tanh");
  if (config.hiddenActivation != "gelu_pytorch_tanh")
    f.fail("hidden_activation",
           fmt::format("unsupported activation {} (Gemma 4 uses "
                       "'gelu_pytorch_tanh')",
                       quoteForMessage(config.hiddenActivation)));

  config.maxPositionEmbeddings = f.optionalInt(
      "max_position_embeddings", 131072, 1, Limits::kMaxPositions);
  config.rmsNormEps = f.nullableNumber("rms_norm_eps").value_or(1e-6);
  if (!(config.rmsNormEps > 0 && config.rmsNormEps < 1))
    f.fail("rms_norm_eps", fmt::format("{} is out of range (expected 0 < eps "
                                       "< 1)",
                                       config.rmsNormEps));

  config.tieWordEmbeddings = f.optionalBool("tie_word_embeddings", true);
  if (!config.tieWordEmbeddings)
    f.fail("tie_word_embeddings",
           "false is not supported: Facet supports tied LM heads only (all "
           "Gemma 4 releases tie lm_head to embed_tokens)");
  if (f.optionalBool("attention_bias", false))
    f.fail("attention_bias", "true is not supported (Gemma 4 has no "
                             "attention biases)");

  config.slidingWindow =
      f.optionalInt("sliding_window", 512, 1, Limits::kMaxPositions);

  config.finalLogitSoftcap = f.nullableNumber("final_logit_softcapping");
  if (config.finalLogitSoftcap && *config.finalLogitSoftcap <= 0)
    f.fail("final_logit_softcapping",
           fmt::format("{} is not positive (use null to disable)",
                       *config.finalLogitSoftcap));

  if (std::optional<std::string> bidirectional =
          f.nullableString("use_bidirectional_attention")) {
    if (*bidirectional == "all")
      f.fail("use_bidirectional_attention",
             "'all' (fully bidirectional attention) is not supported for text "
             "generation");
    if (*bidirectional != "vision")
      f.fail("use_bidirectional_attention",
             fmt::format("unknown value {} (expected null, 'vision' or 'all')",
                         quoteForMessage(*bidirectional)));
    // "vision" only changes masks around image tokens: irrelevant for text.
  }

  // PLE: hidden_size_per_layer_input 0 or null disables it.
  {
    const json *value = f.get("hidden_size_per_layer_input");
    config.plePerLayerWidth = value
                                  ? f.optionalInt("hidden_size_per_layer_input",
                                                  0, 0, Limits::kMaxDim)
                                  : 256;
    config.pleVocabSize = f.optionalInt("vocab_size_per_layer_input", 262144, 1,
                                        Limits::kMaxVocab);
    if (!config.hasPLE())
      config.pleVocabSize = 0;
  }

  config.numKVSharedLayers =
      f.optionalInt("num_kv_shared_layers", 0, 0, config.numLayers);
  config.doubleWideMlp = f.optionalBool("use_double_wide_mlp", false);

  config.moe = f.optionalBool("enable_moe_block", false);
  if (config.moe) {
    std::optional<int64_t> experts =
        f.nullableInt("num_experts", 1, Limits::kMaxExperts);
    if (!experts)
      f.fail("num_experts", "missing required field (enable_moe_block is "
                            "true)");
    std::optional<int64_t> topK = f.nullableInt("top_k_experts", 1, *experts);
    if (!topK)
      f.fail("top_k_experts", "missing required field (enable_moe_block is "
                              "true)");
    std::optional<int64_t> width =
        f.nullableInt("moe_intermediate_size", 1, Limits::kMaxDim);
    if (!width)
      f.fail("moe_intermediate_size", "missing required field "
                                      "(enable_moe_block is true)");
    config.numExperts = *experts;
    config.topKExperts = *topK;
    config.moeIntermediateSize = *width;
  }

  // --- layer types ----------------------------------------------------------
  const int numLayers = static_cast<int>(config.numLayers);
  std::vector<AttentionKind> kinds(numLayers);
  if (const json *types = f.getNonNull("layer_types")) {
    if (!types->is_array())
      f.fail("layer_types", fmt::format("expected an array of layer types, "
                                        "found {}",
                                        Fields::describe(*types)));
    if (types->size() != static_cast<size_t>(numLayers))
      f.fail("layer_types",
             fmt::format("has {} entries, expected num_hidden_layers = {}",
                         types->size(), numLayers));
    for (int i = 0; i < numLayers; ++i) {
      const json &type = (*types)[i];
      std::string key = fmt::format("layer_types[{}]", i);
      if (!type.is_string())
        f.fail(key, fmt::format("expected a string, found {}",
                                Fields::describe(type)));
      const auto &name = type.get_ref<const std::string &>();
      if (name == kSlidingType)
        kinds[i] = AttentionKind::Sliding;
      else if (name == kFullType)
        kinds[i] = AttentionKind::Full;
      else
        f.fail(key,
               fmt::format("unknown layer type {} (expected '{}' or "
                           "'{}')",
                           quoteForMessage(name), kSlidingType, kFullType));
    }
  } else {
    for (int i = 0; i < numLayers; ++i)
      kinds[i] =
          (i + 1) % 6 == 0 ? AttentionKind::Full : AttentionKind::Sliding;
  }
  if (kinds.back() != AttentionKind::Full) {
    kinds.back() = AttentionKind::Full;
    config.warnings.push_back(fmt::format(
        "{}: {}layer_types: the last layer ({}) must use full attention; "
        "forced to 'full_attention' (as transformers does)",
        origin, prefix, numLayers - 1));
  }
  bool usesSliding = false, usesFull = false;
  for (AttentionKind kind : kinds)
    (kind == AttentionKind::Sliding ? usesSliding : usesFull) = true;

  // --- RoPE
  // -------------------------------------------------------------------
  config.slidingRope = defaultRope(AttentionKind::Sliding);
  config.fullRope = defaultRope(AttentionKind::Full);
  if (const json *rope = f.getNonNull("rope_parameters")) {
    if (!rope->is_object())
      f.fail("rope_parameters",
             fmt::format("expected an object keyed by layer type, found {}",
                         Fields::describe(*rope)));
    Fields ropeFields(*rope, prefix + "rope_parameters.", origin);
    for (AttentionKind kind : {AttentionKind::Sliding, AttentionKind::Full}) {
      const char *typeName =
          kind == AttentionKind::Sliding ? kSlidingType : kFullType;
      bool used = kind == AttentionKind::Sliding ? usesSliding : usesFull;
      const json *entry = ropeFields.getNonNull(typeName);
      if (!entry) {
        if (used)
          ropeFields.fail(typeName,
                          fmt::format("missing RoPE parameters for the {} "
                                      "layers",
                                      attentionKindName(kind)));
        continue;
      }
      if (!entry->is_object())
        ropeFields.fail(typeName, fmt::format("expected an object, found {}",
                                              Fields::describe(*entry)));
      RopeConfig parsed =
          parseRope(*entry, ropeFields.path(typeName) + ".", origin, config);
      (kind == AttentionKind::Sliding ? config.slidingRope : config.fullRope) =
          parsed;
    }
  }

  // --- per-layer head dim and KV heads
  // -----------------------------------------
  std::vector<int64_t> headDims(numLayers), kvHeads(numLayers);
  const json *perLayer = f.getNonNull("per_layer_config");
  if (perLayer) {
    // Newer transformers: overrides on top of head_dim / num_key_value_heads.
    for (int i = 0; i < numLayers; ++i) {
      headDims[i] = config.headDim;
      kvHeads[i] = config.numKVHeads;
    }
    auto applyOverride = [&](const json &entry, const std::string &key,
                             auto &&selectLayer) {
      if (!entry.is_object())
        f.fail(key, fmt::format("expected an object of per-layer overrides, "
                                "found {}",
                                Fields::describe(entry)));
      Fields overrides(entry, f.path(key) + ".", origin);
      std::optional<int64_t> hd =
          overrides.nullableInt("head_dim", 1, Limits::kMaxDim);
      std::optional<int64_t> kv =
          overrides.nullableInt("num_key_value_heads", 1, Limits::kMaxHeads);
      for (int i = 0; i < numLayers; ++i) {
        if (!selectLayer(i))
          continue;
        if (hd)
          headDims[i] = *hd;
        if (kv)
          kvHeads[i] = *kv;
      }
    };
    if (perLayer->is_array()) {
      if (perLayer->size() != static_cast<size_t>(numLayers))
        f.fail("per_layer_config",
               fmt::format("has {} entries, expected num_hidden_layers = {}",
                           perLayer->size(), numLayers));
      for (int i = 0; i < numLayers; ++i) {
        const json &entry = (*perLayer)[i];
        if (entry.is_null())
          continue;
        applyOverride(entry, fmt::format("per_layer_config[{}]", i),
                      [i](int layer) { return layer == i; });
      }
    } else if (perLayer->is_object()) {
      // Layer-type keys first (they apply to every layer of the type), then
      // layer-index keys.
      for (AttentionKind kind : {AttentionKind::Sliding, AttentionKind::Full}) {
        const char *typeName =
            kind == AttentionKind::Sliding ? kSlidingType : kFullType;
        auto it = perLayer->find(typeName);
        if (it == perLayer->end() || it->is_null())
          continue;
        applyOverride(*it, fmt::format("per_layer_config.{}", typeName),
                      [&](int layer) { return kinds[layer] == kind; });
      }
      // save_pretrained writes decimal layer indices zero-padded to a common
      // width ("05", "11") so that the keys sort numerically.
      std::vector<bool> seen(numLayers, false);
      for (const auto &item : perLayer->items()) {
        const std::string &key = item.key();
        if (key == kSlidingType || key == kFullType)
          continue;
        bool plain = key.size() <= 40 &&
                     key.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                           "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789_-") == std::string::npos;
        std::string where = fmt::format("per_layer_config.{}",
                                        plain ? key : quoteForMessage(key));
        int layer = -1;
        if (!key.empty() && key.size() <= 9 &&
            key.find_first_not_of("0123456789") == std::string::npos)
          layer = std::stoi(key);
        if (layer < 0 || layer >= numLayers)
          f.fail(where, fmt::format("key is not a layer index in 0..{} or a "
                                    "layer type",
                                    numLayers - 1));
        if (seen[layer])
          f.fail(where, fmt::format("layer {} has two entries", layer));
        seen[layer] = true;
        if (item.value().is_null())
          continue;
        applyOverride(item.value(), where,
                      [layer](int i) { return i == layer; });
      }
    } else {
      f.fail("per_layer_config",
             fmt::format("expected an object (layer index -> overrides), "
                         "found {}",
                         Fields::describe(*perLayer)));
    }
  } else {
    for (int i = 0; i < numLayers; ++i) {
      bool full = kinds[i] == AttentionKind::Full;
      headDims[i] = full ? configuredGlobalHeadDim : config.headDim;
      kvHeads[i] = full && config.attentionKEqV && config.numGlobalKVHeads
                       ? *config.numGlobalKVHeads
                       : config.numKVHeads;
    }
  }

  config.globalHeadDim = configuredGlobalHeadDim;
  for (int i = 0; i < numLayers; ++i) {
    if (kinds[i] != AttentionKind::Full)
      continue;
    config.globalHeadDim = headDims[i];
    if (perLayer && !config.numGlobalKVHeads && kvHeads[i] != config.numKVHeads)
      config.numGlobalKVHeads = kvHeads[i];
    break;
  }

  // --- KV sharing
  // ---------------------------------------------------------------
  const int firstShared = config.firstKVSharedLayer();
  if (config.numKVSharedLayers > 0 && firstShared == 0)
    f.fail("num_kv_shared_layers",
           fmt::format("{} shares every layer's KV cache: no layer is left to "
                       "compute one",
                       config.numKVSharedLayers));

  // --- derived layer table
  // ------------------------------------------------------
  config.layers.reserve(numLayers);
  for (int i = 0; i < numLayers; ++i) {
    LayerSpec layer;
    layer.index = i;
    layer.kind = kinds[i];
    bool full = layer.kind == AttentionKind::Full;
    layer.window = full ? 0 : config.slidingWindow;
    layer.headDim = headDims[i];
    layer.kvHeads = kvHeads[i];
    layer.kvSourceLayer = -1;
    if (i >= firstShared) {
      for (int j = firstShared - 1; j >= 0; --j) {
        if (kinds[j] == layer.kind) {
          layer.kvSourceLayer = j;
          break;
        }
      }
      if (layer.kvSourceLayer < 0)
        f.fail("num_kv_shared_layers",
               fmt::format("layer {} ({}) is KV-shared (the first shared "
                           "layer is {}) but no non-shared {} layer precedes "
                           "layer {} to supply its KV cache",
                           i, attentionKindName(layer.kind), firstShared,
                           attentionKindName(layer.kind), firstShared));
      int source = layer.kvSourceLayer;
      if (headDims[source] != layer.headDim || kvHeads[source] != layer.kvHeads)
        f.fail("num_kv_shared_layers",
               fmt::format("layer {} reads the KV cache of layer {}, but their "
                           "geometry differs (head_dim {} vs {}, KV heads {} "
                           "vs {})",
                           i, source, layer.headDim, headDims[source],
                           layer.kvHeads, kvHeads[source]));
    }
    layer.kEqV = full && config.attentionKEqV;
    layer.mlpWidth = config.intermediateSize *
                     (config.doubleWideMlp && layer.isKVShared() ? 2 : 1);
    const RopeConfig &rope = full ? config.fullRope : config.slidingRope;
    layer.ropeTheta = rope.theta;
    if (rope.type == "proportional")
      layer.rotaryDims = 2 * static_cast<int64_t>(std::floor(
                                 rope.partialRotaryFactor *
                                 static_cast<double>(layer.headDim) / 2.0));
    else
      layer.rotaryDims = layer.headDim;

    if (layer.headDim % 2 != 0)
      f.fail(full ? "global_head_dim" : "head_dim",
             fmt::format("layer {} ({}) has head dim {}, which RoPE needs to "
                         "be even",
                         i, attentionKindName(layer.kind), layer.headDim));
    if (config.numHeads % layer.kvHeads != 0)
      f.fail("num_attention_heads",
             fmt::format("{} is not divisible by the {} KV heads of layer {} "
                         "({})",
                         config.numHeads, layer.kvHeads, i,
                         attentionKindName(layer.kind)));
    config.layers.push_back(layer);
  }
  return config;
}

ModelConfig loadModelConfig(const std::string &path) {
  return parseModelConfig(readConfigFile(path), path);
}

} // namespace facet
