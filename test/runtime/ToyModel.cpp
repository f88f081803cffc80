//===- ToyModel.cpp - A tiny package for runtime tests --------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "ToyModel.h"

#include "runtime/package/PackageWriter.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace facet::test {

using namespace facet::package;

std::string hostArch() {
#if defined(__x86_64__)
  return "x86_64";
#elif defined(__aarch64__)
  return "aarch64";
#else
  return "unknown";
#endif
}

namespace {

float embedValue(int64_t v, int64_t d) {
  return static_cast<float>(std::sin(0.37 * double(v) + 1.1 * double(d) + 0.2));
}
float unembedValue(int64_t v, int64_t d) {
  return static_cast<float>(std::cos(0.53 * double(v) - 0.7 * double(d)));
}

/// Lays out `buffers` one after another, 64-byte aligned.
uint64_t layOut(std::vector<BufferInfo> &buffers, int64_t maxTokens) {
  uint64_t offset = 0;
  for (BufferInfo &buffer : buffers) {
    buffer.arenaOffset = offset;
    offset += (bufferBytes(buffer, maxTokens) + 63) / 64 * 64;
  }
  return offset;
}

EntryPoint toyEntry(const std::string &name, int64_t maxTokens, int64_t leading,
                    const ToyOptions &options, uint64_t logitsKernel) {
  EntryPoint entry;
  entry.name = name;
  entry.maxTokens = maxTokens;
  int64_t D = options.dim, V = options.vocab;
  entry.buffers = {
      {"token_ids", ElementType::I32, {leading}, 0},
      {"positions", ElementType::I32, {leading}, 0},
      {"keys", ElementType::F32, {leading, 1, D}, 0},
      {"values", ElementType::F32, {leading, 1, D}, 0},
      {"attend_full", ElementType::F32, {leading, D}, 0},
      {"attend_window", ElementType::F32, {leading, D}, 0},
      {"logits", ElementType::F32, {leading, V}, 0},
  };
  entry.arenaBytes = layOut(entry.buffers, maxTokens);
  entry.tokenIdsBuffer = 0;
  entry.positionsBuffer = 1;
  entry.logitsBuffer = 6;
  auto buffer = [](uint64_t i) { return Arg{ArgKind::Buffer, i}; };
  auto weight = [](uint64_t i) { return Arg{ArgKind::Weight, i}; };
  Arg context{ArgKind::Scalar, uint64_t(ScalarKind::ContextLength)};
  Arg tokens{ArgKind::Scalar, uint64_t(ScalarKind::Tokens)};
  auto kernel = [](uint64_t k, std::vector<Arg> args) {
    Step step;
    step.kind = StepKind::Kernel;
    step.kernel = k;
    step.args = std::move(args);
    return step;
  };
  auto store = [&](uint64_t cache) {
    Step step;
    step.kind = StepKind::KVStore;
    step.cache = cache;
    step.args = {buffer(2), buffer(3)};
    return step;
  };
  entry.steps = {
      kernel(0, {buffer(0), weight(0), buffer(2), buffer(3)}),
      store(0),
      store(1),
      kernel(1, {buffer(1),
                 {ArgKind::CacheKeys, 0},
                 {ArgKind::CacheValues, 0},
                 context,
                 tokens,
                 buffer(4)}),
      kernel(2, {buffer(1),
                 {ArgKind::CacheKeys, 1},
                 {ArgKind::CacheValues, 1},
                 context,
                 tokens,
                 buffer(5)}),
      kernel(logitsKernel, {buffer(4), buffer(5), weight(1), buffer(6)}),
  };
  return entry;
}

} // namespace

Manifest toyManifest(const ToyOptions &options) {
  Manifest manifest;
  manifest.model.name = options.name;
  manifest.model.vocabSize = options.vocab;
  manifest.model.hiddenSize = options.dim;
  manifest.model.numLayers = 1;
  manifest.model.maxContext = options.maxContext;
  manifest.model.bosTokenId = 2;
  manifest.model.eosTokenIds = {1};

  manifest.target.arch = options.arch.empty() ? hostArch() : options.arch;
  manifest.target.name =
      options.targetName.empty() ? manifest.target.arch : options.targetName;
  manifest.target.cpuFeatures = options.cpuFeatures;

  manifest.kernels = {
      {"embed", "k_embed", 4},
      {"attend.full", "k_attend_full", 6},
      {"attend.window3", "k_attend_window3", 6},
      {"prefill.logits", "k_logits", 4},
      {"decode.logits", options.decodeLogitsSymbol, 4},
  };

  int64_t V = options.vocab, D = options.dim;
  uint64_t weightBytes = uint64_t(V * D) * sizeof(float);
  manifest.weights = {
      {"embed", ElementType::F32, {V, D}, 0, weightBytes},
      {"unembed", ElementType::F32, {V, D}, 0, weightBytes},
  };

  CacheInfo full{"layer0.full", ElementType::F32, 1, D, 0, options.maxContext};
  CacheInfo sliding{
      "layer0.sliding",
      ElementType::F32,
      1,
      D,
      kToyWindow,
      std::min(options.maxContext, kToyWindow + options.chunk - 1)};
  manifest.caches = {full, sliding};

  manifest.entryPoints = {
      toyEntry("prefill", options.chunk, kTokens, options, 3),
      toyEntry("decode", 1, 1, options, 4),
  };
  return manifest;
}

std::vector<std::vector<uint8_t>> toyWeights(const ToyOptions &options) {
  std::vector<std::vector<uint8_t>> weights;
  for (int which = 0; which < 2; ++which) {
    std::vector<float> values;
    for (int64_t v = 0; v < options.vocab; ++v)
      for (int64_t d = 0; d < options.dim; ++d)
        values.push_back(which == 0 ? embedValue(v, d) : unembedValue(v, d));
    std::vector<uint8_t> bytes(values.size() * sizeof(float));
    std::memcpy(bytes.data(), values.data(), bytes.size());
    weights.push_back(std::move(bytes));
  }
  return weights;
}

std::vector<uint8_t> toyKernelObject() { return readFile(FACET_TOY_KERNELS); }

void writeToyPackage(const std::string &path, const ToyOptions &options) {
  PackageWriter writer(toyManifest(options));
  writer.setKernels(toyKernelObject());
  std::vector<std::vector<uint8_t>> weights = toyWeights(options);
  for (size_t i = 0; i < weights.size(); ++i)
    writer.setWeight(i, std::move(weights[i]));
  writer.write(path);
}

std::vector<float> toyReferenceLogits(const std::vector<int32_t> &tokens,
                                      const ToyOptions &options) {
  int64_t V = options.vocab, D = options.dim;
  std::vector<float> logits;
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::vector<double> full(size_t(D), 0.0), window(size_t(D), 0.0);
    for (size_t p = 0; p <= i; ++p)
      for (int64_t d = 0; d < D; ++d) {
        // keys + 0.1 * values = 1.3 * embedding
        double value = 1.3 * double(embedValue(tokens[p], d));
        full[size_t(d)] += value;
        if (p + size_t(kToyWindow) > i)
          window[size_t(d)] += value;
      }
    for (int64_t v = 0; v < V; ++v) {
      double sum = 0.0;
      for (int64_t d = 0; d < D; ++d)
        sum += (full[size_t(d)] + 2.0 * window[size_t(d)]) *
               double(unembedValue(v, d));
      logits.push_back(static_cast<float>(sum));
    }
  }
  return logits;
}

TempDir::TempDir() {
  const char *base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base && *base ? base : "/tmp") + "/facet-runtime-test-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (!mkdtemp(buffer.data()))
    throw std::runtime_error("cannot create a temporary directory");
  dir = buffer.data();
}

TempDir::~TempDir() {
  std::error_code error;
  std::filesystem::remove_all(dir, error);
}

std::vector<uint8_t> readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read " + path);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

void writeFile(const std::string &path, const std::vector<uint8_t> &bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char *>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out)
    throw std::runtime_error("cannot write " + path);
}

} // namespace facet::test
