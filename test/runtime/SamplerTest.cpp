//===- SamplerTest.cpp - Greedy and seeded sampling -----------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/sampling/Sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

using namespace facet::runtime;

namespace {

SamplingParams sampling(float temperature, int32_t topK = 0, float topP = 1.0f,
                        uint64_t seed = 0) {
  SamplingParams params;
  params.temperature = temperature;
  params.topK = topK;
  params.topP = topP;
  params.seed = seed;
  return params;
}

std::vector<int32_t> draw(Sampler &sampler, const std::vector<float> &logits,
                          const SamplingParams &params, int count) {
  std::vector<int32_t> tokens;
  for (int i = 0; i < count; ++i)
    tokens.push_back(
        sampler.sample(logits.data(), int64_t(logits.size()), params));
  return tokens;
}

std::map<int32_t, int> histogram(const std::vector<int32_t> &tokens) {
  std::map<int32_t, int> counts;
  for (int32_t token : tokens)
    ++counts[token];
  return counts;
}

} // namespace

TEST(Sampler, GreedyTiesGoToTheLowestId) {
  std::vector<float> logits = {0.5f, 2.0f, -1.0f, 2.0f, 2.0f};
  EXPECT_EQ(argmaxToken(logits.data(), 5), 1);
  Sampler sampler;
  EXPECT_EQ(sampler.sample(logits.data(), 5, sampling(0.0f)), 1);
  EXPECT_EQ(sampler.sample(logits.data(), 5, sampling(-1.0f)), 1);
}

TEST(Sampler, GreedySkipsNaN) {
  std::vector<float> logits = {NAN, -5.0f, NAN, -4.0f};
  EXPECT_EQ(argmaxToken(logits.data(), 4), 3);
  std::vector<float> allNaN = {NAN, NAN};
  EXPECT_THROW(argmaxToken(allNaN.data(), 2), Error);
}

TEST(Sampler, TopKOneIsGreedy) {
  std::vector<float> logits = {0.1f, 0.3f, 0.2f, 0.3f};
  Sampler sampler(7);
  for (int32_t token : draw(sampler, logits, sampling(1.5f, 1), 50))
    EXPECT_EQ(token, 1);
}

TEST(Sampler, TinyTopPIsGreedy) {
  std::vector<float> logits = {0.1f, 0.3f, 0.2f, 0.0f};
  Sampler sampler(7);
  for (int32_t token : draw(sampler, logits, sampling(1.0f, 0, 1e-6f), 50))
    EXPECT_EQ(token, 1);
}

TEST(Sampler, TopKKeepsOnlyTheKMostLikely) {
  std::vector<float> logits = {3.0f, 0.0f, 2.9f, 2.8f, -1.0f};
  Sampler sampler(3);
  std::map<int32_t, int> counts =
      histogram(draw(sampler, logits, sampling(1.0f, 2), 2000));
  EXPECT_EQ(counts.size(), 2u);
  EXPECT_GT(counts[0], 0);
  EXPECT_GT(counts[2], 0);
}

TEST(Sampler, TopPKeepsTheSmallestSetReachingP) {
  // Probabilities 0.5, 0.3, 0.2 (logits are their logs).
  std::vector<float> logits = {std::log(0.2f), std::log(0.5f), std::log(0.3f)};
  Sampler sampler(11);
  EXPECT_EQ(
      histogram(draw(sampler, logits, sampling(1.0f, 0, 0.5f), 500)).size(),
      1u);
  std::map<int32_t, int> two =
      histogram(draw(sampler, logits, sampling(1.0f, 0, 0.75f), 2000));
  EXPECT_EQ(two.size(), 2u);
  EXPECT_EQ(two.count(0), 0u);
  EXPECT_EQ(
      histogram(draw(sampler, logits, sampling(1.0f, 0, 0.85f), 2000)).size(),
      3u);
}

TEST(Sampler, FrequenciesFollowTheSoftmax) {
  // softmax = 1/7, 2/7, 4/7.
  std::vector<float> logits = {0.0f, std::log(2.0f), std::log(4.0f)};
  Sampler sampler(1234);
  const int n = 70000;
  std::map<int32_t, int> counts =
      histogram(draw(sampler, logits, sampling(1.0f), n));
  EXPECT_NEAR(counts[0] / double(n), 1.0 / 7, 0.01);
  EXPECT_NEAR(counts[1] / double(n), 2.0 / 7, 0.01);
  EXPECT_NEAR(counts[2] / double(n), 4.0 / 7, 0.01);
}

TEST(Sampler, TemperatureFlattensOrSharpens) {
  std::vector<float> logits = {0.0f, std::log(2.0f), std::log(4.0f)};
  Sampler sampler(99);
  const int n = 30000;
  // T = 2: probabilities proportional to 1, sqrt 2, 2.
  std::map<int32_t, int> hot =
      histogram(draw(sampler, logits, sampling(2.0f), n));
  double z = 1 + std::sqrt(2.0) + 2;
  EXPECT_NEAR(hot[0] / double(n), 1 / z, 0.015);
  EXPECT_NEAR(hot[2] / double(n), 2 / z, 0.015);
  // T = 0.05: essentially greedy.
  std::map<int32_t, int> cold =
      histogram(draw(sampler, logits, sampling(0.05f), 1000));
  EXPECT_EQ(cold[2], 1000);
}

TEST(Sampler, NegativeInfinityIsNeverDrawn) {
  std::vector<float> logits = {-INFINITY, 0.0f, NAN, 0.0f};
  Sampler sampler(5);
  std::map<int32_t, int> counts =
      histogram(draw(sampler, logits, sampling(1.0f), 1000));
  EXPECT_EQ(counts.count(0), 0u);
  EXPECT_EQ(counts.count(2), 0u);
  std::vector<float> none = {-INFINITY, NAN};
  EXPECT_THROW(sampler.sample(none.data(), 2, sampling(1.0f)), Error);
}

TEST(Sampler, SameSeedSameTokens) {
  std::vector<float> logits;
  for (int i = 0; i < 100; ++i)
    logits.push_back(std::sin(float(i)));
  Sampler a(42), b(42), c(43);
  std::vector<int32_t> first = draw(a, logits, sampling(1.0f, 20, 0.9f), 64);
  EXPECT_EQ(first, draw(b, logits, sampling(1.0f, 20, 0.9f), 64));
  EXPECT_NE(first, draw(c, logits, sampling(1.0f, 20, 0.9f), 64));
  a.seed(42);
  EXPECT_EQ(first, draw(a, logits, sampling(1.0f, 20, 0.9f), 64));
}

TEST(Sampler, DrawsAreTheSameOnEveryPlatform) {
  // mt19937_64 is fully specified and the conversion to [0, 1) is ours, so
  // these are fixed numbers; a change here changes every seeded run.
  // The first output of mt19937_64 seeded with its default seed, 5489.
  Sampler sampler(5489);
  EXPECT_EQ(sampler.uniform(),
            double(14514284786278117030ULL >> 11) * 0x1.0p-53);
  std::vector<float> logits = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 2.5f};
  Sampler seeded(2024);
  EXPECT_EQ(draw(seeded, logits, sampling(1.0f), 12),
            (std::vector<int32_t>{5, 5, 3, 3, 0, 2, 5, 4, 3, 4, 4, 5}));
}

TEST(Sampler, RejectsBadParameters) {
  std::vector<float> logits = {0.0f, 1.0f};
  Sampler sampler;
  EXPECT_THROW(sampler.sample(logits.data(), 2, sampling(NAN)), Error);
  EXPECT_THROW(sampler.sample(logits.data(), 2, sampling(1.0f, -1)), Error);
  EXPECT_THROW(sampler.sample(logits.data(), 2, sampling(1.0f, 0, 0.0f)),
               Error);
  EXPECT_THROW(sampler.sample(logits.data(), 2, sampling(1.0f, 0, 1.5f)),
               Error);
  try {
    sampler.sample(logits.data(), 2, sampling(1.0f, 0, 2.0f));
  } catch (const Error &error) {
    EXPECT_EQ(error.status(), Status::InvalidArgument);
    EXPECT_NE(std::string(error.what()).find("top-p"), std::string::npos);
  }
}
