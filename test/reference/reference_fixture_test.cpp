//===- reference_fixture_test.cpp - Golden evaluator vs HF fixtures -------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Imports each tiny checkpoint of models/ and runs the module the importer
// built through the ReferenceEvaluator, comparing with the logits that
// Hugging Face transformers computed (models/README.md):
//
//  * teacher-forced: one prefill over prompt + greedy tokens;
//  * incremental, as a runtime does: the prompt prefilled in chunks of 5
//    (chunks straddle the sliding window), then 32 one-token decode steps
//    fed with the evaluator's own argmax;
//  * a prefill of chunk size 1 against the whole-prompt prefill;
//  * the module after --facet-outline-kernels (every op in a facet.kernel)
//    against the plain module.
//
// Tolerance: max |diff| <= 1e-4 * max |fixture logit| (about 2.7e-3 here).
// Measured (GCC 12, x86-64, Release; the test prints them):
//   tiny-edge   teacher-forced 1.01e-04   incremental 1.01e-04
//   tiny-moe    teacher-forced 1.08e-04   incremental 1.08e-04
//   tiny-dense  teacher-forced 5.90e-04   incremental 5.90e-04
// i.e. the float32 round-off floor of models/README.md (the fixtures' own
// float32-vs-float64 differences are 9.5e-5 / 7.5e-5 / 6.4e-4), while every
// semantic mistake probed there moves the logits by 0.24 or more. The
// evaluator computes each row the same way whatever the chunking, so
// incremental and chunk-size-1 logits equal the teacher-forced ones bit for
// bit (measured difference 0).
//
//===----------------------------------------------------------------------===//

#include "test/reference/ReferenceEvaluator.h"

#include "dialects/FacetDialect.h"
#include "frontend/hf/Importer.h"
#include "frontend/support/Error.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

using namespace facet;

namespace {

constexpr double kRelativeTolerance = 1e-4; // times max |fixture logit|
constexpr double kChunkingTolerance = 1e-5; // times max |logit|
constexpr size_t kPrefillChunk = 5;

std::string modelDir(const std::string &name) {
  return std::string(FACET_SOURCE_DIR) + "/models/" + name;
}

std::string sci(double value) {
  std::ostringstream os;
  os.precision(3);
  os << std::scientific << value;
  return os.str();
}

struct Fixture {
  std::vector<int32_t> prompt;
  std::vector<int32_t> greedy;
  std::vector<float> logits; // [rows, vocab]
  int64_t rows = 0;
  int64_t vocab = 0;
  double maxAbs = 0;

  const float *row(int64_t i) const { return &logits[i * vocab]; }
  std::vector<int32_t> allTokens() const {
    std::vector<int32_t> tokens = prompt;
    tokens.insert(tokens.end(), greedy.begin(), greedy.end());
    return tokens;
  }
};

Fixture loadFixture(const std::string &dir) {
  std::ifstream jsonFile(dir + "/fixture.json");
  if (!jsonFile)
    throw Error("cannot open " + dir + "/fixture.json");
  nlohmann::json json = nlohmann::json::parse(jsonFile);
  Fixture fixture;
  fixture.prompt = json.at("prompt_ids").get<std::vector<int32_t>>();
  fixture.greedy = json.at("greedy_ids").get<std::vector<int32_t>>();
  auto shape = json.at("logits_shape").get<std::vector<int64_t>>();
  fixture.rows = shape.at(0);
  fixture.vocab = shape.at(1);
  std::string logitsPath =
      dir + "/" + json.at("logits_file").get<std::string>();
  std::ifstream raw(logitsPath, std::ios::binary);
  fixture.logits.resize(fixture.rows * fixture.vocab);
  raw.read(reinterpret_cast<char *>(fixture.logits.data()),
           fixture.logits.size() * sizeof(float));
  if (!raw)
    throw Error("cannot read " + logitsPath);
  for (float x : fixture.logits)
    fixture.maxAbs = std::max(fixture.maxAbs, double(std::fabs(x)));
  return fixture;
}

/// A checkpoint imported into its own context, with an evaluator over it.
struct Model {
  mlir::MLIRContext context;
  ImportedModel imported;
  std::unique_ptr<ReferenceEvaluator> evaluator;
};

std::unique_ptr<Model> loadModel(const std::string &dir) {
  auto model = std::make_unique<Model>();
  model->imported = importHuggingFace(model->context, dir);
  if (!model->imported.binding)
    throw Error(dir + " has no weights");
  model->evaluator = std::make_unique<ReferenceEvaluator>(
      *model->imported.module, *model->imported.binding);
  return model;
}

double maxAbsDiff(const float *a, const float *b, int64_t n) {
  double worst = 0;
  for (int64_t i = 0; i < n; ++i)
    worst = std::max(worst, double(std::fabs(a[i] - b[i])));
  return worst;
}

int32_t argmax(const float *row, int64_t n) {
  return static_cast<int32_t>(std::max_element(row, row + n) - row);
}

std::vector<int32_t> range(int32_t begin, int32_t end) {
  std::vector<int32_t> out;
  for (int32_t i = begin; i < end; ++i)
    out.push_back(i);
  return out;
}

class ReferenceFixtureTest : public ::testing::TestWithParam<const char *> {
protected:
  void SetUp() override {
    dir = modelDir(GetParam());
    fixture = loadFixture(dir);
    model = loadModel(dir);
    tolerance = kRelativeTolerance * fixture.maxAbs;
  }

  void report(const std::string &what, double diff, double limit) {
    std::cout << "[reference] " << GetParam() << " " << what
              << " max|diff| = " << sci(diff) << " (tolerance " << sci(limit)
              << ")\n";
    RecordProperty(what + "_max_abs_diff", sci(diff));
  }

  std::string dir;
  Fixture fixture;
  std::unique_ptr<Model> model;
  double tolerance = 0;
};

TEST_P(ReferenceFixtureTest, TeacherForcedPrefillMatchesFixture) {
  std::vector<int32_t> tokens = fixture.allTokens();
  ASSERT_EQ(static_cast<int64_t>(tokens.size()), fixture.rows);
  std::vector<float> logits = model->evaluator->run(
      "prefill", tokens, range(0, static_cast<int32_t>(tokens.size())));
  ASSERT_EQ(model->evaluator->resultShape(),
            (std::vector<int64_t>{fixture.rows, fixture.vocab}));

  double worst = 0;
  for (int64_t i = 0; i < fixture.rows; ++i) {
    double diff =
        maxAbsDiff(&logits[i * fixture.vocab], fixture.row(i), fixture.vocab);
    EXPECT_LE(diff, tolerance) << "row " << i;
    worst = std::max(worst, diff);
  }
  report("teacher_forced", worst, tolerance);
}

TEST_P(ReferenceFixtureTest, ChunkedPrefillThenDecodeMatchesFixture) {
  ReferenceEvaluator &evaluator = *model->evaluator;
  evaluator.reset();
  const int64_t promptLength = static_cast<int64_t>(fixture.prompt.size());
  const int64_t vocab = fixture.vocab;
  double worst = 0;

  std::vector<float> last; // logits of the last row so far
  for (int64_t begin = 0; begin < promptLength; begin += kPrefillChunk) {
    int64_t end = std::min<int64_t>(begin + kPrefillChunk, promptLength);
    std::vector<int32_t> chunk(fixture.prompt.begin() + begin,
                               fixture.prompt.begin() + end);
    std::vector<float> logits =
        evaluator.run("prefill", chunk, range(int32_t(begin), int32_t(end)));
    ASSERT_EQ(static_cast<int64_t>(logits.size()), (end - begin) * vocab);
    for (int64_t i = begin; i < end; ++i) {
      double diff =
          maxAbsDiff(&logits[(i - begin) * vocab], fixture.row(i), vocab);
      EXPECT_LE(diff, tolerance) << "prompt row " << i;
      worst = std::max(worst, diff);
    }
    last.assign(logits.end() - vocab, logits.end());
  }

  // 32 decode steps, each fed with the evaluator's own greedy choice.
  for (size_t step = 0; step < fixture.greedy.size(); ++step) {
    int32_t next = argmax(last.data(), vocab);
    ASSERT_EQ(next, fixture.greedy[step]) << "greedy token " << step;
    int32_t position = static_cast<int32_t>(promptLength + step);
    last = evaluator.run("decode", {next}, {position});
    ASSERT_EQ(static_cast<int64_t>(last.size()), vocab);
    double diff = maxAbsDiff(last.data(), fixture.row(position), vocab);
    EXPECT_LE(diff, tolerance) << "decode step " << step;
    worst = std::max(worst, diff);
  }
  report("incremental", worst, tolerance);
}

TEST_P(ReferenceFixtureTest, TokenByTokenPrefillMatchesWholePrompt) {
  ReferenceEvaluator &evaluator = *model->evaluator;
  const int32_t promptLength = static_cast<int32_t>(fixture.prompt.size());
  evaluator.reset();
  std::vector<float> whole =
      evaluator.run("prefill", fixture.prompt, range(0, promptLength));

  evaluator.reset();
  std::vector<float> single;
  for (int32_t i = 0; i < promptLength; ++i) {
    std::vector<float> row = evaluator.run("prefill", {fixture.prompt[i]}, {i});
    single.insert(single.end(), row.begin(), row.end());
  }
  ASSERT_EQ(single.size(), whole.size());
  double scale = 0;
  for (float x : whole)
    scale = std::max(scale, double(std::fabs(x)));
  double diff = maxAbsDiff(single.data(), whole.data(), int64_t(whole.size()));
  EXPECT_LE(diff, kChunkingTolerance * scale);
  report("chunk_size_1_vs_whole", diff, kChunkingTolerance * scale);
}

TEST_P(ReferenceFixtureTest, OutlinedKernelsGiveIdenticalLogits) {
  std::vector<int32_t> tokens = fixture.allTokens();
  std::vector<int32_t> positions =
      range(0, static_cast<int32_t>(tokens.size()));
  model->evaluator->reset();
  std::vector<float> plain =
      model->evaluator->run("prefill", tokens, positions);

  mlir::ModuleOp module = *model->imported.module;
  mlir::PassManager pm(&model->context);
  pm.addPass(createOutlineKernels());
  ASSERT_TRUE(mlir::succeeded(pm.run(module)));
  size_t kernels = 0;
  module.walk([&](KernelOp) { ++kernels; });
  ASSERT_GT(kernels, 0u);

  ReferenceEvaluator outlined(module, *model->imported.binding);
  EXPECT_EQ(outlined.run("prefill", tokens, positions), plain);
}

INSTANTIATE_TEST_SUITE_P(TinyModels, ReferenceFixtureTest,
                         ::testing::Values("tiny-edge", "tiny-moe",
                                           "tiny-dense"),
                         [](const auto &info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

//===----------------------------------------------------------------------===//
// Hand-written modules
//===----------------------------------------------------------------------===//

mlir::OwningOpRef<mlir::ModuleOp> parse(mlir::MLIRContext &context,
                                        const char *source) {
  context.loadDialect<FacetDialect, mlir::func::FuncDialect>();
  return mlir::parseSourceString<mlir::ModuleOp>(source, &context);
}

TEST(ReferenceEvaluatorTest, UnknownOpIsAnErrorNamingIt) {
  mlir::MLIRContext context;
  context.allowUnregisteredDialects();
  auto module = parse(context, R"mlir(
    func.func @prefill(%ids: tensor<?xi32>, %pos: tensor<?xi32>) -> tensor<?x4xf32> {
      %0 = "test.mystery"(%ids) : (tensor<?xi32>) -> tensor<?x4xf32>
      return %0 : tensor<?x4xf32>
    }
  )mlir");
  ASSERT_TRUE(module);
  ReferenceEvaluator evaluator(*module, WeightBinding{});
  try {
    evaluator.run("prefill", {1, 2}, {0, 1});
    FAIL() << "an unknown op was evaluated";
  } catch (const Error &error) {
    std::string message = error.what();
    EXPECT_NE(message.find("'test.mystery'"), std::string::npos) << message;
    EXPECT_NE(message.find("no rule"), std::string::npos) << message;
  }
}

TEST(ReferenceEvaluatorTest, MissingEntryAndBadInputsAreErrors) {
  mlir::MLIRContext context;
  auto module = parse(context, R"mlir(
    func.func @decode(%ids: tensor<1xi32>, %pos: tensor<1xi32>) -> tensor<1xi32> {
      return %ids : tensor<1xi32>
    }
  )mlir");
  ASSERT_TRUE(module);
  ReferenceEvaluator evaluator(*module, WeightBinding{});
  EXPECT_THROW(evaluator.run("prefill", {1}, {0}), Error);
  EXPECT_THROW(evaluator.run("decode", {1, 2}, {0, 1}), Error); // static 1
  EXPECT_THROW(evaluator.run("decode", {1}, {}), Error);
  EXPECT_THROW(evaluator.run("decode", {1}, {0}), Error); // returns ints
}

uint16_t bf16Bits(float value) { // exact for the values used below
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return static_cast<uint16_t>(bits >> 16);
}

TEST(ReferenceEvaluatorTest, DecodesBF16AndF16WeightsExactly) {
  mlir::MLIRContext context;
  auto module = parse(context, R"mlir(
    facet.param @bf16_table : tensor<3x2xbf16> class "embedding"
    facet.param @f16_table : tensor<3x2xf16> class "embedding"
    func.func @bf16_rows(%ids: tensor<?xi32>, %pos: tensor<?xi32>) -> tensor<?x2xf32> {
      %t = facet.weight @bf16_table : tensor<3x2xbf16>
      %0 = facet.embed %t[%ids] scale 1.0 : tensor<3x2xbf16>, tensor<?xi32> -> tensor<?x2xf32>
      return %0 : tensor<?x2xf32>
    }
    func.func @f16_rows(%ids: tensor<?xi32>, %pos: tensor<?xi32>) -> tensor<?x2xf32> {
      %t = facet.weight @f16_table : tensor<3x2xf16>
      %0 = facet.embed %t[%ids] scale 1.0 : tensor<3x2xf16>, tensor<?xi32> -> tensor<?x2xf32>
      return %0 : tensor<?x2xf32>
    }
  )mlir");
  ASSERT_TRUE(module);

  const std::vector<float> bf16Values{1.0f, -2.5f,       3.140625f,
                                      0.0f, -0.0078125f, 65536.0f};
  std::vector<uint16_t> bf16Data;
  for (float v : bf16Values)
    bf16Data.push_back(bf16Bits(v));
  // f16: 1, -2.5, the smallest subnormal 2^-24, the largest normal 65504,
  // -0, +inf.
  const std::vector<uint16_t> f16Data{0x3C00, 0xC100, 0x0001,
                                      0x7BFF, 0x8000, 0x7C00};
  const std::vector<float> f16Values{1.0f,     -2.5f, std::ldexp(1.0f, -24),
                                     65504.0f, -0.0f, INFINITY};

  auto view = [](const char *name, DType dtype,
                 const std::vector<uint16_t> &data) {
    TensorView tensor;
    tensor.name = name;
    tensor.dtype = dtype;
    tensor.shape = {3, 2};
    tensor.fileOffset = 0;
    tensor.byteSize = data.size() * 2;
    tensor.data = reinterpret_cast<const uint8_t *>(data.data());
    return tensor;
  };
  TensorView bf16View = view("bf16_table", DType::BF16, bf16Data);
  TensorView f16View = view("f16_table", DType::F16, f16Data);
  WeightBinding binding;
  binding.weights.push_back(
      {WeightSpec{"bf16_table", {3, 2}, WeightClass::Embedding, -1},
       &bf16View});
  binding.weights.push_back(
      {WeightSpec{"f16_table", {3, 2}, WeightClass::Embedding, -1}, &f16View});

  ReferenceEvaluator evaluator(*module, binding);
  EXPECT_EQ(evaluator.run("bf16_rows", {0, 1, 2}, {0, 1, 2}), bf16Values);
  std::vector<float> f16Rows = evaluator.run("f16_rows", {0, 1, 2}, {0, 1, 2});
  EXPECT_EQ(f16Rows, f16Values);
  EXPECT_TRUE(std::signbit(f16Rows[4]));
  EXPECT_THROW(evaluator.run("f16_rows", {3}, {0}), Error); // id out of range
}

} // namespace
