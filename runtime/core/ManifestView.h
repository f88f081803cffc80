//===- ManifestView.h - A validated manifest, as plain structs --*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// What readManifest (ManifestReader.h) produces: the manifest's fields in
// plain structs whose arrays come from the caller's Arena and whose names
// point into the manifest bytes (so those bytes must outlive the view).
// Every index, shape and offset has been checked, so the step runner uses
// them without further checks. The fields mirror package::Manifest, the
// host's std-based copy (runtime/README.md describes each).
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_CORE_MANIFESTVIEW_H
#define FACET_RUNTIME_CORE_MANIFESTVIEW_H

#include "runtime/core/Format.h"

namespace facet::core {

/// Bytes of the input, not NUL-terminated.
struct StringView {
  const char *data;
  uint64_t size;

  bool equals(const char *text) const;
  bool equals(StringView other) const;
};

struct Shape {
  uint32_t rank;
  int64_t dims[kMaxRank]; // outermost first; dims[0] may be kTokens
};

struct ModelView {
  StringView name;
  int64_t vocabSize, hiddenSize, numLayers, maxContext, bosTokenId;
  const int64_t *eosTokenIds;
  uint64_t eosCount;
};

struct TargetView {
  StringView name, arch;
  const StringView *cpuFeatures;
  uint64_t cpuFeatureCount;
};

struct KernelView {
  StringView name, symbol;
  uint64_t numArgs;
};

struct WeightView {
  StringView name, weightClass, scheme;
  ElementType type;
  Shape shape;
  uint64_t offset, bytes;
};

struct CacheView {
  StringView name;
  ElementType type;
  int64_t kvHeads, headDim, window, capacity;
};

struct BufferView {
  StringView name;
  ElementType type;
  Shape shape;
  uint64_t arenaOffset;
};

struct ArgView {
  ArgKind kind;
  uint64_t index;
};

struct StepView {
  StepKind kind;
  uint64_t kernel, cache;
  const ArgView *args;
  uint64_t argCount;
};

struct EntryView {
  StringView name;
  int64_t maxTokens;
  uint64_t arenaBytes;
  const BufferView *buffers;
  uint64_t bufferCount;
  uint64_t tokenIdsBuffer, positionsBuffer, logitsBuffer;
  const StepView *steps;
  uint64_t stepCount;
};

struct ManifestView {
  ModelView model;
  TargetView target;
  const KernelView *kernels;
  uint64_t kernelCount;
  const WeightView *weights;
  uint64_t weightCount;
  const CacheView *caches;
  uint64_t cacheCount;
  const EntryView *entries;
  uint64_t entryCount;
};

/// The entry point called `name`, or null.
const EntryView *findEntry(const ManifestView &manifest, const char *name);

} // namespace facet::core

#endif // FACET_RUNTIME_CORE_MANIFESTVIEW_H
