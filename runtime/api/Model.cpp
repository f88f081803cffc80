//===- Model.cpp - The C++ interface over the executor --------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "facet/Runtime.h"
#include "facet/Tokenizer.h"

#include "runtime/backend/Backend.h"
#include "runtime/backend/ProfilingBackend.h"
#include "runtime/cpu/HostTarget.h"
#include "runtime/exec/Executor.h"
#include "runtime/package/FormatError.h"
#include "runtime/package/PackageFile.h"
#include "runtime/sampling/Sampler.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <thread>

#include <sched.h>

namespace facet::runtime {

const char *statusName(Status status) {
  switch (status) {
  case Status::Ok:
    return "ok";
  case Status::InvalidArgument:
    return "invalid argument";
  case Status::Io:
    return "I/O error";
  case Status::Format:
    return "malformed package";
  case Status::TargetMismatch:
    return "target mismatch";
  case Status::ContextOverflow:
    return "context overflow";
  case Status::TokenOutOfRange:
    return "token out of range";
  case Status::Kernel:
    return "kernel error";
  case Status::OutOfMemory:
    return "out of memory";
  case Status::BadState:
    return "bad state";
  case Status::Internal:
    return "internal error";
  }
  return "unknown status";
}

int defaultThreadCount() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int count = CPU_COUNT(&set);
    if (count > 0)
      return count;
  }
  unsigned count = std::thread::hardware_concurrency();
  return count > 0 ? static_cast<int>(count) : 1;
}

struct Model::Impl {
  std::unique_ptr<package::PackageFile> file;
  std::unique_ptr<Backend> backend;
  ProfilingBackend *profiler = nullptr; // backend, when profiling
  std::unique_ptr<Executor> executor;
  ModelInfo info;
  int64_t position = 0;
  bool haveLogits = false;
  // After a failure inside a call, caches and position may disagree.
  bool failed = false;
  std::vector<float> lastLogits; // vocabSize floats
  std::optional<Tokenizer> tokenizer; // when the package has one
  Sampler sampler;
  bool seeded = false;
  uint64_t seed = 0;

  void checkUsable() const {
    if (failed)
      throw Error(Status::BadState,
                  "the model is unusable after an earlier error inside a "
                  "step; call reset first");
  }
  void checkTokens(const int32_t *tokens, size_t count) const {
    for (size_t i = 0; i < count; ++i)
      if (tokens[i] < 0 || tokens[i] >= info.vocabSize)
        throw Error(Status::TokenOutOfRange,
                    "token id " + std::to_string(tokens[i]) + " at index " +
                        std::to_string(i) + " is outside the vocabulary [0, " +
                        std::to_string(info.vocabSize) + ")");
  }
  /// Runs one call of `entry`; keeps the last row's logits. `logits`
  /// false: a call whose logits nobody reads, which skips the steps that
  /// only compute them (Executor::run) and leaves none.
  void step(const package::EntryPoint &entry, const int32_t *tokens,
            int64_t count, const float **rowsOut = nullptr,
            bool logits = true) {
    try {
      executor->run(entry, tokens, count, position, logits);
      file->releaseGatheredWeights();
    } catch (...) {
      failed = true;
      haveLogits = false;
      throw;
    }
    if (!logits) {
      position += count;
      haveLogits = false;
      return;
    }
    const float *rows = executor->logits();
    size_t vocab = size_t(info.vocabSize);
    if (rowsOut)
      *rowsOut = rows;
    size_t lastRow = size_t(executor->logitsRows() - 1);
    std::memcpy(lastLogits.data(), rows + lastRow * vocab,
                vocab * sizeof(float));
    position += count;
    haveLogits = true;
  }
};

namespace {

/// The backend for `options.device` (or the package's own), after checking
/// that the package was compiled for it.
std::unique_ptr<Backend> createBackend(const std::string &path,
                                       const package::TargetInfo &target,
                                       const Options &options, int threads) {
  bool cudaPackage = target.arch == "cuda";
  std::string device =
      options.device.empty() ? (cudaPackage ? "cuda" : "cpu") : options.device;
  if (device != "cpu" && device != "cuda")
    throw Error(Status::InvalidArgument,
                "unknown device '" + device + "' (known: cpu, cuda)");
  if (device == "cuda") {
    if (!cudaPackage)
      throw Error(Status::TargetMismatch,
                  path + ": package built for " + target.name +
                      ", a CPU target; the cuda device runs packages "
                      "compiled with --target cuda-sm90 or cuda-sm80");
    try {
      return createCudaBackend();
    } catch (const Error &error) {
      throw Error(error.status(),
                  (options.device.empty() ? path + " (built for " +
                                                target.name + ")"
                                          : std::string("--device cuda")) +
                      ": " + error.what());
    }
  }
  if (cudaPackage)
    throw Error(Status::TargetMismatch,
                path + ": package built for " + target.name +
                    " (a GPU); run it on the cuda device");
  std::string mismatch = targetMismatch(target, currentHost());
  if (!mismatch.empty())
    throw Error(Status::TargetMismatch, path + ": " + mismatch);
  if (target.arch != "x86_64" && target.arch != "aarch64")
    throw Error(Status::TargetMismatch,
                path + ": this runtime has no backend for target " +
                    target.name);
  return createCpuBackend(threads);
}

} // namespace

Model::Model(std::unique_ptr<Impl> impl) : impl(std::move(impl)) {}

const Tokenizer *Model::tokenizer() const {
  return impl->tokenizer ? &*impl->tokenizer : nullptr;
}
Model::~Model() = default;

std::unique_ptr<Model> Model::open(const std::string &path,
                                   const Options &options) {
  if (options.threads < 0)
    throw Error(Status::InvalidArgument,
                "thread count is " + std::to_string(options.threads) +
                    ", expected 0 (all cores) or more");
  auto impl = std::make_unique<Impl>();
  try {
    impl->file = package::PackageFile::open(path);
  } catch (const package::IoError &error) {
    throw Error(Status::Io, error.what());
  } catch (const package::FormatError &error) {
    throw Error(Status::Format, error.what());
  }
  const package::Manifest &manifest = impl->file->manifest();

  int threads = options.threads > 0 ? options.threads : defaultThreadCount();
  impl->backend = createBackend(path, manifest.target, options, threads);
  if (options.profile) {
    auto profiler = std::make_unique<ProfilingBackend>(
        std::move(impl->backend), manifest.kernels.size());
    impl->profiler = profiler.get();
    impl->backend = std::move(profiler);
  }
  impl->executor =
      std::make_unique<Executor>(impl->file->package(), *impl->backend, path);

  ModelInfo &info = impl->info;
  info.name = manifest.model.name;
  info.target = manifest.target.name;
  info.vocabSize = manifest.model.vocabSize;
  info.maxContext = manifest.model.maxContext;
  info.prefillChunk = impl->executor->prefillEntry().maxTokens;
  info.prefillAllLogits =
      !Executor::lastPositionOnly(impl->executor->prefillEntry());
  info.bosTokenId = static_cast<int32_t>(manifest.model.bosTokenId);
  for (int64_t id : manifest.model.eosTokenIds)
    info.eosTokenIds.push_back(static_cast<int32_t>(id));
  info.threads = impl->backend->threads();
  for (const package::WeightInfo &weight : manifest.weights) {
    info.weightBytes += weight.bytes;
    // A quantized weight's scales and zero points are parts named
    // `name.scales` and `name.zeros` (PlanBuilder.h), not parameters.
    auto endsWith = [&](const std::string &suffix) {
      return weight.name.size() > suffix.size() &&
             weight.name.compare(weight.name.size() - suffix.size(),
                                 suffix.size(), suffix) == 0;
    };
    if (endsWith(".scales") || endsWith(".zeros"))
      continue;
    // int4 weights are stored two values a byte, as u8 or as u16 words.
    bool int4 = weight.type == package::ElementType::U8 ||
                weight.type == package::ElementType::U16;
    info.parameters += int4 ? 2 * weight.bytes
                            : weight.bytes / package::elementSize(weight.type);
  }
  impl->lastLogits.resize(size_t(info.vocabSize));

  const package::SectionRef &tokenizer = impl->file->package().tokenizer;
  if (tokenizer.size > 0) {
    impl->tokenizer.emplace(Tokenizer::fromBlob(
        tokenizer.data, size_t(tokenizer.size), path + ": tokenizer"));
    if (int64_t(impl->tokenizer->vocabSize()) > info.vocabSize)
      throw Error(Status::Format,
                  path + ": the tokenizer has " +
                      std::to_string(impl->tokenizer->vocabSize()) +
                      " tokens, more than the model's vocabulary of " +
                      std::to_string(info.vocabSize));
  }
  return std::unique_ptr<Model>(new Model(std::move(impl)));
}

const ModelInfo &Model::info() const { return impl->info; }

Profile Model::profile() const {
  if (!impl->profiler)
    throw Error(Status::BadState,
                "no profile: open the model with Options::profile");
  const package::Manifest &manifest = impl->file->manifest();
  const ProfilingBackend::Totals &totals = impl->profiler->totals();
  Profile profile;
  for (size_t k = 0; k < totals.kernelLaunches.size(); ++k)
    if (totals.kernelLaunches[k] > 0)
      profile.kernels.push_back({manifest.kernels[k].name,
                                 totals.kernelLaunches[k],
                                 totals.kernelSeconds[k]});
  profile.cacheWrites = totals.copies;
  profile.cacheWriteSeconds = totals.copySeconds;
  return profile;
}

void Model::clearProfile() {
  if (impl->profiler)
    impl->profiler->clear();
}

uint64_t Model::decodeBytes(int64_t context) const {
  const package::Manifest &manifest = impl->file->manifest();
  const package::EntryPoint &decode = impl->executor->decodeEntry();
  std::vector<bool> seen(manifest.weights.size(), false);
  uint64_t bytes = 0;
  for (const package::Step &step : decode.steps)
    for (const package::Arg &arg : step.args) {
      if (arg.kind != package::ArgKind::Weight || seen[arg.index])
        continue;
      seen[arg.index] = true;
      const package::WeightInfo &weight = manifest.weights[arg.index];
      bytes += package::isGatheredByRow(weight)
                   ? weight.bytes / uint64_t(weight.shape[0])
                   : weight.bytes;
    }
  for (const package::CacheInfo &cache : manifest.caches) {
    int64_t live = cache.window > 0 ? std::min(cache.window, context) : context;
    live = std::min(live, cache.capacity);
    bytes += uint64_t(live) * package::cacheEntryBytes(cache);
  }
  return bytes;
}

int64_t Model::position() const { return impl->position; }

void Model::reset() {
  impl->position = 0;
  impl->haveLogits = false;
  impl->failed = false;
  impl->seeded = false;
}

void Model::prefill(const int32_t *tokens, size_t count, float *allLogits) {
  if (!allLogits) {
    prefillChunked(tokens, count, LogitsCallback());
    return;
  }
  if (!impl->info.prefillAllLogits)
    throw Error(Status::InvalidArgument,
                "this package's prefill computes the logits of the last "
                "prompt position only; compile it with --all-logits for "
                "every position's");
  size_t vocab = size_t(impl->info.vocabSize);
  prefillChunked(tokens, count, [&](size_t first, const float *rows, size_t n) {
    std::memcpy(allLogits + first * vocab, rows, n * vocab * sizeof(float));
  });
}

void Model::prefillChunked(const int32_t *tokens, size_t count,
                           const LogitsCallback &onLogits) {
  impl->checkUsable();
  if (count == 0)
    throw Error(Status::InvalidArgument, "prefill of an empty prompt");
  if (!tokens)
    throw Error(Status::InvalidArgument, "prefill: token pointer is null");
  int64_t maxContext = impl->info.maxContext;
  if (uint64_t(count) > uint64_t(maxContext - impl->position)) {
    std::string message = "prompt of " + std::to_string(count) +
                          " tokens does not fit the compiled context of " +
                          std::to_string(maxContext);
    if (impl->position > 0)
      message +=
          " (" + std::to_string(impl->position) + " positions already used)";
    throw Error(Status::ContextOverflow, message);
  }
  impl->checkTokens(tokens, count);
  const package::EntryPoint &entry = impl->executor->prefillEntry();
  size_t chunk = size_t(entry.maxTokens);
  for (size_t done = 0; done < count; done += chunk) {
    size_t n = std::min(chunk, count - done);
    bool last = done + n == count;
    // Before the last chunk only onLogits of every position reads logits;
    // otherwise the chunk stops after its last KV store.
    bool everyRow = onLogits && impl->info.prefillAllLogits;
    const float *rows = nullptr;
    impl->step(entry, tokens + done, int64_t(n), &rows, last || everyRow);
    if (!onLogits)
      continue;
    if (everyRow)
      onLogits(done, rows, n);
    else if (last) // only the prompt's last position has logits
      onLogits(count - 1, rows, 1);
  }
}

void Model::decode(int32_t token) {
  impl->checkUsable();
  if (impl->position >= impl->info.maxContext)
    throw Error(Status::ContextOverflow,
                "decode at position " + std::to_string(impl->position) +
                    " does not fit the compiled context of " +
                    std::to_string(impl->info.maxContext));
  impl->checkTokens(&token, 1);
  impl->step(impl->executor->decodeEntry(), &token, 1, nullptr);
}

const float *Model::logits() const {
  impl->checkUsable();
  if (!impl->haveLogits)
    throw Error(Status::BadState,
                "no logits yet: prefill or decode a token first");
  return impl->lastLogits.data();
}

int32_t Model::sample(const SamplingParams &params) {
  const float *values = logits();
  checkSamplingParams(params);
  if (!impl->seeded || impl->seed != params.seed) {
    impl->sampler.seed(params.seed);
    impl->seed = params.seed;
    impl->seeded = true;
  }
  return impl->sampler.sample(values, impl->info.vocabSize, params);
}

} // namespace facet::runtime
