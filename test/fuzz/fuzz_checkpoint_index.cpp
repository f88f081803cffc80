//===- fuzz_checkpoint_index.cpp - libFuzzer target: shard index ----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Feeds arbitrary text to parseCheckpointIndex (model.safetensors.index.json)
// and checks that an accepted index never names a shard outside the
// checkpoint directory. See fuzz_safetensors.cpp for how to run it.
//
//===----------------------------------------------------------------------===//

#include "frontend/safetensors/Checkpoint.h"
#include "frontend/support/Error.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  try {
    facet::CheckpointIndex index =
        facet::parseCheckpointIndex(text, "fuzz.index.json");
    for (const std::string &shard : index.shardNames())
      if (shard.empty() || shard == "." || shard == ".." ||
          shard.find('/') != std::string::npos ||
          shard.find('\\') != std::string::npos ||
          shard.find('\0') != std::string::npos)
        std::abort();
  } catch (const facet::Error &) {
    // Rejected input: fine.
  }
  return 0;
}
