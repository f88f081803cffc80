//===- PipelineImport.h - tokenizer.json text stages -> rules ---*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Translates tokenizer.json's normalizer, pre_tokenizer and decoder into the
// runtime's rule lists, rejecting every component the runtime does not
// reproduce exactly.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_FRONTEND_TOKENIZER_PIPELINEIMPORT_H
#define FACET_FRONTEND_TOKENIZER_PIPELINEIMPORT_H

#include "frontend/tokenizer/JsonFields.h"
#include "runtime/tokenizer/TokenizerFormat.h"

namespace facet::tokenizer_import {

/// `normalizer` (may be null) -> literal replacements.
std::vector<tokenizer::Replacement>
importNormalizer(const JsonFields &fields, const nlohmann::json &normalizer);

/// `pre_tokenizer` (may be null) -> split rules.
std::vector<tokenizer::SplitRule>
importPreTokenizer(const JsonFields &fields,
                   const nlohmann::json &preTokenizer);

/// `decoder` (required) -> replacements; sets `byteFallback` when the
/// decoder turns <0xXX> tokens into bytes.
std::vector<tokenizer::Replacement> importDecoder(const JsonFields &fields,
                                                  const nlohmann::json &decoder,
                                                  bool &byteFallback);

} // namespace facet::tokenizer_import

#endif // FACET_FRONTEND_TOKENIZER_PIPELINEIMPORT_H
