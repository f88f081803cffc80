//===- Executor.h - Runs a package's entry points ---------------*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Owns what the plan describes: one activation arena per entry point (sized
// for its maxTokens), the keys and values array of every KV cache, the
// weights (imported from the package mapping) and the loaded kernels. run()
// executes one call of an entry point through the core's StepRunner (the
// step loop the freestanding Hexagon runner shares): it writes the token
// ids and positions, runs the steps in order (kernel launches with bound
// arguments, KV-cache writes into ring slots position % capacity, narrow
// caches converted on the host) and leaves the logits [T, vocab] readable.
// The executor adds what the core leaves out: allocation, exceptions with
// a facet::runtime::Status, and reading the logits back.
//
// The executor keeps no notion of "the current position"; Model does.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_EXEC_EXECUTOR_H
#define FACET_RUNTIME_EXEC_EXECUTOR_H

#include "runtime/backend/Backend.h"
#include "runtime/core/StepRunner.h"
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
  /// range or a kernel fails. `logits` false skips the steps after the last
  /// KV store (core::StepRunner::run), and leaves no logits to read.
  void run(const package::EntryPoint &entry, const int32_t *tokens,
           int64_t count, int64_t start, bool logits = true);

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
  class BackendDevice;
  EntryState &stateOf(const package::EntryPoint &entry);
  /// Everything allocated from the backend (what exists so far, when the
  /// constructor fails part way).
  void releaseMemory();

  const package::ParsedPackage &package;
  Backend &backend;
  std::string packageName;
  const package::EntryPoint *prefill = nullptr;
  const package::EntryPoint *decode = nullptr;

  std::unique_ptr<KernelModule> kernels;
  DeviceMemory weights;
  // Per cache: keys, values and, for int8 caches, their scales.
  std::vector<core::CacheMemory> caches;
  std::vector<std::unique_ptr<EntryState>> entries;
  std::unique_ptr<BackendDevice> device;
  std::unique_ptr<core::StepRunner> runner;

  // The last run, for logits().
  EntryState *lastEntry = nullptr;
  int64_t lastRows = 0;
  std::vector<float> hostLogits; // when the arena is not host-addressable
};

} // namespace facet::runtime

#endif // FACET_RUNTIME_EXEC_EXECUTOR_H
