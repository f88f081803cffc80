//===- ModelsTest.cpp - The parsers against the committed models ----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Parses the config.json files committed under models/ (the four release
// configs and the tiny reference checkpoints) and checks the tiny
// checkpoints' tensors against expectedWeights(). Tests whose files are not
// in the tree are skipped.
//
//===----------------------------------------------------------------------===//

#include "frontend/config/WeightSpec.h"
#include "frontend/safetensors/Checkpoint.h"
#include "frontend/support/Error.h"
#include "test/unit/GemmaConfigs.h"
#include "test/unit/TestUtil.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

using namespace facet;
using namespace facet::test;
using nlohmann::json;

namespace fs = std::filesystem;

namespace {

struct Release {
  const char *dir;
  json (*literal)();
  double billions; // GEMMA4.md 3.3
};

const Release kReleases[] = {
    {"models/gemma4-e2b", e2bConfig, 4.63},
    {"models/gemma4-e4b", e4bConfig, 7.46},
    {"models/gemma4-26b-a4b", moe26bConfig, 25.23},
    {"models/gemma4-31b", dense31bConfig, 30.70},
};

int64_t total(const std::vector<WeightSpec> &weights) {
  int64_t sum = 0;
  for (const WeightSpec &w : weights)
    sum += w.numElements();
  return sum;
}

void expectSameGeometry(const ModelConfig &a, const ModelConfig &b) {
  EXPECT_EQ(a.hiddenSize, b.hiddenSize);
  EXPECT_EQ(a.vocabSize, b.vocabSize);
  EXPECT_EQ(a.numHeads, b.numHeads);
  EXPECT_EQ(a.plePerLayerWidth, b.plePerLayerWidth);
  EXPECT_EQ(a.moe, b.moe);
  EXPECT_EQ(a.numExperts, b.numExperts);
  EXPECT_EQ(a.topKExperts, b.topKExperts);
  EXPECT_EQ(a.moeIntermediateSize, b.moeIntermediateSize);
  EXPECT_EQ(a.slidingWindow, b.slidingWindow);
  EXPECT_EQ(a.finalLogitSoftcap, b.finalLogitSoftcap);
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (size_t i = 0; i < a.layers.size(); ++i) {
    SCOPED_TRACE(i);
    const LayerSpec &x = a.layers[i];
    const LayerSpec &y = b.layers[i];
    EXPECT_EQ(x.kind, y.kind);
    EXPECT_EQ(x.window, y.window);
    EXPECT_EQ(x.headDim, y.headDim);
    EXPECT_EQ(x.kvHeads, y.kvHeads);
    EXPECT_EQ(x.kvSourceLayer, y.kvSourceLayer);
    EXPECT_EQ(x.kEqV, y.kEqV);
    EXPECT_EQ(x.mlpWidth, y.mlpWidth);
    EXPECT_EQ(x.ropeTheta, y.ropeTheta);
    EXPECT_EQ(x.rotaryDims, y.rotaryDims);
  }
}

} // namespace

TEST(Models, ReleaseConfigs) {
  int found = 0;
  for (const Release &release : kReleases) {
    std::string path = sourcePath(std::string(release.dir) + "/config.json");
    if (!fileExists(path))
      continue;
    ++found;
    SCOPED_TRACE(path);
    ModelConfig fromFile;
    ASSERT_NO_THROW(fromFile = loadModelConfig(path));
    expectSameGeometry(fromFile,
                       parseModelConfig(release.literal().dump(), "literal"));
    double params = static_cast<double>(total(expectedWeights(fromFile)));
    EXPECT_LE(std::abs(params - release.billions * 1e9),
              0.005 * release.billions * 1e9)
        << params;
  }
  if (found == 0)
    GTEST_SKIP() << "no models/gemma4-*/config.json in the tree yet";
}

// models/reference-param-counts.json holds the size of transformers' text
// decoder state_dict (parameters + layer_scalar buffers, no tied lm_head) for
// each release config: expectedWeights() must account for every element.
TEST(Models, ReleaseParameterCountsExact) {
  std::string referencePath = sourcePath("models/reference-param-counts.json");
  if (!fileExists(referencePath))
    GTEST_SKIP() << "no models/reference-param-counts.json in the tree yet";
  json reference = json::parse(readText(referencePath));
  int checked = 0;
  for (const Release &release : kReleases) {
    std::string dir = release.dir;
    std::string key = dir.substr(dir.find('/') + 1);
    std::string path = sourcePath(dir + "/config.json");
    if (!reference.contains(key) || !fileExists(path))
      continue;
    SCOPED_TRACE(path);
    ++checked;
    EXPECT_EQ(total(expectedWeights(loadModelConfig(path))),
              reference[key].get<int64_t>());
  }
  EXPECT_EQ(checked, 4);
}

// The KV-sharing layout models/README.md documents for tiny-edge: shared
// sliding layers 6-8 read layer 5 (not first-2), shared full layer 9 reads 4.
TEST(Models, TinyEdgeKVSharing) {
  std::string path = sourcePath("models/tiny-edge/config.json");
  if (!fileExists(path))
    GTEST_SKIP() << "no models/tiny-edge/config.json in the tree yet";
  ModelConfig c = loadModelConfig(path);
  ASSERT_EQ(c.layers.size(), 10u);
  EXPECT_EQ(c.firstKVSharedLayer(), 6);
  for (int i : {6, 7, 8})
    EXPECT_EQ(c.layers[i].kvSourceLayer, 5) << i;
  EXPECT_EQ(c.layers[9].kvSourceLayer, 4);
  EXPECT_EQ(c.layers[9].headDim, 32);
  EXPECT_EQ(c.layers[8].headDim, 16);
  EXPECT_EQ(c.layers[6].mlpWidth, 128);
  EXPECT_EQ(c.layers[5].mlpWidth, 64);
  EXPECT_TRUE(c.hasPLE());
  EXPECT_EQ(c.plePerLayerWidth, 16);
}

// Every tiny reference checkpoint holds exactly the tensors expectedWeights()
// lists, with the listed shapes.
TEST(Models, TinyCheckpointsMatchExpectedWeights) {
  std::string modelsDir = sourcePath("models");
  std::vector<std::string> dirs;
  if (fs::is_directory(modelsDir))
    for (const auto &entry : fs::directory_iterator(modelsDir))
      if (entry.is_directory() &&
          entry.path().filename().string().rfind("tiny-", 0) == 0 &&
          fs::exists(entry.path() / "config.json"))
        dirs.push_back(entry.path().string());
  if (dirs.empty())
    GTEST_SKIP() << "no models/tiny-*/config.json in the tree yet";

  for (const std::string &dir : dirs) {
    SCOPED_TRACE(dir);
    ModelConfig config;
    ASSERT_NO_THROW(config = loadModelConfig(dir + "/config.json"));
    for (const std::string &warning : config.warnings)
      ADD_FAILURE() << "unexpected warning: " << warning;
    bool hasWeights = fs::exists(dir + "/model.safetensors") ||
                      fs::exists(dir + "/model.safetensors.index.json");
    if (!hasWeights)
      continue;
    auto opened = [&] { return CheckpointFiles::open(dir); };
    ASSERT_NO_THROW(opened());
    CheckpointFiles ckpt = opened();

    // The prefix: nested configs come from Gemma4ForConditionalGeneration.
    std::string prefix = ckpt.find("model.language_model.embed_tokens.weight")
                             ? std::string(kNestedWeightPrefix)
                             : std::string(kFlatWeightPrefix);
    std::set<std::string> expected;
    for (const WeightSpec &spec : expectedWeights(config)) {
      std::string name = prefix + spec.name;
      expected.insert(name);
      const TensorView *view = ckpt.find(name);
      if (!view) {
        ADD_FAILURE() << "missing " << name;
        continue;
      }
      EXPECT_EQ(view->shape, spec.shape) << name;
    }
    for (const std::string &name : ckpt.tensorNames()) {
      if (name.rfind(prefix, 0) != 0 || expected.count(name))
        continue;
      if (prefix == kFlatWeightPrefix &&
          name.rfind(kNestedWeightPrefix, 0) == 0)
        continue;
      // Vision/audio towers live beside the language model.
      if (name.rfind("model.vision_tower.", 0) == 0 ||
          name.rfind("model.embed_vision.", 0) == 0 ||
          name.rfind("model.audio_tower.", 0) == 0 ||
          name.rfind("model.embed_audio.", 0) == 0)
        continue;
      ADD_FAILURE() << "unexpected text tensor " << name;
    }
  }
}
