//===- StepRunner.h - One call of an entry point, step by step --*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The one executor loop: the host's Executor and the Hexagon runner both
// run calls through it, so both bind arguments and fill KV caches the same
// way. A call of T tokens at positions p ... p+T-1 is checked (1 <= T <=
// maxTokens, positions inside the context, ids inside the vocabulary),
// writes the token ids and positions into their buffers, then runs the
// steps in order:
//
//   Kernel   each argument bound (a Buffer to its arena offset, its kTokens
//            dimension replaced by T; a Weight; a cache's keys, values or
//            scales; the Tokens or ContextLength scalar), then launched.
//   KVStore  row r goes to slot (p + r) % capacity of the cache, converted
//            to its element type (KVConvert.h); rows a later row of the same
//            call would overwrite are skipped, so the rest are at most two
//            contiguous runs of slots.
//
// A call whose logits nobody reads (a prefill chunk before the prompt's
// last) stops after its last KV store: the caches are the only state a call
// leaves behind, so the kernels after that store (for a KV-shared model,
// the shared layers and the LM head, run for the chunk's last row only)
// would compute nothing but logits.
//
// What owns the memory (allocation, release, reading the logits back) and
// how a kernel runs stay with the caller: the Device interface below.
//
// Usage (the arena, weights and caches allocated by the caller, sized from
// the manifest; an i8 cache needs its scale arrays):
//
//   struct MyDevice final : core::Device { ... };
//   core::StepRunner runner(manifest, weights, caches, device);
//   if (!runner.run(*core::findEntry(manifest, "decode"), arena, &token, 1,
//                   position, status))
//     report(status.message);
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_CORE_STEPRUNNER_H
#define FACET_RUNTIME_CORE_STEPRUNNER_H

#include "runtime/core/ManifestView.h"
#include "runtime/core/Status.h"
#include "runtime/core/Tensor.h"

namespace facet::core {

/// What the step runner needs from a device. Each call returns false with
/// `status` set when it fails (a host implementation may throw instead).
class Device {
public:
  /// Copies `bytes` of host memory to `dst` at `dstOffset`.
  virtual bool copyFromHost(const DeviceMemory &dst, uint64_t dstOffset,
                            const void *src, uint64_t bytes,
                            Status &status) = 0;
  /// Copies between device memories; the ranges never overlap.
  virtual bool copy(const DeviceMemory &dst, uint64_t dstOffset,
                    const DeviceMemory &src, uint64_t srcOffset, uint64_t bytes,
                    Status &status) = 0;
  /// Runs kernel `kernel` (an index into the manifest's kernels) on `args`.
  /// May return before it finishes: the caller synchronizes.
  virtual bool launch(uint64_t kernel, const KernelArg *args, uint64_t count,
                      Status &status) = 0;

protected:
  ~Device() = default;
};

/// The memory of one KV cache: keys and values [capacity, kvHeads, headDim]
/// of its element type and, for an I8 cache, their f32 scales [capacity,
/// kvHeads] (unused otherwise).
struct CacheMemory {
  DeviceMemory keys, values, keyScales, valueScales;
};

/// The sizes of one cache's arrays, what its owner allocates: `keys` bytes
/// each for the keys and the values, `scales` bytes each for their scales
/// (0 unless the cache is I8).
struct CacheBytes {
  uint64_t keys, scales;
};
CacheBytes cacheBytes(const CacheView &cache);

class StepRunner {
public:
  /// `caches` holds manifest.cacheCount entries. Everything must outlive
  /// the runner.
  StepRunner(const ManifestView &manifest, const DeviceMemory &weights,
             const CacheMemory *caches, Device &device)
      : manifest(manifest), weights(weights), caches(caches), device(device) {}

  /// Runs `entry` (one of the manifest's) for `count` tokens at positions
  /// start, start + 1, ... with its buffers in `arena` (entry.arenaBytes).
  /// On failure returns false: InvalidArgument, ContextOverflow or
  /// TokenOutOfRange before anything runs; Internal for a narrow cache
  /// without host-addressable memory; or what the device reported.
  /// `logits` false: the steps after the last KV store are skipped, and the
  /// logits buffer holds nothing meaningful afterwards.
  bool run(const EntryView &entry, const DeviceMemory &arena,
           const int32_t *tokens, int64_t count, int64_t start, Status &status,
           bool logits = true);

private:
  bool checkCall(const EntryView &entry, const int32_t *tokens, int64_t count,
                 int64_t start, Status &status) const;
  bool writeInputs(const EntryView &entry, const DeviceMemory &arena,
                   const int32_t *tokens, int64_t count, int64_t start,
                   Status &status);
  bool storeKV(const EntryView &entry, const StepView &step,
               const DeviceMemory &arena, int64_t count, int64_t start,
               Status &status);
  bool launchKernel(const EntryView &entry, const StepView &step,
                    const DeviceMemory &arena, int64_t count, int64_t start,
                    Status &status);

  const ManifestView &manifest;
  const DeviceMemory &weights;
  const CacheMemory *caches;
  Device &device;
  KernelArg args[kMaxKernelArgs]; // one launch's arguments
};

} // namespace facet::core

#endif // FACET_RUNTIME_CORE_STEPRUNNER_H
