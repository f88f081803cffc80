//===- TokenizerFormat.h - The tokenizer blob: data and format --*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The contract between the compiler (frontend/tokenizer converts a Hugging
// Face tokenizer.json into TokenizerData and serialises it) and the runtime
// (which parses the blob from an untrusted package and builds its encoder).
// The byte layout is documented in runtime/README.md ("Tokenizer section").
//
// parseTokenizer validates everything the encoder and decoder later rely on
// (ids in range, merge results equal to the concatenation of their parts,
// unique token texts, valid UTF-8, known rule kinds), so that code needs no
// checks of its own; every failure is a package::FormatError naming the
// field. Plain C++17: part of facet_runtime_package.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_TOKENIZER_TOKENIZERFORMAT_H
#define FACET_RUNTIME_TOKENIZER_TOKENIZERFORMAT_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace facet::tokenizer {

inline constexpr char kTokenizerMagic[8] = {'F', 'A', 'C', 'E',
                                            'T', 'T', 'O', 'K'};
inline constexpr uint32_t kTokenizerFormatVersion = 1;
inline constexpr size_t kTokenizerHeaderSize = 48;

// Limits: far above Gemma 4 (262144 tokens, 514906 merges, tokens of a few
// dozen bytes), low enough that a corrupt count cannot exhaust memory.
inline constexpr uint32_t kMaxTokens = 1u << 24;
inline constexpr uint32_t kMaxTokenBytes = 1u << 16;
inline constexpr uint32_t kMaxRules = 16;
inline constexpr uint32_t kMaxRuleBytes = 256;
/// How much the replacements of one list may grow a text, all together.
inline constexpr uint64_t kMaxReplacementGrowth = 8;

/// Blob-wide flags (header field `flags`).
enum TokenizerFlags : uint32_t {
  /// Encoding: a character outside the vocabulary becomes its <0xXX> byte
  /// tokens (when all of them exist) instead of the unknown token.
  kFlagByteFallback = 1u << 0,
  /// Encoding: consecutive unknown characters become one unknown token.
  kFlagFuseUnknown = 1u << 1,
  /// Encoding: a pre-split piece that is itself a vocabulary token is
  /// emitted whole, without running the merges.
  kFlagIgnoreMerges = 1u << 2,
  /// Decoding: <0xXX> tokens are bytes of UTF-8 text, not literal text.
  kFlagDecodeByteFallback = 1u << 3,
  kKnownTokenizerFlags = (1u << 4) - 1,
};

/// Per-token flags. A token without any flag is a gap in the id space (no
/// text; decodes to nothing).
enum TokenEntryFlags : uint32_t {
  /// In the BPE model's vocabulary: usable for characters, merges, byte
  /// fallback and the unknown token.
  kTokenInVocab = 1u << 0,
  /// An added token: matched whole in the input before any BPE.
  kTokenAdded = 1u << 1,
  /// A special added token: decoding can skip it.
  kTokenSpecial = 1u << 2,
  /// An added token matched in the normalised text rather than the raw
  /// input (tokenizer.json's `normalized: true`).
  kTokenNormalized = 1u << 3,
  kKnownTokenEntryFlags = (1u << 4) - 1,
};

/// How a pre-split rule finds its delimiters.
enum class SplitKind : uint32_t {
  /// Runs of '\n' and runs of anything else: Gemma 4's `[^\n]+|[\n]+`.
  NewlineRuns = 1,
  /// Every occurrence of a literal string (leftmost, non-overlapping).
  Literal = 2,
};

/// What happens to the delimiters (Hugging Face SplitDelimiterBehavior).
enum class SplitBehavior : uint32_t {
  Removed = 1,
  Isolated = 2,
  MergedWithPrevious = 3,
  MergedWithNext = 4,
  Contiguous = 5,
};

struct Replacement {
  std::string pattern; // non-empty literal
  std::string content;
};

struct SplitRule {
  SplitKind kind = SplitKind::NewlineRuns;
  SplitBehavior behavior = SplitBehavior::Isolated;
  std::string pattern; // Literal only
};

struct MergeRule {
  uint32_t left = 0, right = 0, result = 0;
};

struct TokenEntry {
  std::string text;
  uint32_t flags = 0;
};

struct TokenizerData {
  uint32_t flags = 0;
  int32_t unknownId = -1; // -1: none
  int32_t bosId = -1;
  int32_t eosId = -1;
  int32_t padId = -1;
  std::vector<TokenEntry> tokens; // index = id
  std::vector<MergeRule> merges;  // index = rank (lower merges first)
  /// Applied in order to the text outside raw-matched added tokens.
  std::vector<Replacement> normalizer;
  /// Applied in order to the normalised text; BPE runs on each piece.
  std::vector<SplitRule> preSplit;
  /// Applied in order to each token's text when decoding.
  std::vector<Replacement> decoder;
};

/// Serialises `data`. Does not validate: call parseTokenizer on the result
/// to check it (the converter does).
std::vector<uint8_t> serializeTokenizer(const TokenizerData &data);

/// Parses and validates a blob. `origin` prefixes every message, e.g.
/// "model.facet: tokenizer". Throws package::FormatError.
TokenizerData parseTokenizer(const uint8_t *data, size_t size,
                             const std::string &origin);

/// The byte a byte-fallback token's text stands for ("<0x0A>" -> 10), or -1.
/// Accepts exactly what Hugging Face's ByteFallback decoder accepts.
int byteTokenValue(const std::string &text);

} // namespace facet::tokenizer

#endif // FACET_RUNTIME_TOKENIZER_TOKENIZERFORMAT_H
