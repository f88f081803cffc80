//===- StepRunner.cpp - One call of an entry point, step by step ----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The manifest was validated by readManifest, so indices, shapes and
// offsets are used unchecked here; only the call's own arguments are.
//
//===----------------------------------------------------------------------===//

#include "runtime/core/StepRunner.h"

#include "runtime/core/KVConvert.h"

namespace facet::core {

namespace {

// Positions are staged through a small buffer: the core has no heap.
constexpr int64_t kPositionChunk = 64;

TensorRef bufferRef(const EntryView &entry, const DeviceMemory &arena,
                    uint64_t index, int64_t tokens) {
  const BufferView &buffer = entry.buffers[index];
  TensorRef ref;
  ref.memory = &arena;
  ref.offset = buffer.arenaOffset;
  ref.type = buffer.type;
  ref.rank = buffer.shape.rank;
  for (uint32_t d = 0; d < ref.rank; ++d)
    ref.shape[d] =
        buffer.shape.dims[d] == kTokens ? tokens : buffer.shape.dims[d];
  return ref;
}

} // namespace

bool StepRunner::checkCall(const EntryView &entry, const int32_t *tokens,
                           int64_t count, int64_t start, Status &status) const {
  if (count < 1 || count > entry.maxTokens) {
    status.fail(Code::InvalidArgument)
        .add("entry point '")
        .add(entry.name.data, entry.name.size)
        .add("' takes 1 to ")
        .addSigned(entry.maxTokens)
        .add(" tokens, got ")
        .addSigned(count);
    return false;
  }
  int64_t maxContext = manifest.model.maxContext;
  if (start < 0 || start > maxContext || count > maxContext - start) {
    status.fail(Code::ContextOverflow)
        .add("positions ")
        .addSigned(start)
        .add(" to ")
        .addSigned(start + count - 1)
        .add(" do not fit the compiled context of ")
        .addSigned(maxContext)
        .add(" tokens");
    return false;
  }
  for (int64_t i = 0; i < count; ++i)
    if (tokens[i] < 0 || tokens[i] >= manifest.model.vocabSize) {
      status.fail(Code::TokenOutOfRange)
          .add("token id ")
          .addSigned(tokens[i])
          .add(" is outside the vocabulary [0, ")
          .addSigned(manifest.model.vocabSize)
          .add(")");
      return false;
    }
  return true;
}

bool StepRunner::writeInputs(const EntryView &entry, const DeviceMemory &arena,
                             const int32_t *tokens, int64_t count,
                             int64_t start, Status &status) {
  uint64_t idsOffset = entry.buffers[entry.tokenIdsBuffer].arenaOffset;
  uint64_t positionsOffset = entry.buffers[entry.positionsBuffer].arenaOffset;
  if (!device.copyFromHost(arena, idsOffset, tokens,
                           uint64_t(count) * sizeof(int32_t), status))
    return false;
  int32_t positions[kPositionChunk];
  for (int64_t first = 0; first < count; first += kPositionChunk) {
    int64_t chunk =
        count - first < kPositionChunk ? count - first : kPositionChunk;
    for (int64_t i = 0; i < chunk; ++i)
      positions[i] = static_cast<int32_t>(start + first + i);
    if (!device.copyFromHost(
            arena, positionsOffset + uint64_t(first) * sizeof(int32_t),
            positions, uint64_t(chunk) * sizeof(int32_t), status))
      return false;
  }
  return true;
}

bool StepRunner::storeKV(const EntryView &entry, const StepView &step,
                         const DeviceMemory &arena, int64_t count,
                         int64_t start, Status &status) {
  const CacheView &cache = manifest.caches[step.cache];
  const CacheMemory &memory = caches[step.cache];
  uint64_t rowValues = uint64_t(cache.kvHeads) * uint64_t(cache.headDim);
  uint64_t sourceRowBytes = rowValues * sizeof(float);
  uint64_t rowBytes = rowValues * elementSize(cache.type);
  uint64_t capacity = uint64_t(cache.capacity);
  bool convert = cache.type != ElementType::F32;
  bool scaled = cache.type == ElementType::I8;
  if (convert &&
      (!arena.host || !memory.keys.host || !memory.values.host ||
       (scaled && (!memory.keyScales.host || !memory.valueScales.host)))) {
    status.fail(Code::Internal)
        .add("cache '")
        .add(cache.name.data, cache.name.size)
        .add("' stores ")
        .add(elementTypeName(cache.type))
        .add(": narrow KV caches need a host-addressable backend for now "
             "(compile with --kv-dtype f32)");
    return false;
  }
  // Rows older than the last `capacity` would be overwritten by later rows
  // of the same call: skip them. The rest are at most two contiguous runs
  // of slots (the ring wraps once).
  uint64_t first = uint64_t(count) > capacity ? uint64_t(count) - capacity : 0;
  for (int which = 0; which < 2; ++which) {
    const BufferView &source = entry.buffers[step.args[which].index];
    const DeviceMemory &cacheMemory = which == 0 ? memory.keys : memory.values;
    const DeviceMemory &scaleMemory =
        which == 0 ? memory.keyScales : memory.valueScales;
    uint64_t row = first;
    while (row < uint64_t(count)) {
      uint64_t slot = (uint64_t(start) + row) % capacity;
      uint64_t run = uint64_t(count) - row < capacity - slot
                         ? uint64_t(count) - row
                         : capacity - slot;
      uint64_t sourceOffset = source.arenaOffset + row * sourceRowBytes;
      if (!convert) {
        if (!device.copy(cacheMemory, slot * rowBytes, arena, sourceOffset,
                         run * rowBytes, status))
          return false;
      } else {
        float *scales = scaled ? static_cast<float *>(scaleMemory.host) +
                                     slot * uint64_t(cache.kvHeads)
                               : nullptr;
        // The reader admits f32, bf16, f16 and i8 caches only: converting
        // cannot fail.
        convertKVRows(
            cache.type,
            reinterpret_cast<const float *>(
                static_cast<const uint8_t *>(arena.host) + sourceOffset),
            int64_t(run), cache.kvHeads, cache.headDim,
            static_cast<uint8_t *>(cacheMemory.host) + slot * rowBytes, scales);
      }
      row += run;
    }
  }
  return true;
}

bool StepRunner::launchKernel(const EntryView &entry, const StepView &step,
                              const DeviceMemory &arena, int64_t count,
                              int64_t start, Status &status) {
  for (uint64_t i = 0; i < step.argCount; ++i) {
    const ArgView &arg = step.args[i];
    KernelArg &out = args[i];
    out = KernelArg();
    switch (arg.kind) {
    case ArgKind::Buffer:
      out.tensor = bufferRef(entry, arena, arg.index, count);
      break;
    case ArgKind::Weight: {
      const WeightView &weight = manifest.weights[arg.index];
      out.tensor.memory = &weights;
      out.tensor.offset = weight.offset;
      out.tensor.type = weight.type;
      out.tensor.rank = weight.shape.rank;
      for (uint32_t d = 0; d < out.tensor.rank; ++d)
        out.tensor.shape[d] = weight.shape.dims[d];
      break;
    }
    case ArgKind::CacheKeys:
    case ArgKind::CacheValues: {
      const CacheView &cache = manifest.caches[arg.index];
      out.tensor.memory = arg.kind == ArgKind::CacheKeys
                              ? &caches[arg.index].keys
                              : &caches[arg.index].values;
      out.tensor.type = cache.type;
      out.tensor.rank = 3;
      out.tensor.shape[0] = cache.capacity;
      out.tensor.shape[1] = cache.kvHeads;
      out.tensor.shape[2] = cache.headDim;
      break;
    }
    case ArgKind::CacheKeyScales:
    case ArgKind::CacheValueScales: {
      // The reader admits these for int8 caches only.
      const CacheView &cache = manifest.caches[arg.index];
      out.tensor.memory = arg.kind == ArgKind::CacheKeyScales
                              ? &caches[arg.index].keyScales
                              : &caches[arg.index].valueScales;
      out.tensor.type = ElementType::F32;
      out.tensor.rank = 2;
      out.tensor.shape[0] = cache.capacity;
      out.tensor.shape[1] = cache.kvHeads;
      break;
    }
    case ArgKind::Scalar:
      out.kind = KernelArg::Kind::Scalar;
      out.scalar = static_cast<int32_t>(
          arg.index == uint64_t(ScalarKind::Tokens) ? count : start + count);
      break;
    case ArgKind::Constant: // the reader checked that it fits
      out.kind = KernelArg::Kind::Scalar;
      out.scalar = static_cast<int32_t>(arg.index);
      break;
    }
  }
  return device.launch(step.kernel, args, step.argCount, status);
}

CacheBytes cacheBytes(const CacheView &cache) {
  uint64_t slots = uint64_t(cache.capacity) * uint64_t(cache.kvHeads);
  CacheBytes bytes;
  bytes.keys = slots * uint64_t(cache.headDim) * elementSize(cache.type);
  bytes.scales = cache.type == ElementType::I8 ? slots * sizeof(float) : 0;
  return bytes;
}

bool StepRunner::run(const EntryView &entry, const DeviceMemory &arena,
                     const int32_t *tokens, int64_t count, int64_t start,
                     Status &status, bool logits) {
  status = Status();
  if (!checkCall(entry, tokens, count, start, status) ||
      !writeInputs(entry, arena, tokens, count, start, status))
    return false;
  // Without logits, the steps up to the last KV store (all of them in an
  // entry that stores nothing, which leaves no state to skip to).
  uint64_t steps = entry.stepCount;
  if (!logits)
    for (uint64_t i = entry.stepCount; i-- > 0;)
      if (entry.steps[i].kind == StepKind::KVStore) {
        steps = i + 1;
        break;
      }
  for (uint64_t i = 0; i < steps; ++i) {
    const StepView &step = entry.steps[i];
    bool ok = step.kind == StepKind::KVStore
                  ? storeKV(entry, step, arena, count, start, status)
                  : launchKernel(entry, step, arena, count, start, status);
    if (!ok)
      return false;
  }
  return true;
}

} // namespace facet::core
