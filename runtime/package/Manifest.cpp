//===- Manifest.cpp - Serialise and validate a package manifest -----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The manifest is a flat sequence of fields in the order of the structs in
// Manifest.h: every integer (counts, enums, signed values) as 8 little-endian
// bytes, strings as a uint64 length and the bytes. Writing is host-only (the
// compiler's PackageWriter); reading is the core's (core/ManifestReader.h,
// shared with the freestanding Hexagon runner), and parseManifest copies its
// validated views into the std containers the host runtime and the
// compiler use.
//
//===----------------------------------------------------------------------===//

#include "runtime/package/Manifest.h"

#include "runtime/core/ManifestReader.h"
#include "runtime/package/ByteIO.h"
#include "runtime/package/FormatError.h"

namespace facet::package {

namespace {

std::string text(core::StringView view) {
  return std::string(view.data, view.size);
}

std::vector<int64_t> shapeOf(const core::Shape &shape) {
  return std::vector<int64_t>(shape.dims, shape.dims + shape.rank);
}

EntryPoint convertEntry(const core::EntryView &view) {
  EntryPoint entry;
  entry.name = text(view.name);
  entry.maxTokens = view.maxTokens;
  entry.arenaBytes = view.arenaBytes;
  entry.buffers.reserve(view.bufferCount);
  for (uint64_t i = 0; i < view.bufferCount; ++i) {
    const core::BufferView &buffer = view.buffers[i];
    entry.buffers.push_back({text(buffer.name), buffer.type,
                             shapeOf(buffer.shape), buffer.arenaOffset});
  }
  entry.tokenIdsBuffer = view.tokenIdsBuffer;
  entry.positionsBuffer = view.positionsBuffer;
  entry.logitsBuffer = view.logitsBuffer;
  entry.steps.reserve(view.stepCount);
  for (uint64_t i = 0; i < view.stepCount; ++i) {
    const core::StepView &stepView = view.steps[i];
    Step step;
    step.kind = stepView.kind;
    step.kernel = stepView.kernel;
    step.cache = stepView.cache;
    for (uint64_t a = 0; a < stepView.argCount; ++a)
      step.args.push_back({stepView.args[a].kind, stepView.args[a].index});
    entry.steps.push_back(std::move(step));
  }
  return entry;
}

} // namespace

Manifest toManifest(const core::ManifestView &view) {
  Manifest manifest;
  ModelInfo &model = manifest.model;
  model.name = text(view.model.name);
  model.vocabSize = view.model.vocabSize;
  model.hiddenSize = view.model.hiddenSize;
  model.numLayers = view.model.numLayers;
  model.maxContext = view.model.maxContext;
  model.bosTokenId = view.model.bosTokenId;
  model.eosTokenIds.assign(view.model.eosTokenIds,
                           view.model.eosTokenIds + view.model.eosCount);

  manifest.target.name = text(view.target.name);
  manifest.target.arch = text(view.target.arch);
  for (uint64_t i = 0; i < view.target.cpuFeatureCount; ++i)
    manifest.target.cpuFeatures.push_back(text(view.target.cpuFeatures[i]));

  manifest.kernels.reserve(view.kernelCount);
  for (uint64_t i = 0; i < view.kernelCount; ++i) {
    const core::KernelView &kernel = view.kernels[i];
    manifest.kernels.push_back(
        {text(kernel.name), text(kernel.symbol), kernel.numArgs});
  }
  manifest.weights.reserve(view.weightCount);
  for (uint64_t i = 0; i < view.weightCount; ++i) {
    const core::WeightView &weight = view.weights[i];
    manifest.weights.push_back(
        {text(weight.name), weight.type, shapeOf(weight.shape), weight.offset,
         weight.bytes, text(weight.weightClass), text(weight.scheme)});
  }
  manifest.caches.reserve(view.cacheCount);
  for (uint64_t i = 0; i < view.cacheCount; ++i) {
    const core::CacheView &cache = view.caches[i];
    manifest.caches.push_back({text(cache.name), cache.type, cache.kvHeads,
                               cache.headDim, cache.window, cache.capacity});
  }
  for (uint64_t i = 0; i < view.entryCount; ++i)
    manifest.entryPoints.push_back(convertEntry(view.entries[i]));
  return manifest;
}

namespace {

void writeShape(ByteWriter &out, const std::vector<int64_t> &shape) {
  out.u64(shape.size());
  for (int64_t dim : shape)
    out.i64(dim);
}

} // namespace

uint64_t bufferBytes(const BufferInfo &buffer, int64_t tokens) {
  uint64_t bytes = elementSize(buffer.type);
  for (int64_t dim : buffer.shape)
    bytes *= static_cast<uint64_t>(dim == kTokens ? tokens : dim);
  return bytes;
}

bool isGatheredByRow(const WeightInfo &weight) {
  return weight.weightClass == "ple_table" && weight.bytes > 0 &&
         !weight.shape.empty() && weight.shape[0] > 0;
}

uint64_t cacheEntryBytes(const CacheInfo &cache) {
  uint64_t heads = uint64_t(cache.kvHeads);
  uint64_t row = heads * uint64_t(cache.headDim) * elementSize(cache.type);
  if (cache.type == ElementType::I8)
    row += heads * sizeof(float);
  return 2 * row;
}

const EntryPoint *findEntryPoint(const Manifest &manifest,
                                 const std::string &name) {
  for (const EntryPoint &entry : manifest.entryPoints)
    if (entry.name == name)
      return &entry;
  return nullptr;
}

std::vector<uint8_t> serializeManifest(const Manifest &manifest) {
  ByteWriter out;
  const ModelInfo &model = manifest.model;
  out.string(model.name);
  out.i64(model.vocabSize);
  out.i64(model.hiddenSize);
  out.i64(model.numLayers);
  out.i64(model.maxContext);
  out.i64(model.bosTokenId);
  out.u64(model.eosTokenIds.size());
  for (int64_t id : model.eosTokenIds)
    out.i64(id);

  out.string(manifest.target.name);
  out.string(manifest.target.arch);
  out.u64(manifest.target.cpuFeatures.size());
  for (const std::string &feature : manifest.target.cpuFeatures)
    out.string(feature);

  out.u64(manifest.kernels.size());
  for (const KernelInfo &kernel : manifest.kernels) {
    out.string(kernel.name);
    out.string(kernel.symbol);
    out.u64(kernel.numArgs);
  }

  out.u64(manifest.weights.size());
  for (const WeightInfo &weight : manifest.weights) {
    out.string(weight.name);
    out.string(weight.weightClass);
    out.string(weight.scheme);
    out.u64(uint64_t(weight.type));
    writeShape(out, weight.shape);
    out.u64(weight.offset);
    out.u64(weight.bytes);
  }

  out.u64(manifest.caches.size());
  for (const CacheInfo &cache : manifest.caches) {
    out.string(cache.name);
    out.u64(uint64_t(cache.type));
    out.i64(cache.kvHeads);
    out.i64(cache.headDim);
    out.i64(cache.window);
    out.i64(cache.capacity);
  }

  out.u64(manifest.entryPoints.size());
  for (const EntryPoint &entry : manifest.entryPoints) {
    out.string(entry.name);
    out.i64(entry.maxTokens);
    out.u64(entry.arenaBytes);
    out.u64(entry.buffers.size());
    for (const BufferInfo &buffer : entry.buffers) {
      out.string(buffer.name);
      out.u64(uint64_t(buffer.type));
      writeShape(out, buffer.shape);
      out.u64(buffer.arenaOffset);
    }
    out.u64(entry.tokenIdsBuffer);
    out.u64(entry.positionsBuffer);
    out.u64(entry.logitsBuffer);
    out.u64(entry.steps.size());
    for (const Step &step : entry.steps) {
      out.u64(uint64_t(step.kind));
      out.u64(step.kernel);
      out.u64(step.cache);
      out.u64(step.args.size());
      for (const Arg &arg : step.args) {
        out.u64(uint64_t(arg.kind));
        out.u64(arg.index);
      }
    }
  }
  return out.take();
}

core::ManifestView readManifestView(const uint8_t *data, uint64_t size,
                                    uint64_t weightsSectionSize,
                                    HostArena &arena) {
  core::ManifestView view;
  core::Status status;
  if (!core::readManifest(data, size, weightsSectionSize, arena, view, status))
    throw FormatError(status.message);
  return view;
}

Manifest parseManifest(const uint8_t *data, uint64_t size,
                       uint64_t weightsSectionSize) {
  HostArena arena;
  return toManifest(readManifestView(data, size, weightsSectionSize, arena));
}

} // namespace facet::package
