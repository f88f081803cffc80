//===- Executor.cpp - Runs a package's entry points -----------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/exec/Executor.h"

#include "facet/Runtime.h"
#include "runtime/exec/KVConvert.h"

#include <algorithm>

namespace facet::runtime {

using package::ArgKind;
using package::CacheInfo;
using package::EntryPoint;
using package::StepKind;

struct Executor::EntryState {
  const EntryPoint *entry = nullptr;
  DeviceMemory arena;
};

Executor::Executor(const package::ParsedPackage &package, Backend &backend,
                   const std::string &packageName)
    : package(package), backend(backend), packageName(packageName) {
  const package::Manifest &manifest = package.manifest;
  prefill = package::findEntryPoint(manifest, "prefill");
  decode = package::findEntryPoint(manifest, "decode");
  if (!prefill || !decode) // parseManifest guarantees both
    throw Error(Status::Internal, packageName + ": no prefill/decode entry");

  try {
    kernels = backend.loadKernels(package.kernels.data, package.kernels.size,
                                  manifest.kernels, packageName);
    weights =
        backend.importReadOnly(package.weights.data, package.weights.size);
    for (const CacheInfo &cache : manifest.caches) {
      uint64_t bytes = uint64_t(cache.capacity) * uint64_t(cache.kvHeads) *
                       uint64_t(cache.headDim) *
                       package::elementSize(cache.type);
      keys.push_back(
          backend.allocate(bytes, "the keys of cache '" + cache.name + "'"));
      values.push_back(
          backend.allocate(bytes, "the values of cache '" + cache.name + "'"));
      uint64_t scaleBytes =
          cache.type == package::ElementType::I8
              ? uint64_t(cache.capacity) * uint64_t(cache.kvHeads) *
                    sizeof(float)
              : 0;
      keyScales.push_back(backend.allocate(
          scaleBytes, "the key scales of cache '" + cache.name + "'"));
      valueScales.push_back(backend.allocate(
          scaleBytes, "the value scales of cache '" + cache.name + "'"));
    }
    for (const EntryPoint &entry : manifest.entryPoints) {
      auto state = std::make_unique<EntryState>();
      state->entry = &entry;
      state->arena = backend.allocate(entry.arenaBytes,
                                      "the arena of '" + entry.name + "'");
      entries.push_back(std::move(state));
    }
  } catch (...) {
    releaseMemory();
    throw;
  }
}

Executor::~Executor() {
  backend.synchronize();
  releaseMemory();
}

void Executor::releaseMemory() {
  for (DeviceMemory &memory : keys)
    backend.release(memory);
  for (DeviceMemory &memory : values)
    backend.release(memory);
  for (DeviceMemory &memory : keyScales)
    backend.release(memory);
  for (DeviceMemory &memory : valueScales)
    backend.release(memory);
  for (auto &state : entries)
    backend.release(state->arena);
  backend.release(weights);
}

Executor::EntryState &Executor::stateOf(const EntryPoint &entry) {
  for (auto &state : entries)
    if (state->entry == &entry)
      return *state;
  throw Error(Status::Internal, "entry point '" + entry.name +
                                    "' does not belong to this executor");
}

TensorRef Executor::bufferRef(const EntryState &state, uint64_t index,
                              int64_t tokens) const {
  const package::BufferInfo &buffer = state.entry->buffers[index];
  TensorRef ref;
  ref.memory = &state.arena;
  ref.offset = buffer.arenaOffset;
  ref.type = buffer.type;
  ref.rank = static_cast<uint32_t>(buffer.shape.size());
  for (uint32_t d = 0; d < ref.rank; ++d)
    ref.shape[d] =
        buffer.shape[d] == package::kTokens ? tokens : buffer.shape[d];
  return ref;
}

void Executor::storeKV(const EntryState &state, const package::Step &step,
                       int64_t count, int64_t start) {
  const CacheInfo &cache = package.manifest.caches[step.cache];
  uint64_t rowValues = uint64_t(cache.kvHeads) * uint64_t(cache.headDim);
  uint64_t sourceRowBytes = rowValues * sizeof(float);
  uint64_t rowBytes = rowValues * package::elementSize(cache.type);
  uint64_t capacity = uint64_t(cache.capacity);
  bool convert = cache.type != package::ElementType::F32;
  bool scaled = cache.type == package::ElementType::I8;
  if (convert && (!state.arena.host || !keys[step.cache].host ||
                  !values[step.cache].host ||
                  (scaled && (!keyScales[step.cache].host ||
                              !valueScales[step.cache].host))))
    throw Error(Status::Internal,
                "cache '" + cache.name + "' stores " +
                    package::elementTypeName(cache.type) +
                    ": narrow KV caches need a host-addressable backend for "
                    "now (compile with --kv-dtype f32)");
  // Rows older than the last `capacity` would be overwritten by later rows
  // of the same call: skip them. The rest are at most two contiguous runs
  // of slots (the ring wraps once).
  uint64_t first = uint64_t(count) > capacity ? uint64_t(count) - capacity : 0;
  for (int which = 0; which < 2; ++which) {
    const package::BufferInfo &source =
        state.entry->buffers[step.args[which].index];
    DeviceMemory &cacheMemory =
        which == 0 ? keys[step.cache] : values[step.cache];
    DeviceMemory &scaleMemory =
        which == 0 ? keyScales[step.cache] : valueScales[step.cache];
    uint64_t row = first;
    while (row < uint64_t(count)) {
      uint64_t slot = (uint64_t(start) + row) % capacity;
      uint64_t run = std::min(uint64_t(count) - row, capacity - slot);
      uint64_t sourceOffset = source.arenaOffset + row * sourceRowBytes;
      if (!convert) {
        backend.copy(cacheMemory, slot * rowBytes, state.arena, sourceOffset,
                     run * rowBytes);
      } else {
        float *scales = scaled ? static_cast<float *>(scaleMemory.host) +
                                     slot * uint64_t(cache.kvHeads)
                               : nullptr;
        convertKVRows(
            cache.type,
            reinterpret_cast<const float *>(
                static_cast<const uint8_t *>(state.arena.host) + sourceOffset),
            int64_t(run), cache.kvHeads, cache.headDim,
            static_cast<uint8_t *>(cacheMemory.host) + slot * rowBytes,
            scales);
      }
      row += run;
    }
  }
}

void Executor::run(const EntryPoint &entry, const int32_t *tokens,
                   int64_t count, int64_t start) {
  const package::Manifest &manifest = package.manifest;
  if (count < 1 || count > entry.maxTokens)
    throw Error(Status::InvalidArgument,
                "entry point '" + entry.name + "' takes 1 to " +
                    std::to_string(entry.maxTokens) + " tokens, got " +
                    std::to_string(count));
  if (start < 0 || start + count > manifest.model.maxContext)
    throw Error(Status::ContextOverflow,
                "positions " + std::to_string(start) + " to " +
                    std::to_string(start + count - 1) +
                    " do not fit the compiled context of " +
                    std::to_string(manifest.model.maxContext) + " tokens");
  for (int64_t i = 0; i < count; ++i)
    if (tokens[i] < 0 || tokens[i] >= manifest.model.vocabSize)
      throw Error(Status::TokenOutOfRange,
                  "token id " + std::to_string(tokens[i]) +
                      " is outside the vocabulary [0, " +
                      std::to_string(manifest.model.vocabSize) + ")");

  EntryState &state = stateOf(entry);
  lastEntry = nullptr;
  positions.resize(size_t(count));
  for (int64_t i = 0; i < count; ++i)
    positions[size_t(i)] = static_cast<int32_t>(start + i);
  uint64_t idsOffset = entry.buffers[entry.tokenIdsBuffer].arenaOffset;
  uint64_t positionsOffset = entry.buffers[entry.positionsBuffer].arenaOffset;
  backend.copyFromHost(state.arena, idsOffset, tokens,
                       uint64_t(count) * sizeof(int32_t));
  backend.copyFromHost(state.arena, positionsOffset, positions.data(),
                       uint64_t(count) * sizeof(int32_t));

  for (const package::Step &step : entry.steps) {
    if (step.kind == StepKind::KVStore) {
      storeKV(state, step, count, start);
      continue;
    }
    args.resize(step.args.size());
    for (size_t i = 0; i < step.args.size(); ++i) {
      const package::Arg &arg = step.args[i];
      KernelArg &out = args[i];
      out = KernelArg();
      switch (arg.kind) {
      case ArgKind::Buffer:
        out.tensor = bufferRef(state, arg.index, count);
        break;
      case ArgKind::Weight: {
        const package::WeightInfo &weight = manifest.weights[arg.index];
        out.tensor.memory = &weights;
        out.tensor.offset = weight.offset;
        out.tensor.type = weight.type;
        out.tensor.rank = static_cast<uint32_t>(weight.shape.size());
        for (uint32_t d = 0; d < out.tensor.rank; ++d)
          out.tensor.shape[d] = weight.shape[d];
        break;
      }
      case ArgKind::CacheKeys:
      case ArgKind::CacheValues: {
        const CacheInfo &cache = manifest.caches[arg.index];
        out.tensor.memory = arg.kind == ArgKind::CacheKeys ? &keys[arg.index]
                                                           : &values[arg.index];
        out.tensor.type = cache.type;
        out.tensor.rank = 3;
        out.tensor.shape[0] = cache.capacity;
        out.tensor.shape[1] = cache.kvHeads;
        out.tensor.shape[2] = cache.headDim;
        break;
      }
      case ArgKind::CacheKeyScales:
      case ArgKind::CacheValueScales: {
        // The parser admits these for int8 caches only.
        const CacheInfo &cache = manifest.caches[arg.index];
        out.tensor.memory = arg.kind == ArgKind::CacheKeyScales
                                ? &keyScales[arg.index]
                                : &valueScales[arg.index];
        out.tensor.type = package::ElementType::F32;
        out.tensor.rank = 2;
        out.tensor.shape[0] = cache.capacity;
        out.tensor.shape[1] = cache.kvHeads;
        break;
      }
      case ArgKind::Scalar:
        out.kind = KernelArg::Kind::Scalar;
        out.scalar = static_cast<int32_t>(
            arg.index == uint64_t(package::ScalarKind::Tokens) ? count
                                                               : start + count);
        break;
      }
    }
    backend.launch(*kernels, step.kernel, args.data(), args.size());
  }
  backend.synchronize();
  lastEntry = &state;
  lastRows = lastPositionOnly(entry) ? 1 : count;
}

bool Executor::lastPositionOnly(const EntryPoint &entry) {
  return entry.buffers[entry.logitsBuffer].shape[0] != package::kTokens;
}

const float *Executor::logits() {
  if (!lastEntry)
    throw Error(Status::BadState, "no logits: nothing has run yet");
  const EntryPoint &entry = *lastEntry->entry;
  uint64_t offset = entry.buffers[entry.logitsBuffer].arenaOffset;
  if (lastEntry->arena.host)
    return reinterpret_cast<const float *>(
        static_cast<const uint8_t *>(lastEntry->arena.host) + offset);
  uint64_t floats =
      uint64_t(lastRows) * uint64_t(package.manifest.model.vocabSize);
  hostLogits.resize(floats);
  backend.copyToHost(hostLogits.data(), lastEntry->arena, offset,
                     floats * sizeof(float));
  return hostLogits.data();
}

} // namespace facet::runtime
