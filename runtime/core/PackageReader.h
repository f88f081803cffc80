//===- PackageReader.h - Validate a package's header and sections -*- C++
//-*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Checks the container of a package held in memory: magic, version, file
// size, reserved bytes, and a section table whose every entry is 64-byte
// aligned, inside the file, apart from the table and the other sections,
// with exactly one Manifest, Kernels and Weights section and at most one
// Tokenizer. Shared by the host's parsePackage (which maps the file) and
// the Hexagon runner (which gets the bytes from its loader); neither reads
// a section before this has checked it.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_CORE_PACKAGEREADER_H
#define FACET_RUNTIME_CORE_PACKAGEREADER_H

#include "runtime/core/Format.h"
#include "runtime/core/Status.h"

namespace facet::core {

struct SectionView {
  SectionKind kind;
  uint64_t offset; // from the start of the package
  uint64_t size;
  const uint8_t *data;
};

struct PackageLayout {
  SectionView sections[kMaxSections]; // in table order
  uint32_t sectionCount;
  SectionView manifest, kernels, weights;
  SectionView tokenizer; // size 0 and data null when absent
};

/// Checks the `size` bytes at `data` (a whole package) and fills `layout`,
/// which points into `data`. On failure returns false with a Format status
/// whose message has no file name ("truncated: the file has ...").
bool readPackageLayout(const uint8_t *data, uint64_t size,
                       PackageLayout &layout, Status &status);

} // namespace facet::core

#endif // FACET_RUNTIME_CORE_PACKAGEREADER_H
