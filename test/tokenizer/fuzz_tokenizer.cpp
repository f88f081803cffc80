//===- fuzz_tokenizer.cpp - libFuzzer target: the tokenizer blob ----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Feeds arbitrary bytes to the runtime's tokenizer loader
// (Tokenizer::fromBlob: parse, validate, build the encoder). The only
// acceptable outcomes are success or a runtime::Error with Status::Format;
// any other exception, crash, sanitizer report, leak or timeout is a bug.
// Accepted blobs are exercised further: they survive a serialise/parse
// round trip unchanged, encode a fixed multilingual text, and decoding
// (whole and streamed) of those ids and of every id gives valid UTF-8, the
// streamed text equal to the whole.
//
// Build and run as the other targets (clang, FACET_FUZZ=ON):
//
//   tools/run-fuzzers fuzz_tokenizer
//
// or by hand: build-fuzz/test/tokenizer/fuzz_tokenizer /tmp/corpus-tok
//   test/tokenizer/corpus/fuzz_tokenizer -max_len=65536 -timeout=10
// Without libFuzzer, the same source is linked with
// test/fuzz/StandaloneFuzzMain.cpp and ctest replays the seed corpus.
//
//===----------------------------------------------------------------------===//

#include "facet/Tokenizer.h"
#include "runtime/tokenizer/TokenizerFormat.h"
#include "runtime/tokenizer/Utf8.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>

using namespace facet;

namespace {

void check(bool condition) {
  if (!condition)
    std::abort();
}

void exercise(const runtime::Tokenizer &tokenizer,
              const std::vector<int32_t> &ids) {
  std::string whole = tokenizer.decode(ids);
  check(tokenizer::isValidUtf8(whole));
  runtime::TokenStreamDecoder stream(tokenizer);
  std::string streamed;
  for (int32_t id : ids) {
    std::string chunk = stream.push(id);
    check(tokenizer::isValidUtf8(chunk));
    streamed += chunk;
  }
  streamed += stream.finish();
  check(streamed == whole);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  try {
    runtime::Tokenizer tokenizer =
        runtime::Tokenizer::fromBlob(data, size, "fuzz");
    tokenizer::TokenizerData parsed =
        tokenizer::parseTokenizer(data, size, "fuzz");
    std::vector<uint8_t> again = tokenizer::serializeTokenizer(parsed);
    check(again.size() == size && std::equal(again.begin(), again.end(), data));

    std::vector<int32_t> ids = tokenizer.encode(
        "<bos>Hello  world\n\n\tcaf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC "
        "\xF0\x9F\x98\x80<|turn>\xFF\xE4\xBD");
    for (int32_t id : ids)
      check(id >= 0 && static_cast<size_t>(id) < tokenizer.vocabSize());
    exercise(tokenizer, ids);
    std::vector<int32_t> every;
    for (size_t id = 0; id < tokenizer.vocabSize() && id < 4096; ++id)
      every.push_back(static_cast<int32_t>(id));
    exercise(tokenizer, every);
  } catch (const runtime::Error &error) {
    // Rejected with a message: fine, if it is a format error.
    if (error.status() != runtime::Status::Format)
      std::abort();
  }
  return 0;
}
