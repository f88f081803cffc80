//===- tokenizer_bench.cpp - Encoding speed of the runtime tokenizer ------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Converts a tokenizer.json (default: the committed test tokenizer), builds
// about N MiB of text (default 1) from a file or from the test corpus
// (English license text, whitespace, accents, CJK, emoji, special tokens),
// and prints encode and decode throughput, best of 5 runs:
//
//   tokenizer-bench [--tokenizer tokenizer.json] [--text FILE] [--mib N]
//                   [--single-line]
//
// --single-line replaces newlines by spaces: the whole text is one BPE
// piece, the worst case for the merge loop.
//
//===----------------------------------------------------------------------===//

#include "facet/Tokenizer.h"
#include "frontend/tokenizer/TokenizerImport.h"
#include "test/tokenizer/TokenizerTestUtil.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace {


double seconds(std::chrono::steady_clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

} // namespace

int main(int argc, char **argv) {
  std::string tokenizerPath = FACET_TOKENIZER_DATA "/tokenizer.json";
  std::string textPath;
  double mib = 1.0;
  bool singleLine = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--tokenizer" && i + 1 < argc)
      tokenizerPath = argv[++i];
    else if (arg == "--text" && i + 1 < argc)
      textPath = argv[++i];
    else if (arg == "--mib" && i + 1 < argc)
      mib = std::atof(argv[++i]);
    else if (arg == "--single-line")
      singleLine = true;
    else {
      std::fprintf(stderr,
                   "usage: %s [--tokenizer tokenizer.json] [--text FILE] "
                   "[--mib N] [--single-line]\n",
                   argv[0]);
      return 2;
    }
  }
  try {
    std::vector<uint8_t> blob = facet::convertTokenizerJson(tokenizerPath);
    auto tokenizer =
        facet::runtime::Tokenizer::fromBlob(blob.data(), blob.size());
    std::string unit;
    if (!textPath.empty()) {
      unit = facet::test::readTextFile(textPath);
    } else {
      auto corpus =
          nlohmann::json::parse(facet::test::readTextFile(FACET_TOKENIZER_DATA "/corpus.json"));
      for (const auto &entry : corpus.at("cases"))
        unit += entry.at("text").get<std::string>() + "\n";
    }
    if (unit.empty())
      throw std::runtime_error("empty text");
    auto target = static_cast<size_t>(mib * 1024 * 1024);
    std::string text;
    while (text.size() < target)
      text += unit;
    text.resize(target);
    // Do not end inside a UTF-8 character.
    while (!text.empty() && (static_cast<uint8_t>(text.back()) & 0xC0) == 0x80)
      text.pop_back();
    if (!text.empty() && static_cast<uint8_t>(text.back()) >= 0xC0)
      text.pop_back();
    if (singleLine)
      std::replace(text.begin(), text.end(), '\n', ' ');

    double bestEncode = 1e30, bestDecode = 1e30;
    std::vector<int32_t> ids;
    std::string decoded;
    for (int run = 0; run < 5; ++run) {
      auto start = std::chrono::steady_clock::now();
      ids = tokenizer.encode(text);
      auto middle = std::chrono::steady_clock::now();
      decoded = tokenizer.decode(ids);
      auto end = std::chrono::steady_clock::now();
      bestEncode = std::min(bestEncode, seconds(middle - start));
      bestDecode = std::min(bestDecode, seconds(end - middle));
    }
    double megabytes = text.size() / 1e6;
    std::printf(
        "tokenizer-bench: %zu bytes%s -> %zu tokens (%.2f bytes/token)\n",
        text.size(), singleLine ? " (one line)" : "", ids.size(),
        static_cast<double>(text.size()) / ids.size());
    std::printf("tokenizer-bench: encode %.1f ms, %.1f MB/s\n",
                bestEncode * 1e3, megabytes / bestEncode);
    std::printf("tokenizer-bench: decode %.1f ms, %.1f MB/s\n",
                bestDecode * 1e3, megabytes / bestDecode);
    if (decoded != text && text.find("\xE2\x96\x81") == std::string::npos)
      std::printf("tokenizer-bench: warning: decode(encode(text)) != text\n");
  } catch (const std::exception &error) {
    std::fprintf(stderr, "tokenizer-bench: %s\n", error.what());
    return 1;
  }
  return 0;
}
