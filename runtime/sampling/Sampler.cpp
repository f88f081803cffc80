//===- Sampler.cpp - Choose the next token from logits --------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/sampling/Sampler.h"

#include "runtime/core/Greedy.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace facet::runtime {

int32_t argmaxToken(const float *logits, int64_t vocabSize) {
  int32_t best = core::argmaxToken(logits, vocabSize);
  if (best < 0)
    throw Error(Status::BadState, "cannot sample: every logit is NaN");
  return best;
}

void checkSamplingParams(const SamplingParams &params) {
  if (std::isnan(params.temperature))
    throw Error(Status::InvalidArgument, "sampling temperature is NaN");
  if (params.topK < 0)
    throw Error(Status::InvalidArgument,
                "sampling top-k is " + std::to_string(params.topK) +
                    ", expected 0 (off) or a positive count");
  if (!(params.topP > 0.0f && params.topP <= 1.0f))
    throw Error(Status::InvalidArgument, "sampling top-p is " +
                                             std::to_string(params.topP) +
                                             ", expected a value in (0, 1]");
}

double Sampler::uniform() {
  return static_cast<double>(generator() >> 11) * 0x1.0p-53;
}

int32_t Sampler::sample(const float *logits, int64_t vocabSize,
                        const SamplingParams &params) {
  checkSamplingParams(params);
  if (params.temperature <= 0.0f)
    return argmaxToken(logits, vocabSize);

  // Candidates: every token with a logit above -inf (NaN counts as -inf).
  candidates.clear();
  float maxLogit = -INFINITY;
  for (int64_t i = 0; i < vocabSize; ++i) {
    float logit = logits[i];
    if (std::isnan(logit) || logit == -INFINITY)
      continue;
    candidates.push_back({logit, static_cast<int32_t>(i)});
    maxLogit = std::max(maxLogit, logit);
  }
  if (candidates.empty())
    throw Error(Status::BadState, "cannot sample: every logit is -inf or NaN");
  if (maxLogit == INFINITY) // +inf dominates: pick the lowest such id
    return argmaxToken(logits, vocabSize);

  auto byLogit = [](const Candidate &a, const Candidate &b) {
    return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
  };
  size_t keep = candidates.size();
  bool sorted = false;
  if (params.topK > 0 && size_t(params.topK) < keep) {
    keep = size_t(params.topK);
    std::partial_sort(candidates.begin(), candidates.begin() + keep,
                      candidates.end(), byLogit);
    candidates.resize(keep);
    sorted = true;
  }
  if (params.topP < 1.0f && !sorted) {
    std::sort(candidates.begin(), candidates.end(), byLogit);
    sorted = true;
  }

  // Softmax of logit / temperature, relative to the largest logit.
  double inverseTemperature = 1.0 / double(params.temperature);
  weights.resize(candidates.size());
  double total = 0.0;
  for (size_t i = 0; i < candidates.size(); ++i) {
    weights[i] = std::exp((double(candidates[i].logit) - double(maxLogit)) *
                          inverseTemperature);
    total += weights[i];
  }
  if (params.topP < 1.0f) {
    // The smallest prefix (in logit order) whose probability reaches top_p.
    double cumulative = 0.0;
    size_t cut = candidates.size();
    for (size_t i = 0; i < candidates.size(); ++i) {
      cumulative += weights[i] / total;
      if (cumulative >= double(params.topP)) {
        cut = i + 1;
        break;
      }
    }
    candidates.resize(cut);
    weights.resize(cut);
    total = 0.0;
    for (double weight : weights)
      total += weight;
  }

  double target = uniform() * total;
  double cumulative = 0.0;
  for (size_t i = 0; i < candidates.size(); ++i) {
    cumulative += weights[i];
    if (target < cumulative)
      return candidates[i].id;
  }
  return candidates.back().id; // rounding: target reached the total
}

} // namespace facet::runtime
