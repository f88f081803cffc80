//===- TokenizerImport.h - tokenizer.json to tokenizer blob -----*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Converts a Hugging Face tokenizer.json of Gemma's kind into the tokenizer
// blob the runtime reads (runtime/tokenizer/TokenizerFormat.h; the package's
// Tokenizer section). Supported, and exactly reproduced by the runtime:
//
//   model          BPE: vocab, merges ("a b" strings or [a, b] pairs),
//                  unk_token, byte_fallback, fuse_unk, ignore_merges
//   added_tokens   matched whole (normalized or not, special or not)
//   normalizer     null, Replace of a literal string, Sequence of those
//   pre_tokenizer  null, Split on a literal string or on Gemma 4's
//                  `[^\n]+|[\n]+`, any behaviour, Sequence of those
//   decoder        Replace of literals, then ByteFallback, Fuse
//
// Anything else (WordPiece/Unigram models, NFKC, ByteLevel, Metaspace,
// dropout, lstrip/rstrip, ...) is rejected with a facet::Error naming the
// field, rather than converted into a tokenizer that would silently give
// other ids. post_processor is ignored: the runtime never adds BOS itself.
//
// BOS, EOS and pad ids come from bos_token / eos_token / pad_token of a
// tokenizer_config.json in the same directory when there is one, otherwise
// from the tokens named <bos>, <eos>, <pad> (Gemma's names) when present.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_FRONTEND_TOKENIZER_TOKENIZERIMPORT_H
#define FACET_FRONTEND_TOKENIZER_TOKENIZERIMPORT_H

#include "runtime/tokenizer/TokenizerFormat.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace facet {

/// Reads `path` (and tokenizer_config.json beside it, if present) and
/// returns the validated blob. Throws facet::Error.
std::vector<uint8_t> convertTokenizerJson(const std::string &path);

/// The same, before serialisation.
tokenizer::TokenizerData importTokenizerJson(const std::string &path);

/// From JSON text; `origin` names the input in messages. `configText` is the
/// tokenizer_config.json text, or empty for none.
tokenizer::TokenizerData
importTokenizerJsonText(std::string_view text, std::string_view origin,
                        std::string_view configText = {});

/// Serialises `data` and checks the result with the runtime's own parser, so
/// that a blob the runtime would refuse never leaves the compiler.
std::vector<uint8_t>
serializeCheckedTokenizer(const tokenizer::TokenizerData &data,
                          std::string_view origin);

} // namespace facet

#endif // FACET_FRONTEND_TOKENIZER_TOKENIZERIMPORT_H
