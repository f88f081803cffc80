//===- PackageFile.h - A validated, memory-mapped .facet file ---*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// parsePackage checks the header and section table of a package held in
// memory with the core's readPackageLayout (magic, version, file size,
// every section 64-byte aligned, inside the file and apart from the others,
// exactly one Manifest, Kernels and Weights section) and then parses and
// validates the manifest. PackageFile
// maps a file read-only and parses it: nothing is read before it has been
// checked, and weights are used in place, so untouched pages never occupy
// memory.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_PACKAGE_PACKAGEFILE_H
#define FACET_RUNTIME_PACKAGE_PACKAGEFILE_H

#include "runtime/package/Manifest.h"

#include <memory>
#include <string>
#include <vector>

namespace facet::package {

struct SectionRef {
  SectionKind kind = SectionKind::Manifest;
  uint64_t offset = 0; // from the start of the file
  uint64_t size = 0;
  const uint8_t *data = nullptr;
};

/// A package whose every offset and size has been checked.
struct ParsedPackage {
  Manifest manifest;
  std::vector<SectionRef> sections; // in table order
  SectionRef manifestSection, kernels, weights;
  SectionRef tokenizer; // size 0 and data null when absent
  // The manifest as the core's view, which the executor runs: its arrays
  // live in `viewArena`, its names in the Manifest section.
  std::shared_ptr<HostArena> viewArena;
  core::ManifestView view;
};

/// Parses the `size` bytes at `data` (a whole package). `name` (the file
/// name) prefixes every error message. Throws FormatError. The result points
/// into `data`.
ParsedPackage parsePackage(const uint8_t *data, uint64_t size,
                           const std::string &name);

using core::sectionKindName;

/// A package file mapped read-only for as long as this object lives.
class PackageFile {
public:
  /// Throws IoError (cannot open or map) or FormatError.
  static std::unique_ptr<PackageFile> open(const std::string &path);
  ~PackageFile();
  PackageFile(const PackageFile &) = delete;
  PackageFile &operator=(const PackageFile &) = delete;

  const std::string &path() const { return filePath; }
  const Manifest &manifest() const { return parsed.manifest; }
  const ParsedPackage &package() const { return parsed; }
  uint64_t fileSize() const { return mappingSize; }
  /// Unmaps the pages of the weights read a row at a time (the PLE table),
  /// which stay in the page cache: called after each step, it bounds the
  /// resident set by what one step gathers.
  void releaseGatheredWeights() const;

private:
  PackageFile() = default;
  /// Finds the gathered weights' page ranges (once, at open) and asks the
  /// kernel not to read ahead around them (see PackageFile.cpp).
  void prepareGatheredWeights();

  /// A part of the mapping that starts on a page.
  struct PageRange {
    uintptr_t start = 0;
    size_t length = 0;
  };
  std::vector<PageRange> gatheredRanges;

  std::string filePath;
  void *mapping = nullptr;
  uint64_t mappingSize = 0;
  ParsedPackage parsed;
};

} // namespace facet::package

#endif // FACET_RUNTIME_PACKAGE_PACKAGEFILE_H
