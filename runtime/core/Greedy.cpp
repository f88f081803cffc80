//===- Greedy.cpp - The most likely next token ----------------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/core/Greedy.h"

namespace facet::core {

int32_t argmaxToken(const float *logits, int64_t vocabSize) {
  int64_t best = -1;
  for (int64_t i = 0; i < vocabSize; ++i) {
    float logit = logits[i];
    if (logit != logit) // NaN
      continue;
    if (best < 0 || logit > logits[best])
      best = i;
  }
  return static_cast<int32_t>(best);
}

} // namespace facet::core
