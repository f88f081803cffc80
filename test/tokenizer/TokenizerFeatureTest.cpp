//===- TokenizerFeatureTest.cpp - Tokenizer features beyond Gemma's -------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// data/features.json holds small tokenizer.json variants exercising what the
// converter accepts but Gemma's tokenizer does not use (every split
// behaviour, a Sequence pre-tokenizer, a normalized added token,
// ignore_merges, unknown tokens with and without fuse_unk, a merge listed
// twice), each with the ids and texts the `tokenizers` library gives.
//
//===----------------------------------------------------------------------===//

#include "TokenizerTestUtil.h"

#include <gtest/gtest.h>

namespace facet::test {
namespace {

TEST(TokenizerFeatures, EveryVariantMatchesTheLibrary) {
  nlohmann::json variants = nlohmann::json::parse(
      readTextFile(FACET_TOKENIZER_DATA "/features.json"));
  ASSERT_GE(variants.size(), 15u);
  size_t passed = 0, total = 0;
  for (const auto &variant : variants) {
    std::string name = variant.at("name");
    runtime::Tokenizer tokenizer =
        tokenizerFromJson(variant.at("tokenizer").dump());
    for (const auto &entry : variant.at("cases")) {
      std::string text = entry.at("text");
      std::vector<int32_t> expected = entry.at("ids");
      std::string decoded = entry.at("decoded");
      std::vector<int32_t> ids = tokenizer.encode(text);
      EXPECT_EQ(ids, expected) << name << ": \"" << text << "\"";
      EXPECT_EQ(tokenizer.decode(expected), decoded) << name;
      passed += ids == expected && tokenizer.decode(expected) == decoded;
      ++total;
    }
  }
  std::printf("feature variants: %zu/%zu cases match\n", passed, total);
}

} // namespace
} // namespace facet::test
