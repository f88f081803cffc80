//===- GemmaConfigs.h - Gemma 4 config.json literals for tests --*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// config.json contents of the four Gemma 4 releases, built from the values in
// GEMMA4.md section 1.3 in the published (multimodal, nested text_config)
// form, so the config tests do not depend on files elsewhere in the tree.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_TEST_UNIT_GEMMACONFIGS_H
#define FACET_TEST_UNIT_GEMMACONFIGS_H

#include <nlohmann/json.hpp>

#include <string>

namespace facet::test {

inline nlohmann::json layerPattern(int layers, int period) {
  nlohmann::json types = nlohmann::json::array();
  for (int i = 0; i < layers; ++i)
    types.push_back((i + 1) % period == 0 ? "full_attention"
                                          : "sliding_attention");
  return types;
}

inline nlohmann::json gemmaRope() {
  return nlohmann::json::parse(R"({
    "full_attention": {"partial_rotary_factor": 0.25, "rope_theta": 1000000.0,
                       "rope_type": "proportional"},
    "sliding_attention": {"rope_theta": 10000.0, "rope_type": "default"}})");
}

/// The fields every variant shares, as save_pretrained writes them.
inline nlohmann::json gemmaTextCommon() {
  return nlohmann::json::parse(R"({
    "attention_bias": false, "attention_dropout": 0.0,
    "bos_token_id": 2, "eos_token_id": 1, "pad_token_id": 0,
    "final_logit_softcapping": 30.0, "head_dim": 256, "global_head_dim": 512,
    "hidden_activation": "gelu_pytorch_tanh", "initializer_range": 0.02,
    "model_type": "gemma4_text", "rms_norm_eps": 1e-06,
    "tie_word_embeddings": true, "use_cache": true, "vocab_size": 262144,
    "vocab_size_per_layer_input": 262144,
    "num_experts": null, "top_k_experts": null, "moe_intermediate_size": null,
    "num_global_key_value_heads": null, "use_bidirectional_attention": null,
    "enable_moe_block": false, "attention_k_eq_v": false,
    "use_double_wide_mlp": false, "num_kv_shared_layers": 0,
    "sliding_window": 512, "max_position_embeddings": 131072})");
}

inline nlohmann::json wrapMultimodal(nlohmann::json text) {
  nlohmann::json config = nlohmann::json::parse(R"({
    "architectures": ["Gemma4ForConditionalGeneration"],
    "model_type": "gemma4", "boi_token_id": 255999, "eoi_token_id": 258882,
    "image_token_id": 258880, "audio_token_id": 258881,
    "initializer_range": 0.02, "tie_word_embeddings": true,
    "vision_config": {"model_type": "gemma4_vision", "hidden_size": 768},
    "transformers_version": "5.24.0"})");
  config["text_config"] = std::move(text);
  return config;
}

inline nlohmann::json e2bConfig() {
  nlohmann::json t = gemmaTextCommon();
  t["hidden_size"] = 1536;
  t["intermediate_size"] = 6144;
  t["num_hidden_layers"] = 35;
  t["num_attention_heads"] = 8;
  t["num_key_value_heads"] = 1;
  t["layer_types"] = layerPattern(35, 5);
  t["hidden_size_per_layer_input"] = 256;
  t["num_kv_shared_layers"] = 20;
  t["use_double_wide_mlp"] = true;
  t["rope_parameters"] = gemmaRope();
  return wrapMultimodal(std::move(t));
}

inline nlohmann::json e4bConfig() {
  nlohmann::json t = gemmaTextCommon();
  t["hidden_size"] = 2560;
  t["intermediate_size"] = 10240;
  t["num_hidden_layers"] = 42;
  t["num_attention_heads"] = 8;
  t["num_key_value_heads"] = 2;
  t["layer_types"] = layerPattern(42, 6);
  t["hidden_size_per_layer_input"] = 256;
  t["num_kv_shared_layers"] = 18;
  t["rope_parameters"] = gemmaRope();
  return wrapMultimodal(std::move(t));
}

inline nlohmann::json moe26bConfig() {
  nlohmann::json t = gemmaTextCommon();
  t["hidden_size"] = 2816;
  t["intermediate_size"] = 2112;
  t["num_hidden_layers"] = 30;
  t["num_attention_heads"] = 16;
  t["num_key_value_heads"] = 8;
  t["num_global_key_value_heads"] = 2;
  t["attention_k_eq_v"] = true;
  t["layer_types"] = layerPattern(30, 6);
  t["hidden_size_per_layer_input"] = 0;
  t["enable_moe_block"] = true;
  t["num_experts"] = 128;
  t["top_k_experts"] = 8;
  t["moe_intermediate_size"] = 704;
  t["sliding_window"] = 1024;
  t["max_position_embeddings"] = 262144;
  t["use_bidirectional_attention"] = "vision";
  t["rope_parameters"] = gemmaRope();
  return wrapMultimodal(std::move(t));
}

inline nlohmann::json dense31bConfig() {
  nlohmann::json t = gemmaTextCommon();
  t["hidden_size"] = 5376;
  t["intermediate_size"] = 21504;
  t["num_hidden_layers"] = 60;
  t["num_attention_heads"] = 32;
  t["num_key_value_heads"] = 16;
  t["num_global_key_value_heads"] = 4;
  t["attention_k_eq_v"] = true;
  t["layer_types"] = layerPattern(60, 6);
  t["hidden_size_per_layer_input"] = 0;
  t["sliding_window"] = 1024;
  t["max_position_embeddings"] = 262144;
  t["use_bidirectional_attention"] = "vision";
  t["rope_parameters"] = gemmaRope();
  return wrapMultimodal(std::move(t));
}

/// A minimal E2B-like config in the flat (gemma4_text) form, spelled out as
/// text: only the required fields plus what differs from the defaults.
inline const char *kMinimalE2BFlat = R"({
  "model_type": "gemma4_text",
  "vocab_size": 262144,
  "hidden_size": 1536,
  "intermediate_size": 6144,
  "num_hidden_layers": 35,
  "num_attention_heads": 8,
  "num_key_value_heads": 1,
  "head_dim": 256,
  "layer_types": [
    "sliding_attention", "sliding_attention", "sliding_attention", "sliding_attention", "full_attention",
    "sliding_attention", "sliding_attention", "sliding_attention", "sliding_attention", "full_attention",
    "sliding_attention", "sliding_attention", "sliding_attention", "sliding_attention", "full_attention",
    "sliding_attention", "sliding_attention", "sliding_attention", "sliding_attention", "full_attention",
    "sliding_attention", "sliding_attention", "sliding_attention", "sliding_attention", "full_attention",
    "sliding_attention", "sliding_attention", "sliding_attention", "sliding_attention", "full_attention",
    "sliding_attention", "sliding_attention", "sliding_attention", "sliding_attention", "full_attention"
  ],
  "num_kv_shared_layers": 20,
  "use_double_wide_mlp": true,
  "final_logit_softcapping": 30.0
})";

} // namespace facet::test

#endif // FACET_TEST_UNIT_GEMMACONFIGS_H
