//===- KernelLibrary.h - A package's kernels as a shared object -*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// Loads the Kernels section of a CPU package (an ELF shared object) straight
// from memory: its bytes go into an anonymous memfd that is dlopen'ed through
// /proc/self/fd (a private temporary file where memfd_create is missing).
// Every kernel symbol is resolved at load time. If the object carries
// Halide's runtime, its thread pool is sized with halide_set_num_threads
// and shut down before the object is unloaded.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_RUNTIME_CPU_KERNELLIBRARY_H
#define FACET_RUNTIME_CPU_KERNELLIBRARY_H

#include "runtime/backend/Backend.h"
#include "runtime/core/HalideArgs.h"

#include <string>
#include <vector>

namespace facet::runtime {

class KernelLibrary : public KernelModule {
public:
  /// Throws Error(Kernel) naming `packageName` and the problem.
  KernelLibrary(const uint8_t *code, uint64_t size,
                const std::vector<package::KernelInfo> &kernels,
                const std::string &packageName, int threads);
  ~KernelLibrary() override;

  core::halide::ArgvFunction entry(uint64_t kernel) const { return entries[kernel]; }
  const package::KernelInfo &info(uint64_t kernel) const {
    return kernels[kernel];
  }

private:
  void *handle = nullptr;
  std::vector<package::KernelInfo> kernels;
  std::vector<core::halide::ArgvFunction> entries;
};

/// Returns an empty string if `code` looks like an ELF shared object for
/// this machine, else what is wrong with it.
std::string checkSharedObject(const uint8_t *code, uint64_t size);

} // namespace facet::runtime

#endif // FACET_RUNTIME_CPU_KERNELLIBRARY_H
