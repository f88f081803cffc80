//===- PackageWriter.h - Write a .facet package -----------------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Used by the compiler (and by tests): takes a manifest whose weights have a
// name, type, shape and size, the kernel object and every weight's bytes,
// assigns each weight a 128-byte aligned offset in the Weights section, checks
// the result with the same parser the runtime uses, and writes
//
//   header | section table | Manifest | Kernels | Weights [| Tokenizer]
//
// (each section 64-byte aligned, Weights 128) to `<path>.tmp.<pid>`, then
// renames it over `path`, so an interrupted compile never leaves a truncated
// package behind. Weights read a row per token (the PLE table) are dropped
// from the page cache once on disk. Standard C++ and POSIX only.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_PACKAGE_PACKAGEWRITER_H
#define FACET_RUNTIME_PACKAGE_PACKAGEWRITER_H

#include "runtime/package/Manifest.h"

#include <functional>
#include <string>
#include <vector>

namespace facet::package {

class PackageWriter {
public:
  /// Fills exactly `bytes` bytes at `out` (`bytes` is the weight's size).
  using WeightFill = std::function<void(uint8_t *out, uint64_t bytes)>;

  explicit PackageWriter(Manifest manifest);

  /// The Kernels section: a shared object for CPU targets.
  void setKernels(std::vector<uint8_t> object);
  /// The optional Tokenizer section.
  void setTokenizer(std::vector<uint8_t> bytes);

  /// The bytes of `manifest.weights[index]`, copied now. Throws FormatError
  /// if the size differs from the weight's `bytes`.
  void setWeight(uint64_t index, std::vector<uint8_t> bytes);
  /// The bytes of `manifest.weights[index]`, produced by `fill` while the
  /// package is written (one weight in memory at a time).
  void setWeight(uint64_t index, WeightFill fill);

  /// Lays out the sections, validates the manifest with parseManifest and
  /// writes the file atomically. Throws FormatError (a weight without bytes,
  /// a manifest the runtime would reject) or IoError.
  void write(const std::string &path);

  /// The manifest with weight offsets assigned (after write()).
  const Manifest &manifest() const { return manifestData; }

private:
  Manifest manifestData;
  std::vector<uint8_t> kernelObject;
  std::vector<uint8_t> tokenizer;
  bool hasTokenizer = false;
  std::vector<WeightFill> weightFills;
};

} // namespace facet::package

#endif // FACET_RUNTIME_PACKAGE_PACKAGEWRITER_H
