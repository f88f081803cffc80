//===- ExecutorTest.cpp - The toy model through the C++ and C APIs --------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// End to end without Halide: the toy package (ToyModel.h) whose kernels are
// plain C (toy_kernels.c), loaded from memory, executed with chunked prefill
// and ring-buffer KV caches, and compared with logits computed directly.
//
//===----------------------------------------------------------------------===//

#include "ToyModel.h"

#include "facet.h"
#include "facet/Runtime.h"
#include "runtime/package/PackageWriter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

using facet::runtime::Error;
using facet::runtime::Model;
using facet::runtime::Options;
using facet::runtime::SamplingParams;
using facet::runtime::Status;
using facet::test::TempDir;
using facet::test::ToyOptions;

extern "C" int facet_c_smoke(const char *path, const int32_t *prompt,
                             size_t count, int32_t *generated, size_t steps,
                             char *message, size_t message_size);

namespace {

constexpr int64_t kVocab = 11;

void expectRowsNear(const float *actual, const std::vector<float> &expected,
                    size_t firstRow, size_t rows, const char *what) {
  for (size_t r = 0; r < rows; ++r)
    for (size_t v = 0; v < size_t(kVocab); ++v) {
      float want = expected[(firstRow + r) * kVocab + v];
      ASSERT_NEAR(actual[r * kVocab + v], want, 1e-4f * (1 + std::fabs(want)))
          << what << ": row " << firstRow + r << ", token " << v;
    }
}

class ExecutorTest : public ::testing::Test {
protected:
  std::string package(const ToyOptions &options = {},
                      const std::string &name = "toy.facet") {
    std::string path = dir.file(name);
    facet::test::writeToyPackage(path, options);
    return path;
  }

  /// Runs `body` and returns the Error it throws (fails if none).
  template <typename Body> Error errorOf(Body &&body) {
    try {
      body();
    } catch (const Error &error) {
      return error;
    }
    ADD_FAILURE() << "no error";
    return Error(Status::Ok, "");
  }

  TempDir dir;
  // 10 tokens: prefill chunks of 4, 4 and 2.
  std::vector<int32_t> prompt = {2, 5, 7, 1, 0, 10, 3, 3, 8, 6};
};

} // namespace

TEST_F(ExecutorTest, OpensAndDescribesTheModel) {
  std::unique_ptr<Model> model = Model::open(package(), Options{3});
  EXPECT_EQ(model->info().name, "toy");
  EXPECT_EQ(model->info().vocabSize, kVocab);
  EXPECT_EQ(model->info().maxContext, 24);
  EXPECT_EQ(model->info().prefillChunk, 4);
  EXPECT_EQ(model->info().eosTokenIds, std::vector<int32_t>{1});
  EXPECT_EQ(model->info().threads, 3);
  EXPECT_EQ(model->position(), 0);
  EXPECT_EQ(Model::open(package())->info().threads,
            facet::runtime::defaultThreadCount());
}

TEST_F(ExecutorTest, ChunkedPrefillMatchesTheReference) {
  std::unique_ptr<Model> model = Model::open(package());
  std::vector<float> all(prompt.size() * kVocab);
  model->prefill(prompt.data(), prompt.size(), all.data());
  EXPECT_EQ(model->position(), 10);
  std::vector<float> expected = facet::test::toyReferenceLogits(prompt);
  expectRowsNear(all.data(), expected, 0, prompt.size(), "prefill");
  expectRowsNear(model->logits(), expected, prompt.size() - 1, 1, "last");
}

TEST_F(ExecutorTest, PrefillWithoutEveryRowSkipsTheLogitsOfEarlierChunks) {
  // Chunks 4, 4 and 2: the first two stop after their KV stores (the
  // attention and logits kernels of the toy model come after them), and
  // what they stored must still make the last chunk and decode right.
  std::unique_ptr<Model> model = Model::open(package());
  model->prefill(prompt.data(), prompt.size());
  std::vector<float> expected = facet::test::toyReferenceLogits(prompt);
  expectRowsNear(model->logits(), expected, prompt.size() - 1, 1, "last");
  std::vector<int32_t> tokens = prompt;
  tokens.push_back(4);
  model->decode(4);
  expectRowsNear(model->logits(), facet::test::toyReferenceLogits(tokens),
                 tokens.size() - 1, 1, "decode");
}

TEST_F(ExecutorTest, DecodeMatchesTheReferencePastTheRingCapacity) {
  // The sliding cache holds 6 slots; 5 + 12 tokens wrap it twice.
  std::unique_ptr<Model> model = Model::open(package());
  std::vector<int32_t> tokens(prompt.begin(), prompt.begin() + 5);
  model->prefill(tokens.data(), tokens.size());
  for (int32_t token : {4, 9, 9, 1, 0, 2, 7, 5, 6, 10, 3, 8})
    tokens.push_back(token), model->decode(token);
  EXPECT_EQ(model->position(), 17);
  std::vector<float> expected = facet::test::toyReferenceLogits(tokens);
  expectRowsNear(model->logits(), expected, tokens.size() - 1, 1, "decode");
}

TEST_F(ExecutorTest, PrefillInPiecesEqualsOnePrefillEqualsDecoding) {
  std::vector<float> expected = facet::test::toyReferenceLogits(prompt);
  std::unique_ptr<Model> model = Model::open(package());
  // Pieces that straddle chunk boundaries: 3 + 6 + 1.
  model->prefill(prompt.data(), 3);
  std::vector<float> middle(6 * kVocab);
  model->prefill(prompt.data() + 3, 6, middle.data());
  expectRowsNear(middle.data(), expected, 3, 6, "second piece");
  model->prefill(prompt.data() + 9, 1);
  expectRowsNear(model->logits(), expected, 9, 1, "third piece");

  model->reset();
  for (int32_t token : prompt)
    model->decode(token);
  expectRowsNear(model->logits(), expected, 9, 1, "token by token");
}

TEST_F(ExecutorTest, ResetStartsOver) {
  std::unique_ptr<Model> model = Model::open(package());
  model->prefill(prompt.data(), prompt.size());
  std::vector<float> first(model->logits(), model->logits() + kVocab);
  model->decode(4);
  model->reset();
  EXPECT_EQ(model->position(), 0);
  EXPECT_EQ(errorOf([&] { model->logits(); }).status(), Status::BadState);
  model->prefill(prompt.data(), prompt.size());
  EXPECT_EQ(std::vector<float>(model->logits(), model->logits() + kVocab),
            first);
}

TEST_F(ExecutorTest, LogitsBeforeAnyTokenIsBadState) {
  std::unique_ptr<Model> model = Model::open(package());
  Error error = errorOf([&] { model->logits(); });
  EXPECT_EQ(error.status(), Status::BadState);
  EXPECT_STREQ(error.what(), "no logits yet: prefill or decode a token first");
  EXPECT_EQ(errorOf([&] { model->sample({}); }).status(), Status::BadState);
}

TEST_F(ExecutorTest, PromptLongerThanTheContext) {
  std::unique_ptr<Model> model = Model::open(package());
  std::vector<int32_t> longPrompt(25, 3);
  Error error =
      errorOf([&] { model->prefill(longPrompt.data(), longPrompt.size()); });
  EXPECT_EQ(error.status(), Status::ContextOverflow);
  EXPECT_STREQ(error.what(),
               "prompt of 25 tokens does not fit the compiled context of 24");
  EXPECT_EQ(model->position(), 0); // nothing ran
  // 24 fit; then a decode does not.
  model->prefill(longPrompt.data(), 24);
  error = errorOf([&] { model->decode(3); });
  EXPECT_EQ(error.status(), Status::ContextOverflow);
  EXPECT_STREQ(error.what(),
               "decode at position 24 does not fit the compiled context of 24");
  model->reset();
  model->prefill(longPrompt.data(), 20);
  error = errorOf([&] { model->prefill(longPrompt.data(), 5); });
  EXPECT_STREQ(error.what(), "prompt of 5 tokens does not fit the compiled "
                             "context of 24 (20 positions already used)");
}

TEST_F(ExecutorTest, TokenOutsideTheVocabulary) {
  std::unique_ptr<Model> model = Model::open(package());
  std::vector<int32_t> bad = {2, 5, 11, 1};
  Error error = errorOf([&] { model->prefill(bad.data(), bad.size()); });
  EXPECT_EQ(error.status(), Status::TokenOutOfRange);
  EXPECT_STREQ(error.what(), "token id 11 at index 2 is outside the "
                             "vocabulary [0, 11)");
  EXPECT_EQ(model->position(), 0);
  error = errorOf([&] { model->decode(-1); });
  EXPECT_EQ(error.status(), Status::TokenOutOfRange);
  EXPECT_STREQ(error.what(), "token id -1 at index 0 is outside the "
                             "vocabulary [0, 11)");
  // The model is still usable.
  model->prefill(prompt.data(), prompt.size());
  EXPECT_EQ(model->position(), 10);
}

TEST_F(ExecutorTest, EmptyPromptIsAnInvalidArgument) {
  std::unique_ptr<Model> model = Model::open(package());
  EXPECT_EQ(errorOf([&] { model->prefill(prompt.data(), 0); }).status(),
            Status::InvalidArgument);
}

TEST_F(ExecutorTest, FailingKernelIsNamedAndNeedsAReset) {
  ToyOptions options;
  options.decodeLogitsSymbol = "k_fail";
  std::unique_ptr<Model> model = Model::open(package(options));
  model->prefill(prompt.data(), 4); // prefill uses the working kernel
  Error error = errorOf([&] { model->decode(3); });
  EXPECT_EQ(error.status(), Status::Kernel);
  EXPECT_STREQ(error.what(),
               "kernel 'decode.logits' (k_fail) failed with error -42");
  error = errorOf([&] { model->prefill(prompt.data(), 4); });
  EXPECT_EQ(error.status(), Status::BadState);
  EXPECT_NE(std::string(error.what()).find("call reset first"),
            std::string::npos);
  model->reset();
  model->prefill(prompt.data(), 4);
  EXPECT_EQ(model->position(), 4);
}

TEST_F(ExecutorTest, MissingKernelSymbolFailsAtOpen) {
  ToyOptions options;
  options.decodeLogitsSymbol = "k_does_not_exist";
  std::string path = package(options);
  Error error = errorOf([&] { Model::open(path); });
  EXPECT_EQ(error.status(), Status::Kernel);
  EXPECT_EQ(std::string(error.what()),
            path + ": kernel code: kernel 'decode.logits': symbol "
                   "'k_does_not_exist' is missing from the kernel object");
}

TEST_F(ExecutorTest, KernelSectionThatIsNotASharedObject) {
  facet::package::PackageWriter writer(facet::test::toyManifest(ToyOptions()));
  writer.setKernels({'n', 'o', 't', ' ', 'e', 'l', 'f'});
  std::vector<std::vector<uint8_t>> weights =
      facet::test::toyWeights(ToyOptions());
  writer.setWeight(0, weights[0]);
  writer.setWeight(1, weights[1]);
  std::string path = dir.file("noelf.facet");
  writer.write(path);
  Error error = errorOf([&] { Model::open(path); });
  EXPECT_EQ(error.status(), Status::Kernel);
  EXPECT_EQ(std::string(error.what()),
            path + ": kernel code: the Kernels section is not an ELF shared "
                   "object");
}

TEST_F(ExecutorTest, PackageForAnotherArchitecture) {
  ToyOptions options;
  options.arch = facet::test::hostArch() == "aarch64" ? "x86_64" : "aarch64";
  std::string path = package(options);
  Error error = errorOf([&] { Model::open(path); });
  EXPECT_EQ(error.status(), Status::TargetMismatch);
  EXPECT_EQ(std::string(error.what()), path + ": package built for " +
                                           options.arch + ", this machine is " +
                                           facet::test::hostArch());
}

TEST_F(ExecutorTest, PackageNeedingAnUnknownFeature) {
  ToyOptions options;
  options.targetName = "x86_64-future";
  options.cpuFeatures = {"avx1024"};
  std::string path = package(options);
  Error error = errorOf([&] { Model::open(path); });
  EXPECT_EQ(error.status(), Status::TargetMismatch);
  EXPECT_NE(std::string(error.what()).find("package built for x86_64-future"),
            std::string::npos)
      << error.what();
}

TEST_F(ExecutorTest, MalformedPackageIsAFormatError) {
  std::string path = package();
  std::vector<uint8_t> bytes = facet::test::readFile(path);
  bytes.resize(bytes.size() / 2);
  facet::test::writeFile(path, bytes);
  Error error = errorOf([&] { Model::open(path); });
  EXPECT_EQ(error.status(), Status::Format);
  EXPECT_NE(std::string(error.what()).find(path + ": truncated"),
            std::string::npos)
      << error.what();
  EXPECT_EQ(errorOf([&] { Model::open(dir.file("missing.facet")); }).status(),
            Status::Io);
  EXPECT_EQ(errorOf([&] { Model::open(path, Options{-2}); }).status(),
            Status::InvalidArgument);
}

TEST_F(ExecutorTest, KernelsGetTheThreadCount) {
  ToyOptions options;
  options.decodeLogitsSymbol = "k_threads";
  std::unique_ptr<Model> model = Model::open(package(options), Options{3});
  model->decode(2);
  EXPECT_EQ(model->logits()[0], 3.0f);
  EXPECT_EQ(model->logits()[kVocab - 1], 3.0f);
}

TEST_F(ExecutorTest, TwoModelsAtOnceAreIndependent) {
  std::string path = package();
  std::unique_ptr<Model> a = Model::open(path), b = Model::open(path);
  a->prefill(prompt.data(), 6);
  b->prefill(prompt.data() + 2, 3);
  std::vector<float> expectedA = facet::test::toyReferenceLogits(
      std::vector<int32_t>(prompt.begin(), prompt.begin() + 6));
  std::vector<float> expectedB = facet::test::toyReferenceLogits(
      std::vector<int32_t>(prompt.begin() + 2, prompt.begin() + 5));
  expectRowsNear(a->logits(), expectedA, 5, 1, "a");
  expectRowsNear(b->logits(), expectedB, 2, 1, "b");
}

TEST_F(ExecutorTest, GreedyAndSeededSampling) {
  std::string path = package();
  std::unique_ptr<Model> model = Model::open(path);
  model->prefill(prompt.data(), prompt.size());
  const float *logits = model->logits();
  int32_t best = 0;
  for (int32_t v = 1; v < kVocab; ++v)
    if (logits[v] > logits[best])
      best = v;
  EXPECT_EQ(model->sample({}), best);

  SamplingParams params;
  params.temperature = 1.5f;
  params.topK = 5;
  params.topP = 0.95f;
  params.seed = 77;
  auto generate = [&](Model &m) {
    m.reset();
    m.prefill(prompt.data(), 4);
    std::vector<int32_t> out;
    for (int i = 0; i < 12; ++i) {
      out.push_back(m.sample(params));
      m.decode(out.back());
    }
    return out;
  };
  std::unique_ptr<Model> other = Model::open(path);
  std::vector<int32_t> first = generate(*model);
  EXPECT_EQ(first, generate(*other));
  EXPECT_EQ(first, generate(*model)); // reset reseeds
}

TEST_F(ExecutorTest, CApiReportsStatusesAndMessages) {
  facet_model *model = reinterpret_cast<facet_model *>(1);
  EXPECT_EQ(facet_open(dir.file("missing.facet").c_str(), nullptr, &model),
            FACET_ERROR_IO);
  EXPECT_EQ(model, nullptr);
  EXPECT_NE(std::string(facet_last_error()).find("missing.facet"),
            std::string::npos);
  EXPECT_EQ(facet_open(nullptr, nullptr, &model), FACET_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(facet_last_error(), "facet_open: path is NULL");
  EXPECT_EQ(facet_prefill(nullptr, nullptr, 0), FACET_ERROR_INVALID_ARGUMENT);

  std::string path = package();
  ASSERT_EQ(facet_open(path.c_str(), nullptr, &model), FACET_OK)
      << facet_last_error();
  facet_model_info info;
  ASSERT_EQ(facet_model_get_info(model, &info), FACET_OK);
  EXPECT_STREQ(info.name, "toy");
  EXPECT_EQ(info.vocab_size, kVocab);
  EXPECT_EQ(info.max_context, 24);
  EXPECT_EQ(info.prefill_chunk, 4);
  ASSERT_EQ(info.eos_token_count, 1u);
  EXPECT_EQ(info.eos_token_ids[0], 1);

  std::vector<float> all(prompt.size() * kVocab);
  ASSERT_EQ(
      facet_prefill_all_logits(model, prompt.data(), prompt.size(), all.data()),
      FACET_OK);
  std::vector<float> expected = facet::test::toyReferenceLogits(prompt);
  expectRowsNear(all.data(), expected, 0, prompt.size(), "C prefill");
  // The same rows, chunk by chunk (chunks of 4: 4 + 4 + 2).
  struct Chunks {
    std::vector<float> rows;
    std::vector<size_t> firsts;
  } chunks;
  auto collect = [](void *user, size_t first, const float *rows, size_t count,
                    size_t vocabSize) {
    auto *c = static_cast<Chunks *>(user);
    c->firsts.push_back(first);
    c->rows.insert(c->rows.end(), rows, rows + count * vocabSize);
  };
  ASSERT_EQ(facet_reset(model), FACET_OK);
  ASSERT_EQ(facet_prefill_chunked(model, prompt.data(), prompt.size(), collect,
                                  &chunks),
            FACET_OK);
  EXPECT_EQ(chunks.firsts, (std::vector<size_t>{0, 4, 8}));
  expectRowsNear(chunks.rows.data(), expected, 0, prompt.size(), "chunked");
  EXPECT_EQ(facet_prefill_chunked(model, prompt.data(), 1, nullptr, nullptr),
            FACET_ERROR_INVALID_ARGUMENT);

  const float *logits = nullptr;
  size_t vocab = 0;
  ASSERT_EQ(facet_logits(model, &logits, &vocab), FACET_OK);
  EXPECT_EQ(vocab, size_t(kVocab));
  expectRowsNear(logits, expected, prompt.size() - 1, 1, "C logits");

  std::vector<int32_t> tooLong(20, 1);
  EXPECT_EQ(facet_prefill(model, tooLong.data(), tooLong.size()),
            FACET_ERROR_CONTEXT_OVERFLOW);
  EXPECT_STREQ(facet_last_error(), "prompt of 20 tokens does not fit the "
                                   "compiled context of 24 (10 positions "
                                   "already used)");
  EXPECT_EQ(facet_decode(model, 99), FACET_ERROR_TOKEN_OUT_OF_RANGE);
  EXPECT_STREQ(facet_last_error(),
               "token id 99 at index 0 is outside the vocabulary [0, 11)");
  facet_sampling bad = facet_default_sampling();
  bad.temperature = 1.0f;
  bad.top_p = 0.0f;
  int32_t token;
  EXPECT_EQ(facet_sample(model, &bad, &token), FACET_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(facet_sample(model, nullptr, &token), FACET_OK);
  EXPECT_STREQ(facet_last_error(), "");
  EXPECT_EQ(facet_position(model), 10);
  facet_close(model);
  facet_close(nullptr);
  EXPECT_STREQ(facet_status_string(FACET_ERROR_TARGET_MISMATCH),
               "target mismatch");
}

TEST_F(ExecutorTest, CApiFromC) {
  std::string path = package();
  std::vector<int32_t> generated(6);
  char message[512];
  int line = facet_c_smoke(path.c_str(), prompt.data(), prompt.size(),
                           generated.data(), generated.size(), message,
                           sizeof(message));
  ASSERT_EQ(line, 0) << message;
  // Greedy tokens agree with the reference.
  std::vector<int32_t> tokens = prompt;
  for (int32_t token : generated) {
    std::vector<float> logits = facet::test::toyReferenceLogits(tokens);
    const float *last = logits.data() + (tokens.size() - 1) * kVocab;
    EXPECT_EQ(token, std::max_element(last, last + kVocab) - last);
    tokens.push_back(token);
  }
}
