//===- Runtime.h - Facet runtime, C++ interface -----------------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Opens a compiled .facet package and runs it: prefill a prompt (in chunks of
// the compiled prefill size), decode one token at a time, read the logits of
// the last position, sample. Errors are facet::runtime::Error exceptions
// carrying a Status (the same codes as facet.h) and a message for the user.
//
// A Model is used by one thread at a time. Standard C++17 only.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_H
#define FACET_RUNTIME_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace facet::runtime {

/// Error codes; the values are those of facet_status in facet.h.
enum class Status : int {
  Ok = 0,
  InvalidArgument = 1, // a null pointer, a negative thread count, ...
  Io = 2,              // the file cannot be opened, read or mapped
  Format = 3,          // the file is not a valid package
  TargetMismatch = 4,  // compiled for another machine
  ContextOverflow = 5, // more tokens than the compiled context holds
  TokenOutOfRange = 6, // a token id outside the vocabulary
  Kernel = 7,          // a kernel failed, or the kernel code cannot load
  OutOfMemory = 8,
  BadState = 9, // e.g. logits before any prefill, use after a failure
  Internal = 10,
};

const char *statusName(Status status);

class Error : public std::runtime_error {
public:
  Error(Status status, const std::string &message)
      : std::runtime_error(message), code(status) {}
  Status status() const { return code; }

private:
  Status code;
};

struct Options {
  int threads = 0; // 0: every core this process may run on
  /// Time every kernel launch and cache write (Model::profile). Each waits
  /// for the one before, so a profiled model runs slower.
  bool profile = false;
  /// "cpu", "cuda", or "" for the package's own: a package compiled for a
  /// CUDA target runs on the GPU, every other one on the CPU.
  std::string device = {};
};

/// Where the time of the calls since Model::clearProfile went.
struct Profile {
  struct Kernel {
    std::string name; // the package's name for the kernel's code
    uint64_t launches = 0;
    double seconds = 0;
  };
  std::vector<Kernel> kernels; // those launched at least once
  uint64_t cacheWrites = 0;    // KV-cache row copies
  double cacheWriteSeconds = 0;
};

/// temperature <= 0 is greedy (argmax, ties to the lowest id). Otherwise:
/// logits / temperature, keep the top_k most likely (0: all), keep the
/// smallest set whose probability reaches top_p (1: all), draw with a
/// std::mt19937_64 seeded with `seed`.
struct SamplingParams {
  float temperature = 0.0f;
  int32_t topK = 0;
  float topP = 1.0f;
  uint64_t seed = 0;
};

struct ModelInfo {
  std::string name;
  std::string target; // e.g. "x86_64-avx512"
  int64_t vocabSize = 0;
  int64_t maxContext = 0;
  int64_t prefillChunk = 0; // tokens per prefill call
  /// Whether prefill computes every prompt position's logits (compiled with
  /// --all-logits) or only the last one's.
  bool prefillAllLogits = true;
  int32_t bosTokenId = 0;
  std::vector<int32_t> eosTokenIds;
  int threads = 0; // threads the kernels use
  uint64_t weightBytes = 0; // the package's weights as stored
  /// Weight elements (an int4 byte holds two; scales and zero points are
  /// not parameters).
  uint64_t parameters = 0;
};

class Tokenizer; // facet/Tokenizer.h

class Model {
public:
  /// Maps, validates and loads the package at `path`. Throws Error.
  static std::unique_ptr<Model> open(const std::string &path,
                                     const Options &options = {});
  ~Model();
  Model(const Model &) = delete;
  Model &operator=(const Model &) = delete;

  const ModelInfo &info() const;
  /// Tokens in the KV caches (the next token's position).
  int64_t position() const;

  /// Forgets every token: the next prefill starts at position 0, and the
  /// next sample() reseeds its generator.
  void reset();
  /// Appends `count` tokens at the current position (in chunks of
  /// info().prefillChunk). Every id and the context are checked before any
  /// work. If `allLogits` is not null it receives count * vocabSize floats:
  /// the logits after each of the tokens, row-major.
  void prefill(const int32_t *tokens, size_t count, float *allLogits = nullptr);
  /// As prefill, calling onLogits(first, rows, n) after each chunk with the
  /// logits after tokens[first] ... tokens[first + n - 1] (n * vocabSize
  /// floats, valid during the call): every position's logits without
  /// holding them all.
  using LogitsCallback =
      std::function<void(size_t first, const float *rows, size_t count)>;
  void prefillChunked(const int32_t *tokens, size_t count,
                      const LogitsCallback &onLogits);
  /// Appends one token.
  void decode(int32_t token);
  /// The vocabSize logits after the last token (valid until the next call).
  const float *logits() const;
  /// The package's tokenizer, or null when it was compiled without one.
  const Tokenizer *tokenizer() const;
  /// With Options::profile: the time per kernel since open or the last
  /// clearProfile(). Throws Error(BadState) without it.
  Profile profile() const;
  void clearProfile();
  /// The package's bytes a decode step reads, from the plan: every weight
  /// its kernels take (each once; the PLE table, which is only gathered,
  /// one row), and the live entries of every KV cache at `context`
  /// positions (a sliding ring at most its window).
  uint64_t decodeBytes(int64_t context) const;

  /// Samples a token from logits(). The generator is seeded from
  /// params.seed on the first call after open/reset and whenever the seed
  /// changes, so equal calls give equal tokens on every run.
  int32_t sample(const SamplingParams &params);

  struct Impl;

private:
  explicit Model(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl;
};

/// Worker threads used when Options::threads is 0.
int defaultThreadCount();

} // namespace facet::runtime

#endif // FACET_RUNTIME_H
