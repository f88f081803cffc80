//===- Executor.h - Runs a package's entry points ---------------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Owns what the plan describes: one activation arena per entry point (sized
// for its maxTokens), the keys and values array of every KV cache, the
// weights (imported from the package mapping) and the loaded kernels. A
// cache narrower than f32 (bf16, f16, int8 with per-(slot, head) scales)
// receives its rows converted on the host (KVConvert.h). run()
// executes one call of an entry point: it writes the token ids and
// positions, runs the steps in order (kernel launches with bound arguments,
// KV-cache writes into ring slots position % capacity) and leaves the logits
// [T, vocab] readable.
//
// The executor keeps no notion of "the current position"; Model does.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_EXEC_EXECUTOR_H
#define FACET_RUNTIME_EXEC_EXECUTOR_H

#include "runtime/backend/Backend.h"
#include "runtime/package/PackageFile.h"

#include <memory>
#include <string>
#include <vector>

namespace facet::runtime {

class Executor {
public:
  /// Loads the kernels and allocates arenas and caches (zeroed). `package`
  /// and `backend` must outlive the executor.
  Executor(const package::ParsedPackage &package, Backend &backend,
           const std::string &packageName);
  ~Executor();
  Executor(const Executor &) = delete;
  Executor &operator=(const Executor &) = delete;

  const package::Manifest &manifest() const { return package.manifest; }
  const package::EntryPoint &prefillEntry() const { return *prefill; }
  const package::EntryPoint &decodeEntry() const { return *decode; }

  /// Runs `entry` for `count` tokens (1 to entry.maxTokens) at positions
  /// start, start + 1, ...; throws Error if the ids or positions are out of
  /// range or a kernel fails.
  void run(const package::EntryPoint &entry, const int32_t *tokens,
           int64_t count, int64_t start);

  /// The logits of the last run(): rows [logitsRows(), vocab], row-major.
  /// Valid until the next run().
  const float *logits();
  /// `count` rows, or 1 when the entry point computes the last position's
  /// logits only (see lastPositionOnly).
  int64_t logitsRows() const { return lastRows; }
  /// Whether `entry` returns one row of logits, for its last token, however
  /// many tokens it runs.
  static bool lastPositionOnly(const package::EntryPoint &entry);

private:
  struct EntryState;
  EntryState &stateOf(const package::EntryPoint &entry);
  /// Everything allocated from the backend (what exists so far, when the
  /// constructor fails part way).
  void releaseMemory();
  TensorRef bufferRef(const EntryState &state, uint64_t buffer,
                      int64_t tokens) const;
  void storeKV(const EntryState &state, const package::Step &step,
               int64_t count, int64_t start);

  const package::ParsedPackage &package;
  Backend &backend;
  std::string packageName;
  const package::EntryPoint *prefill = nullptr;
  const package::EntryPoint *decode = nullptr;

  std::unique_ptr<KernelModule> kernels;
  DeviceMemory weights;
  std::vector<DeviceMemory> keys, values; // per cache
  // Per cache: int8 caches' scales [capacity, kvHeads] f32; empty otherwise.
  std::vector<DeviceMemory> keyScales, valueScales;
  std::vector<std::unique_ptr<EntryState>> entries;

  // The last run, for logits().
  EntryState *lastEntry = nullptr;
  int64_t lastRows = 0;
  std::vector<float> hostLogits; // when the arena is not host-addressable

  std::vector<KernelArg> args;    // launch scratch
  std::vector<int32_t> positions; // input scratch
};

} // namespace facet::runtime

#endif // FACET_RUNTIME_EXEC_EXECUTOR_H
