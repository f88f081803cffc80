//===- Greedy.h - The most likely next token ---------------------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Greedy decoding picks the first index of the largest logit, skipping NaN.
// The host sampler and the Hexagon runner share this one definition, so a
// tie or a NaN picks the same token on both, and their greedy runs compare
// token for token.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_CORE_GREEDY_H
#define FACET_RUNTIME_CORE_GREEDY_H

#include <stdint.h>

namespace facet::core {

/// The first index of the largest non-NaN logit of `logits[0, vocabSize)`,
/// or -1 when every logit is NaN (or vocabSize < 1).
int32_t argmaxToken(const float *logits, int64_t vocabSize);

} // namespace facet::core

#endif // FACET_RUNTIME_CORE_GREEDY_H
