//===- ModelConfigTest.cpp - Tests of config.json parsing -----------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "frontend/config/ModelConfig.h"
#include "frontend/support/Error.h"
#include "test/unit/GemmaConfigs.h"
#include "test/unit/TestUtil.h"

#include <gtest/gtest.h>

using namespace facet;
using namespace facet::test;
using nlohmann::json;

namespace {

ModelConfig parse(const json &config,
                  const std::string &origin = "config.json") {
  return parseModelConfig(config.dump(), origin);
}

std::vector<int> fullLayers(const ModelConfig &config) {
  std::vector<int> result;
  for (const LayerSpec &layer : config.layers)
    if (layer.kind == AttentionKind::Full)
      result.push_back(layer.index);
  return result;
}

/// A small valid flat config to mutate in the error tests.
json smallFlat() {
  return json::parse(R"({
    "model_type": "gemma4_text", "vocab_size": 512, "hidden_size": 64,
    "intermediate_size": 128, "num_hidden_layers": 6,
    "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
    "global_head_dim": 32, "hidden_size_per_layer_input": 0})");
}

} // namespace

//===----------------------------------------------------------------------===//
// The four releases
//===----------------------------------------------------------------------===//

TEST(ModelConfig, E2BLayerTable) {
  ModelConfig c = parse(e2bConfig());
  EXPECT_EQ(c.modelType, "gemma4");
  EXPECT_TRUE(c.nestedTextConfig);
  EXPECT_EQ(c.origin, "config.json");
  EXPECT_EQ(c.numLayers, 35);
  ASSERT_EQ(c.layers.size(), 35u);
  EXPECT_EQ(fullLayers(c), (std::vector<int>{4, 9, 14, 19, 24, 29, 34}));
  EXPECT_EQ(c.firstKVSharedLayer(), 15);
  EXPECT_TRUE(c.hasPLE());
  EXPECT_EQ(c.plePerLayerWidth, 256);
  EXPECT_EQ(c.pleVocabSize, 262144);
  EXPECT_EQ(c.globalHeadDim, 512);
  EXPECT_FALSE(c.numGlobalKVHeads.has_value());
  ASSERT_TRUE(c.finalLogitSoftcap.has_value());
  EXPECT_EQ(*c.finalLogitSoftcap, 30.0);
  EXPECT_TRUE(c.warnings.empty());
  for (const LayerSpec &l : c.layers) {
    SCOPED_TRACE(l.index);
    bool full = l.kind == AttentionKind::Full;
    EXPECT_EQ(l.headDim, full ? 512 : 256);
    EXPECT_EQ(l.kvHeads, 1);
    EXPECT_EQ(l.window, full ? 0 : 512);
    EXPECT_FALSE(l.kEqV);
    EXPECT_EQ(l.rotaryDims, full ? 128 : 256);
    EXPECT_EQ(l.ropeTheta, full ? 1e6 : 1e4);
    if (l.index < 15) {
      EXPECT_EQ(l.kvSourceLayer, -1);
      EXPECT_EQ(l.mlpWidth, 6144);
    } else {
      EXPECT_EQ(l.kvSourceLayer, full ? 14 : 13);
      EXPECT_EQ(l.mlpWidth, 12288);
    }
  }
}

TEST(ModelConfig, E4BLayerTable) {
  ModelConfig c = parse(e4bConfig());
  EXPECT_EQ(fullLayers(c), (std::vector<int>{5, 11, 17, 23, 29, 35, 41}));
  EXPECT_EQ(c.firstKVSharedLayer(), 24);
  for (const LayerSpec &l : c.layers) {
    SCOPED_TRACE(l.index);
    bool full = l.kind == AttentionKind::Full;
    EXPECT_EQ(l.kvHeads, 2);
    EXPECT_EQ(l.mlpWidth, 10240);
    if (l.index >= 24)
      EXPECT_EQ(l.kvSourceLayer, full ? 23 : 22);
    else
      EXPECT_EQ(l.kvSourceLayer, -1);
  }
}

TEST(ModelConfig, Moe26BLayerTable) {
  ModelConfig c = parse(moe26bConfig());
  EXPECT_EQ(fullLayers(c), (std::vector<int>{5, 11, 17, 23, 29}));
  EXPECT_TRUE(c.moe);
  EXPECT_EQ(c.numExperts, 128);
  EXPECT_EQ(c.topKExperts, 8);
  EXPECT_EQ(c.moeIntermediateSize, 704);
  EXPECT_FALSE(c.hasPLE());
  EXPECT_EQ(c.pleVocabSize, 0);
  EXPECT_EQ(c.numGlobalKVHeads, 2);
  EXPECT_EQ(c.maxPositionEmbeddings, 262144);
  for (const LayerSpec &l : c.layers) {
    SCOPED_TRACE(l.index);
    bool full = l.kind == AttentionKind::Full;
    EXPECT_EQ(l.kvHeads, full ? 2 : 8);
    EXPECT_EQ(l.headDim, full ? 512 : 256);
    EXPECT_EQ(l.kEqV, full);
    EXPECT_EQ(l.rotaryDims, full ? 128 : 256);
    EXPECT_EQ(l.window, full ? 0 : 1024);
    EXPECT_EQ(l.kvSourceLayer, -1);
    EXPECT_EQ(l.mlpWidth, 2112);
  }
}

TEST(ModelConfig, Dense31BLayerTable) {
  ModelConfig c = parse(dense31bConfig());
  EXPECT_EQ(fullLayers(c).size(), 10u);
  EXPECT_FALSE(c.moe);
  for (const LayerSpec &l : c.layers) {
    bool full = l.kind == AttentionKind::Full;
    EXPECT_EQ(l.kvHeads, full ? 4 : 16);
    EXPECT_EQ(l.kEqV, full);
    EXPECT_EQ(l.mlpWidth, 21504);
  }
}

TEST(ModelConfig, MinimalFlatE2B) {
  ModelConfig c = parseModelConfig(kMinimalE2BFlat, "flat.json");
  EXPECT_EQ(c.modelType, "gemma4_text");
  EXPECT_FALSE(c.nestedTextConfig);
  // Defaults from GEMMA4.md 1.1.
  EXPECT_EQ(c.globalHeadDim, 512);
  EXPECT_EQ(c.slidingWindow, 512);
  EXPECT_EQ(c.maxPositionEmbeddings, 131072);
  EXPECT_EQ(c.rmsNormEps, 1e-6);
  EXPECT_EQ(c.plePerLayerWidth, 256);
  EXPECT_EQ(c.pleVocabSize, 262144);
  EXPECT_EQ(c.hiddenActivation, "gelu_pytorch_tanh");
  EXPECT_EQ(c.slidingRope.type, "default");
  EXPECT_EQ(c.slidingRope.theta, 10000.0);
  EXPECT_EQ(c.fullRope.type, "proportional");
  EXPECT_EQ(c.fullRope.partialRotaryFactor, 0.25);
  EXPECT_EQ(c.fullRope.theta, 1e6);
  EXPECT_EQ(fullLayers(c), (std::vector<int>{4, 9, 14, 19, 24, 29, 34}));
  EXPECT_EQ(c.layers[15].kvSourceLayer, 13);
  EXPECT_EQ(c.layers[34].kvSourceLayer, 14);
  EXPECT_EQ(c.layers[34].rotaryDims, 128);
  EXPECT_EQ(c.layers[20].mlpWidth, 12288);
}

//===----------------------------------------------------------------------===//
// Schema variants and defaults
//===----------------------------------------------------------------------===//

TEST(ModelConfig, DefaultLayerTypes) {
  json j = smallFlat();
  j["num_hidden_layers"] = 13; // 5:1 pattern; last layer (12) forced full
  ModelConfig c = parse(j);
  EXPECT_EQ(fullLayers(c), (std::vector<int>{5, 11, 12}));
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("forced"), std::string::npos);
}

TEST(ModelConfig, LastLayerForcedFull) {
  json j = smallFlat();
  j["num_hidden_layers"] = 3;
  j["layer_types"] = {"full_attention", "sliding_attention",
                      "sliding_attention"};
  ModelConfig c = parse(j);
  EXPECT_EQ(fullLayers(c), (std::vector<int>{0, 2}));
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("layer_types"), std::string::npos);
}

TEST(ModelConfig, PerLayerConfigByIndex) {
  // The newer transformers schema: no global_head_dim, per-layer overrides.
  json j = smallFlat();
  j.erase("global_head_dim");
  j["attention_k_eq_v"] = true;
  j["per_layer_config"] = {
      {"5", {{"head_dim", 64}, {"num_key_value_heads", 1}}}};
  ModelConfig c = parse(j);
  EXPECT_EQ(c.layers[5].headDim, 64);
  EXPECT_EQ(c.layers[5].kvHeads, 1);
  EXPECT_TRUE(c.layers[5].kEqV);
  EXPECT_EQ(c.layers[4].headDim, 16);
  EXPECT_EQ(c.layers[4].kvHeads, 2);
  EXPECT_EQ(c.globalHeadDim, 64);
  EXPECT_EQ(c.numGlobalKVHeads, 1);
  EXPECT_EQ(c.layers[5].rotaryDims, 16);
  // As in transformers, per_layer_config wins over global_head_dim.
  j["global_head_dim"] = 512;
  EXPECT_EQ(parse(j).layers[5].headDim, 64);
}

TEST(ModelConfig, PerLayerConfigByTypeAndList) {
  json j = smallFlat();
  j["per_layer_config"] = {{"full_attention", {{"head_dim", 48}}}};
  EXPECT_EQ(parse(j).layers[5].headDim, 48);

  json list = smallFlat();
  list["per_layer_config"] = json::array();
  for (int i = 0; i < 6; ++i)
    list["per_layer_config"].push_back(
        i == 5 ? json{{"head_dim", 40}, {"num_key_value_heads", 4}}
               : json(nullptr));
  ModelConfig c = parse(list);
  EXPECT_EQ(c.layers[5].headDim, 40);
  EXPECT_EQ(c.layers[5].kvHeads, 4);
  EXPECT_EQ(c.layers[0].headDim, 16);
}

TEST(ModelConfig, GlobalHeadDimFalsy) {
  json j = smallFlat();
  j["global_head_dim"] = nullptr;
  EXPECT_EQ(parse(j).layers[5].headDim, 16);
  j["global_head_dim"] = 0;
  EXPECT_EQ(parse(j).layers[5].headDim, 16);
  j.erase("global_head_dim");
  EXPECT_EQ(parse(j).layers[5].headDim, 512);
}

TEST(ModelConfig, GlobalKVHeadsOnlyWithKEqV) {
  json j = smallFlat();
  j["num_global_key_value_heads"] = 1;
  EXPECT_EQ(parse(j).layers[5].kvHeads, 2); // ignored without k_eq_v
  j["attention_k_eq_v"] = true;
  EXPECT_EQ(parse(j).layers[5].kvHeads, 1);
}

TEST(ModelConfig, KVSharingFindsLastLayerOfSameType) {
  // tiny-edge style: 10 layers 4:1, 4 shared; first shared layer 6; layer 5
  // is sliding, so shared sliding layers read 5 and the shared full layer
  // reads 4.
  json j = smallFlat();
  j["num_hidden_layers"] = 10;
  j["layer_types"] = layerPattern(10, 5);
  j["num_kv_shared_layers"] = 4;
  j["use_double_wide_mlp"] = true;
  ModelConfig c = parse(j);
  EXPECT_EQ(c.layers[6].kvSourceLayer, 5);
  EXPECT_EQ(c.layers[8].kvSourceLayer, 5);
  EXPECT_EQ(c.layers[9].kvSourceLayer, 4);
  EXPECT_EQ(c.layers[5].kvSourceLayer, -1);
  EXPECT_EQ(c.layers[5].mlpWidth, 128);
  EXPECT_EQ(c.layers[6].mlpWidth, 256);
}

TEST(ModelConfig, NullableFields) {
  json j = smallFlat();
  j["final_logit_softcapping"] = nullptr;
  j["hidden_size_per_layer_input"] = nullptr;
  j["rope_parameters"] = nullptr;
  j["layer_types"] = nullptr;
  j["use_bidirectional_attention"] = "vision";
  ModelConfig c = parse(j);
  EXPECT_FALSE(c.finalLogitSoftcap.has_value());
  EXPECT_FALSE(c.hasPLE());
  EXPECT_EQ(c.fullRope.type, "proportional");
}

TEST(ModelConfig, RopeVariants) {
  json j = smallFlat();
  j["rope_parameters"] = {
      {"sliding_attention", {{"rope_type", "default"}, {"rope_theta", 5e3}}},
      {"full_attention",
       {{"rope_type", "proportional"},
        {"rope_theta", 2e6},
        {"partial_rotary_factor", 0.5}}}};
  ModelConfig c = parse(j);
  EXPECT_EQ(c.layers[0].ropeTheta, 5e3);
  EXPECT_EQ(c.layers[5].ropeTheta, 2e6);
  EXPECT_EQ(c.layers[5].rotaryDims, 16); // 0.5 * 32
  // An unused layer type needs no entry.
  json onlySliding = smallFlat();
  onlySliding["num_hidden_layers"] = 2;
  onlySliding["layer_types"] = {"full_attention", "full_attention"};
  onlySliding["rope_parameters"] = {
      {"full_attention", {{"rope_type", "default"}, {"rope_theta", 1e4}}}};
  EXPECT_EQ(parse(onlySliding).layers[1].rotaryDims, 32);
}

TEST(ModelConfig, LoadFromFile) {
  TempDir dir;
  std::string path = dir.write("config.json", e2bConfig().dump(2));
  ModelConfig c = loadModelConfig(path);
  EXPECT_EQ(c.origin, path);
  EXPECT_EQ(c.numLayers, 35);
}

TEST(ModelConfig, AttentionKindNames) {
  EXPECT_EQ(attentionKindName(AttentionKind::Sliding), "sliding");
  EXPECT_EQ(attentionKindName(AttentionKind::Full), "full");
}

//===----------------------------------------------------------------------===//
// Malformed configs
//===----------------------------------------------------------------------===//

TEST(ModelConfigError, InvalidJson) {
  EXPECT_FACET_ERROR(parseModelConfig("{\"model_type\": ", "config.json"),
                     "config.json", "invalid JSON");
  EXPECT_FACET_ERROR(parseModelConfig("", "config.json"), "invalid JSON");
  EXPECT_FACET_ERROR(parseModelConfig("[]", "config.json"),
                     "config is a JSON array");
}

TEST(ModelConfigError, MissingRequiredFields) {
  for (const char *field :
       {"vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
        "num_attention_heads", "num_key_value_heads", "head_dim"}) {
    SCOPED_TRACE(field);
    json j = e2bConfig();
    j["text_config"].erase(field);
    EXPECT_FACET_ERROR(parse(j), "config.json: text_config." +
                                     std::string(field) +
                                     ": missing required field");
    json flat = smallFlat();
    flat.erase(field);
    EXPECT_FACET_ERROR(parse(flat), "config.json: " + std::string(field) +
                                        ": missing required field");
  }
}

TEST(ModelConfigError, MissingModelType) {
  json j = smallFlat();
  j.erase("model_type");
  EXPECT_FACET_ERROR(parse(j), "model_type: missing required field");
}

TEST(ModelConfigError, UnsupportedModelType) {
  json j = smallFlat();
  j["model_type"] = "llama";
  EXPECT_FACET_ERROR(parse(j), "unsupported model_type 'llama'",
                     "Facet compiles Gemma 4 (gemma4, gemma4_text)");
  j["model_type"] = 4;
  EXPECT_FACET_ERROR(parse(j), "model_type: expected a string");
  json nested = e2bConfig();
  nested["text_config"]["model_type"] = "gemma3_text";
  EXPECT_FACET_ERROR(parse(nested), "text_config.model_type", "'gemma3_text'");
  json noText = e2bConfig();
  noText.erase("text_config");
  EXPECT_FACET_ERROR(parse(noText), "text_config: missing required field");
  noText["text_config"] = "x";
  EXPECT_FACET_ERROR(parse(noText), "text_config: expected an object");
}

TEST(ModelConfigError, WrongTypes) {
  json j = e2bConfig();
  j["text_config"]["hidden_size"] = "1536";
  EXPECT_FACET_ERROR(parse(j), "text_config.hidden_size", "expected an integer",
                     "string '1536'");
  j = e2bConfig();
  j["text_config"]["hidden_size"] = 1536.5;
  EXPECT_FACET_ERROR(parse(j), "text_config.hidden_size",
                     "expected an integer");
  j = e2bConfig();
  j["text_config"]["attention_k_eq_v"] = 1;
  EXPECT_FACET_ERROR(parse(j), "attention_k_eq_v", "expected a boolean");
  j = e2bConfig();
  j["text_config"]["rms_norm_eps"] = "small";
  EXPECT_FACET_ERROR(parse(j), "rms_norm_eps", "expected a number");
  j = e2bConfig();
  j["text_config"]["layer_types"] = "sliding";
  EXPECT_FACET_ERROR(parse(j), "layer_types", "expected an array");
  j = e2bConfig();
  j["text_config"]["layer_types"][3] = 7;
  EXPECT_FACET_ERROR(parse(j), "layer_types[3]", "expected a string");
  j = e2bConfig();
  j["text_config"]["rope_parameters"] = json::array();
  EXPECT_FACET_ERROR(parse(j), "rope_parameters", "expected an object");
  j = e2bConfig();
  j["text_config"]["per_layer_config"] = 5;
  EXPECT_FACET_ERROR(parse(j), "per_layer_config", "expected an object");
  j = e2bConfig();
  j["text_config"]["hidden_size"] = nullptr;
  EXPECT_FACET_ERROR(parse(j), "text_config.hidden_size", "found null");
}

TEST(ModelConfigError, LayerTypesLengthMismatch) {
  json j = e2bConfig();
  j["text_config"]["layer_types"].erase(0);
  EXPECT_FACET_ERROR(parse(j), "text_config.layer_types", "has 34 entries",
                     "num_hidden_layers = 35");
}

TEST(ModelConfigError, UnknownLayerType) {
  json j = e2bConfig();
  j["text_config"]["layer_types"][2] = "chunked_attention";
  EXPECT_FACET_ERROR(parse(j), "text_config.layer_types[2]",
                     "unknown layer type 'chunked_attention'");
}

TEST(ModelConfigError, UnknownRopeType) {
  json j = e2bConfig();
  j["text_config"]["rope_parameters"]["full_attention"]["rope_type"] = "yarn";
  EXPECT_FACET_ERROR(parse(j),
                     "text_config.rope_parameters.full_attention.rope_type",
                     "unsupported rope_type 'yarn'");
}

TEST(ModelConfigError, BadRopeParameters) {
  json j = e2bConfig();
  j["text_config"]["rope_parameters"].erase("sliding_attention");
  EXPECT_FACET_ERROR(parse(j), "rope_parameters.sliding_attention",
                     "missing RoPE parameters");
  j = e2bConfig();
  j["text_config"]["rope_parameters"]["full_attention"].erase("rope_theta");
  EXPECT_FACET_ERROR(parse(j), "full_attention.rope_theta",
                     "missing required field");
  j = e2bConfig();
  j["text_config"]["rope_parameters"]["full_attention"]
   ["partial_rotary_factor"] = 1.5;
  EXPECT_FACET_ERROR(parse(j), "partial_rotary_factor", "out of range");
  j = e2bConfig();
  j["text_config"]["rope_parameters"]["full_attention"]["factor"] = 8.0;
  EXPECT_FACET_ERROR(parse(j), "full_attention.factor", "not supported");
  j = e2bConfig();
  j["text_config"]["rope_parameters"]["sliding_attention"]["rope_theta"] = -1;
  EXPECT_FACET_ERROR(parse(j), "rope_theta", "not positive");
}

TEST(ModelConfigError, HeadsNotDivisible) {
  json j = smallFlat();
  j["num_key_value_heads"] = 3;
  EXPECT_FACET_ERROR(parse(j), "num_attention_heads", "4 is not divisible",
                     "3 KV heads of layer 0");
  json k = smallFlat();
  k["attention_k_eq_v"] = true;
  k["num_global_key_value_heads"] = 3;
  EXPECT_FACET_ERROR(parse(k), "3 KV heads of layer 5 (full)");
}

TEST(ModelConfigError, OddHeadDim) {
  json j = smallFlat();
  j["head_dim"] = 15;
  EXPECT_FACET_ERROR(parse(j), "head dim 15", "even");
}

TEST(ModelConfigError, KVSharingWithoutSource) {
  // Layers 0-4 sliding, 5 full; sharing the last 1 layer leaves no full
  // layer before layer 5.
  json j = smallFlat();
  j["num_kv_shared_layers"] = 1;
  EXPECT_FACET_ERROR(parse(j), "num_kv_shared_layers",
                     "layer 5 (full) is KV-shared", "no non-shared full layer");
  j["num_kv_shared_layers"] = 6;
  EXPECT_FACET_ERROR(parse(j), "no layer is left");
  j["num_kv_shared_layers"] = 7;
  EXPECT_FACET_ERROR(parse(j), "num_kv_shared_layers", "out of range");
}

TEST(ModelConfigError, KVSharingGeometryMismatch) {
  json j = smallFlat();
  j["num_hidden_layers"] = 10;
  j["layer_types"] = layerPattern(10, 5);
  j["num_kv_shared_layers"] = 4;
  j["per_layer_config"] = {{"7", {{"head_dim", 64}}}};
  EXPECT_FACET_ERROR(parse(j), "layer 7 reads the KV cache of layer 5",
                     "head_dim 64 vs 16");
}

TEST(ModelConfigError, MoeWithoutExperts) {
  json j = moe26bConfig();
  j["text_config"].erase("num_experts");
  EXPECT_FACET_ERROR(parse(j), "text_config.num_experts",
                     "missing required field", "enable_moe_block");
  j = moe26bConfig();
  j["text_config"]["top_k_experts"] = nullptr;
  EXPECT_FACET_ERROR(parse(j), "top_k_experts", "missing required field");
  j = moe26bConfig();
  j["text_config"]["top_k_experts"] = 200;
  EXPECT_FACET_ERROR(parse(j), "top_k_experts", "200 is out of range",
                     "1..128");
  j = moe26bConfig();
  j["text_config"].erase("moe_intermediate_size");
  EXPECT_FACET_ERROR(parse(j), "moe_intermediate_size",
                     "missing required field");
}

TEST(ModelConfigError, AbsurdSizes) {
  json j = smallFlat();
  j["hidden_size"] = int64_t(1) << 40;
  EXPECT_FACET_ERROR(parse(j), "hidden_size", "out of range");
  j = smallFlat();
  j["num_hidden_layers"] = 100000000;
  EXPECT_FACET_ERROR(parse(j), "num_hidden_layers", "out of range");
  j = smallFlat();
  j["hidden_size"] = 0;
  EXPECT_FACET_ERROR(parse(j), "hidden_size", "0 is out of range");
  j = smallFlat();
  j["vocab_size"] = -5;
  EXPECT_FACET_ERROR(parse(j), "vocab_size", "-5 is out of range");
  j = smallFlat();
  j["head_dim"] = 18446744073709551615ull;
  EXPECT_FACET_ERROR(parse(j), "head_dim", "out of range");
  j = smallFlat();
  j["sliding_window"] = 1e300;
  EXPECT_FACET_ERROR(parse(j), "sliding_window", "expected an integer");
  j = moe26bConfig();
  j["text_config"]["num_experts"] = 1 << 20;
  EXPECT_FACET_ERROR(parse(j), "num_experts", "out of range");
}

TEST(ModelConfigError, UntiedEmbeddings) {
  json j = smallFlat();
  j["tie_word_embeddings"] = false;
  EXPECT_FACET_ERROR(parse(j), "tie_word_embeddings", "tied LM heads only");
  json nested = e2bConfig();
  nested["tie_word_embeddings"] = false;
  EXPECT_FACET_ERROR(parse(nested), "tie_word_embeddings",
                     "tied LM heads only");
}

TEST(ModelConfigError, UnsupportedFeatures) {
  json j = smallFlat();
  j["use_bidirectional_attention"] = "all";
  EXPECT_FACET_ERROR(parse(j), "use_bidirectional_attention", "'all'",
                     "not supported for text generation");
  j["use_bidirectional_attention"] = "some";
  EXPECT_FACET_ERROR(parse(j), "use_bidirectional_attention", "'some'");
  j = smallFlat();
  j["hidden_activation"] = "silu";
  EXPECT_FACET_ERROR(parse(j), "hidden_activation", "'silu'");
  j = smallFlat();
  j["attention_bias"] = true;
  EXPECT_FACET_ERROR(parse(j), "attention_bias", "not supported");
  j = smallFlat();
  j["final_logit_softcapping"] = 0.0;
  EXPECT_FACET_ERROR(parse(j), "final_logit_softcapping", "not positive");
}

TEST(ModelConfigError, BadPerLayerConfig) {
  json j = smallFlat();
  j["per_layer_config"] = {{"9", {{"head_dim", 8}}}};
  EXPECT_FACET_ERROR(parse(j), "per_layer_config.9", "not a layer index");
  j["per_layer_config"] = {{"x", {{"head_dim", 8}}}};
  EXPECT_FACET_ERROR(parse(j), "per_layer_config.x", "not a layer index");
  j["per_layer_config"] = {{"5", {{"head_dim", "8"}}}};
  EXPECT_FACET_ERROR(parse(j), "per_layer_config.5.head_dim",
                     "expected an integer");
  j["per_layer_config"] = {{"5", 3}};
  EXPECT_FACET_ERROR(parse(j), "per_layer_config.5", "expected an object");
  j["per_layer_config"] = json::array({nullptr});
  EXPECT_FACET_ERROR(parse(j), "per_layer_config", "has 1 entries");
  j["per_layer_config"] = {{"5", {{"head_dim", 8}}}, {"05", {{"head_dim", 8}}}};
  EXPECT_FACET_ERROR(parse(j), "layer 5 has two entries");
  j["per_layer_config"] = {{"-1", {{"head_dim", 8}}}};
  EXPECT_FACET_ERROR(parse(j), "per_layer_config.-1", "not a layer index");
}

TEST(ModelConfig, PerLayerConfigZeroPaddedKeys) {
  // What transformers 5.24 save_pretrained writes for 10+ layers.
  json j = smallFlat();
  j["num_hidden_layers"] = 12;
  j.erase("global_head_dim");
  j["attention_k_eq_v"] = true;
  j["per_layer_config"] = {
      {"05", {{"head_dim", 32}, {"num_key_value_heads", 1}}},
      {"11", {{"head_dim", 32}, {"num_key_value_heads", 1}}}};
  ModelConfig c = parse(j);
  EXPECT_EQ(c.layers[5].headDim, 32);
  EXPECT_EQ(c.layers[11].headDim, 32);
  EXPECT_EQ(c.layers[11].kvHeads, 1);
  EXPECT_EQ(c.layers[10].headDim, 16);
  EXPECT_EQ(c.layers[10].kvHeads, 2);
}

TEST(ModelConfigError, MissingFile) {
  TempDir dir;
  EXPECT_FACET_ERROR(loadModelConfig(dir.path() + "/config.json"),
                     "config.json", "cannot read config");
  EXPECT_FACET_ERROR(loadModelConfig(dir.path()), "not a regular file");
}
