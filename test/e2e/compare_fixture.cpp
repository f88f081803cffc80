//===- compare_fixture.cpp - Check generated logits against a fixture -----===//
//
//   compare_fixture --fixture models/tiny-edge --logits l.bin --tokens 1,2,3
//                   [--rel-tolerance 1e-4] [--top1] [--reference bf16_weights]
//                   [--last-prompt-row] [--min-top1-agreement F]
//                   [--max-mean-kl F]
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
// --min-top1-agreement F: at least the fraction F of the compared rows must
// have the reference's argmax; --max-mean-kl F: the mean over the compared
// rows of KL(softmax(reference) || softmax(actual)) (nats, in double with a
// stable log-sum-exp) must not exceed F. These bound a lossy compile (e.g.
// --quant against the float32 fixture) by what matters for sampling, where
// single logits legitimately move far more than any useful absolute bound:
// so when either is given the absolute tolerance is not checked unless
// --rel-tolerance is also given explicitly.
// Prints the measured figures (top-1 agreement and mean KL included) either
// way.
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

// log(sum(exp(row))), shifted by the maximum so that no term overflows.
double logSumExp(const float *row, size_t n) {
  double top = row[argmax(row, n)];
  double sum = 0;
  for (size_t i = 0; i < n; ++i)
    sum += std::exp(double(row[i]) - top);
  return top + std::log(sum);
}

// KL(softmax(p) || softmax(q)) of two logit rows, in nats. NaN in q gives
// NaN, which every bound check rejects.
double klDivergence(const float *p, const float *q, size_t n) {
  double lseP = logSumExp(p, n), lseQ = logSumExp(q, n), kl = 0;
  for (size_t i = 0; i < n; ++i) {
    double logP = double(p[i]) - lseP, logQ = double(q[i]) - lseQ;
    kl += std::exp(logP) * (logP - logQ);
  }
  // Rounding can leave a tiny negative sum for identical rows.
  return std::max(kl, 0.0);
}

} // namespace

int main(int argc, char **argv) {
  std::string fixtureDir, logitsPath, tokens, reference;
  double relTolerance = 1e-4, minTop1Agreement = -1, maxMeanKl = -1;
  bool explicitTolerance = false;
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
    else if (arg == "--rel-tolerance") {
      relTolerance = std::stod(next());
      explicitTolerance = true;
    } else if (arg == "--min-top1-agreement")
      minTop1Agreement = std::stod(next());
    else if (arg == "--max-mean-kl")
      maxMeanKl = std::stod(next());
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
    double klSum = 0;
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
      klSum += klDivergence(e, a, vocab);
    }
    if (compared == 0)
      throw std::runtime_error("no rows to compare");
    double top1Agreement = 1.0 - double(top1Disagreements) / compared;
    double meanKl = klSum / compared;
    std::vector<int> generated = parseIds(tokens);
    bool tokensMatch = !haveTokens || generated == greedy;
    std::printf("compared %zu rows x %zu: max |diff| %.3g (row %zu), "
                "%.3g of max |logit| %.3g; top-1 disagreements %zu "
                "(agreement %.4f); mean KL %.6f; greedy tokens %s\n",
                compared, vocab, maxDiff, worstRow, maxDiff / maxAbsExpected,
                maxAbsExpected, top1Disagreements, top1Agreement, meanKl,
                !haveTokens   ? "not compared"
                : tokensMatch ? "identical"
                              : "DIFFER");
    bool qualityBounds = minTop1Agreement >= 0 || maxMeanKl >= 0;
    bool withinTolerance = (qualityBounds && !explicitTolerance) ||
                           maxDiff <= relTolerance * maxAbsExpected;
    bool top1Ok = !top1 || top1Disagreements == 0;
    bool agreementOk = top1Agreement >= minTop1Agreement;
    bool klOk = maxMeanKl < 0 || meanKl <= maxMeanKl; // NaN fails
    bool ok = withinTolerance && tokensMatch && top1Ok && agreementOk && klOk;
    if (!withinTolerance)
      std::printf("FAILED: logits beyond tolerance %.3g of max |logit|\n",
                  relTolerance);
    if (!tokensMatch)
      std::printf("FAILED: greedy tokens differ\n");
    if (!top1Ok)
      std::printf("FAILED: top-1 disagrees (top-1 required at every row)\n");
    if (!agreementOk)
      std::printf("FAILED: top-1 agreement %.4f below %.4f\n", top1Agreement,
                  minTop1Agreement);
    if (!klOk)
      std::printf("FAILED: mean KL %.6f above %.6f\n", meanKl, maxMeanKl);
    return ok ? 0 : 1;
  } catch (const std::exception &error) {
    std::cerr << "compare_fixture: " << error.what() << "\n";
    return 2;
  }
}
