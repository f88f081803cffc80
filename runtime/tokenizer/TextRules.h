//===- TextRules.h - Normaliser and pre-split of the tokenizer --*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The two text stages between added-token matching and BPE, as Hugging Face
// runs them: literal replacements (Gemma: ' ' -> U+2581), then pre-split
// rules (Gemma 4: runs of '\n' apart from everything else) with Hugging
// Face's delimiter behaviours. Pieces are views into the normalised text.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_TOKENIZER_TEXTRULES_H
#define FACET_RUNTIME_TOKENIZER_TEXTRULES_H

#include "runtime/tokenizer/TokenizerFormat.h"

#include <string>
#include <string_view>
#include <vector>

namespace facet::tokenizer {

/// Applies every replacement in order, each to the whole text (leftmost,
/// non-overlapping occurrences).
std::string applyReplacements(std::string_view text,
                              const std::vector<Replacement> &rules);

/// Splits `text` by every rule in order (each rule splits every piece of
/// the previous one) and appends the non-empty pieces to `pieces`.
/// `scratch` is working memory reused across calls.
void preSplit(std::string_view text, const std::vector<SplitRule> &rules,
              std::vector<std::string_view> &pieces,
              std::vector<std::string_view> &scratch);

} // namespace facet::tokenizer

#endif // FACET_RUNTIME_TOKENIZER_TEXTRULES_H
