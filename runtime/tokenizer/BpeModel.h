//===- BpeModel.h - Byte-pair encoding of one pre-split piece ---*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The BPE model of a validated TokenizerData, reproducing Hugging Face's
// BPE::merge_word + Word::merge_all exactly: one symbol per UTF-8 character
// (byte fallback or the unknown token for characters outside the
// vocabulary), then repeatedly the lowest-ranked adjacent pair (leftmost on
// ties) is merged, driven by a min-heap with lazily discarded stale entries:
// O(n log n) in the piece length, so one long line cannot go quadratic.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_TOKENIZER_BPEMODEL_H
#define FACET_RUNTIME_TOKENIZER_BPEMODEL_H

#include "runtime/tokenizer/TokenizerFormat.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace facet::tokenizer {

/// (left id, right id) -> (rank, result id), open addressing: the hot
/// lookup of the merge loop, with no allocation per entry.
class MergeTable {
public:
  struct Value {
    uint32_t rank;
    uint32_t result;
  };

  explicit MergeTable(const std::vector<MergeRule> &merges);
  /// nullptr when the pair has no merge.
  const Value *find(uint32_t left, uint32_t right) const {
    if (slots.empty())
      return nullptr;
    uint64_t key = makeKey(left, right);
    for (size_t i = hash(key);; i = (i + 1) & mask) {
      const Slot &slot = slots[i];
      if (slot.key == key)
        return &slot.value;
      if (slot.key == kEmpty)
        return nullptr;
    }
  }

private:
  struct Slot {
    uint64_t key;
    Value value;
  };
  static constexpr uint64_t kEmpty = ~uint64_t(0);
  static uint64_t makeKey(uint32_t left, uint32_t right) {
    return (static_cast<uint64_t>(left) << 32) | right;
  }
  size_t hash(uint64_t key) const {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift) & mask;
  }

  std::vector<Slot> slots;
  size_t mask = 0;
  unsigned shift = 0;
};

class BpeModel {
public:
  struct Symbol {
    int32_t id;
    int32_t prev, next; // -1: none
    uint32_t length;    // bytes; 0 once merged into its left neighbour
  };
  struct Candidate {
    uint32_t rank;
    uint32_t pos;
    uint32_t result;
  };
  /// Working memory of one encode call, reused across its pieces (the
  /// model itself is immutable, so threads may share it).
  struct Scratch {
    std::vector<Symbol> symbols;
    std::vector<Candidate> heap;
    /// Short words seen in this call -> their ids (offset, count in
    /// cachedIds): natural text repeats its words.
    std::unordered_map<std::string, std::pair<uint32_t, uint32_t>> cache;
    std::vector<int32_t> cachedIds;
  };

  /// `ids`: text -> id of every token (the model uses those in the BPE
  /// vocabulary). `data` and `ids` must outlive the model.
  BpeModel(const TokenizerData &data,
           const std::unordered_map<std::string_view, int32_t> &ids);

  /// Appends the ids of `piece` (normalised, pre-split text; any bytes) to
  /// `out`. Bytes that are not valid UTF-8 count as one-byte characters.
  void encode(std::string_view piece, Scratch &scratch,
              std::vector<int32_t> &out) const;

private:
  void encodeWord(std::string_view word, Scratch &scratch,
                  std::vector<int32_t> &out) const;
  void encodeCached(std::string_view word, Scratch &scratch,
                    std::vector<int32_t> &out) const;
  int32_t charId(std::string_view character) const;
  void mergeAll(Scratch &scratch) const;

  const std::vector<TokenEntry> &tokens;
  const std::unordered_map<std::string_view, int32_t> &ids;
  MergeTable merges;
  int32_t asciiIds[128];
  int32_t byteIds[256];
  /// Characters of 2–4 bytes that are tokens, keyed by their bytes.
  std::unordered_map<uint32_t, int32_t> wideCharIds;
  int32_t unknownId;
  bool byteFallback, fuseUnknown, ignoreMerges;
  /// No merge result has a U+2581 right after another character, so no
  /// merge can cross the start of a "▁word": pieces are encoded word by
  /// word, with identical ids and far smaller merge heaps. True for
  /// SentencePiece-style vocabularies like Gemma's (checked, not assumed).
  bool splitAtWordStarts = false;
};

} // namespace facet::tokenizer

#endif // FACET_RUNTIME_TOKENIZER_BPEMODEL_H
