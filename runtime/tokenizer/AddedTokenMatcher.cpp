//===- AddedTokenMatcher.cpp - Find added tokens in text ------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/tokenizer/AddedTokenMatcher.h"

namespace facet::tokenizer {

void AddedTokenMatcher::add(std::string_view pattern, int32_t id) {
  uint32_t node = 0;
  for (char c : pattern) {
    uint64_t key = (static_cast<uint64_t>(node) << 8) | static_cast<uint8_t>(c);
    auto found = children.find(key);
    if (found == children.end()) {
      auto child = static_cast<uint32_t>(nodes.size());
      nodes.emplace_back();
      found = children.emplace(key, child).first;
    }
    node = found->second;
  }
  nodes[node].token = id;
  firstByte[static_cast<uint8_t>(pattern[0])] = true;
}

bool AddedTokenMatcher::longestMatch(std::string_view input, size_t pos,
                                     size_t &length, int32_t &id) const {
  bool matched = false;
  uint32_t node = 0;
  for (size_t i = pos; i < input.size(); ++i) {
    uint64_t key =
        (static_cast<uint64_t>(node) << 8) | static_cast<uint8_t>(input[i]);
    auto found = children.find(key);
    if (found == children.end())
      break;
    node = found->second;
    if (nodes[node].token >= 0) {
      matched = true;
      length = i + 1 - pos;
      id = nodes[node].token;
    }
  }
  return matched;
}

} // namespace facet::tokenizer
