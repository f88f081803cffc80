//===- BpeModel.cpp - Byte-pair encoding of one pre-split piece -----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/tokenizer/BpeModel.h"

#include "runtime/tokenizer/Utf8.h"

#include <algorithm>
#include <string>

namespace facet::tokenizer {

namespace {

constexpr std::string_view kWordStart = "\xE2\x96\x81"; // U+2581

/// Whether `text` has a U+2581 preceded by some other character.
bool hasInnerWordStart(std::string_view text) {
  for (size_t found = text.find(kWordStart, 1); found != std::string::npos;
       found = text.find(kWordStart, found + 1))
    if (found < kWordStart.size() ||
        text.compare(found - kWordStart.size(), kWordStart.size(),
                     kWordStart) != 0)
      return true;
  return false;
}

} // namespace

MergeTable::MergeTable(const std::vector<MergeRule> &merges) {
  if (merges.empty())
    return;
  // At most half full, so probe sequences stay short.
  size_t capacity = 2;
  unsigned bits = 1;
  while (capacity < merges.size() * 2) {
    capacity *= 2;
    ++bits;
  }
  mask = capacity - 1;
  shift = 64 - bits;
  slots.assign(capacity, Slot{kEmpty, {0, 0}});
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const MergeRule &merge = merges[rank];
    uint64_t key = makeKey(merge.left, merge.right);
    size_t i = hash(key);
    while (slots[i].key != kEmpty)
      i = (i + 1) & mask; // pairs are unique (the parser checks)
    slots[i] = Slot{key, {static_cast<uint32_t>(rank), merge.result}};
  }
}

BpeModel::BpeModel(const TokenizerData &data,
                   const std::unordered_map<std::string_view, int32_t> &ids)
    : tokens(data.tokens), ids(ids), merges(data.merges),
      unknownId(data.unknownId), byteFallback(data.flags & kFlagByteFallback),
      fuseUnknown(data.flags & kFlagFuseUnknown),
      ignoreMerges(data.flags & kFlagIgnoreMerges) {
  std::fill(std::begin(asciiIds), std::end(asciiIds), -1);
  std::fill(std::begin(byteIds), std::end(byteIds), -1);
  for (size_t id = 0; id < data.tokens.size(); ++id) {
    const TokenEntry &token = data.tokens[id];
    if (!(token.flags & kTokenInVocab))
      continue;
    const std::string &text = token.text;
    // Hugging Face spells byte tokens "<0x%02X>" when it looks them up.
    if (text.size() == 6 && text.compare(0, 3, "<0x") == 0 && text[5] == '>') {
      int value = byteTokenValue(text);
      static const char kHex[] = "0123456789ABCDEF";
      if (value >= 0 && text[3] == kHex[value >> 4] &&
          text[4] == kHex[value & 15])
        byteIds[value] = static_cast<int32_t>(id);
    }
    if (text.size() == 1 && static_cast<uint8_t>(text[0]) < 0x80) {
      asciiIds[static_cast<uint8_t>(text[0])] = static_cast<int32_t>(id);
    } else if (text.size() <= 4 && utf8ValidCharAt(text, 0) == text.size()) {
      uint32_t key = 0;
      for (size_t i = 0; i < text.size(); ++i)
        key |= static_cast<uint32_t>(static_cast<uint8_t>(text[i])) << (8 * i);
      wideCharIds.emplace(key, static_cast<int32_t>(id));
    }
  }
  splitAtWordStarts = !ignoreMerges;
  for (const MergeRule &merge : data.merges)
    if (hasInnerWordStart(data.tokens[merge.result].text))
      splitAtWordStarts = false;
}

int32_t BpeModel::charId(std::string_view character) const {
  auto lead = static_cast<uint8_t>(character[0]);
  if (character.size() == 1 && lead < 0x80)
    return asciiIds[lead];
  // A single invalid byte (>= 0x80) is never a token: tokens are UTF-8.
  uint32_t key = 0;
  for (size_t i = 0; i < character.size(); ++i)
    key |= static_cast<uint32_t>(static_cast<uint8_t>(character[i])) << (8 * i);
  auto found = wideCharIds.find(key);
  return found == wideCharIds.end() ? -1 : found->second;
}

void BpeModel::encode(std::string_view piece, Scratch &scratch,
                      std::vector<int32_t> &out) const {
  if (!splitAtWordStarts) {
    encodeCached(piece, scratch, out);
    return;
  }
  // Split before every U+2581 that follows another character.
  size_t start = 0;
  for (size_t found = piece.find(kWordStart, 1); found != std::string::npos;
       found = piece.find(kWordStart, found + 1)) {
    if (found >= kWordStart.size() &&
        piece.compare(found - kWordStart.size(), kWordStart.size(),
                      kWordStart) == 0)
      continue;
    encodeCached(piece.substr(start, found - start), scratch, out);
    start = found;
  }
  encodeCached(piece.substr(start), scratch, out);
}

void BpeModel::encodeCached(std::string_view word, Scratch &scratch,
                            std::vector<int32_t> &out) const {
  // Long words are rare and seldom repeat; a bounded cache keeps a
  // hostile input from growing it without limit.
  constexpr size_t kMaxCachedBytes = 48, kMaxCachedWords = 1 << 16;
  if (word.size() > kMaxCachedBytes) {
    encodeWord(word, scratch, out);
    return;
  }
  auto found = scratch.cache.find(std::string(word));
  if (found != scratch.cache.end()) {
    auto [offset, count] = found->second;
    out.insert(out.end(), scratch.cachedIds.begin() + offset,
               scratch.cachedIds.begin() + offset + count);
    return;
  }
  size_t before = out.size();
  encodeWord(word, scratch, out);
  if (scratch.cache.size() < kMaxCachedWords) {
    auto offset = static_cast<uint32_t>(scratch.cachedIds.size());
    scratch.cachedIds.insert(scratch.cachedIds.end(), out.begin() + before,
                             out.end());
    scratch.cache.emplace(
        std::string(word),
        std::make_pair(offset, static_cast<uint32_t>(out.size() - before)));
  }
}

void BpeModel::encodeWord(std::string_view piece, Scratch &scratch,
                          std::vector<int32_t> &out) const {
  if (piece.empty())
    return;
  if (ignoreMerges) {
    auto found = ids.find(piece);
    if (found != ids.end() && (tokens[found->second].flags & kTokenInVocab)) {
      out.push_back(found->second);
      return;
    }
  }
  std::vector<Symbol> &symbols = scratch.symbols;
  symbols.clear();
  auto add = [&](int32_t id, uint32_t length) {
    auto index = static_cast<int32_t>(symbols.size());
    if (index > 0)
      symbols.back().next = index;
    symbols.push_back(Symbol{id, index - 1, -1, length});
  };

  // Hugging Face's merge_word, including its treatment of unknown
  // characters: a pending (possibly fused) unknown token is emitted before
  // the next known character, but byte-fallback tokens do not flush it.
  bool pendingUnknown = false;
  uint32_t unknownLength = 0;
  for (size_t pos = 0; pos < piece.size();) {
    size_t length = utf8ValidCharAt(piece, pos);
    if (length == 0)
      length = 1; // invalid UTF-8: one byte is one character
    std::string_view character = piece.substr(pos, length);
    pos += length;
    int32_t id = charId(character);
    if (id >= 0) {
      if (pendingUnknown) {
        add(unknownId, unknownLength);
        pendingUnknown = false;
      }
      add(id, static_cast<uint32_t>(length));
      continue;
    }
    if (byteFallback) {
      bool all = true;
      for (char byte : character)
        all = all && byteIds[static_cast<uint8_t>(byte)] >= 0;
      if (all) {
        for (char byte : character)
          add(byteIds[static_cast<uint8_t>(byte)], 1);
        continue;
      }
    }
    if (unknownId < 0)
      continue; // no unknown token: the character is dropped
    if (pendingUnknown && fuseUnknown) {
      unknownLength += static_cast<uint32_t>(length);
    } else {
      if (pendingUnknown)
        add(unknownId, unknownLength);
      pendingUnknown = true;
      unknownLength = static_cast<uint32_t>(length);
    }
  }
  if (pendingUnknown)
    add(unknownId, unknownLength);

  mergeAll(scratch);
  for (const Symbol &symbol : symbols)
    if (symbol.length != 0)
      out.push_back(symbol.id);
}

void BpeModel::mergeAll(Scratch &scratch) const {
  std::vector<Symbol> &symbols = scratch.symbols;
  std::vector<Candidate> &heap = scratch.heap;
  // Min-heap on (rank, position): the lowest rank first, the leftmost of
  // equal ranks first.
  auto later = [](const Candidate &a, const Candidate &b) {
    return a.rank != b.rank ? a.rank > b.rank : a.pos > b.pos;
  };
  heap.clear();
  for (size_t i = 0; i + 1 < symbols.size(); ++i)
    if (const MergeTable::Value *merge =
            merges.find(symbols[i].id, symbols[i + 1].id))
      heap.push_back({merge->rank, static_cast<uint32_t>(i), merge->result});
  std::make_heap(heap.begin(), heap.end(), later);

  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    Candidate top = heap.back();
    heap.pop_back();
    Symbol &left = symbols[top.pos];
    if (left.length == 0 || left.next < 0)
      continue;
    const Symbol right = symbols[left.next];
    // A stale entry: the pair at this position changed since it was
    // queued. Like Hugging Face, compare the result id, not the rank.
    const MergeTable::Value *current = merges.find(left.id, right.id);
    if (!current || current->result != top.result)
      continue;
    symbols[left.next].length = 0;
    left.id = static_cast<int32_t>(top.result);
    left.length += right.length;
    left.next = right.next;
    if (right.next >= 0)
      symbols[right.next].prev = static_cast<int32_t>(top.pos);
    if (left.prev >= 0) {
      const Symbol &before = symbols[left.prev];
      if (const MergeTable::Value *merge = merges.find(before.id, left.id)) {
        heap.push_back(
            {merge->rank, static_cast<uint32_t>(left.prev), merge->result});
        std::push_heap(heap.begin(), heap.end(), later);
      }
    }
    if (left.next >= 0) {
      const Symbol &after = symbols[left.next];
      if (const MergeTable::Value *merge = merges.find(left.id, after.id)) {
        heap.push_back({merge->rank, top.pos, merge->result});
        std::push_heap(heap.begin(), heap.end(), later);
      }
    }
  }
}

} // namespace facet::tokenizer
