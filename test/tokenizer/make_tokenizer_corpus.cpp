//===- make_tokenizer_corpus.cpp - Seeds for fuzz_tokenizer ---------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Writes the seed corpus of fuzz_tokenizer: the converted test tokenizer,
// two small hand-made blobs (one per split kind and behaviour family), and
// a truncated blob.
//
//   make-tokenizer-corpus test/tokenizer/data/tokenizer.json \
//       test/tokenizer/corpus/fuzz_tokenizer
//
//===----------------------------------------------------------------------===//

#include "frontend/tokenizer/TokenizerImport.h"

#include <cstdio>
#include <exception>
#include <fstream>

using namespace facet::tokenizer;

namespace {

void write(const std::string &path, const std::vector<uint8_t> &bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char *>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out)
    throw std::runtime_error("cannot write " + path);
}

TokenizerData small(SplitKind kind, SplitBehavior behavior) {
  TokenizerData data;
  data.flags = kFlagByteFallback | kFlagDecodeByteFallback | kFlagFuseUnknown;
  data.unknownId = 0;
  data.bosId = 6;
  data.eosId = 7;
  for (const char *text : {"<unk>", "a", "b", "ab", "<0xF0>", "<0x9F>"})
    data.tokens.push_back({text, kTokenInVocab});
  data.tokens.push_back({"<bos>", kTokenInVocab | kTokenAdded | kTokenSpecial});
  data.tokens.push_back({"<eos>", kTokenAdded | kTokenSpecial});
  data.tokens.push_back({"", 0});
  data.tokens.push_back({"a b", kTokenAdded | kTokenNormalized});
  data.merges.push_back({1, 2, 3});
  data.normalizer.push_back({" ", "\xE2\x96\x81"});
  data.preSplit.push_back(
      {kind, behavior, kind == SplitKind::Literal ? "\xE2\x96\x81" : ""});
  data.decoder.push_back({"\xE2\x96\x81", " "});
  return data;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s TOKENIZER_JSON OUT_DIR\n", argv[0]);
    return 2;
  }
  try {
    std::string dir = argv[2];
    std::vector<uint8_t> test = facet::convertTokenizerJson(argv[1]);
    write(dir + "/test-tokenizer.bin", test);
    write(dir + "/small-newline.bin",
          serializeTokenizer(
              small(SplitKind::NewlineRuns, SplitBehavior::Isolated)));
    write(dir + "/small-literal.bin",
          serializeTokenizer(
              small(SplitKind::Literal, SplitBehavior::MergedWithNext)));
    std::vector<uint8_t> cut(test.begin(), test.begin() + test.size() / 2);
    write(dir + "/truncated.bin", cut);
  } catch (const std::exception &error) {
    std::fprintf(stderr, "make-tokenizer-corpus: %s\n", error.what());
    return 1;
  }
  return 0;
}
