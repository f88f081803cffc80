//===- Sampler.h - Choose the next token from logits ------------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Greedy (argmax, ties to the lowest id) and seeded random sampling with
// temperature, top-k and top-p, in the order Hugging Face applies them:
// scale by 1/temperature, keep the k largest logits, keep the smallest set of
// the most likely tokens whose probability reaches p, draw. Candidates are
// ordered by logit, then by id, so the result depends only on the logits,
// the parameters and the generator state. The draw uses std::mt19937_64 and
// its own conversion to [0, 1) (std::uniform_real_distribution differs
// between standard libraries), so a seed gives the same tokens everywhere.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_SAMPLING_SAMPLER_H
#define FACET_RUNTIME_SAMPLING_SAMPLER_H

#include "facet/Runtime.h"

#include <cstdint>
#include <random>
#include <vector>

namespace facet::runtime {

/// The id of the largest logit; ties go to the lowest id, NaN never wins.
/// Throws Error(BadState) if no logit is a number.
int32_t argmaxToken(const float *logits, int64_t vocabSize);

/// Throws Error(InvalidArgument) for a NaN temperature, negative top_k or a
/// top_p outside (0, 1].
void checkSamplingParams(const SamplingParams &params);

class Sampler {
public:
  explicit Sampler(uint64_t seed = 0) : generator(seed) {}
  void seed(uint64_t value) { generator.seed(value); }

  int32_t sample(const float *logits, int64_t vocabSize,
                 const SamplingParams &params);

  /// A double in [0, 1) from the next 53 bits of the generator.
  double uniform();

private:
  std::mt19937_64 generator;
  struct Candidate {
    float logit;
    int32_t id;
  };
  std::vector<Candidate> candidates;
  std::vector<double> weights;
};

} // namespace facet::runtime

#endif // FACET_RUNTIME_SAMPLING_SAMPLER_H
