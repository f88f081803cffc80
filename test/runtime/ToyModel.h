//===- ToyModel.h - A tiny package for runtime tests ------------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Builds the manifest, weights and package of the toy model whose kernels are
// in toy_kernels.c (see there for what they compute), and computes its
// logits directly, for comparison. The toy model has a full-attention cache
// and a sliding-window ring cache smaller than the context, a chunked
// prefill entry point (buffers with a T leading dimension) and a decode
// entry point (buffers with a leading dimension of 1, like the frontend's).
//
//===----------------------------------------------------------------------===//

#ifndef FACET_TEST_RUNTIME_TOYMODEL_H
#define FACET_TEST_RUNTIME_TOYMODEL_H

#include "runtime/package/Manifest.h"

#include <string>
#include <vector>

namespace facet::test {

struct ToyOptions {
  std::string name = "toy";
  std::string arch;       // empty: this machine's
  std::string targetName; // empty: arch
  std::vector<std::string> cpuFeatures;
  int64_t vocab = 11;
  int64_t dim = 4;
  int64_t maxContext = 24;
  int64_t chunk = 4;                           // prefill maxTokens
  std::string decodeLogitsSymbol = "k_logits"; // "k_fail", "k_threads", ...
};

/// The window of the toy model's sliding cache.
inline constexpr int64_t kToyWindow = 3;

package::Manifest toyManifest(const ToyOptions &options);
/// Bytes of every weight of toyManifest(options), in manifest order.
std::vector<std::vector<uint8_t>> toyWeights(const ToyOptions &options);
/// The built toy kernel object (toy_kernels.c).
std::vector<uint8_t> toyKernelObject();
/// Writes the toy package to `path`.
void writeToyPackage(const std::string &path, const ToyOptions &options = {});

/// The logits after each of `tokens`, computed without the runtime:
/// [tokens.size(), vocab], row-major.
std::vector<float> toyReferenceLogits(const std::vector<int32_t> &tokens,
                                      const ToyOptions &options = {});

/// A fresh empty directory for one test's files, removed with its contents
/// when the object goes away.
class TempDir {
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  const std::string &path() const { return dir; }
  std::string file(const std::string &name) const { return dir + "/" + name; }

private:
  std::string dir;
};

std::vector<uint8_t> readFile(const std::string &path);
void writeFile(const std::string &path, const std::vector<uint8_t> &bytes);
/// The name of this machine's architecture ("x86_64", "aarch64").
std::string hostArch();

} // namespace facet::test

#endif // FACET_TEST_RUNTIME_TOYMODEL_H
