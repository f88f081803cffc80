//===- AddedTokenMatcher.h - Find added tokens in text ----------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Splits text at occurrences of added tokens (<bos>, <|turn>, ...), which
// are kept whole and never go through BPE. Matching is leftmost-longest,
// like the Aho-Corasick automaton Hugging Face uses: the earliest match
// wins, and of the matches starting there the longest. A byte trie plus a
// first-byte filter: text without '<' (for Gemma) costs one table lookup
// per byte.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_TOKENIZER_ADDEDTOKENMATCHER_H
#define FACET_RUNTIME_TOKENIZER_ADDEDTOKENMATCHER_H

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace facet::tokenizer {

class AddedTokenMatcher {
public:
  /// Adds `pattern` (non-empty) for token `id`. A later pattern equal to an
  /// earlier one replaces it.
  void add(std::string_view pattern, int32_t id);
  bool empty() const { return nodes.size() <= 1; }

  /// Calls text(segment) for each stretch of text between matches (never
  /// empty) and token(id) for each match, in order.
  template <typename TextFn, typename TokenFn>
  void split(std::string_view input, TextFn &&text, TokenFn &&token) const {
    size_t start = 0, pos = 0;
    while (pos < input.size()) {
      size_t length;
      int32_t id;
      if (!firstByte[static_cast<uint8_t>(input[pos])] ||
          !longestMatch(input, pos, length, id)) {
        ++pos;
        continue;
      }
      if (pos > start)
        text(input.substr(start, pos - start));
      token(id);
      pos += length;
      start = pos;
    }
    if (start < input.size())
      text(input.substr(start));
  }

private:
  bool longestMatch(std::string_view input, size_t pos, size_t &length,
                    int32_t &id) const;

  struct Node {
    int32_t token = -1; // the id of the pattern ending here, if any
  };
  std::vector<Node> nodes = std::vector<Node>(1); // nodes[0] is the root
  /// (node << 8 | byte) -> child node.
  std::unordered_map<uint64_t, uint32_t> children;
  bool firstByte[256] = {};
};

} // namespace facet::tokenizer

#endif // FACET_RUNTIME_TOKENIZER_ADDEDTOKENMATCHER_H
