//===- FacetRunTest.cpp - The facet-run command line ----------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "ToyModel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <sys/wait.h>

using facet::test::TempDir;
using facet::test::ToyOptions;

namespace {

constexpr int64_t kVocab = 11;

struct Result {
  int exitCode = -1;
  std::string out, err;
};

std::string quote(const std::string &text) {
  std::string quoted = "'";
  for (char c : text)
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

class FacetRunTest : public ::testing::Test {
protected:
  void SetUp() override {
    path = dir.file("toy.facet");
    facet::test::writeToyPackage(path);
  }

  Result run(const std::vector<std::string> &args) {
    std::string command = quote(FACET_RUN_PATH);
    for (const std::string &arg : args)
      command += " " + quote(arg);
    std::string errFile = dir.file("stderr.txt");
    command += " 2>" + quote(errFile);
    Result result;
    std::FILE *pipe = popen(command.c_str(), "r");
    if (!pipe) {
      ADD_FAILURE() << "cannot run " << command;
      return result;
    }
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0)
      result.out.append(buffer, n);
    int status = pclose(pipe);
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::vector<uint8_t> err = facet::test::readFile(errFile);
    result.err.assign(err.begin(), err.end());
    return result;
  }

  /// The greedy continuation of `prompt` by the reference implementation.
  static std::vector<int32_t> referenceGreedy(std::vector<int32_t> tokens,
                                              int count) {
    std::vector<int32_t> generated;
    for (int i = 0; i < count; ++i) {
      std::vector<float> logits = facet::test::toyReferenceLogits(tokens);
      const float *last = logits.data() + (tokens.size() - 1) * kVocab;
      int32_t next = int32_t(std::max_element(last, last + kVocab) - last);
      generated.push_back(next);
      tokens.push_back(next);
    }
    return generated;
  }

  static std::string joined(const std::vector<int32_t> &ids) {
    std::string text;
    for (size_t i = 0; i < ids.size(); ++i)
      text += (i ? "," : "") + std::to_string(ids[i]);
    return text;
  }

  TempDir dir;
  std::string path;
  std::vector<int32_t> prompt = {2, 5, 7, 1, 0, 10, 3, 3, 8, 6};
  std::string promptText = "2,5,7,1,0,10,3,3,8,6";
};

} // namespace

TEST_F(FacetRunTest, GreedyGenerationPrintsIds) {
  Result result = run({path, "--prompt-ids", promptText, "-n", "8"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.out, joined(referenceGreedy(prompt, 8)) + "\n");
  EXPECT_NE(result.err.find("facet-run: prefill 10 tokens in "),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("decode 8 tokens in "), std::string::npos);
  EXPECT_NE(result.err.find("tok/s"), std::string::npos);
  // --greedy and --threads change nothing; --opt=value works too.
  Result again = run({path, "--prompt-ids=" + promptText, "-n", "8", "--greedy",
                      "--threads", "2"});
  ASSERT_EQ(again.exitCode, 0) << again.err;
  EXPECT_EQ(again.out, result.out);
  EXPECT_NE(again.err.find("2 threads"), std::string::npos) << again.err;
}

TEST_F(FacetRunTest, DumpLogitsHoldsEveryPromptAndGeneratedRow) {
  std::string dump = dir.file("logits.f32");
  Result result =
      run({path, "--prompt-ids", promptText, "-n", "6", "--dump-logits", dump});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  std::vector<int32_t> generated = referenceGreedy(prompt, 6);
  std::vector<int32_t> all = prompt;
  all.insert(all.end(), generated.begin(), generated.end());
  // [prompt + generated, vocab]: like the models/ fixtures.
  std::vector<uint8_t> bytes = facet::test::readFile(dump);
  ASSERT_EQ(bytes.size(), all.size() * kVocab * sizeof(float));
  std::vector<float> logits(all.size() * kVocab);
  std::memcpy(logits.data(), bytes.data(), bytes.size());
  std::vector<float> expected = facet::test::toyReferenceLogits(all);
  for (size_t i = 0; i < logits.size(); ++i)
    ASSERT_NEAR(logits[i], expected[i], 1e-4f * (1 + std::fabs(expected[i])))
        << "row " << i / kVocab << ", token " << i % kVocab;
}

TEST_F(FacetRunTest, DumpLogitsOfAPromptLongerThanAChunk) {
  // 23 prompt tokens: six prefill chunks, the last one partial.
  std::vector<int32_t> longPrompt;
  std::string ids;
  for (int i = 0; i < 23; ++i) {
    longPrompt.push_back((i * 7 + 3) % kVocab);
    ids += (i ? "," : "") + std::to_string(longPrompt.back());
  }
  std::string dump = dir.file("long.f32");
  Result result =
      run({path, "--prompt-ids", ids, "-n", "1", "--dump-logits", dump});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  std::vector<int32_t> all = longPrompt;
  all.push_back(referenceGreedy(longPrompt, 1)[0]);
  std::vector<uint8_t> bytes = facet::test::readFile(dump);
  ASSERT_EQ(bytes.size(), all.size() * kVocab * sizeof(float));
  std::vector<float> logits(all.size() * kVocab);
  std::memcpy(logits.data(), bytes.data(), bytes.size());
  std::vector<float> expected = facet::test::toyReferenceLogits(all);
  for (size_t i = 0; i < logits.size(); ++i)
    ASSERT_NEAR(logits[i], expected[i], 1e-4f * (1 + std::fabs(expected[i])))
        << "row " << i / kVocab;
}

TEST_F(FacetRunTest, PrefillOnly) {
  std::string dump = dir.file("prefill.f32");
  Result result =
      run({path, "--prompt-ids", "2,5,7", "-n", "0", "--dump-logits", dump});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.out, "\n");
  EXPECT_EQ(facet::test::readFile(dump).size(), 3 * kVocab * sizeof(float));
}

TEST_F(FacetRunTest, SeededSamplingIsReproducible) {
  std::vector<std::string> args = {
      path,  "--prompt-ids", promptText, "-n",      "12",   "--temperature",
      "2.0", "--top-k",      "6",        "--top-p", "0.95", "--seed",
      "1234"};
  Result first = run(args);
  ASSERT_EQ(first.exitCode, 0) << first.err;
  EXPECT_EQ(run(args).out, first.out);
  // Twelve comma-separated ids in the vocabulary.
  std::stringstream ids(first.out);
  std::string id;
  int count = 0;
  while (std::getline(ids, id, ',')) {
    int value = std::stoi(id);
    EXPECT_GE(value, 0);
    EXPECT_LT(value, kVocab);
    ++count;
  }
  EXPECT_EQ(count, 12);
}

TEST_F(FacetRunTest, StopAtEos) {
  // Find a prompt whose greedy continuation reaches the EOS id (1).
  std::vector<int32_t> greedy = referenceGreedy(prompt, 20);
  auto eos = std::find(greedy.begin(), greedy.end(), 1);
  Result result =
      run({path, "--prompt-ids", promptText, "-n", "14", "--stop-at-eos"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  if (eos == greedy.end() || eos - greedy.begin() >= 14)
    EXPECT_EQ(result.out, joined(referenceGreedy(prompt, 14)) + "\n");
  else
    EXPECT_EQ(result.out,
              joined(std::vector<int32_t>(greedy.begin(), eos + 1)) + "\n");
}

TEST_F(FacetRunTest, PromptLongerThanTheContext) {
  std::string ids = "1";
  for (int i = 0; i < 24; ++i)
    ids += ",3";
  Result result = run({path, "--prompt-ids", ids, "-n", "1"});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_EQ(result.err, "facet-run: error: prompt of 25 tokens does not fit "
                        "the compiled context of 24\n");
  EXPECT_EQ(result.out, "");
}

TEST_F(FacetRunTest, GenerationPastTheContext) {
  Result result = run({path, "--prompt-ids", promptText, "-n", "15"});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_EQ(result.err, "facet-run: error: prompt of 10 tokens and 15 "
                        "generated tokens do not fit the compiled context of "
                        "24 (use -n 14 or less)\n");
  EXPECT_EQ(run({path, "--prompt-ids", promptText, "-n", "14"}).exitCode, 0);
  // A failed run leaves no partial logits file.
  std::string dump = dir.file("failed.f32");
  EXPECT_EQ(
      run({path, "--prompt-ids", promptText, "-n", "15", "--dump-logits", dump})
          .exitCode,
      1);
  EXPECT_FALSE(std::ifstream(dump).good());
}

TEST_F(FacetRunTest, TokenOutsideTheVocabulary) {
  Result result = run({path, "--prompt-ids", "2,5,11"});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_EQ(result.err, "facet-run: error: token id 11 at index 2 is outside "
                        "the vocabulary [0, 11)\n");
  result = run({path, "--prompt-ids", "-4"});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("token id -4 at index 0"), std::string::npos)
      << result.err;
}

TEST_F(FacetRunTest, PackageForAnotherMachine) {
  ToyOptions options;
  options.arch = facet::test::hostArch() == "aarch64" ? "x86_64" : "aarch64";
  options.targetName = options.arch + "-neon";
  std::string other = dir.file("other.facet");
  facet::test::writeToyPackage(other, options);
  Result result = run({other, "--prompt-ids", "2"});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_EQ(result.err, "facet-run: error: " + other + ": package built for " +
                            options.targetName + " (" + options.arch +
                            "), this machine is " + facet::test::hostArch() +
                            "\n");
}

TEST_F(FacetRunTest, MalformedPackages) {
  std::vector<uint8_t> bytes = facet::test::readFile(path);
  std::string bad = dir.file("bad.facet");

  std::vector<uint8_t> truncated(bytes.begin(), bytes.end() - 100);
  facet::test::writeFile(bad, truncated);
  Result result = run({bad, "--prompt-ids", "2"});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_EQ(result.err, "facet-run: error: " + bad +
                            ": truncated: the header says the file has " +
                            std::to_string(bytes.size()) + " bytes, found " +
                            std::to_string(bytes.size() - 100) + "\n");

  std::vector<uint8_t> magic = bytes;
  magic[0] = 'X';
  facet::test::writeFile(bad, magic);
  result = run({bad, "--prompt-ids", "2"});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("not a Facet package"), std::string::npos)
      << result.err;

  std::vector<uint8_t> version = bytes;
  version[8] = uint8_t(facet::package::kFormatVersion + 1);
  facet::test::writeFile(bad, version);
  result = run({bad, "--prompt-ids", "2"});
  EXPECT_EQ(result.exitCode, 1);
  std::string expected =
      "unsupported format version: expected " +
      std::to_string(facet::package::kFormatVersion) + ", found " +
      std::to_string(facet::package::kFormatVersion + 1);
  EXPECT_NE(result.err.find(expected), std::string::npos)
      << result.err;

  result = run({dir.file("missing.facet"), "--prompt-ids", "2"});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("cannot open"), std::string::npos) << result.err;
}

TEST_F(FacetRunTest, UsageErrorsExitWithTwo) {
  struct Case {
    std::vector<std::string> args;
    const char *message;
  };
  std::vector<Case> cases = {
      {{}, "no package given"},
      {{path}, "give a prompt: --prompt-ids, -p TEXT or --chat"},
      {{path, "--prompt-ids", "2", "-p", "hi"},
       "--prompt-ids, -p and --chat exclude each other"},
      {{path, "--chat", "-p", "hi"},
       "--prompt-ids, -p and --chat exclude each other"},
      {{path, "--prompt-ids", "2", "--raw"}, "--raw goes with -p"},
      {{path, "-p", "hi", "--raw", "--think"},
       "--system and --think need the chat template"},
      {{path, "--chat", "--dump-logits", "x"},
       "--dump-logits does not go with --chat"},
      {{path, "--prompt-ids"}, "--prompt-ids needs a value"},
      {{path, "--prompt-ids", "2,x"}, "--prompt-ids expects an integer"},
      {{path, "--prompt-ids", "2,,3"}, "--prompt-ids expects an integer"},
      {{path, "--prompt-ids", "2", "-n", "-1"}, "-n expects an integer"},
      {{path, "--prompt-ids", "2", "--frobnicate"},
       "unknown option '--frobnicate'"},
      {{path, "--prompt-ids", "2", "--greedy", "--temperature", "0.7"},
       "--greedy cannot be combined"},
      {{path, "--prompt-ids", "2", "--temperature", "0"},
       "--temperature must be greater than 0"},
      {{path, "--prompt-ids", "2", "--top-p", "1.5"}, "--top-p must be in"},
      {{path, "--prompt-ids", "2", "--threads", "0"}, "--threads expects"},
      {{path, "--prompt-ids", "2", "--seed", "-3"}, "--seed expects"},
      {{path, path, "--prompt-ids", "2"}, "more than one package"},
  };
  for (const Case &c : cases) {
    Result result = run(c.args);
    EXPECT_EQ(result.exitCode, 2) << c.message;
    EXPECT_NE(result.err.find(c.message), std::string::npos)
        << "expected '" << c.message << "' in: " << result.err;
  }
}

TEST_F(FacetRunTest, TextNeedsATokenizer) {
  for (std::vector<std::string> args :
       {std::vector<std::string>{path, "-p", "hello"},
        std::vector<std::string>{path, "--chat"}}) {
    Result result = run(args);
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_NE(result.err.find("this package has no tokenizer (its checkpoint "
                              "had no tokenizer.json); use --prompt-ids"),
              std::string::npos)
        << result.err;
  }
}

TEST_F(FacetRunTest, Help) {
  Result result = run({"--help"});
  EXPECT_EQ(result.exitCode, 0);
  EXPECT_NE(result.out.find("usage: facet-run MODEL.facet (--prompt-ids"),
            std::string::npos);
  EXPECT_NE(result.out.find("--chat"), std::string::npos);
  EXPECT_NE(result.out.find("--dump-logits FILE"), std::string::npos);
}
