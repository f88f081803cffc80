//===- fuzz_config.cpp - libFuzzer target: config.json parser -------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Feeds arbitrary text to parseModelConfig and, when it is accepted, derives
// the expected checkpoint tensors. Success or facet::Error are the only
// acceptable outcomes; the invariants below abort on a logic bug. See
// fuzz_safetensors.cpp for how to run it (dictionary: test/fuzz/config.dict).
//
//===----------------------------------------------------------------------===//

#include "frontend/config/ModelConfig.h"
#include "frontend/config/WeightSpec.h"
#include "frontend/support/Error.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  try {
    facet::ModelConfig config = facet::parseModelConfig(text, "fuzz.json");
    if (static_cast<int64_t>(config.layers.size()) != config.numLayers)
      std::abort();
    const int firstShared = config.firstKVSharedLayer();
    for (const facet::LayerSpec &layer : config.layers) {
      if (layer.headDim <= 0 || layer.kvHeads <= 0 ||
          config.numHeads % layer.kvHeads != 0 || layer.mlpWidth <= 0 ||
          layer.rotaryDims < 0 || layer.rotaryDims > layer.headDim)
        std::abort();
      if (layer.kvSourceLayer >= 0 &&
          (layer.kvSourceLayer >= firstShared || layer.index < firstShared ||
           config.layers[layer.kvSourceLayer].kind != layer.kind))
        std::abort();
      if (layer.kvSourceLayer < 0 && layer.index >= firstShared)
        std::abort();
    }
    std::vector<facet::WeightSpec> weights = facet::expectedWeights(config);
    // Sum in double: the total of a (bounded but) absurd config may exceed
    // int64, each tensor may not.
    double total = 0;
    for (const facet::WeightSpec &weight : weights) {
      int64_t elements = weight.numElements();
      if (elements <= 0)
        std::abort();
      total += static_cast<double>(elements);
      (void)facet::weightClassName(weight.cls);
    }
    volatile double sink = total;
    (void)sink;
  } catch (const facet::Error &) {
    // Rejected input: fine.
  }
  return 0;
}
