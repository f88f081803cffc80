//===- TokenizerTestUtil.cpp - Shared helpers of the tokenizer tests ------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "TokenizerTestUtil.h"

#include "frontend/tokenizer/TokenizerImport.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace facet::test {

std::string readTextFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const std::vector<uint8_t> &testTokenizerBlob() {
  static const std::vector<uint8_t> blob =
      convertTokenizerJson(FACET_TOKENIZER_DATA "/tokenizer.json");
  return blob;
}

const runtime::Tokenizer &testTokenizer() {
  static const runtime::Tokenizer tokenizer = runtime::Tokenizer::fromBlob(
      testTokenizerBlob().data(), testTokenizerBlob().size());
  return tokenizer;
}

const nlohmann::json &testCorpus() {
  static const nlohmann::json corpus =
      nlohmann::json::parse(readTextFile(FACET_TOKENIZER_DATA "/corpus.json"));
  return corpus;
}

runtime::Tokenizer tokenizerFromJson(std::string_view json) {
  std::vector<uint8_t> blob = serializeCheckedTokenizer(
      importTokenizerJsonText(json, "test.json"), "test.json");
  return runtime::Tokenizer::fromBlob(blob.data(), blob.size());
}

} // namespace facet::test
