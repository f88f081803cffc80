//===- TokenizerTestUtil.h - Helpers of the tokenizer tests -----*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_TEST_TOKENIZER_TOKENIZERTESTUTIL_H
#define FACET_TEST_TOKENIZER_TOKENIZERTESTUTIL_H

#include "facet/Tokenizer.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace facet::test {

std::string readTextFile(const std::string &path);

/// The committed test tokenizer (data/tokenizer.json), converted by the
/// compiler side and loaded by the runtime; built once per process.
const runtime::Tokenizer &testTokenizer();
const std::vector<uint8_t> &testTokenizerBlob();

/// data/corpus.json: {"special": {...}, "cases": [{text, ids, decoded}]}.
const nlohmann::json &testCorpus();

/// Converts tokenizer.json text (compiler side) and loads it (runtime).
runtime::Tokenizer tokenizerFromJson(std::string_view json);

/// The message of the facet::Error (or runtime::Error) `action` throws, or
/// "no error".
template <typename Action> std::string errorOf(Action &&action) {
  try {
    action();
  } catch (const std::exception &error) {
    return error.what();
  }
  return "no error";
}

} // namespace facet::test

#endif // FACET_TEST_TOKENIZER_TOKENIZERTESTUTIL_H
