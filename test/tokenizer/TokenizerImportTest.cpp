//===- TokenizerImportTest.cpp - tokenizer.json conversion errors ---------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Every tokenizer.json the converter cannot reproduce exactly is refused
// with a message naming the field; a minimal valid one converts.
//
//===----------------------------------------------------------------------===//

#include "TokenizerTestUtil.h"

#include "frontend/support/Error.h"
#include "frontend/tokenizer/TokenizerImport.h"

#include <gtest/gtest.h>

#include <functional>

namespace facet::test {
namespace {

using nlohmann::json;

/// A small valid Gemma-style tokenizer.json.
json minimalTokenizer() {
  return json::parse(R"({
    "version": "1.0",
    "added_tokens": [
      {"id": 0, "content": "<pad>", "single_word": false, "lstrip": false,
       "rstrip": false, "normalized": false, "special": true},
      {"id": 2, "content": "<bos>", "single_word": false, "lstrip": false,
       "rstrip": false, "normalized": false, "special": true}
    ],
    "normalizer": {"type": "Replace", "pattern": {"String": " "},
                   "content": "\u2581"},
    "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "[^\\n]+|[\\n]+"},
                      "behavior": "Isolated", "invert": false},
    "post_processor": null,
    "decoder": {"type": "Sequence", "decoders": [
      {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
      {"type": "ByteFallback"}, {"type": "Fuse"}]},
    "model": {"type": "BPE", "dropout": null, "unk_token": "<unk>",
              "continuing_subword_prefix": null, "end_of_word_suffix": null,
              "fuse_unk": true, "byte_fallback": true, "ignore_merges": false,
              "vocab": {"<pad>": 0, "<eos>": 1, "<bos>": 2, "<unk>": 3,
                        "a": 4, "b": 5, "ab": 6, "\u2581": 7},
              "merges": [["a", "b"]]}
  })");
}

std::string importError(const json &tokenizer) {
  return errorOf([&] { importTokenizerJsonText(tokenizer.dump(), "t.json"); });
}

std::string importError(const std::function<void(json &)> &edit) {
  json tokenizer = minimalTokenizer();
  edit(tokenizer);
  return importError(tokenizer);
}

TEST(TokenizerImport, MinimalTokenizerConverts) {
  tokenizer::TokenizerData data =
      importTokenizerJsonText(minimalTokenizer().dump(), "t.json");
  EXPECT_EQ(data.tokens.size(), 8u);
  EXPECT_EQ(data.merges.size(), 1u);
  EXPECT_EQ(data.bosId, 2);
  EXPECT_EQ(data.eosId, 1);
  EXPECT_EQ(data.padId, 0);
  EXPECT_EQ(data.unknownId, 3);
  runtime::Tokenizer tokenizer = tokenizerFromJson(minimalTokenizer().dump());
  EXPECT_EQ(tokenizer.encode("<bos>ab a"), (std::vector<int32_t>{2, 6, 7, 4}));
  EXPECT_EQ(tokenizer.encode("c"), (std::vector<int32_t>{3})); // no bytes
}

TEST(TokenizerImport, ConfigNamesBosAndEos) {
  tokenizer::TokenizerData data = importTokenizerJsonText(
      minimalTokenizer().dump(), "t.json",
      R"({"bos_token": {"content": "<pad>"}, "eos_token": "<bos>"})");
  EXPECT_EQ(data.bosId, 0);
  EXPECT_EQ(data.eosId, 2);
  EXPECT_EQ(data.padId, -1);
  EXPECT_EQ(errorOf([] {
              importTokenizerJsonText(minimalTokenizer().dump(), "t.json",
                                      R"({"eos_token": "<end_of_turn>"})");
            }),
            "t.json (tokenizer_config.json): tokenizer_config.json: "
            "eos_token: '<end_of_turn>' is not a token");
}

TEST(TokenizerImport, UnsupportedModelTypes) {
  EXPECT_EQ(importError([](json &t) { t["model"]["type"] = "WordPiece"; }),
            "t.json: model.type: 'WordPiece' is not supported (Facet reads "
            "BPE tokenizers like Gemma's)");
  EXPECT_EQ(importError([](json &t) {
              t["model"] = {{"type", "Unigram"}, {"vocab", json::array()}};
            }),
            "t.json: model.type: 'Unigram' is not supported (Facet reads BPE "
            "tokenizers like Gemma's)");
  EXPECT_EQ(importError([](json &t) { t["model"]["dropout"] = 0.1; }),
            "t.json: model.dropout: BPE dropout is not supported");
  EXPECT_EQ(importError([](json &t) {
              t["model"]["continuing_subword_prefix"] = "##";
            }),
            "t.json: model.continuing_subword_prefix: not supported");
}

TEST(TokenizerImport, MissingOrMalformedVocab) {
  EXPECT_EQ(importError([](json &t) { t["model"].erase("vocab"); }),
            "t.json: model: missing 'vocab'");
  EXPECT_EQ(importError([](json &t) { t.erase("model"); }),
            "t.json: tokenizer.json: missing 'model'");
  EXPECT_EQ(importError([](json &t) { t["model"]["vocab"] = json::array(); }),
            "t.json: model.vocab: expected an object of token -> id, found "
            "array");
  EXPECT_EQ(importError([](json &t) { t["model"]["vocab"]["c"] = 4; }),
            "t.json: model.vocab['c']: id 4 is also given to 'a'");
  EXPECT_EQ(importError([](json &t) { t["model"]["vocab"]["c"] = -1; }),
            "t.json: model.vocab['c']: -1 is out of range (0 … 16777215)");
  EXPECT_EQ(importError([](json &t) { t["model"]["vocab"]["c"] = "x"; }),
            "t.json: model.vocab['c']: expected an integer, found string");
  EXPECT_EQ(importError([](json &t) { t["model"]["unk_token"] = "<oov>"; }),
            "t.json: model.unk_token: '<oov>' is not in the vocab");
}

TEST(TokenizerImport, BadMerges) {
  EXPECT_EQ(importError([](json &t) {
              t["model"]["merges"].push_back({"a", "q"});
            }),
            "t.json: model.merges[1]: right token 'q' is not in the vocab");
  EXPECT_EQ(importError([](json &t) {
              t["model"]["merges"].push_back({"b", "a"});
            }),
            "t.json: model.merges[1]: merged token 'ba' is not in the vocab");
  EXPECT_EQ(
      importError([](json &t) { t["model"]["merges"].push_back("a b c"); }),
      "t.json: model.merges[1]: 'a b c' is not two tokens separated by "
      "one space");
  EXPECT_EQ(importError([](json &t) { t["model"]["merges"].push_back(7); }),
            "t.json: model.merges[1]: expected \"left right\" or [left, "
            "right], found integer");
  // The older "left right" spelling is read too.
  json tokenizer = minimalTokenizer();
  tokenizer["model"]["merges"] = {"a b"};
  EXPECT_EQ(importTokenizerJsonText(tokenizer.dump(), "t.json").merges.size(),
            1u);
}

TEST(TokenizerImport, UnsupportedPipelineStages) {
  EXPECT_EQ(importError([](json &t) {
              t["normalizer"] = {{"type", "NFKC"}};
            }),
            "t.json: normalizer: normalizer type 'NFKC' is not supported "
            "(Facet reads Replace and Sequence)");
  EXPECT_EQ(importError([](json &t) {
              t["normalizer"]["pattern"] = {{"Regex", "\\s+"}};
            }),
            "t.json: normalizer.pattern: regex pattern '\\\\s+' is not "
            "supported (only literal strings)");
  EXPECT_EQ(importError([](json &t) {
              t["pre_tokenizer"] = {{"type", "ByteLevel"}};
            }),
            "t.json: pre_tokenizer: pre_tokenizer type 'ByteLevel' is not "
            "supported (Facet reads Split and Sequence)");
  EXPECT_EQ(importError([](json &t) {
              t["pre_tokenizer"]["pattern"]["Regex"] = "\\w+";
            }),
            "t.json: pre_tokenizer.pattern: split regex '\\\\w+' is not "
            "supported (only Gemma 4's \"[^\\n]+|[\\n]+\")");
  EXPECT_EQ(importError([](json &t) { t["pre_tokenizer"]["invert"] = true; }),
            "t.json: pre_tokenizer.invert: inverted splits are not supported");
  EXPECT_EQ(
      importError([](json &t) { t["pre_tokenizer"]["behavior"] = "Sideways"; }),
      "t.json: pre_tokenizer.behavior: unknown split behavior "
      "'Sideways'");
  EXPECT_EQ(importError([](json &t) { t["decoder"] = nullptr; }),
            "t.json: decoder: missing: Facet needs the decoder to turn tokens "
            "back into text");
  EXPECT_EQ(importError([](json &t) {
              t["decoder"]["decoders"].push_back({{"type", "Strip"}});
            }),
            "t.json: decoder.decoders[3]: decoder type 'Strip' is not "
            "supported (Facet reads Replace, ByteFallback and Fuse)");
}

TEST(TokenizerImport, BadAddedTokens) {
  EXPECT_EQ(
      importError([](json &t) { t["added_tokens"][1]["content"] = "<start>"; }),
      "t.json: added_tokens[1]: added token '<start>' has id 2, which "
      "the vocab gives to '<bos>'");
  EXPECT_EQ(importError([](json &t) { t["added_tokens"][1]["lstrip"] = true; }),
            "t.json: added_tokens[1].lstrip: added tokens that strip or "
            "match whole words are not supported");
  EXPECT_EQ(importError([](json &t) {
              t["added_tokens"].push_back({{"id", 9}, {"content", "<pad>"}});
            }),
            "t.json: added_tokens[2]: '<pad>' is added twice");
  EXPECT_EQ(importError([](json &t) {
              t["added_tokens"].push_back({{"id", 1}, {"content", "<x>"}});
            }),
            "t.json: added_tokens[2]: added token '<x>' has id 1, which the "
            "vocab gives to '<eos>'");
  EXPECT_EQ(importError([](json &t) {
              t["added_tokens"].push_back({{"id", 0}, {"content", "<x>"}});
            }),
            "t.json: added_tokens[2].id: id 0 is given to two added tokens");
  EXPECT_EQ(importError([](json &t) { t["added_tokens"][0].erase("id"); }),
            "t.json: added_tokens[0]: missing 'id'");
}

TEST(TokenizerImport, NotJsonOrNotAnObject) {
  EXPECT_NE(errorOf([] {
              importTokenizerJsonText("{\"model\": ", "t.json");
            }).find("t.json: invalid JSON"),
            std::string::npos);
  EXPECT_EQ(errorOf([] { importTokenizerJsonText("[1, 2]", "t.json"); }),
            "t.json: tokenizer.json: expected an object, found array");
  EXPECT_NE(errorOf([] {
              convertTokenizerJson("/nonexistent/tokenizer.json");
            }).find("/nonexistent/tokenizer.json: cannot open"),
            std::string::npos);
}

} // namespace
} // namespace facet::test
