//===- ManifestReader.h - Parse and validate a manifest ---------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The one manifest parser: the host runtime (package::parseManifest converts
// its result into std containers) and the freestanding Hexagon runner both
// use it, so both accept exactly the same packages. It checks every count
// against a limit and the remaining input before allocating, and every
// index, shape and offset before returning (runtime/README.md lists the
// rules), so the step runner may use the result without further checks.
//
// Usage:
//
//   alignas(16) static uint8_t storage[64 << 10];
//   core::BumpArena arena(storage, sizeof storage);
//   core::ManifestView manifest;
//   core::Status status;
//   if (!core::readManifest(bytes, size, weightsSize, arena, manifest,
//                           status))
//     report(status.message); // "manifest: model vocab size is 0, ..."
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_CORE_MANIFESTREADER_H
#define FACET_RUNTIME_CORE_MANIFESTREADER_H

#include "runtime/core/Arena.h"
#include "runtime/core/ManifestView.h"
#include "runtime/core/Status.h"

namespace facet::core {

/// Parses the `size` bytes of a Manifest section into `manifest`, its
/// arrays from `arena`; every weight must lie inside the first
/// `weightsSectionSize` bytes of the Weights section. On failure returns
/// false with a Format status ("manifest: ...") or OutOfMemory when the
/// arena runs out; `manifest` is then unspecified. The view points into
/// `data`.
bool readManifest(const uint8_t *data, uint64_t size,
                  uint64_t weightsSectionSize, Arena &arena,
                  ManifestView &manifest, Status &status);

} // namespace facet::core

#endif // FACET_RUNTIME_CORE_MANIFESTREADER_H
