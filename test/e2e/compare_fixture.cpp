//===- compare_fixture.cpp - Check generated logits against a fixture -----===//
//
//   compare_fixture --fixture models/tiny-edge --logits l.bin --tokens 1,2,3
//                   [--rel-tolerance 1e-4] [--top1] [--reference bf16_weights]
//                   [--last-prompt-row]
//   compare_fixture --fixture models/tiny-edge --print-prompt [--teacher-forced]
//
// `l.bin` holds float32 rows [prompt positions + generated steps, vocab] as
// `facet-run --dump-logits` writes them; `--tokens` are the generated ids.
// --last-prompt-row: the file starts at the prompt's last position (a
// package compiled without --all-logits has no earlier prompt rows).
// The fixture's logits.f32 row i is the next-token distribution after token
// i of prompt_ids + greedy_ids, so dumped row i compares with fixture row i.
// Passes when every compared row is within rel-tolerance * max|fixture
// logit| and the generated tokens (if --tokens is given) equal the fixture's
// greedy continuation; --top1 also requires every row's argmax to agree.
// --print-prompt --teacher-forced prints prompt + greedy continuation: run
// with -n 0, every fixture row is then compared (used for bf16 weights,
// whose own greedy choice may drift on near-ties late in the run).
// --reference KEY compares with the logits file of fixture.json's KEY object
// (bf16_weights: transformers with bf16-rounded weights) instead.
// Prints the measured figures either way.
//
//===----------------------------------------------------------------------===//

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::vector<float> readFloats(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot open " + path);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
  if (bytes.size() % 4)
    throw std::runtime_error(path + ": size is not a multiple of 4 bytes");
  std::vector<float> values(bytes.size() / 4);
  std::memcpy(values.data(), bytes.data(), bytes.size());
  return values;
}

std::vector<int> parseIds(const std::string &text) {
  std::vector<int> ids;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ','))
    if (!item.empty())
      ids.push_back(std::stoi(item));
  return ids;
}

size_t argmax(const float *row, size_t n) {
  size_t best = 0;
  for (size_t i = 1; i < n; ++i)
    if (row[i] > row[best])
      best = i;
  return best;
}

} // namespace

int main(int argc, char **argv) {
  std::string fixtureDir, logitsPath, tokens, reference;
  double relTolerance = 1e-4;
  bool top1 = false, printPrompt = false, teacherForced = false,
       haveTokens = false, lastPromptRow = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc)
        throw std::runtime_error(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--fixture")
      fixtureDir = next();
    else if (arg == "--logits")
      logitsPath = next();
    else if (arg == "--tokens") {
      tokens = next();
      haveTokens = true;
    }
    else if (arg == "--rel-tolerance")
      relTolerance = std::stod(next());
    else if (arg == "--reference")
      reference = next();
    else if (arg == "--last-prompt-row")
      lastPromptRow = true;
    else if (arg == "--top1")
      top1 = true;
    else if (arg == "--teacher-forced")
      teacherForced = true;
    else if (arg == "--print-prompt")
      printPrompt = true;
    else {
      std::cerr << "compare_fixture: unknown argument " << arg << "\n";
      return 2;
    }
  }
  try {
    std::ifstream jsonFile(fixtureDir + "/fixture.json");
    if (!jsonFile)
      throw std::runtime_error("cannot open " + fixtureDir + "/fixture.json");
    nlohmann::json fixture = nlohmann::json::parse(jsonFile);
    auto prompt = fixture["prompt_ids"].get<std::vector<int>>();
    auto greedy = fixture["greedy_ids"].get<std::vector<int>>();
    if (printPrompt) {
      if (teacherForced)
        prompt.insert(prompt.end(), greedy.begin(), greedy.end());
      for (size_t i = 0; i < prompt.size(); ++i)
        std::printf("%s%d", i ? "," : "", prompt[i]);
      std::printf("\n");
      return 0;
    }
    auto shape = fixture["logits_shape"].get<std::vector<size_t>>();
    size_t vocab = shape[1];
    const nlohmann::json &source =
        reference.empty() ? fixture : fixture.at(reference);
    std::vector<float> expected = readFloats(
        fixtureDir + "/" + source.at("logits_file").get<std::string>());
    if (expected.size() != shape[0] * vocab)
      throw std::runtime_error("the reference logits are not [" +
                               std::to_string(shape[0]) + ", " +
                               std::to_string(vocab) + "]");
    std::vector<float> actual = readFloats(logitsPath);
    if (actual.size() % vocab)
      throw std::runtime_error(logitsPath + ": not whole rows of " +
                               std::to_string(vocab));
    size_t rows = actual.size() / vocab;
    // Row r of the file is row firstRow + r of the fixture. The last
    // generated token's logits are not in the fixture.
    size_t firstRow = lastPromptRow ? prompt.size() - 1 : 0;
    size_t compared = std::min(rows, shape[0] - firstRow);
    if (firstRow + compared < prompt.size())
      throw std::runtime_error("fewer logit rows than prompt positions");

    double maxAbsExpected = 0, maxDiff = 0;
    size_t worstRow = 0, top1Disagreements = 0;
    for (size_t r = 0; r < compared; ++r) {
      const float *e = &expected[(firstRow + r) * vocab],
                  *a = &actual[r * vocab];
      for (size_t v = 0; v < vocab; ++v) {
        maxAbsExpected = std::max(maxAbsExpected, std::fabs(double(e[v])));
        double diff = std::fabs(double(e[v]) - double(a[v]));
        if (!(diff <= maxDiff)) { // also catches NaN
          maxDiff = std::isnan(diff) ? INFINITY : diff;
          worstRow = firstRow + r;
        }
      }
      top1Disagreements += argmax(e, vocab) != argmax(a, vocab);
    }
    std::vector<int> generated = parseIds(tokens);
    bool tokensMatch = !haveTokens || generated == greedy;
    std::printf("compared %zu rows x %zu: max |diff| %.3g (row %zu), "
                "%.3g of max |logit| %.3g; top-1 disagreements %zu; "
                "greedy tokens %s\n",
                compared, vocab, maxDiff, worstRow, maxDiff / maxAbsExpected,
                maxAbsExpected, top1Disagreements,
                !haveTokens   ? "not compared"
                : tokensMatch ? "identical"
                              : "DIFFER");
    bool withinTolerance = maxDiff <= relTolerance * maxAbsExpected;
    bool ok = withinTolerance && tokensMatch &&
              (!top1 || top1Disagreements == 0);
    if (!ok)
      std::printf("FAILED: %s (tolerance %.3g of max |logit|%s)\n",
                  !withinTolerance ? "logits beyond tolerance"
                  : !tokensMatch   ? "greedy tokens differ"
                                   : "top-1 disagrees",
                  relTolerance, top1 ? ", top-1 required" : "");
    return ok ? 0 : 1;
  } catch (const std::exception &error) {
    std::cerr << "compare_fixture: " << error.what() << "\n";
    return 2;
  }
}
